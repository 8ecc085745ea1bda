# Lua 5.4 on capOS (docs/porting.md): Debian's lua5.4 source package
# (tools/srcpkg.sh, pinned in third_party/sources.lock) built unmodified
# against musl (mk/musl.mk).  Only build flags are ours: luaconf.h's
# LUA_USE_POSIX and LUA_COMPAT_5_3 (as Debian's build), and lua.c's main
# renamed lua_main so services/lua/service.c can print the marker lines
# around the run.
#   build/lua/liblua.a              the interpreter and its libraries
#   build/lua/lua.o                 lua.c (the standalone interpreter)
#   build/lua/tests/NAME/lua.elf    the service with tests/lua/NAME.lua inside
#   build/lua/run/NAME/lua.elf      the same with make run-lua's SCRIPT inside
# `make run-lua SCRIPT=path.lua` builds one and boots it (tools/musl-run.sh):
# the script's output is printed with its exit status; make fails if it is
# not 0.
# tests/lua/compare.sh (make test) runs tests/lua/*.lua on capOS and on the
# host's lua5.4 and compares.

# musl's variables (MUSL_PROG_CFLAGS, MUSL_LIBC, MUSL_LINK_DEPS) are used
# below when this file is read.
include mk/musl.mk

LUA_DIR := $(BUILD)/lua
# The flags live here and in mk/musl.mk: objects rebuild when they change.
LUA_MK := mk/lua.mk mk/musl.mk
LUA_SRC := $(LUA_DIR)/src
LUA_STAMP := $(LUA_DIR)/src.stamp

$(LUA_STAMP): tools/srcpkg.sh third_party/sources.lock
	@mkdir -p $(@D)
	tree=$$(tools/srcpkg.sh path lua5.4) && ln -sfn "$$tree" $(LUA_SRC)
	@touch $@

LUA_FILES := lapi lcode lctype ldebug ldo ldump lfunc lgc llex lmem lobject lopcodes lparser \
	lstate lstring ltable ltm lundump lvm lzio lauxlib lbaselib lcorolib ldblib liolib \
	lmathlib loadlib loslib lstrlib ltablib lutf8lib linit
LUA_OBJS := $(patsubst %,$(LUA_DIR)/obj/%.o,$(LUA_FILES))
LUA_LIB := $(LUA_DIR)/liblua.a
LUA_MAIN_OBJ := $(LUA_DIR)/lua.o
# services/lua/port: the header Debian's build generates for luaconf.h.
LUA_CFLAGS := $(MUSL_PROG_CFLAGS) -std=gnu99 -DLUA_COMPAT_5_3 -DLUA_USE_POSIX -Iservices/lua/port

$(LUA_OBJS): $(LUA_DIR)/obj/%.o: $(LUA_STAMP) $(LUA_MK) | $(MUSL_LIBC)
	@mkdir -p $(@D)
	$(CC) $(LUA_CFLAGS) -MMD -MP -c $(LUA_SRC)/src/$*.c -o $@
$(LUA_MAIN_OBJ): $(LUA_STAMP) $(LUA_MK) | $(MUSL_LIBC)
	@mkdir -p $(@D)
	$(CC) $(LUA_CFLAGS) -Dmain=lua_main -MMD -MP -c $(LUA_SRC)/src/lua.c -o $@
-include $(LUA_OBJS:.o=.d) $(LUA_MAIN_OBJ:.o=.d)
$(LUA_LIB): $(LUA_OBJS)
	rm -f $@
	$(AR) rcs $@ $^

# $(call lua_prog,DIR,NAME,SCRIPT): DIR/lua.elf with SCRIPT inside as NAME.lua.
define lua_prog
$(1)/script.o: $(3) services/lua/script.S
	@mkdir -p $$(@D)
	$(CC) -c -DLUA_SCRIPT='"$(abspath $(3))"' -DLUA_SCRIPT_NAME='"$(2).lua"' \
		services/lua/script.S -o $$@
$(1)/service.o: services/lua/service.c $(MUSL_STAMP) $(LUA_MK) | $(MUSL_LIBC)
	@mkdir -p $$(@D)
	$(CC) $(MUSL_PROG_CFLAGS) -DLUA_SCRIPT_NAME='"$(2).lua"' -c $$< -o $$@
$(1)/lua.elf: $(1)/script.o $(1)/service.o $(LUA_MAIN_OBJ) $(LUA_LIB) $(MUSL_LINK_DEPS)
	$$(call musl_link,$$@,$(1)/service.o $(1)/script.o $(LUA_MAIN_OBJ) $(LUA_LIB))
endef

LUA_TEST_SCRIPTS := $(wildcard tests/lua/*.lua)
LUA_TEST_NAMES := $(patsubst tests/lua/%.lua,%,$(LUA_TEST_SCRIPTS))
$(foreach n,$(LUA_TEST_NAMES),$(eval $(call lua_prog,$(LUA_DIR)/tests/$(n),$(n),tests/lua/$(n).lua)))
LUA_TEST_ELFS := $(patsubst %,$(LUA_DIR)/tests/%/lua.elf,$(LUA_TEST_NAMES))

.PHONY: lua run-lua
lua: $(LUA_LIB) $(LUA_MAIN_OBJ) $(LUA_TEST_ELFS)
CHECK_TARGETS += lua
TEST_SUITES += tests/lua/compare.sh

# make run-lua SCRIPT=path.lua: a script the tests may never have seen.
LUA_RUN_NAME := $(basename $(notdir $(SCRIPT)))
ifneq ($(SCRIPT),)
$(eval $(call lua_prog,$(LUA_DIR)/run/$(LUA_RUN_NAME),$(LUA_RUN_NAME),$(SCRIPT)))
endif
run-lua:
	@[ -n "$(SCRIPT)" ] || { echo "run-lua: SCRIPT=path/to/script.lua is required" >&2; exit 2; }
	@[ -f "$(SCRIPT)" ] || { echo "run-lua: no such script: $(SCRIPT)" >&2; exit 2; }
	@echo "$(LUA_RUN_NAME)" | grep -Eq '^[A-Za-z0-9_.-]+$$' || \
		{ echo "run-lua: script name '$(LUA_RUN_NAME)' must be [A-Za-z0-9_.-]" >&2; exit 2; }
	+@$(MAKE) --no-print-directory -s all $(LUA_DIR)/run/$(LUA_RUN_NAME)/lua.elf \
		>$(BUILD)/build.log 2>&1 || { tail -20 $(BUILD)/build.log; exit 1; }
	@tools/musl-run.sh --name lua --begin '^==== lua begin: ' --end '^==== lua end: ' \
		--log $(LUA_DIR)/run/$(LUA_RUN_NAME)/serial.log $(LUA_DIR)/run/$(LUA_RUN_NAME)/lua.elf
