# The kernel: every kernel/**/*.c and kernel/**/*.S (wildcard, so new
# subsystems join the link without touching this file), the lib/ sources
# listed in KERNEL_LIB_SRCS (other fragments append), and KERNEL_EXTRA_OBJS.
# Output: build/kernel.elf, linked at 0xffffffff80000000 (higher half) by
# kernel/arch/x86_64/linker.ld, with a Multiboot2 header and a PVH note.

KERNEL_ELF := $(BUILD)/kernel.elf
KERNEL_LDS := kernel/arch/x86_64/linker.ld
KERNEL_LIB_SRCS += lib/format.c lib/kstring.c lib/frame_bitmap.c lib/heap_alloc.c lib/boot_cmdline.c \
	lib/rtc_time.c
KERNEL_EXTRA_OBJS ?=
# Generated headers kernel sources include (other fragments append); every
# kernel object waits for them.
KERNEL_GENERATED ?=

# kcov.c is the coverage build's bitmap (COVERAGE=1, mk/coverage.mk) only.
KERNEL_COV_SRCS := kernel/arch/x86_64/kcov.c
KERNEL_SRCS = $(sort $(filter-out $(if $(COVERAGE_CFLAGS),,$(KERNEL_COV_SRCS)), \
	$(shell find kernel -name '*.c' -o -name '*.S')))
KERNEL_OBJS = $(patsubst %,$(BUILD)/kernel/%.o,$(basename $(KERNEL_SRCS) $(sort $(KERNEL_LIB_SRCS))))

ALL_TARGETS += $(KERNEL_ELF)

# Second expansion: fragments read after this one may still append to
# KERNEL_LIB_SRCS / KERNEL_EXTRA_OBJS.
.SECONDEXPANSION:
$(KERNEL_ELF): $$(KERNEL_OBJS) $$(KERNEL_EXTRA_OBJS) $(KERNEL_LDS)
	$(LD) -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
		-T $(KERNEL_LDS) -o $@ $(KERNEL_OBJS) $(KERNEL_EXTRA_OBJS)
	@grub-file --is-x86-multiboot2 $@ || { echo "kernel: $@ is not Multiboot2" >&2; rm -f $@; exit 1; }

$(patsubst %,$(BUILD)/kernel/%.o,$(basename $(KERNEL_SRCS))): | $$(KERNEL_GENERATED)

.PHONY: kernel
kernel: $(KERNEL_ELF)

# Host unit tests (Criterion, ASan+UBSan) of the allocator and format logic.
KBASE_HOST_TESTS := test_frame_bitmap test_heap_alloc test_format test_boot_cmdline \
	test_rtc_time
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(KBASE_HOST_TESTS))
$(BUILD)/host/tests/test_frame_bitmap: $(BUILD)/host/tests/host/test_frame_bitmap.o $(BUILD)/host/lib/frame_bitmap.o
$(BUILD)/host/tests/test_heap_alloc: $(BUILD)/host/tests/host/test_heap_alloc.o $(BUILD)/host/lib/heap_alloc.o
$(BUILD)/host/tests/test_format: $(BUILD)/host/tests/host/test_format.o $(BUILD)/host/lib/format.o
$(BUILD)/host/tests/test_boot_cmdline: $(BUILD)/host/tests/host/test_boot_cmdline.o $(BUILD)/host/lib/boot_cmdline.o
$(BUILD)/host/tests/test_rtc_time: $(BUILD)/host/tests/host/test_rtc_time.o $(BUILD)/host/lib/rtc_time.o
$(addprefix $(BUILD)/host/tests/,$(KBASE_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
