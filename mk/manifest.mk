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
# is rebuilt when it changes; the demo and test programs (mk/user.mk) are
# added here.

MKMANIFEST := $(BUILD)/tool/tools/mkmanifest/mkmanifest
MANIFEST_CAPNP_OBJS = $(patsubst %.c,$(BUILD)/$(1)/%.o,$(wildcard lib/capnp/*.c) \
	generated/manifest.capnp.c)
MKMANIFEST_OBJS := $(addprefix $(BUILD)/tool/,tools/mkmanifest/mkmanifest.o \
	tools/mkmanifest/cue_errors.o tools/mkmanifest/iface.o tools/mkmanifest/json.o tools/mkmanifest/model.o \
	tools/mkmanifest/encode.o lib/manifest/validate.o lib/manifest/limits.o) \
	$(call MANIFEST_CAPNP_OBJS,tool)
CUE_RUNNER := tools/mkmanifest/cue-run.js
CUE_SCHEMA := $(sort $(wildcard cue/*.cue))
MANIFEST_BINS += $(patsubst %.c,$(BUILD)/user/%.elf,$(wildcard demos/*.c tests/qemu/progs/*.c)) \
	$(BUILD)/user/tests/qemu/progs/kfuzz.elf

# The manifest carries the programs without their debug sections (a sixth
# of the size: less to load, and init's copy of the manifest is smaller):
# build/stripped/X.elf = strip --strip-debug build/user/X.elf.  Files that
# are not ELFs (bad_elf) are taken as they are from build/user.
MANIFEST_STRIP_DIR := $(BUILD)/stripped
manifest_stripped = $(patsubst $(BUILD)/user/%.elf,$(MANIFEST_STRIP_DIR)/%.elf,$(1))
$(MANIFEST_STRIP_DIR)/%.elf: $(BUILD)/user/%.elf
	@mkdir -p $(@D)
	strip --strip-debug -o $@.tmp $<
	mv $@.tmp $@
# Kept (not deleted as intermediate files): smoke manifests name the raw
# programs' copies only through a pattern rule.
.PRECIOUS: $(MANIFEST_STRIP_DIR)/%.elf
MANIFEST_BIN_DIRS ?= $(MANIFEST_STRIP_DIR)/demos $(MANIFEST_STRIP_DIR)/tests/qemu/progs \
	$(MANIFEST_STRIP_DIR)/services \
	$(MANIFEST_STRIP_DIR)/init $(BUILD)/user
MANIFEST_DEPS = $(call manifest_stripped,$(MANIFEST_BINS))
MKMANIFEST_FLAGS = --cue-runner $(CUE_RUNNER) -S cue $(addprefix -B ,$(MANIFEST_BIN_DIRS))

# Run targets (mk/run.mk) set SYSTEM_BIN_NAMES to the binaries the booted
# system names (`mkmanifest --list-binaries`): the manifest then depends on
# those alone, so a broken demo that system does not use cannot stop `make
# run`.  Unset (`make all`, `make test`), it depends on every binary.
system_bin_deps = $(call manifest_stripped,$(foreach b,$(1),$(filter %/$(b).elf,$(MANIFEST_BINS))))
SYSTEM_MANIFEST_DEPS = $(if $(SYSTEM_BIN_NAMES),$(call system_bin_deps,$(SYSTEM_BIN_NAMES)),$(MANIFEST_DEPS))

MANIFEST_BIN := $(BUILD)/manifest.bin
MANIFEST_SPAWN_BIN := $(BUILD)/manifest-spawn.bin

ALL_TARGETS += $(MKMANIFEST)

$(MKMANIFEST): $(MKMANIFEST_OBJS)
	$(HOST_CC) $(TOOL_CFLAGS) $^ -o $@

# node_modules/.capos-lock-stamp is written by tools/install-deps.sh (npm ci).
$(MANIFEST_BIN): system.cue $(CUE_SCHEMA) $(MKMANIFEST) $(CUE_RUNNER) $(SYSTEM_MANIFEST_DEPS) package-lock.json
	$(MKMANIFEST) $(MKMANIFEST_FLAGS) -o $@ system.cue
$(MANIFEST_SPAWN_BIN): system-spawn.cue $(CUE_SCHEMA) $(MKMANIFEST) $(CUE_RUNNER) $(SYSTEM_MANIFEST_DEPS) package-lock.json
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
		$(BUILD)/host/lib/manifest/validate.o \
		$(BUILD)/host/lib/manifest/interfaces.o
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
$(BUILD)/host/tests/host/test_manifest_model: \
		$(BUILD)/host/tests/host/test_manifest_model.o \
		$(BUILD)/host/tools/mkmanifest/json.o \
		$(BUILD)/host/tools/mkmanifest/model.o \
		$(BUILD)/host/tools/mkmanifest/encode.o \
		$(BUILD)/host/lib/manifest/validate.o \
		$(call MANIFEST_CAPNP_OBJS,host)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# The kernel-limit checks (include/capos/limits.h).
HOST_TEST_BINS += $(BUILD)/host/tests/host/test_manifest_limits
$(BUILD)/host/tests/host/test_manifest_limits: \
		$(BUILD)/host/tests/host/test_manifest_limits.o \
		$(BUILD)/host/lib/manifest/limits.o \
		$(BUILD)/host/lib/manifest/validate.o
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# mkmanifest's interface table and CUE message rewrite.
HOST_TEST_BINS += $(BUILD)/host/tests/host/test_mkmanifest_text
$(BUILD)/host/tests/host/test_mkmanifest_text.o: HOST_CFLAGS += -Itools/mkmanifest
$(BUILD)/host/tests/host/test_mkmanifest_text: \
		$(BUILD)/host/tests/host/test_mkmanifest_text.o \
		$(BUILD)/host/tools/mkmanifest/iface.o \
		$(BUILD)/host/tools/mkmanifest/cue_errors.o \
		$(BUILD)/host/lib/manifest/validate.o
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# End-to-end: CUE pin checks, cue vet errors, mkmanifest errors, and the
# round trip system*.cue -> manifest -> capnp convert binary:json.
TEST_SUITES += tests/manifest/run.sh
# cue/manifest.cue's kernel cap kinds equal include/capos/kinds.h's.
TEST_SUITES += tools/check-cue-kinds.sh

# The decoder init uses (lib/manifest/decode.c): round trips through the
# encoder, truncated, corrupted and oversized messages.
HOST_TEST_BINS += $(BUILD)/host/tests/host/test_manifest_decode
$(BUILD)/host/tests/host/test_manifest_decode: \
		$(BUILD)/host/tests/host/test_manifest_decode.o \
		$(BUILD)/host/lib/manifest/decode.o \
		$(BUILD)/host/lib/manifest/validate.o \
		$(BUILD)/host/tools/mkmanifest/encode.o \
		$(call MANIFEST_CAPNP_OBJS,host)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# libFuzzer targets (clang, ASan + UBSan): the JSON parser + model, and the
# decoder init runs.  `make fuzz-manifest` runs each for FUZZ_SECONDS;
# tests/manifest/fuzz-smoke.sh runs a fixed number of inputs in `make test`.
MANIFEST_FUZZ_CFLAGS := -std=c17 $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all $(COMMON_INC) -DCAPOS_HOST=1 -D_DEFAULT_SOURCE
MANIFEST_FUZZ_JSON := $(BUILD)/fuzz/manifest_json
MANIFEST_FUZZ_DECODE := $(BUILD)/fuzz/manifest_decode
MANIFEST_FUZZ_SECONDS ?= $(or $(FUZZ_SECONDS),60)
$(MANIFEST_FUZZ_JSON): tests/manifest/fuzz_json.c tools/mkmanifest/json.c \
		tools/mkmanifest/model.c lib/manifest/validate.c
	@mkdir -p $(@D)
	clang $(MANIFEST_FUZZ_CFLAGS) -o $@ $^
$(MANIFEST_FUZZ_DECODE): tests/manifest/fuzz_decode.c lib/manifest/decode.c \
		lib/manifest/validate.c $(wildcard lib/capnp/*.c) generated/manifest.capnp.c
	@mkdir -p $(@D)
	clang $(MANIFEST_FUZZ_CFLAGS) -o $@ $^
ALL_TARGETS += $(MANIFEST_FUZZ_JSON) $(MANIFEST_FUZZ_DECODE)
TEST_SUITES += tests/manifest/fuzz-smoke.sh

.PHONY: fuzz-manifest
fuzz-manifest: $(MANIFEST_FUZZ_JSON) $(MANIFEST_FUZZ_DECODE)
	@mkdir -p $(BUILD)/fuzz/manifest_json.corpus $(BUILD)/fuzz/manifest_decode.corpus
	$(MANIFEST_FUZZ_JSON) -max_total_time=$(MANIFEST_FUZZ_SECONDS) \
		$(BUILD)/fuzz/manifest_json.corpus tests/manifest/seeds/json
	$(MANIFEST_FUZZ_DECODE) -max_total_time=$(MANIFEST_FUZZ_SECONDS) \
		$(BUILD)/fuzz/manifest_decode.corpus tests/manifest/seeds/decode

# The kernel decodes and validates the manifest it boots from
# (kernel/proc/manifest_boot.c) with the same code as mkmanifest and init.
KERNEL_LIB_SRCS += lib/manifest/decode.c lib/manifest/validate.c lib/manifest/interfaces.c \
	generated/manifest.capnp.c

# Manifests of QEMU smokes: tests/qemu/manifests/NAME.cue -> build/manifests/NAME.bin.
# raw_*.cue name the raw-ABI test programs (tests/qemu/proc, mk/proc.mk) and
# the hostile ELFs: those directories are searched first for them (a raw
# program may share its name with a demo: fault_hlt).
SMOKE_MANIFESTS := $(patsubst tests/qemu/manifests/%.cue,$(BUILD)/manifests/%.bin,\
	$(wildcard tests/qemu/manifests/*.cue))
RAW_BIN_DIRS = $(MANIFEST_STRIP_DIR)/tests/qemu/proc $(BUILD)/proc/hostile
smoke_bin_dirs = $(if $(filter raw_%,$(1)),$(RAW_BIN_DIRS) $(MANIFEST_BIN_DIRS),$(MANIFEST_BIN_DIRS))
# Smokes of the kernel's own refusal of a system too big for its tables:
# mkmanifest would refuse them (include/capos/limits.h).
SMOKE_OVER_LIMITS := raw_limits
# Second expansion (.SECONDEXPANSION in mk/init.mk): mk/proc.mk is read later.
$(BUILD)/manifests/%.bin: tests/qemu/manifests/%.cue $(CUE_SCHEMA) $(MKMANIFEST) $(CUE_RUNNER) \
		$(MANIFEST_DEPS) $$(call manifest_stripped,$$(PROC_TEST_ELFS)) $$(PROC_HOSTILE_STAMP) \
		package-lock.json
	@mkdir -p $(@D)
	$(MKMANIFEST) --cue-runner $(CUE_RUNNER) -S cue \
		$(if $(filter $(SMOKE_OVER_LIMITS),$*),--no-kernel-limits) \
		$(addprefix -B ,$(call smoke_bin_dirs,$*)) -o $@ $<
# A manifest that decodes but does not validate (schemaVersion, the first
# data word of the root struct, set to 2): the kernel must start nothing
# (smoke boot_manifest_refused).
$(BUILD)/manifests/bad_schema.bin: $(BUILD)/manifests/init_basic.bin
	cp $< $@.tmp
	printf '\002' | dd of=$@.tmp bs=1 seek=16 conv=notrunc status=none
	mv $@.tmp $@
SMOKE_MANIFESTS += $(BUILD)/manifests/bad_schema.bin
# A manifest cut short (smoke boot_manifest_corrupt): not a manifest at all.
$(BUILD)/manifests/truncated.bin: $(BUILD)/manifests/init_basic.bin
	head -c 4096 $< >$@.tmp
	mv $@.tmp $@
SMOKE_MANIFESTS += $(BUILD)/manifests/truncated.bin

ALL_TARGETS += $(SMOKE_MANIFESTS) $(MANIFEST_BIN) $(MANIFEST_SPAWN_BIN)

# `make run` boots system.cue through init (mk/run.mk).
BOOT_MODULES += $(MANIFEST_BIN)
