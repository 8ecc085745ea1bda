# The boot manifest: tools/mkmanifest turns system.cue (CUE, definitions in
# cue/) into build/manifest.bin, the Cap'n Proto SystemManifest carrying
# every binary (the single boot module).  See docs/manifest.md.
#
#   make manifest          build/manifest.bin        from system.cue
#   make manifest-spawn    build/manifest-spawn.bin  from system-spawn.cue
#   make manifest-vet      cue vet every system*.cue
#
# Binaries are found by logical name in MANIFEST_BIN_DIRS (NAME.elf, then
# NAME).  A fragment that builds a binary a system file names should add
# it to MANIFEST_BINS (fragments sorting before this one) so the manifest
# is rebuilt when it changes; demo programs are added here.

MKMANIFEST := $(BUILD)/tool/tools/mkmanifest/mkmanifest
MKMANIFEST_OBJS := $(addprefix $(BUILD)/tool/,tools/mkmanifest/mkmanifest.o \
	tools/mkmanifest/json.o tools/mkmanifest/model.o lib/manifest/validate.o)
# The manifest is encoded with our Cap'n Proto runtime (lib/capnp + the
# generated builders) when they are in the tree; until then with the
# minimal single-schema encoder tools/mkmanifest/encode.c.  Both are
# checked by the round trip through `capnp convert` (tests/manifest).
MANIFEST_HAVE_CAPNP := $(and $(wildcard generated/manifest.capnp.h),$(wildcard lib/capnp/reader.c))
ifneq ($(MANIFEST_HAVE_CAPNP),)
MKMANIFEST_OBJS += $(BUILD)/tool/tools/mkmanifest/encode_rt.o \
	$(patsubst %.c,$(BUILD)/tool/%.o,$(wildcard lib/capnp/*.c)) \
	$(BUILD)/tool/generated/manifest.capnp.o
else
MKMANIFEST_OBJS += $(BUILD)/tool/tools/mkmanifest/encode.o
endif
CUE_RUNNER := tools/mkmanifest/cue-run.js
CUE_SCHEMA := $(sort $(wildcard cue/*.cue))
MANIFEST_BIN_DIRS ?= $(BUILD)/user/demos $(BUILD)/user/init $(BUILD)/user
MANIFEST_BINS += $(patsubst demos/%.c,$(BUILD)/user/demos/%.elf,$(wildcard demos/*.c))
MKMANIFEST_FLAGS = --cue-runner $(CUE_RUNNER) -S cue $(addprefix -B ,$(MANIFEST_BIN_DIRS))

MANIFEST_BIN := $(BUILD)/manifest.bin
MANIFEST_SPAWN_BIN := $(BUILD)/manifest-spawn.bin

ALL_TARGETS += $(MKMANIFEST)

$(MKMANIFEST): $(MKMANIFEST_OBJS)
	$(HOST_CC) $(TOOL_CFLAGS) $^ -o $@

# node_modules/.capos-lock-stamp is written by tools/install-deps.sh (npm ci).
$(MANIFEST_BIN): system.cue $(CUE_SCHEMA) $(MKMANIFEST) $(CUE_RUNNER) $(MANIFEST_BINS) package-lock.json
	$(MKMANIFEST) $(MKMANIFEST_FLAGS) -o $@ system.cue
$(MANIFEST_SPAWN_BIN): system-spawn.cue $(CUE_SCHEMA) $(MKMANIFEST) $(CUE_RUNNER) $(MANIFEST_BINS) package-lock.json
	$(MKMANIFEST) $(MKMANIFEST_FLAGS) -o $@ system-spawn.cue

.PHONY: manifest manifest-spawn manifest-vet
manifest: deps
	@$(MAKE) --no-print-directory $(MANIFEST_BIN)
manifest-spawn: deps
	@$(MAKE) --no-print-directory $(MANIFEST_SPAWN_BIN)
manifest-vet: deps $(MKMANIFEST)
	@for f in $(wildcard system*.cue); do \
		$(MKMANIFEST) $(MKMANIFEST_FLAGS) --vet $$f || exit 1; done

# Host tests: the validator (every error path), the JSON parser and the
# JSON -> model conversion, under ASan/UBSan.
HOST_TEST_BINS += $(BUILD)/host/tests/host/test_manifest_validate \
	$(BUILD)/host/tests/host/test_manifest_model
$(BUILD)/host/tests/host/test_manifest_validate: \
		$(BUILD)/host/tests/host/test_manifest_validate.o \
		$(BUILD)/host/lib/manifest/validate.o
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
$(BUILD)/host/tests/host/test_manifest_model: \
		$(BUILD)/host/tests/host/test_manifest_model.o \
		$(BUILD)/host/tools/mkmanifest/json.o \
		$(BUILD)/host/tools/mkmanifest/model.o \
		$(BUILD)/host/tools/mkmanifest/encode.o \
		$(BUILD)/host/lib/manifest/validate.o
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# End-to-end: CUE pin checks, cue vet errors, mkmanifest errors, and the
# round trip system*.cue -> manifest -> capnp convert binary:json.
TEST_SUITES += tests/manifest/run.sh

# The decoder init uses (lib/manifest/decode.c) needs the Cap'n Proto
# runtime (lib/capnp) and the generated accessors (generated/manifest.capnp.h);
# its tests are built once both are in the tree.
ifneq ($(MANIFEST_HAVE_CAPNP),)
MANIFEST_CAPNP_HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(wildcard lib/capnp/*.c)) \
	$(BUILD)/host/generated/manifest.capnp.o
HOST_TEST_BINS += $(BUILD)/host/tests/host/test_manifest_decode
$(BUILD)/host/tests/host/test_manifest_decode: \
		$(BUILD)/host/tests/host/test_manifest_decode.o \
		$(BUILD)/host/lib/manifest/decode.o \
		$(BUILD)/host/lib/manifest/validate.o \
		$(BUILD)/host/tools/mkmanifest/encode.o \
		$(MANIFEST_CAPNP_HOST_OBJS)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
endif
