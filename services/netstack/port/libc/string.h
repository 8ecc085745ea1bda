/*
 * <string.h> for lwIP's freestanding build: the runtime's memcpy & co.
 * (lib/kstring.c).  Only the userspace build puts this directory on the
 * include path; host builds use the C library's.
 */
#ifndef CAPOS_LWIP_LIBC_STRING_H
#define CAPOS_LWIP_LIBC_STRING_H
#include "kstring.h"
#endif
