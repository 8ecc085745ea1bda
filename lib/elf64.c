/* ELF64 validation into a load plan: see elf64.h for what is accepted. */
#include "elf64.h"

#define EI_NIDENT   16
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_X86_64   62
#define PT_LOAD     1
#define PT_DYNAMIC  2
#define PT_INTERP   3
#define PT_TLS      7

struct elf64_ehdr {
	unsigned char e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "Elf64_Ehdr");
_Static_assert(sizeof(struct elf64_phdr) == 56, "Elf64_Phdr");

static uint64_t page_down(uint64_t v) { return v & ~(ELF_PAGE_SIZE - 1); }

/* Last page touched by [vaddr, vaddr + memsz); memsz > 0, no overflow. */
static uint64_t last_page(uint64_t vaddr, uint64_t memsz) { return page_down(vaddr + memsz - 1); }

/* The image may be unaligned: copy headers out byte by byte. */
static void copy_bytes(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
}

/* True when [off, off + len) lies within a file of `size` bytes. */
static int in_file(uint64_t off, uint64_t len, uint64_t size)
{
	return off <= size && len <= size - off;
}

static int check_header(const struct elf64_ehdr *h, size_t size)
{
	const unsigned char *id = h->e_ident;
	if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return ELF_ERR_BAD_MAGIC;
	if (id[4] != ELFCLASS64)
		return ELF_ERR_BAD_CLASS;
	if (id[5] != ELFDATA2LSB)
		return ELF_ERR_BAD_ENCODING;
	if (id[6] != EV_CURRENT || h->e_version != EV_CURRENT)
		return ELF_ERR_BAD_VERSION;
	if (h->e_type != ET_EXEC)
		return ELF_ERR_NOT_EXECUTABLE;
	if (h->e_machine != EM_X86_64)
		return ELF_ERR_BAD_MACHINE;
	if (h->e_phentsize != sizeof(struct elf64_phdr))
		return ELF_ERR_BAD_PHENTSIZE;
	if (h->e_phnum > ELF_MAX_PHDRS)
		return ELF_ERR_TOO_MANY_PHDRS;
	if (h->e_phnum == 0)
		return ELF_ERR_NO_SEGMENTS;
	if (!in_file(h->e_phoff, (uint64_t)h->e_phnum * sizeof(struct elf64_phdr), size))
		return ELF_ERR_PHDRS_OUTSIDE_FILE;
	return ELF_OK;
}

static int check_tls(const struct elf64_phdr *p, size_t size, struct elf_tls *tls)
{
	if (tls->present)
		return ELF_ERR_BAD_TLS;
	uint64_t align = p->p_align ? p->p_align : 1;
	if ((align & (align - 1)) != 0 || align > ELF_PAGE_SIZE)
		return ELF_ERR_BAD_TLS;
	if (p->p_filesz > p->p_memsz || p->p_memsz > ELF_MAX_TLS_BYTES)
		return ELF_ERR_BAD_TLS;
	if (!in_file(p->p_offset, p->p_filesz, size))
		return ELF_ERR_BAD_TLS;
	tls->present = 1;
	tls->offset = p->p_offset;
	tls->filesz = p->p_filesz;
	tls->memsz = p->p_memsz;
	tls->align = align;
	return ELF_OK;
}

static int check_load(const struct elf64_phdr *p, size_t size, uint64_t user_min,
                      uint64_t user_end, struct elf_plan *plan)
{
	if (p->p_filesz > p->p_memsz)
		return ELF_ERR_FILESZ_GT_MEMSZ;
	if (!in_file(p->p_offset, p->p_filesz, size))
		return ELF_ERR_SEGMENT_OUTSIDE_FILE;
	if (p->p_memsz == 0)
		return ELF_OK; /* nothing to map */
	if (p->p_vaddr < user_min || p->p_vaddr >= user_end ||
	    p->p_memsz > user_end - p->p_vaddr)
		return ELF_ERR_SEGMENT_OUTSIDE_USER;
	if ((p->p_flags & ELF_SEG_W) && (p->p_flags & ELF_SEG_X))
		return ELF_ERR_WRITE_EXEC;
	uint64_t first = page_down(p->p_vaddr);
	uint64_t last = last_page(p->p_vaddr, p->p_memsz);
	for (uint32_t i = 0; i < plan->nsegments; i++) {
		const struct elf_segment *s = &plan->segments[i];
		uint64_t s_first = page_down(s->vaddr);
		uint64_t s_last = last_page(s->vaddr, s->memsz);
		if (first <= s_last && s_first <= last)
			return ELF_ERR_SEGMENT_OVERLAP;
	}
	if (plan->nsegments == ELF_MAX_LOAD)
		return ELF_ERR_TOO_MANY_SEGMENTS;
	uint64_t pages = (last - first) / ELF_PAGE_SIZE + 1;
	if (pages > ELF_MAX_IMAGE_BYTES / ELF_PAGE_SIZE - plan->image_pages)
		return ELF_ERR_IMAGE_TOO_BIG;
	plan->image_pages += pages;
	plan->segments[plan->nsegments++] = (struct elf_segment){
		.vaddr = p->p_vaddr,
		.memsz = p->p_memsz,
		.offset = p->p_offset,
		.filesz = p->p_filesz,
		.flags = p->p_flags & (ELF_SEG_R | ELF_SEG_W | ELF_SEG_X),
	};
	return ELF_OK;
}

