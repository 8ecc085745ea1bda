/*
 * Protection self-tests.  Each performs one forbidden access; the expected
 * ending is the exception report and QEMU_EXIT_FAULT (status 39).  If the
 * access succeeds instead, the protection is off: the test says so and
 * fails (QEMU_EXIT_FAILURE, status 35), so the smoke cannot pass silently.
 */
#include "arch/x86_64/cpu.h"
#include "log.h"
#include "mem/heap.h"
#include "mem/pmm.h"
#include "mem/vmm.h"
#include "selftest/selftest.h"

#define USER_TEST_VA 0x400000ull
#define RET_OPCODE   0xc3

extern char __text_start[], __text_end[];

typedef void (*void_fn)(void);

static int survived(const char *what)
{
	kprintf("selftest: %s succeeded: the protection is OFF\n", what);
	return 1;
}

SELFTEST(fault_wp_text)
{
	volatile uint8_t *target = (volatile uint8_t *)selftest_fn_fault_wp_text;
	kprintf("selftest: writing to kernel .text at %p (.text %p-%p), expecting a page fault\n",
	        (void *)target, (void *)__text_start, (void *)__text_end);
	uint8_t byte = *target;
	*target = byte;
	return survived("write to .text");
}

/* Executes a `ret` placed at p: returns only if p is executable. */
static int try_exec(void *p, const char *where)
{
	*(volatile uint8_t *)p = RET_OPCODE;
	kprintf("selftest: calling %p in the %s, expecting an NX page fault\n", p, where);
	((void_fn)p)();
	return survived("execution from a non-executable page");
}

SELFTEST(fault_nx_directmap)
{
	uint64_t frame = pmm_alloc();
	if (!frame)
		return 2;
	return try_exec(phys_to_virt(frame), "direct map");
}

SELFTEST(fault_nx_heap)
{
	void *buf = kmalloc(64);
	if (!buf)
		return 2;
	return try_exec(buf, "kernel heap");
}

/* Maps one user page (in the kernel's own PML4's user half) holding `ret`. */
static volatile uint8_t *map_user_page(unsigned flags)
{
	uint64_t frame = pmm_alloc();
	if (!frame || vmm_map(vmm_kernel_pml4(), USER_TEST_VA, frame, VMM_USER | flags) != 0)
		return NULL;
	*(uint8_t *)phys_to_virt(frame) = RET_OPCODE;
	return (volatile uint8_t *)USER_TEST_VA;
}

SELFTEST(fault_smap_read)
{
	if (!cpu_has_smap)
		kprintf("selftest: SMAP is not enabled (CPU lacks it or nosmap)\n");
	volatile uint8_t *user = map_user_page(VMM_WRITE);
	if (!user)
		return 2;
	user_access_begin();
	uint8_t v = *user; /* allowed: stac */
	user_access_end();
	kprintf("selftest: read user page %p with stac: %x; now without stac, expecting a page fault\n",
	        (void *)user, v);
	v = *user;
	(void)v;
	return survived("kernel read of a user page without stac");
}

SELFTEST(fault_smep_exec)
{
	if (!cpu_has_smep)
		kprintf("selftest: SMEP is not enabled (CPU lacks it or nosmep)\n");
	volatile uint8_t *user = map_user_page(VMM_EXEC);
	if (!user)
		return 2;
	kprintf("selftest: calling user page %p from the kernel, expecting a page fault\n",
	        (void *)user);
	((void_fn)(uintptr_t)user)();
	return survived("kernel execution of a user page");
}

SELFTEST(fault_ud)
{
	kprintf("selftest: executing ud2, expecting invalid opcode\n");
	__asm__ volatile("ud2");
	return survived("ud2");
}

/* Read through a volatile so that neither the compiler nor an analyser can
 * treat the null read as undefined behaviour: it must reach the MMU. */
static volatile uintptr_t null_address;

SELFTEST(fault_null)
{
	kprintf("selftest: reading address 0, expecting a page fault\n");
	volatile int *p = (volatile int *)null_address;
	int value = *p;
	(void)value;
	return survived("null read");
}

SELFTEST(panic)
{
	panic("selftest: deliberate panic (value %d)", 42);
}

/* Recurses until the boot stack's guard page: #PF, then #DF on its IST stack. */
static unsigned recurse(unsigned depth)
{
	volatile uint8_t pad[512];
	pad[0] = (uint8_t)depth;
	if (depth == 0xffffffffu)
		return pad[0];
	return recurse(depth + 1) + pad[0];
}

SELFTEST(fault_stack_overflow)
{
	kprintf("selftest: recursing on the boot stack, expecting a double fault at the guard page\n");
	volatile unsigned sink = recurse(0); /* the result is used: no tail call */
	(void)sink;
	return survived("unbounded recursion");
}
