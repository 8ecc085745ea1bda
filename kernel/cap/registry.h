/*
 * The kernel's capability types.  Each type lives in its own file under
 * kernel/cap/ and is listed in registry.c.  The registry is kernel-internal:
 * userspace reaches an object only through a slot of its own capability
 * table (cap id -> struct cap_entry -> type -> call); nothing here is
 * looked up by name on behalf of a process, except by the boot code that
 * builds initial CapSets.
 */
#ifndef CAPOS_CAP_REGISTRY_H
#define CAPOS_CAP_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <capos/abi.h>
#include <capos/kinds.h>

#include "cap_table.h"
#include "capnp/capnp.h"
#include "kcall.h"

struct process;
struct capos_sqe;
struct capos_cqe;

/* The kinds, their names and interface ids: include/capos/kinds.h. */
enum kcap_kind {
	KCAP_NONE = 0,
#define KCAP_KIND_ENUM(E, name, kind, iface, boot, stateless) KCAP_##E = (kind),
	CAPOS_KINDS(KCAP_KIND_ENUM)
#undef KCAP_KIND_ENUM
};

/* Result caps of one kernel call (FrameAllocator.allocMemory,
 * ProcessSpawner.spawn...): at most this many per completion. */
#define KCAP_CALL_CAPS_MAX 16u

/* kcap_type.perform's return when the completion is posted later with
 * api_complete (the dispatcher reserves a CQ slot for it). */
#define KCAP_CALL_DEFERRED 1

/*
 * One operation on a capability, in four steps (docs/invocation.md):
 *   decode   type->decode parses and validates the params into arg/data,
 *            and may lower `bound` (a result that depends on the params);
 *            no side effects.  A refusal here is an exception or error.
 *   check    the dispatcher proves the caller can take any result within
 *            `bound`: result buffer writable and big enough, free slots
 *            for the result caps (lib/kcall.h).  Refused with no effect.
 *   perform  type->perform has the effects.  It does not fail on bad
 *            input; it may still refuse because of the state of the
 *            system (a limit reached, out of frames, a range not mapped),
 *            and then only before its first effect.
 *   post     the dispatcher writes the result, inserts the result caps
 *            and posts the CQE (cannot fail: checked above), or leaves
 *            the CQ slot reserved for a later completion.
 * A type whose calls another process answers (kcap_type.by_process:
 * Endpoint) gets every opcode (CALL, RECV, RETURN) in decode and perform
 * and does its own transport (params, result and transfer buffers); its
 * bound is zero and params/result stay NULL.  For the others,
 * params/result are kernel copies and only CALL reaches them.
 */
struct kcap_call {
	struct process *caller;
	uint8_t opcode; /* CAPOS_OP_CALL, or RECV/RETURN (by_process types) */
	uint16_t method_id;
	const struct kcall_method *method; /* the method_id's table entry */
	const void *params;                /* Cap'n Proto message (framed), params_len bytes */
	uint32_t params_len;
	void *result; /* 8-byte aligned scratch of result_cap bytes      */
	uint32_t result_cap;
	uint32_t result_len;         /* out: bytes of the result (or exception) message */
	uint64_t badge;              /* badge of the invoked capability                  */
	const struct capos_sqe *sqe; /* the CALL (user_data, result_addr/len)      */
	/* decode -> perform: the decoded arguments. */
	uint64_t arg[4];
	const void *data;
	uint32_t data_len;
	void *record; /* a record of the object's own that decode chose */
	/* The most this call returns on success: method->max unless decode
	 * lowered it.  perform never returns more (a kernel bug: panic). */
	struct kcall_bound bound;
	/* out: result caps, each holding one object reference.  On CAPOS_OK
	 * the dispatcher inserts them into the caller's table in order and
	 * appends one capos_cap_record each after the result message.
	 * Dropped on any other return. */
	uint32_t cap_count;
	struct cap_entry caps[KCAP_CALL_CAPS_MAX];
};

