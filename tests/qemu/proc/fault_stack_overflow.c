/* Recurses until the stack runs into its guard page; the kernel must kill
 * only this process (a page fault just below the stack). */
#include "rawsys.h"

static volatile int limit = 1 << 30; /* never reached: 256 KiB run out first */

static int deep(int n)
{
	volatile char buf[1024];
	buf[0] = (char)n;
	if (n >= limit)
		return 0;
	return deep(n + 1) + buf[0];
}

ENTRY
{
	raw_exit(deep(0));
}
