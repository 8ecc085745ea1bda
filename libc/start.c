/*
 * From the runtime's process start to musl's __libc_start_main: the
 * runtime binds the ring, the CapSet and the console (capos_rt_init);
 * the POSIX personality is bound to the caps (libc/posix_caps.c); then
 * musl gets the argument vector, environment and auxiliary vector a
 * Linux process would find on its stack.
 *
 * A program names its arguments, environment and read-only files with
 * three optional (weak) arrays, each ending with a NULL entry:
 *   char *const capos_posix_argv[];                   default {"program"}
 *   char *const capos_posix_envp[];                   default empty
 *   const struct capos_posix_file capos_posix_files[]; default none
 */
#include <capos/rt_init.h>
#include <capos/timer.h>
#include "posix.h"

#define AT_NULL   0
#define AT_PAGESZ 6
#define AT_HWCAP  16
#define AT_RANDOM 25
#define MAX_ARGS  32
#define MAX_ENV   32

extern char *const capos_posix_argv[] __attribute__((weak));
extern char *const capos_posix_envp[] __attribute__((weak));
extern const struct capos_posix_file capos_posix_files[] __attribute__((weak));

int main(int argc, char **argv, char **envp);
int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
                      void (*init)(void), void (*fini)(void), void (*ldso_fini)(void));
void capos_posix_init_caps(const struct capos_posix_file *files);
_Noreturn void capos_posix_start(void *ring, uint64_t pid, const void *capset);

/* argv, NULL, envp, NULL, auxv pairs, AT_NULL: laid out as on a Linux stack. */
static char *vec[MAX_ARGS + 1 + MAX_ENV + 1 + 8];
static unsigned char at_random[16];

static size_t copy_list(char **out, char *const *in, size_t max)
{
	size_t n = 0;
	while (in != NULL && in[n] != NULL && n < max) {
		out[n] = in[n];
		n++;
	}
	out[n] = NULL;
	return n;
}

_Noreturn void capos_posix_start(void *ring, uint64_t pid, const void *capset)
{
	static char *const default_argv[] = {"program", NULL};
	capos_rt_init(ring, pid, capset);
	capos_posix_init_caps(capos_posix_files);

	char *const *args = capos_posix_argv != NULL ? capos_posix_argv : default_argv;
	size_t argc = copy_list(vec, args, MAX_ARGS);
	size_t at = argc + 1;
	at += copy_list(&vec[at], capos_posix_envp, MAX_ENV) + 1;
	/* AT_RANDOM seeds musl's stack protector and malloc: the
	 * EntropySource's bytes when there is one, else zeros. */
	if (capos_default_entropy() != NULL)
		(void)capos_getentropy(at_random, sizeof(at_random));
	size_t *aux = (size_t *)&vec[at];
	aux[0] = AT_PAGESZ;
	aux[1] = 4096;
	aux[2] = AT_RANDOM;
	aux[3] = (size_t)at_random;
	aux[4] = AT_HWCAP;
	aux[5] = 0;
	aux[6] = AT_NULL;
	aux[7] = 0;
	__libc_start_main(main, (int)argc, vec, 0, 0, 0);
	__builtin_unreachable();
}
