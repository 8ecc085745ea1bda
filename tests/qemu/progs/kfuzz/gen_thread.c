/*
 * Generators for ThreadSpawner, ThreadHandle and ParkSpace
 * (schema/thread.capnp): spawns with entries and sizes in and out of
 * range (a valid spawn starts kf_thread_entry, which ends at once, with
 * a good or hostile thread_exit clear word: a thread running garbage
 * would fault and kill the fuzzer's process) on a kernel stack or on
 * one of the caller's, good (a scratch array nothing else uses) or
 * hostile (unmapped, read-only, kernel, misaligned, too small),
 * joins on whatever handle is held, and parks on good, misaligned,
 * unmapped and kernel addresses with short timeouts (at most 2 endless
 * ones, ended by the process's exit), and wakes.
 */
#include <capos/thread.h>

#include "kfuzz.h"
#include "thread.capnp.h"

static volatile uint32_t park_word;
static void kf_thread_exit_code(void) {}

/* thread_exit's clear word, chosen by the thread's (random) arg: none,
 * the park word (safe to zero), misaligned, read-only code, unmapped,
 * kernel and non-canonical addresses; never another word of ours. */
static volatile uint32_t *exit_word(uint64_t arg)
{
	uintptr_t w;
	switch (arg % 8) {
	case 1: w = (uintptr_t)&park_word; break;
	case 2: w = (uintptr_t)&park_word + 2; break;
	case 3: w = (uintptr_t)kf_thread_exit_code & ~(uintptr_t)3; break;
	case 4: w = 4 * (uintptr_t)((arg >> 8) & 1023); break;
	case 5: w = 0xffff800000000000ull + 4 * ((arg >> 8) & 1023); break;
	case 6: w = 0x0000800000000000ull + 4 * ((arg >> 8) & 0xffff); break;
	default: w = 0; break;
	}
	return (volatile uint32_t *)w;
}

static _Noreturn void kf_thread_entry(void *ring, uint64_t arg, uint64_t tid)
{
	(void)ring;
	(void)tid;
	capos_thread_exit_clear((int64_t)arg, exit_word(arg));
}

static uint64_t spawn_entry(void)
{
	switch (kf_pick(6)) {
	case 0: return CAPOS_USER_IMAGE_END + kf_pick(1ull << 46); /* past the image */
	case 1: return kf_pick(CAPOS_USER_MIN);
	case 2: return 0xffff800000000000ull + kf_pick(1u << 20);
	default: return (uint64_t)(uintptr_t)kf_thread_entry;
	}
}

/* The only writable memory a spawn may be given as its stack: the
 * thread's entry uses no stack memory but the pushes of its prologue,
 * so threads sharing it harm nothing. */
static _Alignas(16) uint8_t stack_scratch[4096];

static uint64_t stack_base(uint64_t *size)
{
	uint64_t scratch = (uint64_t)(uintptr_t)stack_scratch;
	switch (kf_pick(8)) {
	case 0: *size = sizeof(stack_scratch); return scratch;
	case 1: *size = sizeof(stack_scratch) - 16 * kf_pick(64); return scratch + 8 * kf_pick(2);
	case 2: *size = 16 * kf_pick(1024); return (uint64_t)(uintptr_t)kf_thread_exit_code & ~15ull;
	case 3: return 0xffff800000000000ull + 16 * kf_pick(1u << 20);
	case 4: /* unmapped: between the image and the anonymous mappings */
		return CAPOS_USER_IMAGE_END + 16 * kf_pick((CAPOS_USER_ANON_BASE - CAPOS_USER_IMAGE_END) / 16);
	case 5: return kf_rand() | (1ull << 47); /* never user memory of ours */
	default: return 0;                       /* a kernel stack */
	}
}

