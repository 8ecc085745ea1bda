# Threads and ParkSpace: the park queue (lib/park_queue.c) linked into the
# kernel (kernel/cap/park_space.c) and its Criterion test.  See
# docs/processes.md ("Threads").
KERNEL_LIB_SRCS += lib/park_queue.c

HOST_TEST_BINS += $(BUILD)/host/tests/test_park_queue
$(BUILD)/host/tests/test_park_queue: $(BUILD)/host/tests/host/test_park_queue.o \
		$(BUILD)/host/lib/park_queue.o
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)
