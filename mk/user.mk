# Userspace: the runtime library every program links (build/user/libcapos.a),
# the demo programs (demos/<name>.c -> build/user/demos/<name>.elf), the
# kernel test programs (tests/qemu/progs/<name>.c ->
# build/user/tests/qemu/progs/<name>.elf) and the runtime's
# host unit tests (tests/host/test_runtime_*.c).  See docs/runtime.md.

USER_LDSCRIPT := runtime/user.ld
RUNTIME_LIB := $(BUILD)/user/libcapos.a
# Asked when a link needs it, not when make reads this file: on a machine
# without a compiler yet, `make run` must reach `deps` without a "cc: No such
# file" message first.
USER_LIBGCC = $(shell $(CC) -print-libgcc-file-name)

# The Cap'n Proto wire runtime and the generated code of every schema in
# schema/ (capos.capnp for the typed clients, and each service's own, e.g.
# greeter.capnp): all go into libcapos.a, so a program uses a schema's
# accessors by including its generated header, with no link step to add
# (the archive gives each program only the members it refers to).
USER_CAPNP_SRCS := $(wildcard lib/capnp/*.c) $(CAPNP_GEN_SCHEMA_SRCS) $(CAPNP_GEN_RPC_SRCS)
RUNTIME_NEEDS_CAPNP := runtime/call.c runtime/console.c runtime/entry.c runtime/panic.c \
	runtime/endpoint.c runtime/server.c runtime/rpc.c runtime/serve.c \
	runtime/frame_allocator.c runtime/virtual_memory.c runtime/device.c \
	runtime/nic.c runtime/timer.c runtime/thread.c lib/cap_exception.c
HAVE_CAPNP := $(and $(wildcard generated/capos.capnp.h),$(wildcard lib/capnp/capnp.h))

# memcpy & co. come from lib/kstring.c, capos_snprintf's formatter from
# lib/format.c and boot_cmdline_get from lib/boot_cmdline.c (all shared
# with the kernel).
RUNTIME_C := $(filter-out $(RUNTIME_NEEDS_CAPNP),$(wildcard runtime/*.c)) lib/kstring.c lib/format.c lib/boot_cmdline.c \
	lib/frame_ring.c lib/eth_arp.c
ifneq ($(HAVE_CAPNP),)
RUNTIME_C += $(wildcard $(RUNTIME_NEEDS_CAPNP)) $(USER_CAPNP_SRCS)
endif
RUNTIME_OBJS := $(patsubst %.c,$(BUILD)/user/%.o,$(RUNTIME_C)) \
	$(patsubst %.S,$(BUILD)/user/%.o,$(wildcard runtime/*.S))

# Rebuilt when this file changes too: a member added here may be an
# object that already exists, older than the archive.
$(RUNTIME_LIB): $(RUNTIME_OBJS) mk/user.mk
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(filter %.o,$^)

# One program per demos/<name>.c (programs a user runs or copies) and per
# tests/qemu/progs/<name>.c (programs that test the kernel: hostile, fault,
# benchmark, the fuzzer; they share demos/demo.h and demos/echo_proto.h).
# -u _start pulls the entry point out of the archive; the archive is
# scanned as a group because its members refer to each other in both
# directions.
USER_PROGS_DIR := tests/qemu/progs
USER_DEMO_SRCS := $(wildcard demos/*.c) $(wildcard $(USER_PROGS_DIR)/*.c)
USER_DEMOS := $(patsubst %.c,$(BUILD)/user/%.elf,$(USER_DEMO_SRCS))
# Kept after the build (not deleted as intermediate files): otherwise the
# first `make` removes them and the next one recompiles every demo.
.SECONDARY: $(USER_DEMOS:.elf=.o)

# A demo may include any schema's generated header: make sure each exists
# (mk/capnp.mk compiles a schema that is new or newer than its code).
$(USER_DEMOS:.elf=.o): | $(CAPNP_GEN_SCHEMA_SRCS:.c=.h) $(CAPNP_GEN_RPC_SRCS:.c=.h)
$(BUILD)/user/$(USER_PROGS_DIR)/%.o: USER_CFLAGS += -Idemos

# USER_LINK_EXTRA: a program's own extra objects (a target-specific
# variable set where the program is described, e.g. mk/devcaps.mk).
$(USER_DEMOS): $(BUILD)/user/%.elf: $(BUILD)/user/%.o $(RUNTIME_LIB) $(USER_LDSCRIPT)
	@mkdir -p $(@D)
	$(LD) -static -nostdlib -z max-page-size=4096 -z noexecstack -u _start \
		-T $(USER_LDSCRIPT) -o $@ $< $(USER_LINK_EXTRA) --start-group $(RUNTIME_LIB) $(USER_LIBGCC) --end-group

# The kernel fuzzer is several files: tests/qemu/progs/kfuzz/*.c ->
# build/user/tests/qemu/progs/kfuzz.elf.
KFUZZ_ELF := $(BUILD)/user/$(USER_PROGS_DIR)/kfuzz.elf
KFUZZ_OBJS := $(patsubst %.c,$(BUILD)/user/%.o,$(wildcard $(USER_PROGS_DIR)/kfuzz/*.c))
USER_DEMOS += $(KFUZZ_ELF)
.SECONDARY: $(KFUZZ_OBJS)
$(KFUZZ_ELF): $(KFUZZ_OBJS) $(RUNTIME_LIB) $(USER_LDSCRIPT)
	@mkdir -p $(@D)
	$(LD) -static -nostdlib -z max-page-size=4096 -z noexecstack -u _start \
		-T $(USER_LDSCRIPT) -o $@ $(KFUZZ_OBJS) --start-group $(RUNTIME_LIB) $(USER_LIBGCC) --end-group

# Host test of the fuzzer's command line parsing.
HOST_TEST_BINS += $(BUILD)/host/tests/host/test_kfuzz_config
$(BUILD)/host/tests/host/test_kfuzz_config.o: HOST_CFLAGS += -I$(USER_PROGS_DIR)/kfuzz
$(BUILD)/host/tests/host/test_kfuzz_config: $(BUILD)/host/tests/host/test_kfuzz_config.o \
		$(BUILD)/host/$(USER_PROGS_DIR)/kfuzz/config.o $(BUILD)/host/lib/boot_cmdline.o $(BUILD)/host/lib/kstring.o
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

.PHONY: user demos
user: $(RUNTIME_LIB)
ALL_TARGETS += $(RUNTIME_LIB)
ifneq ($(HAVE_CAPNP),)
demos: $(USER_DEMOS)
ALL_TARGETS += $(USER_DEMOS)
endif

# Host unit tests of the runtime logic that does not need the kernel.
RUNTIME_HOST_SRCS := runtime/ring.c runtime/capset.c runtime/heap.c runtime/fmt.c \
	runtime/release.c runtime/errors.c lib/format.c lib/ring_consumer.c
RUNTIME_HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(RUNTIME_HOST_SRCS))
RUNTIME_HOST_TESTS := $(patsubst tests/host/%.c,$(BUILD)/host/tests/host/%,\
	$(wildcard tests/host/test_runtime_*.c))

$(BUILD)/host/runtime/%.o: HOST_CFLAGS += -Iruntime/include
$(BUILD)/host/tests/host/test_runtime_%.o: HOST_CFLAGS += -Iruntime/include

$(RUNTIME_HOST_TESTS): $(BUILD)/host/tests/host/%: $(BUILD)/host/tests/host/%.o \
		$(RUNTIME_HOST_OBJS)
	$(HOST_CC) -o $@ $^ -lcriterion $(HOST_LDFLAGS)

# The typed clients need the Cap'n Proto runtime, the generated code and
# its stubs (the stubs include capos/rpc.h).
RUNTIME_CAPNP_HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,runtime/call.c runtime/console.c \
	runtime/rpc.c runtime/serve.c runtime/endpoint.c runtime/server.c lib/cap_exception.c \
	$(wildcard lib/capnp/*.c) generated/capos.capnp.c generated/capos.capnp.rpc.c \
	generated/greeter.capnp.c generated/greeter.capnp.rpc.c)
$(BUILD)/host/generated/%.rpc.o: HOST_CFLAGS += -Iruntime/include
$(BUILD)/host/tests/host/test_runtime_console $(BUILD)/host/tests/host/test_runtime_rpc: \
	$(RUNTIME_CAPNP_HOST_OBJS)
$(BUILD)/host/tests/host/test_runtime_rpc: $(BUILD)/host/generated/rpctest.capnp.o \
	$(BUILD)/host/generated/rpctest.capnp.rpc.o
ifeq ($(HAVE_CAPNP),)
RUNTIME_HOST_TESTS := $(filter-out %/test_runtime_console %/test_runtime_rpc,$(RUNTIME_HOST_TESTS))
endif

HOST_TEST_BINS += $(RUNTIME_HOST_TESTS)

# The example service quoted in docs/runtime.md must be quoted exactly.
TEST_SUITES += tools/check-doc-quotes.sh

