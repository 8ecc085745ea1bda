/*
 * The Lua service: Debian's lua5.4 standalone interpreter (lua.c, built
 * unmodified with -Dmain=lua_main, mk/lua.mk) run on one script carried
 * in the program image (services/lua/script.S), between two marker lines
 * on the console:
 *   ==== lua begin: NAME
 *   ...the script's output (stdout and stderr)...
 *   ==== lua end: NAME
 * The exit status is the interpreter's (1 on a script error, with Lua's
 * message on stderr; os.exit's value), as init reports it.
 */
#include <stdio.h>
#include <stdlib.h>

#ifndef LUA_SCRIPT_NAME
#error "LUA_SCRIPT_NAME: the script's name (mk/lua.mk sets it)"
#endif

int lua_main(int argc, char **argv);

/* libc/start.c's argv; the script itself is services/lua/script.S's
 * capos_posix_files. */
extern char *const capos_posix_argv[];
char *const capos_posix_argv[] = {"lua", LUA_SCRIPT_NAME, NULL};

static void end_line(void)
{
	printf("==== lua end: %s\n", LUA_SCRIPT_NAME);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	printf("==== lua begin: %s\n", LUA_SCRIPT_NAME);
	fflush(stdout);
	atexit(end_line); /* also after os.exit */
	return lua_main(argc, argv);
}
