/* The properties tests/props/main.c runs, one file each. */
#ifndef CAPOS_TESTS_PROPS_H
#define CAPOS_TESTS_PROPS_H

#include "prop.h"

extern const struct prop_def prop_cap_table;       /* prop_cap_table.c */
extern const struct prop_def prop_transfer;        /* prop_transfer.c */
extern const struct prop_def prop_frame_bitmap;    /* prop_frame_bitmap.c */
extern const struct prop_def prop_vm_ranges;       /* prop_vm_ranges.c */
extern const struct prop_def prop_capnp_roundtrip; /* prop_capnp.c */
extern const struct prop_def prop_endpoint;        /* prop_endpoint.c */

#endif
