# `make bench`: capOS's IPC, ring and spawn costs and the same operations in
# a stock Debian Linux guest, all under the QEMU flags of bench/qemu-flags
# (TCG with `-icount shift=0`: one TSC tick per guest instruction, so every
# figure is an exact, repeatable guest instruction count), one run, one
# side-by-side table (tools/bench/bench.sh, tools/bench/ipc-table.sh).
#
# capOS: build/kernel.elf + build/manifests/bench_ipc.bin (init starts
# bench_ipc_server and bench_ipc, tests/qemu/progs/bench_ipc.c) and
# build/manifests/raw_spawn_bench.bin (tests/qemu/progs/spawn_bench.c).
# Linux: Debian's kernel package, pinned in bench/linux/linux-image.lock and
# cached outside build/ by tools/linux-guest.sh, booted with an initramfs
# of bench/linux/ (static programs; /init runs them and powers off).
# BENCH_LINUX=0 leaves the Linux guest out (bench-figures does: make test
# needs neither the network nor the minute the guest takes).
# A benchmark, not a test: nothing is asserted on speed.

# The measuring kernel's stage accounting (MEASURE=1, mk/config.mk).
ifeq ($(MEASURE),1)
KERNEL_LIB_SRCS += lib/measure.c
endif
HOST_TEST_BINS += $(BUILD)/host/tests/test_measure
$(BUILD)/host/tests/test_measure: $(BUILD)/host/tests/host/test_measure.o $(BUILD)/host/lib/measure.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# The benchmark QEMU flags, one place for capOS's benches and the Linux guest.
BENCH_QEMU_FLAGS := $(shell grep -v '^[[:space:]]*\#' bench/qemu-flags)

LINUX_BENCH_ROOT := $(BUILD)/linux-guest/bench-root
LINUX_BENCH_INITRAMFS := $(BUILD)/linux-guest/bench.cpio
# Ordinary static Linux programs (glibc), not capOS code.
$(LINUX_BENCH_ROOT)/init: bench/linux/linuxbench.c bench/linux/guest_init.h
	@mkdir -p $(@D)
	$(HOST_CC) -std=gnu17 $(WARN) -O2 -static -pthread -o $@ $<
$(LINUX_BENCH_ROOT)/exit0: bench/linux/exit0.S
	@mkdir -p $(@D)
	$(HOST_CC) -static -nostdlib -o $@ $<
$(LINUX_BENCH_INITRAMFS): $(LINUX_BENCH_ROOT)/init $(LINUX_BENCH_ROOT)/exit0 tools/linux-guest.sh
	tools/linux-guest.sh initramfs $(LINUX_BENCH_ROOT) $@
ALL_TARGETS += $(LINUX_BENCH_ROOT)/init $(LINUX_BENCH_ROOT)/exit0
# tools/linux-guest.sh on a stand-in package: no network, no boot.
TEST_SUITES += tests/tools/linux-guest-test.sh

BENCH_IPC_MODULE := $(BUILD)/manifests/bench_ipc.bin
.PHONY: bench
bench: $(BUILD)/kernel.elf $(BENCH_IPC_MODULE) $(BUILD)/manifests/raw_spawn_bench.bin \
		$(if $(filter 0,$(BENCH_LINUX)),,$(LINUX_BENCH_INITRAMFS))
	@tools/bench/bench.sh --build $(BUILD) $(if $(filter 0,$(BENCH_LINUX)),--no-linux)

# `make bench-figures`: every figure bench/figures.txt quotes, measured
# again and compared (tools/bench/figures-check.sh); part of `make test`,
# since the guest counts are exact and take seconds.  UPDATE=1 writes the
# new figures into bench/figures.txt and the docs (review the diff).
TEST_SUITES += tools/bench/figures-check.sh
.PHONY: bench-figures
bench-figures: deps
	@tools/bench/figures-check.sh $(if $(filter 1,$(UPDATE)),--update)
