/* lib/fpu_fault.c: which unmasked floating-point exception a #MF/#XM was. */
#include <criterion/criterion.h>
#include <string.h>

#include "fpu_fault.h"

Test(fpu_fault, x87_only_unmasked_flags_count)
{
	/* FCW 0x37b: divide-by-zero unmasked; FSW: ZE and PE raised. */
	cr_assert_eq(fpu_x87_unmasked(0x0024 | 0x8080, 0x037b), 0x04);
	/* Everything masked (the initial FCW): nothing caused a fault. */
	cr_assert_eq(fpu_x87_unmasked(0x003f, 0x037f), 0);
	/* The stack-fault and busy bits are not exception flags. */
	cr_assert_eq(fpu_x87_unmasked(0xffc0, 0x0000), 0);
}

Test(fpu_fault, simd_masks_are_bits_7_to_12)
{
	/* MXCSR 0x1f80 with ZE raised: masked. */
	cr_assert_eq(fpu_simd_unmasked(0x1f80 | 0x4), 0);
	/* ZM (bit 9) cleared, ZE raised. */
	cr_assert_eq(fpu_simd_unmasked((0x1f80 & ~0x200u) | 0x4), 0x4);
	/* Every mask off, every flag on. */
	cr_assert_eq(fpu_simd_unmasked(0x3f), 0x3f);
	/* DAZ (bit 6) and FZ (bit 15) are not flags. */
	cr_assert_eq(fpu_simd_unmasked(0x8040), 0);
}

Test(fpu_fault, describe_lists_names_in_order)
{
	char buf[128];
	cr_assert_str_eq(fpu_exc_describe(0x04, buf, sizeof buf), "divide by zero");
	cr_assert_str_eq(fpu_exc_describe(0x09, buf, sizeof buf), "invalid operation, overflow");
	cr_assert_str_eq(fpu_exc_describe(0, buf, sizeof buf), "no unmasked flag");
	cr_assert_str_eq(fpu_exc_describe(0x3f, buf, sizeof buf),
	                 "invalid operation, denormal operand, divide by zero, overflow, "
	                 "underflow, precision");
}

Test(fpu_fault, describe_truncates_and_terminates)
{
	char buf[10];
	memset(buf, 'x', sizeof buf);
	fpu_exc_describe(0x3f, buf, sizeof buf);
	cr_assert_eq(strlen(buf), sizeof buf - 1);
	char one[1] = {'x'};
	fpu_exc_describe(0x3f, one, sizeof one);
	cr_assert_eq(one[0], '\0');
	fpu_exc_describe(0x3f, one, 0); /* len 0: nothing written */
}
