/*
 * The Lua service's script, carried in the program image: LUA_SCRIPT (its
 * path on the build machine) and LUA_SCRIPT_NAME (the name open() finds,
 * argv[1]) are set by mk/lua.mk.  The table is libc/start.c's
 * capos_posix_files (struct capos_posix_file: path, data, size), written
 * here because the size is the assembler's to compute.
 */
	.section .rodata
capos_lua_script:
	.incbin LUA_SCRIPT
capos_lua_script_end:
	.byte 0
capos_lua_script_name:
	.asciz LUA_SCRIPT_NAME

	.balign 8
	.globl capos_posix_files
	.type capos_posix_files, @object
capos_posix_files:
	.quad capos_lua_script_name, capos_lua_script, capos_lua_script_end - capos_lua_script
	.quad 0, 0, 0
	.size capos_posix_files, . - capos_posix_files

	.section .note.GNU-stack, "", @progbits
