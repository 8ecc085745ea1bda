/*
 * Kernel command line parsing: space-separated words, `key=value` or a bare
 * `key`.  Pure logic so it is unit-tested on the host.
 */
#ifndef CAPOS_LIB_BOOT_CMDLINE_H
#define CAPOS_LIB_BOOT_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Copies the value of the first `key=value` word into buf (NUL-terminated)
 * and returns buf; a bare `key` yields "".  NULL when the key is absent, the
 * key is empty, or the value does not fit in len bytes (never truncates).
 */
const char *boot_cmdline_get(const char *cmdline, const char *key, char *buf, size_t len);

/*
 * The next word at or after *pos whose key (the part before '=') is none
 * of known[0..n): returns its length and sets *word; 0 when there is none
 * left.  *pos moves past the word, so a loop visits each unknown once.
 */
size_t boot_cmdline_next_unknown(const char *cmdline, size_t *pos, const char *const known[],
                                 size_t n, const char **word);

/*
 * A decimal number in 1..max (no sign, no leading or trailing junk).
 * false when s is anything else.
 */
bool boot_cmdline_parse_uint(const char *s, uint32_t max, uint32_t *out);

#endif
