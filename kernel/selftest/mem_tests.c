/*
 * Memory self-tests: frame allocator and heap under an alloc/free storm
 * with counts back to baseline, and the vmm_* contract.
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/timer.h"
#include "kstring.h"
#include "log.h"
#include "mem/heap.h"
#include "mem/pmm.h"
#include "mem/vmm.h"
#include "selftest/selftest.h"

#define STORM_FRAMES 3000
#define STORM_SLOTS  512
#define STORM_ROUNDS 20000

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static uint64_t frames[STORM_FRAMES];

static int frame_storm(void)
{
	uint64_t n = 0;
	for (; n < STORM_FRAMES; n++) {
		frames[n] = pmm_alloc();
		if (!frames[n])
			break;
		*(uint64_t *)phys_to_virt(frames[n]) = frames[n] ^ 0x5a5a;
	}
	/* Free in a shuffled order, checking each frame kept its own tag. */
	for (uint64_t i = n; i > 1; i--) {
		uint64_t j = rng() % i, t = frames[i - 1];
		frames[i - 1] = frames[j];
		frames[j] = t;
	}
	for (uint64_t i = 0; i < n; i++) {
		if (*(uint64_t *)phys_to_virt(frames[i]) != (frames[i] ^ 0x5a5a)) {
			kprintf("storm: frame %lx was overwritten\n", frames[i]);
			return 1;
		}
		pmm_free(frames[i]);
	}
	return n == STORM_FRAMES ? 0 : 1;
}

struct slot {
	uint8_t *p;
	size_t size;
	uint8_t tag;
};
static struct slot slots[STORM_SLOTS];

static int heap_storm(void)
{
	for (int r = 0; r < STORM_ROUNDS; r++) {
		struct slot *s = &slots[rng() % STORM_SLOTS];
		if (s->p) {
			for (size_t i = 0; i < s->size; i++)
				if (s->p[i] != s->tag) {
					kprintf("storm: heap block %p corrupted at +%zu\n", s->p, i);
					return 1;
				}
			kfree(s->p);
			s->p = NULL;
			continue;
		}
		uint64_t x = rng();
		s->size = (x & 3) == 0 ? x % 20000 : x % 300;
		size_t align = (x >> 32) % 5 == 0 ? (size_t)1 << (4 + (x >> 40) % 9) : 16;
		s->p = kmalloc_aligned(s->size, align);
		if (!s->p || (uintptr_t)s->p % align) {
			kprintf("storm: kmalloc_aligned(%zu, %zu) gave %p\n", s->size, align, s->p);
			return 1;
		}
		s->tag = (uint8_t)(x >> 56);
		memset(s->p, s->tag, s->size);
	}
	for (int i = 0; i < STORM_SLOTS; i++) {
		kfree(slots[i].p);
		slots[i].p = NULL;
	}
	return heap_check() ? 0 : 1;
}

SELFTEST(mem_storm)
{
	/* A first pass grows the heap to its peak; the measured pass must then
	 * return every frame and every heap byte. */
	if (frame_storm() || heap_storm())
		return 1;
	uint64_t free0 = pmm_free_count();
	size_t heap0 = heap_used_bytes(), mapped0 = heap_mapped_bytes();
	kprintf("storm: baseline %lu frames free, heap %zu bytes used, %zu mapped\n",
	        free0, heap0, mapped0);
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int pass = 0; pass < 3; pass++) {
		if (frame_storm() || heap_storm())
			return 1;
		rng_state = 0x9e3779b97f4a7c15ull;
	}
	uint64_t free1 = pmm_free_count();
	size_t heap1 = heap_used_bytes(), mapped1 = heap_mapped_bytes();
	kprintf("storm: after %d frame and %d heap operations: %lu frames free, heap %zu bytes used, %zu mapped\n",
	        3 * 2 * STORM_FRAMES, 3 * STORM_ROUNDS, free1, heap1, mapped1);
	if (free1 != free0 || heap1 != heap0 || mapped1 != mapped0) {
		kprintf("storm: counts did not return to baseline\n");
		return 1;
	}
	kprintf("storm: counts back to baseline\n");
	return 0;
}

