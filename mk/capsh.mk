# capsh, the capability shell (services/capsh, docs/terminal.md), built as
# build/user/demos/capsh.elf so manifests find it like any demo, and
# `make shell`: system-shell.cue booted with the serial port on your
# terminal.  Its line editor is host-tested.  (Sorts before manifest.mk,
# which reads MANIFEST_BINS; user.mk, read later, defines RUNTIME_LIB and
# USER_LDSCRIPT, so prerequisites spell them out.)

# lib/capnp_text.c: the text form `call` reads and prints, from the
# schemas (CodeGeneratorRequest readers: generated/capnp/schema.capnp.c).
CAPSH_SRCS := $(sort $(wildcard services/capsh/*.c)) lib/capnp_text.c \
	generated/capnp/schema.capnp.c
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

# The schema information capsh's `call` reads (docs/terminal.md): every
# schema the generator reads, compiled by `capnp compile -o-` into its
# CodeGeneratorRequest (nodes and doc comments), packed.  A system carries
# it as the binary `capos.schemas` (extraBinaries) and grants it through a
# badged BootPackage, the schema view (kernel/cap/boot_package.h).
CAPOS_SCHEMAS_BIN := $(BUILD)/user/capos.schemas
CAPOS_SCHEMAS_DIRS := $(sort $(patsubst %/,%,$(dir $(CAPNP_ALL_SCHEMAS))))
$(CAPOS_SCHEMAS_BIN): $(CAPNP_ALL_SCHEMAS) mk/capsh.mk
	@mkdir -p $(@D)
	$(CAPNP) compile $(addprefix -I,$(CAPOS_SCHEMAS_DIRS)) \
		$(addprefix --src-prefix=,$(CAPOS_SCHEMAS_DIRS)) -o- $(CAPNP_ALL_SCHEMAS) \
		| $(CAPNP) convert binary:packed $(CAPNP_SYS_SCHEMA) CodeGeneratorRequest >$@.tmp
	mv $@.tmp $@
MANIFEST_BINS += $(CAPOS_SCHEMAS_BIN)
ALL_TARGETS += $(CAPOS_SCHEMAS_BIN)

# The text form against Debian's capnp (tests/capnp/text.sh drives text_rt).
CAPNP_TEXT_RT := $(BUILD)/host/tests/capnp/text_rt
$(CAPNP_TEXT_RT): $(BUILD)/host/tests/capnp/text_rt.o $(BUILD)/host/lib/capnp_text.o \
		$(BUILD)/host/lib/format.o $(BUILD)/host/generated/capnp/schema.capnp.o $(CAPNP_HOST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ $(HOST_LDFLAGS)
ALL_TARGETS += $(CAPNP_TEXT_RT)
TEST_SUITES += tests/capnp/text.sh

# Method lookup, caps by name, defaults, truncation (Criterion), over the
# test schemas compiled by capnp into a CodeGeneratorRequest (a path
# relative to the top directory, where make test runs it).
CTEXT_REQ := $(BUILD)/host/tests/ctext-req.bin
$(CTEXT_REQ): $(CAPNP_TEST_SCHEMAS)
	@mkdir -p $(@D)
	$(CAPNP) compile --src-prefix=tests/capnp -o- $(CAPNP_TEST_SCHEMAS) >$@.tmp
	mv $@.tmp $@
$(BUILD)/host/tests/host/test_ctext.o: HOST_CFLAGS += -DCTEXT_REQ='"$(CTEXT_REQ)"'
$(BUILD)/host/tests/host/test_ctext.o: $(CTEXT_REQ)
HOST_TEST_BINS += $(BUILD)/host/tests/test_ctext
$(BUILD)/host/tests/test_ctext: $(BUILD)/host/tests/host/test_ctext.o \
		$(BUILD)/host/lib/capnp_text.o $(BUILD)/host/lib/format.o \
		$(BUILD)/host/generated/capnp/schema.capnp.o $(CAPNP_HOST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
