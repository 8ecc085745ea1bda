# build/capos.iso: GRUB 2 hybrid ISO (BIOS + UEFI) with the kernel and the
# boot modules in BOOT_MODULES (set by other fragments; each becomes a GRUB
# `module2` whose name is the file's basename).  RUN_KERNEL_CMDLINE
# (RUN_CMDLINE plus the watchdog from RUN_TIMEOUT, mk/run.mk) is the kernel
# command line baked into grub.cfg.

CAPOS_ISO := $(BUILD)/capos.iso
BOOT_MODULES ?=
RUN_CMDLINE ?=

ALL_TARGETS += $(CAPOS_ISO)

# Rebuild when the command line changes.
$(BUILD)/iso-cmdline.txt: FORCE
	@mkdir -p $(@D)
	@echo '$(RUN_KERNEL_CMDLINE)' | cmp -s - $@ || echo '$(RUN_KERNEL_CMDLINE)' >$@

# Second expansion: kernel.mk and the fragments setting BOOT_MODULES are read later.
.SECONDEXPANSION:
$(CAPOS_ISO): $$(KERNEL_ELF) $$(BOOT_MODULES) grub/grub.cfg.in grub/mkiso.sh $(BUILD)/iso-cmdline.txt
	grub/mkiso.sh $@ $(KERNEL_ELF) '$(RUN_KERNEL_CMDLINE)' $(BOOT_MODULES)

.PHONY: iso FORCE
iso: $(CAPOS_ISO)
FORCE:
