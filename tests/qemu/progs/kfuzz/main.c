/*
 * kfuzz: the in-guest randomized kernel fuzzer (docs/fuzzing.md).
 *
 * One binary, three roles, chosen by the caps it finds in its CapSet:
 *   boot    (holds "boot", a BootPackage: the manifest's init) reads
 *           kfuzz.* from the kernel command line, spawns the workers with
 *           a new endpoint each ("ctl"), sends each its configuration and
 *           a copy of every worker's client facet, fuzzes itself, then
 *           waits for the workers and exits 0 only if everyone passed;
 *   worker  (holds "ctl") receives its configuration, fuzzes, and ends
 *           with the end game (gen_ipc.c, op_endgame);
 *   idle    (neither: a child the fuzzer spawned at random) exits at once,
 *           after entering the kernel single-stepping if it holds a cap
 *           named "tf" (tf_probe).
 *
 * Every operation comes from one splitmix64 stream seeded by (seed,
 * worker index); what a process does next also depends on what came back
 * (caps, addresses) and the interleaving between processes is the
 * scheduler's, so a seed reproduces the same run, not always the same
 * trace (docs/fuzzing.md).  Oracles
 * (a violation prints "[kfuzz.N] FAIL check C op K: ..." and exits C):
 *   1 a CQE whose user_data matches no outstanding SQE, or a second one;
 *   2 a result outside the ABI's range or larger than the result buffer;
 *   3 a malformed SQE (one fault on a valid one) without its documented
 *     error, or a second RELEASE of an id that succeeded;
 *   4 success reported into a read-only, unmapped or kernel result buffer;
 *   5 a freshly mapped anonymous or MemoryObject page that is not zero;
 *   6 the CapSet page changed;
 *   7 a raw syscall returned a wrong value or changed a preserved register;
 *   8 freeFrame accepted a frame this process does not hold;
 *  10 the configuration exchange or a worker failed;
 *  11 a received call carries a badge nobody was granted;
 *  12 a call that failed had an effect (frames charged all the same).
 * The kernel's own shutdown check covers the rest: frames, slots,
 * endpoints and handles back to baseline (QEMU status 35 otherwise).
 *
 * Known kernel bugs can be left out (kfuzz.off=a,b on the command line):
 *   nt        RFLAGS.NT set before syscalls (ring 0 #GP on iretq)
 *   selfcopy  endpoint owner caps carried in CALLs (re-entrant drop)
 *   hugehint  VirtualMemory.map with a fixed hint and a huge size (hang)
 *   effect    a failed call's effect is not checked (frames charged after
 *             RESULT_TOO_SMALL/BAD_BUFFER)
 *
 * Run by: smokes kfuzz_*, make fuzz-kernel (tests/qemu/manifests/kfuzz.cue).
 */
#include "kfuzz.h"
#include "thread.capnp.h"

static void check_capset(void)
{
	const uint8_t *page = (const uint8_t *)CAPOS_CAPSET_VADDR;
	for (unsigned i = 0; i < P; i++)
		if (page[i] != kf_capset_copy[i])
			kf_fail(6, "CapSet page changed at offset %u", i);
}

static void fuzz(void)
{
	for (kf_op_no = 0; kf_op_no < kf_cfg.ops; kf_op_no++) {
		unsigned what = (unsigned)kf_pick(26);
		if (kf_cfg.trace)
			kf_print("op %lu: %u", (unsigned long)kf_op_no, what);
		switch (what) {
		case 0: op_garbage(); break;
		case 1:
		case 2: op_malformed(); break;
		case 3:
			if (kf_chance(4))
				op_corrupt();
			else if (kf_chance(3))
				op_effect();
			else if (kf_chance(4))
				op_flood();
			else if (kf_chance(4))
				op_late_unmap();
			break;
		case 4:
			if (kf_chance(3))
				op_watch();
			else
				op_console();
			break;
		case 5:
		case 6: op_frames(); break;
		case 7:
		case 8: op_vm(); break;
		case 9: op_memory_object(); break;
		case 10: op_boot(); break;
		case 11: op_spawn(); break;
		case 12: op_handle(); break;
		case 13:
		case 14: op_call(); break;
		case 15: op_recv(); break;
		case 16:
		case 17: op_return(); break;
		case 18:
			if (kf_chance(3))
				op_mint();
			else
				op_release();
			break;
		case 19: op_notify(); break;
		case 20: op_device(); break;
		case 21: op_timer(); break;
		case 22: op_entropy(); break;
		case 23:
			if (kf_chance(2))
				op_thread();
			else
				op_thread_join();
			break;
		case 24: op_park(); break;
		default: op_syscall(); break;
		}
		if (kf_chance(4))
			kf_enter(0, CAPOS_NO_WAIT);
		if (kf_op_no % 64 == 0)
			check_capset();
	}
	/* Collect what completes on its own; the rest is the kernel's to
	 * clean up at exit (blocked calls, receives, waits). */
	for (unsigned i = 0; i < 40 && kf_blocking(); i++)
		kf_enter(1, 5 * KF_MS);
	kf_enter(0, CAPOS_NO_WAIT);
	check_capset();
}

