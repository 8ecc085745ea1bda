/*
 * Static ELF64 executable validation: turns an untrusted image into a load
 * plan (segments with their permissions, entry point, TLS template) or a
 * specific error.  Nothing is mapped here; the kernel's loader follows the
 * plan and copies bytes out of the image, so the image need not be aligned.
 *
 * Accepted: ELFCLASS64, little-endian, ET_EXEC, EM_X86_64, no PT_INTERP or
 * PT_DYNAMIC, at most ELF_MAX_LOAD non-empty PT_LOAD segments lying wholly in
 * [user_min, user_end), none both writable and executable, no two touching
 * the same 4 KiB page (each page gets exactly one permission set), at most
 * one PT_TLS, and an entry point inside an executable segment.
 *
 * Freestanding; shared by the kernel and the host tests / fuzzer.
 */
#ifndef CAPOS_LIB_ELF64_H
#define CAPOS_LIB_ELF64_H

#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_PHDRS       64u           /* more program headers: absurd       */
#define ELF_MAX_LOAD        16u           /* non-empty PT_LOAD segments          */
#define ELF_MAX_IMAGE_BYTES (64ull << 20) /* sum of PT_LOAD memsz           */
#define ELF_MAX_TLS_BYTES   (64u << 10)   /* PT_TLS memsz                       */
#define ELF_PAGE_SIZE       4096ull

/* Segment permission bits (the ELF p_flags values). */
#define ELF_SEG_X 0x1u
#define ELF_SEG_W 0x2u
#define ELF_SEG_R 0x4u

enum elf_error {
	ELF_OK = 0,
	ELF_ERR_TRUNCATED = -1, /* smaller than the ELF header           */
	ELF_ERR_BAD_MAGIC = -2,
	ELF_ERR_BAD_CLASS = -3,    /* not ELFCLASS64                        */
	ELF_ERR_BAD_ENCODING = -4, /* not little-endian                     */
	ELF_ERR_BAD_VERSION = -5,
	ELF_ERR_NOT_EXECUTABLE = -6, /* e_type is not ET_EXEC                 */
	ELF_ERR_BAD_MACHINE = -7,    /* not x86_64                            */
	ELF_ERR_BAD_PHENTSIZE = -8,
	ELF_ERR_TOO_MANY_PHDRS = -9, /* e_phnum > ELF_MAX_PHDRS               */
	ELF_ERR_PHDRS_OUTSIDE_FILE = -10,
	ELF_ERR_DYNAMIC = -11, /* PT_INTERP / PT_DYNAMIC: not static    */
	ELF_ERR_FILESZ_GT_MEMSZ = -12,
	ELF_ERR_SEGMENT_OUTSIDE_FILE = -13, /* p_offset + p_filesz past the end */
	ELF_ERR_SEGMENT_OUTSIDE_USER = -14, /* below user_min, past user_end, or wraps */
	ELF_ERR_WRITE_EXEC = -15,           /* a segment both writable and executable */
	ELF_ERR_SEGMENT_OVERLAP = -16,      /* two segments share a page            */
	ELF_ERR_TOO_MANY_SEGMENTS = -17,    /* more than ELF_MAX_LOAD PT_LOAD     */
	ELF_ERR_IMAGE_TOO_BIG = -18,        /* sum of memsz > ELF_MAX_IMAGE_BYTES    */
	ELF_ERR_NO_SEGMENTS = -19,          /* no non-empty PT_LOAD                  */
	ELF_ERR_BAD_ENTRY = -20,            /* entry not in an executable segment    */
	ELF_ERR_BAD_TLS = -21,              /* two PT_TLS, bad align, outside file, too big */
};

struct elf_segment {
	uint64_t vaddr;  /* first byte (not necessarily page aligned)      */
	uint64_t memsz;  /* bytes in memory; [filesz, memsz) is zero        */
	uint64_t offset; /* file offset of the initialised bytes           */
	uint64_t filesz;
	uint32_t flags; /* ELF_SEG_R | ELF_SEG_W | ELF_SEG_X               */
};

struct elf_tls {
	int present;
	uint64_t offset; /* file offset of the .tdata template              */
	uint64_t filesz; /* .tdata bytes                                    */
	uint64_t memsz;  /* .tdata + .tbss bytes                            */
	uint64_t align;  /* power of two, 1 .. ELF_PAGE_SIZE                */
};

struct elf_plan {
	uint64_t entry;
	uint32_t nsegments;
	struct elf_segment segments[ELF_MAX_LOAD];
	struct elf_tls tls;
	uint64_t image_pages; /* distinct pages the segments cover          */
};

int elf_plan_parse(const void *image, size_t size, uint64_t user_min,
                   uint64_t user_end, struct elf_plan *out);
const char *elf_error_name(int err);

/*
 * x86_64 TLS variant II: the block sits right below the thread pointer and
 * %fs:0 holds the thread pointer itself.  For an area at a page-aligned
 * base: tp = base + tp_offset; the TLS image (align_up(memsz, align) bytes:
 * .tdata template then zeroed .tbss) ends at tp and starts at
 * base + data_offset (the linker addresses variables as negative offsets
 * from tp); ELF_TLS_TCB_SIZE bytes of TCB follow tp, %fs:0 = tp.  The TCB
 * is room for a C library's thread descriptor, built in place: musl's
 * struct pthread is 200 bytes on x86_64 (libc/musl/tls.c checks it fits).
 */
#define ELF_TLS_TCB_SIZE 256u
struct elf_tls_layout {
	uint64_t data_offset; /* template goes at base + data_offset        */
	uint64_t tp_offset;   /* thread pointer = base + tp_offset          */
	uint64_t area_size;   /* bytes to map, whole pages                  */
};
void elf_tls_layout(const struct elf_tls *tls, struct elf_tls_layout *out);

#endif /* CAPOS_LIB_ELF64_H */
