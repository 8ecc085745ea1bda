# Cap'n Proto in C: the freestanding wire runtime (lib/capnp), the code
# generator plugin (tools/capnpc-c), checked-in generated code (generated/),
# tests against the reference `capnp` tool, fuzzing and the benchmark.
# Contract: docs/capnp-c.md.

CAPNP := capnp
CAPNP_LIB_SRCS := lib/capnp/reader.c lib/capnp/builder.c lib/capnp/packed.c lib/capnp/strerror.c
CAPNP_SCHEMAS := $(sort $(wildcard schema/*.capnp))
# Schemas only the tests use (every field kind); generated like the others.
CAPNP_TEST_SCHEMAS := tests/capnp/fieldkinds.capnp
CAPNP_SYS_SCHEMA := /usr/include/capnp/schema.capnp

CAPNP_GEN_SCHEMA_SRCS := $(patsubst schema/%,generated/%.c,$(CAPNP_SCHEMAS))
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
	$(CAPNP) compile --src-prefix=tests/capnp -o$(CAPNPC_C):$(1) $(CAPNP_TEST_SCHEMAS)
endef

# A schema that is new, or newer than its generated code, is compiled by
# whatever build needs the code, so writing a service's schema takes no
# manual step; the result is the same as `make generated-code`'s, which
# generated-code-check proves for the checked-in copy.
generated/%.capnp.h generated/%.capnp.c: schema/%.capnp | $(CAPNPC_C)
	$(CAPNP) compile -Ischema --src-prefix=schema -o$(CAPNPC_C):generated $<

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
