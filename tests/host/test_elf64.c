/* ELF64 validation: a good static image gives the right plan; every
 * hostile variant is refused with its specific error. */
#include <capos/abi.h>
#include <criterion/criterion.h>
#include <elf.h>
#include <string.h>

#include "elf64.h"

#define IMG_SIZE 0x4000
static unsigned char img[IMG_SIZE + 16];
static Elf64_Ehdr *eh;
static Elf64_Phdr *ph;
static struct elf_plan plan;

/* A good image: text RX at 0x401000, data RW at 0x402000 (.bss after it),
 * TLS template inside the data segment. */
static void build_good(void)
{
	memset(img, 0, sizeof(img));
	eh = (Elf64_Ehdr *)img;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = 0x401010;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 4;
	ph = (Elf64_Phdr *)(img + sizeof(Elf64_Ehdr));
	/* clang-format off */
	ph[0] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x1000,
	                     .p_vaddr = 0x401000, .p_filesz = 0x100, .p_memsz = 0x100,
	                     .p_align = 0x1000};
	ph[1] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x2000,
	                     .p_vaddr = 0x402000, .p_filesz = 0x80, .p_memsz = 0x3000,
	                     .p_align = 0x1000};
	ph[2] = (Elf64_Phdr){.p_type = PT_TLS, .p_flags = PF_R, .p_offset = 0x2000,
	                     .p_vaddr = 0x402000, .p_filesz = 0x10, .p_memsz = 0x30,
	                     .p_align = 8};
	/* clang-format on */
	ph[3] = (Elf64_Phdr){.p_type = PT_GNU_STACK, .p_flags = PF_R | PF_W};
}

static int parse(void)
{
	return elf_plan_parse(img, IMG_SIZE, CAPOS_USER_MIN, CAPOS_USER_IMAGE_END, &plan);
}

TestSuite(elf64, .init = build_good);

Test(elf64, good_image_gives_plan)
{
	cr_assert_eq(parse(), ELF_OK);
	cr_assert_eq(plan.entry, 0x401010u);
	cr_assert_eq(plan.nsegments, 2u);
	cr_assert_eq(plan.segments[0].vaddr, 0x401000u);
	cr_assert_eq(plan.segments[0].flags, ELF_SEG_R | ELF_SEG_X);
	cr_assert_eq(plan.segments[1].memsz, 0x3000u);
	cr_assert_eq(plan.segments[1].filesz, 0x80u);
	cr_assert_eq(plan.segments[1].flags, ELF_SEG_R | ELF_SEG_W);
	cr_assert_eq(plan.image_pages, 4u);
	cr_assert(plan.tls.present);
	cr_assert_eq(plan.tls.filesz, 0x10u);
	cr_assert_eq(plan.tls.memsz, 0x30u);
	cr_assert_eq(plan.tls.align, 8u);
}

Test(elf64, unaligned_image_parses)
{
	memmove(img + 3, img, IMG_SIZE);
	cr_assert_eq(elf_plan_parse(img + 3, IMG_SIZE, CAPOS_USER_MIN, CAPOS_USER_IMAGE_END, &plan),
	             ELF_OK);
}

Test(elf64, truncated)
{
	cr_assert_eq(elf_plan_parse(img, 63, CAPOS_USER_MIN, CAPOS_USER_IMAGE_END, &plan),
	             ELF_ERR_TRUNCATED);
	cr_assert_eq(elf_plan_parse(NULL, 0, CAPOS_USER_MIN, CAPOS_USER_IMAGE_END, &plan),
	             ELF_ERR_TRUNCATED);
}

Test(elf64, bad_magic)
{
	img[1] = 'X';
	cr_assert_eq(parse(), ELF_ERR_BAD_MAGIC);
}
Test(elf64, bad_class)
{
	eh->e_ident[EI_CLASS] = ELFCLASS32;
	cr_assert_eq(parse(), ELF_ERR_BAD_CLASS);
}
Test(elf64, big_endian)
{
	eh->e_ident[EI_DATA] = ELFDATA2MSB;
	cr_assert_eq(parse(), ELF_ERR_BAD_ENCODING);
}
Test(elf64, bad_version)
{
	eh->e_version = 2;
	cr_assert_eq(parse(), ELF_ERR_BAD_VERSION);
}
Test(elf64, shared_object_refused)
{
	eh->e_type = ET_DYN;
	cr_assert_eq(parse(), ELF_ERR_NOT_EXECUTABLE);
}
Test(elf64, wrong_machine)
{
	eh->e_machine = EM_AARCH64;
	cr_assert_eq(parse(), ELF_ERR_BAD_MACHINE);
}
Test(elf64, bad_phentsize)
{
	eh->e_phentsize = 32;
	cr_assert_eq(parse(), ELF_ERR_BAD_PHENTSIZE);
}
Test(elf64, absurd_phnum)
{
	eh->e_phnum = 0xffff;
	cr_assert_eq(parse(), ELF_ERR_TOO_MANY_PHDRS);
}
Test(elf64, no_phdrs)
{
	eh->e_phnum = 0;
	cr_assert_eq(parse(), ELF_ERR_NO_SEGMENTS);
}