static uint32_t capset_id(const char *name, uint64_t iface)
{
	const struct capos_capset_entry *e = capos_capset_find(&capos_rt.capset, name, iface);
	return e ? e->cap_id : 0;
}

/* The configuration from the kernel command line (config.h). */
static void read_config(void)
{
	int slot = kf_slot(false);
	BUILD(capos_BootPackage_commandLine_Params, p);
	struct capos_sqe s =
		kf_call_sqe(slot, c_boot, capos_BootPackage_commandLine_METHOD, kf_finish(&b));
	kf_submit(slot, &s, K_SYNC, false);
	struct capos_cqe c;
	static char line[256];
	if (kf_wait(slot, &c) >= 0) {
		struct capnp_reader m;
		capnp_reader_init(&m, kf_rbuf[slot], (size_t)c.result);
		struct capnp_text t = capos_BootPackage_commandLine_Results_get_text(
			capos_BootPackage_commandLine_Results_read_root(&m));
		if (t.str && t.len < sizeof line)
			memcpy(line, t.str, t.len);
	}
	char err[96];
	if (kf_config_parse(line, &kf_cfg, err, sizeof err) != 0)
		kf_fail(10, "command line \"%s\": %s", line, err);
}

/*
 * Spawns worker i with console, allocators, spawner, a new "ctl", and a
 * facet of each earlier worker's ctl badged KF_BADGE + i + 1 (so the
 * receiver can tell who called).
 */
static int spawn_worker(unsigned i, const uint32_t *ctls, uint32_t *handle, uint32_t *ctl)
{
	int slot = kf_slot(false);
	BUILD(capos_ProcessSpawner_spawn_Params, p);
	char name[16];
	capos_snprintf(name, sizeof name, "kfuzz.%u", i + 1);
	capos_ProcessSpawner_spawn_Params_set_name(p, name, strlen(name));
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, "kfuzz", 5);
	static const char *const gn[] = {"console", "frames", "vm", "spawner", "ctl", "timer",
	                                 "entropy"};
	uint32_t ids[] = {c_console, c_frames, c_vm, c_spawner, 0, c_timer, c_entropy};
	/* timer and entropy are passed on only when this fuzzer holds them
	 * (kfuzz_devices' manifest grants neither). */
	unsigned n = 0;
	for (unsigned k = 0; k < 7; k++)
		n += k < 5 || ids[k] != 0;
	struct capnp_list_builder l = capos_ProcessSpawner_spawn_Params_init_grants(p, n + i);
	for (unsigned k = 0, at = 0; k < 7; k++) {
		if (k >= 5 && ids[k] == 0)
			continue;
		capos_CapGrant_builder g = capos_CapGrant_list_at(l, at++);
		capos_CapGrant_set_name(g, gn[k], strlen(gn[k]));
		capos_CapGrant_set_capId(g, ids[k]);
		capos_CapGrant_set_newEndpoint(g, k == 4);
		/* Even workers get a restricted spawner (badge 2: at most two
		 * live children), so its limit is fuzzed too. */
		if (k == 3 && i % 2 == 1)
			capos_CapGrant_set_badge(g, 2);
	}
	for (unsigned k = 0; k < i; k++) {
		capos_CapGrant_builder g = capos_CapGrant_list_at(l, n + k);
		char peer[16];
		capos_snprintf(peer, sizeof peer, "peer%u", k + 1);
		capos_CapGrant_set_name(g, peer, strlen(peer));
		capos_CapGrant_set_capId(g, ctls[k]);
		capos_CapGrant_set_badge(g, KF_BADGE + i + 1);
	}
	struct capos_sqe s =
		kf_call_sqe(slot, c_spawner, capos_ProcessSpawner_spawn_METHOD, kf_finish(&b));
	kf_submit(slot, &s, K_SYNC, false);
	struct capos_cqe c;
	if (kf_wait(slot, &c) < 0 || c.cap_count != 2)
		return -1;
	const struct capos_cap_record *r =
		(const void *)(kf_rbuf[slot] + capos_align8((uint32_t)c.result));
	*handle = r[0].cap_id;
	*ctl = r[1].cap_id;
	return 0;
}

