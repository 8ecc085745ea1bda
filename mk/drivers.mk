# Services: programs under services/<name>/ (each a directory of C
# files, one program), built like the demos into
# build/user/services/<name>.elf and found by mkmanifest by name.  Sorted
# before mk/manifest.mk so the manifests depend on them.
#
#   services/virtio_net   the virtio-net driver, exporting Nic
#                         (docs/devices.md, "virtio-net driver")
#
# A service also links the lib/ code it uses (freestanding builds of the
# same files the host tests cover); lib/frame_ring.c is in libcapos.a.

# Named one by one: services/netstack has its own rules (mk/lwip.mk: it
# needs lwIP's fetched source, which `make all` does not).
SERVICE_NAMES := virtio_net
SERVICE_LIB_virtio_net := lib/virtio/virtio_pci.c lib/virtio/virtio_dev.c \
	lib/virtio/virtqueue.c lib/virtio/virtio_net.c lib/pci.c lib/nic_core.c \
	lib/nic_server.c

service_objs = $(patsubst %.c,$(BUILD)/user/%.o,$(wildcard services/$(1)/*.c) $(SERVICE_LIB_$(1)))
SERVICE_ELFS := $(foreach s,$(SERVICE_NAMES),$(BUILD)/user/services/$(s).elf)
.SECONDARY: $(foreach s,$(SERVICE_NAMES),$(call service_objs,$(s)))
$(foreach s,$(SERVICE_NAMES),$(call service_objs,$(s))): | $(CAPNP_GEN_SCHEMA_SRCS:.c=.h)

# mk/user.mk (read after this file) defines RUNTIME_LIB and USER_LDSCRIPT:
# their values are spelt out here for the prerequisites.
define service_rule
$(BUILD)/user/services/$(1).elf: $(call service_objs,$(1)) $(BUILD)/user/libcapos.a runtime/user.ld
	@mkdir -p $$(@D)
	$$(LD) -static -nostdlib -z max-page-size=4096 -z noexecstack -u _start \
		-T runtime/user.ld -o $$@ $(call service_objs,$(1)) \
		--start-group $(BUILD)/user/libcapos.a $$(USER_LIBGCC) --end-group
endef
$(foreach s,$(SERVICE_NAMES),$(eval $(call service_rule,$(s))))

MANIFEST_BINS += $(SERVICE_ELFS)
ALL_TARGETS += $(SERVICE_ELFS)
.PHONY: services
services: $(SERVICE_ELFS)

# `make run-net`: the network system (NET_SYSTEM: the driver, the netstack
# with DHCP, ping and netinfo) on q35 with QEMU's VT-d (intel-iommu: the
# driver's DMA pool is the only memory the device can reach) and a modern
# virtio-net function on user networking with restrict=on (the guest
# reaches only QEMU's gateway 10.0.2.2; nothing leaves the machine).  Like
# `make run` it ends by itself: the clients exit, then the netstack, the
# driver and init.  NET_IOMMU=0 boots without the IOMMU (the pool is then
# contiguous physical memory: its physical address is the device address).
# NET_HOSTFWD: host ports forwarded into the guest, on 127.0.0.1 only
# (HTTP 8080 -> 80, TCP and UDP echo 8007 -> 7); NET_HOSTFWD= turns them
# off (two runs at once cannot bind the same ports).  The smokes boot
# without them.
NET_SYSTEM ?= system-net.cue
NET_IOMMU ?= 1
NET_HOSTFWD ?= tcp:127.0.0.1:8080-:80 tcp:127.0.0.1:8007-:7 udp:127.0.0.1:8007-:7
comma := ,
net_space := $() $()
NET_QEMU_ARGS = --machine q35 --qemu-arg -nic --qemu-arg none \
	$(if $(filter 1,$(NET_IOMMU)),--qemu-arg -device --qemu-arg intel-iommu) \
	--qemu-arg -netdev --qemu-arg user,id=n0,restrict=on$(subst $(net_space),,$(foreach f,$(NET_HOSTFWD),$(comma)hostfwd=$(f))) \
	--qemu-arg -device --qemu-arg virtio-net-pci,netdev=n0,disable-legacy=on,addr=04.0$(if $(filter 1,$(NET_IOMMU)),$(comma)iommu_platform=on)
.PHONY: run-net
# httpd stops on /shutdown?token=T: T is made fresh for each run (16 hex
# digits from /dev/urandom) and reaches httpd on the kernel command line
# (httpd.token=, docs/httpd.md); HTTPD_TOKEN=T chooses it.  The system
# serves until then, so the run has no watchdog unless RUN_TIMEOUT=N is
# given on the command line.
NET_RUN_TIMEOUT = $(if $(filter command line,$(origin RUN_TIMEOUT)),$(RUN_TIMEOUT),0)
run-net: deps
	$(if $(strip $(NET_HOSTFWD)),@echo "run-net: host forwards on 127.0.0.1: $(NET_HOSTFWD)")
	+@token=$${HTTPD_TOKEN:-$$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}; \
	echo "run-net: httpd at http://127.0.0.1:8080/ (status: http://127.0.0.1:8080/status)"; \
	echo "run-net: stop the system with http://127.0.0.1:8080/shutdown?token=$$token"; \
	$(MAKE) --no-print-directory run-kernel SYSTEM=$(NET_SYSTEM) RUN_QEMU_EXTRA='$(NET_QEMU_ARGS)' \
		RUN_CMDLINE="$(RUN_CMDLINE) httpd.token=$$token" RUN_TIMEOUT=$(NET_RUN_TIMEOUT)

# `make bench-nic`: services/virtio_net/bench-nic.cue (the driver and
# tests/qemu/progs/bench_nic) booted like run-net but under -icount shift=0, so the
# TSC counts guest instructions: instructions per frame through the Nic
# (IPC path and frame ring, batch 1 and 32) and per ARP round trip with
# QEMU's gateway.  The whole log goes to build/bench-nic.log; the table
# (the [bench_nic] lines) to the terminal.  A benchmark, not a test.
.PHONY: bench-nic
bench-nic: NET_HOSTFWD =
bench-nic: deps
	+@bash -o pipefail -c "$(MAKE) --no-print-directory run-kernel \
		SYSTEM=services/virtio_net/bench-nic.cue \
		RUN_QEMU_EXTRA='$(NET_QEMU_ARGS) --qemu-arg -icount --qemu-arg shift=0' \
		>$(BUILD)/bench-nic.log 2>&1" || { tail -n 30 $(BUILD)/bench-nic.log; \
		echo "bench-nic: the run failed (log: $(BUILD)/bench-nic.log)" >&2; exit 1; }
	@echo "bench-nic: guest instructions under -icount shift=0 (1 instruction = 1 ns of guest time); log $(BUILD)/bench-nic.log"
	@grep '^\[bench_nic\]' $(BUILD)/bench-nic.log
