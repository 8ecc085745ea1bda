# FrameAllocator / VirtualMemory capabilities: host-tested range
# and ledger logic, linked into the kernel.  See docs/memory-caps.md.

MEMCAPS_LIB_SRCS := lib/frame_ledger.c lib/vm_ranges.c lib/quota.c
KERNEL_LIB_SRCS += $(MEMCAPS_LIB_SRCS)

MEMCAPS_HOST_TESTS := test_frame_ledger test_vm_ranges test_quota
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(MEMCAPS_HOST_TESTS))

$(BUILD)/host/tests/test_frame_ledger: $(BUILD)/host/tests/host/test_frame_ledger.o \
		$(BUILD)/host/lib/frame_ledger.o
$(BUILD)/host/tests/test_vm_ranges: $(BUILD)/host/tests/host/test_vm_ranges.o \
		$(BUILD)/host/lib/vm_ranges.o
$(BUILD)/host/tests/test_quota: $(BUILD)/host/tests/host/test_quota.o $(BUILD)/host/lib/quota.o

$(addprefix $(BUILD)/host/tests/,$(MEMCAPS_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# `make bench-memcaps`: guest cycles per VirtualMemory/FrameAllocator call
# (tests/qemu/progs/vm_bench.c, booted through init by tests/qemu/manifests/vm_bench.cue)
# under -icount shift=0 (one TSC tick per guest
# instruction: repeatable instruction counts).  A benchmark, not a test.
MEMCAPS_BENCH_LOG := $(BUILD)/bench-memcaps.log
.PHONY: bench-memcaps
bench-memcaps: $(BUILD)/kernel.elf $(BUILD)/manifests/vm_bench.bin
	qemu-system-x86_64 $(BENCH_QEMU_FLAGS) \
		-serial file:$(MEMCAPS_BENCH_LOG) -display none -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel $(BUILD)/kernel.elf \
		-initrd $(BUILD)/manifests/vm_bench.bin </dev/null; \
		status=$$?; echo "bench-memcaps: qemu -accel tcg -icount shift=0 (cycles = guest instructions)"; \
		tr -d '\r' <$(MEMCAPS_BENCH_LOG) | grep -a '^\[vm_bench\]'; \
		test $$status = 33 || { echo "bench-memcaps: QEMU status $$status (see $(MEMCAPS_BENCH_LOG))" >&2; exit 1; }
