# init (issue #6): the one process the kernel starts from the boot manifest.
# build/user/init/init.elf = init/*.c + lib/manifest (decoder, validator,
# interface ids) + the generated manifest schema code + the runtime.
# mk/manifest.mk finds it by its logical name "init" in build/user/init.
# See docs/init.md.

INIT_ELF := $(BUILD)/user/init/init.elf
INIT_SRCS := $(sort $(wildcard init/*.c)) lib/manifest/decode.c lib/manifest/validate.c \
	lib/manifest/interfaces.c generated/manifest.capnp.c
INIT_OBJS := $(patsubst %.c,$(BUILD)/user/%.o,$(INIT_SRCS))

# Second expansion: mk/user.mk (RUNTIME_LIB, USER_LDSCRIPT) is read later.
.SECONDEXPANSION:
$(INIT_ELF): $(INIT_OBJS) $$(RUNTIME_LIB) $$(USER_LDSCRIPT)
	@mkdir -p $(@D)
	$(LD) -static -nostdlib -z max-page-size=4096 -z noexecstack -u _start \
		-T $(USER_LDSCRIPT) -o $@ $(INIT_OBJS) --start-group $(RUNTIME_LIB) $(USER_LIBGCC) --end-group

$(BUILD)/user/init/%.o: USER_CFLAGS += -Iinit

ALL_TARGETS += $(INIT_ELF)
MANIFEST_BINS += $(INIT_ELF)

.PHONY: init
init: $(INIT_ELF)

# A "binary" that is not an ELF, for the spawn smoke (system-spawn.cue):
# the kernel must refuse to spawn it, both when init starts the service
# that names it and when spawn_hostile asks for it.
INIT_BAD_ELF := $(BUILD)/user/bad_elf
$(INIT_BAD_ELF):
	@mkdir -p $(@D)
	printf 'this is not an ELF file\n' >$@
MANIFEST_BINS += $(INIT_BAD_ELF)

# Host test of init's capability wiring (init/grants.c).
HOST_TEST_BINS += $(BUILD)/host/tests/host/test_init_grants
$(BUILD)/host/tests/host/test_init_grants.o $(BUILD)/host/init/grants.o: HOST_CFLAGS += -Iinit
$(BUILD)/host/tests/host/test_init_grants: $(BUILD)/host/tests/host/test_init_grants.o \
		$(BUILD)/host/init/grants.o $(BUILD)/host/lib/manifest/validate.o \
		$(BUILD)/host/lib/manifest/interfaces.o
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# `make bench-spawn`: ProcessSpawner.spawn and spawn-until-reaped cost
# (demos/spawn_bench.c) under -icount shift=0 (one TSC tick per guest
# instruction).  A benchmark, not a test: nothing is asserted on speed.
SPAWN_BENCH_LOG := $(BUILD)/bench-spawn.log
.PHONY: bench-spawn
bench-spawn: $$(KERNEL_ELF) $(BUILD)/manifests/raw_spawn_bench.bin
	qemu-system-x86_64 $(BENCH_QEMU_FLAGS) \
		-serial file:$(SPAWN_BENCH_LOG) -display none -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel $(KERNEL_ELF) \
		-initrd $(BUILD)/manifests/raw_spawn_bench.bin </dev/null; \
		status=$$?; tr -d '\r' <$(SPAWN_BENCH_LOG) | grep -a '^\[spawn_bench\]'; \
		test $$status = 33 || { echo "bench-spawn: QEMU status $$status (see $(SPAWN_BENCH_LOG))" >&2; exit 1; }
