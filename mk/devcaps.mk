# Device capabilities (docs/devices.md, "Device capabilities"): the kernel
# side is kernel/cap/{notification,interrupt,device_mmio,dma_pool}.c and
# kernel/dev/device_claim.c (picked up by wildcard); this links the test
# driver demos/devcaps_test with the virtio library it drives the device
# with (smokes devcaps_iommu, devcaps_noiommu).

DEVCAPS_TEST_LIBS := $(patsubst %.c,$(BUILD)/user/%.o,lib/virtio/virtio_pci.c \
	lib/virtio/virtio_dev.c lib/virtio/virtqueue.c lib/virtio/virtio_net.c lib/pci.c lib/eth_arp.c)
.SECONDARY: $(DEVCAPS_TEST_LIBS)
$(BUILD)/user/demos/devcaps_test.elf: $(BUILD)/user/demos/devcaps_test.o $(DEVCAPS_TEST_LIBS) \
		$(RUNTIME_LIB) $(USER_LDSCRIPT)
	@mkdir -p $(@D)
	$(LD) -static -nostdlib -z max-page-size=4096 -z noexecstack -u _start \
		-T $(USER_LDSCRIPT) -o $@ $< $(DEVCAPS_TEST_LIBS) --start-group $(RUNTIME_LIB) \
		$(USER_LIBGCC) --end-group
