/* Exits with code 42 right away. */
#include "rawsys.h"

ENTRY
{
	raw_exit(42);
}
