# Processes, capability table, ELF loader and the capability ring.
#
# Host-tested library parts (lib/) are linked into the kernel through
# KERNEL_LIB_SRCS and tested on the host with Criterion under ASan/UBSan.

PROC_LIB_SRCS := lib/cap_table.c lib/elf64.c lib/ring_consumer.c
KERNEL_LIB_SRCS += $(PROC_LIB_SRCS)

PROC_HOST_TESTS := test_cap_table test_elf64 test_ring_consumer
HOST_TEST_BINS += $(addprefix $(BUILD)/host/tests/,$(PROC_HOST_TESTS))

$(BUILD)/host/tests/test_cap_table: $(BUILD)/host/tests/host/test_cap_table.o \
		$(BUILD)/host/lib/cap_table.o
$(BUILD)/host/tests/test_elf64: $(BUILD)/host/tests/host/test_elf64.o \
		$(BUILD)/host/lib/elf64.o
$(BUILD)/host/tests/test_ring_consumer: $(BUILD)/host/tests/host/test_ring_consumer.o \
		$(BUILD)/host/lib/ring_consumer.o

$(addprefix $(BUILD)/host/tests/,$(PROC_HOST_TESTS)):
	@mkdir -p $(@D)
	$(HOST_CC) $^ -o $@ -lcriterion $(HOST_LDFLAGS)

# The Console capability decodes its params with the Cap'n Proto runtime and
# the generated schema code.
KERNEL_LIB_SRCS += $(wildcard lib/capnp/*.c) generated/capos.capnp.c

# ---------------------------------------------------------------------------
# Kernel-side QEMU smokes (tests/qemu/smokes/proc_*.smoke).  Their programs
# (tests/qemu/proc/*.c) talk to the kernel through the raw ABI, without the
# runtime, so the kernel's ring/syscall/fault behaviour is tested on its own
# (including what a correct runtime never does).  Each smoke boots a
# manifest naming them (tests/qemu/manifests/raw_*.cue, mk/manifest.mk).
PROC_TEST_DIR := $(BUILD)/user/tests/qemu/proc
PROC_TEST_PROGS := $(patsubst tests/qemu/proc/%.c,%,$(wildcard tests/qemu/proc/*.c))
PROC_TEST_ELFS := $(addprefix $(PROC_TEST_DIR)/,$(addsuffix .elf,$(PROC_TEST_PROGS)))
.SECONDARY: $(PROC_TEST_ELFS:.elf=.o)   # kept, as the demos' objects (mk/user.mk)

$(BUILD)/user/tests/qemu/proc/%.o: USER_CFLAGS += -Itests/qemu/proc
$(PROC_TEST_DIR)/%.elf: $(PROC_TEST_DIR)/%.o runtime/user.ld
	$(LD) -static -nostdlib -z max-page-size=4096 -z noexecstack -T runtime/user.ld -o $@ $<

PROC_PKG_DIR := $(BUILD)/proc

# Hostile ELFs (manifest raw_hostile_elf, the ELF fuzz seeds): each must be
# refused with its own error while a good program still runs.
PROC_HOSTILE := $(PROC_PKG_DIR)/hostile
PROC_HOSTILE_STAMP := $(PROC_HOSTILE)/.stamp
$(PROC_HOSTILE_STAMP): $(PROC_TEST_DIR)/exit_code.o $(PROC_TEST_DIR)/exit_code.elf
	@mkdir -p $(PROC_HOSTILE)
	printf '%0100d\n' 0 >$(PROC_HOSTILE)/text
	head -c 100 $(PROC_TEST_DIR)/exit_code.elf >$(PROC_HOSTILE)/truncated
	$(LD) -static -nostdlib -N -e _start -o $(PROC_HOSTILE)/wx $(PROC_TEST_DIR)/exit_code.o
	$(LD) -static -nostdlib -e _start -Ttext=0xffffffff80400000 \
		-o $(PROC_HOSTILE)/kernel_half $(PROC_TEST_DIR)/exit_code.o
	$(LD) -pie -nostdlib -e _start -o $(PROC_HOSTILE)/pie $(PROC_TEST_DIR)/exit_code.o
	touch $@

ALL_TARGETS += $(PROC_TEST_ELFS) $(PROC_HOSTILE_STAMP)
.PHONY: proc-smokes
proc-smokes: $(KERNEL_ELF) $(PROC_TEST_ELFS) $(PROC_HOSTILE_STAMP)
	@$(MAKE) --no-print-directory $(SMOKE_MANIFESTS)
	tests/qemu/run-smokes.sh $(patsubst tests/qemu/smokes/%.smoke,%,$(wildcard tests/qemu/smokes/proc_*.smoke))

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
CHECK_TARGETS += $(PROC_TEST_ELFS) $(PROC_HOSTILE_STAMP)

.PHONY: fuzz-elf
fuzz-elf: $(ELF_FUZZ_BIN) $(PROC_TEST_ELFS)
	@mkdir -p $(BUILD)/fuzz/elf64-corpus
	$(ELF_FUZZ_BIN) -max_total_time=$(or $(FUZZ_SECONDS),60) -max_len=16384 $(BUILD)/fuzz/elf64-corpus
fuzz: fuzz-elf

# `make bench-proc`: ring round-trip cost under -icount shift=0 (one TSC
# tick = one guest instruction, so the figures are instruction counts and
# reproducible).  A benchmark, not a test: nothing is asserted on speed.
.PHONY: bench-proc
bench-proc: $(KERNEL_ELF) $(BUILD)/manifests/raw_bench_nop.bin
	qemu-system-x86_64 $(BENCH_QEMU_FLAGS) \
		-serial file:$(BUILD)/bench-proc.log -display none -monitor none -no-reboot \
		-device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel $(KERNEL_ELF) \
		-initrd $(BUILD)/manifests/raw_bench_nop.bin </dev/null; \
		status=$$?; tr -d '\r' <$(BUILD)/bench-proc.log | grep -a '^\[nop_bench\]'; \
		test $$status = 33 || { echo "bench-proc: QEMU status $$status (see $(BUILD)/bench-proc.log)" >&2; exit 1; }
