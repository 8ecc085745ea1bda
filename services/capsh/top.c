/*
 * capsh's `top [N]`: N snapshots (default 5, at most 100) of what the
 * shell's SystemMonitor shows, a second apart, with the CPU slices and
 * syscalls each process used since the snapshot before.  Any key stops
 * it early (the key is not kept).  Each snapshot is one SystemMonitor
 * memory and processes call: the monitor shows, it grants nothing.
 */
#include "shell.h"

#define TOP_DEFAULT   5u
#define TOP_MAX       100u
#define TOP_PERIOD_NS 1000000000ull
#define TOP_PROCS     64u /* SystemMonitor.processes answers at most 64 */

struct seen {
	uint32_t pid;
	uint64_t slices, syscalls;
};
static struct seen before[TOP_PROCS], now[TOP_PROCS];
static uint32_t before_n, now_n;

static const struct seen *seen_before(uint32_t pid)
{
	for (uint32_t i = 0; i < before_n; i++)
		if (before[i].pid == pid)
			return &before[i];
	return 0;
}

static int header(uint32_t mon, uint32_t i, uint32_t n)
{
	uint64_t result[16];
	struct capos_reply reply;
	struct capos_call_error err;
	if (sh_call0(mon, capos_SystemMonitor_memory_METHOD, result, sizeof result, &reply, &err) <
	    0) {
		sh_error("SystemMonitor.memory", &err);
		return -1;
	}
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	capos_SystemMonitor_memory_Results_reader r = capos_SystemMonitor_memory_Results_read_root(&m);
	sh_printf("top %u/%u: frames %lu free of %lu, %u processes, %u endpoints live\n", i, n,
	          (unsigned long)capos_SystemMonitor_memory_Results_get_framesFree(r),
	          (unsigned long)capos_SystemMonitor_memory_Results_get_framesTotal(r),
	          capos_SystemMonitor_memory_Results_get_processesLive(r),
	          capos_SystemMonitor_memory_Results_get_endpointsLive(r));
	return 0;
}

static int snapshot(uint32_t mon)
{
	static uint64_t result[1024];
	struct capos_reply reply;
	struct capos_call_error err;
	if (sh_call0(mon, capos_SystemMonitor_processes_METHOD, result, sizeof result, &reply,
	             &err) < 0) {
		sh_error("SystemMonitor.processes", &err);
		return -1;
	}
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	capos_SystemMonitor_processes_Results_reader r =
		capos_SystemMonitor_processes_Results_read_root(&m);
	struct capnp_list l = capos_SystemMonitor_processes_Results_get_processes(r);
	sh_printf("%5s %-16s %-9s %7s %5s %8s %7s %9s %7s\n", "PID", "NAME", "STATE", "FRAMES",
	          "CAPS", "SLICES", "+SLICES", "SYSCALLS", "+CALLS");
	now_n = 0;
	for (uint32_t i = 0; i < l.len && i < TOP_PROCS; i++) {
		capos_ProcessInfo_reader e = capos_ProcessInfo_list_get(l, i);
		struct capnp_text name = capos_ProcessInfo_get_name(e);
		struct capnp_text st = capos_ProcessInfo_get_state(e);
		uint32_t pid = capos_ProcessInfo_get_pid(e);
		uint64_t sl = capos_ProcessInfo_get_slices(e), sc = capos_ProcessInfo_get_syscalls(e);
		const struct seen *b = seen_before(pid);
		now[now_n++] = (struct seen){pid, sl, sc};
		sh_printf("%5u %-16.*s %-9.*s %7lu %5u %8lu %7lu %9lu %7lu\n", pid,
		          (int)(name.len > 16 ? 16 : name.len), name.str,
		          (int)(st.len > 9 ? 9 : st.len), st.str,
		          (unsigned long)capos_ProcessInfo_get_frames(e), capos_ProcessInfo_get_caps(e),
		          (unsigned long)sl, (unsigned long)(b && sl >= b->slices ? sl - b->slices : sl),
		          (unsigned long)sc,
		          (unsigned long)(b && sc >= b->syscalls ? sc - b->syscalls : sc));
	}
	uint32_t hidden = capos_SystemMonitor_processes_Results_get_hidden(r);
	if (hidden)
		sh_printf("(%u more outside this monitor's scope)\n", hidden);
	if (capnp_reader_error(&m) != CAPNP_OK)
		sh_printf("capsh: top: the answer did not decode\n");
	memcpy(before, now, sizeof now[0] * now_n);
	before_n = now_n;
	return 0;
}

int sh_cmd_top(int argc, char **argv)
{
	uint32_t n = TOP_DEFAULT;
	if (argc > 2 || (argc == 2 && (sh_parse_u32(argv[1], &n) < 0 || n == 0 || n > TOP_MAX))) {
		sh_printf("usage: top [N]   (N snapshots, 1..%u, default %u)\n", TOP_MAX, TOP_DEFAULT);
		return 0;
	}
	const struct capos_capset_entry *mon =
		capos_capset_find(&capos_rt.capset, "monitor", capos_SystemMonitor_ID);
	if (mon == 0) {
		sh_printf("capsh: top needs a SystemMonitor 'monitor', which this shell does not "
		          "hold\n");
		return 0;
	}
	before_n = 0;
	for (uint32_t i = 1; i <= n; i++) {
		if (header(mon->cap_id, i, n) < 0 || snapshot(mon->cap_id) < 0)
			return 0;
		if (i == n)
			break;
		uint8_t key;
		int got = sh_read(&key, 1, TOP_PERIOD_NS);
		if (got < 0)
			return 0;
		if (got > 0) {
			sh_printf("top: stopped by a key\n");
			return 0;
		}
	}
	return 0;
}
