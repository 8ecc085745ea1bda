# lwIP (Debian's lwip 2.1.3 source package, fetched and checked by
# tools/srcpkg.sh, never copied into the repo) built three ways with one
# configuration (services/netstack/port/lwipopts.h):
#   build/lwip/user/liblwip.a  freestanding, for the netstack service
#   build/lwip/host/liblwip.a  host gcc, ASan+UBSan (tests/host/test_lwip_port)
#   build/lwip/fuzz/liblwip.a  clang, libFuzzer instrumentation (fuzz/lwip_input.c)
# and what uses them: the netstack service, its socket-table test, the
# fuzzer and the smoke netstack_fake_nic (below).
# Fetching needs the Debian archive, so none of it is in `make all` (which
# stays offline): `make test` (CHECK_TARGETS), `make netstack` and
# `make fuzz-net` build it.  docs/networking.md describes the port.

LWIP_DIR := $(BUILD)/lwip
# A symlink to the verified, unpacked tree (wherever the srcpkg cache is).
LWIP_SRC := $(LWIP_DIR)/src
LWIP_STAMP := $(LWIP_DIR)/src.stamp
LWIP_PORT := services/netstack/port

$(LWIP_STAMP): tools/srcpkg.sh third_party/sources.lock
	@mkdir -p $(@D)
	tree=$$(tools/srcpkg.sh path lwip) && ln -sfn "$$tree" $(LWIP_SRC)
	@touch $@

# lwIP's IPv4 core, DNS (servers learned by DHCP) and the Ethernet layer;
# no IPv6, PPP, sockets or netconn (lwipopts.h turns them off).
LWIP_FILES := core/init.c core/def.c core/dns.c core/inet_chksum.c core/ip.c core/mem.c \
	core/memp.c core/netif.c core/pbuf.c core/raw.c core/stats.c core/sys.c core/tcp.c \
	core/tcp_in.c core/tcp_out.c core/timeouts.c core/udp.c \
	core/ipv4/dhcp.c core/ipv4/etharp.c core/ipv4/icmp.c core/ipv4/ip4.c \
	core/ipv4/ip4_addr.c core/ipv4/ip4_frag.c netif/ethernet.c