void op_thread(void)
{
	if (!c_threads)
		return;
	uint16_t m = kf_chance(8) ? (uint16_t)kf_pick(3) : thread_ThreadSpawner_spawn_METHOD;
	int slot = kf_slot(false);
	if (slot < 0)
		return;
	BUILD(thread_ThreadSpawner_spawn_Params, p);
	thread_ThreadSpawner_spawn_Params_set_entry(p, spawn_entry());
	thread_ThreadSpawner_spawn_Params_set_arg(p, kf_rand());
	thread_ThreadSpawner_spawn_Params_set_stackSize(
		p, kf_chance(4) ? kf_rand() : kf_pick(CAPOS_THREAD_STACK_MAX + 8192));
	thread_ThreadSpawner_spawn_Params_set_tlsSize(
		p, kf_chance(4) ? kf_rand() : kf_pick(CAPOS_THREAD_TLS_MAX + 64));
	/* The thread exits before it touches its TLS, so any user base is
	 * safe; non-user and non-canonical ones must be refused. */
	if (kf_chance(4))
		thread_ThreadSpawner_spawn_Params_set_tlsBase(p, kf_chance(2) ? kf_rand()
		                                                              : kf_pick(CAPOS_USER_END));
	uint64_t size = kf_chance(4) ? kf_rand() : kf_pick(CAPOS_THREAD_STACK_MAX + 8192);
	uint64_t base = stack_base(&size);
	if (base != 0) {
		thread_ThreadSpawner_spawn_Params_set_stackBase(p, base);
		thread_ThreadSpawner_spawn_Params_set_stackSize(p, size);
	}
	size_t len = kf_finish(&b);
	/* No lies here: a flipped bit could turn a refused entry into one
	 * inside the image, and a thread running garbage kills the fuzzer. */
	struct capos_sqe s = kf_call_sqe(slot, kf_chance(16) ? any_cap() : c_threads, m, len);
	kf_submit(slot, &s, result_choice(&s), false);
}

void op_thread_join(void)
{
	int slot = kf_slot(true);
	if (slot < 0)
		return;
	uint16_t m = kf_chance(8) ? (uint16_t)kf_pick(3) : thread_ThreadHandle_join_METHOD;
	struct capos_sqe s = kf_call_sqe(slot, cap_of(thread_ThreadHandle_ID), m, 0);
	BUILD(thread_ThreadHandle_join_Params, p);
	s.len = (uint32_t)kf_finish(&b);
	kf_submit(slot, &s, result_choice(&s), true);
}

static uint64_t park_addr(void)
{
	switch (kf_pick(7)) {
	case 0: return CAPOS_USER_IMAGE_END + kf_pick(1ull << 46);       /* past the image */
	case 1: return (uint64_t)(uintptr_t)&park_word + 1 + kf_pick(3); /* misaligned */
	case 2: return 0xffff800000000000ull + 4 * kf_pick(1024);
	case 3: return 4 * kf_pick(1024); /* unmapped */
	default: return (uint64_t)(uintptr_t)&park_word;
	}
}

void op_park(void)
{
	static unsigned endless;
	if (!c_park)
		return;
	uint16_t m = kf_chance(8) ? (uint16_t)kf_pick(4) : (uint16_t)kf_pick(2);
	bool wait = m == thread_ParkSpace_wait_METHOD;
	int slot = kf_slot(wait);
	if (slot < 0)
		return;
	size_t len;
	if (wait) {
		uint64_t ns = kf_pick(3 * KF_MS);
		if (kf_chance(32) && endless < 2) {
			ns = UINT64_MAX;
			endless++;
		}
		BUILD(thread_ParkSpace_wait_Params, p);
		thread_ParkSpace_wait_Params_set_addr(p, park_addr());
		thread_ParkSpace_wait_Params_set_expected(p, kf_chance(2) ? park_word
		                                                          : (uint32_t)kf_rand());
		thread_ParkSpace_wait_Params_set_timeoutNs(p, ns);
		len = kf_finish(&b);
	} else {
		if (kf_chance(8))
			park_word++;
		BUILD(thread_ParkSpace_wake_Params, p);
		thread_ParkSpace_wake_Params_set_addr(p, park_addr());
		thread_ParkSpace_wake_Params_set_count(p, (uint32_t)kf_rand());
		len = kf_finish(&b);
	}
	if (!wait || kf_chance(2))
		(void)lie(slot, &len);
	struct capos_sqe s = kf_call_sqe(slot, kf_chance(16) ? any_cap() : c_park, m, len);
	kf_submit(slot, &s, result_choice(&s), wait);
}
