# Builds musl's libc.a for capOS: run by mk/musl.mk as a sub-make once the
# verified source tree exists (its file list is a wildcard over that tree,
# as in musl's own Makefile).  Not included by the top Makefile.
#
# Variables: MUSL_SRC (the unpacked tree), OUT (build directory), CC, AR.
# musl's sources are compiled as shipped, with musl's own flags, except:
#  - libc/arch/ comes first on the include path: its syscall_arch.h routes
#    __syscall0..6 to __capos_syscall (libc/syscall.c) instead of the
#    `syscall` instruction;
#  - the assembly files that issue `syscall` themselves are left out (their
#    generic C versions, which call __syscall, are used), and so is
#    src/env/__init_tls.c: libc/musl/tls.c adopts the TLS block the kernel set up
#    (userspace cannot move the fs base); src/thread/clone.c and
#    __unmapself.c: libc/musl/clone.c starts threads over ThreadSpawner,
#    libc/musl/unmapself.c ends a detached one;
#  - the dynamic linker (ldso/) and crt/ are not built: programs are static
#    and start at libc/start.S.

ARCH := x86_64
S := $(MUSL_SRC)
SRC_DIRS := $(addprefix $(S)/,src/* src/malloc/mallocng)
BASE_SRCS := $(sort $(wildcard $(addsuffix /*.c,$(SRC_DIRS))))
ARCH_SRCS := $(sort $(wildcard $(addsuffix /$(ARCH)/*.[csS],$(SRC_DIRS))))
# Assembly that executes `syscall` directly (thread creation, sigreturn,
# vfork, cancellable syscalls, setting the thread pointer).
ARCH_SYSCALL_ASM := $(addprefix $(S)/src/,thread/$(ARCH)/__set_thread_area.s \
	thread/$(ARCH)/__unmapself.s thread/$(ARCH)/clone.s thread/$(ARCH)/syscall_cp.s \
	process/$(ARCH)/vfork.s signal/$(ARCH)/restore.s)
ARCH_SRCS := $(filter-out $(ARCH_SYSCALL_ASM),$(ARCH_SRCS))
REPLACED := $(foreach f,$(ARCH_SRCS),$(subst /$(ARCH)/,/,$(basename $(f))).c)
CAPOS_REPLACED := $(S)/src/env/__init_tls.c $(S)/src/thread/clone.c $(S)/src/thread/__unmapself.c
CAPOS_SRCS := $(CURDIR)/libc/musl/tls.c $(CURDIR)/libc/musl/clone.c $(CURDIR)/libc/musl/unmapself.c
SRCS := $(filter-out $(REPLACED) $(CAPOS_REPLACED),$(BASE_SRCS)) $(ARCH_SRCS)
CAPOS_OBJS := $(patsubst $(CURDIR)/libc/musl/%.c,$(OUT)/obj/capos/%.o,$(CAPOS_SRCS))
OBJS := $(patsubst $(S)/%,$(OUT)/obj/%.o,$(basename $(SRCS))) $(CAPOS_OBJS)

GENH := $(OUT)/obj/include/bits/alltypes.h $(OUT)/obj/include/bits/syscall.h \
	$(OUT)/obj/src/internal/version.h
LIBC_ARCH := $(CURDIR)/libc/arch

# musl's configure results for gcc 12 x86_64 (CFLAGS_C99FSE, CFLAGS_AUTO,
# CFLAGS_MEMOPS, CFLAGS_NOSSP), plus -g.
MUSL_CFLAGS := -std=c99 -nostdinc -ffreestanding -fexcess-precision=standard -frounding-math \
	-fno-strict-aliasing -Wa,--noexecstack -D_XOPEN_SOURCE=700 \
	-I$(LIBC_ARCH) -I$(S)/arch/$(ARCH) -I$(S)/arch/generic -I$(OUT)/obj/src/internal \
	-I$(S)/src/include -I$(S)/src/internal -I$(OUT)/obj/include -I$(S)/include \
	-Os -pipe -fomit-frame-pointer -fno-unwind-tables -fno-asynchronous-unwind-tables \
	-ffunction-sections -fdata-sections -fno-stack-protector -fno-pic -fno-pie -g \
	-ffile-prefix-map=$(CURDIR)=. -ffile-prefix-map=$(S)=musl -w
MEMOPS := $(filter %/memcpy.o %/memmove.o %/memcmp.o %/memset.o,$(OBJS))
$(MEMOPS): MUSL_CFLAGS += -fno-tree-loop-distribute-patterns

$(OUT)/libc.a: $(OBJS)
	rm -f $@
	$(AR) rcs $@ $(OBJS)

$(OBJS): $(GENH) $(LIBC_ARCH)/syscall_arch.h
$(OUT)/obj/%.o: $(S)/%.c
	@mkdir -p $(@D)
	$(CC) $(MUSL_CFLAGS) -c -o $@ $<
$(OUT)/obj/%.o: $(S)/%.s
	@mkdir -p $(@D)
	$(CC) $(MUSL_CFLAGS) -c -o $@ $<
$(OUT)/obj/%.o: $(S)/%.S
	@mkdir -p $(@D)
	$(CC) $(MUSL_CFLAGS) -c -o $@ $<

$(OUT)/obj/capos/%.o: $(CURDIR)/libc/musl/%.c
	@mkdir -p $(@D)
	$(CC) $(MUSL_CFLAGS) -c -o $@ $<

$(OUT)/obj/include/bits/alltypes.h: $(S)/arch/$(ARCH)/bits/alltypes.h.in $(S)/include/alltypes.h.in
	@mkdir -p $(@D)
	sed -f $(S)/tools/mkalltypes.sed $^ >$@
$(OUT)/obj/include/bits/syscall.h: $(S)/arch/$(ARCH)/bits/syscall.h.in
	@mkdir -p $(@D)
	cp $< $@
	sed -n -e s/__NR_/SYS_/p <$< >>$@
$(OUT)/obj/src/internal/version.h: $(S)/VERSION
	@mkdir -p $(@D)
	printf '#define VERSION "%s"\n' "$$(cat $<)" >$@
