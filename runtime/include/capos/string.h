/*
 * Memory and string helpers for runtime code: the declarations are those
 * of lib/kstring.h (the C library's <string.h> on the host, lib/kstring.c in
 * userspace).  gcc may emit
 * calls to memcpy/memset/memmove/memcmp by itself, so they always exist.
 */
#ifndef CAPOS_RT_STRING_H
#define CAPOS_RT_STRING_H

#include "kstring.h"

#endif /* CAPOS_RT_STRING_H */
