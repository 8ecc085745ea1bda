/*
 * kfuzz: every kernel capability method with adversarial values and,
 * sometimes, lying params (Console, FrameAllocator, MemoryObject,
 * VirtualMemory, BootPackage, ProcessSpawner, ProcessHandle, Timer,
 * EntropySource, Terminal, SystemMonitor), and the
 * check-before-effect probe.
 */
#include "kfuzz.h"

void op_console(void)
{
	int slot = kf_slot(false);
	size_t len;
	uint16_t m = (uint16_t)kf_pick(3);
	/* Text is printable and ends the line, so a lie prints no control
	 * bytes that could glue onto the kernel's next log line. */
	if (m == capos_Console_write_METHOD) {
		BUILD(capos_Console_write_Params, p);
		capos_Console_write_Params_set_data(p, "~\n", 2);
		len = kf_finish(&b);
	} else {
		BUILD(capos_Console_writeLine_Params, p);
		capos_Console_writeLine_Params_set_text(p, "~", 1);
		len = kf_finish(&b);
	}
	uint64_t *w = (uint64_t *)kf_pbuf[slot];
	if (len >= 16 && kf_chance(4)) /* lie in the pointers only */
		w[1 + kf_pick(2) % (len / 8 - 1)] ^= 1ull << kf_pick(64);
	struct capos_sqe s = kf_call_sqe(slot, kf_chance(8) ? any_cap() : c_console, m, len);
	kf_submit(slot, &s, result_choice(&s), false);
}

void op_frames(void)
{
	int slot = kf_slot(false);
	uint16_t m = (uint16_t)kf_pick(6);
	size_t len;
	uint8_t kind = K_ANY;
	uint64_t arg = 0;
	switch (m) {
	case capos_FrameAllocator_freeFrame_METHOD: {
		BUILD(capos_FrameAllocator_freeFrame_Params, p);
		if (kf_nheld && kf_chance(2))
			arg = kf_held[kf_pick(kf_nheld)];
		else
			arg = kf_chance(2) ? kf_recent[kf_pick(16)] : any_addr();
		capos_FrameAllocator_freeFrame_Params_set_physAddr(p, arg);
		len = kf_finish(&b);
		kind = K_FREE;
		break;
	}
	case capos_FrameAllocator_allocContiguous_METHOD: {
		BUILD(capos_FrameAllocator_allocContiguous_Params, p);
		arg = kf_chance(3) ? (uint32_t)kf_rand() : kf_pick(9);
		capos_FrameAllocator_allocContiguous_Params_set_count(p, (uint32_t)arg);
		len = kf_finish(&b);
		kind = K_FRAME;
		break;
	}
	case capos_FrameAllocator_allocMemory_METHOD: {
		BUILD(capos_FrameAllocator_allocMemory_Params, p);
		capos_FrameAllocator_allocMemory_Params_set_pages(p, kf_chance(4) ? (uint32_t)kf_rand()
		                                                                  : (uint32_t)kf_pick(5));
		len = kf_finish(&b);
		kind = K_CAPS;
		break;
	}
	default: { /* allocFrame, query, unknown: no params */
		BUILD(capos_FrameAllocator_query_Params, p);
		len = kf_finish(&b);
		if (m == capos_FrameAllocator_allocFrame_METHOD) {
			kind = K_FRAME;
			arg = 1;
		}
		break;
	}
	}
	/* Allocations are never lied to: a frame we did not see handed out
	 * would make the freeFrame check wrong. */
	bool alloc = kind == K_FRAME || kind == K_CAPS;
	bool lied = !alloc && lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, c_frames, m, len);
	/* Allocations always get a result buffer that fits (op_effect
	 * tries the others, one at a time, and measures the ledger). */
	uint8_t rk = alloc ? K_ANY : result_choice(&s);
	if (rk == K_BADBUF)
		kind = K_BADBUF;
	else if (lied)
		kind = K_ANY;
	kf_submit(slot, &s, kind, false);
	kf_ops[slot].arg = arg;
}