SELFTEST(vmm_basic)
{
	uint64_t free0 = pmm_free_count();
	uint64_t as = vmm_create_address_space();
	uint64_t frame = pmm_alloc();
	uint64_t va = 0x0000200000000000ull, pa = 0;
	unsigned flags = 0;
	int fails = 0;
#define CHECK(c)                                                      \
	do {                                                          \
		if (!(c)) {                                           \
			kprintf("vmm_basic: check failed: %s\n", #c); \
			fails++;                                      \
		}                                                     \
	} while (0)
	CHECK(as && frame);
	CHECK(vmm_map(as, va, frame, VMM_USER | VMM_WRITE) == 0);
	CHECK(vmm_map(as, va, frame, VMM_USER) == VMM_ERR_EXISTS);
	CHECK(vmm_map(as, va + 1, frame, VMM_USER) == VMM_ERR_INVALID);
	CHECK(vmm_map(as, 0x0000800000000000ull, frame, 0) == VMM_ERR_INVALID);
	CHECK(vmm_map(as, CAPOS_USER_HALF_END, frame, VMM_USER) == VMM_ERR_INVALID);
	/* No new kernel-half PML4 slot: it would not be shared. */
	CHECK(vmm_map(vmm_kernel_pml4(), 0xffffa00000000000ull, frame, VMM_WRITE) == VMM_ERR_INVALID);
	CHECK(vmm_query(as, va + 5, &pa, &flags) == 0 && pa == frame + 5 &&
	      flags == (VMM_USER | VMM_WRITE));
	CHECK(vmm_protect(as, va, VMM_USER | VMM_EXEC) == 0);
	CHECK(vmm_query(as, va, &pa, &flags) == 0 && flags == (VMM_USER | VMM_EXEC));
	/* The kernel half is shared: the direct map answers in the new space. */
	CHECK(vmm_query(as, (uint64_t)phys_to_virt(frame), &pa, &flags) == 0 && pa == frame &&
	      flags == VMM_WRITE);
	CHECK(vmm_query(as, (uint64_t)selftest_fn_vmm_basic, &pa, &flags) == 0 && flags == VMM_EXEC);
	/* Switch in and read through the new mapping. */
	*(uint32_t *)phys_to_virt(frame) = 0xcafe;
	vmm_switch(as);
	user_access_begin();
	uint32_t seen = *(volatile uint32_t *)va;
	user_access_end();
	vmm_switch(vmm_kernel_pml4());
	CHECK(seen == 0xcafe);
	CHECK(vmm_unmap(as, va, &pa) == 0 && pa == frame);
	CHECK(vmm_unmap(as, va, &pa) == VMM_ERR_NOT_MAPPED);
	CHECK(vmm_query(as, va, &pa, &flags) == VMM_ERR_NOT_MAPPED);
	pmm_free(frame);
	vmm_destroy_address_space(as);
	kprintf("vmm_basic: frames free before %lu after %lu\n", free0, pmm_free_count());
	CHECK(pmm_free_count() == free0);
	return fails;
}

SELFTEST(timer)
{
	int fails = 0;
	uint64_t t0 = timer_ticks(), ns0 = ktime_ns();
	while (timer_ticks() < t0 + 10)
		__asm__ volatile("hlt");
	uint64_t ns1 = ktime_ns();
	kprintf("timer: ticks advanced from %lu to %lu (TIMER_HZ %d)\n", t0, timer_ticks(), TIMER_HZ);
	kprintf("timer: ktime advanced %lu us over 10 heartbeats\n", (ns1 - ns0) / 1000);
	if (ns1 <= ns0) {
		kprintf("timer: check failed: ktime did not advance\n");
		fails++;
	}
	/* Short deadlines: how late does the interrupt come?  Under TCG the
	 * lateness is emulation cost; only "it fired" is checked. */
	uint64_t worst = 0, best = UINT64_MAX;
	for (int i = 0; i < 20; i++) {
		uint64_t due = ktime_ns() + 50000, now;
		/* Arm with interrupts off, then sti;hlt (atomic): the interrupt
		 * cannot slip in between and leave hlt waiting for the next one. */
		do {
			/* clang-format off */
			__asm__ volatile("cli" ::: "memory");
			/* clang-format on */
			timer_arm_at(due);
			/* clang-format off */
			__asm__ volatile("sti; hlt" ::: "memory");
			/* clang-format on */
		} while ((now = ktime_ns()) < due);
		uint64_t late = now - due;
		worst = late > worst ? late : worst;
		best = late < best ? late : best;
	}
	kprintf("timer: 20 deadlines 50 us ahead fired %lu-%lu ns late (resolution %lu ns)\n", best,
	        worst, timer_resolution_ns());
	return fails;
}
