/*
 * Userspace start.  The kernel starts exactly one process: init, from the
 * boot manifest (manifest_boot.c, docs/init.md); init starts every
 * service.  Without a manifest module there is nothing to run.
 *
 * Frame accounting: a teardown that finds frames missing reports them
 * here; the boot's final check (manifest_boot.c) fails the run on any.
 */
#include "cap/registry.h"
#include "main.h"
#include "log.h"
#include "manifest_boot.h"
#include "proc_internal.h"

static uint64_t leaked_frames;

void proc_note_leak(uint64_t frames) { leaked_frames += frames; }
uint64_t proc_leaked_frames(void) { return leaked_frames; }

void userspace_start(void)
{
	kcap_registry_init();
	if (manifest_boot())
		return; /* booted through init (never gets here) */
	kprintf("userspace: no boot manifest module: no process to start\n");
}
