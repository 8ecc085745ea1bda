/*
 * A fake modern virtio-net PCI function for the host tests: one memory BAR
 * holding common config, ISR, device config and notify registers, and a
 * device side that walks the driver's rings through device addresses
 * (bounds-checked against the DMA pool, as an IOMMU would).  Tests drive
 * it to misbehave: refuse FEATURES_OK, never finish reset, churn config,
 * or write arbitrary used-ring entries.
 */
#ifndef CAPOS_TESTS_FAKE_VIRTIO_NET_H
#define CAPOS_TESTS_FAKE_VIRTIO_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio/virtio.h"

#define FAKE_BAR         4
#define FAKE_BAR_SIZE    0x4000u
#define FAKE_COMMON      0x0000u
#define FAKE_ISR         0x1000u
#define FAKE_DEVCFG      0x2000u
#define FAKE_DEVCFG_LEN  0x100u
#define FAKE_NOTIFY      0x3000u
#define FAKE_NOTIFY_MULT 4u
#define FAKE_POOL_DEV    0x40000000ull /* device address of the pool's first byte */
#define FAKE_TX_KEEP     64

struct fake_vq {
	uint16_t max, size, notify_off, msix;
	bool enabled;
	uint64_t desc, avail, used;
	uint16_t last_avail, used_idx;
};

struct fake_net {
	uint8_t *pool;
	size_t pool_len;
	uint64_t offered;
	uint32_t dfsel, gfsel;
	uint64_t driver_features;
	uint8_t status, cfggen, isr;
	uint16_t qsel, num_queues;
	uint16_t config_msix;
	uint16_t msix_entries; /* vectors above this read back NO_VECTOR */
	struct fake_vq q[2];
	uint8_t mac[6];
	uint16_t net_status;
	/* misbehaviour */
	bool refuse_features, stuck_reset, hold_tx;
	unsigned cfg_churn;   /* bump config_generation on this many reads */
	uint32_t tx_used_len; /* length the device reports for TX buffers */
	/* what it saw */
	uint8_t tx[FAKE_TX_KEEP][2048];
	uint32_t tx_len[FAKE_TX_KEEP];
	unsigned tx_count, notifies[2], barriers, dma_faults;
	struct virtio_ops ops;
};

void fake_net_init(struct fake_net *f, size_t pool_len);
void fake_net_free(struct fake_net *f);
struct virtio_pci_layout fake_net_layout(void);
/* Device side: a pointer for [addr, addr+len) or NULL (counted in dma_faults). */
void *fake_dev_ptr(struct fake_net *f, uint64_t addr, uint64_t len);
/* Delivers a frame into the next posted RX buffer; false if none posted. */
bool fake_net_rx(struct fake_net *f, const void *frame, uint32_t len);
/* Consumes posted TX buffers now (when hold_tx kept them). */
void fake_net_tx(struct fake_net *f);
/* Hostile: writes a raw used entry and advances the used index by `step`. */
void fake_net_push_used(struct fake_net *f, unsigned qi, uint32_t id, uint32_t len, uint16_t step);
/* Takes the next posted head without answering it. */
int fake_net_take_avail(struct fake_net *f, unsigned qi);

#endif
