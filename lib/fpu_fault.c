/* Floating-point exception flags in words (see fpu_fault.h). */
#include "fpu_fault.h"

#include "format.h"

static const char *const exc_names[6] = {
	"invalid operation",
	"denormal operand",
	"divide by zero",
	"overflow",
	"underflow",
	"precision",
};

unsigned fpu_x87_unmasked(uint16_t fsw, uint16_t fcw)
{
	return (unsigned)(fsw & ~fcw) & FPU_EXC_FLAGS;
}

unsigned fpu_simd_unmasked(uint32_t mxcsr)
{
	return (unsigned)(mxcsr & ~(mxcsr >> 7)) & FPU_EXC_FLAGS;
}

const char *fpu_exc_describe(unsigned flags, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	buf[0] = '\0';
	size_t used = 0;
	for (unsigned i = 0; i < 6; i++) {
		if (!(flags & (1u << i)))
			continue;
		int n = format_snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
		                        exc_names[i]);
		if (n < 0 || (size_t)n >= len - used)
			return buf; /* truncated, still terminated */
		used += (size_t)n;
	}
	if (used == 0)
		format_snprintf(buf, len, "no unmasked flag");
	return buf;
}
