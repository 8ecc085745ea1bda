/*
 * kfuzz: the caps, addresses, sizes, protections and result buffers the
 * generators choose from, and the lies they tell in params.
 */
#include "kfuzz.h"
#include "thread.capnp.h"

#include <capos/kinds.h>

void keep_add(uint32_t id, uint64_t iface)
{
	if (id && kf_nkeep < KF_KEEP)
		kf_keep[kf_nkeep++] = (struct kf_cap){id, iface};
}

static uint32_t any_cap_at_all(void)
{
	switch (kf_pick(8)) {
	case 0:
	case 1:
	case 2: return kf_nkeep ? kf_keep[kf_pick(kf_nkeep)].id : 0;
	case 3:
	case 4: return kf_npool ? kf_pool[kf_pick(kf_npool)].id : 0;
	case 5: return kf_stale[kf_pick(16)];
	case 6: /* next generation: lib/cap_table.h, CAP_ID_INDEX_BITS */
		return (kf_nkeep ? kf_keep[kf_pick(kf_nkeep)].id : 0) + (1u << 14);
	default: return kf_chance(2) ? (uint32_t)kf_pick(40) : (uint32_t)kf_rand();
	}
}

/*
 * Any cap id: held (kept or pool), stale, next generation, or junk; never
 * the FrameAllocator: a call meant for another cap (method 0 is allocFrame)
 * would hand out frames op_frames does not track (check 8).
 */
uint32_t any_cap(void)
{
	uint32_t id = any_cap_at_all();
	/* Nor the ThreadSpawner: other ops' params read as a spawn could
	 * start a thread inside the image, running garbage (op_thread only
	 * makes entries that are refused or end at once). */
	return id == c_frames || id == c_threads ? c_console : id;
}

/* A held cap with this interface (kept or pool), or any cap. */
uint32_t cap_of(uint64_t iface)
{
	uint32_t found[KF_KEEP + KF_POOL];
	unsigned n = 0;
	for (unsigned i = 0; i < kf_nkeep; i++)
		if (kf_keep[i].iface == iface)
			found[n++] = kf_keep[i].id;
	for (unsigned i = 0; i < kf_npool; i++)
		if (kf_pool[i].iface == iface)
			found[n++] = kf_pool[i].id;
	if (n == 0 || kf_chance(16))
		return any_cap();
	return found[kf_pick(n)];
}

/* Do we hold id as a cap of this interface (kept or pool)? */
bool holds(uint32_t id, uint64_t iface)
{
	for (unsigned i = 0; i < kf_nkeep; i++)
		if (kf_keep[i].id == id && kf_keep[i].iface == iface)
			return true;
	return pool_has(id, iface);
}

bool pool_has(uint32_t id, uint64_t iface)
{
	for (unsigned i = 0; i < kf_npool; i++)
		if (kf_pool[i].id == id && kf_pool[i].iface == iface)
			return true;
	return false;
}

/* Interfaces whose calls may complete later (endpoint calls, waits,
 * Timer.sleep, a key on the Terminal). */
/* An interface the kernel serves itself (include/capos/kinds.h). */
static bool kernel_iface(uint64_t iface)
{
#define KIND_IFACE(NAME, name, num, IFACE, grantable, stateless) iface == (IFACE) ||
	return CAPOS_KINDS(KIND_IFACE) false;
#undef KIND_IFACE
}

/* Anything but a kernel interface (a label a server chose for a facet of
 * its endpoint, say) is served by a process: its calls complete later. */
static bool completes_later(uint64_t iface)
{
	return !kernel_iface(iface) || iface == capos_Endpoint_ID || iface == capos_ProcessHandle_ID ||
	       iface == device_Notification_ID || iface == time_Timer_ID ||
	       iface == capos_Terminal_ID || iface == thread_ThreadHandle_ID ||
	       iface == thread_ParkSpace_ID;
}

/* A cap we hold whose calls complete inside cap_enter. */
bool kernel_object(uint32_t id)
{
	for (unsigned i = 0; i < kf_nkeep; i++)
		if (kf_keep[i].id == id)
			return !completes_later(kf_keep[i].iface);
	for (unsigned i = 0; i < kf_npool; i++)
		if (kf_pool[i].id == id)
			return !completes_later(kf_pool[i].iface);
	return false;
}

/* A kept cap of a kernel interface other than Endpoint's: a register
 * call or receive on it is refused (NOT_PERMITTED), never waits.  Only
 * kept caps: a pooled one can be gone already (a raw RELEASE or a move
 * through descriptors read from random memory takes it), which is
 * BAD_CAP. */
