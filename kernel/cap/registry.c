/* The registry of kernel capability types (see registry.h). */
#include "registry.h"

#include <capos/abi.h>

#include "cap_exception.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "device.capnp.h"
#include "entropy.capnp.h"
#include "thread.capnp.h"
#include "time.capnp.h"
#include "format.h"
#include "kstring.h"
#include "log.h"
#include "proc/process.h"

extern const struct kcap_type kcap_console_type;
extern const struct kcap_type kcap_boot_package_type;
extern const struct kcap_type kcap_process_spawner_type;
extern const struct kcap_type kcap_process_handle_type;
extern const struct kcap_type kcap_frame_allocator_type;
extern const struct kcap_type kcap_virtual_memory_type;
extern const struct kcap_type kcap_memory_object_type;
extern const struct kcap_type kcap_endpoint_type;
extern const struct kcap_type kcap_endpoint_client_type;
extern const struct kcap_type kcap_endpoint_facet_type;
extern const struct kcap_type kcap_notification_type;
extern const struct kcap_type kcap_interrupt_type;
extern const struct kcap_type kcap_device_mmio_type;
extern const struct kcap_type kcap_dma_pool_type;
extern const struct kcap_type kcap_timer_type;
extern const struct kcap_type kcap_entropy_source_type;
extern const struct kcap_type kcap_terminal_type;
extern const struct kcap_type kcap_system_monitor_type;
extern const struct kcap_type kcap_thread_spawner_type;
extern const struct kcap_type kcap_thread_handle_type;
extern const struct kcap_type kcap_park_space_type;

static const struct kcap_type *const kcap_types[] = {
	&kcap_console_type,
	&kcap_boot_package_type,
	&kcap_process_spawner_type,
	&kcap_process_handle_type,
	&kcap_frame_allocator_type,
	&kcap_virtual_memory_type,
	&kcap_memory_object_type,
	&kcap_endpoint_type,
	&kcap_endpoint_client_type,
	&kcap_endpoint_facet_type,
	&kcap_notification_type,
	&kcap_interrupt_type,
	&kcap_device_mmio_type,
	&kcap_dma_pool_type,
	&kcap_timer_type,
	&kcap_entropy_source_type,
	&kcap_terminal_type,
	&kcap_system_monitor_type,
	&kcap_thread_spawner_type,
	&kcap_thread_handle_type,
	&kcap_park_space_type,
};
#define KCAP_TYPE_COUNT (sizeof(kcap_types) / sizeof(kcap_types[0]))

const struct kcap_kind_info kcap_kinds[KCAP_KIND_LIMIT] = {
#define KCAP_KIND_INFO(E, name, kind, iface, boot, stateless) \
	[KCAP_##E] = {#name, iface, boot, stateless},
	CAPOS_KINDS(KCAP_KIND_INFO)
#undef KCAP_KIND_INFO
};

const struct kcap_type *kcap_types_by_kind[KCAP_KIND_LIMIT];

void kcap_registry_init(void)
{
	for (unsigned i = 0; i < KCAP_TYPE_COUNT; i++) {
		if (kcap_types[i]->kind >= KCAP_KIND_LIMIT || !kcap_kinds[kcap_types[i]->kind].name)
			panic("cap: kind %u is not in include/capos/kinds.h", kcap_types[i]->kind);
		kcap_types_by_kind[kcap_types[i]->kind] = kcap_types[i];
	}
	for (unsigned i = 0; i < KCAP_TYPE_COUNT; i++)
		kprintf("cap: registered kernel capability type %u '%s' (interface %lx)\n",
		        kcap_types[i]->kind, kcap_info(kcap_types[i])->name,
		        kcap_info(kcap_types[i])->interface_id);
}

const struct kcap_type *kcap_type_scan(enum kcap_kind kind)
{
	for (unsigned i = 0; i < KCAP_TYPE_COUNT; i++)
		if (kcap_types[i]->kind == kind)
			return kcap_types[i];
	return 0;
}

void kcap_process_exit(struct process *p)
{
	for (unsigned i = 0; i < KCAP_TYPE_COUNT; i++)
		if (kcap_types[i]->process_exit)
			kcap_types[i]->process_exit(p);
}

uint64_t kcap_expire(uint64_t now)
{
	uint64_t next = UINT64_MAX;
	for (unsigned i = 0; i < KCAP_TYPE_COUNT; i++) {
		uint64_t t = kcap_types[i]->expire ? kcap_types[i]->expire(now) : UINT64_MAX;
		next = t < next ? t : next;
	}
	return next;
}

void kcap_describe_waits(const struct process *p, char *buf, size_t len)
{
	for (unsigned i = 0; i < KCAP_TYPE_COUNT; i++)
		if (kcap_types[i]->describe_waits)
			kcap_types[i]->describe_waits(p, buf, len);
}

int kcap_refuse(struct kcap_call *c, const char *interface, const char *method, bool overloaded,
                const char *why)
{
	char msg[128];
	format_snprintf(msg, sizeof msg, "%s.%s: %s", interface, method, why);
	kprintf("mem: pid %u %s.%s refused: %s\n", c->caller->pid, interface, method, why);
	return kcap_exception(c,
	                      overloaded ? capos_CapException_Type_overloaded
	                                 : capos_CapException_Type_invalidArgument,
	                      msg);
}

void kcap_drop(const struct cap_entry *e)
{
	const struct kcap_type *t = kcap_type_of((enum kcap_kind)e->type);
	if (t && t->drop)
		t->drop(e->object);
}

int kcap_params(const struct kcap_call *c, struct capnp_reader *m)
{
	if (capnp_reader_init(m, c->params, c->params_len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	capnp_reader_guard(m, c->params_len);
	return CAPOS_OK;
}

int kcap_exception(struct kcap_call *c, unsigned type, const char *message)
{
	/* 0 (no room) cannot happen with the kernel's scratch size. */
	c->result_len = cap_exception_build(c->result, c->result_cap, type, message);
	return CAPOS_ERR_APPLICATION_EXCEPTION;
}

int kcap_empty_result(struct kcap_call *c)
{
	/* A root pointer to a struct with no data and no pointers. */
	struct capnp_builder b;
	kcap_result_begin(c, &b);
	capos_Console_write_Results_init_root(&b);
	return kcap_result_end(c, &b);
}

bool kcap_hits_result(const struct kcap_call *c, uint64_t addr, uint64_t size)
{
	uint64_t start = c->sqe->result_addr, len = c->sqe->result_len;
	if (len == 0 || size == 0 || addr + size < addr)
		return false; /* a wrapping range is refused by the range check */
	return addr < start + len && start < addr + size;
}
