/*
 * Freestanding string and memory functions for the kernel and userspace
 * (lib/kstring.c).  Host builds use the C library's versions instead, so
 * this header only declares the standard names there.
 */
#ifndef CAPOS_LIB_KSTRING_H
#define CAPOS_LIB_KSTRING_H

#include <stddef.h>

#if defined(CAPOS_HOST)
#include <string.h>
#else
void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
#endif

/* Copies at most size-1 bytes and NUL-terminates; returns strlen(src)
 * (truncation happened when the result >= size).  Available on every build. */
size_t kstrlcpy(char *dst, const char *src, size_t size);

#endif
