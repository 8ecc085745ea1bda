/*
 * Boot package: several user programs in one boot module.
 *
 * TEMPORARY (issue #4): until init and the Cap'n Proto manifest exist
 * (issue #6), the kernel starts the programs it finds in its boot modules.
 * QEMU's -kernel boot (PVH) passes exactly one module (-initrd), so several
 * programs travel in one package built by tools/mkbootpkg.  A module that
 * is a plain ELF is one program; a module starting with CAPOS_BOOTPKG_MAGIC
 * is a package.  See docs/processes.md.
 *
 * Layout (little-endian): header, `count` entries, then the files, each at
 * an 8-byte aligned offset from the start of the package.
 */
#ifndef CAPOS_BOOTPKG_H
#define CAPOS_BOOTPKG_H

#include <stddef.h>
#include <stdint.h>

#define CAPOS_BOOTPKG_MAGIC   0x4b504243u /* "CBPK" */
#define CAPOS_BOOTPKG_VERSION 1u
#define CAPOS_BOOTPKG_MAX     32u
#define CAPOS_BOOTPKG_NAME_MAX 32u /* NUL-padded, at most 31 bytes */

struct capos_bootpkg_header {
	uint32_t magic;
	uint16_t version;
	uint16_t count;      /* entries, <= CAPOS_BOOTPKG_MAX */
	uint64_t total_size; /* bytes of the whole package     */
};

struct capos_bootpkg_entry {
	char name[CAPOS_BOOTPKG_NAME_MAX];
	uint64_t offset; /* from the package start, 8-byte aligned */
	uint64_t size;
};

_Static_assert(sizeof(struct capos_bootpkg_header) == 16, "bootpkg header");
_Static_assert(sizeof(struct capos_bootpkg_entry) == 48, "bootpkg entry");

/*
 * Validates the package at pkg (size bytes; need not be aligned) and copies
 * entry i into *out.  Returns 0, or -1 when the package or the entry is
 * malformed (bad magic/version, count too big, total_size != size, entry
 * outside the package, name not NUL-terminated).  Header-only so the
 * kernel and the tool share it.
 */
static inline int capos_bootpkg_entry_get(const void *pkg, uint64_t size, unsigned i,
                                          struct capos_bootpkg_entry *out)
{
	struct capos_bootpkg_header h;
	if (pkg == 0 || size < sizeof(h))
		return -1;
	__builtin_memcpy(&h, pkg, sizeof(h));
	if (h.magic != CAPOS_BOOTPKG_MAGIC || h.version != CAPOS_BOOTPKG_VERSION ||
	    h.count > CAPOS_BOOTPKG_MAX || h.total_size != size || i >= h.count)
		return -1;
	uint64_t table_end = sizeof(h) + (uint64_t)h.count * sizeof(*out);
	if (table_end > size)
		return -1;
	__builtin_memcpy(out, (const unsigned char *)pkg + sizeof(h) + i * sizeof(*out),
	                 sizeof(*out));
	if (out->name[CAPOS_BOOTPKG_NAME_MAX - 1] != 0 || out->name[0] == 0)
		return -1;
	if (out->offset < table_end || out->offset > size || out->size > size - out->offset ||
	    (out->offset & 7u) != 0)
		return -1;
	return 0;
}

static inline int capos_bootpkg_count(const void *pkg, uint64_t size)
{
	struct capos_bootpkg_header h;
	if (pkg == 0 || size < sizeof(h))
		return -1;
	__builtin_memcpy(&h, pkg, sizeof(h));
	if (h.magic != CAPOS_BOOTPKG_MAGIC || h.version != CAPOS_BOOTPKG_VERSION ||
	    h.count > CAPOS_BOOTPKG_MAX || h.total_size != size)
		return -1;
	return h.count;
}

#endif /* CAPOS_BOOTPKG_H */
