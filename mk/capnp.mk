# Cap'n Proto in C: the freestanding wire runtime (lib/capnp), the code
# generator plugin (tools/capnpc-c), checked-in generated code (generated/),
# tests against the reference `capnp` tool, fuzzing and the benchmark.
# Contract: docs/capnp-c.md.

CAPNP := capnp
CAPNP_LIB_SRCS := lib/capnp/reader.c lib/capnp/builder.c lib/capnp/packed.c lib/capnp/strerror.c
CAPNP_SCHEMAS := $(sort $(wildcard schema/*.capnp))
# A service's own schema may also sit beside its code (demos/x.capnp,
# demos/<svc>/x.capnp, services/<svc>/x.capnp); its code goes to generated/
# like schema/'s, so file names must be unique across these directories.
CAPNP_SERVICE_SCHEMAS := $(sort $(wildcard demos/*.capnp demos/*/*.capnp services/*/*.capnp))
CAPNP_ALL_SCHEMAS := $(CAPNP_SCHEMAS) $(CAPNP_SERVICE_SCHEMAS)
ifneq ($(words $(notdir $(CAPNP_ALL_SCHEMAS))),$(words $(sort $(notdir $(CAPNP_ALL_SCHEMAS)))))
$(error two schema files share a name (generated/ holds one NAME.capnp.*): $(CAPNP_ALL_SCHEMAS))
endif
# Schemas only the tests use (every field kind; interfaces for the stub
# and dispatch test); generated like the others.
CAPNP_TEST_SCHEMAS := tests/capnp/fieldkinds.capnp tests/capnp/rpctest.capnp
CAPNP_SYS_SCHEMA := /usr/include/capnp/schema.capnp

CAPNP_GEN_SCHEMA_SRCS := $(foreach s,$(CAPNP_ALL_SCHEMAS),generated/$(notdir $(s)).c)
# Client stubs and server dispatch (generated/NAME.capnp.rpc.{h,c}): userspace only.
CAPNP_GEN_RPC_SRCS := $(CAPNP_GEN_SCHEMA_SRCS:.capnp.c=.capnp.rpc.c)
CAPNP_GEN_SRCS := $(CAPNP_GEN_SCHEMA_SRCS) generated/capnp/schema.capnp.c
CAPNP_TEST_GEN_SRCS := $(patsubst tests/capnp/%,generated/%.c,$(CAPNP_TEST_SCHEMAS))

# The runtime must build with every flag set: kernel, userspace and host.
CAPNP_FLAVOUR_OBJS := $(foreach f,kernel user host, \
	$(patsubst %.c,$(BUILD)/$(f)/%.o,$(CAPNP_LIB_SRCS) $(wildcard $(CAPNP_GEN_SRCS))))
ALL_TARGETS += $(CAPNP_FLAVOUR_OBJS)

CAPNP_HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(CAPNP_LIB_SRCS))
CAPNP_TOOL_OBJS := $(patsubst %.c,$(BUILD)/tool/%.o,$(CAPNP_LIB_SRCS))

# ---------------------------------------------------------------------------
# Code generator (host tool), reading its request with generated/capnp/schema.capnp.h
# ---------------------------------------------------------------------------

CAPNPC_C := $(BUILD)/tool/capnpc-c
CAPNPC_C_SRCS := $(sort $(wildcard tools/capnpc-c/*.c)) generated/capnp/schema.capnp.c
$(CAPNPC_C): $(patsubst %.c,$(BUILD)/tool/%.o,$(CAPNPC_C_SRCS)) $(CAPNP_TOOL_OBJS)
	$(HOST_CC) -o $@ $^ -lm
ALL_TARGETS += $(CAPNPC_C)

# Regenerates generated/ into $(1).
define capnp_generate
	@mkdir -p $(1)
	$(CAPNP) compile -I/usr/include --src-prefix=/usr/include -o$(CAPNPC_C):$(1) $(CAPNP_SYS_SCHEMA)
	$(CAPNP) compile -Ischema --src-prefix=schema -o$(CAPNPC_C):$(1) $(CAPNP_SCHEMAS)
	$(foreach s,$(CAPNP_SERVICE_SCHEMAS),$(CAPNP) compile -Ischema -I$(dir $(s)) \
		--src-prefix=$(patsubst %/,%,$(dir $(s))) -o$(CAPNPC_C):$(1) $(s) &&) true
	$(CAPNP) compile --src-prefix=tests/capnp -o$(CAPNPC_C):$(1) $(CAPNP_TEST_SCHEMAS)
endef

# A schema that is new, or newer than its generated code, is compiled by
# whatever build needs the code, so writing a service's schema takes no
# manual step; the result is the same as `make generated-code`'s, which
# generated-code-check proves for the checked-in copy.
define capnp_schema_rule
generated/$(notdir $(1)).h generated/$(notdir $(1)).c generated/$(notdir $(1)).rpc.h \
		generated/$(notdir $(1)).rpc.c &: $(1) | $(CAPNPC_C)
	$(CAPNP) compile -Ischema -I$(dir $(1)) --src-prefix=$(patsubst %/,%,$(dir $(1))) \
		-o$(CAPNPC_C):generated $(1)
endef
$(foreach s,$(CAPNP_ALL_SCHEMAS),$(eval $(call capnp_schema_rule,$(s))))

.PHONY: generated-code generated-code-check
generated-code: $(CAPNPC_C)
	$(call capnp_generate,generated)

# Regenerate into a scratch tree and compare with what is checked in;
# a second pass with a generator rebuilt from the fresh schema code proves
# the bootstrap is a fixed point.
generated-code-check: $(CAPNPC_C)
	@rm -rf $(BUILD)/gencheck && mkdir -p $(BUILD)/gencheck
	$(call capnp_generate,$(BUILD)/gencheck/out)
	@if ! diff -ru generated $(BUILD)/gencheck/out; then \
		echo "generated-code-check: generated/ differs from the schemas (run make generated-code)"; \
		exit 1; fi
	@echo "generated-code-check: generated/ matches the schemas"
CHECK_TARGETS += generated-code-check
TEST_SUITES += tests/capnp/generator.sh

# ---------------------------------------------------------------------------
# Tests
# ---------------------------------------------------------------------------

CAPNP_TEST_BIN := $(BUILD)/host/tests/host/test_capnp
CAPNP_TEST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(sort $(wildcard tests/host/test_capnp*.c)) \
	$(CAPNP_TEST_GEN_SRCS) generated/capos.capnp.c) $(CAPNP_HOST_OBJS)
$(CAPNP_TEST_BIN): $(CAPNP_TEST_OBJS)
	$(HOST_CC) -o $@ $^ -lcriterion $(HOST_LDFLAGS)
ifneq ($(wildcard tests/host/test_capnp*.c),)
HOST_TEST_BINS += $(CAPNP_TEST_BIN)
endif

# Reference round trips: our encoder/decoder driven by tests/capnp/roundtrip.sh.
CAPNP_RT_BIN := $(BUILD)/host/tests/capnp/capnp_rt
$(CAPNP_RT_BIN): $(patsubst %.c,$(BUILD)/host/%.o,tests/capnp/capnp_rt.c $(CAPNP_TEST_GEN_SRCS)) \
		$(CAPNP_HOST_OBJS)
	$(HOST_CC) -o $@ $^ $(HOST_LDFLAGS)
ifneq ($(wildcard tests/capnp/roundtrip.sh),)
ALL_TARGETS += $(CAPNP_RT_BIN)
TEST_SUITES += tests/capnp/roundtrip.sh
endif

# Upstream's own test schema and messages (Debian's capnproto 0.9.2 source
# package, fetched and checked by tools/srcpkg.sh, never copied into the
# repo): code generated by capnpc-c for test.capnp and its imports, compiled
# with the host flags (-Werror), and upstream_rt, which tests/capnp/upstream.sh
# drives.  Built by `make test` (not `make all`, which stays offline).
CAPNP_UP := $(BUILD)/upstream
CAPNP_UP_FILES := capnp/test.capnp capnp/test-import.capnp capnp/test-import2.capnp \
	capnp/stream.capnp capnp/compat/json.capnp capnp/compat/json-test.capnp
CAPNP_UP_RT := $(CAPNP_UP)/upstream_rt
$(CAPNP_UP)/src.path: tools/srcpkg.sh third_party/sources.lock
	@mkdir -p $(@D)
	tools/srcpkg.sh path capnproto >$@.tmp && mv $@.tmp $@
# capnpc-c must generate every item without a warning.
$(CAPNP_UP)/gen.stamp: $(CAPNP_UP)/src.path $(CAPNPC_C) mk/capnp.mk
	@rm -rf $(CAPNP_UP)/gen && mkdir -p $(CAPNP_UP)/gen
	src=$$(cat $<)/src && CAPNPC_C_SRCDIR=$$src $(CAPNP) compile -I$$src --src-prefix=$$src \
		-o$(CAPNPC_C):$(CAPNP_UP)/gen $(addprefix $$src/,$(CAPNP_UP_FILES)) \
		2>$(CAPNP_UP)/gen.log; rc=$$?; cat $(CAPNP_UP)/gen.log; \
		if [ $$rc != 0 ] || grep -q warning $(CAPNP_UP)/gen.log; then \
		echo "capnpc-c refused part of upstream's test schema (see above)"; exit 1; fi
	@touch $@
$(CAPNP_UP_RT): tests/capnp/upstream_rt.c tests/capnp/json_out.h $(CAPNP_UP)/gen.stamp $(CAPNP_LIB_SRCS) lib/capnp/capnp.h
	$(HOST_CC) $(HOST_CFLAGS) -I$(CAPNP_UP)/gen -o $@ tests/capnp/upstream_rt.c \
		$(addprefix $(CAPNP_UP)/gen/,$(addsuffix .c,$(CAPNP_UP_FILES))) $(CAPNP_LIB_SRCS) \
		$(HOST_LDFLAGS) -lm
# The client stubs and server dispatch of upstream's interfaces (generics,
# extends, streaming, keyword names) compile with -Werror too.
$(CAPNP_UP)/rpc.stamp: $(CAPNP_UP)/gen.stamp runtime/include/capos/rpc.h
	for f in $(CAPNP_UP_FILES); do \
		$(HOST_CC) $(HOST_CFLAGS) -Iruntime/include -I$(CAPNP_UP)/gen -c \
			$(CAPNP_UP)/gen/$$f.rpc.c -o $(CAPNP_UP)/rpc.o || exit 1; done
	@touch $@
ifneq ($(wildcard tests/capnp/upstream.sh),)
CHECK_TARGETS += $(CAPNP_UP_RT) $(CAPNP_UP)/rpc.stamp
TEST_SUITES += tests/capnp/upstream.sh
endif

# libFuzzer target for the reader (clang, ASan + UBSan).
FUZZ_CC := clang
FUZZ_CFLAGS := -std=c17 $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all $(COMMON_INC) -DCAPOS_HOST=1
FUZZ_SECONDS ?= 60
CAPNP_FUZZ_BIN := $(BUILD)/fuzz/capnp_reader
$(CAPNP_FUZZ_BIN): fuzz/capnp_reader.c $(CAPNP_LIB_SRCS) $(CAPNP_TEST_GEN_SRCS) \
		generated/capos.capnp.c lib/capnp/capnp.h
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -o $@ fuzz/capnp_reader.c $(CAPNP_LIB_SRCS) \
		$(CAPNP_TEST_GEN_SRCS) generated/capos.capnp.c
ifneq ($(wildcard tests/capnp/fuzz-smoke.sh),)
ALL_TARGETS += $(CAPNP_FUZZ_BIN)
TEST_SUITES += tests/capnp/fuzz-smoke.sh
endif

.PHONY: fuzz
fuzz: $(CAPNP_FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/corpus
	$(CAPNP_FUZZ_BIN) -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
		$(BUILD)/fuzz/corpus fuzz/seeds

# ---------------------------------------------------------------------------
# Benchmark: ours vs the C++ reference in one process
# ---------------------------------------------------------------------------

CAPNP_BENCH_BIN := $(BUILD)/tool/bench/capnp/bench_capnp
$(CAPNP_BENCH_BIN): bench/capnp/bench.c bench/capnp/ref.cpp bench/capnp/bench.h $(CAPNP_LIB_SRCS) \
		generated/capos.capnp.c generated/manifest.capnp.c
	@mkdir -p $(@D)/gen
	$(CAPNP) compile -I/usr/include -Ischema --src-prefix=schema -oc++:$(@D)/gen \
		schema/capos.capnp schema/manifest.capnp
	g++ -std=c++17 -O2 -c -I$(@D)/gen -o $(@D)/ref.o bench/capnp/ref.cpp
	g++ -std=c++17 -O2 -c -I$(@D)/gen -o $(@D)/capos.capnp++.o $(@D)/gen/capos.capnp.c++
	g++ -std=c++17 -O2 -c -I$(@D)/gen -o $(@D)/manifest.capnp++.o $(@D)/gen/manifest.capnp.c++
	$(HOST_CC) $(TOOL_CFLAGS) -c -o $(@D)/bench.o bench/capnp/bench.c
	$(HOST_CC) $(TOOL_CFLAGS) -o $@ $(@D)/bench.o $(@D)/ref.o $(@D)/capos.capnp++.o \
		$(@D)/manifest.capnp++.o $(CAPNP_LIB_SRCS) generated/capos.capnp.c \
		generated/manifest.capnp.c -lcapnp-rpc -lcapnp -lkj-async -lkj -lstdc++

.PHONY: bench-capnp
bench-capnp: $(CAPNP_BENCH_BIN)
	$(CAPNP_BENCH_BIN) $(BENCH_CAPNP_ARGS)
