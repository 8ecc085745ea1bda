# Kernel coverage of the in-guest fuzzer (docs/fuzzing.md "Coverage"):
# `make fuzz-coverage` builds a second kernel with COVERAGE=1 into
# build/coverage (every kernel file with -fsanitize-coverage=trace-pc, the
# bitmap of kernel/arch/x86_64/kcov.c), boots it with the kfuzz manifest
# for SEEDS seeds of OPS operations (as make fuzz-kernel) and with the
# device variant for DEVICE_SEEDS seeds (as make fuzz-kernel DEVICES=1),
# each seed writing its bitmap through QEMU's debugcon, and prints the
# table of tools/kcov-report.sh (also in build/coverage/report.txt).
# KCOV_LINES='REGEX' lists the unreached lines of more files.  The default
# build has no coverage hook.
COVERAGE_DIR := build/coverage
KCOV_LINES ?= ^kernel/api/ring_dispatch\.c$$
DEVICE_SEEDS ?= 3
.PHONY: fuzz-coverage
fuzz-coverage: deps
	@$(MAKE) --no-print-directory $(BUILD)/manifests/kfuzz.bin $(BUILD)/manifests/kfuzz_devices.bin
	@$(MAKE) --no-print-directory COVERAGE=1 BUILD=$(COVERAGE_DIR) $(COVERAGE_DIR)/kernel.elf
	@rm -rf $(COVERAGE_DIR)/kcov && mkdir -p $(COVERAGE_DIR)/kcov
	@for d in "" --devices; do \
		n=$(SEEDS); [ -z "$$d" ] || n=$(DEVICE_SEEDS); \
		tools/fuzz-kernel.sh $$d --seeds $$n --ops $(OPS) --mem $(MEM) --seed0 $(SEED0) \
			--workers $(WORKERS) $(if $(OFF),--off $(OFF)) \
			--kernel $(COVERAGE_DIR)/kernel.elf --kcov $(COVERAGE_DIR)/kcov; \
	done; true
	@tools/kcov-report.sh --elf $(COVERAGE_DIR)/kernel.elf --lines '$(KCOV_LINES)' \
		$(COVERAGE_DIR)/kcov/*.kcov | tee $(COVERAGE_DIR)/report.txt
