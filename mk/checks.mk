# Checks of the project itself rather than of the OS: install-deps.sh
# against stub package tools, the docs' claims against the tree
# (tests/tools/), and the two long proofs that are not part of `make test`:
#   make fresh-check   README's `make run` + `make test` in a fresh Debian 12
#                      chroot (debootstrap, cached; minutes; needs root)
#   make test-stress   the smoke suites STRESS_ROUNDS times (default 3)
#                      under STRESS_HOGS CPU hogs (default 4)

TEST_SUITES += tests/tools/install-deps.sh
# tests/tools/docs-check.sh and its self-test are added by mk/tests.mk,
# last: they read the boot log the smokes leave.

.PHONY: fresh-check test-stress
fresh-check:
	@tools/fresh-check.sh

STRESS_ROUNDS ?= 3
STRESS_HOGS ?= 4
# It builds what `make test` builds: the network smokes' manifests come
# from lwIP's Debian source (CHECK_TARGETS), which `make all` leaves out.
test-stress: deps
	$(call quiet_build,all $(CHECK_TARGETS),everything the smokes need)
	@tests/qemu/stress-smokes.sh --rounds $(STRESS_ROUNDS) --hogs $(STRESS_HOGS)
