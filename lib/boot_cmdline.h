/*
 * Kernel command line parsing: space-separated words, `key=value` or a bare
 * `key`.  Pure logic so it is unit-tested on the host.
 */
#ifndef CAPOS_LIB_BOOT_CMDLINE_H
#define CAPOS_LIB_BOOT_CMDLINE_H

#include <stddef.h>

/*
 * Copies the value of the first `key=value` word into buf (NUL-terminated)
 * and returns buf; a bare `key` yields "".  NULL when the key is absent, the
 * key is empty, or the value does not fit in len bytes (never truncates).
 */
const char *boot_cmdline_get(const char *cmdline, const char *key, char *buf, size_t len);

#endif
