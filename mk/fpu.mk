# User extended state (x87/SSE/AVX): the kernel side is
# kernel/arch/x86_64/fpu.c; the words for a #MF/#XM kill reason come from
# lib/fpu_fault.c, host-tested here.

KERNEL_LIB_SRCS += lib/fpu_fault.c

FPU_HOST_TESTS := test_fpu_fault
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(FPU_HOST_TESTS))
$(BUILD)/host/tests/test_fpu_fault: $(BUILD)/host/tests/host/test_fpu_fault.o \
		$(BUILD)/host/lib/fpu_fault.o $(BUILD)/host/lib/format.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