static int boot_role(void)
{
	uint32_t handles[KF_WORKERS_MAX] = {0}, ctls[KF_WORKERS_MAX] = {0};
	read_config();
	capos_snprintf(kf_tag, sizeof kf_tag, "kfuzz");
	char off[48];
	kf_print("seed %lu ops %u workers %u off%s", (unsigned long)kf_cfg.seed, kf_cfg.ops,
	         kf_cfg.workers, kf_off_names(kf_cfg.off, off, sizeof off));
	for (unsigned i = 0; i < kf_cfg.workers; i++)
		if (spawn_worker(i, ctls, &handles[i], &ctls[i]) != 0)
			kf_fail(10, "spawning worker %u failed", i + 1);
	/* Each worker gets its configuration and every worker's client facet. */
	for (unsigned i = 0; i < kf_cfg.workers; i++) {
		int slot = kf_slot(false);
		struct kf_config wc = kf_cfg;
		wc.magic = KF_MAGIC;
		wc.index = i + 1;
		memcpy(kf_pbuf[slot], &wc, sizeof wc);
		struct capos_xfer_desc *d = (void *)(kf_pbuf[slot] + capos_align8(sizeof wc));
		for (unsigned k = 0; k < kf_cfg.workers; k++)
			d[k] = (struct capos_xfer_desc){.cap_id = ctls[k], .mode = CAPOS_XFER_COPY};
		struct capos_sqe s = kf_call_sqe(slot, ctls[i], 0, sizeof wc);
		s.xfer_cap_count = (uint8_t)kf_cfg.workers;
		kf_submit(slot, &s, K_SYNC, false);
		if (kf_wait(slot, 0) < 0)
			kf_fail(10, "configuring worker %u failed", i + 1);
	}
	/* The workers' handles stay out of the fuzz (a fuzz wait would make
	 * the final one fail as a second concurrent wait). */
	for (unsigned i = 0; i < kf_cfg.workers; i++)
		keep_add(ctls[i], capos_Endpoint_ID);
	kf_rng = kf_cfg.seed * 0x2545f4914f6cdd1dull;
	fuzz();
	unsigned failed = 0;
	for (unsigned i = 0; i < kf_cfg.workers; i++) {
		int slot = kf_slot(false);
		struct capos_sqe s = kf_call_sqe(slot, handles[i], capos_ProcessHandle_wait_METHOD, 0);
		BUILD(capos_ProcessHandle_wait_Params, p);
		s.len = (uint32_t)kf_finish(&b);
		kf_submit(slot, &s, K_SYNC, false);
		struct capos_cqe c;
		int64_t code = -1;
		if (kf_wait(slot, &c) >= 0) {
			struct capnp_reader m;
			capnp_reader_init(&m, kf_rbuf[slot], (size_t)c.result);
			code = capos_ProcessHandle_wait_Results_get_exitCode(
				capos_ProcessHandle_wait_Results_read_root(&m));
		}
		if (code != 0) {
			kf_print("worker kfuzz.%u exited with %ld", i + 1, (long)code);
			failed++;
		}
	}
	return failed ? 10 : 0;
}

/* One RECV on ctl; true if it was the configuration (else answered). */
static bool recv_config(int slot, struct capos_cqe *c)
{
	struct capos_sqe s = {
		.opcode = CAPOS_OP_RECV,
		.cap_id = c_ctl,
		.result_addr = (uint64_t)(uintptr_t)kf_rbuf[slot],
		.result_len = KF_BUF,
	};
	kf_submit(slot, &s, K_SYNC, false);
	int32_t r = kf_wait(slot, c);
	const struct capos_endpoint_message *h = (const void *)kf_rbuf[slot];
	if (r < 0)
		capos_exit(10);
	if ((uint32_t)r >= sizeof *h + sizeof kf_cfg && h->params_len == sizeof kf_cfg) {
		memcpy(&kf_cfg, kf_rbuf[slot] + sizeof *h, sizeof kf_cfg);
		if (kf_cfg.magic == KF_MAGIC)
			return true;
	}
	/* Another worker's fuzz call came first: answer it, drop its caps. */
	const struct capos_cap_record *rec =
		(const void *)(kf_rbuf[slot] + sizeof *h + capos_align8(h->params_len));
	for (uint32_t i = 0; i < c->cap_count && i < 8; i++)
		pool_add(rec[i].cap_id, rec[i].interface_id);
	s = (struct capos_sqe){.opcode = CAPOS_OP_RETURN, .cap_id = c_ctl, .call_id = h->call_id};
	kf_submit(slot, &s, K_SYNC, false);
	kf_wait(slot, 0);
	return false;
}

