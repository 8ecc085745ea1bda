# Static analysis and hygiene of the C sources (tools/lint.sh): cppcheck,
# clang-tidy (checks and suppressions in .clang-tidy and
# tools/cppcheck-suppressions.txt), -Wmissing-prototypes, dead code
# (tools/dead-code.sh, exceptions in tools/dead-code-allow.txt) and
# formatting drift (tools/format-check.sh, .clang-format).
#
#   make lint                  every finding counts, clang-format drift too
#   make lint FORMAT_CHECK=0   without the formatting check (also make test)
#   make format                rewrites the C files with clang-format
#   make format-check          lists the files clang-format would change
#   make test    runs tools/lint.sh, which prints but does not count the
#                findings in files listed in tools/lint-pending.txt (code
#                still being edited by its owners)
#
# tools/lint.sh reads the compiler flags through `make lint-flags`, so the
# analysers see the -I/-D/-m flags mk/config.mk compiles each file with.

# On: the tree is formatted (make format); FORMAT_CHECK=0 skips the check,
# e.g. on a machine without clang-format 14.  Exported so tools/lint.sh
# sees it under make test too.
FORMAT_CHECK ?= 1
export FORMAT_CHECK

# The panic-surface gate (tools/panic-surface.sh --check) is part of both:
# every panic-like call in kernel/ and lib/ must be classified in
# tools/panic-surface.txt and none may be reachable from untrusted input.
#   make panic-surface   lists every site with its class, then the counts

.PHONY: lint lint-flags format format-check panic-surface
lint:
	@status=0; FORMAT_CHECK=$(FORMAT_CHECK) tools/lint.sh --full || status=1; \
		tools/panic-surface.sh --check || status=1; exit $$status

format:
	@tools/format-check.sh --fix

format-check:
	@tools/format-check.sh

panic-surface:
	@tools/panic-surface.sh --list
	@tools/panic-surface.sh --summary

lint-flags:
	@printf "KERNEL_CFLAGS='%s'\n" '$(KERNEL_CFLAGS)'
	@printf "USER_CFLAGS='%s'\n" '$(USER_CFLAGS)'
	@printf "TOOL_CFLAGS='%s'\n" '$(TOOL_CFLAGS)'

TEST_SUITES += tools/lint.sh tests/tools/panic-surface-test.sh
