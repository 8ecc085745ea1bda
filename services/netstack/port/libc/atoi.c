/* atoi for lwIP's freestanding build (see stdlib.h): optional sign, then
 * decimal digits; stops at the first other character.  Overflow wraps
 * through unsigned arithmetic instead of being undefined. */
#include <stdlib.h>

int atoi(const char *s)
{
	unsigned v = 0;
	int neg = 0;
	while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	while (*s >= '0' && *s <= '9')
		v = v * 10u + (unsigned)(*s++ - '0');
	return (int)(neg ? 0u - v : v);
}
