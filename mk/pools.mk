# System-wide kernel object pools (lib/obj_pool.c): growable pools of
# same-size objects in whole frames, host-tested here, linked into the
# kernel (kernel/mem/kpool.c).  See docs/memory-caps.md "System-wide pools".

POOLS_LIB_SRCS := lib/obj_pool.c
KERNEL_LIB_SRCS += $(POOLS_LIB_SRCS)

POOLS_HOST_TESTS := test_obj_pool
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(POOLS_HOST_TESTS))

$(BUILD)/host/tests/test_obj_pool: $(BUILD)/host/tests/host/test_obj_pool.o \
		$(BUILD)/host/lib/obj_pool.o

$(addprefix $(BUILD)/host/tests/,$(POOLS_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
