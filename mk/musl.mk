# musl as the C library of capOS programs (docs/posix.md, docs/porting.md).
# Debian's musl source package (tools/srcpkg.sh, pinned in
# third_party/sources.lock, never copied into the repo) is compiled by
# libc/musl-lib.mk with its system calls routed to libc/posix.c:
#   build/musl/libc.a           musl, as shipped but for the syscall layer
#   build/musl/libcapos_posix.a the POSIX personality (libc/*.c) and the
#                               runtime minus what musl replaces (heap,
#                               string functions, the runtime's entry)
#   build/user/libc/crt1.o      the entry point (libc/crt1.S)
# A musl program is compiled with MUSL_PROG_CFLAGS and linked with
# $(call musl_link,OUT,OBJECTS).  Fetching needs the Debian archive, so
# none of it is in `make all`: `make test` (CHECK_TARGETS) and `make musl`
# build it.
# Read once: mk/lua.mk includes it first, since its rules use these
# variables when they are read (and mk/*.mk are read in name order).
ifndef MUSL_MK_READ
MUSL_MK_READ := 1

MUSL_DIR := $(BUILD)/musl
MUSL_SRC := $(MUSL_DIR)/src
MUSL_STAMP := $(MUSL_DIR)/src.stamp
MUSL_LIBC := $(MUSL_DIR)/libc.a
MUSL_POSIX_LIB := $(MUSL_DIR)/libcapos_posix.a
MUSL_CRT := $(BUILD)/user/libc/crt1.o

$(MUSL_STAMP): tools/srcpkg.sh third_party/sources.lock
	@mkdir -p $(@D)
	tree=$$(tools/srcpkg.sh path musl) && ln -sfn "$$tree" $(MUSL_SRC)
	@touch $@

# musl's own file list is a wildcard over its tree: a sub-make, run once
# the tree exists.  It is always asked (FORCE, mk/iso.mk): it knows its
# own dependencies and leaves libc.a alone when nothing changed.
$(MUSL_LIBC): $(MUSL_STAMP) FORCE
	+@$(MAKE) --no-print-directory -f libc/musl-lib.mk MUSL_SRC=$(abspath $(MUSL_SRC)) \
		OUT=$(abspath $(MUSL_DIR)) CC=$(CC) AR=$(AR)

# The personality and the runtime objects a musl program keeps.
MUSL_POSIX_C := libc/posix.c libc/posix_caps.c libc/start.c libc/threads.c
MUSL_POSIX_OBJS := $(patsubst %.c,$(BUILD)/user/%.o,$(MUSL_POSIX_C))
MUSL_RT_DROP := $(addprefix $(BUILD)/user/,runtime/heap.o runtime/rt_start.o runtime/start.o \
	lib/kstring.o)
# (RUNTIME_OBJS comes from mk/user.mk, read after this file: expanded late.)
MUSL_RT_OBJS = $(filter-out $(MUSL_RT_DROP),$(RUNTIME_OBJS))
$(MUSL_POSIX_LIB): $(MUSL_POSIX_OBJS) $$(MUSL_RT_OBJS) mk/musl.mk
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $(filter %.o,$^)

# musl's public headers, as `make install` would lay them out.
MUSL_INC := -nostdinc -isystem $(MUSL_DIR)/obj/include -isystem $(MUSL_SRC)/arch/x86_64 \
	-isystem $(MUSL_SRC)/arch/generic -isystem $(MUSL_SRC)/include
MUSL_PROG_CFLAGS := -std=c17 $(WARN) -O2 -g -fno-stack-protector -fno-pic -fno-pie \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables $(REPRO_FLAGS) $(MUSL_INC)

# $(call musl_link,OUT,OBJECTS): a static capOS program on musl.
musl_link = $(LD) -static -nostdlib -z max-page-size=4096 -z noexecstack \
	-T $(USER_LDSCRIPT) -o $(1) $(MUSL_CRT) $(2) \
	--start-group $(MUSL_POSIX_LIB) $(MUSL_LIBC) $(USER_LIBGCC) --end-group
MUSL_LINK_DEPS := $(MUSL_CRT) $(MUSL_POSIX_LIB) $(MUSL_LIBC) runtime/user.ld
USER_LDSCRIPT ?= runtime/user.ld

# tests/musl/*.c: programs built twice, for capOS on musl and for the host
# on glibc, whose outputs tests/musl/compare.sh compares.
MUSL_TEST_SRCS := $(wildcard tests/musl/*.c)
MUSL_TEST_ELFS := $(patsubst tests/musl/%.c,$(BUILD)/user/musl/%.elf,$(MUSL_TEST_SRCS))
MUSL_TEST_HOST := $(patsubst tests/musl/%.c,$(BUILD)/host/musl/%,$(MUSL_TEST_SRCS))
$(BUILD)/user/musl/%.o: tests/musl/%.c $(MUSL_STAMP) | $(MUSL_LIBC)
	@mkdir -p $(@D)
	$(CC) $(MUSL_PROG_CFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/user/musl/%.elf: $(BUILD)/user/musl/%.o $(MUSL_LINK_DEPS)
	$(call musl_link,$@,$<)
$(BUILD)/host/musl/%: tests/musl/%.c
	@mkdir -p $(@D)
	$(HOST_CC) -std=c17 $(WARN) -O2 -o $@ $< -lm
.SECONDARY: $(MUSL_TEST_ELFS:.elf=.o)
-include $(MUSL_TEST_ELFS:.elf=.d)

.PHONY: musl
musl: $(MUSL_LIBC) $(MUSL_POSIX_LIB) $(MUSL_CRT) $(MUSL_TEST_ELFS) $(MUSL_TEST_HOST)
CHECK_TARGETS += musl
TEST_SUITES += tests/musl/compare.sh

# The personality's logic on the host (tests/host/test_posix.c).
POSIX_HOST_TEST := $(BUILD)/host/tests/host/test_posix
$(POSIX_HOST_TEST): tests/host/test_posix.c libc/posix.c libc/posix.h
	@mkdir -p $(@D)
	$(HOST_CC) $(HOST_CFLAGS) -Ilibc -o $@ tests/host/test_posix.c libc/posix.c -lcriterion \
		$(HOST_LDFLAGS)
HOST_TEST_BINS += $(POSIX_HOST_TEST)

endif
