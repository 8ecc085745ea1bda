/* lib/virtio: vendor-capability parsing and the device init sequence. */
#include <criterion/criterion.h>
#include <string.h>

#include "fake_virtio_net.h"
#include "virtio/virtio.h"

static uint8_t cfg[256];

static uint32_t cfg_read(void *ctx, uint8_t b, uint8_t d, uint8_t f, uint16_t off)
{
	(void)ctx, (void)b, (void)d, (void)f;
	cr_assert_lt(off, 256);
	uint32_t v;
	memcpy(&v, cfg + (off & ~3u), 4);
	return v;
}

static void cfg_write(void *ctx, uint8_t b, uint8_t d, uint8_t f, uint16_t off, uint32_t v)
{
	(void)ctx, (void)b, (void)d, (void)f, (void)off, (void)v;
}

static const struct pci_cfg_ops ops = {.read32 = cfg_read, .write32 = cfg_write};
static struct pci_device dev;

static void put32(unsigned at, uint32_t v)
{
	memcpy(cfg + at, &v, 4);
}

/* A vendor capability at `at` linking to `next`. */
static void vcap(uint8_t at, uint8_t next, uint8_t type, uint8_t bar, uint32_t off, uint32_t len,
                 uint8_t cap_len)
{
	cfg[at] = PCI_CAP_VENDOR;
	cfg[at + 1] = next;
	cfg[at + 2] = cap_len;
	cfg[at + 3] = type;
	cfg[at + 4] = bar;
	put32(at + 8, off);
	put32(at + 12, len);
}

static void setup(void)
{
	memset(cfg, 0, sizeof cfg);
	memset(&dev, 0, sizeof dev);
	cfg[PCI_STATUS] = PCI_STATUS_CAPS;
	cfg[PCI_CAP_PTR] = 0x40;
	cfg[0x40] = PCI_CAP_MSIX; /* something else first, as on QEMU */
	cfg[0x41] = 0x50;
	vcap(0x50, 0x60, VIRTIO_PCI_CAP_COMMON, 4, 0x0000, 0x1000, 16);
	vcap(0x60, 0x70, VIRTIO_PCI_CAP_ISR, 4, 0x1000, 0x1000, 16);
	vcap(0x70, 0x80, VIRTIO_PCI_CAP_DEVICE, 4, 0x2000, 0x1000, 16);
	vcap(0x80, 0x00, VIRTIO_PCI_CAP_NOTIFY, 4, 0x3000, 0x1000, 20);
	put32(0x80 + 16, 4);
	dev.bars[4] = (struct pci_bar){.type = PCI_BAR_MEM64, .base = 0xfe000000, .size = 0x4000};
}

TestSuite(virtio_pci, .init = setup);

Test(virtio_pci, parses_qemu_like_layout)
{
	struct virtio_pci_layout l;
	cr_assert_eq(virtio_pci_parse(&ops, &dev, &l), VIRTIO_OK);
	cr_expect_eq(l.common.bar, 4);
	cr_expect_eq(l.common.off, 0);
	cr_expect_eq(l.isr.off, 0x1000);
	cr_expect_eq(l.device.off, 0x2000);
	cr_expect_eq(l.notify.off, 0x3000);
	cr_expect_eq(l.notify_mult, 4);
}

Test(virtio_pci, missing_notify_is_refused)
{
	cfg[0x71] = 0; /* list ends before notify */
	struct virtio_pci_layout l;
	cr_expect_eq(virtio_pci_parse(&ops, &dev, &l), VIRTIO_ERR_NO_CAP);
}

Test(virtio_pci, region_beyond_bar_refused)
{
	put32(0x50 + 12, 0x4001); /* common runs past the 16 KiB BAR */
	struct virtio_pci_layout l;
	cr_expect_eq(virtio_pci_parse(&ops, &dev, &l), VIRTIO_ERR_BAD_CAP);
}