Test(elf64, phdrs_past_end)
{
	eh->e_phoff = IMG_SIZE - 100;
	cr_assert_eq(parse(), ELF_ERR_PHDRS_OUTSIDE_FILE);
	eh->e_phoff = UINT64_MAX - 8; /* offset + size wraps */
	cr_assert_eq(parse(), ELF_ERR_PHDRS_OUTSIDE_FILE);
}

Test(elf64, interpreter_refused)
{
	ph[3].p_type = PT_INTERP;
	cr_assert_eq(parse(), ELF_ERR_DYNAMIC);
}
Test(elf64, dynamic_refused)
{
	ph[3].p_type = PT_DYNAMIC;
	cr_assert_eq(parse(), ELF_ERR_DYNAMIC);
}

Test(elf64, filesz_greater_than_memsz)
{
	ph[0].p_filesz = 0x200;
	cr_assert_eq(parse(), ELF_ERR_FILESZ_GT_MEMSZ);
}

Test(elf64, segment_data_past_file)
{
	ph[1].p_offset = IMG_SIZE - 0x10;
	cr_assert_eq(parse(), ELF_ERR_SEGMENT_OUTSIDE_FILE);
	ph[1].p_offset = UINT64_MAX - 0x10;
	cr_assert_eq(parse(), ELF_ERR_SEGMENT_OUTSIDE_FILE);
}

Test(elf64, kernel_half_segment)
{
	ph[1].p_vaddr = 0xffffffff80000000ull;
	cr_assert_eq(parse(), ELF_ERR_SEGMENT_OUTSIDE_USER);
}

Test(elf64, segment_below_user_min)
{
	ph[0].p_vaddr = 0x1000;
	cr_assert_eq(parse(), ELF_ERR_SEGMENT_OUTSIDE_USER);
}

Test(elf64, segment_crossing_user_end)
{
	ph[1].p_vaddr = CAPOS_USER_IMAGE_END - 0x1000;
	cr_assert_eq(parse(), ELF_ERR_SEGMENT_OUTSIDE_USER);
	ph[1].p_vaddr = 0x402000;
	ph[1].p_memsz = UINT64_MAX - 0x100; /* wraps */
	cr_assert_eq(parse(), ELF_ERR_SEGMENT_OUTSIDE_USER);
}

Test(elf64, writable_and_executable)
{
	ph[0].p_flags = PF_R | PF_W | PF_X;
	cr_assert_eq(parse(), ELF_ERR_WRITE_EXEC);
}

Test(elf64, overlapping_segments)
{
	ph[1].p_vaddr = 0x401080;
	cr_assert_eq(parse(), ELF_ERR_SEGMENT_OVERLAP);
}

Test(elf64, segments_sharing_a_page)
{
	ph[0].p_memsz = 0x100;
	ph[1].p_vaddr = 0x401f00; /* disjoint bytes, same page as the text */
	cr_assert_eq(parse(), ELF_ERR_SEGMENT_OVERLAP);
}

Test(elf64, too_many_load_segments)
{
	eh->e_phnum = ELF_MAX_LOAD + 1;
	/* clang-format off */
	for (unsigned i = 0; i <= ELF_MAX_LOAD; i++)
		ph[i] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x1000,
		                     .p_vaddr = 0x401000 + 0x1000 * i, .p_filesz = 0x10,
		                     .p_memsz = 0x20};
	/* clang-format on */
	cr_assert_eq(parse(), ELF_ERR_TOO_MANY_SEGMENTS);
	eh->e_phnum = ELF_MAX_LOAD;
	int err = parse();
	cr_assert_eq(err, ELF_OK, "%s", elf_error_name(err));
}

