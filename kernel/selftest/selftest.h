/*
 * Kernel self-tests, selected with `test=<name>` on the kernel command line
 * and run by main() after the kernel is up.  Anyone registers one with
 *
 *     SELFTEST(my_name) { ...; return 0; }   // 0 = pass, else fail
 *
 * in any kernel .c file; the linker collects them in section .selftests.
 * main() logs "selftest <name>: PASS" and exits QEMU_EXIT_SUCCESS, or
 * "selftest <name>: FAIL" and exits QEMU_EXIT_FAILURE.  Fault tests never
 * return: the exception handler reports and exits QEMU_EXIT_FAULT.
 */
#ifndef CAPOS_SELFTEST_H
#define CAPOS_SELFTEST_H

struct selftest {
	const char *name;
	int (*fn)(void);
};

#define SELFTEST(nm)                                                         \
	static int selftest_fn_##nm(void);                                   \
	static const struct selftest selftest_rec_##nm                       \
		__attribute__((used, section(".selftests"), aligned(8))) = { \
			.name = #nm, .fn = selftest_fn_##nm};                \
	static int selftest_fn_##nm(void)

/* NULL when no self-test has that name. */
const struct selftest *selftest_find(const char *name);
/* Runs it and exits QEMU; lists the known names if absent. */
_Noreturn void selftest_run(const char *name);

#endif