void op_vm(void)
{
	int slot = kf_slot(false);
	uint16_t m = (uint16_t)kf_pick(4);
	size_t len;
	uint8_t kind = K_ANY;
	uint32_t prot = any_prot();
	uint64_t size = kf_chance(4) ? any_size() : (1 + kf_pick(8)) * P;
	switch (m) {
	case capos_VirtualMemory_map_METHOD: {
		BUILD(capos_VirtualMemory_map_Params, p);
		uint64_t hint = kf_chance(3) ? any_addr() : 0;
		if (hint && kf_chance(8)) { /* exactly to the end of the window */
			hint &= ~(uint64_t)(P - 1);
			size = CAPOS_RING_VADDR - hint;
		}
		if (hint && (kf_cfg.off & OFF_HUGEHINT) && size > (1u << 20))
			size = (1 + kf_pick(4)) * P;
		if (!hint && kf_chance(8)) { /* memory pressure: 1-16 MiB, unmapped later */
			size = (1 + kf_pick(16)) << 20;
			prot = 3;
		}
		capos_VirtualMemory_map_Params_set_hint(p, hint);
		capos_VirtualMemory_map_Params_set_size(p, size);
		capos_VirtualMemory_map_Params_set_prot(p, prot);
		len = kf_finish(&b);
		kind = K_VMMAP;
		break;
	}
	case capos_VirtualMemory_unmap_METHOD: {
		BUILD(capos_VirtualMemory_unmap_Params, p);
		const struct kf_map *mp = &kf_maps[kf_pick(16)];
		bool whole = mp->size && kf_chance(2); /* a whole mapping we made */
		/* clang-format off */
		capos_VirtualMemory_unmap_Params_set_addr(
			p, whole ? mp->addr : kf_chance(2) ? kf_recent[kf_pick(16)] : any_addr());
		/* clang-format on */
		if (!whole && kf_chance(4)) /* a device mapping: its owner is told */
			capos_VirtualMemory_unmap_Params_set_addr(p, kf_devmaps[kf_pick(8)]);
		capos_VirtualMemory_unmap_Params_set_size(p, whole ? mp->size : size);
		len = kf_finish(&b);
		break;
	}
	default: {
		BUILD(capos_VirtualMemory_protect_Params, p);
		const struct kf_map *mp = &kf_maps[kf_pick(16)];
		bool whole = mp->size && kf_chance(2);
		/* clang-format off */
		capos_VirtualMemory_protect_Params_set_addr(
			p, whole ? mp->addr : kf_chance(2) ? kf_recent[kf_pick(16)] : any_addr());
		/* clang-format on */
		capos_VirtualMemory_protect_Params_set_size(p, whole ? mp->size : size);
		capos_VirtualMemory_protect_Params_set_prot(p, prot);
		len = kf_finish(&b);
		break;
	}
	}
	bool lied = lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, kf_chance(16) ? any_cap() : c_vm, m, len);
	uint8_t rk = result_choice(&s);
	if (rk == K_BADBUF || lied || s.cap_id != c_vm)
		kind = rk;
	/* A map is checked before anything else can touch its pages. */
	kf_submit(slot, &s, kind == K_VMMAP ? K_SYNC : kind, false);
	kf_ops[slot].arg = prot;
	kf_ops[slot].arg2 = size;
	if (kind == K_VMMAP) {
		struct capos_cqe c;
		kf_wait(slot, &c);
		/* clang-format off */
		kf_ops[slot] = (struct kf_op){.kind = K_VMMAP, .opcode = CAPOS_OP_CALL, .arg = prot,
		                              .arg2 = size, .cqe = c};
		/* clang-format on */
		kf_check(&kf_ops[slot], (unsigned)slot);
	}
}

