/*
 * A CPU exception raised in user mode kills the process that raised it,
 * with the reason logged; the kernel and the other processes go on.  The
 * one exception is a first touch of a lazy page (the stack), which maps
 * it and resumes the program.
 * (trap_user_fault, the hook kernel/arch/x86_64/trap.c calls.)
 */
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/trap.h"
#include "format.h"
#include "fpu_fault.h"
#include "log.h"
#include "sched.h"

void trap_user_fault(struct trap_frame *tf)
{
	struct process *p = sched_current();
	if (p == 0)
		panic("user-mode exception %lu with no current process", tf->vector);
	const char *name = trap_vector_name(tf->vector);
	char reason[PROC_REASON_MAX];
	if (tf->vector == TRAP_PAGE_FAULT && !(tf->error_code & PF_PRESENT)) {
		/* A lazy page (the stack) touched first: map it and go on. */
		int err = proc_fault_in(p, read_cr2());
		if (err == CAPOS_OK)
			return;
		if (err == CAPOS_ERR_NO_RESOURCES) {
			format_snprintf(reason, sizeof reason,
			                "out of frames for a stack page at 0x%lx rip 0x%lx in binary '%s'",
			                read_cr2(), tf->rip, p->binary);
			process_kill(p, reason);
		}
	}
	if (tf->vector == TRAP_PAGE_FAULT) {
		uint64_t e = tf->error_code;
		/* clang-format off */
		format_snprintf(reason, sizeof reason,
		                "page fault at 0x%lx (%s, %s) rip 0x%lx in binary '%s'", read_cr2(),
		                (e & PF_IFETCH) ? "instruction fetch" : (e & PF_WRITE) ? "write" : "read",
		                (e & PF_PRESENT) ? "protection violation" : "not present", tf->rip,
		                p->binary);
		/* clang-format on */
	} else if (tf->vector == TRAP_X87_FPU || tf->vector == TRAP_SIMD_FP) {
		/* The process's extended state is still live in the registers
		 * (nothing saved or loaded since it trapped). */
		char what[96];
		if (tf->vector == TRAP_X87_FPU) {
			uint16_t fsw = fpu_read_fsw(), fcw = fpu_read_fcw();
			fpu_exc_describe(fpu_x87_unmasked(fsw, fcw), what, sizeof what);
			format_snprintf(reason, sizeof reason,
			                "%s (#MF): %s (FSW 0x%x, FCW 0x%x) rip 0x%lx in binary '%s'",
			                name, what, fsw, fcw, tf->rip, p->binary);
		} else {
			uint32_t mxcsr = fpu_read_mxcsr();
			fpu_exc_describe(fpu_simd_unmasked(mxcsr), what, sizeof what);
			format_snprintf(reason, sizeof reason,
			                "%s (#XM): %s (MXCSR 0x%x) rip 0x%lx in binary '%s'", name, what,
			                mxcsr, tf->rip, p->binary);
		}
	} else {
		format_snprintf(reason, sizeof reason,
		                "%s (vector %lu, error 0x%lx) rip 0x%lx in binary '%s'", name,
		                tf->vector, tf->error_code, tf->rip, p->binary);
	}
	process_kill(p, reason);
}
