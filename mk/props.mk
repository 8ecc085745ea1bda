# Property-based tests (tests/props/): random operation sequences against
# reference models for the cap table, the transfer engine, the frame
# bitmap, the VM range allocator and the Cap'n Proto builder/reader round
# trip, with shrinking to a minimal failing sequence (tests/props/prop.h).
#
#   make test         runs them with PROPS_CASES (200) cases each from a
#                     fixed seed: a few seconds, the same cases every time
#   make test-props   CASES=N SEED=S [ONLY=name,...]: a longer or different run

PROPS_BIN := $(BUILD)/host/tests/test_props
PROPS_SRCS := $(wildcard tests/props/*.c)
PROPS_LIB_SRCS := lib/cap_table.c lib/transfer.c lib/frame_bitmap.c lib/vm_ranges.c \
	$(wildcard lib/capnp/*.c) lib/endpoint_sm.c lib/endpoint_reg.c lib/endpoint_queue.c lib/obj_pool.c \
	lib/format.c lib/kstring.c \
	lib/ring_consumer.c
PROPS_OBJS := $(patsubst %.c,$(BUILD)/host/%.o,$(PROPS_SRCS) $(PROPS_LIB_SRCS))

$(PROPS_BIN): $(PROPS_OBJS)
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ $(HOST_LDFLAGS)

CHECK_TARGETS += $(PROPS_BIN)
TEST_SUITES += $(PROPS_BIN)

CASES ?= 10000
SEED ?= 0xc0ffee5eed
ONLY ?=
.PHONY: test-props
test-props:
	$(call quiet_build,$(PROPS_BIN),the property tests)
	@$(PROPS_BIN) --cases $(CASES) --seed $(SEED) $(if $(ONLY),--only $(ONLY))
