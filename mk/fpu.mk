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

# The Timer and EntropySource capabilities (kernel/cap/timer.c,
# kernel/cap/entropy_source.c): their schemas' generated code, and the
# entropy fallback's conditioner and health tests, host-tested here.
KERNEL_LIB_SRCS += generated/time.capnp.c generated/entropy.capnp.c lib/sha256.c \
	lib/entropy_health.c

ENTROPY_HOST_TESTS := test_sha256 test_entropy_health
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(ENTROPY_HOST_TESTS))
$(BUILD)/host/tests/test_sha256: $(BUILD)/host/tests/host/test_sha256.o $(BUILD)/host/lib/sha256.o
$(BUILD)/host/tests/test_entropy_health: $(BUILD)/host/tests/host/test_entropy_health.o \
		$(BUILD)/host/lib/entropy_health.o
$(addprefix $(BUILD)/host/tests/,$(ENTROPY_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
