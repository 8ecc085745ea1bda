# `make bench`: IPC and ring costs inside the guest (guest instructions) and
# a Linux pipe ping-pong on the host (host cycles), in one run, two tables
# with their units and a note that they are not comparable (ipc-table.sh).
#
# Guest: build/kernel.elf + build/manifests/bench_ipc.bin (init starts
# bench_ipc_server and bench_ipc) under QEMU TCG
# with `-icount shift=0`: one TSC tick per guest instruction, so the guest
# figures are exact, repeatable instruction counts (demos/bench_ipc.c).
# Host: bench/ipc/pipe_pingpong.c (host TSC cycles and nanoseconds).
# A benchmark, not a test: nothing is asserted on speed.

PIPE_PINGPONG := $(BUILD)/tool/bench/ipc/pipe_pingpong
$(PIPE_PINGPONG): $(BUILD)/tool/bench/ipc/pipe_pingpong.o
	$(HOST_CC) $^ -o $@
ALL_TARGETS += $(PIPE_PINGPONG)

BENCH_IPC_LOG := $(BUILD)/bench-ipc.log
# The same system booted again with -cpu max (XSAVE, AVX): bench_ipc adds
# the round trip with both processes' whole AVX state dirty.
BENCH_IPC_XSTATE_LOG := $(BUILD)/bench-ipc-xstate.log
# Boots through init from tests/qemu/manifests/bench_ipc.cue: the server
# exports its endpoint, the client imports it as a client facet.
BENCH_IPC_MODULE := $(BUILD)/manifests/bench_ipc.bin

.PHONY: bench
bench: $(BUILD)/kernel.elf $(BENCH_IPC_MODULE) $(PIPE_PINGPONG)
	@rm -f $(BENCH_IPC_LOG)
	@qemu-system-x86_64 -accel tcg -icount shift=0 -cpu qemu64 -m 256M -smp 1 \
		-serial file:$(BENCH_IPC_LOG) -display none -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel $(BUILD)/kernel.elf \
		-initrd $(BENCH_IPC_MODULE) </dev/null; \
		status=$$?; test $$status = 33 || { echo "bench: QEMU status $$status (see $(BENCH_IPC_LOG))" >&2; exit 1; }
	@rm -f $(BENCH_IPC_XSTATE_LOG)
	@qemu-system-x86_64 -accel tcg -icount shift=0 -cpu max -m 256M -smp 1 \
		-serial file:$(BENCH_IPC_XSTATE_LOG) -display none -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel $(BUILD)/kernel.elf \
		-initrd $(BENCH_IPC_MODULE) </dev/null; \
		status=$$?; test $$status = 33 || { echo "bench: QEMU status $$status (see $(BENCH_IPC_XSTATE_LOG))" >&2; exit 1; }
	@$(PIPE_PINGPONG) --iterations 20000 >$(BUILD)/bench-pipe.txt
	@tools/bench/ipc-table.sh $(BENCH_IPC_LOG) $(BUILD)/bench-pipe.txt $(BENCH_IPC_XSTATE_LOG)

# `make bench-figures`: every figure bench/figures.txt quotes, measured
# again and compared (tools/bench/figures-check.sh); part of `make test`,
# since the guest counts are exact and take seconds.  UPDATE=1 writes the
# new figures into bench/figures.txt and the docs (review the diff).
TEST_SUITES += tools/bench/figures-check.sh
.PHONY: bench-figures
bench-figures: deps
	@tools/bench/figures-check.sh $(if $(filter 1,$(UPDATE)),--update)
