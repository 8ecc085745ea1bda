# `make shell`: system-shell.cue (init starts capsh) booted with the serial
# port on your terminal (tools/shell.sh); no watchdog unless RUN_TIMEOUT is
# given.  Tested through a pseudo-terminal by tests/qemu/shell-pty.sh
# (tests/tools/ptydrive.c), in `make test`.  docs/terminal.md.

MANIFEST_SHELL_BIN := $(BUILD)/manifest-shell.bin
CAPOS_SHELL_ISO := $(BUILD)/capos-shell.iso
SHELL_CMDLINE = $(strip $(RUN_CMDLINE) $(if $(filter command line,$(origin RUN_TIMEOUT)),watchdog=$(RUN_TIMEOUT)))

$(MANIFEST_SHELL_BIN): system-shell.cue $(CUE_SCHEMA) $(MKMANIFEST) $(CUE_RUNNER) $(SYSTEM_MANIFEST_DEPS) package-lock.json
	$(MKMANIFEST) $(MKMANIFEST_FLAGS) -o $@ system-shell.cue
$(CAPOS_SHELL_ISO): $(KERNEL_ELF) $(MANIFEST_SHELL_BIN) grub/grub.cfg.in grub/mkiso.sh $(BUILD)/iso-cmdline.txt
	grub/mkiso.sh $@ $(KERNEL_ELF) '$(SHELL_CMDLINE)' $(MANIFEST_SHELL_BIN)

PTYDRIVE := $(BUILD)/tool/tests/tools/ptydrive
$(PTYDRIVE): tests/tools/ptydrive.c
	@mkdir -p $(@D)
	$(HOST_CC) -std=c17 -Wall -Wextra -Werror -O2 $< -o $@ -lutil
ALL_TARGETS += $(PTYDRIVE) $(CAPOS_SHELL_ISO)

.PHONY: shell
shell: deps
	$(call build_for_run,$(CAPOS_SHELL_ISO),system-shell.cue)
	@echo "shell: booting system-shell.cue ($(CAPOS_SHELL_ISO)); Ctrl-D or 'exit' in capsh ends the system"
	@tools/shell.sh $(CAPOS_SHELL_ISO); $(run_status)

TEST_SUITES += tests/qemu/shell-pty.sh
