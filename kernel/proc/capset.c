/*
 * Bootstrap capabilities and the CapSet page.
 *
 * TEMPORARY (issue #4): every process gets the same boot set, BOOT_CAPS
 * below, until init and the manifest (issue #6) grant per-service sets.
 * The CapSet page (read-only, at CAPOS_CAPSET_VADDR) lists each granted
 * capability by name with its cap id and interface id, in grant order.
 */
#include <capos/abi.h>

#include "cap/registry.h"
#include "kstring.h"
#include "log.h"
#include "mem/vmm.h"
#include "proc_internal.h"
#include "user_memory.h"

static const char *const BOOT_CAPS[] = {"console"};
#define BOOT_CAP_COUNT (sizeof(BOOT_CAPS) / sizeof(BOOT_CAPS[0]))

_Static_assert(BOOT_CAP_COUNT <= CAPOS_CAPSET_MAX_ENTRIES, "CapSet page too small");

int proc_grant_boot_caps(struct process *p)
{
	/* Static: one CapSet page is built at a time (boot, single CPU). */
	static struct {
		struct capos_capset_header h;
		struct capos_capset_entry e[CAPOS_CAPSET_MAX_ENTRIES];
	} page;
	memset(&page, 0, sizeof(page));
	page.h.magic = CAPOS_CAPSET_MAGIC;
	page.h.version = CAPOS_CAPSET_VERSION;
	page.h.entry_size = sizeof(struct capos_capset_entry);

	for (unsigned i = 0; i < BOOT_CAP_COUNT; i++) {
		const struct kcap_type *t = kcap_type_by_name(BOOT_CAPS[i]);
		if (t == 0 || t->boot_object == 0)
			panic("capset: boot capability '%s' is not a kernel type", BOOT_CAPS[i]);
		uint32_t id;
		int err = kcap_grant(p, t, t->boot_object(), &id);
		if (err)
			return err;
		struct capos_capset_entry *e = &page.e[page.h.count++];
		kstrlcpy(e->name, BOOT_CAPS[i], sizeof(e->name));
		e->interface_id = t->interface_id;
		e->cap_id = id;
	}
	/* TEMPORARY boot endpoints (serve=, boot_services.c). */
	unsigned n = page.h.count;
	/* TEMPORARY memory caps (memcaps=, user_memory.c). */
	int merr = proc_boot_memory_grants(p, page.e, CAPOS_CAPSET_MAX_ENTRIES, &n);
	if (merr)
		return merr;
	int gerr = proc_boot_endpoint_grants(p, page.e, CAPOS_CAPSET_MAX_ENTRIES, &n);
	if (gerr)
		return gerr;
	page.h.count = (uint16_t)n;
	/* Read-only for the process: no VMM_WRITE, no VMM_EXEC. */
	int err = proc_map_region(p, CAPOS_CAPSET_VADDR, 1, 0);
	if (err)
		return err;
	return proc_poke(p, CAPOS_CAPSET_VADDR, &page, sizeof(page));
}
