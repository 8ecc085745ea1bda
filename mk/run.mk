# `make run`: install what is missing, build the ISO, boot it under QEMU TCG
# with serial on stdout.  QEMU's exit status comes from the kernel through
# isa-debug-exit (kernel/arch/x86_64/qemu_exit.h):
#   33 success: every service exited cleanly -> make run exits 0
#   35 failure (init reported a failed service, a self-test, a refused
#      manifest or an accounting mismatch),
#   37 kernel panic, 39 unexpected CPU exception,
#   41 the watchdog (RUN_TIMEOUT) expired: the live processes are listed,
#   1 triple fault / QEMU stopped without the kernel's word,
#   124 the host's backstop timeout killed QEMU -> non-zero
# RUN_CMDLINE=... adds to the kernel command line (e.g. RUN_CMDLINE=test=hello).
# SYSTEM=path/to/file.cue boots that system file instead of system.cue
# (relative to the directory make was started from, or absolute); its
# manifest and ISO go to build/systems/NAME-HASH/, so the default ones stay.
# `make run-kernel` boots build/kernel.elf directly (-kernel, PVH), faster;
# RUN_QEMU_EXTRA adds qemu-boot.sh options (machine, devices: run-net).
# `make run-uefi` boots the same ISO with OVMF.  `make gdb` starts halted.

# RUN_TIMEOUT=N (seconds, default 120; 0 = none) becomes the kernel's
# watchdog=N: when it passes, the kernel lists the live processes and what
# each waits on, then exits QEMU with status 41.  The host kills QEMU 30 s
# later if the kernel did not answer (status 124).
RUN_TIMEOUT ?= 120
ifneq ($(shell printf '%s' '$(RUN_TIMEOUT)' | grep -xE '[0-9]+'),$(RUN_TIMEOUT))
$(error RUN_TIMEOUT='$(RUN_TIMEOUT)': give a number of seconds (0 = no timeout))
endif
RUN_BACKSTOP := $(if $(filter 0,$(RUN_TIMEOUT)),0,$(shell echo $$(($(RUN_TIMEOUT) + 30))))
# The kernel command line of every run target (and of the ISOs they boot).
RUN_KERNEL_CMDLINE = $(strip $(RUN_CMDLINE) $(if $(filter 0,$(RUN_TIMEOUT)),,watchdog=$(RUN_TIMEOUT)))

define run_status
	status=$$?; case $$status in \
	33) echo "run: kernel finished (QEMU status 33: success, every service exited cleanly)";; \
	35) echo "run: QEMU status 35: the system reported a failure (a service failed: see init's FAILED lines; or a self-test, a refused manifest, an accounting MISMATCH)" >&2; exit 1;; \
	37) echo "run: QEMU status 37: kernel panic" >&2; exit 1;; \
	39) echo "run: QEMU status 39: unexpected CPU exception in the kernel" >&2; exit 1;; \
	41) echo "run: QEMU status 41: the watchdog ended the run after RUN_TIMEOUT=$(RUN_TIMEOUT) s; the table above lists the processes still alive and what each waits on" >&2; exit 1;; \
	124) echo "run: timed out: the host killed QEMU after $(RUN_BACKSTOP) s (RUN_TIMEOUT=$(RUN_TIMEOUT) + 30; the kernel's watchdog did not answer)" >&2; exit 1;; \
	*) echo "run: QEMU status $$status: stopped without the kernel's exit code (triple fault or QEMU error)" >&2; exit 1;; \
	esac
endef

