# capsh, the capability shell (services/capsh, docs/terminal.md), built as
# build/user/demos/capsh.elf so manifests find it like any demo, and
# `make shell`: system-shell.cue booted with the serial port on your
# terminal.  Its line editor is host-tested.  (Sorts before manifest.mk,
# which reads MANIFEST_BINS; user.mk, read later, defines RUNTIME_LIB and
# USER_LDSCRIPT, so prerequisites spell them out.)

CAPSH_SRCS := $(sort $(wildcard services/capsh/*.c))
CAPSH_OBJS := $(patsubst %.c,$(BUILD)/user/%.o,$(CAPSH_SRCS))
CAPSH_ELF := $(BUILD)/user/demos/capsh.elf
$(CAPSH_OBJS): | $(CAPNP_GEN_SCHEMA_SRCS:.c=.h)
.SECONDARY: $(CAPSH_OBJS)
$(CAPSH_ELF): $(CAPSH_OBJS) $(BUILD)/user/libcapos.a runtime/user.ld
	@mkdir -p $(@D)
	$(LD) -static -nostdlib -z max-page-size=4096 -z noexecstack -u _start \
		-T runtime/user.ld -o $@ $(CAPSH_OBJS) \
		--start-group $(BUILD)/user/libcapos.a $(USER_LIBGCC) --end-group
MANIFEST_BINS += $(CAPSH_ELF)
ALL_TARGETS += $(CAPSH_ELF)

HOST_TEST_BINS += $(BUILD)/host/tests/test_capsh_line
$(BUILD)/host/tests/test_capsh_line: $(BUILD)/host/tests/host/test_capsh_line.o \
		$(BUILD)/host/services/capsh/line.o $(BUILD)/host/lib/format.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
