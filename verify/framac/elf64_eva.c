/*
 * Eva driver for lib/elf64.c: elf_plan_parse over any image of up to
 * IMAGE_MAX bytes with any contents, any size not larger than the buffer,
 * and any user range; then elf_tls_layout on whatever plan came out.  Eva
 * proves each access of the parser in bounds and each operation free of
 * overflow for all of them at once (verify/framac.sh; docs/verification.md).
 */
#include "__fc_builtin.h"
#include "elf64.h"

#define IMAGE_MAX 4096u

static unsigned char image[IMAGE_MAX];

int main(void)
{
	/* Zeroed: elf_plan_parse writes it only on success, and Eva does not
	 * carry "err == ELF_OK" to "plan written" across the call. */
	struct elf_plan plan = {0};
	struct elf_tls_layout layout;
	Frama_C_make_unknown((char *)image, IMAGE_MAX);
	size_t size = Frama_C_size_t_interval(0, IMAGE_MAX);
	uint64_t user_min = Frama_C_unsigned_long_long_interval(0, ~0ull);
	uint64_t user_end = Frama_C_unsigned_long_long_interval(0, ~0ull);
	int err = elf_plan_parse(image, size,
	                         user_min, user_end, &plan);
	if (err == ELF_OK)
		elf_tls_layout(&plan.tls, &layout);
	(void)elf_error_name(err);
	return 0;
}
