/*
 * libFuzzer target for the ELF64 validator (lib/elf64.c).  Besides "no
 * crash, no sanitizer report", every accepted image must satisfy the
 * plan's promises; a violation aborts.
 */
#include <capos/abi.h>
#include <stdint.h>
#include <stdlib.h>

#include "elf64.h"

static void check(int cond)
{
	if (!cond)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_plan plan;
	int err = elf_plan_parse(data, size, CAPOS_USER_MIN, CAPOS_USER_IMAGE_END, &plan);
	check(err <= 0 && err >= ELF_ERR_BAD_TLS);
	if (err != ELF_OK)
		return 0;
	check(plan.nsegments >= 1 && plan.nsegments <= ELF_MAX_LOAD);
	check(plan.image_pages * ELF_PAGE_SIZE <= ELF_MAX_IMAGE_BYTES);
	int entry_ok = 0;
	for (uint32_t i = 0; i < plan.nsegments; i++) {
		const struct elf_segment *s = &plan.segments[i];
		check(s->memsz > 0 && s->filesz <= s->memsz);
		check(s->vaddr >= CAPOS_USER_MIN && s->vaddr + s->memsz <= CAPOS_USER_IMAGE_END);
		check(s->offset <= size && s->filesz <= size - s->offset);
		check(!((s->flags & ELF_SEG_W) && (s->flags & ELF_SEG_X)));
		for (uint32_t j = 0; j < i; j++) {
			const struct elf_segment *t = &plan.segments[j];
			uint64_t a0 = s->vaddr / ELF_PAGE_SIZE, a1 = (s->vaddr + s->memsz - 1) / ELF_PAGE_SIZE;
			uint64_t b0 = t->vaddr / ELF_PAGE_SIZE, b1 = (t->vaddr + t->memsz - 1) / ELF_PAGE_SIZE;
			check(a1 < b0 || b1 < a0);
		}
		if ((s->flags & ELF_SEG_X) && plan.entry >= s->vaddr && plan.entry - s->vaddr < s->memsz)
			entry_ok = 1;
	}
	check(entry_ok);
	if (plan.tls.present) {
		check(plan.tls.filesz <= plan.tls.memsz && plan.tls.memsz <= ELF_MAX_TLS_BYTES);
		check(plan.tls.offset <= size && plan.tls.filesz <= size - plan.tls.offset);
		check(plan.tls.align >= 1 && plan.tls.align <= ELF_PAGE_SIZE &&
		      (plan.tls.align & (plan.tls.align - 1)) == 0);
		struct elf_tls_layout l;
		elf_tls_layout(&plan.tls, &l);
		check(l.tp_offset % plan.tls.align == 0 && l.tp_offset % 16 == 0);
		check(l.tp_offset - l.data_offset >= plan.tls.memsz);
		check(l.tp_offset + ELF_TLS_TCB_SIZE <= l.area_size && l.area_size % ELF_PAGE_SIZE == 0);
	}
	return 0;
}
