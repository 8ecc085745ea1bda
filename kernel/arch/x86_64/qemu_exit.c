/* isa-debug-exit: see qemu_exit.h for the status mapping. */
#include "arch/x86_64/qemu_exit.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/io.h"
#ifdef CAPOS_COVERAGE
#include "arch/x86_64/kcov.h"
#endif

_Noreturn void qemu_exit(unsigned code)
{
	cli();
#ifdef CAPOS_COVERAGE
	kcov_dump(); /* the coverage build only (kcov.h) */
#endif
	outl(QEMU_EXIT_PORT, code);
	/* Not under QEMU (or no device): stop here. */
	for (;;)
		halt();
}
