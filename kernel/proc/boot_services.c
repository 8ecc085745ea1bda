/*
 * TEMPORARY boot of services (issue #4).  Until init and the Cap'n Proto
 * manifest exist (issue #6, which replaces this file), the kernel itself
 * starts the user programs found in its boot modules: a module that is an
 * ELF is one program; a module that is a boot package
 * (include/capos/bootpkg.h, tools/mkbootpkg) holds several.  The kernel
 * command line `procs=a,b,c` picks which run and in what order.  See
 * docs/processes.md.
 *
 * Endpoints (TEMPORARY, until the manifest wires services): the command
 * line `serve=a,b` creates one endpoint per named program before any
 * process starts.  Program a gets the owner side in its CapSet as
 * "endpoint"; every other boot process gets a client facet named "a".
 * The boot code's own reference goes once all processes are created.
 *
 * When every process has exited, the free-frame count must be back to its
 * value before the first process was created: the run exits QEMU with
 * success only then.
 */
#include <capos/bootpkg.h>

#include "arch/x86_64/qemu_exit.h"
#include "boot_info.h"
#include "cap/endpoint.h"
#include "cap/registry.h"
#include "kstring.h"
#include "log.h"
#include "mem/pmm.h"
#include "mem/vmm.h"
#include "capos.capnp.h"
#include "proc_internal.h"
#include "manifest_boot.h"
#include "sched.h"

#define MAX_PROGRAMS 64

struct program {
	char name[CAPOS_BOOTPKG_NAME_MAX];
	const void *image;
	uint64_t size;
};

#define MAX_SERVED 8

static struct program programs[MAX_PROGRAMS];
static struct endpoint *served[MAX_SERVED];
static unsigned served_count;
static unsigned program_count;
static uint64_t leaked_frames;

void proc_note_leak(uint64_t frames) { leaked_frames += frames; }
uint64_t proc_leaked_frames(void) { return leaked_frames; }

static void add_program(const char *name, const void *image, uint64_t size)
{
	if (program_count == MAX_PROGRAMS) {
		kprintf("userspace: more than %u programs, '%s' ignored\n", MAX_PROGRAMS, name);
		return;
	}
	struct program *p = &programs[program_count++];
	kstrlcpy(p->name, name, sizeof(p->name));
	p->image = image;
	p->size = size;
}

static void scan_module(const struct boot_module *m)
{
	const uint8_t *data = phys_to_virt(m->phys);
	if (m->size >= 4 && data[0] == 0x7f && data[1] == 'E' && data[2] == 'L' && data[3] == 'F') {
		/* "hello.elf" runs as "hello", like its boot-package twin. */
		char name[CAPOS_BOOTPKG_NAME_MAX];
		kstrlcpy(name, m->name, sizeof(name));
		size_t n = strlen(name);
		if (n > 4 && strcmp(name + n - 4, ".elf") == 0)
			name[n - 4] = 0;
		add_program(name, data, m->size);
		return;
	}
	int count = capos_bootpkg_count(data, m->size);
	if (count < 0) {
		kprintf("userspace: module '%s' is neither an ELF nor a valid boot package; ignored\n",
		        m->name);
		return;
	}
	for (int i = 0; i < count; i++) {
		struct capos_bootpkg_entry e;
		if (capos_bootpkg_entry_get(data, m->size, (unsigned)i, &e) != 0) {
			kprintf("userspace: module '%s': entry %d malformed; ignored\n", m->name, i);
			continue;
		}
		add_program(e.name, data + e.offset, e.size);
	}
	kprintf("userspace: module '%s': boot package with %d programs\n", m->name, count);
}

static const struct program *find_program(const char *name)
{
	for (unsigned i = 0; i < program_count; i++)
		if (strcmp(programs[i].name, name) == 0)
			return &programs[i];
	return 0;
}

