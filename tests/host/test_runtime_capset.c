/*
 * CapSet bootstrap page parsing and lookup.
 */
#include <criterion/criterion.h>
#include <capos/capset.h>
#include <stdio.h>
#include <string.h>

static uint8_t page[CAPOS_PAGE_SIZE] __attribute__((aligned(4096)));

static struct capos_capset_header *hdr(void) { return (void *)page; }
static struct capos_capset_entry *ent(void) { return (void *)(page + sizeof(struct capos_capset_header)); }

static void add(const char *name, uint64_t iface, uint32_t cap_id)
{
	struct capos_capset_entry *e = &ent()[hdr()->count++];
	strncpy(e->name, name, sizeof(e->name));
	e->interface_id = iface;
	e->cap_id = cap_id;
}

static void setup(void)
{
	memset(page, 0, sizeof(page));
	hdr()->magic = CAPOS_CAPSET_MAGIC;
	hdr()->version = CAPOS_CAPSET_VERSION;
	hdr()->entry_size = sizeof(struct capos_capset_entry);
	strcpy(hdr()->process_name, "echo_client_2");
	add("console", 0xc86a45f046c44b68ull, 0);
	add("frames", 0xfc30316b97ae4f29ull, 1);
}

TestSuite(capset, .init = setup);

Test(capset, parses_and_finds_by_name_and_interface)
{
	struct capos_capset cs;
	cr_assert_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_OK);
	cr_expect_eq(cs.count, 2);
	const struct capos_capset_entry *e = capos_capset_find(&cs, "frames", 0xfc30316b97ae4f29ull);
	cr_assert_not_null(e);
	cr_expect_eq(e->cap_id, 1);
	cr_expect_str_eq(capos_capset_at(&cs, 0)->name, "console");
	cr_expect_null(capos_capset_at(&cs, 2));
}

Test(capset, process_name)
{
	struct capos_capset cs;
	cr_assert_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_OK);
	cr_expect_str_eq(cs.process_name, "echo_client_2");
	memset(hdr()->process_name, 0, sizeof(hdr()->process_name));
	cr_assert_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_OK, "a nameless process is fine");
	cr_expect_str_eq(cs.process_name, "");
	memset(hdr()->process_name, 'p', sizeof(hdr()->process_name)); /* no NUL */
	cr_expect_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_BAD_NAME);
	cr_expect_null(cs.process_name, "nothing usable after a failed parse");
}

Test(capset, wrong_interface_is_not_returned)
{
	struct capos_capset cs;
	cr_assert_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_OK);
	cr_expect_null(capos_capset_find(&cs, "console", 0xfc30316b97ae4f29ull));
	cr_expect_null(capos_capset_find(&cs, "missing", 0xc86a45f046c44b68ull));
	cr_expect_null(capos_capset_find(&cs, NULL, 0));
	cr_expect_eq(capos_capset_find_interface(&cs, 0xc86a45f046c44b68ull)->cap_id, 0);
	cr_expect_null(capos_capset_find_interface(&cs, 1234));
}

Test(capset, absent_page)
{
	struct capos_capset cs;
	cr_expect_eq(capos_capset_parse(&cs, NULL), CAPOS_CAPSET_ABSENT);
	cr_expect_eq(cs.count, 0);
	cr_expect_null(capos_capset_find(&cs, "console", 0xc86a45f046c44b68ull));
}

Test(capset, bad_header_fields)
{
	struct capos_capset cs;
	hdr()->magic = 0x12345678;
	cr_expect_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_BAD_MAGIC);
	cr_expect_eq(cs.count, 0, "nothing usable after a failed parse");
	setup();
	hdr()->version = 1; /* the header without a process name */
	cr_expect_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_BAD_VERSION);
	setup();
	hdr()->entry_size = 40;
	cr_expect_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_BAD_ENTRY_SIZE);
	setup();
	hdr()->count = CAPOS_CAPSET_MAX_ENTRIES + 1;
	cr_expect_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_TOO_MANY);
}

Test(capset, full_page_is_accepted)
{
	struct capos_capset cs;
	hdr()->count = 0;
	char name[16];
	for (unsigned i = 0; i < CAPOS_CAPSET_MAX_ENTRIES; i++) {
		snprintf(name, sizeof(name), "cap%u", i);
		add(name, i, i);
	}
	cr_expect_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_OK);
	cr_expect_eq(cs.count, CAPOS_CAPSET_MAX_ENTRIES);
	cr_expect_eq(capos_capset_find(&cs, "cap83", 83)->cap_id, 83);
}

Test(capset, bad_names)
{
	struct capos_capset cs;
	memset(ent()[1].name, 'x', CAPOS_CAP_NAME_MAX); /* no NUL */
	cr_expect_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_BAD_NAME);
	setup();
	ent()[1].name[0] = '\0';
	cr_expect_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_BAD_NAME);
	setup();
	add("console", 1, 9);
	cr_expect_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_DUPLICATE);
	cr_expect_str_eq(capos_capset_strerror(CAPOS_CAPSET_DUPLICATE), "duplicate entry name");
}

Test(capset, lookup_gives_a_typed_error)
{
	struct capos_capset cs;
	const struct capos_capset_entry *e = (void *)1;
	add("greeter", 0x9d2e1c7b3a4f5e61ull, 7); /* an endpoint that serves some interface */
	cr_assert_eq(capos_capset_parse(&cs, page), CAPOS_CAPSET_OK);
	cr_expect_eq(capos_capset_lookup(&cs, "greeter", 0x9d2e1c7b3a4f5e61ull, &e), 0);
	cr_assert_not_null(e);
	cr_expect_eq(e->cap_id, 7);
	/* the same name asked for as another interface (a plain Endpoint, Console) */
	cr_expect_eq(capos_capset_lookup(&cs, "greeter", 0xa60f5e8daf30b131ull, &e),
	             CAPOS_ERR_NOT_PERMITTED);
	cr_expect_null(e);
	cr_expect_eq(capos_capset_lookup(&cs, "greeter", 0xc86a45f046c44b68ull, &e),
	             CAPOS_ERR_NOT_PERMITTED);
	cr_expect_eq(capos_capset_lookup(&cs, "nosuch", 0x9d2e1c7b3a4f5e61ull, &e), CAPOS_ERR_BAD_CAP);
	cr_expect_eq(capos_capset_lookup(&cs, NULL, 0x9d2e1c7b3a4f5e61ull, &e), CAPOS_ERR_BAD_CAP);
	cr_expect_null(e);
}