int elf_plan_parse(const void *image, size_t size, uint64_t user_min,
                   uint64_t user_end, struct elf_plan *out)
{
	struct elf64_ehdr h;
	struct elf_plan plan = {0};
	int err;

	if (image == 0 || size < sizeof(h))
		return ELF_ERR_TRUNCATED;
	copy_bytes(&h, image, sizeof(h));
	err = check_header(&h, size);
	if (err)
		return err;

	for (uint32_t i = 0; i < h.e_phnum; i++) {
		struct elf64_phdr p;
		copy_bytes(&p, (const unsigned char *)image + h.e_phoff + i * sizeof(p), sizeof(p));
		switch (p.p_type) {
		case PT_LOAD:
			err = check_load(&p, size, user_min, user_end, &plan);
			break;
		case PT_TLS:
			err = check_tls(&p, size, &plan.tls);
			break;
		case PT_INTERP:
		case PT_DYNAMIC:
			err = ELF_ERR_DYNAMIC;
			break;
		default:
			err = ELF_OK; /* notes, GNU_STACK, ...: nothing to load */
			break;
		}
		if (err)
			return err;
	}
	if (plan.nsegments == 0)
		return ELF_ERR_NO_SEGMENTS;

	err = ELF_ERR_BAD_ENTRY;
	for (uint32_t i = 0; i < plan.nsegments; i++) {
		const struct elf_segment *s = &plan.segments[i];
		if ((s->flags & ELF_SEG_X) && h.e_entry >= s->vaddr &&
		    h.e_entry - s->vaddr < s->memsz)
			err = ELF_OK;
	}
	if (err)
		return err;
	plan.entry = h.e_entry;
	*out = plan;
	return ELF_OK;
}

void elf_tls_layout(const struct elf_tls *tls, struct elf_tls_layout *out)
{
	uint64_t image = 0;
	if (tls->present) {
		uint64_t a = tls->align ? tls->align : 1;
		image = (tls->memsz + a - 1) & ~(a - 1);
	}
	/* tp must be aligned to the TLS alignment (<= a page) and to 16 for
	 * the TCB: round the space below it up to 16 when the alignment is
	 * smaller; a larger alignment already makes `image` a multiple of 16. */
	uint64_t block = (image + 15) & ~15ull;
	out->data_offset = block - image;
	out->tp_offset = block;
	out->area_size = (block + ELF_TLS_TCB_SIZE + ELF_PAGE_SIZE - 1) & ~(ELF_PAGE_SIZE - 1);
}

const char *elf_error_name(int err)
{
	switch (err) {
	case ELF_OK: return "ok";
	case ELF_ERR_TRUNCATED: return "truncated (smaller than an ELF header)";
	case ELF_ERR_BAD_MAGIC: return "bad magic";
	case ELF_ERR_BAD_CLASS: return "not ELFCLASS64";
	case ELF_ERR_BAD_ENCODING: return "not little-endian";
	case ELF_ERR_BAD_VERSION: return "bad ELF version";
	case ELF_ERR_NOT_EXECUTABLE: return "not a static executable (ET_EXEC)";
	case ELF_ERR_BAD_MACHINE: return "not x86_64";
	case ELF_ERR_BAD_PHENTSIZE: return "bad program header size";
	case ELF_ERR_TOO_MANY_PHDRS: return "too many program headers";
	case ELF_ERR_PHDRS_OUTSIDE_FILE: return "program headers outside the file";
	case ELF_ERR_DYNAMIC: return "dynamic executable (PT_INTERP/PT_DYNAMIC)";
	case ELF_ERR_FILESZ_GT_MEMSZ: return "segment filesz > memsz";
	case ELF_ERR_SEGMENT_OUTSIDE_FILE: return "segment data outside the file";
	case ELF_ERR_SEGMENT_OUTSIDE_USER: return "segment outside the user image range";
	case ELF_ERR_WRITE_EXEC: return "segment both writable and executable";
	case ELF_ERR_SEGMENT_OVERLAP: return "segments share a page";
	case ELF_ERR_TOO_MANY_SEGMENTS: return "too many PT_LOAD segments";
	case ELF_ERR_IMAGE_TOO_BIG: return "image too big";
	case ELF_ERR_NO_SEGMENTS: return "no loadable segment";
	case ELF_ERR_BAD_ENTRY: return "entry point not in an executable segment";
	case ELF_ERR_BAD_TLS: return "bad PT_TLS";
	default: return "unknown ELF error";
	}
}
