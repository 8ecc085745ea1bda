/*
 * Rewrites CUE's error output for the mistakes people make most, so the
 * first line says what is wrong and what would be right.  A misspelt
 * kernel capability kind makes CUE print one "conflicting values" block
 * per valid kind (~60 lines, the useful part at the top); it becomes
 *
 *   system.cue:12: service "x" cap "y": unknown kernel capability kind
 *   "frameAlocator"; valid kinds: console, frameAllocator, ...
 *
 * (one line), and CUE's blocks for that field are dropped.  Every other
 * CUE message passes through unchanged.
 */
#ifndef CAPOS_MKMANIFEST_CUE_ERRORS_H
#define CAPOS_MKMANIFEST_CUE_ERRORS_H

#include <stddef.h>

/*
 * Returns the rewritten text (malloc'd, NUL-terminated; NULL only when out
 * of memory).  Source lines named in the errors are read to find the
 * service and cap names; a file that cannot be read leaves them as
 * services[i] / caps[j].
 */
char *cue_errors_rewrite(const char *text, size_t len);

#endif
