/* Waits forever for a completion that can never come: the kernel must
 * notice that nothing can wake it and kill it instead of hanging. */
#include "rawsys.h"

ENTRY
{
	raw_cap_enter(1, CAPOS_WAIT_FOREVER);
	raw_exit(100);
}
