/*
 * The check between decoding a kernel capability call and performing it
 * (docs/invocation.md: decode, check, perform, post).
 *
 * Every method of a kernel capability type declares the most it can
 * return on success: bytes of the result message and result caps.  Before
 * the method has any effect, the dispatcher proves the caller can take
 * that much (result_len, and free slots in its capability table); a call
 * that cannot is refused with no effect.  So a success is always
 * delivered whole, and a refusal always means "nothing happened".
 *
 * Pure logic: shared by the kernel (kernel/api/ring_dispatch.c) and the
 * host tests (tests/host/test_kcall.c).
 */
#ifndef CAPOS_LIB_KCALL_H
#define CAPOS_LIB_KCALL_H

#include <stdint.h>

/* Upper bound of one call's successful result. */
struct kcall_bound {
	uint32_t bytes; /* result message (Cap'n Proto, framed) */
	uint32_t caps;  /* result caps (one capos_cap_record each after the message) */
};

/* One method of a kernel capability type. */
struct kcall_method {
	uint16_t id;
	const char *name;
	struct kcall_bound max;
};

/* Bytes of a single-segment message whose root is a struct of `data`
 * words and `ptrs` pointers with nothing behind them: 8-byte segment
 * table, root pointer, the struct. */
#define KCALL_FLAT_BYTES(data, ptrs) (16u + 8u * ((uint32_t)(data) + (uint32_t)(ptrs)))
/* The same for a generated struct, from its _DATA_WORDS and _PTR_COUNT. */
#define KCALL_FLAT(s)                KCALL_FLAT_BYTES(s##_DATA_WORDS, s##_PTR_COUNT)

/* The method of table[0..n) with this id, or NULL. */
const struct kcall_method *kcall_method_find(const struct kcall_method *table, unsigned n,
                                             uint16_t id);

/* Bytes a successful result of bound b occupies in the caller's result
 * buffer: the message, then (with caps) padding to 8 and the records. */
uint64_t kcall_result_need(struct kcall_bound b);

/* Can a caller with result_len bytes of result buffer and free_slots free
 * capability-table slots take any successful result of bound b?
 * CAPOS_OK; CAPOS_ERR_RESULT_TOO_SMALL; CAPOS_ERR_NO_RESOURCES (table).
 * result_len 0 means "no result wanted" and is fine for a method that
 * returns no caps (caps cannot be dropped silently). */
int kcall_check_room(uint32_t result_len, struct kcall_bound b, uint32_t free_slots);

#endif
