/*
 * The virtio-net driver service (docs/devices.md, "virtio-net driver"):
 * device.c brings the device up from the caps its manifest entry grants
 * (DeviceMmio, DMAPool, Interrupt, Notification); serve.c exports the Nic
 * capability on its endpoint and sleeps on the Notification between
 * interrupts and calls.
 */
#ifndef CAPOS_SERVICES_VNET_SVC_H
#define CAPOS_SERVICES_VNET_SVC_H

#include <stdbool.h>
#include <stdint.h>

#include "nic_core.h"
#include "virtio/virtio_net.h"

#define VNET_SVC_QSIZE      256 /* QEMU's default queue size */
#define VNET_SVC_IRQ_BIT    0   /* the Interrupt's bit in the Notification */
#define VNET_SVC_MSIX_ENTRY 0   /* both queues and config changes */

struct vnet_svc {
	const char *name;                   /* instance name, the "[name]" of every line */
	uint32_t mmio, irq, pool, note, ep; /* cap ids */
	volatile uint8_t *bar;              /* the BAR, mapped uncached */
	uint8_t bar_index;
	uint64_t bar_size;
	uint8_t *pool_va; /* the DMA pool, mapped */
	uint64_t pool_dev, pool_size;
	bool iommu;
	struct virtio_ops ops;
	struct vnet vn;
	struct nic_core core;
	uint64_t interrupts; /* Notification wakes for the interrupt bit */
	/* Test mode, for the smoke that kills a driver mid-transfer: an
	 * instance named "vnet_crash" faults on purpose right after its first
	 * sendBatch, with frames in flight, so the kernel's device teardown
	 * (not the driver's vnet_stop) must quiesce the device. */
	bool crash_test;
};

/* Finds the caps, maps BAR and pool, starts the device (log: device
 * found, features, MAC, link).  0 or a negative error (logged). */
int vnet_svc_start(struct vnet_svc *s);

/* Resets the device and checks every buffer came back (log line). */
int vnet_svc_stop(struct vnet_svc *s);

/* Serves the Nic until the last client is gone; 0 or an error. */
int vnet_svc_serve(struct vnet_svc *s);

#endif
