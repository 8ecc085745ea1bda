# The kernel: every kernel/**/*.c and kernel/**/*.S (wildcard, so new
# subsystems join the link without touching this file), the lib/ sources
# listed in KERNEL_LIB_SRCS (other fragments append), and KERNEL_EXTRA_OBJS.
# Output: build/kernel.elf, linked at 0xffffffff80000000 (higher half) by
# kernel/arch/x86_64/linker.ld, with a Multiboot2 header and a PVH note.

KERNEL_ELF := $(BUILD)/kernel.elf
KERNEL_LDS := kernel/arch/x86_64/linker.ld
KERNEL_LIB_SRCS += lib/format.c lib/kstring.c
KERNEL_EXTRA_OBJS ?=

KERNEL_SRCS = $(sort $(shell find kernel -name '*.c' -o -name '*.S'))
KERNEL_OBJS = $(patsubst %,$(BUILD)/kernel/%.o,$(basename $(KERNEL_SRCS) $(sort $(KERNEL_LIB_SRCS))))

ALL_TARGETS += $(KERNEL_ELF)

# Second expansion: fragments read after this one may still append to
# KERNEL_LIB_SRCS / KERNEL_EXTRA_OBJS.
.SECONDEXPANSION:
$(KERNEL_ELF): $$(KERNEL_OBJS) $$(KERNEL_EXTRA_OBJS) $(KERNEL_LDS)
	$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
		-T $(KERNEL_LDS) -o $@ $(KERNEL_OBJS) $(KERNEL_EXTRA_OBJS)
	@grub-file --is-x86-multiboot2 $@ || { echo "kernel: $@ is not Multiboot2" >&2; rm -f $@; exit 1; }

.PHONY: kernel
kernel: $(KERNEL_ELF)
