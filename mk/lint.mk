# Static analysis: cppcheck + clang-tidy over the C sources (tools/lint.sh;
# checks and suppressions in .clang-tidy and tools/cppcheck-suppressions.txt).
#
#   make lint    every finding counts
#   make test    runs tools/lint.sh, which prints but does not count the
#                findings in files listed in tools/lint-pending.txt (code
#                still being edited by its owners)
#
# tools/lint.sh reads the compiler flags through `make lint-flags`, so the
# analysers see the -I/-D/-m flags mk/config.mk compiles each file with.

# The panic-surface gate (tools/panic-surface.sh --check) is part of both:
# every panic-like call in kernel/ and lib/ must be classified in
# tools/panic-surface.txt and none may be reachable from untrusted input.
#   make panic-surface   lists every site with its class, then the counts

.PHONY: lint lint-flags panic-surface
lint:
	@status=0; tools/lint.sh --full || status=1; tools/panic-surface.sh --check || status=1; exit $$status

panic-surface:
	@tools/panic-surface.sh --list
	@tools/panic-surface.sh --summary

lint-flags:
	@printf "KERNEL_CFLAGS='%s'\n" '$(KERNEL_CFLAGS)'
	@printf "USER_CFLAGS='%s'\n" '$(USER_CFLAGS)'
	@printf "TOOL_CFLAGS='%s'\n" '$(TOOL_CFLAGS)'

TEST_SUITES += tools/lint.sh tests/tools/panic-surface-test.sh
