/* A valid ELF whose 60 MiB .bss cannot fit in a small machine: creation
 * runs out of frames half way and must give every frame back. */
#include "rawsys.h"

static volatile char big[60u << 20];

ENTRY
{
	big[0] = 1;
	raw_exit(big[sizeof(big) - 1]);
}