static int worker_role(void)
{
	/* The configuration call from the boot process. */
	int slot = kf_slot(false);
	struct capos_cqe c;
	for (unsigned tries = 0; !recv_config(slot, &c); tries++)
		if (tries > 1000)
			capos_exit(10);
	const struct capos_endpoint_message *h = (const void *)kf_rbuf[slot];
	struct capos_sqe s;
	const struct capos_cap_record *rec =
		(const void *)(kf_rbuf[slot] + sizeof *h + capos_align8(sizeof kf_cfg));
	for (uint32_t i = 0; i < c.cap_count && i < KF_WORKERS_MAX; i++)
		keep_add(rec[i].cap_id, rec[i].interface_id);
	uint32_t call_id = h->call_id;
	s = (struct capos_sqe){.opcode = CAPOS_OP_RETURN, .cap_id = c_ctl, .call_id = call_id};
	kf_submit(slot, &s, K_SYNC, false);
	kf_wait(slot, 0);
	capos_snprintf(kf_tag, sizeof kf_tag, "kfuzz.%u", kf_cfg.index);
	kf_rng = (kf_cfg.seed + kf_cfg.index) * 0x2545f4914f6cdd1dull;
	fuzz();
	op_endgame();
	return 0;
}

static bool has_cap(const char *name)
{
	for (unsigned i = 0; i < capos_rt.capset.count; i++)
		if (strcmp(capos_capset_at(&capos_rt.capset, i)->name, name) == 0)
			return true;
	return false;
}

/*
 * A child granted a cap named "tf" enters the kernel with RFLAGS.TF set:
 * the syscall must not single-step the kernel (FMASK clears TF), and the
 * debug trap that follows in user mode kills only this process.
 */
static _Noreturn void tf_probe(void)
{
	/* clang-format off */
	__asm__ volatile("pushfq\n\t"
	                 "orq $0x100, (%%rsp)\n\t"
	                 "popfq\n\t"
	                 "syscall\n\t"
	                 "nop\n\t"
	                 :
	                 : "a"((uint64_t)CAPOS_SYS_CAP_ENTER), "D"(0ull), "S"(0ull)
	                 : "rcx", "r11", "memory", "cc");
	/* clang-format on */
	capos_exit(0);
}

int main(void)
{
	c_console = capset_id("console", capos_Console_ID);
	c_frames = capset_id("frames", capos_FrameAllocator_ID);
	c_vm = capset_id("vm", capos_VirtualMemory_ID);
	c_boot = capset_id("boot", capos_BootPackage_ID);
	c_spawner = capset_id("spawner", capos_ProcessSpawner_ID);
	c_ctl = capset_id("ctl", capos_Endpoint_ID);
	c_timer = capset_id("timer", time_Timer_ID);
	c_entropy = capset_id("entropy", entropy_EntropySource_ID);
	c_terminal = capset_id("terminal", capos_Terminal_ID);
	c_monitor = capset_id("monitor", capos_SystemMonitor_ID);
	c_threads = capset_id("threads", thread_ThreadSpawner_ID);
	c_park = capset_id("park", thread_ParkSpace_ID);
	if (has_cap("tf"))
		tf_probe();
	if (c_console == 0 || (c_boot == 0 && c_ctl == 0))
		return 0; /* idle: a child the fuzzer spawned with random grants */
	for (unsigned i = 0; i < capos_rt.capset.count; i++) {
		const struct capos_capset_entry *e = capos_capset_at(&capos_rt.capset, i);
		keep_add(e->cap_id, e->interface_id);
	}
	memcpy(kf_capset_copy, (const void *)CAPOS_CAPSET_VADDR, P);
	capos_snprintf(kf_tag, sizeof kf_tag, "kfuzz");
	int rc = c_boot ? boot_role() : worker_role();
	if (rc == 0)
		kf_print("PASS: %lu ops, %lu SQEs, %lu CQEs (%lu errors, %lu exceptions), %lu syscalls, "
		         "%lu ring corruptions, %lu fresh maps checked, endpoint calls %lu answered "
		         "%lu received %lu returned",
		         (unsigned long)kf_cfg.ops, (unsigned long)kf_stats.sqes, (unsigned long)kf_stats.cqes,
		         (unsigned long)kf_stats.errors, (unsigned long)kf_stats.exceptions,
		         (unsigned long)kf_stats.syscalls, (unsigned long)kf_stats.corrupt,
		         (unsigned long)kf_stats.maps_checked, (unsigned long)kf_stats.calls_answered,
		         (unsigned long)kf_stats.calls_received, (unsigned long)kf_stats.returns);
	else
		kf_print("FAIL: %u workers failed (seed %lu)", rc, (unsigned long)kf_cfg.seed);
	return rc;
}
