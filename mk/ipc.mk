# Endpoint IPC and capability transfer: host-tested library
# parts (lib/transfer.c) linked into the kernel, their Criterion tests, and
# the IPC demo packaging.  See docs/ipc.md.

# lib/endpoint_sm.c and lib/endpoint_reg.c are compiled into
# kernel/cap/endpoint.c (IPC_STATIC_OPS).
IPC_LIB_SRCS := lib/transfer.c lib/endpoint_queue.c lib/wait.c
KERNEL_LIB_SRCS += $(IPC_LIB_SRCS)

IPC_HOST_TESTS := test_transfer test_endpoint_queue test_wait test_endpoint_sm
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(IPC_HOST_TESTS))

$(BUILD)/host/tests/test_transfer: $(BUILD)/host/tests/host/test_transfer.o \
		$(BUILD)/host/lib/transfer.o $(BUILD)/host/lib/cap_table.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
$(BUILD)/host/tests/test_endpoint_queue: $(BUILD)/host/tests/host/test_endpoint_queue.o \
		$(BUILD)/host/lib/endpoint_queue.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
$(BUILD)/host/tests/test_endpoint_sm: $(BUILD)/host/tests/host/test_endpoint_sm.o \
		$(BUILD)/host/lib/endpoint_sm.o $(BUILD)/host/lib/endpoint_reg.o \
		$(BUILD)/host/lib/endpoint_queue.o $(BUILD)/host/lib/obj_pool.o \
		$(BUILD)/host/lib/transfer.o $(BUILD)/host/lib/cap_table.o $(BUILD)/host/lib/format.o \
		$(BUILD)/host/lib/kstring.o $(BUILD)/host/lib/ring_consumer.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
$(BUILD)/host/tests/test_wait: $(BUILD)/host/tests/host/test_wait.o $(BUILD)/host/lib/wait.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# The IPC/transfer/benchmark demos (demos/echo*.c, tests/qemu/progs/{xfer,ipc,bench_ipc}*.c) boot
# through init from manifests (tests/qemu/manifests/{ipc,xfer,endpoint}_*.cue):
# a server exports its endpoint, clients import it as a client facet
# (docs/init.md).
.PHONY: ipc-smokes
ipc-smokes: $(BUILD)/kernel.elf
	@$(MAKE) --no-print-directory $(SMOKE_MANIFESTS)
	tests/qemu/run-smokes.sh ipc_echo ipc_hostile ipc_deadlock ipc_timeout ipc_queue_limit endpoint_cleanup xfer_copy_move xfer_hostile endpoint_facets ipc_fastpath ipc_register

# Runtime endpoint client + server parser on the host.
IPC_RT_HOST_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,runtime/endpoint.c runtime/server.c \
	runtime/call.c runtime/ring.c runtime/errors.c runtime/fmt.c lib/format.c runtime/capset.c \
	runtime/release.c lib/cap_exception.c \
	$(wildcard lib/capnp/*.c) generated/capos.capnp.c)
$(BUILD)/host/runtime/endpoint.o $(BUILD)/host/runtime/server.o: HOST_CFLAGS += -Iruntime/include
$(BUILD)/host/tests/host/test_endpoint_rt.o: HOST_CFLAGS += -Iruntime/include
$(BUILD)/host/tests/test_endpoint_rt: $(BUILD)/host/tests/host/test_endpoint_rt.o $(IPC_RT_HOST_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
ifneq ($(wildcard generated/capos.capnp.h),)
HOST_TEST_BINS += $(BUILD)/host/tests/test_endpoint_rt
endif
