# Toolchains, flags and the pattern rules shared by every fragment.
#
# One source file can be built three ways, each into its own tree:
#   build/kernel/<path>.o  freestanding, kernel code model (higher half)
#   build/user/<path>.o    freestanding, static userspace
#   build/host/<path>.o    ordinary host C17 with ASan + UBSan (unit tests, tools)

# MEASURE=1: a measuring kernel (-DCAPOS_MEASURE: per-stage counters,
# include/capos/measure.h, docs/benchmarks.md) built into its own tree, so
# the default build and the figures `make test` checks never see it.
ifeq ($(MEASURE),1)
BUILD ?= build/measure
MEASURE_CFLAGS := -DCAPOS_MEASURE=1
endif
# COVERAGE=1: a kernel with -fsanitize-coverage=trace-pc and the bitmap of
# kernel/arch/x86_64/kcov.c, built into its own tree for `make
# fuzz-coverage` (mk/coverage.mk); the default build has no hook.
ifeq ($(COVERAGE),1)
BUILD ?= build/coverage
COVERAGE_CFLAGS := -fsanitize-coverage=trace-pc -DCAPOS_COVERAGE=1
endif
BUILD ?= build
CC ?= gcc
HOST_CC ?= gcc
LD := ld
AR := ar
OBJCOPY := objcopy

# Reproducible builds (docs/build.md): __DATE__/__TIME__, the ISO's dates
# and GRUB's volume id come from SOURCE_DATE_EPOCH, by default the last
# commit's date; absolute paths of the checkout are mapped to "." in debug
# info and __FILE__, so two checkouts in different directories build the
# same bytes.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null)
ifneq ($(SOURCE_DATE_EPOCH),)
export SOURCE_DATE_EPOCH
endif
REPRO_FLAGS := -ffile-prefix-map=$(CURDIR)=.

WARN := -Wall -Wextra -Werror
COMMON_INC := -Iinclude -Ilib -Igenerated $(REPRO_FLAGS)

KERNEL_CFLAGS := -std=c17 $(WARN) -O2 -g -ffreestanding -fno-builtin-printf \
	-fno-stack-protector -fno-pic -fno-pie -mno-red-zone -mcmodel=kernel \
	-mgeneral-regs-only -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	$(COMMON_INC) -Ikernel -DCAPOS_KERNEL=1 $(MEASURE_CFLAGS) $(COVERAGE_CFLAGS)
KERNEL_ASFLAGS := $(KERNEL_CFLAGS)

# Userspace is built for the normal x86_64 ABI (x87, SSE2): the kernel
# saves and restores every process's extended state (kernel/arch/x86_64/fpu.c).
USER_CFLAGS := -std=c17 $(WARN) -O2 -g -ffreestanding -fno-stack-protector \
	-fno-pic -fno-pie -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables $(COMMON_INC) -Iruntime/include -DCAPOS_USER=1
USER_ASFLAGS := $(USER_CFLAGS)

HOST_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all
HOST_CFLAGS := -std=c17 $(WARN) -O1 -g $(HOST_SAN) -fno-omit-frame-pointer \
	$(COMMON_INC) -DCAPOS_HOST=1 -D_DEFAULT_SOURCE
HOST_LDFLAGS := $(HOST_SAN)
# Host tools that must run fast (code generator, mkmanifest) skip the sanitizers.
TOOL_CFLAGS := -std=c17 $(WARN) -O2 -g $(COMMON_INC) -DCAPOS_HOST=1 -D_DEFAULT_SOURCE

# Objects depend on their compiler flags: $(BUILD)/KIND.flags holds the
# flags of the last build and is rewritten only when they change, so a
# change of flags (say the userspace ABI) rebuilds every object of that
# kind instead of linking old objects with new ones.
flags_stamp = $(shell mkdir -p $(BUILD) && printf '%s\n' '$(2)' | cmp -s - $(BUILD)/$(1).flags || \
	printf '%s\n' '$(2)' >$(BUILD)/$(1).flags)
$(call flags_stamp,kernel,$(CC) $(KERNEL_CFLAGS))
$(call flags_stamp,user,$(CC) $(USER_CFLAGS))
$(call flags_stamp,host,$(HOST_CC) $(HOST_CFLAGS))
$(call flags_stamp,tool,$(HOST_CC) $(TOOL_CFLAGS))

$(BUILD)/kernel/%.o: %.c $(BUILD)/kernel.flags
	@mkdir -p $(@D)
	$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/kernel/%.o: %.S $(BUILD)/kernel.flags
	@mkdir -p $(@D)
	$(CC) $(KERNEL_ASFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/user/%.o: %.c $(BUILD)/user.flags
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/user/%.o: %.S $(BUILD)/user.flags
	@mkdir -p $(@D)
	$(CC) $(USER_ASFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/host/%.o: %.c $(BUILD)/host.flags
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/tool/%.o: %.c $(BUILD)/tool.flags
	@mkdir -p $(@D)
	$(HOST_CC) $(TOOL_CFLAGS) -MMD -MP -c $< -o $@
