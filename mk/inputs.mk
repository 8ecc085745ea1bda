# Trusted build inputs and reproducible builds (docs/build.md):
#   make check-inputs        this machine's Debian package versions and the
#                            SHA-256 of GRUB's and OVMF's binary files against
#                            third_party/toolchain.lock; names every difference
#   make lock-inputs         rewrite the lock from this machine (a reviewed step:
#                            read the diff, commit it with the reason)
#   make check-reproducible  build HEAD twice from clean clones in two
#                            directories and compare every output byte for byte
#                            (minutes; not part of make test)
# make test runs the checker's own tests (stub dpkg-query) and this machine
# against the lock as WARN lines only: a Debian point release must not fail
# every developer's make test (docs/build.md says why).

.PHONY: check-inputs lock-inputs check-reproducible
check-inputs:
	@tools/check-inputs.sh
lock-inputs:
	@tools/check-inputs.sh --write
check-reproducible:
	@tools/check-reproducible.sh

TEST_SUITES += tests/tools/check-inputs-test.sh
