/* Keeps its ring corrupt (cq_head ahead of the kernel's cq_tail) and keeps
 * calling cap_enter: unrecoverable, the kernel must kill it after 8 tries
 * and leave everything else alone. */
#include "rawsys.h"

ENTRY
{
	RING->header.cq_head = RING->header.cq_tail + 5;
	for (int i = 0; i < 100; i++)
		if (raw_cap_enter(0, CAPOS_NO_WAIT) != CAPOS_ERR_RING_CORRUPT)
			raw_exit(1);
	raw_exit(2); /* not reached: killed on the 8th call */
}
