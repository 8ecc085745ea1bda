# Interrupt controllers, kernel time and PCI: the ACPI and PCI parsing and
# the clock's fixed-point scaling in lib/ (kernel + host tests); the kernel side lives in kernel/arch/x86_64
# (apic, ioapic, timer, msi) and kernel/dev (pci), picked up by wildcard.

KERNEL_LIB_SRCS += lib/acpi.c lib/pci.c lib/clock_scale.c

DEVICES_HOST_TESTS := test_acpi test_pci test_clock_scale
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(DEVICES_HOST_TESTS))
$(BUILD)/host/tests/test_acpi: $(BUILD)/host/tests/host/test_acpi.o $(BUILD)/host/lib/acpi.o
$(BUILD)/host/tests/test_pci: $(BUILD)/host/tests/host/test_pci.o $(BUILD)/host/lib/pci.o
$(BUILD)/host/tests/test_clock_scale: $(BUILD)/host/tests/host/test_clock_scale.o $(BUILD)/host/lib/clock_scale.o
$(addprefix $(BUILD)/host/tests/,$(DEVICES_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