void op_memory_object(void)
{
	int slot = kf_slot(false);
	uint16_t m = (uint16_t)kf_pick(4);
	size_t len;
	uint32_t prot = any_prot();
	uint32_t cap = cap_of(capos_MemoryObject_ID);
	switch (m) {
	case capos_MemoryObject_map_METHOD: {
		BUILD(capos_MemoryObject_map_Params, p);
		capos_MemoryObject_map_Params_set_hint(p, kf_chance(2) ? 0 : any_addr());
		capos_MemoryObject_map_Params_set_prot(p, prot);
		len = kf_finish(&b);
		break;
	}
	case capos_MemoryObject_unmap_METHOD: {
		BUILD(capos_MemoryObject_unmap_Params, p);
		capos_MemoryObject_unmap_Params_set_addr(p, kf_chance(2) ? kf_recent[kf_pick(16)] : any_addr());
		len = kf_finish(&b);
		break;
	}
	default: {
		BUILD(capos_MemoryObject_info_Params, p);
		len = kf_finish(&b);
		break;
	}
	}
	bool lied = lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, cap, m, len);
	uint8_t rk = result_choice(&s);
	/* Waited for only when it is a MemoryObject: a call to an endpoint
	 * (our own, say) would wait for a RECV that cannot come. */
	bool map = m == capos_MemoryObject_map_METHOD && rk == K_ANY && !lied &&
	           pool_has(cap, capos_MemoryObject_ID);
	kf_submit(slot, &s, map ? K_SYNC : rk, false);
	if (map) {
		/* Nobody ever writes MemoryObject pages, so every map of one
		 * reads zero (its first page: the only one known to exist). */
		struct capos_cqe c;
		kf_wait(slot, &c);
		/* clang-format off */
		kf_ops[slot] = (struct kf_op){.kind = K_MOMAP, .opcode = CAPOS_OP_CALL, .arg = prot,
		                              .arg2 = P, .cqe = c};
		/* clang-format on */
		kf_check(&kf_ops[slot], (unsigned)slot);
	}
}

/* The caller's charged frames (FrameAllocator.query heldFrames). */
static uint64_t charged(void)
{
	int slot = kf_slot(false);
	BUILD(capos_FrameAllocator_query_Params, p);
	struct capos_sqe s = kf_call_sqe(slot, c_frames, capos_FrameAllocator_query_METHOD, kf_finish(&b));
	kf_submit(slot, &s, K_SYNC, false);
	struct capos_cqe c;
	if (kf_wait(slot, &c) < 0)
		kf_fail(12, "FrameAllocator.query failed: %d", c.result);
	struct capnp_reader m;
	capnp_reader_init(&m, kf_rbuf[slot], (size_t)c.result);
	return capos_FrameAllocator_query_Results_get_heldFrames(
		capos_FrameAllocator_query_Results_read_root(&m));
}

/*
 * Check before effect: an allocation or map whose result buffer is too
 * small or read-only must fail without granting anything.  Nothing else of
 * ours is in flight that could raise the ledger between the two queries
 * (endpoint operations do not touch it).
 */