LWIP_PORT_FILES := sys_arch.c ethif.c
LWIP_PORT_HDRS := $(wildcard $(LWIP_PORT)/*.h $(LWIP_PORT)/arch/*.h $(LWIP_PORT)/libc/*.h)

LWIP_INC := -I$(LWIP_PORT) -I$(LWIP_SRC)/src/include
# lwIP's own files are built with -Werror like ours.  With this
# configuration they need no -Wno-* flag (gcc 12 and clang 14 with -Wall
# -Wextra); a flag added here must say which warning fires where and why
# it is lwIP's style, not a bug.
LWIP_NOWARN :=

# libc/: <string.h> and <stdlib.h> for the freestanding build only.
LWIP_USER_CFLAGS := $(USER_CFLAGS) $(LWIP_INC) -I$(LWIP_PORT)/libc
LWIP_HOST_CFLAGS := $(HOST_CFLAGS) $(LWIP_INC)
LWIP_FUZZ_CFLAGS := -std=c17 $(WARN) -O1 -g -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all $(COMMON_INC) -DCAPOS_HOST=1 -D_DEFAULT_SOURCE $(LWIP_INC)

# $(call lwip_build,FLAVOUR,CC,CFLAGS,EXTRA_PORT_FILES): objects and library of one flavour.
define lwip_build
LWIP_$(1)_OBJS := $$(patsubst %.c,$(LWIP_DIR)/$(1)/lwip/%.o,$(LWIP_FILES))
LWIP_$(1)_PORT_OBJS := $$(patsubst %.c,$(LWIP_DIR)/$(1)/port/%.o,$(LWIP_PORT_FILES) $(4))
LWIP_$(1)_LIB := $(LWIP_DIR)/$(1)/liblwip.a
$$(LWIP_$(1)_OBJS): $(LWIP_DIR)/$(1)/lwip/%.o: $(LWIP_STAMP) $(LWIP_PORT_HDRS)
	@mkdir -p $$(@D)
	$(2) $(3) $(LWIP_NOWARN) -MMD -MP -c $(LWIP_SRC)/src/$$*.c -o $$@
$$(LWIP_$(1)_PORT_OBJS): $(LWIP_DIR)/$(1)/port/%.o: $(LWIP_PORT)/%.c $(LWIP_STAMP) $(LWIP_PORT_HDRS)
	@mkdir -p $$(@D)
	$(2) $(3) -MMD -MP -c $$< -o $$@
$$(LWIP_$(1)_LIB): $$(LWIP_$(1)_OBJS) $$(LWIP_$(1)_PORT_OBJS)
	rm -f $$@
	$(AR) rcs $$@ $$^
-include $$(LWIP_$(1)_OBJS:.o=.d) $$(LWIP_$(1)_PORT_OBJS:.o=.d)
endef
$(eval $(call lwip_build,user,$(CC),$(LWIP_USER_CFLAGS),libc/atoi.c))
$(eval $(call lwip_build,host,$(HOST_CC),$(LWIP_HOST_CFLAGS)))
$(eval $(call lwip_build,fuzz,clang,$(LWIP_FUZZ_CFLAGS)))

.PHONY: lwip
lwip: $(LWIP_user_LIB) $(LWIP_host_LIB) $(LWIP_fuzz_LIB)

# ---------------------------------------------------------------------------
# The packet-input fuzzer (fuzz/lwip_input.c): `make fuzz-net` runs a
# campaign for FUZZ_SECONDS; tests/host/test_lwip_fuzz.sh a fixed number of
# inputs in `make test`.  Seeds are written by the harness itself
# (LWIP_FUZZ_SEEDS=DIR), so the DHCP offer carries the xid the client uses.
# ---------------------------------------------------------------------------
LWIP_FUZZ_BIN := $(BUILD)/fuzz/lwip_input
LWIP_FUZZ_SEEDS := $(BUILD)/fuzz/lwip_input.seeds
$(LWIP_FUZZ_BIN): fuzz/lwip_input.c fuzz/lwip_frames.c fuzz/lwip_frames.h $(LWIP_fuzz_LIB)
	@mkdir -p $(@D)
	clang $(LWIP_FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ fuzz/lwip_input.c fuzz/lwip_frames.c \
		$(LWIP_fuzz_LIB)
$(LWIP_FUZZ_SEEDS).stamp: $(LWIP_FUZZ_BIN)
	@rm -rf $(LWIP_FUZZ_SEEDS) && mkdir -p $(LWIP_FUZZ_SEEDS)
	LWIP_FUZZ_SEEDS=$(LWIP_FUZZ_SEEDS) $(LWIP_FUZZ_BIN)
	@touch $@
CHECK_TARGETS += $(LWIP_FUZZ_SEEDS).stamp
TEST_SUITES += tests/host/test_lwip_fuzz.sh

.PHONY: fuzz-net
fuzz-net: $(LWIP_FUZZ_SEEDS).stamp
	@mkdir -p $(BUILD)/fuzz/lwip_input.corpus
	$(LWIP_FUZZ_BIN) -max_total_time=$(or $(FUZZ_SECONDS),60) -max_len=8192 \
		$(BUILD)/fuzz/lwip_input.corpus $(LWIP_FUZZ_SEEDS)

# ---------------------------------------------------------------------------
# Host integration test of the port: two lwIP stacks back to back
# (tests/host/test_lwip_port.c).  Needs the source package, so it is a
# CHECK_TARGET (make test), not part of make all.
# ---------------------------------------------------------------------------
LWIP_PORT_TEST := $(BUILD)/host/tests/host/test_lwip_port
$(LWIP_PORT_TEST): tests/host/test_lwip_port.c $(LWIP_host_LIB)
	@mkdir -p $(@D)
	$(HOST_CC) $(LWIP_HOST_CFLAGS) -o $@ $< $(LWIP_host_LIB) -lcriterion $(HOST_LDFLAGS)
HOST_TEST_BINS += $(LWIP_PORT_TEST)

# ---------------------------------------------------------------------------
# The netstack service (services/netstack): lwIP over the Nic capability.
# Built by `make netstack` and by `make test` (it needs the source
# package, so not by `make all`); booted once the NIC driver exists.
# ---------------------------------------------------------------------------
NETSTACK_SRCS := $(wildcard services/netstack/*.c) lib/frame_ring.c lib/tsc_clock.c
NETSTACK_OBJS := $(patsubst %.c,$(BUILD)/user/netstack/%.o,$(NETSTACK_SRCS))
NETSTACK_ELF := $(BUILD)/user/services/netstack.elf
$(NETSTACK_OBJS): $(BUILD)/user/netstack/%.o: %.c $(LWIP_STAMP) $(LWIP_PORT_HDRS) \
		| $(CAPNP_GEN_SCHEMA_SRCS:.c=.h)
	@mkdir -p $(@D)
	$(CC) $(LWIP_USER_CFLAGS) -MMD -MP -c $< -o $@
-include $(NETSTACK_OBJS:.o=.d)
# (mk/user.mk, read after this file, defines RUNTIME_LIB and USER_LDSCRIPT:
# prerequisites are expanded at once, so they are spelt out here.)
$(NETSTACK_ELF): $(NETSTACK_OBJS) $(LWIP_user_LIB) $(BUILD)/user/libcapos.a runtime/user.ld
	@mkdir -p $(@D)
	$(LD) -static -nostdlib -z max-page-size=4096 -z noexecstack -u _start \
		-T $(USER_LDSCRIPT) -o $@ $(NETSTACK_OBJS) \
		--start-group $(LWIP_user_LIB) $(RUNTIME_LIB) $(USER_LIBGCC) --end-group
CHECK_TARGETS += $(NETSTACK_ELF)

.PHONY: netstack
netstack: $(NETSTACK_ELF)

# A run of a system that names the netstack (`make run-net`; run targets
# set SYSTEM_BIN_NAMES, mk/manifest.mk) builds it and rebuilds the
# manifest when it changes; `make all` never needs it.
ifneq ($(filter netstack,$(SYSTEM_BIN_NAMES)),)
MANIFEST_BINS += $(NETSTACK_ELF)
endif

# The socket table (services/netstack/sockets.c) on the host lwIP, over
# lwIP's loopback: tests/host/test_netstack_sockets.c.
NETSTACK_SOCKETS_TEST := $(BUILD)/host/tests/host/test_netstack_sockets
$(NETSTACK_SOCKETS_TEST): tests/host/test_netstack_sockets.c services/netstack/sockets.c \
		services/netstack/sockets.h $(LWIP_host_LIB)
	@mkdir -p $(@D)
	$(HOST_CC) $(LWIP_HOST_CFLAGS) -Iservices/netstack -o $@ tests/host/test_netstack_sockets.c \
		services/netstack/sockets.c $(LWIP_host_LIB) -lcriterion $(HOST_LDFLAGS)
HOST_TEST_BINS += $(NETSTACK_SOCKETS_TEST)

# The netstack's parked calls and badges (services/netstack/park.c): pure
# logic, tests/host/test_netstack_park.c.
NETSTACK_PARK_TEST := $(BUILD)/host/tests/host/test_netstack_park
$(NETSTACK_PARK_TEST): tests/host/test_netstack_park.c services/netstack/park.c \
		services/netstack/park.h lib/kstring.c
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Iservices/netstack -o $@ tests/host/test_netstack_park.c \
		services/netstack/park.c -lcriterion $(HOST_LDFLAGS)
HOST_TEST_BINS += $(NETSTACK_PARK_TEST)

# ---------------------------------------------------------------------------
# Smoke netstack_fake_nic: the netstack in QEMU over fake_nic
# (tests/qemu/net/fake_nic.c), a Nic with no device that plays a DHCP
# server.  Its system file lives in tests/qemu/net/, not manifests/ (whose
# every file `make all` builds): it names netstack, which needs the source
# package.  fake_nic shares fuzz/lwip_frames.c with the fuzzer.
# ---------------------------------------------------------------------------
FAKE_NIC_SRCS := tests/qemu/net/fake_nic.c fuzz/lwip_frames.c
FAKE_NIC_OBJS := $(patsubst %.c,$(BUILD)/user/net/%.o,$(FAKE_NIC_SRCS))
FAKE_NIC_ELF := $(BUILD)/user/net/fake_nic.elf
$(FAKE_NIC_OBJS): $(BUILD)/user/net/%.o: %.c | $(CAPNP_GEN_SCHEMA_SRCS:.c=.h)
	@mkdir -p $(@D)
	$(CC) $(USER_CFLAGS) -Ifuzz -I$(LWIP_PORT)/libc -MMD -MP -c $< -o $@
-include $(FAKE_NIC_OBJS:.o=.d)
$(FAKE_NIC_ELF): $(FAKE_NIC_OBJS) $(BUILD)/user/libcapos.a runtime/user.ld
	@mkdir -p $(@D)
	$(LD) -static -nostdlib -z max-page-size=4096 -z noexecstack -u _start \
		-T runtime/user.ld -o $@ $(FAKE_NIC_OBJS) \
		--start-group $(BUILD)/user/libcapos.a $(USER_LIBGCC) --end-group

NETSTACK_SMOKE_MANIFEST := $(BUILD)/manifests/netstack_fake_nic.bin
$(NETSTACK_SMOKE_MANIFEST): tests/qemu/net/netstack_fake_nic.cue $(BUILD)/stripped/services/netstack.elf \
		$(BUILD)/stripped/net/fake_nic.elf $(BUILD)/stripped/init/init.elf \
		$$(MKMANIFEST) $$(CUE_SCHEMA) $$(CUE_RUNNER) package-lock.json
	@mkdir -p $(@D)
	$(MKMANIFEST) --cue-runner $(CUE_RUNNER) -S cue -B $(BUILD)/stripped/services \
		-B $(BUILD)/stripped/net $(addprefix -B ,$(MANIFEST_BIN_DIRS)) -o $@ $<
CHECK_TARGETS += $(NETSTACK_SMOKE_MANIFEST)

# Smoke net_system: system-net.cue without netecho (the driver, the
# netstack with DHCP against QEMU's user network, ping and netinfo), booted
# like `make run-net` but without host forwards; it ends by itself.
NET_SYSTEM_SMOKE_MANIFEST := $(BUILD)/manifests/net_system.bin
$(NET_SYSTEM_SMOKE_MANIFEST): tests/qemu/net/net_system.cue $(BUILD)/stripped/services/netstack.elf \
		$(BUILD)/stripped/services/virtio_net.elf $(BUILD)/stripped/demos/ping.elf \
		$(BUILD)/stripped/demos/netinfo.elf $(BUILD)/stripped/init/init.elf \
		$$(MKMANIFEST) $$(CUE_SCHEMA) $$(CUE_RUNNER) package-lock.json
	@mkdir -p $(@D)
	$(MKMANIFEST) --cue-runner $(CUE_RUNNER) -S cue $(addprefix -B ,$(MANIFEST_BIN_DIRS)) -o $@ $<
CHECK_TARGETS += $(NET_SYSTEM_SMOKE_MANIFEST)

# Smoke net_static: tests/qemu/net/net_static.cue (netcfg drives
# configureStatic and configureDhcp over the real driver).
NET_STATIC_SMOKE_MANIFEST := $(BUILD)/manifests/net_static.bin
$(NET_STATIC_SMOKE_MANIFEST): tests/qemu/net/net_static.cue $(BUILD)/stripped/services/netstack.elf \
		$(BUILD)/stripped/services/virtio_net.elf $(BUILD)/stripped/demos/netcfg.elf \
		$(BUILD)/stripped/init/init.elf $$(MKMANIFEST) $$(CUE_SCHEMA) $$(CUE_RUNNER) package-lock.json
	@mkdir -p $(@D)
	$(MKMANIFEST) --cue-runner $(CUE_RUNNER) -S cue $(addprefix -B ,$(MANIFEST_BIN_DIRS)) -o $@ $<
CHECK_TARGETS += $(NET_STATIC_SMOKE_MANIFEST)

# ---------------------------------------------------------------------------
# The host-driven network tests (tests/net/run.sh, docs/testing.md "Network
# tests"): system-net.cue (with netecho) booted with host forwards on free
# loopback ports, driven by tests/net/netclient.c.  In `make test`;
# `make test-net` runs it alone.
# ---------------------------------------------------------------------------
NET_RUN_MANIFEST := $(BUILD)/manifests/system_net.bin
$(NET_RUN_MANIFEST): system-net.cue $(BUILD)/stripped/services/netstack.elf \
		$(BUILD)/stripped/services/virtio_net.elf $(BUILD)/stripped/demos/ping.elf \
		$(BUILD)/stripped/demos/netinfo.elf $(BUILD)/stripped/demos/netecho.elf \
		$(BUILD)/stripped/services/httpd.elf \
		$(BUILD)/stripped/init/init.elf $$(MKMANIFEST) $$(CUE_SCHEMA) $$(CUE_RUNNER) package-lock.json
	@mkdir -p $(@D)
	$(MKMANIFEST) --cue-runner $(CUE_RUNNER) -S cue $(addprefix -B ,$(MANIFEST_BIN_DIRS)) -o $@ $<
CHECK_TARGETS += $(NET_RUN_MANIFEST)

NETCLIENT := $(BUILD)/host/tests/net/netclient
$(NETCLIENT): tests/net/netclient.c
	@mkdir -p $(@D)
	$(HOST_CC) -std=c17 -Wall -Wextra -Werror -O2 -o $@ $<
CHECK_TARGETS += $(NETCLIENT)
TEST_SUITES += tests/net/run.sh

.PHONY: test-net
test-net: $(NET_RUN_MANIFEST) $(NETCLIENT) $(BUILD)/kernel.elf
	tests/net/run.sh
