/*
 * Interface names -> Cap'n Proto interface ids, from the compiled schemas:
 * every generated/<file>.capnp.h has, per interface, a comment line
 * `interface <file>.capnp:<Name>` followed by its
 * `#define <prefix>_<Name>_ID UINT64_C(0x...)` (tools/capnpc-c).  So a
 * service's own schema is known to mkmanifest as soon as the generator
 * has compiled it, with no table to keep by hand.
 */
#ifndef MKMANIFEST_IFACE_H
#define MKMANIFEST_IFACE_H

#include <stddef.h>
#include <stdint.h>

#define IFACE_MAX 256

struct iface {
	char name[64];   /* "Echo" */
	char prefix[64]; /* the file's C prefix: "capos" (capos.capnp) */
	uint64_t id;
};

struct iface_table {
	struct iface e[IFACE_MAX];
	size_t count;
};

/* Adds every interface of DIR/ *.capnp.h.  0, or -1 with a message. */
int iface_load_dir(struct iface_table *t, const char *dir, char *err, size_t errlen);
/* Adds the interfaces found in one header's text (host-tested). */
int iface_scan(struct iface_table *t, const char *text, char *err, size_t errlen);

/*
 * The id of `name`: "Name" when exactly one schema defines it, or
 * "prefix.Name".  0 when unknown or ambiguous; *ambiguous is set when
 * more than one schema defines a plain name.
 */
uint64_t iface_lookup(const struct iface_table *t, const char *name, size_t len,
                      int *ambiguous);

/* "capos.Echo, capos.Console, ..." into buf (truncated with "..."). */
void iface_list(const struct iface_table *t, char *buf, size_t cap);

#endif
