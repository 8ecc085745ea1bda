/*
 * hello: the smallest program: prints through the Console capability it
 * finds in its CapSet, then exits with 0.
 *
 * Run by: smokes frame_cleanup, init_basic, proc_fault_demos, proc_hello,
 * proc_smap_smep, ring_corrupt, vm_fuzz, vm_protect
 * (tests/qemu/manifests/NAME.cue); tests/qemu/manifests/rt_panic_hlt.cue
 * (smoke rt_panic_hlt); system-spawn.cue (`make run-spawn`;
 * smoke spawn_smoke).
 */
#include <capos/rt.h>

int main(void)
{
	capos_printf("[hello] pid %lu: hello from userspace through the ring\n",
	             (unsigned long)capos_rt.pid);
	capos_puts("[hello] goodbye");
	return 0;
}
