/* TLS from the kernel's side: %fs:0 points at itself, .tdata initialised,
 * .tbss zeroed, both writable and private to the process. */
#include "rawsys.h"

static __thread uint64_t tdata_a = 0x1122334455667788ull;
static __thread uint32_t tdata_b = 7;
static __thread uint64_t tbss_a[8];

ENTRY
{
	uint64_t tp;
	/* clang-format off */
	__asm__ volatile("movq %%fs:0, %0" : "=r"(tp));
	/* clang-format on */
	CHECK(1, tp >= CAPOS_TLS_VADDR && tp < CAPOS_TLS_VADDR + 0x10000 && (tp & 15) == 0);
	CHECK(2, (uint64_t)&tdata_a < tp && (uint64_t)&tbss_a[7] < tp);
	CHECK(3, tdata_a == 0x1122334455667788ull && tdata_b == 7);
	for (int i = 0; i < 8; i++)
		CHECK(4, tbss_a[i] == 0);
	tdata_b++;
	tbss_a[3] = tp;
	raw_cap_enter(1, 20 * 1000 * 1000); /* let the other copy run */
	CHECK(5, tdata_b == 8 && tbss_a[3] == tp);
	raw_exit(0);
}
