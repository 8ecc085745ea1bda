/*
 * The panic path: one line on the Console (when the process has one), then
 * exit.  A panic raised while printing the panic skips straight to exit.
 */
#include <capos/rt.h>
#include <stdarg.h>

_Noreturn void capos_panic(const char *fmt, ...)
{
	static bool panicking;
	if (!panicking && capos_rt.has_console) {
		panicking = true;
		char line[256];
		int n = capos_snprintf(line, sizeof(line), "[panic] pid %lu: ",
		                       (unsigned long)capos_rt.pid);
		va_list ap;
		va_start(ap, fmt);
		capos_vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
		va_end(ap);
		capos_console_write_line(&capos_rt.console, line, NULL);
	}
	capos_exit(CAPOS_RT_EXIT_PANIC);
}
