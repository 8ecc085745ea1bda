# Processes, capability table, ELF loader and the capability ring.
#
# Host-tested library parts (lib/) are linked into the kernel through
# KERNEL_LIB_SRCS and tested on the host with Criterion under ASan/UBSan.

PROC_LIB_SRCS := lib/cap_table.c lib/elf64.c lib/ring_consumer.c
KERNEL_LIB_SRCS += $(PROC_LIB_SRCS)

PROC_HOST_TESTS := test_cap_table test_elf64 test_ring_consumer
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(PROC_HOST_TESTS))

$(BUILD)/host/tests/test_cap_table: $(BUILD)/host/tests/host/test_cap_table.o \
		$(BUILD)/host/lib/cap_table.o
$(BUILD)/host/tests/test_elf64: $(BUILD)/host/tests/host/test_elf64.o \
		$(BUILD)/host/lib/elf64.o
$(BUILD)/host/tests/test_ring_consumer: $(BUILD)/host/tests/host/test_ring_consumer.o \
		$(BUILD)/host/lib/ring_consumer.o

$(addprefix $(BUILD)/host/tests/,$(PROC_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# mkbootpkg: several user programs in one boot module (temporary, until the
# manifest of issue #6).
MKBOOTPKG := $(BUILD)/tool/mkbootpkg
ALL_TARGETS += $(MKBOOTPKG)
$(MKBOOTPKG): $(BUILD)/tool/tools/mkbootpkg/mkbootpkg.o
	$(HOST_CC) $^ -o $@

# The Console capability decodes its params with the Cap'n Proto runtime and
# the generated schema code (once they are in the tree).
KERNEL_LIB_SRCS += $(wildcard lib/capnp/*.c generated/capos.capnp.c)