void op_effect(void)
{
	/* Let every kernel call finish: they complete inside cap_enter, so
	 * one still pending after many entries is a lost completion. */
	for (unsigned i = 0; i < KF_SLOTS; i++)
		for (unsigned tries = 0; kf_ops[i].used && !kf_ops[i].blocking; tries++) {
			if (tries > 5000)
				kf_fail(13,
				        "kernel call of op %lu (opcode %u, cap %#x believed %#lx, method "
				        "%u, kind %u) never completed",
				        (unsigned long)kf_ops[i].op_no, kf_ops[i].opcode, kf_ops[i].cap,
				        (unsigned long)kf_ops[i].iface, kf_ops[i].method, kf_ops[i].kind);
			kf_enter(1, KF_MS);
		}
	uint64_t before = charged();
	int slot = kf_slot(false);
	/* With the bug tolerated (kfuzz.off=effect), no call that hands out
	 * frames by address: one granted despite the error, its rise hidden
	 * by a concurrent drop, would make the held list (check 8) wrong. */
	uint16_t m = (kf_cfg.off & OFF_EFFECT) ? (uint16_t)(1 + kf_pick(2)) : (uint16_t)kf_pick(4);
	size_t len;
	const char *what;
	if (m == 0) {
		BUILD(capos_FrameAllocator_allocContiguous_Params, p);
		capos_FrameAllocator_allocContiguous_Params_set_count(p, 1 + (uint32_t)kf_pick(3));
		len = kf_finish(&b);
		what = "FrameAllocator.allocContiguous";
		m = capos_FrameAllocator_allocContiguous_METHOD;
	} else if (m == 1) {
		BUILD(capos_FrameAllocator_allocMemory_Params, p);
		capos_FrameAllocator_allocMemory_Params_set_pages(p, 1 + (uint32_t)kf_pick(3));
		len = kf_finish(&b);
		what = "FrameAllocator.allocMemory";
		m = capos_FrameAllocator_allocMemory_METHOD;
	} else if (m == 2) {
		BUILD(capos_VirtualMemory_map_Params, p);
		capos_VirtualMemory_map_Params_set_size(p, (1 + kf_pick(3)) * P);
		capos_VirtualMemory_map_Params_set_prot(p, 3);
		len = kf_finish(&b);
		what = "VirtualMemory.map";
		m = capos_VirtualMemory_map_METHOD;
	} else {
		BUILD(capos_FrameAllocator_allocFrame_Params, p);
		len = kf_finish(&b);
		what = "FrameAllocator.allocFrame";
		m = capos_FrameAllocator_allocFrame_METHOD;
	}
	struct capos_sqe s = kf_call_sqe(slot, m == capos_VirtualMemory_map_METHOD ? c_vm : c_frames,
	                                 m, len);
	if (kf_chance(2)) {
		s.result_len = 1 + (uint32_t)kf_pick(8); /* no result message fits */
	} else {
		s.result_addr = CAPOS_CAPSET_VADDR;
		s.result_len = 64;
	}
	kf_submit(slot, &s, K_SYNC, false);
	struct capos_cqe c;
	int32_t r = kf_wait(slot, &c);
	uint64_t after = charged();
	if (r >= 0)
		kf_fail(4, "%s succeeded (%d) into a %s result buffer", what, r,
		        s.result_addr == CAPOS_CAPSET_VADDR ? "read-only" : "too small");
	/* Only a rise counts: another process dropping the last cap to a
	 * MemoryObject we made lowers our charge at any time. */
	if (after > before && !(kf_cfg.off & OFF_EFFECT))
		kf_fail(12, "%s failed (%d) but charged frames went %lu -> %lu", what, r,
		        (unsigned long)before, (unsigned long)after);
	if (after != before)
		kf_held_exact = false; /* frames we cannot name now */
}

void op_boot(void)
{
	if (!c_boot)
		return;
	int slot = kf_slot(false);
	uint16_t m = (uint16_t)kf_pick(4);
	size_t len;
	if (m == capos_BootPackage_readManifest_METHOD) {
		BUILD(capos_BootPackage_readManifest_Params, p);
		capos_BootPackage_readManifest_Params_set_offset(p, kf_chance(2) ? kf_pick(1u << 20) : kf_rand());
		capos_BootPackage_readManifest_Params_set_maxBytes(
			p, kf_chance(3) ? (uint32_t)kf_rand() : (uint32_t)kf_pick(KF_BUF));
		len = kf_finish(&b);
	} else {
		BUILD(capos_BootPackage_manifestSize_Params, p);
		len = kf_finish(&b);
	}
	(void)lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, kf_chance(16) ? any_cap() : c_boot, m, len);
	kf_submit(slot, &s, result_choice(&s), false);
}

/* A quota field: inherit (0), small, the largest or anything.  A valid
 * spawn's child gets room to run (or inherits). */
static uint32_t quota_field(bool valid, uint32_t room)
{
	static const uint32_t edge[] = {0, 1, 2, UINT32_MAX};
	if (valid)
		return kf_chance(2) ? 0 : room + (uint32_t)kf_pick(room);
	return kf_chance(2) ? edge[kf_pick(4)] : (uint32_t)kf_rand();
}

static void spawn_quota(capos_SpawnQuota_builder q, bool valid)
{
	capos_SpawnQuota_set_caps(q, quota_field(valid, 64));
	capos_SpawnQuota_set_ranges(q, quota_field(valid, 64));
	capos_SpawnQuota_set_frames(q, quota_field(valid, 1024));
	capos_SpawnQuota_set_threads(q, quota_field(valid, 4));
}

