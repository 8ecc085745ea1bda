/*
 * <stdlib.h> for lwIP's freestanding build: only atoi, which
 * netif_name_to_index uses (libc/atoi.c).  Anything else lwIP might want
 * from it (malloc with MEM_LIBC_MALLOC) is configured off, so a new use
 * fails to compile rather than link against something absent.
 */
#ifndef CAPOS_LWIP_LIBC_STDLIB_H
#define CAPOS_LWIP_LIBC_STDLIB_H
#include <stddef.h>
int atoi(const char *s);
#endif
