/*
 * capset smoke: the CapSet bootstrap page is mapped read-only at the fixed
 * address, is well formed, and its entries can be found by name and
 * interface id (and not with the wrong interface id).
 *
 * Run by: smokes init_basic, proc_capset (tests/qemu/manifests/NAME.cue);
 * selftests.cue (smoke
 * boot_selftests).
 */
#include "demo.h"
#include "capos.capnp.h"

int main(void)
{
	const struct capos_capset *cs = &capos_rt.capset;
	DEMO_CHECK("capset", capos_rt.capset_addr == (const void *)CAPOS_CAPSET_VADDR,
	           "page at %p\n", capos_rt.capset_addr);
	DEMO_CHECK("capset", capos_rt.capset_status == CAPOS_CAPSET_OK, "page parsed: %s\n",
	           capos_capset_strerror(capos_rt.capset_status));
	DEMO_CHECK("capset", cs->count >= 1, "%u entries\n", cs->count);
	for (uint32_t i = 0; i < cs->count; i++) {
		const struct capos_capset_entry *e = capos_capset_at(cs, i);
		capos_printf("[capset] entry %u: name=%s interface=%#llx cap_id=%u\n", i, e->name,
		             (unsigned long long)e->interface_id, e->cap_id);
	}
	const struct capos_capset_entry *con = capos_capset_find(cs, "console", capos_Console_ID);
	DEMO_CHECK("capset", con != NULL, "found 'console' with interface Console\n");
	DEMO_CHECK("capset", capos_capset_find(cs, "console", capos_FrameAllocator_ID) == NULL,
	           "'console' is not returned for interface FrameAllocator\n");
	DEMO_CHECK("capset", capos_capset_find(cs, "no-such-cap", capos_Console_ID) == NULL,
	           "unknown name not found\n");

	/* The typed client accepts the entry and the cap works. */
	struct capos_console c;
	int err = capos_console_open(&c, &capos_rt_ring, cs, "console");
	DEMO_CHECK("capset", err == 0, "console opened from the CapSet (%s)\n", capos_strerror(err));
	if (err == 0)
		DEMO_CHECK("capset", capos_console_write_line(&c, "[capset] hello via the CapSet console", NULL) == 0,
		           "writeLine through the opened console\n");
	return demo_finish("capset");
}