/* serve=a,b: one boot endpoint per name. */
static void create_boot_endpoints(void)
{
	char list[BOOT_CMDLINE_MAX];
	if (boot_arg("serve", list, sizeof list) == 0)
		return;
	char *s = list;
	while (*s) {
		char *comma = strchr(s, ',');
		if (comma)
			*comma = 0;
		if (*s && served_count == MAX_SERVED)
			kprintf("userspace: more than %u served endpoints, '%s' ignored\n", MAX_SERVED, s);
		else if (*s && strlen(s) >= CAPOS_CAP_NAME_MAX)
			kprintf("userspace: endpoint name '%s' too long, ignored\n", s);
		else if (*s && (served[served_count] = endpoint_create(s)) != 0)
			served_count++;
		if (!comma)
			break;
		s = comma + 1;
	}
}

int proc_boot_endpoint_grants(struct process *p, struct capos_capset_entry *entries, unsigned max,
                              unsigned *count)
{
	for (unsigned i = 0; i < served_count; i++) {
		bool owner = strcmp(p->name, endpoint_name(served[i])) == 0;
		if (*count == max)
			return CAPOS_ERR_NO_RESOURCES;
		uint32_t id;
		int err = endpoint_grant(p, served[i], owner, &id);
		if (err)
			return err;
		struct capos_capset_entry *e = &entries[(*count)++];
		memset(e, 0, sizeof(*e));
		kstrlcpy(e->name, owner ? "endpoint" : endpoint_name(served[i]), sizeof(e->name));
		e->interface_id = capos_Endpoint_ID;
		e->cap_id = id;
	}
	return CAPOS_OK;
}

/* Creates the processes named by procs=, or every program. */
static unsigned start_programs(void)
{
	char list[BOOT_CMDLINE_MAX];
	unsigned started = 0;
	if (boot_arg("procs", list, sizeof list) == 0) {
		for (unsigned i = 0; i < program_count; i++)
			started += process_create(programs[i].name, programs[i].image,
			                          programs[i].size) != 0;
		return started;
	}
	char *s = list;
	while (*s) {
		char *comma = strchr(s, ',');
		if (comma)
			*comma = 0;
		const struct program *prog = *s ? find_program(s) : 0;
		if (prog)
			started += process_create(prog->name, prog->image, prog->size) != 0;
		else if (*s)
			kprintf("userspace: no program '%s'\n", s);
		if (!comma)
			break;
		s = comma + 1;
	}
	return started;
}

void userspace_start(void)
{
	kcap_registry_init();
	if (manifest_boot())
		return; /* booted through init (never gets here) */
	for (unsigned i = 0; i < boot_info.module_count; i++)
		scan_module(&boot_info.modules[i]);
	kprintf("userspace: %u programs in %u boot modules (temporary kernel boot of services)\n",
	        program_count, boot_info.module_count);

	uint64_t free_start = pmm_free_count();
	create_boot_endpoints();
	unsigned started = start_programs();
	for (unsigned i = 0; i < served_count; i++)
		endpoint_boot_release(served[i]);
	if (started == 0) {
		kprintf("userspace: no process started\n");
		return;
	}
	kprintf("userspace: %u processes started\n", started);
	sched_run();

	uint64_t free_end = pmm_free_count();
	kprintf("userspace: all processes exited; free frames %lu before, %lu after\n", free_start,
	        free_end);
	unsigned ipc_live = endpoint_log_counts("all processes exited");
	if (ipc_live != 0) {
		kprintf("userspace: IPC accounting MISMATCH (%u objects live)\n", ipc_live);
		qemu_exit(QEMU_EXIT_FAILURE);
	}
	if (free_end != free_start || leaked_frames != 0) {
		kprintf("userspace: frame accounting MISMATCH (%ld frames)\n",
		        (long)(free_start - free_end));
		qemu_exit(QEMU_EXIT_FAILURE);
	}
	kprintf("userspace: frame accounting OK\n");
	qemu_exit(QEMU_EXIT_SUCCESS);
}
