# `make test`: every host unit test (Criterion, ASan+UBSan) and every suite
# script (QEMU smokes, Cap'n Proto reference round trips, bounded fuzzing...),
# summed by tests/run-all.sh into one closing `N passed, N failed` line.

.PHONY: test
test: deps
	@$(MAKE) --no-print-directory all $(HOST_TEST_BINS) $(CHECK_TARGETS)
	@HOST_TEST_BINS="$(HOST_TEST_BINS)" TEST_SUITES="$(TEST_SUITES)" tests/run-all.sh