Test(elf64, image_too_big)
{
	ph[1].p_memsz = ELF_MAX_IMAGE_BYTES;
	cr_assert_eq(parse(), ELF_ERR_IMAGE_TOO_BIG);
	ph[1].p_memsz = ELF_MAX_IMAGE_BYTES - 0x1000; /* plus the text page: exactly the limit */
	cr_assert_eq(parse(), ELF_OK);
}

Test(elf64, no_load_segment)
{
	ph[0].p_type = PT_NOTE;
	ph[1].p_type = PT_NOTE;
	cr_assert_eq(parse(), ELF_ERR_NO_SEGMENTS);
}

Test(elf64, empty_load_segments_are_skipped)
{
	ph[3] = (Elf64_Phdr){.p_type = PT_LOAD, .p_flags = PF_R | PF_W | PF_X, .p_vaddr = 0x401000};
	cr_assert_eq(parse(), ELF_OK);
	cr_assert_eq(plan.nsegments, 2u);
}

Test(elf64, entry_outside_text)
{
	eh->e_entry = 0x402010; /* in the data segment */
	cr_assert_eq(parse(), ELF_ERR_BAD_ENTRY);
	eh->e_entry = 0x401100; /* one past the text */
	cr_assert_eq(parse(), ELF_ERR_BAD_ENTRY);
	eh->e_entry = 0;
	cr_assert_eq(parse(), ELF_ERR_BAD_ENTRY);
}

Test(elf64, two_tls_segments)
{
	ph[3] = ph[2];
	cr_assert_eq(parse(), ELF_ERR_BAD_TLS);
}
Test(elf64, tls_bad_align)
{
	ph[2].p_align = 12;
	cr_assert_eq(parse(), ELF_ERR_BAD_TLS);
}
Test(elf64, tls_huge_align)
{
	ph[2].p_align = 1u << 20;
	cr_assert_eq(parse(), ELF_ERR_BAD_TLS);
}
Test(elf64, tls_too_big)
{
	ph[2].p_memsz = ELF_MAX_TLS_BYTES + 1;
	cr_assert_eq(parse(), ELF_ERR_BAD_TLS);
}
Test(elf64, tls_filesz_gt_memsz)
{
	ph[2].p_filesz = 0x40;
	cr_assert_eq(parse(), ELF_ERR_BAD_TLS);
}
Test(elf64, tls_outside_file)
{
	ph[2].p_offset = IMG_SIZE;
	cr_assert_eq(parse(), ELF_ERR_BAD_TLS);
}

Test(elf64, every_error_has_a_name)
{
	for (int e = ELF_ERR_BAD_TLS; e < 0; e++)
		cr_assert_str_neq(elf_error_name(e), "unknown ELF error", "error %d", e);
}

Test(elf64, tls_layout_variant_two)
{
	struct elf_tls tls = {.present = 1, .filesz = 0x10, .memsz = 0x30, .align = 8};
	struct elf_tls_layout l;
	elf_tls_layout(&tls, &l);
	cr_assert_eq(l.tp_offset, 0x30u);
	cr_assert_eq(l.data_offset, 0u);
	cr_assert_eq(l.area_size, 0x1000u);

	/* Small alignment: the image ends exactly at tp, tp is 16-aligned. */
	tls = (struct elf_tls){.present = 1, .filesz = 4, .memsz = 4, .align = 4};
	elf_tls_layout(&tls, &l);
	cr_assert_eq(l.tp_offset, 16u);
	cr_assert_eq(l.tp_offset - l.data_offset, 4u);

	/* Large alignment: tp aligned to it. */
	tls = (struct elf_tls){.present = 1, .filesz = 8, .memsz = 0x48, .align = 64};
	elf_tls_layout(&tls, &l);
	cr_assert_eq(l.tp_offset % 64, 0u);
	cr_assert_eq(l.tp_offset - l.data_offset, 0x80u);

	/* No TLS: just a TCB. */
	tls = (struct elf_tls){0};
	elf_tls_layout(&tls, &l);
	cr_assert_eq(l.tp_offset, 0u);
	cr_assert_eq(l.area_size, 0x1000u);

	/* Big block spills onto a second page with the TCB. */
	tls = (struct elf_tls){.present = 1, .memsz = 0x1000 - 8, .align = 8};
	elf_tls_layout(&tls, &l);
	cr_assert_eq(l.area_size, 0x2000u);
}
