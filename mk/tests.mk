# `make test`: every host unit test (Criterion, ASan+UBSan) and every suite
# script (QEMU smokes, Cap'n Proto reference round trips, bounded fuzzing...),
# summed by tests/run-all.sh into one closing `N passed, N failed` line.
# The compiler's output goes to build/build.log (V=1 shows it instead); a
# failed build prints the end of that log.

# $(call quiet_build,TARGETS,WHAT): builds TARGETS with the output in
# $(BUILD)/build.log, announcing WHAT; on failure prints the log's last lines.
ifeq ($(V),1)
quiet_build = +@$(MAKE) --no-print-directory $(1)
else
quiet_build = +@mkdir -p $(BUILD); echo "build: $(2) (compiler output: $(BUILD)/build.log; V=1 shows it)"; \
	$(MAKE) --no-print-directory $(1) >$(BUILD)/build.log 2>&1 || \
	{ tail -n 40 $(BUILD)/build.log; echo "build: FAILED (full log: $(BUILD)/build.log)" >&2; exit 1; }
endif

# Last, so it finds the default system's boot log that the smokes wrote.
TEST_SUITES += tests/tools/docs-check.sh tests/tools/docs-check-selftest.sh

.PHONY: test
test: deps
	$(call quiet_build,all $(HOST_TEST_BINS) $(CHECK_TARGETS),everything make test runs)
	@HOST_TEST_BINS="$(HOST_TEST_BINS)" TEST_SUITES="$(TEST_SUITES)" tests/run-all.sh
