/*
 * panic: the runtime's panic path.  A failed CAPOS_ASSERT prints
 * "[panic] pid N: tests/qemu/progs/panic.c:LINE: assertion failed: ..." on the
 * Console and exits with CAPOS_RT_EXIT_PANIC (101).
 *
 * Run by: smoke init_basic (tests/qemu/manifests/init_basic.cue);
 * tests/qemu/manifests/rt_panic_hlt.cue (smoke rt_panic_hlt);
 * system-spawn.cue (`make run-spawn`; smoke spawn_smoke).
 */
#include "demo.h"

int main(void)
{
	int answer = 41;
	capos_printf("[panic] about to fail an assertion\n");
	CAPOS_ASSERT(answer == 42);
	capos_printf("[panic] FAIL: still running after a failed assertion\n");
	return 0;
}
