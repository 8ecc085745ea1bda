/*
 * Clients of the device capabilities over the generated Cap'n Proto code
 * (capos/device.h, schema/device.capnp).
 */
#include <capos/device.h>
#include <capos/string.h>

#include "capnp/capnp.h"
#include "device.capnp.h"

#define MSG_WORDS    16u  /* params: segment table, root, 3 data words */
#define RESULT_BYTES 768u /* DeviceMmio.info (config copy) or a CapException */

/* One call: params already built in b; the result message in result. */
static int dev_call(struct capos_ring *r, uint32_t cap, uint16_t method, struct capnp_builder *b,
                    uint64_t *result, struct capos_reply *reply, struct capos_call_error *err)
{
	if (r == NULL)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	size_t len = 0;
	if (capnp_builder_finish(b, &len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	struct capos_call call = {
		.cap_id = cap,
		.method_id = method,
		.params = b->arena,
		.params_len = (uint32_t)len,
		.result = result,
		.result_cap = RESULT_BYTES,
	};
	return capos_call(r, &call, reply, err);
}

/* The result message as a reader, or a local BAD_MESSAGE. */
static int open_result(struct capnp_reader *m, const uint64_t *result,
                       const struct capos_reply *reply, struct capos_call_error *err)
{
	if (capnp_reader_init(m, result, reply->result_len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	return 0;
}

static int read_ok(struct capnp_reader *m, struct capos_call_error *err)
{
	return capnp_reader_error(m) == CAPNP_OK ? 0 : capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
}

#define BEGIN(S)                                             \
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8]; \
	struct capnp_builder b;                              \
	struct capos_reply reply = {0};                      \
	struct capnp_reader m;                               \
	capnp_builder_init(&b, arena, sizeof(arena));        \
	S##_builder p = S##_init_root(&b);                   \
	(void)p;                                             \
	(void)m

/* ---- Notification ---- */

int capos_notification_signal(struct capos_ring *r, uint32_t note, uint64_t bits,
                              struct capos_call_error *err)
{
	BEGIN(device_Notification_signal_Params);
	device_Notification_signal_Params_set_bits(p, bits);
	return dev_call(r, note, device_Notification_signal_METHOD, &b, result, &reply, err);
}

int capos_notification_wait(struct capos_ring *r, uint32_t note, uint64_t mask,
                            uint64_t timeout_ns, uint64_t *bits, struct capos_call_error *err)
{
	BEGIN(device_Notification_wait_Params);
	device_Notification_wait_Params_set_mask(p, mask);
	device_Notification_wait_Params_set_timeoutNs(p, timeout_ns);
	int ret = dev_call(r, note, device_Notification_wait_METHOD, &b, result, &reply, err);
	if (ret != 0 || (ret = open_result(&m, result, &reply, err)) != 0)
		return ret;
	*bits = device_Notification_wait_Results_get_bits(device_Notification_wait_Results_read_root(&m));
	return read_ok(&m, err);
}

int capos_notification_poll(struct capos_ring *r, uint32_t note, uint64_t mask, uint64_t *bits,
                            struct capos_call_error *err)
{
	BEGIN(device_Notification_poll_Params);
	device_Notification_poll_Params_set_mask(p, mask);
	int ret = dev_call(r, note, device_Notification_poll_METHOD, &b, result, &reply, err);
	if (ret != 0 || (ret = open_result(&m, result, &reply, err)) != 0)
		return ret;
	*bits = device_Notification_poll_Results_get_bits(device_Notification_poll_Results_read_root(&m));
	return read_ok(&m, err);
}

int capos_notification_sender(struct capos_ring *r, uint32_t note, uint32_t *sender,
                              struct capos_call_error *err)
{
	BEGIN(device_Notification_sender_Params);
	int ret = dev_call(r, note, device_Notification_sender_METHOD, &b, result, &reply, err);
	if (ret != 0 || (ret = open_result(&m, result, &reply, err)) != 0)
		return ret;
	uint16_t i = device_Notification_sender_Results_get_senderIndex(
		device_Notification_sender_Results_read_root(&m));
	if ((ret = read_ok(&m, err)) != 0)
		return ret;
	if (i >= reply.cap_count || reply.caps[i].interface_id != device_Notification_ID)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	*sender = reply.caps[i].cap_id;
	return 0;
}

/* ---- Interrupt ---- */

int capos_interrupt_bind(struct capos_ring *r, uint32_t irq, uint32_t note, unsigned bit,
                         struct capos_call_error *err)
{
	BEGIN(device_Interrupt_bind_Params);
	device_Interrupt_bind_Params_set_notification(p, note);
	device_Interrupt_bind_Params_set_bit(p, (uint8_t)(bit > 255 ? 255 : bit));
	return dev_call(r, irq, device_Interrupt_bind_METHOD, &b, result, &reply, err);
}

int capos_interrupt_ack(struct capos_ring *r, uint32_t irq, struct capos_call_error *err)
{
	BEGIN(device_Interrupt_ack_Params);
	return dev_call(r, irq, device_Interrupt_ack_METHOD, &b, result, &reply, err);
}

int capos_interrupt_info(struct capos_ring *r, uint32_t irq, struct capos_interrupt_info *info,
                         struct capos_call_error *err)
{
	BEGIN(device_Interrupt_info_Params);
	int ret = dev_call(r, irq, device_Interrupt_info_METHOD, &b, result, &reply, err);
	if (ret != 0 || (ret = open_result(&m, result, &reply, err)) != 0)
		return ret;
	device_Interrupt_info_Results_reader x = device_Interrupt_info_Results_read_root(&m);
	info->vector = device_Interrupt_info_Results_get_vector(x);
	info->entry = device_Interrupt_info_Results_get_entry(x);
	info->msix = device_Interrupt_info_Results_get_msix(x);
	info->delivered = device_Interrupt_info_Results_get_delivered(x);
	info->latched = device_Interrupt_info_Results_get_latched(x);
	return read_ok(&m, err);
}

/* ---- DeviceMmio ---- */

int capos_device_mmio_info(struct capos_ring *r, uint32_t mmio, struct capos_device_info *info,
                           struct capos_call_error *err)
{
	BEGIN(device_DeviceMmio_info_Params);
	int ret = dev_call(r, mmio, device_DeviceMmio_info_METHOD, &b, result, &reply, err);
	if (ret != 0 || (ret = open_result(&m, result, &reply, err)) != 0)
		return ret;
	device_DeviceInfo_reader x =
		device_DeviceMmio_info_Results_get_info(device_DeviceMmio_info_Results_read_root(&m));
	memset(info, 0, sizeof(*info));
	info->bus = device_DeviceInfo_get_bus(x);
	info->device = device_DeviceInfo_get_device(x);
	info->function = device_DeviceInfo_get_function(x);
	info->vendor_id = device_DeviceInfo_get_vendorId(x);
	info->device_id = device_DeviceInfo_get_deviceId(x);
	info->class_code = device_DeviceInfo_get_classCode(x);
	info->subclass = device_DeviceInfo_get_subclass(x);
	info->prog_if = device_DeviceInfo_get_progIf(x);
	info->bar = device_DeviceInfo_get_bar(x);
	info->bar_size = device_DeviceInfo_get_barSize(x);
	info->bar_is64 = device_DeviceInfo_get_barIs64(x);
	info->bar_prefetchable = device_DeviceInfo_get_barPrefetchable(x);
	info->msix_bar = device_DeviceInfo_get_msixBar(x);
	info->msix_table_offset = device_DeviceInfo_get_msixTableOffset(x);
	info->msix_table_bytes = device_DeviceInfo_get_msixTableBytes(x);
	info->msix_pba_bar = device_DeviceInfo_get_msixPbaBar(x);
	info->msix_pba_offset = device_DeviceInfo_get_msixPbaOffset(x);
	struct capnp_data cfg = device_DeviceInfo_get_config(x);
	if ((ret = read_ok(&m, err)) != 0)
		return ret;
	if (cfg.len != CAPOS_DEVICE_CONFIG_BYTES)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	memcpy(info->config, cfg.ptr, CAPOS_DEVICE_CONFIG_BYTES);
	return 0;
}

int capos_device_mmio_map(struct capos_ring *r, uint32_t mmio, uint64_t offset, uint64_t length,
                          uint64_t hint, volatile void **addr, struct capos_call_error *err)
{
	BEGIN(device_DeviceMmio_map_Params);
	device_DeviceMmio_map_Params_set_offset(p, offset);
	device_DeviceMmio_map_Params_set_length(p, length);
	device_DeviceMmio_map_Params_set_hint(p, hint);
	int ret = dev_call(r, mmio, device_DeviceMmio_map_METHOD, &b, result, &reply, err);
	if (ret != 0 || (ret = open_result(&m, result, &reply, err)) != 0)
		return ret;
	uint64_t a = device_DeviceMmio_map_Results_get_addr(device_DeviceMmio_map_Results_read_root(&m));
	if ((ret = read_ok(&m, err)) != 0)
		return ret;
	*addr = (volatile void *)(uintptr_t)a;
	return 0;
}

int capos_device_mmio_unmap(struct capos_ring *r, uint32_t mmio, uint64_t addr,
                            struct capos_call_error *err)
{
	BEGIN(device_DeviceMmio_unmap_Params);
	device_DeviceMmio_unmap_Params_set_addr(p, addr);
	return dev_call(r, mmio, device_DeviceMmio_unmap_METHOD, &b, result, &reply, err);
}

/* ---- DMAPool ---- */

int capos_dma_pool_device_address(struct capos_ring *r, uint32_t pool, uint64_t *address,
                                  uint64_t *size, bool *iommu, struct capos_call_error *err)
{
	BEGIN(device_DMAPool_deviceAddress_Params);
	int ret = dev_call(r, pool, device_DMAPool_deviceAddress_METHOD, &b, result, &reply, err);
	if (ret != 0 || (ret = open_result(&m, result, &reply, err)) != 0)
		return ret;
	device_DMAPool_deviceAddress_Results_reader x =
		device_DMAPool_deviceAddress_Results_read_root(&m);
	*address = device_DMAPool_deviceAddress_Results_get_address(x);
	*size = device_DMAPool_deviceAddress_Results_get_size(x);
	*iommu = device_DMAPool_deviceAddress_Results_get_iommu(x);
	return read_ok(&m, err);
}

int capos_dma_pool_map(struct capos_ring *r, uint32_t pool, uint64_t hint, void **addr,
                       struct capos_call_error *err)
{
	BEGIN(device_DMAPool_map_Params);
	device_DMAPool_map_Params_set_hint(p, hint);
	int ret = dev_call(r, pool, device_DMAPool_map_METHOD, &b, result, &reply, err);
	if (ret != 0 || (ret = open_result(&m, result, &reply, err)) != 0)
		return ret;
	uint64_t a = device_DMAPool_map_Results_get_addr(device_DMAPool_map_Results_read_root(&m));
	if ((ret = read_ok(&m, err)) != 0)
		return ret;
	*addr = (void *)(uintptr_t)a;
	return 0;
}

int capos_dma_pool_unmap(struct capos_ring *r, uint32_t pool, uint64_t addr,
                         struct capos_call_error *err)
{
	BEGIN(device_DMAPool_unmap_Params);
	device_DMAPool_unmap_Params_set_addr(p, addr);
	return dev_call(r, pool, device_DMAPool_unmap_METHOD, &b, result, &reply, err);
}
