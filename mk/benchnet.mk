# `make bench-net`: TCP echo throughput and HTTP requests per second of
# capOS's network system beside a Debian Linux guest (bench/linux/netserve.c
# as /init), both under one QEMU command line, measured by the host client
# tools/bench/netload.c through forwards on 127.0.0.1
# (tools/bench/bench-net.sh, docs/benchmarks.md "Network").  Wall-clock
# figures: a benchmark, not a test; nothing is asserted on speed.
# BENCH_NET_ARGS passes options to the script (e.g. --mib 64, --icount).

NETLOAD := $(BUILD)/tools/netload
$(NETLOAD): $(BUILD)/tool/tools/bench/netload.o $(BUILD)/tool/lib/sha256.o
	@mkdir -p $(@D)
	$(HOST_CC) $(TOOL_CFLAGS) $^ -o $@
ALL_TARGETS += $(NETLOAD)

# The Linux guest's /init: an ordinary static Linux program (glibc).
LINUX_NET_INIT := $(BUILD)/linux-guest/net-root/init
$(LINUX_NET_INIT): bench/linux/netserve.c
	@mkdir -p $(@D)
	$(HOST_CC) -std=gnu17 $(WARN) -O2 -static -o $@ $<
ALL_TARGETS += $(LINUX_NET_INIT)

# The client and netserve on the host's loopback: arguments, echo, HTTP.
TEST_SUITES += tests/tools/netload-test.sh

.PHONY: bench-net
bench-net: deps $(NETLOAD) $(LINUX_NET_INIT)
	@tools/bench/bench-net.sh --build $(BUILD) --capos-na "not wired yet" $(BENCH_NET_ARGS)
