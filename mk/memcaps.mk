# FrameAllocator / VirtualMemory capabilities (issue #5): host-tested range
# and ledger logic, linked into the kernel.  See docs/memory-caps.md.

MEMCAPS_LIB_SRCS := lib/frame_ledger.c lib/vm_ranges.c
KERNEL_LIB_SRCS += $(MEMCAPS_LIB_SRCS)

MEMCAPS_HOST_TESTS := test_frame_ledger test_vm_ranges
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(MEMCAPS_HOST_TESTS))

$(BUILD)/host/tests/test_frame_ledger: $(BUILD)/host/tests/host/test_frame_ledger.o \
		$(BUILD)/host/lib/frame_ledger.o
$(BUILD)/host/tests/test_vm_ranges: $(BUILD)/host/tests/host/test_vm_ranges.o \
		$(BUILD)/host/lib/vm_ranges.o

$(addprefix $(BUILD)/host/tests/,$(MEMCAPS_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