# SYSTEM=file.cue: resolved against the caller's directory ($(PWD) is not
# changed by make -C), else make's own; NAME-HASH keeps two files of the
# same name apart.
ifneq ($(strip $(SYSTEM)),)
ifneq ($(words $(SYSTEM)),1)
$(error SYSTEM='$(SYSTEM)': one path without spaces, please)
endif
SYSTEM_FILE := $(abspath $(if $(filter /%,$(SYSTEM)),$(SYSTEM),$(if $(wildcard $(PWD)/$(SYSTEM)),$(PWD)/$(SYSTEM),$(CURDIR)/$(SYSTEM))))
ifeq ($(wildcard $(SYSTEM_FILE)),)
$(error SYSTEM=$(SYSTEM): no such file ($(SYSTEM_FILE)))
endif
SYSTEM_DIR := $(BUILD)/systems/$(basename $(notdir $(SYSTEM_FILE)))-$(shell printf '%s' '$(SYSTEM_FILE)' | md5sum | cut -c1-8)
RUN_MANIFEST := $(SYSTEM_DIR)/manifest.bin
RUN_ISO := $(SYSTEM_DIR)/capos.iso
$(RUN_MANIFEST): $(SYSTEM_FILE) $(CUE_SCHEMA) $(MKMANIFEST) $(CUE_RUNNER) \
		$(or $(SYSTEM_MANIFEST_DEPS),$(MANIFEST_DEPS)) package-lock.json
	@mkdir -p $(@D)
	$(MKMANIFEST) $(MKMANIFEST_FLAGS) -o $@ $(SYSTEM_FILE)
$(RUN_ISO): $(KERNEL_ELF) $(RUN_MANIFEST) grub/grub.cfg.in grub/mkiso.sh $(BUILD)/iso-cmdline.txt
	grub/mkiso.sh $@ $(KERNEL_ELF) '$(RUN_KERNEL_CMDLINE)' $(RUN_MANIFEST)
else
SYSTEM_FILE := $(CURDIR)/system.cue
RUN_MANIFEST = $(MANIFEST_BIN)
RUN_ISO = $(CAPOS_ISO)
endif
run_banner = @echo "run: booting $(SYSTEM_FILE) ($(1)); $(if $(filter 0,$(RUN_TIMEOUT)),no timeout,watchdog $(RUN_TIMEOUT) s (RUN_TIMEOUT=N to change, 0 = none))"

# The ISO's one boot module is the system's manifest: the kernel starts
# init, init starts every service (docs/init.md).
# `make run-spawn` boots system-spawn.cue the same way (its own ISO).
.PHONY: run run-kernel run-uefi run-spawn gdb

# The sub-make's shell resets PWD to the repo: it gets the resolved path.
run_submake_args = $(if $(strip $(SYSTEM)),SYSTEM=$(SYSTEM_FILE))

# Builds what a run needs ($(1); $(2) is the system file booted) with the
# compiler's output in build/build.log, so the terminal shows the serial
# log; a failure prints the end of that log.  V=1 shows the build output
# instead.  Only the binaries the system names are built (`mkmanifest
# --list-binaries` -> SYSTEM_BIN_NAMES, mk/manifest.mk), so a broken demo
# that system does not use does not stop the run.
run_build_steps = $(MAKE) --no-print-directory $(run_submake_args) $(MKMANIFEST) && \
	names=$$($(MKMANIFEST) $(MKMANIFEST_FLAGS) --list-binaries $(2)) && \
	$(MAKE) --no-print-directory $(run_submake_args) $(1) SYSTEM_BIN_NAMES="$$(echo $$names)"
ifeq ($(V),1)
build_for_run = +@$(run_build_steps)
else
build_for_run = +@mkdir -p $(BUILD); echo "build: $(strip $(1)) (compiler output: $(BUILD)/build.log; V=1 shows it)"; \
	{ $(run_build_steps); } >$(BUILD)/build.log 2>&1 || \
	{ tail -n 40 $(BUILD)/build.log; echo "build: FAILED (full log: $(BUILD)/build.log)" >&2; exit 1; }
endif

run: deps
	$(call build_for_run,$(RUN_ISO),$(SYSTEM_FILE))
	$(call run_banner,$(RUN_ISO))
	@tests/qemu/qemu-boot.sh iso $(RUN_ISO) --timeout $(RUN_BACKSTOP); $(run_status)

CAPOS_SPAWN_ISO := $(BUILD)/capos-spawn.iso
$(CAPOS_SPAWN_ISO): $(KERNEL_ELF) $(MANIFEST_SPAWN_BIN) grub/grub.cfg.in grub/mkiso.sh $(BUILD)/iso-cmdline.txt
	grub/mkiso.sh $@ $(KERNEL_ELF) '$(RUN_KERNEL_CMDLINE)' $(MANIFEST_SPAWN_BIN)

run-spawn: deps
	$(call build_for_run,$(CAPOS_SPAWN_ISO),system-spawn.cue)
	@tests/qemu/qemu-boot.sh iso $(CAPOS_SPAWN_ISO) --timeout $(RUN_BACKSTOP); $(run_status)

