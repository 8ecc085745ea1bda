/*
 * capos_snprintf (see capos/fmt.h): the shared formatter in lib/format.c
 * with the runtime's choices for %p (only the digits needed, as in C
 * libraries) and for bad specifications (printed as written).
 */
#include <capos/fmt.h>

#include "format.h"

#define RUNTIME_FORMAT_OPTS (FORMAT_PTR_NATURAL | FORMAT_BAD_VERBATIM)

int capos_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return format_vsnprintf_opt(buf, size, RUNTIME_FORMAT_OPTS, fmt, ap);
}

int capos_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = capos_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
