/*
 * Interrupt capability (see interrupt.h).
 */
#include "cap/interrupt.h"

#include <capos/abi.h>

#include "arch/x86_64/intc.h"
#include "capnp/capnp.h"
#include "cap/notification.h"
#include "cap/registry.h"
#include "dev/device_claim.h"
#include "dev/msi.h"
#include "capos.capnp.h"
#include "device.capnp.h"
#include "format.h"
#include "kstring.h"
#include "log.h"
#include "proc/process.h"

struct interrupt {
	bool used;
	uint32_t refs;
	struct dev_claim *claim;
	uint16_t entry;
	bool msix;
	int vector;
	char who[48];              /* the vector's owner in intc's log */
	struct notification *note; /* bound, holding a reference */
	uint8_t bit;
	bool waiting; /* arrived with nothing bound: signal at bind */
	uint64_t delivered, latched;
};

static struct interrupt irqs[INTERRUPT_MAX];

unsigned interrupt_live(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < INTERRUPT_MAX; i++)
		n += irqs[i].used;
	return n;
}

/* Interrupt context: which Interrupt owns the vector. */
static void interrupt_irq(struct trap_frame *tf)
{
	for (unsigned i = 0; i < INTERRUPT_MAX; i++) {
		struct interrupt *o = &irqs[i];
		if (!o->used || o->vector != (int)tf->vector)
			continue;
		o->delivered++;
		if (o->msix)
			msix_set_masked(o->claim->pci, o->entry, true); /* until ack */
		if (o->note) {
			notification_signal(o->note, UINT64_C(1) << o->bit);
		} else {
			o->latched++;
			o->waiting = true;
		}
		return;
	}
}

const char *interrupt_entry_problem(const struct dev_claim *cl, unsigned entry)
{
	const struct pci_device *d = cl->pci;
	if (d->msix_cap)
		return entry < d->msix_table_size ? 0 : "MSI-X entry beyond the table";
	if (d->msi_cap)
		return entry == 0 ? 0 : "the function has MSI only: entry must be 0";
	return "the function has neither MSI-X nor MSI";
}

int interrupt_create(struct dev_claim *cl, unsigned entry, struct cap_entry *out,
                     const char **why)
{
	struct interrupt *o = 0;
	for (unsigned i = 0; i < INTERRUPT_MAX && o == 0; i++)
		if (!irqs[i].used)
			o = &irqs[i];
	*why = "every Interrupt slot is taken";
	if (o == 0)
		return CAPOS_ERR_NO_RESOURCES;
	memset(o, 0, sizeof(*o));
	const struct pci_device *d = cl->pci;
	o->msix = d->msix_cap != 0;
	o->entry = (uint16_t)entry;
	o->claim = cl;
	format_snprintf(o->who, sizeof o->who, "%s entry %u", cl->owner, entry);
	o->used = true; /* before routing: an arrival may come at once */
	o->vector = o->msix ? msix_route(d, entry, interrupt_irq, o->who)
	                    : msi_route(d, interrupt_irq, o->who);
	if (o->vector < 0) {
		*why = msi_strerror(o->vector);
		memset(o, 0, sizeof(*o));
		return CAPOS_ERR_NO_RESOURCES;
	}
	o->refs = 1;
	cl->refs++;
	/* clang-format off */
	*out = (struct cap_entry){.object = o, .interface_id = device_Interrupt_ID,
	                          .type = KCAP_INTERRUPT};
	/* clang-format on */
	char name[32];
	dev_name(d, name, sizeof name);
	kprintf("device: Interrupt of %s %s entry %u -> vector %d for '%s'\n", name,
	        o->msix ? "MSI-X" : "MSI", entry, o->vector, cl->owner);
	return CAPOS_OK;
}

static void unbind(struct interrupt *o)
{
	if (o->note == 0)
		return;
	struct notification *n = o->note;
	o->note = 0;
	notification_unbind(n);
}

static void put(struct interrupt *o)
{
	if (o->refs == 0)
		panic("interrupt: reference dropped below 0");
	if (--o->refs != 0)
		return;
	unbind(o);
	if (o->msix)
		msix_unroute(o->claim->pci, o->entry, o->vector);
	else
		msi_unroute(o->claim->pci, o->vector);
	kprintf("device: Interrupt '%s' freed: %lu delivered, %lu latched with nothing bound\n",
	        o->who, o->delivered, o->latched);
	dev_claim_put(o->claim);
	memset(o, 0, sizeof(*o));
}

