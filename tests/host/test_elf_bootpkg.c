/* Boot package parsing (include/capos/bootpkg.h): the package that carries
 * the ELF images the kernel starts (temporary boot of services). */
#include <capos/bootpkg.h>
#include <criterion/criterion.h>
#include <string.h>

static unsigned char pkg[1024] __attribute__((aligned(8)));
static struct capos_bootpkg_header *h;
static struct capos_bootpkg_entry *e;

static void build(void)
{
	memset(pkg, 0, sizeof(pkg));
	h = (struct capos_bootpkg_header *)pkg;
	e = (struct capos_bootpkg_entry *)(pkg + sizeof(*h));
	*h = (struct capos_bootpkg_header){.magic = CAPOS_BOOTPKG_MAGIC,
	                                   .version = CAPOS_BOOTPKG_VERSION,
	                                   .count = 2,
	                                   .total_size = 256};
	strcpy(e[0].name, "hello");
	e[0].offset = 112;
	e[0].size = 100;
	strcpy(e[1].name, "world");
	e[1].offset = 216;
	e[1].size = 40;
}
TestSuite(bootpkg, .init = build);

Test(bootpkg, good_package)
{
	struct capos_bootpkg_entry out;
	cr_assert_eq(capos_bootpkg_count(pkg, 256), 2);
	cr_assert_eq(capos_bootpkg_entry_get(pkg, 256, 0, &out), 0);
	cr_assert_str_eq(out.name, "hello");
	cr_assert_eq(out.offset, 112u);
	cr_assert_eq(capos_bootpkg_entry_get(pkg, 256, 1, &out), 0);
	cr_assert_eq(out.size, 40u);
	cr_assert_eq(capos_bootpkg_entry_get(pkg, 256, 2, &out), -1, "index past count");
}

Test(bootpkg, header_checks)
{
	cr_assert_eq(capos_bootpkg_count(NULL, 256), -1);
	cr_assert_eq(capos_bootpkg_count(pkg, 8), -1, "shorter than a header");
	cr_assert_eq(capos_bootpkg_count(pkg, 255), -1, "size != total_size");
	h->magic ^= 1;
	cr_assert_eq(capos_bootpkg_count(pkg, 256), -1);
	build();
	h->version = 2;
	cr_assert_eq(capos_bootpkg_count(pkg, 256), -1);
	build();
	h->count = CAPOS_BOOTPKG_MAX + 1;
	cr_assert_eq(capos_bootpkg_count(pkg, 256), -1);
}

Test(bootpkg, entry_checks)
{
	struct capos_bootpkg_entry out;
	e[1].offset = 256 - 32;
	cr_assert_eq(capos_bootpkg_entry_get(pkg, 256, 1, &out), -1, "past the end");
	build();
	e[1].size = UINT64_MAX - 100; /* offset + size wraps */
	cr_assert_eq(capos_bootpkg_entry_get(pkg, 256, 1, &out), -1);
	build();
	e[0].offset = 16; /* inside the entry table */
	cr_assert_eq(capos_bootpkg_entry_get(pkg, 256, 0, &out), -1);
	build();
	e[0].offset = 113; /* unaligned */
	cr_assert_eq(capos_bootpkg_entry_get(pkg, 256, 0, &out), -1);
	build();
	memset(e[0].name, 'a', sizeof(e[0].name)); /* no NUL */
	cr_assert_eq(capos_bootpkg_entry_get(pkg, 256, 0, &out), -1);
	build();
	e[0].name[0] = 0; /* empty name */
	cr_assert_eq(capos_bootpkg_entry_get(pkg, 256, 0, &out), -1);
	build();
	h->count = 20; /* table past the package */
	h->total_size = 256;
	cr_assert_eq(capos_bootpkg_entry_get(pkg, 256, 0, &out), -1);
}
