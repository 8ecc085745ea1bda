# capOS top-level Makefile.
#
# The build is split into fragments under mk/, one per part of the system;
# each appends to the shared lists below.  Everything lands in build/.
#
#   make run    install what is missing, build, boot the default system
#   make test   install what is missing, build, run every host test and smoke
#   make help   list the other targets

.DEFAULT_GOAL := all

# One job per CPU unless the caller chose (-jN); every rule is parallel-safe.
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc)
endif
.SUFFIXES:
.DELETE_ON_ERROR:

# Lists the fragments append to.
ALL_TARGETS :=       # built by `make all`
HOST_TEST_BINS :=    # Criterion binaries run by `make test`
TEST_SUITES :=       # scripts run by `make test`; each prints PASS/FAIL lines
CHECK_TARGETS :=     # extra make targets that `make test` depends on

include mk/config.mk
include $(filter-out mk/config.mk mk/tests.mk,$(sort $(wildcard mk/*.mk)))
include mk/tests.mk

.PHONY: all deps help clean
all: $(ALL_TARGETS)

# Installs missing Debian/npm packages; cheap when everything is present.
deps:
	@tools/install-deps.sh

help:
	@echo "capOS make targets:"
	@echo "  make run                   boot the default system (system.cue) in QEMU"
	@echo "  make test                  host unit tests + QEMU smokes, ends with 'N passed, N failed'"
	@echo "  make all                   build everything without running"
	@echo "  make deps                  install missing packages (apt-get, npm ci)"
	@echo "  make generated-code-check  regenerate checked-in code and fail on any difference"
	@echo "  make bench                 in-guest IPC/ring benchmarks vs a host pipe ping-pong"
	@echo "  make bench-capnp           our Cap'n Proto runtime vs the C++ reference"
	@echo "  make fuzz                  run the libFuzzer targets (FUZZ_SECONDS=60)"
	@echo "  make clean                 remove build/"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
