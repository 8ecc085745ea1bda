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
#include <stdint.h>

#include "cap_table.h"

struct process;
struct capos_sqe;

enum kcap_kind {
	KCAP_NONE = 0,
	KCAP_CONSOLE = 1,
	KCAP_FRAME_ALLOCATOR = 2, /* kernel/cap/frame_allocator.c */
	KCAP_VIRTUAL_MEMORY = 3,  /* kernel/cap/virtual_memory.c */
	KCAP_MEMORY_OBJECT = 4,   /* kernel/cap/memory_object.c */
	/* Endpoint IPC (kernel/cap/endpoint.c): the owner side may RECV,
	 * RETURN and CALL; the client facet may only CALL. */
	KCAP_ENDPOINT = 16,
	KCAP_ENDPOINT_CLIENT = 17,
	/* Process creation and boot (issue #6). */
	KCAP_BOOT_PACKAGE = 32,      /* kernel/cap/boot_package.c    */
	KCAP_PROCESS_SPAWNER = 33,   /* kernel/cap/process_spawner.c */
	KCAP_PROCESS_HANDLE = 34,    /* kernel/cap/process_handle.c  */
};

/* Result caps of one kernel call (FrameAllocator.allocMemory,
 * ProcessSpawner.spawn...): at most this many per completion. */
#define KCAP_CALL_CAPS_MAX 16u

/* kcap_type.call's return when the completion is posted later with
 * proc_complete (the dispatcher reserves a CQ slot for it). */
#define KCAP_CALL_DEFERRED 1

/* One CALL on a kernel object.  params/result are kernel copies. */
struct kcap_call {
	struct process *caller;
	uint16_t method_id;
	const void *params;   /* Cap'n Proto message (framed), params_len bytes */
	uint32_t params_len;
	void *result;         /* 8-byte aligned scratch of result_cap bytes      */
	uint32_t result_cap;
	uint32_t result_len;  /* out: bytes of the result (or exception) message */
	uint64_t badge;       /* badge of the invoked capability                  */
	const struct capos_sqe *sqe; /* the CALL (user_data, result_addr/len)      */
	/* out: result caps, each holding one object reference.  On CAPOS_OK
	 * the dispatcher inserts them into the caller's table in order and
	 * appends one capos_cap_record each after the result message; if that
	 * is impossible (result buffer too small, table full) it drops them
	 * and the CQE carries the error.  Dropped on any other return. */
	uint32_t cap_count;
	struct cap_entry caps[KCAP_CALL_CAPS_MAX];
};

struct kcap_type {
	enum kcap_kind kind;
	const char *name;      /* CapSet / log name */
	uint64_t interface_id; /* Cap'n Proto interface id */
	/* CAPOS_OK with the result message in c->result, or
	 * CAPOS_ERR_APPLICATION_EXCEPTION with a CapException there (see
	 * kcap_exception), or another negative CAPOS_ERR_*. */
	int (*call)(void *object, struct kcap_call *c);
	/* A capability to object was removed from a table (release, exit). */
	void (*drop)(void *object);
	/* Capability transfer (kernel/cap/transfer.c): false refuses it
	 * (CAPOS_ERR_NOT_PERMITTED); retain adds the reference a copy holds
	 * (NULL for objects without reference counts). */
	bool transferable;
	void (*retain)(void *object);
	/* The boot object for this type, if boot code may grant it. */
	void *(*boot_object)(void);
};

void kcap_registry_init(void);
const struct kcap_type *kcap_type_of(enum kcap_kind kind);
const struct kcap_type *kcap_type_by_name(const char *name);

/* Inserts a capability to object into p's table. */
int kcap_grant(struct process *p, const struct kcap_type *t, void *object, uint32_t *cap_id);
/* Drops the object reference a removed table entry held. */
void kcap_drop(const struct cap_entry *e);

/* Writes a CapException message into c->result; returns
 * CAPOS_ERR_APPLICATION_EXCEPTION. type is a capos_CapException_Type. */
int kcap_exception(struct kcap_call *c, unsigned type, const char *message);
/* Writes an empty result struct message (methods returning ()). */
int kcap_empty_result(struct kcap_call *c);

#endif
