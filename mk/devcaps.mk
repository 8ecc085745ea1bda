# Device capabilities (docs/devices.md, "Device capabilities"): the kernel
# side is kernel/cap/{notification,interrupt,device_mmio,dma_pool}.c and
# kernel/dev/device_claim.c (picked up by wildcard); this links the test
# driver tests/qemu/progs/devcaps_test with the virtio library it drives the device
# with (smokes devcaps_iommu, devcaps_noiommu).

DEVCAPS_TEST_LIBS := $(patsubst %.c,$(BUILD)/user/%.o,lib/virtio/virtio_pci.c \
	lib/virtio/virtio_dev.c lib/virtio/virtqueue.c lib/virtio/virtio_net.c lib/pci.c lib/eth_arp.c)
.SECONDARY: $(DEVCAPS_TEST_LIBS)
$(BUILD)/user/tests/qemu/progs/devcaps_test.elf: $(DEVCAPS_TEST_LIBS)
$(BUILD)/user/tests/qemu/progs/devcaps_test.elf: USER_LINK_EXTRA = $(DEVCAPS_TEST_LIBS)