struct kcap_type {
	enum kcap_kind kind; /* name and interface id: kcap_kinds[kind] */
	/* The methods and the bound of each one's result; a method_id not
	 * listed is CAPOS_ERR_UNKNOWN_METHOD before anything runs. */
	const struct kcall_method *methods;
	unsigned method_count;
	/* Another process answers this type's calls (Endpoint): no method
	 * table, no kernel copy of the params, no bound to check; decode
	 * and perform get RECV and RETURN too. */
	bool by_process;
	/* decode and perform (see struct kcap_call) return CAPOS_OK (perform:
	 * with the result message in c->result), or
	 * CAPOS_ERR_APPLICATION_EXCEPTION with a CapException there (see
	 * kcap_exception), or another negative CAPOS_ERR_*; perform may also
	 * return KCAP_CALL_DEFERRED (its completion may be posted before
	 * perform returns: the dispatcher reserves the CQ slot first). */
	int (*decode)(void *object, struct kcap_call *c);
	int (*perform)(void *object, struct kcap_call *c);
	/* A capability to object was removed from a table (release, exit). */
	void (*drop)(void *object);
	/* Capability transfer (kernel/cap/transfer.c): false refuses it
	 * (CAPOS_ERR_NOT_PERMITTED); retain adds the reference a copy holds
	 * (NULL for objects without reference counts). */
	bool transferable;
	void (*retain)(void *object);
	/* Optional process hooks, run for every type in registry order:
	 * process_exit ends what p has pending in this type (process_destroy,
	 * before p's table is released); expire completes operations whose
	 * deadline passed and returns the earliest deadline still pending
	 * (ktime_ns; UINT64_MAX: none), which arms the timer;
	 * describe_waits appends what p waits on here (the watchdog). */
	void (*process_exit)(struct process *p);
	uint64_t (*expire)(uint64_t now);
	void (*describe_waits)(const struct process *p, char *buf, size_t len);
	/* The boot object for this type, if boot code may grant it. */
	void *(*boot_object)(void);
};

/* Declares a method table for struct kcap_type. */
#define KCAP_METHODS(table) .methods = (table), .method_count = sizeof(table) / sizeof((table)[0])

void kcap_registry_init(void);

/* What include/capos/kinds.h says of one kind, indexed by kind (name NULL:
 * no such kind). */
#define KCAP_KIND_LIMIT 64u
struct kcap_kind_info {
	const char *name;      /* CapSet / log name */
	uint64_t interface_id; /* Cap'n Proto interface id */
	bool boot;             /* boot code may grant it */
	bool stateless;        /* a spawn may pass a copy on */
};
extern const struct kcap_kind_info kcap_kinds[KCAP_KIND_LIMIT];
static inline const struct kcap_kind_info *kcap_info(const struct kcap_type *t)
{
	return &kcap_kinds[t->kind];
}

/* kind -> type, filled from the registry by kcap_registry_init; every ring
 * operation looks its type up (inline: it is on every IPC round trip). */
extern const struct kcap_type *kcap_types_by_kind[KCAP_KIND_LIMIT];
/* The registry searched in order (before kcap_registry_init). */
const struct kcap_type *kcap_type_scan(enum kcap_kind kind);
static inline const struct kcap_type *kcap_type_of(enum kcap_kind kind)
{
	if ((unsigned)kind < KCAP_KIND_LIMIT && kcap_types_by_kind[kind])
		return kcap_types_by_kind[kind];
	return kcap_type_scan(kind);
}

/* The process hooks of every type (see kcap_type). */
void kcap_process_exit(struct process *p);
uint64_t kcap_expire(uint64_t now);
void kcap_describe_waits(const struct process *p, char *buf, size_t len);

/* Drops the object reference a removed table entry held. */
void kcap_drop(const struct cap_entry *e);

struct capnp_reader;
/* Opens c's params as a Cap'n Proto message for decode, with the
 * amplification guard (a valid message never reads more words than it
 * has).  CAPOS_OK or CAPOS_ERR_BAD_MESSAGE. */
int kcap_params(const struct kcap_call *c, struct capnp_reader *m);

/* Writes a CapException message into c->result; returns
 * CAPOS_ERR_APPLICATION_EXCEPTION. type is a capos_CapException_Type. */
int kcap_exception(struct kcap_call *c, unsigned type, const char *message);
/* Refuses interface.method for the caller because of the state of its
 * memory grants (kernel/mem/user_memory.c): logs "mem: pid N I.m refused:
 * why" and writes the CapException (overloaded for a limit reached,
 * invalidArgument otherwise). */
int kcap_refuse(struct kcap_call *c, const char *interface, const char *method, bool overloaded,
                const char *why);
/* Writes an empty result struct message (methods returning ()). */
int kcap_empty_result(struct kcap_call *c);

/* A result message built in place: kcap_result_begin starts b on c's
 * result buffer, the method sets its root and fields, kcap_result_end
 * finishes the message and records its length in c->result_len.  It
 * returns CAPOS_OK, or CAPOS_ERR_NO_RESOURCES when the message did not
 * fit (a result within the method's bound always fits: the check before
 * perform proved the buffer holds it).  Inline: the calls it serves are
 * the ones the benchmarks count. */
static inline void kcap_result_begin(struct kcap_call *c, struct capnp_builder *b)
{
	capnp_builder_init(b, c->result, c->result_cap);
}
static inline int kcap_result_end(struct kcap_call *c, struct capnp_builder *b)
{
	size_t len = 0;
	if (capnp_builder_finish(b, &len) != CAPNP_OK)
		return CAPOS_ERR_NO_RESOURCES;
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

/* Does [addr, addr+size) overlap the call's result buffer?  A method that
 * unmaps or write-protects memory refuses to do it to the buffer its own
 * result goes to (the result could not be delivered after the effect). */
bool kcap_hits_result(const struct kcap_call *c, uint64_t addr, uint64_t size);

#endif