Test(virtio_pci, offset_wrap_refused)
{
	put32(0x60 + 8, 0xffffffffu);
	put32(0x60 + 12, 2);
	struct virtio_pci_layout l;
	cr_expect_eq(virtio_pci_parse(&ops, &dev, &l), VIRTIO_ERR_BAD_CAP);
}

Test(virtio_pci, bad_bar_numbers_refused)
{
	struct virtio_pci_layout l;
	cfg[0x50 + 4] = 7;
	cr_expect_eq(virtio_pci_parse(&ops, &dev, &l), VIRTIO_ERR_BAD_CAP);
	cfg[0x50 + 4] = 0; /* BAR 0 is not implemented */
	cr_expect_eq(virtio_pci_parse(&ops, &dev, &l), VIRTIO_ERR_BAD_CAP);
	dev.bars[0] = (struct pci_bar){.type = PCI_BAR_IO, .base = 0xc000, .size = 0x4000};
	cr_expect_eq(virtio_pci_parse(&ops, &dev, &l), VIRTIO_ERR_BAD_CAP, "I/O BARs are not mapped");
}

Test(virtio_pci, short_common_or_notify_cap_refused)
{
	struct virtio_pci_layout l;
	put32(0x50 + 12, 0x20); /* smaller than the common structure */
	cr_expect_eq(virtio_pci_parse(&ops, &dev, &l), VIRTIO_ERR_BAD_CAP);
	setup();
	cfg[0x82] = 16; /* notify capability without its multiplier */
	cr_expect_eq(virtio_pci_parse(&ops, &dev, &l), VIRTIO_ERR_BAD_CAP);
}

Test(virtio_pci, first_good_capability_of_a_type_wins)
{
	/* A bad common cap, then a good one: the good one is used. */
	cfg[0x81] = 0x90;
	vcap(0x90, 0xa0, VIRTIO_PCI_CAP_COMMON, 4, 0x0800, 0x100, 16);
	vcap(0xa0, 0x00, VIRTIO_PCI_CAP_COMMON, 4, 0x0c00, 0x100, 16);
	put32(0x50 + 12, 0x10000);
	struct virtio_pci_layout l;
	cr_assert_eq(virtio_pci_parse(&ops, &dev, &l), VIRTIO_OK);
	cr_expect_eq(l.common.off, 0x0800);
}

Test(virtio_pci, looping_list_refused)
{
	cfg[0x81] = 0x50;
	struct virtio_pci_layout l;
	cr_expect_eq(virtio_pci_parse(&ops, &dev, &l), VIRTIO_ERR_BAD_CAP);
}

/* The init sequence, on the fake device. */
static struct fake_net f;
static struct virtio_dev vd;

static void dev_setup(void)
{
	struct virtio_pci_layout l = fake_net_layout();
	fake_net_init(&f, 4096);
	virtio_dev_init(&vd, &f.ops, &l);
}

static void dev_teardown(void)
{
	fake_net_free(&f);
}

TestSuite(virtio_dev, .init = dev_setup, .fini = dev_teardown);

