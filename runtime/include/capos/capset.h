/*
 * The CapSet bootstrap page (include/capos/abi.h): the read-only list of
 * capabilities a process starts with, by name, interface id and slot.
 *
 * The runtime validates the page once at start (capos_capset_parse) and
 * afterwards only hands out entries whose name AND interface id match what
 * the caller asks for, so a program never mistakes one interface for
 * another.  CapSet references are non-owning: the runtime never releases
 * them (see capos/handle.h for owned handles).
 */
#ifndef CAPOS_RT_CAPSET_H
#define CAPOS_RT_CAPSET_H

#include <stddef.h>
#include <stdint.h>
#include <capos/abi.h>

enum capos_capset_error {
	CAPOS_CAPSET_OK = 0,
	CAPOS_CAPSET_ABSENT = -1, /* no page (rdx was 0)                */
	CAPOS_CAPSET_BAD_MAGIC = -2,
	CAPOS_CAPSET_BAD_VERSION = -3,
	CAPOS_CAPSET_BAD_ENTRY_SIZE = -4,
	CAPOS_CAPSET_TOO_MANY = -5,  /* count > CAPOS_CAPSET_MAX_ENTRIES   */
	CAPOS_CAPSET_BAD_NAME = -6,  /* entry name empty, or entry/process
	                                 * name not NUL-terminated            */
	CAPOS_CAPSET_DUPLICATE = -7, /* two entries with the same name     */
};

struct capos_capset {
	const struct capos_capset_header *hdr; /* NULL when absent/invalid */
	const struct capos_capset_entry *entries;
	uint32_t count;
	const char *process_name; /* this process's name; "" if none given */
};

/* Validates the page at `page` (may be NULL) and fills *cs. */
int capos_capset_parse(struct capos_capset *cs, const void *page);
const char *capos_capset_strerror(int err);

/* Entry i (0 <= i < count) or NULL. */
const struct capos_capset_entry *capos_capset_at(const struct capos_capset *cs, uint32_t i);

/*
 * The entry called `name` whose interface id is `interface_id`, or NULL.
 * A name that exists with another interface id is not returned.
 */
const struct capos_capset_entry *capos_capset_find(const struct capos_capset *cs,
                                                   const char *name, uint64_t interface_id);

/*
 * The same with a typed error: 0 and *out = the entry, CAPOS_ERR_BAD_CAP
 * when no entry has that name, or CAPOS_ERR_NOT_PERMITTED when it has
 * another interface (e.g. a client asking for "greeter" as Echo while the
 * manifest says the endpoint serves Greeter).
 */
int capos_capset_lookup(const struct capos_capset *cs, const char *name, uint64_t interface_id,
                        const struct capos_capset_entry **out);

/* The first entry with this interface id, whatever its name, or NULL. */
const struct capos_capset_entry *capos_capset_find_interface(const struct capos_capset *cs,
                                                             uint64_t interface_id);

#endif /* CAPOS_RT_CAPSET_H */
