/*
 * Boot through init (see manifest_boot.h).
 *
 * The manifest stays where the boot loader put it: the decoded view
 * (lib/manifest/decode.c) points into it, the BootPackage capability
 * serves its bytes to init, and ProcessSpawner finds binaries in it.
 * Nothing runs unless the whole manifest decodes and passes mf_validate,
 * the same checks mkmanifest ran on the host.
 */
#include "manifest_boot.h"

#include "arch/x86_64/qemu_exit.h"
#include "boot_info.h"
#include "cap/boot_package.h"
#include "cap/device_mmio.h"
#include "cap/dma_pool.h"
#include "cap/interrupt.h"
#include "cap/notification.h"
#include "cap/endpoint.h"
#include "cap/process_handle.h"
#include "cap/process_spawner.h"
#include "cap/registry.h"
#include "cap/park_space.h"
#include "cap/thread_handle.h"
#include "cap/timer.h"
#include "capos.capnp.h"
#include "dev/device_claim.h"
#include "dev/pci_bus.h"
#include "format.h"
#include "kstring.h"
#include "log.h"
#include "manifest/decode.h"
#include "manifest/manifest.h"
#include "mem/kpool.h"
#include "mem/pmm.h"
#include "mem/vmm.h"
#include "proc_internal.h"
#include "sched.h"

static struct mf_storage storage;
static struct mf_manifest manifest;
static uint32_t order[MF_MAX_SERVICES];
static struct spawn_grants init_grants;
static struct endpoint *init_eps[MF_MAX_CAPS];
static unsigned init_ep_count;

static bool is_elf(const uint8_t *d, uint64_t n)
{
	return n >= 4 && d[0] == 0x7f && d[1] == 'E' && d[2] == 'L' && d[3] == 'F';
}

/* The first module that is not an ELF and decodes as a manifest. */
static const struct boot_module *find_manifest(void)
{
	for (unsigned i = 0; i < boot_info.module_count; i++) {
		const struct boot_module *m = &boot_info.modules[i];
		const uint8_t *d = phys_to_virt(m->phys);
		if (is_elf(d, m->size)) {
			kprintf("boot: module '%s' (%lu bytes) is an ELF, not a manifest: "
			        "the kernel starts only init, from a manifest\n",
			        m->name, m->size);
			continue;
		}
		struct mf_decode_error err;
		if (mf_decode(d, m->size, &storage, &manifest, &err) == MF_DECODE_OK)
			return m;
		kprintf("boot: module '%s' (%lu bytes) is not a manifest: %s\n", m->name, m->size,
		        err.message);
	}
	return 0;
}

/* The kernel object behind a kernel cap source for init. */
static int init_cap_entry(const struct mf_cap *mc, const void *image, uint64_t size,
                          struct cap_entry *out)
{
	void *object = 0;
	enum kcap_kind kind = (enum kcap_kind)mf_kernel_cap_kind(mc->kernel);
	switch (kind) {
	case KCAP_PROCESS_SPAWNER:
		object = process_spawner_object(&manifest);
		break;
	case KCAP_BOOT_PACKAGE:
		object = boot_package_object(image, size);
		break;
	case KCAP_ENDPOINT: {
		struct endpoint *ep = endpoint_create("init");
		if (ep == 0)
			return CAPOS_ERR_NO_RESOURCES;
		init_eps[init_ep_count++] = ep;
		/* clang-format off */
		*out = (struct cap_entry){.object = ep, .interface_id = capos_Endpoint_ID,
		                          .type = KCAP_ENDPOINT, .badge = mc->badge};
		/* clang-format on */
		return CAPOS_OK;
	}
	case KCAP_NONE:
		return CAPOS_ERR_INVALID_ARGUMENT;
	default:
		break;
	}
	const struct kcap_type *t = kcap_type_of(kind);
	if (t == 0)
		return CAPOS_ERR_NOT_PERMITTED; /* this kernel has no such capability */
	if (object == 0 && t->boot_object)
		object = t->boot_object();
	if (object == 0)
		return CAPOS_ERR_NOT_PERMITTED;
	/* clang-format off */
	*out = (struct cap_entry){.object = object, .interface_id = kcap_info(t)->interface_id,
	                          .type = t->kind, .badge = mc->badge};
	/* clang-format on */
	return CAPOS_OK;
}

static _Noreturn void boot_fail(const char *what)
{
	kprintf("boot: manifest refused: %s; nothing started\n", what);
	qemu_exit(QEMU_EXIT_FAILURE);
	for (;;)
		__asm__ volatile("cli; hlt");
}

