# `make run`: install what is missing, build the ISO, boot it under QEMU TCG
# with serial on stdout.  QEMU's exit status comes from the kernel through
# isa-debug-exit (kernel/arch/x86_64/qemu_exit.h):
#   33 success: every service exited cleanly -> make run exits 0
#   35 failure (init reported a failed service, a self-test, a refused
#      manifest or an accounting mismatch),
#   37 kernel panic, 39 unexpected CPU exception,
#   1 triple fault / QEMU stopped without the kernel's word -> non-zero
# RUN_CMDLINE=... sets the kernel command line (e.g. RUN_CMDLINE=test=hello).
# `make run-kernel` boots build/kernel.elf directly (-kernel, PVH), faster.
# `make run-uefi` boots the same ISO with OVMF.

RUN_TIMEOUT ?= 0

define run_status
	status=$$?; case $$status in \
	33) echo "run: kernel finished (QEMU status 33: success, every service exited cleanly)";; \
	35) echo "run: QEMU status 35: the system reported a failure (a service failed: see init's lines; or a self-test, a refused manifest, an accounting MISMATCH)" >&2; exit 1;; \
	37) echo "run: QEMU status 37: kernel panic" >&2; exit 1;; \
	39) echo "run: QEMU status 39: unexpected CPU exception in the kernel" >&2; exit 1;; \
	124) echo "run: timed out after $(RUN_TIMEOUT)s" >&2; exit 1;; \
	*) echo "run: QEMU status $$status: stopped without the kernel's exit code (triple fault or QEMU error)" >&2; exit 1;; \
	esac
endef

# The ISO's one boot module is build/manifest.bin (system.cue): the kernel
# starts init, init starts every service (docs/init.md).
# `make run-spawn` boots system-spawn.cue the same way (its own ISO).
.PHONY: run run-kernel run-uefi run-spawn

# Builds what a run needs with the compiler's output in build/build.log, so
# the terminal shows the serial log; a failure prints the end of that log.
# V=1 shows the build output instead.
ifeq ($(V),1)
build_for_run = +@$(MAKE) --no-print-directory $(1)
else
build_for_run = +@mkdir -p $(BUILD); echo "build: $(strip $(1)) (compiler output: $(BUILD)/build.log; V=1 shows it)"; \
	$(MAKE) --no-print-directory $(1) >$(BUILD)/build.log 2>&1 || \
	{ tail -n 40 $(BUILD)/build.log; echo "build: FAILED (full log: $(BUILD)/build.log)" >&2; exit 1; }
endif

run: deps
	$(call build_for_run,$(CAPOS_ISO))
	@tests/qemu/qemu-boot.sh iso $(CAPOS_ISO) --timeout $(RUN_TIMEOUT); $(run_status)

CAPOS_SPAWN_ISO := $(BUILD)/capos-spawn.iso
$(CAPOS_SPAWN_ISO): $(KERNEL_ELF) $(MANIFEST_SPAWN_BIN) grub/grub.cfg.in grub/mkiso.sh $(BUILD)/iso-cmdline.txt
	grub/mkiso.sh $@ $(KERNEL_ELF) '$(RUN_CMDLINE)' $(MANIFEST_SPAWN_BIN)

run-spawn: deps
	$(call build_for_run,$(CAPOS_SPAWN_ISO))
	@tests/qemu/qemu-boot.sh iso $(CAPOS_SPAWN_ISO) --timeout $(RUN_TIMEOUT); $(run_status)

run-kernel: deps
	$(call build_for_run,$(KERNEL_ELF) $(BOOT_MODULES))
	@tests/qemu/qemu-boot.sh kernel $(KERNEL_ELF) --cmdline '$(RUN_CMDLINE)' \
		$(if $(firstword $(BOOT_MODULES)),--module $(firstword $(BOOT_MODULES))) \
		--timeout $(RUN_TIMEOUT); $(run_status)

run-uefi: deps
	$(call build_for_run,$(CAPOS_ISO))
	@tests/qemu/qemu-boot.sh uefi $(CAPOS_ISO) --vars $(BUILD)/OVMF_VARS.fd \
		--timeout $(RUN_TIMEOUT); $(run_status)

# QEMU smokes (tests/qemu/smokes/*.smoke), run by `make test`.
TEST_SUITES += tests/qemu/run-smokes.sh

# `make smoke NAME=x [NAME=...]`: one smoke (or several, space-separated).
.PHONY: smoke
smoke: deps
	@$(MAKE) --no-print-directory all
	@tests/qemu/run-smokes.sh $(NAME)

# The in-guest kernel fuzzer (demos/kfuzz/, docs/fuzzing.md): one QEMU boot
# per seed, two at a time.  SEEDS, OPS, MEM, SEED0, OFF, WORKERS as in
# tools/fuzz-kernel.sh --help.
SEEDS ?= 10
OPS ?= 2000
MEM ?= 256M
SEED0 ?= 1
OFF ?=
WORKERS ?= 2
.PHONY: fuzz-kernel
fuzz-kernel: deps
	@$(MAKE) --no-print-directory $(BUILD)/kernel.elf $(BUILD)/manifests/kfuzz.bin
	@tools/fuzz-kernel.sh --seeds $(SEEDS) --ops $(OPS) --mem $(MEM) --seed0 $(SEED0) \
		--workers $(WORKERS) $(if $(OFF),--off $(OFF))
