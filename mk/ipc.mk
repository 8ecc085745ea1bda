# Endpoint IPC and capability transfer (issue #5): host-tested library
# parts (lib/transfer.c) linked into the kernel, their Criterion tests, and
# the IPC demo packaging.  See docs/ipc.md.

IPC_LIB_SRCS := lib/transfer.c
KERNEL_LIB_SRCS += $(IPC_LIB_SRCS)

IPC_HOST_TESTS := test_transfer
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(IPC_HOST_TESTS))

$(BUILD)/host/tests/test_transfer: $(BUILD)/host/tests/host/test_transfer.o \
		$(BUILD)/host/lib/transfer.o $(BUILD)/host/lib/cap_table.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