void op_spawn(void)
{
	if (!c_spawner || !kf_chance(4))
		return;
	int slot = kf_slot(false);
	static const char *const names[] = {"kfuzz", "", "no-such-binary",
	                                    "kfuzz-child-name-that-is-long"};
	BUILD(capos_ProcessSpawner_spawn_Params, p);
	const char *nm = names[kf_pick(4)];
	if (kf_chance(4))
		capos_ProcessSpawner_spawn_Params_set_name(p, "bad name/", 9);
	else
		capos_ProcessSpawner_spawn_Params_set_name(p, "kfuzz-child", 11);
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, nm, strlen(nm));
	uint32_t n = (uint32_t)kf_pick(4);
	struct capnp_list_builder l = capos_ProcessSpawner_spawn_Params_init_grants(p, n);
	static const char *const gnames[] = {"a", "b", "console", "ctl", "", "a"};
	bool valid = kf_chance(4);
	if (valid) { /* a valid spawn of a child that single-steps into a syscall */
		nm = "kfuzz";
		n = 0;
		capos_ProcessSpawner_spawn_Params_set_binaryName(p, nm, strlen(nm));
		l = capos_ProcessSpawner_spawn_Params_init_grants(p, 1);
		capos_CapGrant_builder g = capos_CapGrant_list_at(l, 0);
		capos_CapGrant_set_name(g, "tf", 2); /* main.c, tf_probe */
		capos_CapGrant_set_capId(g, c_console);
	}
	for (uint32_t i = 0; i < n; i++) {
		capos_CapGrant_builder g = capos_CapGrant_list_at(l, i);
		const char *gn = gnames[kf_pick(6)];
		capos_CapGrant_set_name(g, gn, strlen(gn));
		bool move = kf_chance(4);
		uint32_t id = move ? (kf_chance(2) ? pool_take() : (uint32_t)kf_rand()) : any_cap();
		if (move && is_kept(id))
			id = 0;
		capos_CapGrant_set_capId(g, id);
		capos_CapGrant_set_mode(g, move ? capos_TransferMode_move : capos_TransferMode_copy);
		capos_CapGrant_set_badge(g, kf_chance(3) ? kf_pick(4) : 0);
		/* A new endpoint's facet carries whatever label the spawner names
		 * (the kernel cannot check it): labels come from a known set so
		 * the cap-record oracle can tell them from garbage.  On other
		 * grants the id is an expectation the kernel checks: any value. */
		bool fresh = kf_chance(5);
		uint64_t iface = 0;
		if (kf_chance(4))
			iface = fresh ? kf_labels[kf_pick(KF_LABELS)] : kf_rand();
		capos_CapGrant_set_interfaceId(g, iface);
		capos_CapGrant_set_newEndpoint(g, fresh);
		/* The owner side back to us (mostly on new endpoints; elsewhere
		 * it must be refused): it joins the pool like the facets. */
		capos_CapGrant_set_keepOwner(g, kf_chance(fresh ? 3 : 16));
	}
	if (kf_chance(3))
		spawn_quota(capos_ProcessSpawner_spawn_Params_init_quota(p), valid);
	size_t len = kf_finish(&b);
	(void)lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, c_spawner, capos_ProcessSpawner_spawn_METHOD, len);
	uint8_t rk = result_choice(&s);
	kf_submit(slot, &s, rk == K_ANY ? K_CAPS : rk, false);
}

void op_handle(void)
{
	int slot = kf_slot(true);
	if (slot < 0)
		return;
	uint16_t m = kf_chance(8) ? (uint16_t)kf_pick(4) : capos_ProcessHandle_wait_METHOD;
	uint32_t h = cap_of(capos_ProcessHandle_ID);
	/* kill only what the fuzz spawned itself: a worker must live to report. */
	if (m == capos_ProcessHandle_kill_METHOD && is_kept(h))
		m = capos_ProcessHandle_wait_METHOD;
	struct capos_sqe s = kf_call_sqe(slot, h, m, 0);
	BUILD(capos_ProcessHandle_wait_Params, p);
	s.len = (uint32_t)kf_finish(&b);
	kf_submit(slot, &s, result_choice(&s), true);
}

/* Timer: now, resolution, sleeps (mostly short; at most 2 that never end
 * in one process, so blocking slots come back), unknown methods. */