uint32_t kernel_cap_no_endpoint(void)
{
	uint32_t found[KF_KEEP];
	unsigned n = 0;
	for (unsigned i = 0; i < kf_nkeep; i++)
		if (kernel_iface(kf_keep[i].iface) && kf_keep[i].iface != capos_Endpoint_ID)
			found[n++] = kf_keep[i].id;
	return n ? found[kf_pick(n)] : c_console;
}

/* The interface we recorded for a cap of ours, or 0 (diagnostics). */
uint64_t kf_iface_of(uint32_t id)
{
	for (unsigned i = 0; i < kf_nkeep; i++)
		if (kf_keep[i].id == id)
			return kf_keep[i].iface;
	for (unsigned i = 0; i < kf_npool; i++)
		if (kf_pool[i].id == id)
			return kf_pool[i].iface;
	return 0;
}

bool is_kept(uint32_t id)
{
	for (unsigned i = 0; i < kf_nkeep; i++)
		if (kf_keep[i].id == id)
			return true;
	return false;
}

/* Takes a pool cap out of the pool (released or moved away). */
uint32_t pool_take(void)
{
	if (kf_npool == 0)
		return 0;
	unsigned i = (unsigned)kf_pick(kf_npool);
	uint32_t id = kf_pool[i].id;
	kf_pool[i] = kf_pool[--kf_npool];
	return id;
}

uint64_t any_addr(void)
{
	static const uint64_t bases[] = {
		0,
		CAPOS_USER_ANON_BASE,
		0x100000000000ull,
		0x400000,
		CAPOS_RING_VADDR,
		CAPOS_CAPSET_VADDR,
		CAPOS_USER_STACK_TOP - P,
		CAPOS_USER_ANON_END - P,
		0xffff800000000000ull,
		0xfffffffffffff000ull,
		CAPOS_USER_END - P,
		0x10000000,
	};
	uint64_t a = kf_chance(3) ? kf_recent[kf_pick(16)]
	                          : bases[kf_pick(sizeof bases / sizeof bases[0])];
	switch (kf_pick(6)) {
	case 0: return a + kf_pick(8) * P;
	case 1: return a - kf_pick(4) * P;
	case 2: return a + kf_pick(P);
	case 3: return kf_rand();
	default: return a;
	}
}

uint64_t any_size(void)
{
	switch (kf_pick(7)) {
	case 0: return 0;
	case 1: return kf_pick(3 * P);
	case 2: return kf_rand();
	case 3: return (uint64_t)kf_pick(64) << 20;
	case 4: return CAPOS_USER_END - (kf_rand() & ~(uint64_t)(P - 1)) % CAPOS_USER_END;
	default: return (1 + kf_pick(8)) * P;
	}
}

/* Mostly valid (read, read-write, read-exec), so maps succeed too. */
uint32_t any_prot(void)
{
	static const uint32_t valid[] = {1, 3, 5, 3};
	switch (kf_pick(10)) {
	case 0: return (uint32_t)kf_rand();
	case 1:
	case 2: return (uint32_t)kf_pick(8);
	default: return valid[kf_pick(4)];
	}
}

/* A result buffer the kernel must not report success into. */
uint64_t bad_result_addr(void)
{
	static const uint64_t bad[] = {
		CAPOS_CAPSET_VADDR,
		KF_HOLE,
		0x400000,
		0xffff800000000000ull,
		CAPOS_USER_END - 8,
		0,
	};
	return bad[kf_pick(sizeof bad / sizeof bad[0])];
}

/* Sometimes lies in the params: overwrites or flips one of the message's
 * first words (segment table, root pointer, list pointers, data). */
bool lie(int slot, size_t *len)
{
	if (*len == 0 || !kf_chance(4))
		return false;
	uint64_t *w = (uint64_t *)kf_pbuf[slot];
	unsigned i = (unsigned)kf_pick((*len + 7) / 8 < 6 ? (*len + 7) / 8 : 6);
	switch (kf_pick(4)) {
	case 0: w[i] = kf_rand(); break;
	case 1: w[i] ^= 1ull << kf_pick(64); break;
	case 2: *len = kf_pick(*len); break;
	default: w[i] = (w[i] & 0xffffffffull) | (kf_rand() & 0xffffffff00000000ull); break;
	}
	return true;
}

/* Result buffer: ours with a capacity, or a bad one (then it must fail). */
uint8_t result_choice(struct capos_sqe *s)
{
	if (kf_chance(10)) {
		s->result_addr = bad_result_addr();
		s->result_len = 8 + (uint32_t)kf_pick(256);
		return K_BADBUF;
	}
	if (kf_chance(8))
		s->result_len = (uint32_t)kf_pick(KF_BUF);
	return K_ANY;
}