Test(virtio_dev, full_sequence_sets_status_bits_in_order)
{
	cr_assert_eq(virtio_dev_begin(&vd), VIRTIO_OK);
	cr_expect_eq(f.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	cr_expect_eq(vd.num_queues, 3);
	cr_assert_eq(virtio_dev_negotiate(&vd, VIRTIO_BIT(5) | VIRTIO_BIT(40), 0), VIRTIO_OK);
	cr_expect_eq(vd.features, VIRTIO_BIT(5) | VIRTIO_BIT(VIRTIO_F_VERSION_1),
	             "only offered bits accepted");
	cr_expect_eq(f.driver_features, vd.features);
	cr_expect(f.status & VIRTIO_STATUS_FEATURES_OK);
	cr_assert_eq(virtio_dev_driver_ok(&vd), VIRTIO_OK);
	cr_expect_eq(f.status, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	                               VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
	cr_expect_eq(vd.state, VIRTIO_S_LIVE);
	cr_expect_eq(virtio_dev_reset(&vd), VIRTIO_OK);
	cr_expect_eq(f.status, 0);
}

Test(virtio_dev, legacy_only_device_refused)
{
	f.offered &= ~VIRTIO_BIT(VIRTIO_F_VERSION_1);
	cr_assert_eq(virtio_dev_begin(&vd), VIRTIO_OK);
	cr_expect_eq(virtio_dev_negotiate(&vd, 0, 0), VIRTIO_ERR_FEATURES);
	cr_expect(f.status & VIRTIO_STATUS_FAILED);
	cr_expect_eq(vd.state, VIRTIO_S_FAILED);
	cr_expect_eq(virtio_dev_driver_ok(&vd), VIRTIO_ERR_STATE);
}

Test(virtio_dev, missing_required_feature_refused)
{
	cr_assert_eq(virtio_dev_begin(&vd), VIRTIO_OK);
	cr_expect_eq(virtio_dev_negotiate(&vd, 0, VIRTIO_BIT(40)), VIRTIO_ERR_FEATURES);
	cr_expect(f.status & VIRTIO_STATUS_FAILED);
	cr_expect_eq(f.driver_features, 0, "nothing written before the check");
}

Test(virtio_dev, features_ok_cleared_by_device)
{
	f.refuse_features = true;
	cr_assert_eq(virtio_dev_begin(&vd), VIRTIO_OK);
	cr_expect_eq(virtio_dev_negotiate(&vd, 0, 0), VIRTIO_ERR_FEATURES);
	cr_expect(f.status & VIRTIO_STATUS_FAILED);
	cr_expect_eq(vd.errors, 1);
}

Test(virtio_dev, stuck_reset_is_bounded)
{
	f.stuck_reset = true;
	cr_expect_eq(virtio_dev_begin(&vd), VIRTIO_ERR_RESET);
	cr_expect_eq(vd.state, VIRTIO_S_FAILED);
	cr_expect_eq(vd.errors, 1);
}

Test(virtio_dev, out_of_order_calls_refused)
{
	cr_expect_eq(virtio_dev_negotiate(&vd, 0, 0), VIRTIO_ERR_STATE);
	cr_expect_eq(virtio_dev_driver_ok(&vd), VIRTIO_ERR_STATE);
	cr_assert_eq(virtio_dev_begin(&vd), VIRTIO_OK);
	cr_expect_eq(virtio_dev_driver_ok(&vd), VIRTIO_ERR_STATE, "DRIVER_OK before FEATURES_OK");
	cr_assert_eq(virtio_dev_negotiate(&vd, 0, 0), VIRTIO_OK);
	cr_expect_eq(virtio_dev_negotiate(&vd, 0, 0), VIRTIO_ERR_STATE, "negotiated twice");
}

Test(virtio_dev, config_read_retries_on_generation_change)
{
	uint8_t mac[6];
	f.cfg_churn = 3;
	cr_expect_eq(virtio_cfg_read_bytes(&vd, 0, mac, 6), VIRTIO_OK);
	cr_expect_arr_eq(mac, f.mac, 6);
	f.cfg_churn = 1000;
	cr_expect_eq(virtio_cfg_read_bytes(&vd, 0, mac, 6), VIRTIO_ERR_CONFIG);
	cr_expect_eq(vd.errors, 1);
	cr_expect_eq(virtio_cfg_read_bytes(&vd, FAKE_DEVCFG_LEN - 2, mac, 6), VIRTIO_ERR_ARG,
	             "past the device config region");
	cr_expect_eq(virtio_cfg_read(&vd, 0xffffffffu, 4), 0);
}

Test(virtio_dev, isr_read_acknowledges)
{
	f.isr = 1;
	cr_expect_eq(virtio_isr_read(&vd), 1);
	cr_expect_eq(virtio_isr_read(&vd), 0);
}

Test(virtio_dev, strerror_names_every_error)
{
	for (int e = 0; e >= VIRTIO_ERR_LEN; e--)
		cr_expect_str_neq(virtio_strerror(e), "unknown virtio error", "%d", e);
	cr_expect_str_eq(virtio_strerror(-99), "unknown virtio error");
}
