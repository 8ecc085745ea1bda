/*
 * SystemMonitor capability: read-only views of processes and memory
 * (schema/capos.capnp SystemMonitor, docs/terminal.md "SystemMonitor").
 *
 * The scope is the capability's badge, so a narrowed monitor needs no
 * object of its own: badge 0 sees every process; badge N sees the live
 * children of pid N (ProcessSpawner records the parent).  forChildren
 * returns a monitor badged with the caller's pid; a spawn cannot change a
 * badge once set (process_spawner.c), so a narrowed monitor stays narrow.
 * Nothing here returns a capability to what it shows.
 */
#include <capos/abi.h>

#include "cap/endpoint.h"
#include "cap/notification.h"
#include "cap/process_handle.h"
#include "cap/timer.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "kstring.h"
#include "log.h"
#include "mem/pmm.h"
#include "mem/kpool.h"
#include "mem/user_memory.h"
#include "proc/process.h"
#include "registry.h"

/* One entry: the struct, its name (at most 31 bytes + NUL) and state
 * text (at most 8 + NUL), each padded to words. */
#define MON_ENTRY_BYTES \
	(8u * (capos_ProcessInfo_DATA_WORDS + capos_ProcessInfo_PTR_COUNT) + PROC_NAME_MAX + 16u)
/* One reply lists at most this many (the reply buffer is bounded; the
 * process table is not): the rest are counted in `hidden`. */
#define MON_SHOWN_MAX 64u
#define MON_PROCESSES_BYTES \
	(KCALL_FLAT(capos_SystemMonitor_processes_Results) + 8u + MON_SHOWN_MAX * MON_ENTRY_BYTES)

static struct monitor {
	int unused;
} the_monitor;

static void *monitor_boot_object(void) { return &the_monitor; }

static const struct kcall_method monitor_methods[] = {
	/* clang-format off */
	{capos_SystemMonitor_processes_METHOD, "processes", {MON_PROCESSES_BYTES, 0}},
	{capos_SystemMonitor_memory_METHOD, "memory",
	 {KCALL_FLAT(capos_SystemMonitor_memory_Results), 0}},
	{capos_SystemMonitor_forChildren_METHOD, "forChildren",
	 {KCALL_FLAT(capos_SystemMonitor_forChildren_Results), 1}},
};
/* clang-format on */

/* No method takes arguments. */
static int monitor_decode(void *object, struct kcap_call *c)
{
	(void)object;
	(void)c;
	return CAPOS_OK;
}

static bool in_scope(const struct process *p, uint64_t badge)
{
	return badge == 0 || p->parent_pid == badge;
}

static const char *state_name(enum proc_state s)
{
	switch (s) {
	case PROC_RUNNING:
		return "running";
	case PROC_RUNNABLE:
		return "runnable";
	case PROC_BLOCKED:
		return "blocked";
	default:
		return "exiting";
	}
}

static void fill_entry(capos_ProcessInfo_builder e, struct process *p)
{
	struct umem_query q;
	umem_frame_query(p, &q);
	capos_ProcessInfo_set_pid(e, p->pid);
	capos_ProcessInfo_set_name(e, p->name, strlen(p->name));
	const char *st = state_name(p->state);
	capos_ProcessInfo_set_state(e, st, strlen(st));
	capos_ProcessInfo_set_frames(e, p->frames_at_create + q.held_frames);
	capos_ProcessInfo_set_caps(e, cap_table_count(proc_caps(p)));
	capos_ProcessInfo_set_slices(e, p->slices);
	capos_ProcessInfo_set_syscalls(e, p->syscalls);
}

static int build_processes(struct kcap_call *c)
{
	struct process *shown[MON_SHOWN_MAX];
	uint32_t n = 0, hidden = 0;
	for (unsigned i = 0; i < process_slot_count(); i++) {
		struct process *p = process_slot(i);
		if (p->state == PROC_FREE)
			continue;
		if (in_scope(p, c->badge) && n < MON_SHOWN_MAX)
			shown[n++] = p;
		else
			hidden++;
	}
	struct capnp_builder b;
	kcap_result_begin(c, &b);
	capos_SystemMonitor_processes_Results_builder r =
		capos_SystemMonitor_processes_Results_init_root(&b);
	struct capnp_list_builder l = capos_SystemMonitor_processes_Results_init_processes(r, n);
	for (uint32_t i = 0; i < n; i++)
		fill_entry(capos_ProcessInfo_list_at(l, i), shown[i]);
	capos_SystemMonitor_processes_Results_set_hidden(r, hidden);
	return kcap_result_end(c, &b);
}

static int build_memory(struct kcap_call *c)
{
	struct capnp_builder b;
	kcap_result_begin(c, &b);
	capos_SystemMonitor_memory_Results_builder r = capos_SystemMonitor_memory_Results_init_root(&b);
	capos_SystemMonitor_memory_Results_set_framesFree(r, pmm_free_count());
	capos_SystemMonitor_memory_Results_set_framesTotal(r, pmm_total_count());
	capos_SystemMonitor_memory_Results_set_endpointsLive(r, endpoint_live_count());
	capos_SystemMonitor_memory_Results_set_processesLive(r, process_live_count());
	struct kpool_totals t;
	kpool_totals(&t);
	capos_SystemMonitor_memory_Results_set_poolFrames(r, t.frames);
	capos_SystemMonitor_memory_Results_set_notificationsLive(r, notification_live());
	capos_SystemMonitor_memory_Results_set_processHandlesLive(r, process_handle_live());
	capos_SystemMonitor_memory_Results_set_timerSleepsPending(r, timer_sleeps_pending());
	capos_SystemMonitor_memory_Results_set_poolRefusals(r, t.refused);
	return kcap_result_end(c, &b);
}

static int build_for_children(struct kcap_call *c)
{
	struct capnp_builder b;
	kcap_result_begin(c, &b);
	capos_SystemMonitor_forChildren_Results_builder r =
		capos_SystemMonitor_forChildren_Results_init_root(&b);
	capos_SystemMonitor_forChildren_Results_set_monitor(r, 0);
	int err = kcap_result_end(c, &b);
	if (err != CAPOS_OK)
		return err;
	c->caps[c->cap_count++] = (struct cap_entry){
		.object = &the_monitor,
		.interface_id = capos_SystemMonitor_ID,
		.type = KCAP_SYSTEM_MONITOR,
		.badge = c->caller->pid,
	};
	kprintf("monitor: pid %u '%s' narrowed a monitor to its children\n", c->caller->pid,
	        c->caller->name);
	return CAPOS_OK;
}

static int monitor_perform(void *object, struct kcap_call *c)
{
	(void)object;
	switch (c->method_id) {
	case capos_SystemMonitor_processes_METHOD:
		return build_processes(c);
	case capos_SystemMonitor_memory_METHOD:
		return build_memory(c);
	default:
		return build_for_children(c);
	}
}

const struct kcap_type kcap_system_monitor_type = {
	.kind = KCAP_SYSTEM_MONITOR,
	KCAP_METHODS(monitor_methods),
	.decode = monitor_decode,
	.perform = monitor_perform,
	.drop = 0, /* static object: the scope is the badge */
	.transferable = true,
	.retain = 0,
	.boot_object = monitor_boot_object,
};