run-kernel: deps
	$(call build_for_run,$(KERNEL_ELF) $(RUN_MANIFEST),$(SYSTEM_FILE))
	$(call run_banner,-kernel $(KERNEL_ELF) + $(RUN_MANIFEST))
	@tests/qemu/qemu-boot.sh kernel $(KERNEL_ELF) --cmdline '$(RUN_KERNEL_CMDLINE)' \
		--module $(RUN_MANIFEST) --timeout $(RUN_BACKSTOP) $(RUN_QEMU_EXTRA); $(run_status)

run-uefi: deps
	$(call build_for_run,$(RUN_ISO),$(SYSTEM_FILE))
	$(call run_banner,$(RUN_ISO) under OVMF)
	@tests/qemu/qemu-boot.sh uefi $(RUN_ISO) --vars $(BUILD)/OVMF_VARS.fd \
		--timeout $(RUN_BACKSTOP); $(run_status)

# `make gdb [SYSTEM=...] [GDB_PORT=1234]`: the kernel (-kernel, PVH) and
# the system's manifest, halted before the first instruction with a gdb
# stub on localhost:GDB_PORT; no watchdog, no timeout.  docs/debugging.md.
GDB_PORT ?= 1234
gdb: deps
	$(call build_for_run,$(KERNEL_ELF) $(RUN_MANIFEST),$(SYSTEM_FILE))
	@echo "gdb: QEMU waits for a debugger on localhost:$(GDB_PORT) (booting $(SYSTEM_FILE)). In another terminal:"
	@echo "  gdb $(KERNEL_ELF) -ex 'target remote :$(GDB_PORT)' -ex 'hbreak kmain' -ex continue"
	@echo "gdb: a user program's symbols: it is loaded where it is linked (0x400000, runtime/user.ld), so no address is needed:"
	@echo "  (gdb) add-symbol-file $(BUILD)/user/demos/NAME.elf      # tests/qemu/progs/NAME.elf likewise; init: $(BUILD)/user/init/init.elf"
	@echo "gdb: every process uses the same user addresses: break on a user address stops in any of them."
	@tests/qemu/qemu-boot.sh kernel $(KERNEL_ELF) --gdb $(GDB_PORT) --cmdline '$(RUN_CMDLINE)' \
		--module $(RUN_MANIFEST); status=$$?; \
	if [ $$status = 0 ]; then echo "gdb: QEMU was ended from gdb (kill or quit)"; else (exit $$status); $(run_status); fi

# tools/symbolize.sh (the run/smoke pipeline's source-line step) on the
# built demos.
TEST_SUITES += tests/tools/symbolize-test.sh
# `make run-kernel SYSTEM=...` with a system file outside the repository.
TEST_SUITES += tests/tools/run-system-test.sh

# QEMU smokes (tests/qemu/smokes/*.smoke), run by `make test`.
TEST_SUITES += tests/qemu/run-smokes.sh

# `make smoke NAME=x [NAME=...]`: one smoke (or several, space-separated).
.PHONY: smoke
smoke: deps
	@$(MAKE) --no-print-directory all
	@tests/qemu/run-smokes.sh $(NAME)

# The in-guest kernel fuzzer (tests/qemu/progs/kfuzz/, docs/fuzzing.md): one QEMU boot
# per seed, two at a time.  SEEDS, OPS, MEM, SEED0, OFF, WORKERS as in
# tools/fuzz-kernel.sh --help.
SEEDS ?= 10
OPS ?= 2000
MEM ?= 256M
SEED0 ?= 1
OFF ?=
WORKERS ?= 2
DEVICES ?= 0
.PHONY: fuzz-kernel
fuzz-kernel: deps
	@$(MAKE) --no-print-directory $(BUILD)/kernel.elf $(BUILD)/manifests/kfuzz.bin \
		$(BUILD)/manifests/kfuzz_devices.bin
	@tools/fuzz-kernel.sh --seeds $(SEEDS) --ops $(OPS) --mem $(MEM) --seed0 $(SEED0) \
		--workers $(WORKERS) $(if $(OFF),--off $(OFF)) $(if $(filter 1,$(DEVICES)),--devices)