bool manifest_boot(void)
{
	if (boot_info.module_count == 0)
		return false;
	const struct boot_module *mod = find_manifest();
	if (mod == 0)
		boot_fail("no boot module is a manifest");
	const uint8_t *image = phys_to_virt(mod->phys);
	kprintf("boot: module '%s' is a manifest (%lu bytes): schema %u, %u binaries, %u services\n",
	        mod->name, mod->size, manifest.schema_version, manifest.binary_count,
	        manifest.service_count);
	struct mf_error verr;
	if (mf_validate(&manifest, order, &verr) != MF_OK)
		boot_fail(verr.message);
	int si = mf_find_binary(&manifest, mf_str_c(BOOT_PACKAGE_SCHEMA_ENTRY));
	if (si >= 0) {
		boot_package_set_schemas(manifest.binaries[si].data, manifest.binaries[si].size);
		kprintf("boot: schema information '%s': %lu bytes (BootPackage schema view)\n",
		        BOOT_PACKAGE_SCHEMA_ENTRY, manifest.binaries[si].size);
	}
	int bi = mf_find_binary(&manifest, manifest.init_binary);
	if (bi < 0)
		boot_fail("init binary missing"); /* mf_validate checked it */
	const struct mf_binary *bin = &manifest.binaries[bi];

	init_grants.count = 0;
	for (uint32_t i = 0; i < manifest.init_cap_count; i++) {
		const struct mf_cap *mc = &manifest.init_caps[i];
		struct spawn_grant *g = &init_grants.g[init_grants.count];
		memset(g, 0, sizeof(*g));
		memcpy(g->name, mc->name.ptr, mc->name.len); /* validated: <= 31 bytes */
		int err = init_cap_entry(mc, image, mod->size, &g->entry);
		if (err) {
			kprintf("boot: init cap '%s' (%s): not available in this kernel (%d); "
			        "init starts without it\n",
			        g->name, mf_kernel_cap_name(mc->kernel), err);
			continue;
		}
		kprintf("boot: init cap %u: '%s' = kernel %s%s\n", init_grants.count, g->name,
		        mf_kernel_cap_name(mc->kernel), mc->badge ? " (badged)" : "");
		init_grants.count++;
	}

	/* The table's first slots exist before the count starts; what it
	 * keeps when it grows is counted (process_table_frames). */
	if (!process_table_reserve())
		boot_fail("no memory for the process table");
	uint64_t table_start = process_table_frames();
	uint64_t pools_start = kpool_frames();
	uint64_t free_start = pmm_free_count();
	struct quota root;
	proc_quota_root(&root);
	struct process *init = process_create_granted("init", bin->data, bin->size, &root,
	                                              spawn_install_grants, &init_grants);
	for (unsigned i = 0; i < init_ep_count; i++)
		endpoint_boot_release(init_eps[i]);
	if (init == 0)
		boot_fail("init could not be created (see the proc: line above)");
	process_set_binary(init, bin->name.ptr, bin->name.len);
	static struct process_end init_end;
	init->end_report = &init_end;
	kprintf("boot: started init (pid %u, binary '%.*s', %u caps); the kernel starts nothing "
	        "else\n",
	        init->pid, (int)bin->name.len, bin->name.ptr, init_grants.count);
	sched_run();

	uint64_t table_kept = process_table_frames() - table_start;
	/* The pools' frames are counted as the table's: what they held at
	 * the start (the boot's endpoints) is given back with them. */
	kpool_trim_all(0);
	kpool_log_counts("all processes exited");
	uint64_t free_end = pmm_free_count() + table_kept + kpool_frames() - pools_start;
	if (table_kept)
		kprintf("boot: the process table grew to %u slots and keeps %lu frames for them\n",
		        process_slot_count(), table_kept);
	kprintf("boot: every process exited; free frames %lu before init, %lu after%s\n", free_start,
	        free_end, table_kept ? " (with the table's)" : "");
	process_spawner_log_counts();
	unsigned ipc_live = endpoint_log_counts("all processes exited");
	unsigned handles = process_handle_live() + thread_handle_live();
	unsigned sleeps = timer_cap_log_counts() + park_space_log_counts();
	bool ok = true;
	if (ipc_live != 0) {
		kprintf("boot: IPC accounting MISMATCH (%u objects live)\n", ipc_live);
		ok = false;
	}
	if (sleeps != 0) {
		kprintf("boot: timer accounting MISMATCH (%u sleeps and parks pending)\n", sleeps);
		ok = false;
	}
	if (handles != 0) {
		kprintf("boot: handle accounting MISMATCH (%u process and thread handles live)\n",
		        handles);
		ok = false;
	}
	unsigned devs = notification_live() + dev_claim_live() + device_mmio_live() +
	                dma_pool_live() + interrupt_live();
	if (devs != 0) {
		kprintf("boot: device accounting MISMATCH (%u notifications, %u device claims, %u "
		        "DeviceMmio, %u DMAPool, %u Interrupt live)\n",
		        notification_live(), dev_claim_live(), device_mmio_live(), dma_pool_live(),
		        interrupt_live());
		ok = false;
	}
	if (free_end != free_start || proc_leaked_frames() != 0) {
		kprintf("boot: frame accounting MISMATCH (%ld frames)\n",
		        (long)(free_start - free_end));
		ok = false;
	}
	if (!ok)
		qemu_exit(QEMU_EXIT_FAILURE);
	kprintf("boot: frame accounting OK, endpoints and handles back to 0\n");
	/* init's exit code is the system's verdict: non-zero when a service
	 * failed or could not be started (init's log says which). */
	if (!init_end.ended || init_end.killed || init_end.exit_code != 0) {
		if (init_end.killed)
			kprintf("capOS: done: init was killed; exiting QEMU (failure); why: %s\n",
			        init_end.kill_reason);
		else
			kprintf("capOS: done: init reported failure (exit code %d, see its log "
			        "above); exiting QEMU (failure)\n",
			        init_end.exit_code);
		qemu_exit(QEMU_EXIT_FAILURE);
	}
	kprintf("capOS: done: every service exited cleanly; exiting QEMU (success)\n");
	qemu_exit(QEMU_EXIT_SUCCESS);
	return true;
}
