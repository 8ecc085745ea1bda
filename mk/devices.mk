# Interrupt controllers, kernel time, PCI and the IOMMU: the ACPI, DMAR and PCI parsing, IOVA page tables and
# the clock's fixed-point scaling in lib/ (kernel + host tests); the kernel side lives in kernel/arch/x86_64
# (apic, ioapic, timer, msi) and kernel/dev (pci), picked up by wildcard.

KERNEL_LIB_SRCS += lib/acpi.c lib/pci.c lib/clock_scale.c lib/dmar.c lib/iopt.c \
	lib/virtio/virtio_pci.c

DEVICES_HOST_TESTS := test_acpi test_pci test_clock_scale test_dmar test_iopt
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(DEVICES_HOST_TESTS))
$(BUILD)/host/tests/test_acpi: $(BUILD)/host/tests/host/test_acpi.o $(BUILD)/host/lib/acpi.o
$(BUILD)/host/tests/test_pci: $(BUILD)/host/tests/host/test_pci.o $(BUILD)/host/lib/pci.o
$(BUILD)/host/tests/test_clock_scale: $(BUILD)/host/tests/host/test_clock_scale.o $(BUILD)/host/lib/clock_scale.o
$(BUILD)/host/tests/test_dmar: $(BUILD)/host/tests/host/test_dmar.o $(BUILD)/host/lib/dmar.o $(BUILD)/host/lib/acpi.o
$(BUILD)/host/tests/test_iopt: $(BUILD)/host/tests/host/test_iopt.o $(BUILD)/host/lib/iopt.o
$(addprefix $(BUILD)/host/tests/,$(DEVICES_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
