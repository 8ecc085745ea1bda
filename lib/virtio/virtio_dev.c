/* The device initialisation sequence (virtio 1.0, 3.1.1) over virtio_ops. */
#include "virtio.h"

#define CFG_READ_TRIES 8

static uint32_t common_read(const struct virtio_dev *v, uint32_t off, unsigned width)
{
	return v->ops->read(v->ops->ctx, v->layout.common.bar, v->layout.common.off + off, width);
}

static void common_write(const struct virtio_dev *v, uint32_t off, unsigned width, uint32_t val)
{
	v->ops->write(v->ops->ctx, v->layout.common.bar, v->layout.common.off + off, width, val);
}

static uint8_t status_read(const struct virtio_dev *v)
{
	return (uint8_t)common_read(v, VIRTIO_COMMON_STATUS, 1);
}

static void status_set(const struct virtio_dev *v, uint8_t bits)
{
	common_write(v, VIRTIO_COMMON_STATUS, 1, status_read(v) | bits);
}

void virtio_dev_init(struct virtio_dev *v, const struct virtio_ops *ops,
                     const struct virtio_pci_layout *layout)
{
	*v = (struct virtio_dev){.ops = ops, .layout = *layout, .state = VIRTIO_S_RESET};
}

int virtio_dev_reset(struct virtio_dev *v)
{
	common_write(v, VIRTIO_COMMON_STATUS, 1, 0);
	v->features = 0;
	for (unsigned i = 0; i < VIRTIO_RESET_POLLS; i++) {
		if (status_read(v) == 0) {
			v->state = VIRTIO_S_RESET;
			return VIRTIO_OK;
		}
	}
	v->errors++;
	v->state = VIRTIO_S_FAILED;
	return VIRTIO_ERR_RESET;
}

int virtio_dev_begin(struct virtio_dev *v)
{
	int err = virtio_dev_reset(v);
	if (err)
		return err;
	status_set(v, VIRTIO_STATUS_ACKNOWLEDGE);
	status_set(v, VIRTIO_STATUS_DRIVER);
	v->num_queues = (uint16_t)common_read(v, VIRTIO_COMMON_NUMQ, 2);
	v->state = VIRTIO_S_DRIVER;
	return VIRTIO_OK;
}

void virtio_dev_fail(struct virtio_dev *v)
{
	status_set(v, VIRTIO_STATUS_FAILED);
	v->state = VIRTIO_S_FAILED;
}

static uint64_t device_features(const struct virtio_dev *v)
{
	common_write(v, VIRTIO_COMMON_DFSELECT, 4, 0);
	uint64_t lo = common_read(v, VIRTIO_COMMON_DF, 4);
	common_write(v, VIRTIO_COMMON_DFSELECT, 4, 1);
	uint64_t hi = common_read(v, VIRTIO_COMMON_DF, 4);
	return lo | hi << 32;
}

static void driver_features(const struct virtio_dev *v, uint64_t f)
{
	common_write(v, VIRTIO_COMMON_GFSELECT, 4, 0);
	common_write(v, VIRTIO_COMMON_GF, 4, (uint32_t)f);
	common_write(v, VIRTIO_COMMON_GFSELECT, 4, 1);
	common_write(v, VIRTIO_COMMON_GF, 4, (uint32_t)(f >> 32));
}

int virtio_dev_negotiate(struct virtio_dev *v, uint64_t wanted, uint64_t required)
{
	if (v->state != VIRTIO_S_DRIVER)
		return VIRTIO_ERR_STATE;
	required |= VIRTIO_BIT(VIRTIO_F_VERSION_1);
	v->offered = device_features(v);
	uint64_t accept = v->offered & (wanted | required);
	if ((accept & required) != required) {
		virtio_dev_fail(v);
		return VIRTIO_ERR_FEATURES;
	}
	driver_features(v, accept);
	status_set(v, VIRTIO_STATUS_FEATURES_OK);
	if (!(status_read(v) & VIRTIO_STATUS_FEATURES_OK)) {
		v->errors++;
		virtio_dev_fail(v);
		return VIRTIO_ERR_FEATURES;
	}
	v->features = accept;
	v->state = VIRTIO_S_FEATURES_OK;
	return VIRTIO_OK;
}

int virtio_dev_driver_ok(struct virtio_dev *v)
{
	if (v->state != VIRTIO_S_FEATURES_OK)
		return VIRTIO_ERR_STATE;
	status_set(v, VIRTIO_STATUS_DRIVER_OK);
	v->state = VIRTIO_S_LIVE;
	return VIRTIO_OK;
}

int virtio_dev_config_vector(struct virtio_dev *v, uint16_t vector)
{
	common_write(v, VIRTIO_COMMON_MSIX, 2, vector);
	if ((uint16_t)common_read(v, VIRTIO_COMMON_MSIX, 2) != vector) {
		v->errors++;
		return VIRTIO_ERR_QUEUE;
	}
	return VIRTIO_OK;
}

bool virtio_dev_needs_reset(const struct virtio_dev *v)
{
	return (status_read(v) & VIRTIO_STATUS_NEEDS_RESET) != 0;
}

uint32_t virtio_cfg_read(const struct virtio_dev *v, uint32_t off, unsigned width)
{
	if (!v->layout.device.len || (uint64_t)off + width > v->layout.device.len)
		return 0; /* absent config reads as zero rather than outside the region */
	return v->ops->read(v->ops->ctx, v->layout.device.bar, v->layout.device.off + off, width);
}

int virtio_cfg_read_bytes(struct virtio_dev *v, uint32_t off, void *buf, unsigned len)
{
	uint8_t *out = buf;
	if (!v->layout.device.len || (uint64_t)off + len > v->layout.device.len)
		return VIRTIO_ERR_ARG;
	for (unsigned tries = 0; tries < CFG_READ_TRIES; tries++) {
		uint32_t gen = common_read(v, VIRTIO_COMMON_CFGGEN, 1);
		for (unsigned i = 0; i < len; i++)
			out[i] = (uint8_t)virtio_cfg_read(v, off + i, 1);
		if (common_read(v, VIRTIO_COMMON_CFGGEN, 1) == gen)
			return VIRTIO_OK;
	}
	v->errors++;
	return VIRTIO_ERR_CONFIG;
}

uint8_t virtio_isr_read(const struct virtio_dev *v)
{
	return (uint8_t)v->ops->read(v->ops->ctx, v->layout.isr.bar, v->layout.isr.off, 1);
}