static int refuse(struct kcap_call *c, const char *method, const char *why)
{
	return kcap_refuse(c, "Interrupt", method, false, why);
}

static const struct kcall_method irq_methods[] = {
	{device_Interrupt_bind_METHOD, "bind", {KCALL_FLAT(device_Interrupt_bind_Results), 0}},
	{device_Interrupt_ack_METHOD, "ack", {KCALL_FLAT(device_Interrupt_ack_Results), 0}},
	{device_Interrupt_info_METHOD, "info", {KCALL_FLAT(device_Interrupt_info_Results), 0}},
};

/* bind: arg[0] the caller's Notification cap id, arg[1] the bit. */
static int irq_decode(void *object, struct kcap_call *c)
{
	(void)object;
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (c->method_id == device_Interrupt_bind_METHOD) {
		device_Interrupt_bind_Params_reader r = device_Interrupt_bind_Params_read_root(&m);
		c->arg[0] = device_Interrupt_bind_Params_get_notification(r);
		c->arg[1] = device_Interrupt_bind_Params_get_bit(r);
	}
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (c->method_id != device_Interrupt_bind_METHOD)
		return CAPOS_OK;
	if (c->arg[1] > 63)
		return refuse(c, "bind", "bit must be 0..63");
	struct cap_entry *e;
	if (cap_table_lookup(proc_caps(c->caller), (uint32_t)c->arg[0], &e) != CAPOS_OK ||
	    notification_of(e) == 0)
		return refuse(c, "bind", "notification is not a Notification cap of the caller");
	return CAPOS_OK;
}

static int info_perform(struct interrupt *o, struct kcap_call *c)
{
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, c->result, c->result_cap);
	device_Interrupt_info_Results_builder r = device_Interrupt_info_Results_init_root(&b);
	device_Interrupt_info_Results_set_vector(r, (uint8_t)o->vector);
	device_Interrupt_info_Results_set_entry(r, o->entry);
	device_Interrupt_info_Results_set_msix(r, o->msix);
	device_Interrupt_info_Results_set_delivered(r, o->delivered);
	device_Interrupt_info_Results_set_latched(r, o->latched);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		panic("Interrupt: info does not fit the kernel scratch");
	c->result_len = (uint32_t)len;
	return CAPOS_OK;
}

static int irq_perform(void *object, struct kcap_call *c)
{
	struct interrupt *o = object;
	switch (c->method_id) {
	case device_Interrupt_bind_METHOD: {
		struct cap_entry *e;
		if (cap_table_lookup(proc_caps(c->caller), (uint32_t)c->arg[0], &e) != CAPOS_OK)
			return refuse(c, "bind", "notification is not a Notification cap of the caller");
		struct notification *n = notification_of(e); /* checked in decode */
		/* clang-format off */
		notification_bind(n); /* before unbind: rebinding the same one keeps it */
		/* clang-format on */
		unbind(o);
		o->note = n;
		o->bit = (uint8_t)c->arg[1];
		kprintf("device: Interrupt '%s' bound to bit %u by pid %u%s\n", o->who, o->bit,
		        c->caller->pid, o->waiting ? " (signals the arrival latched meanwhile)" : "");
		if (o->waiting) {
			o->waiting = false;
			notification_signal(n, UINT64_C(1) << o->bit);
		}
		return kcap_empty_result(c);
	}
	case device_Interrupt_ack_METHOD:
		if (o->msix)
			msix_set_masked(o->claim->pci, o->entry, false);
		return kcap_empty_result(c);
	default:
		return info_perform(o, c);
	}
}

static void irq_drop(void *object) { put(object); }

static void irq_retain(void *object) { ((struct interrupt *)object)->refs++; }

const struct kcap_type kcap_interrupt_type = {
	.kind = KCAP_INTERRUPT,
	KCAP_METHODS(irq_methods),
	.decode = irq_decode,
	.perform = irq_perform,
	.drop = irq_drop,
	.transferable = false, /* device authority stays with the manifest's driver */
	.retain = irq_retain,
	.boot_object = 0, /* made per service by the spawn (service_caps.c) */
};
