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

.PHONY: lint lint-flags
lint:
	@tools/lint.sh --full

lint-flags:
	@printf "KERNEL_CFLAGS='%s'\n" '$(KERNEL_CFLAGS)'
	@printf "USER_CFLAGS='%s'\n" '$(USER_CFLAGS)'
	@printf "TOOL_CFLAGS='%s'\n" '$(TOOL_CFLAGS)'

TEST_SUITES += tools/lint.sh
