# The HTTP service (services/httpd, docs/networking.md "httpd"): lib/http.c
# (request parser, response builder) and lib/httpd.c (connections, limits,
# routes) are host-tested (tests/host/test_http.c, test_httpd.c) and fuzzed
# (fuzz/http_fuzz.c: `make fuzz-http` for FUZZ_SECONDS, a bounded run in
# `make test`, tests/host/test_http_fuzz.sh).

HTTP_HOST_TESTS := test_http test_httpd test_tsc_clock
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(HTTP_HOST_TESTS))
# lib/tsc_clock.c: the clock httpd and the netstack read between Timer
# readings.
$(BUILD)/host/tests/test_tsc_clock: $(BUILD)/host/tests/host/test_tsc_clock.o 		$(BUILD)/host/lib/tsc_clock.o
$(BUILD)/host/tests/test_http: $(BUILD)/host/tests/host/test_http.o $(BUILD)/host/lib/http.o \
		$(BUILD)/host/lib/format.o
$(BUILD)/host/tests/test_httpd: $(BUILD)/host/tests/host/test_httpd.o $(BUILD)/host/lib/httpd.o \
		$(BUILD)/host/lib/http.o $(BUILD)/host/lib/format.o
$(addprefix $(BUILD)/host/tests/,$(HTTP_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

HTTP_FUZZ_BIN := $(BUILD)/fuzz/http
$(HTTP_FUZZ_BIN): fuzz/http_fuzz.c lib/http.c lib/http.h lib/format.c lib/format.h
	@mkdir -p $(@D)
	clang -std=c17 $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(COMMON_INC) -DCAPOS_HOST=1 -o $@ fuzz/http_fuzz.c lib/http.c lib/format.c
ALL_TARGETS += $(HTTP_FUZZ_BIN)
TEST_SUITES += tests/host/test_http_fuzz.sh

.PHONY: fuzz-http
fuzz-http: $(HTTP_FUZZ_BIN)
	@mkdir -p $(BUILD)/fuzz/http.corpus
	tests/host/test_http_fuzz.sh --seeds $(BUILD)/fuzz/http.corpus
	$(HTTP_FUZZ_BIN) -max_total_time=$(or $(FUZZ_SECONDS),60) -max_len=8192 $(BUILD)/fuzz/http.corpus

# The service: services/httpd/*.c with lib/http.c and lib/httpd.c, built
# like the other services (mk/drivers.mk, read before this file).
SERVICE_LIB_httpd := lib/http.c lib/httpd.c lib/tsc_clock.c
HTTPD_ELF := $(BUILD)/user/services/httpd.elf
.SECONDARY: $(call service_objs,httpd)
$(call service_objs,httpd): | $(CAPNP_GEN_SCHEMA_SRCS:.c=.h) $(CAPNP_GEN_RPC_SRCS:.c=.h)
$(eval $(call service_rule,httpd))
MANIFEST_BINS += $(HTTPD_ELF)
ALL_TARGETS += $(HTTPD_ELF)
.PHONY: httpd
httpd: $(HTTPD_ELF)
