# Terminal input and system monitoring (docs/terminal.md): the receive
# ring (lib/byte_ring.c, host-tested), the Terminal and SystemMonitor
# kernel capabilities (kernel/cap/terminal.c, monitor.c), and capsh.

KERNEL_LIB_SRCS += lib/byte_ring.c

HOST_TEST_BINS += $(BUILD)/host/tests/test_byte_ring
$(BUILD)/host/tests/test_byte_ring: $(BUILD)/host/tests/host/test_byte_ring.o \
		$(BUILD)/host/lib/byte_ring.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
