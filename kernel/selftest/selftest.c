/* Finds and runs the self-test named on the command line (see selftest.h). */
#include "selftest/selftest.h"

#include "arch/x86_64/qemu_exit.h"
#include "kstring.h"
#include "log.h"

extern const struct selftest __selftests_start[], __selftests_end[];

/* The linker script gathers every SELFTEST() entry between the two symbols,
 * so they delimit one array (which cppcheck cannot know). */
static size_t selftest_count(void)
{
	/* cppcheck-suppress comparePointers ; both symbols bound the .selftests array */
	return (size_t)(__selftests_end - __selftests_start);
}

const struct selftest *selftest_find(const char *name)
{
	for (size_t i = 0; i < selftest_count(); i++)
		if (strcmp(__selftests_start[i].name, name) == 0)
			return &__selftests_start[i];
	return NULL;
}

_Noreturn void selftest_run(const char *name)
{
	const struct selftest *t = selftest_find(name);
	if (!t) {
		kprintf("selftest %s: no such test; known:", name);
		for (size_t i = 0; i < selftest_count(); i++)
			kprintf(" %s", __selftests_start[i].name);
		kprintf("\n");
		qemu_exit(QEMU_EXIT_FAILURE);
	}
	kprintf("selftest %s: start\n", name);
	int rc = t->fn();
	if (rc == 0) {
		kprintf("selftest %s: PASS\n", name);
		qemu_exit(QEMU_EXIT_SUCCESS);
	}
	kprintf("selftest %s: FAIL (%d)\n", name, rc);
	qemu_exit(QEMU_EXIT_FAILURE);
}

/* The trivial test: proves the harness, the command line and the exit path. */
SELFTEST(hello)
{
	kprintf("selftest hello: the kernel is up\n");
	return 0;
}
