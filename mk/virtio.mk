# virtio 1.0 driver logic (lib/virtio: PCI capability parsing, the init
# sequence, split virtqueues, virtio-net) and Ethernet/ARP framing
# (lib/eth_arp.c), all host-tested against a fake device.  Userspace-only:
# the driver service links them once the device capabilities exist.

VIRTIO_LIB_SRCS := lib/virtio/virtio_pci.c lib/virtio/virtio_dev.c lib/virtio/virtqueue.c \
	lib/virtio/virtio_net.c
VIRTIO_HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(VIRTIO_LIB_SRCS)) $(BUILD)/host/lib/pci.o

VIRTIO_HOST_TESTS := test_virtio_pci test_virtqueue test_virtio_net test_eth_arp
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(VIRTIO_HOST_TESTS))
$(BUILD)/host/tests/test_virtio_pci: $(BUILD)/host/tests/host/test_virtio_pci.o \
	$(BUILD)/host/tests/host/fake_virtio_net.o $(VIRTIO_HOST_OBJS)
$(BUILD)/host/tests/test_virtqueue: $(BUILD)/host/tests/host/test_virtqueue.o \
	$(BUILD)/host/tests/host/fake_virtio_net.o $(VIRTIO_HOST_OBJS)
$(BUILD)/host/tests/test_virtio_net: $(BUILD)/host/tests/host/test_virtio_net.o \
	$(BUILD)/host/tests/host/fake_virtio_net.o $(VIRTIO_HOST_OBJS) $(BUILD)/host/lib/eth_arp.o
$(BUILD)/host/tests/test_eth_arp: $(BUILD)/host/tests/host/test_eth_arp.o $(BUILD)/host/lib/eth_arp.o
$(addprefix $(BUILD)/host/tests/,$(VIRTIO_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# Also built freestanding for userspace, so the driver-side code is proven
# to compile without a libc beyond the runtime's string functions.
ALL_TARGETS += $(patsubst %.c,$(BUILD)/user/%.o,$(VIRTIO_LIB_SRCS) lib/eth_arp.c)

# The Nic's shared-memory frame ring (lib/frame_ring.c).
HOST_TEST_BINS += $(BUILD)/host/tests/test_frame_ring
$(BUILD)/host/tests/test_frame_ring: $(BUILD)/host/tests/host/test_frame_ring.o \
	$(BUILD)/host/lib/frame_ring.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
ALL_TARGETS += $(BUILD)/user/lib/frame_ring.o

# The driver side of the Nic capability (lib/nic_core.c: the frame ring
# and the client checks; lib/nic_server.c: Nic calls decoded and answered),
# tested against the fake device with hostile clients.
NIC_LIB_SRCS := lib/nic_core.c lib/nic_server.c
HOST_TEST_BINS += $(BUILD)/host/tests/test_nic
$(BUILD)/host/tests/test_nic: $(BUILD)/host/tests/host/test_nic.o \
	$(BUILD)/host/tests/host/fake_virtio_net.o $(VIRTIO_HOST_OBJS) \
	$(patsubst %.c,$(BUILD)/host/%.o,$(NIC_LIB_SRCS) lib/frame_ring.c lib/eth_arp.c \
		$(wildcard lib/capnp/*.c) generated/nic.capnp.c)
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
ALL_TARGETS += $(patsubst %.c,$(BUILD)/user/%.o,$(NIC_LIB_SRCS))