void op_timer(void)
{
	static unsigned endless;
	if (!c_timer)
		return;
	uint16_t m = kf_chance(8) ? (uint16_t)kf_pick(6) : (uint16_t)kf_pick(3);
	bool sleep = m == time_Timer_sleep_METHOD;
	int slot = kf_slot(sleep);
	if (slot < 0)
		return;
	size_t len;
	if (sleep) {
		uint64_t ns = kf_pick(3 * KF_MS);
		if (kf_chance(32) && endless < 2) {
			ns = kf_chance(2) ? UINT64_MAX : kf_rand() | (1ull << 62);
			endless++;
		}
		BUILD(time_Timer_sleep_Params, p);
		time_Timer_sleep_Params_set_ns(p, ns);
		len = kf_finish(&b);
	} else {
		BUILD(time_Timer_now_Params, p);
		len = kf_finish(&b);
	}
	/* A lie may turn a sleep's ns into anything: only short sleeps lie. */
	if (!sleep || kf_chance(2))
		(void)lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, kf_chance(16) ? any_cap() : c_timer, m, len);
	uint8_t kind = result_choice(&s);
	if (sleep && kind == K_ANY && kf_chance(8))
		s.result_len = 0; /* a later completion with no result asked for */
	kf_submit(slot, &s, kind, sleep);
}

/* A synchronous kernel call built in kf_pbuf[slot]; its result. */
static int32_t sync_call(uint32_t cap, uint16_t m, int slot, size_t len, uint64_t *u64)
{
	struct capos_sqe s = kf_call_sqe(slot, cap, m, len);
	kf_submit(slot, &s, K_SYNC, false);
	struct capos_cqe c;
	int32_t r = kf_wait(slot, &c);
	if (r > 0 && u64) {
		struct capnp_reader rd;
		capnp_reader_init(&rd, kf_rbuf[slot], (size_t)r);
		struct capnp_struct root = capnp_reader_root(&rd);
		*u64 = (uint64_t)capnp_struct_u64(&root, 0);
	}
	return r;
}

/* One fresh read-write page of ours, or 0 when memory or space ran out. */
static uint64_t map_page(void)
{
	int slot = kf_slot(false);
	BUILD(capos_VirtualMemory_map_Params, p);
	capos_VirtualMemory_map_Params_set_size(p, P);
	capos_VirtualMemory_map_Params_set_prot(p, 3);
	uint64_t page = 0;
	if (sync_call(c_vm, capos_VirtualMemory_map_METHOD, slot, kf_finish(&b), &page) <= 0)
		return 0;
	return page;
}

static void unmap_page(uint64_t page)
{
	int slot = kf_slot(false);
	BUILD(capos_VirtualMemory_unmap_Params, p);
	capos_VirtualMemory_unmap_Params_set_addr(p, page);
	capos_VirtualMemory_unmap_Params_set_size(p, P);
	int32_t r = sync_call(c_vm, capos_VirtualMemory_unmap_METHOD, slot, kf_finish(&b), 0);
	if (r < 0)
		kf_fail(3, "VirtualMemory.unmap of our page %#lx failed: %d", (unsigned long)page, r);
}

/* A 20 ms sleep whose result goes to addr; its blocking slot, or -1. */
static int sleep_into(uint64_t addr)
{
	int slot = kf_slot(true);
	if (slot < 0)
		return -1;
	BUILD(time_Timer_sleep_Params, p);
	time_Timer_sleep_Params_set_ns(p, 20 * KF_MS);
	struct capos_sqe s = kf_call_sqe(slot, c_timer, time_Timer_sleep_METHOD, kf_finish(&b));
	s.result_addr = addr;
	s.result_len = 64;
	kf_submit(slot, &s, K_SYNC, true);
	return slot;
}

/*
 * A completion that comes later into a buffer gone by then: a sleep whose
 * result buffer is a page we map for it and unmap while it sleeps.  The
 * kernel must post BAD_BUFFER (or, if the sleep ended before the unmap on
 * a slow machine, the result): either is right, nothing else is.
 */
