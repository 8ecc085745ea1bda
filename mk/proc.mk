# Processes, capability table, ELF loader and the capability ring.
#
# Host-tested library parts (lib/) are linked into the kernel through
# KERNEL_LIB_SRCS and tested on the host with Criterion under ASan/UBSan.

PROC_LIB_SRCS := lib/cap_table.c lib/elf64.c lib/ring_consumer.c
KERNEL_LIB_SRCS += $(PROC_LIB_SRCS)

PROC_HOST_TESTS := test_cap_table test_elf64 test_ring_consumer test_elf_bootpkg
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(PROC_HOST_TESTS))

$(BUILD)/host/tests/test_cap_table: $(BUILD)/host/tests/host/test_cap_table.o \
		$(BUILD)/host/lib/cap_table.o
$(BUILD)/host/tests/test_elf64: $(BUILD)/host/tests/host/test_elf64.o \
		$(BUILD)/host/lib/elf64.o
$(BUILD)/host/tests/test_ring_consumer: $(BUILD)/host/tests/host/test_ring_consumer.o \
		$(BUILD)/host/lib/ring_consumer.o
$(BUILD)/host/tests/test_elf_bootpkg: $(BUILD)/host/tests/host/test_elf_bootpkg.o

$(addprefix $(BUILD)/host/tests/,$(PROC_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# mkbootpkg: several user programs in one boot module (temporary, until the
# manifest of issue #6).
MKBOOTPKG := $(BUILD)/tool/mkbootpkg
ALL_TARGETS += $(MKBOOTPKG)
$(MKBOOTPKG): $(BUILD)/tool/tools/mkbootpkg/mkbootpkg.o
	$(HOST_CC) $^ -o $@

# The Console capability decodes its params with the Cap'n Proto runtime and
# the generated schema code.
KERNEL_LIB_SRCS += $(wildcard lib/capnp/*.c) generated/capos.capnp.c

# ---------------------------------------------------------------------------
# Kernel-side QEMU smokes (tests/qemu/smokes/proc_*.smoke).  Their programs
# (tests/qemu/proc/*.c) talk to the kernel through the raw ABI, without the
# runtime, so the kernel's ring/syscall/fault behaviour is tested on its own
# (including what a correct runtime never does).  Each smoke boots a boot
# package built here from a list of those programs.
PROC_TEST_DIR := $(BUILD)/user/tests/qemu/proc
PROC_TEST_PROGS := $(patsubst tests/qemu/proc/%.c,%,$(wildcard tests/qemu/proc/*.c))
PROC_TEST_ELFS := $(addprefix $(PROC_TEST_DIR)/,$(addsuffix .elf,$(PROC_TEST_PROGS)))

$(BUILD)/user/tests/qemu/proc/%.o: USER_CFLAGS += -Itests/qemu/proc
$(PROC_TEST_DIR)/%.elf: $(PROC_TEST_DIR)/%.o runtime/user.ld
	$(LD) -static -nostdlib -z max-page-size=4096 -z noexecstack -T runtime/user.ld -o $@ $<

PROC_PKG_DIR := $(BUILD)/proc
# pkg_rule NAME, PROGRAMS: $(PROC_PKG_DIR)/NAME.pkg holds those programs.
define proc_pkg
$(PROC_PKG_DIR)/$(1).pkg: $(addprefix $(PROC_TEST_DIR)/,$(addsuffix .elf,$(2))) $(MKBOOTPKG)
	@mkdir -p $$(@D)
	$(MKBOOTPKG) -o $$@ $(foreach p,$(2),$(p)=$(PROC_TEST_DIR)/$(p).elf)
PROC_PKGS += $(PROC_PKG_DIR)/$(1).pkg
endef
PROC_PKGS :=
$(eval $(call proc_pkg,ring_abi,ring_abi exit_code))
$(eval $(call proc_pkg,ring_fuzz,ring_fuzz spin))
$(eval $(call proc_pkg,tls,tls_raw))
$(eval $(call proc_pkg,faults,fault_null fault_hlt fault_cli fault_capset_write \
	fault_kernel_read fault_exec_stack fault_stack_overflow fault_ud2 exit_code))
$(eval $(call proc_pkg,fpu,fault_x87 fault_sse exit_code))
$(eval $(call proc_pkg,fairness,spin flood))
$(eval $(call proc_pkg,select,exit_code spin block_forever ring_corrupt_forever))
$(eval $(call proc_pkg,oom,big_bss exit_code))
$(eval $(call proc_pkg,bench,nop_bench))

# 40 copies of a tiny program under the one-letter name x (so procs= fits
# the command line) for the process-table limit smoke.
$(PROC_PKG_DIR)/limits.pkg: $(PROC_TEST_DIR)/exit_code.elf $(MKBOOTPKG)
	@mkdir -p $(@D)
	$(MKBOOTPKG) -o $@ x=$<
PROC_PKGS += $(PROC_PKG_DIR)/limits.pkg

# Hostile ELFs: each must be refused with its own error while the good
# program in the same package still runs.
PROC_HOSTILE := $(PROC_PKG_DIR)/hostile
$(PROC_PKG_DIR)/hostile.pkg: $(PROC_TEST_DIR)/exit_code.o $(PROC_TEST_DIR)/exit_code.elf $(MKBOOTPKG)
	@mkdir -p $(PROC_HOSTILE)
	printf '%0100d\n' 0 >$(PROC_HOSTILE)/text
	head -c 100 $(PROC_TEST_DIR)/exit_code.elf >$(PROC_HOSTILE)/truncated
	$(LD) -static -nostdlib -N -e _start -o $(PROC_HOSTILE)/wx $(PROC_TEST_DIR)/exit_code.o
	$(LD) -static -nostdlib -e _start -Ttext=0xffffffff80400000 \
		-o $(PROC_HOSTILE)/kernel_half $(PROC_TEST_DIR)/exit_code.o
	$(LD) -pie -nostdlib -e _start -o $(PROC_HOSTILE)/pie $(PROC_TEST_DIR)/exit_code.o
	$(MKBOOTPKG) -o $@ text=$(PROC_HOSTILE)/text truncated=$(PROC_HOSTILE)/truncated \
		wx=$(PROC_HOSTILE)/wx kernel_half=$(PROC_HOSTILE)/kernel_half \
		pie=$(PROC_HOSTILE)/pie good=$(PROC_TEST_DIR)/exit_code.elf
PROC_PKGS += $(PROC_PKG_DIR)/hostile.pkg

ALL_TARGETS += $(PROC_PKGS)
.PHONY: proc-smokes
proc-smokes: $(PROC_PKGS) $(KERNEL_ELF)
	tests/qemu/run-smokes.sh $(patsubst tests/qemu/smokes/%.smoke,%,$(wildcard tests/qemu/smokes/proc_*.smoke))

# ---------------------------------------------------------------------------
# The runtime engineer's demo/smoke programs (demos/*.c, built as
# build/user/demos/NAME.elf once the generated Cap'n Proto code exists) in
# one package; each smoke picks its programs with procs=.
# (mk/user.mk is read after this file: compute the list here.)
# (The IPC demos go into their own package, mk/ipc.mk: a package holds at
# most 32 programs.)
PROC_DEMO_ELFS := $(filter-out $(IPC_DEMO_ELFS),\
	$(patsubst demos/%.c,$(BUILD)/user/demos/%.elf,$(wildcard demos/*.c)))
ifneq ($(and $(wildcard generated/capos.capnp.h),$(wildcard lib/capnp/capnp.h),$(PROC_DEMO_ELFS)),)
$(PROC_PKG_DIR)/demos.pkg: $(PROC_DEMO_ELFS) $(MKBOOTPKG)
	@mkdir -p $(@D)
	$(MKBOOTPKG) -o $@ $(foreach d,$(PROC_DEMO_ELFS),$(notdir $(basename $(d)))=$(d))

# A small package of console demos (the boot of `make run` before init;
# `make run` now boots system.cue through init, mk/manifest.mk).
PROC_RUN_DEMOS := hello capset console nop tls
$(PROC_PKG_DIR)/run.pkg: $(foreach d,$(PROC_RUN_DEMOS),$(BUILD)/user/demos/$(d).elf) $(MKBOOTPKG)
	@mkdir -p $(@D)
	$(MKBOOTPKG) -o $@ $(foreach d,$(PROC_RUN_DEMOS),$(d)=$(BUILD)/user/demos/$(d).elf)

PROC_PKGS += $(PROC_PKG_DIR)/demos.pkg $(PROC_PKG_DIR)/run.pkg
ALL_TARGETS += $(PROC_PKG_DIR)/demos.pkg $(PROC_PKG_DIR)/run.pkg
endif

# ---------------------------------------------------------------------------
# libFuzzer target for the ELF validator; `make test` runs it bounded
# (tests/host/test_elf_fuzz.sh), `make fuzz-elf` for FUZZ_SECONDS.
ELF_FUZZ_BIN := $(BUILD)/fuzz/elf64
$(ELF_FUZZ_BIN): fuzz/elf64_fuzz.c lib/elf64.c lib/elf64.h
	@mkdir -p $(@D)
	clang -std=c17 $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined \
		-fno-sanitize-recover=all $(COMMON_INC) -DCAPOS_HOST=1 -o $@ fuzz/elf64_fuzz.c lib/elf64.c
ALL_TARGETS += $(ELF_FUZZ_BIN)
TEST_SUITES += tests/host/test_elf_fuzz.sh
# The seeds come from these.
CHECK_TARGETS += $(PROC_TEST_ELFS) $(PROC_PKG_DIR)/hostile.pkg

.PHONY: fuzz-elf
fuzz-elf: $(ELF_FUZZ_BIN) $(PROC_TEST_ELFS)
	@mkdir -p $(BUILD)/fuzz/elf64-corpus
	$(ELF_FUZZ_BIN) -max_total_time=$(or $(FUZZ_SECONDS),60) -max_len=16384 $(BUILD)/fuzz/elf64-corpus
fuzz: fuzz-elf

# `make bench-proc`: ring round-trip cost under -icount shift=0 (one TSC
# tick = one guest instruction, so the figures are instruction counts and
# reproducible).  A benchmark, not a test: nothing is asserted on speed.
.PHONY: bench-proc
bench-proc: $(KERNEL_ELF) $(PROC_PKG_DIR)/bench.pkg
	qemu-system-x86_64 -accel tcg -icount shift=0 -cpu qemu64 -m 256M -smp 1 \
		-serial file:$(BUILD)/bench-proc.log -display none -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel $(KERNEL_ELF) \
		-initrd $(PROC_PKG_DIR)/bench.pkg </dev/null; \
		status=$$?; tr -d '\r' <$(BUILD)/bench-proc.log | grep -a '^\[nop_bench\]'; \
		test $$status = 33 || { echo "bench-proc: QEMU status $$status (see $(BUILD)/bench-proc.log)" >&2; exit 1; }
