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
ifeq ($(MAKELEVEL),0)
ifeq ($(filter -j%,$(MAKEFLAGS)),)
MAKEFLAGS += -j$(shell nproc)
endif
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
	@echo "  make run                   boot the default system (system.cue) through init, ISO in QEMU"
	@echo "  make test                  host unit tests + lint + QEMU smokes, ends with 'N passed, N failed'"
	@echo "  make run-spawn             boot system-spawn.cue: init spawns children, hostile-spawn checks"
	@echo "  make shell                 boot system-shell.cue into capsh on your terminal (Ctrl-D leaves; docs/terminal.md)"
	@echo "  make run-kernel            the default system booted with -kernel (PVH), no GRUB"
	@echo "  make run-net               the virtio-net driver, the lwIP netstack (DHCP), ping, netinfo, netecho and httpd (prints its URL and shutdown URL); q35 + intel-iommu, user net restrict=on (NET_RESTRICT=off lets UDP echo replies reach the host), forwards on 127.0.0.1 (NET_HOSTFWD)"
	@echo "  make test-net              tests/net/run.sh: system-net.cue with host forwards on free loopback ports; TCP/UDP echo, killed client, flood, shutdown"
	@echo "  make run-uefi              the ISO booted by OVMF (UEFI)"
	@echo "  make gdb                   the kernel halted with a gdb stub (GDB_PORT=1234); prints the gdb command"
	@echo "    SYSTEM=path/to/my.cue    (run, run-kernel, run-uefi, gdb) boot that system file instead of system.cue"
	@echo "    RUN_TIMEOUT=N            kernel watchdog in seconds (default 120, 0 = none): lists live processes, status 41"
	@echo "  make smoke NAME='a b'      run some QEMU smokes (tests/qemu/smokes/NAME.smoke)"
	@echo "  make proc-smokes           only the process/ring smokes"
	@echo "  make ipc-smokes            only the endpoint/IPC smokes"
	@echo "  make verify                SPIN models of the ring, endpoints and transfers; Frama-C Eva over lib/ parsers (alarm baseline)"
	@echo "  make test-props            property tests, CASES=N (10000) SEED=S ONLY=name,... (make test: 200 cases)"
	@echo "  make test-stress           the smoke suites STRESS_ROUNDS times (3) under STRESS_HOGS CPU hogs (4)"
	@echo "  make check-inputs          Debian package versions and GRUB/OVMF file hashes vs third_party/toolchain.lock"
	@echo "  make lock-inputs           rewrite third_party/toolchain.lock from this machine (review the diff)"
	@echo "  make check-reproducible    build HEAD twice from clean clones in two directories, compare every output (minutes)"
	@echo "  make fresh-check           make run + make test in a fresh Debian 12 chroot (debootstrap; root; minutes)"
	@echo "  make all                   build everything without running"
	@echo "  make kernel                build/kernel.elf only; make iso: build/capos.iso"
	@echo "  make user                  the runtime library; make demos: every demo program; make init: init"
	@echo "  make services              the service programs (services/NAME/: the virtio-net driver)"
	@echo "  make deps                  install missing packages (apt-get, npm ci)"
	@echo "  make manifest              build/manifest.bin from system.cue"
	@echo "  make manifest-spawn        build/manifest-spawn.bin from system-spawn.cue"
	@echo "  make manifest-vet          check every system*.cue with mkmanifest --vet"
	@echo "  make generated-code-check  regenerate checked-in code and fail on any difference"
	@echo "  make generated-code        regenerate checked-in code from schema/"
	@echo "  make lint                  cppcheck, clang-tidy, -Wmissing-prototypes, dead code, the panic-surface gate"
	@echo "                             (and clang-format drift; FORMAT_CHECK=0 skips that, in make test too)"
	@echo "  make format                rewrite the C files with clang-format (.clang-format)"
	@echo "  make format-check          list the C files clang-format would change"
	@echo "  make panic-surface         every panic-like call in kernel/ and lib/ with its class (tools/panic-surface.txt)"
	@echo "  make lint-flags            print the compiler flags lint uses per area"
	@echo "  make bench                 capOS IPC/ring/spawn beside a Debian Linux guest, guest instructions (BENCH_LINUX=0: capOS only)"
	@echo "  make bench-capnp           our Cap'n Proto runtime vs the C++ reference"
	@echo "  make bench-memcaps         guest instructions per VirtualMemory/FrameAllocator call"
	@echo "  make bench-proc            guest instructions per NOP / empty cap_enter (raw ABI)"
	@echo "  make bench-spawn           guest instructions per ProcessSpawner.spawn"
	@echo "  make bench-nic             guest instructions per frame through the Nic (IPC vs frame ring, batch 1 and 32)"
	@echo "  make bench-net             TCP echo MB/s and HTTP requests/s, capOS beside a Linux guest, wall clock (BENCH_NET_ARGS=--help)"
	@echo "  make bench-figures         rerun the benches and compare with the figures the docs quote (bench/figures.txt; UPDATE=1 rewrites them)"
	@echo "  make fuzz                  Cap'n Proto reader fuzzer (FUZZ_SECONDS=60)"
	@echo "  make fuzz-elf              ELF checker fuzzer; make fuzz-manifest: manifest JSON/decoder fuzzers"
	@echo "  make netstack              the network stack service (lwIP over the Nic; docs/networking.md)"
	@echo "  make lwip                  lwIP from Debian's source package, built freestanding, for the host and for libFuzzer"
	@echo "  make run-lua SCRIPT=f.lua  run a Lua script on capOS (Lua 5.4 on musl; fails if the script does; docs/porting.md)"
	@echo "  make musl / make lua       build musl and Lua from Debian's sources via srcpkg (docs/posix.md)"
	@echo "  make fuzz-net              lwIP packet-input fuzzer (libFuzzer, host; FUZZ_SECONDS=60; Debian's lwip via srcpkg)"
	@echo "  make fuzz-http             HTTP request parser fuzzer (libFuzzer, host; FUZZ_SECONDS=60; docs/httpd.md)"
	@echo "  make httpd                 the HTTP service (services/httpd; docs/httpd.md)"
	@echo "  make fuzz-kernel           in-guest kernel fuzzer, one boot per seed (SEEDS=10 OPS=2000 MEM=256M SEED0=1 OFF=)"
	@echo "  make fuzz-coverage         fuzz-kernel on a coverage kernel (build/coverage), then the table of kernel blocks reached"
	@echo "  make clean                 remove build/"
	@echo "  make help                  this list"
	@echo "Variables (SYSTEM and RUN_TIMEOUT: above):"
	@echo "  RUN_CMDLINE='...'          make run*: kernel command line (e.g. RUN_CMDLINE=test=timer)"
	@echo "  V=1                        show the compiler's output instead of sending it to build/build.log"
	@echo "  NAME='a b'                 make smoke: which smokes"
	@echo "  STRESS_ROUNDS, STRESS_HOGS make test-stress: rounds and CPU hogs"
	@echo "  FUZZ_SECONDS=N             make fuzz*: how long to fuzz"
	@echo "  MEASURE=1                  a kernel with per-stage counters, built in build/measure; make bench prints the breakdown"
	@echo "  BENCH_LINUX=0              make bench: capOS only, no Linux guest (no network, a minute less)"

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