void op_late_unmap(void)
{
	if (!c_timer || !c_vm)
		return;
	uint64_t page = map_page();
	if (page == 0)
		return;
	int slot = sleep_into(page + kf_pick(P / 2));
	unmap_page(page);
	if (slot < 0)
		return;
	int32_t r = kf_wait(slot, 0);
	if (r < 0 && r != CAPOS_ERR_BAD_BUFFER)
		kf_fail(4, "sleep into a page unmapped meanwhile completed with %d", r);
}

/* EntropySource: counts around the 256-byte limit and anything. */
void op_entropy(void)
{
	if (!c_entropy)
		return;
	int slot = kf_slot(false);
	uint16_t m = kf_chance(8) ? (uint16_t)kf_pick(3) : entropy_EntropySource_getBytes_METHOD;
	BUILD(entropy_EntropySource_getBytes_Params, p);
	uint32_t n = kf_chance(4) ? (uint32_t)kf_rand() : (uint32_t)kf_pick(300);
	entropy_EntropySource_getBytes_Params_set_count(p, n);
	size_t len = kf_finish(&b);
	(void)lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, kf_chance(16) ? any_cap() : c_entropy, m, len);
	kf_submit(slot, &s, result_choice(&s), false);
}

/* SystemMonitor: every method (and one past), sometimes on another cap;
 * forChildren's monitor joins the pool through the result caps. */
static void op_monitor(void)
{
	int slot = kf_slot(false);
	uint16_t m = (uint16_t)kf_pick(4);
	BUILD(capos_SystemMonitor_memory_Params, p);
	(void)p;
	size_t len = kf_finish(&b);
	(void)lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, kf_chance(16) ? any_cap() : c_monitor, m, len);
	uint8_t kind = result_choice(&s);
	/* processes' bound (every process slot) is over KF_BUF: half of them
	 * get a buffer that fits, or the method itself never runs. */
	if (kind == K_ANY && m == capos_SystemMonitor_processes_METHOD && kf_chance(2)) {
		s.result_addr = (uint64_t)(uintptr_t)kf_big;
		s.result_len = KF_BIG_BUF;
		kind = K_BIG;
	}
	kf_submit(slot, &s, kind, false);
}

/* Terminal: reads of every size with no or a short timeout (nobody
 * types: they time out), writes of a harmless line, modes, window size,
 * stats.  A read may complete later: it takes a blocking slot. */
static void op_terminal(void)
{
	uint16_t m = (uint16_t)kf_pick(6);
	int slot = kf_slot(m == capos_Terminal_read_METHOD);
	if (slot < 0)
		return;
	size_t len;
	if (m == capos_Terminal_read_METHOD) {
		static const uint32_t sizes[] = {0, 1, 64, 4096, 4097, 0xffffffffu};
		BUILD(capos_Terminal_read_Params, p);
		capos_Terminal_read_Params_set_max(p, sizes[kf_pick(6)]);
		capos_Terminal_read_Params_set_timeoutNs(p, kf_chance(2) ? 0 : kf_pick(2 * KF_MS));
		len = kf_finish(&b);
	} else if (m == capos_Terminal_write_METHOD) {
		BUILD(capos_Terminal_write_Params, p);
		capos_Terminal_write_Params_set_data(p, "~\n", 2);
		len = kf_finish(&b);
	} else {
		BUILD(capos_Terminal_setMode_Params, p);
		capos_Terminal_setMode_Params_set_echo(p, kf_chance(2));
		capos_Terminal_setMode_Params_set_raw(p, kf_chance(2));
		len = kf_finish(&b);
	}
	/* No lies here: a lying read could wait forever, and a lying write
	 * could leave a line unfinished, which the terminal then redraws
	 * after every kernel log line (docs/terminal.md), gluing bytes to the
	 * lines the harness reads.  Malformed params reach the terminal
	 * through op_malformed and op_garbage. */
	struct capos_sqe s = kf_call_sqe(slot, c_terminal, m, len);
	kf_submit(slot, &s, result_choice(&s), m == capos_Terminal_read_METHOD);
}

void op_watch(void)
{
	if (c_terminal && kf_chance(2))
		op_terminal();
	else if (c_monitor)
		op_monitor();
}
