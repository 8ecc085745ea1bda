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
$(LINUX_NET_INIT): bench/linux/netserve.c bench/linux/guest_init.h
	@mkdir -p $(@D)
	$(HOST_CC) -std=gnu17 $(WARN) -O2 -static -o $@ $<
ALL_TARGETS += $(LINUX_NET_INIT)

# The client and netserve on the host's loopback: arguments, echo, HTTP.
TEST_SUITES += tests/tools/netload-test.sh

# The capOS side: BENCH_NET_SYSTEM (default bench/net/system-bench-net.cue:
# the driver, the netstack and the services it measures), built and
# booted like `make run-kernel SYSTEM=...` but by the script, under the
# Linux guest's QEMU command line.  It must run a TCP echo service on port
# 7 (BENCH_NET_ECHO) and an HTTP service on port 80 (BENCH_NET_HTTPD):
# what it lacks, the capOS column says it lacks.  SYSTEM is set before
# mk/run.mk reads SYSTEM (mk/*.mk are read in name order).
BENCH_NET_SYSTEM ?= bench/net/system-bench-net.cue
BENCH_NET_ECHO ?= netecho
BENCH_NET_HTTPD ?= httpd
ifneq ($(filter bench-net,$(MAKECMDGOALS)),)
SYSTEM ?= $(BENCH_NET_SYSTEM)
endif

.PHONY: bench-net
bench-net: deps $(NETLOAD) $(LINUX_NET_INIT)
	$(call build_for_run,$(KERNEL_ELF) $(RUN_MANIFEST),$(SYSTEM_FILE))
	@names=" $$($(MKMANIFEST) $(MKMANIFEST_FLAGS) --list-binaries $(SYSTEM_FILE) | tr '\n' ' ') "; \
	serves=; case "$$names" in *" $(BENCH_NET_ECHO) "*) serves=echo;; esac; \
	case "$$names" in *" $(BENCH_NET_HTTPD) "*) serves="$$serves http";; esac; \
	if [ -z "$$serves" ]; then \
		set -- --capos-na "$(notdir $(SYSTEM_FILE)) runs neither $(BENCH_NET_ECHO) nor $(BENCH_NET_HTTPD)"; \
	else \
		set -- --capos-kernel $(KERNEL_ELF) --capos-manifest $(RUN_MANIFEST) --capos-serves "$$serves"; \
	fi; \
	tools/bench/bench-net.sh --build $(BUILD) "$$@" $(BENCH_NET_ARGS)
