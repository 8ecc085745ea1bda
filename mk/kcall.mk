# Kernel capability calls: decode, check, perform, post (docs/invocation.md).
# The check (lib/kcall.c) is host-tested, with the result-size bounds the
# kernel's method tables declare checked against the generated builders.

KERNEL_LIB_SRCS += lib/kcall.c

HOST_TEST_BINS += $(BUILD)/host/tests/test_kcall
$(BUILD)/host/tests/test_kcall: $(BUILD)/host/tests/host/test_kcall.o $(BUILD)/host/lib/kcall.o \
		$(CAPNP_HOST_OBJS) $(BUILD)/host/generated/capos.capnp.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
