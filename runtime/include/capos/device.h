/*
 * Clients of the device capabilities (schema/device.capnp,
 * docs/devices.md "Device capabilities"): Notification, Interrupt,
 * DeviceMmio and DMAPool.  Caps are named by the caller's cap ids (from
 * the CapSet: capos_capset_find(cs, "mmio", device_DeviceMmio_ID)).
 * Every function returns 0 or a negative CAPOS_ERR_* (details in err, see
 * capos/call.h; err may be NULL).
 */
#ifndef CAPOS_RT_DEVICE_H
#define CAPOS_RT_DEVICE_H

#include <stdbool.h>
#include <stdint.h>
#include <capos/call.h>
#include <capos/ring.h>

/* ---- Notification ---- */

/* ORs bits (not 0) into the word; wakes a waiter whose mask they meet. */
int capos_notification_signal(struct capos_ring *r, uint32_t note, uint64_t bits,
                              struct capos_call_error *err);
/* Takes the pending bits within mask (0: all), sleeping in cap_enter until
 * some arrive or timeout_ns passes (0: no deadline); *bits 0 means it
 * timed out. */
int capos_notification_wait(struct capos_ring *r, uint32_t note, uint64_t mask,
                            uint64_t timeout_ns, uint64_t *bits, struct capos_call_error *err);
/* Takes the pending bits within mask (0: all) without waiting. */
int capos_notification_poll(struct capos_ring *r, uint32_t note, uint64_t mask, uint64_t *bits,
                            struct capos_call_error *err);
/* A new signal-only facet in this process's table (*sender: its cap id). */
int capos_notification_sender(struct capos_ring *r, uint32_t note, uint32_t *sender,
                              struct capos_call_error *err);

/* ---- Interrupt ---- */

struct capos_interrupt_info {
	uint8_t vector;
	uint16_t entry;
	bool msix;
	uint64_t delivered; /* arrivals so far */
	uint64_t latched;   /* arrivals that found no Notification bound */
};

/* Arrivals set bit (0..63) of Notification note (the caller's cap id). */
int capos_interrupt_bind(struct capos_ring *r, uint32_t irq, uint32_t note, unsigned bit,
                         struct capos_call_error *err);
/* Handled: unmask the entry the kernel masked on delivery. */
int capos_interrupt_ack(struct capos_ring *r, uint32_t irq, struct capos_call_error *err);
int capos_interrupt_info(struct capos_ring *r, uint32_t irq, struct capos_interrupt_info *info,
                         struct capos_call_error *err);

/* ---- DeviceMmio ---- */

#define CAPOS_DEVICE_CONFIG_BYTES 256u

struct capos_device_info {
	uint8_t bus, device, function;
	uint16_t vendor_id, device_id;
	uint8_t class_code, subclass, prog_if;
	uint8_t bar;
	uint64_t bar_size;
	bool bar_is64, bar_prefetchable;
	uint8_t msix_bar; /* 0xff: no MSI-X */
	uint32_t msix_table_offset, msix_table_bytes;
	uint8_t msix_pba_bar;
	uint32_t msix_pba_offset;
	uint8_t config[CAPOS_DEVICE_CONFIG_BYTES]; /* copy of config space 0..255 */
};

int capos_device_mmio_info(struct capos_ring *r, uint32_t mmio, struct capos_device_info *info,
                           struct capos_call_error *err);
/* Maps [offset, offset+length) of the BAR uncached; hint 0: the kernel
 * picks the address. */
int capos_device_mmio_map(struct capos_ring *r, uint32_t mmio, uint64_t offset, uint64_t length,
                          uint64_t hint, volatile void **addr, struct capos_call_error *err);
int capos_device_mmio_unmap(struct capos_ring *r, uint32_t mmio, uint64_t addr,
                            struct capos_call_error *err);

/* ---- DMAPool ---- */

/* The pool's base as the device sees it (pool offset o is *address + o),
 * its size, and whether an IOMMU translates it. */
int capos_dma_pool_device_address(struct capos_ring *r, uint32_t pool, uint64_t *address,
                                  uint64_t *size, bool *iommu, struct capos_call_error *err);
int capos_dma_pool_map(struct capos_ring *r, uint32_t pool, uint64_t hint, void **addr,
                       struct capos_call_error *err);
int capos_dma_pool_unmap(struct capos_ring *r, uint32_t pool, uint64_t addr,
                         struct capos_call_error *err);

#endif /* CAPOS_RT_DEVICE_H */
