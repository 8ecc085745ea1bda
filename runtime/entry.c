/*
 * Process start: everything between _start (start.S) and main but the
 * heap (runtime/rt_start.c), so that a musl program, whose malloc is
 * musl's, starts the same way (libc/start.c).
 */
#include <capos/rt.h>
#include <capos/rt_init.h>
#include "capos.capnp.h"

struct capos_rt_info capos_rt;
struct capos_ring capos_rt_ring;

static int64_t syscall_enter(uint32_t min_complete, uint64_t timeout_ns, void *ctx)
{
	(void)ctx;
	return capos_cap_enter(min_complete, timeout_ns);
}

/* The default console: the entry named "console", else any Console. */
static void open_default_console(void)
{
	const struct capos_capset *cs = &capos_rt.capset;
	const struct capos_capset_entry *e = capos_capset_find(cs, "console", capos_Console_ID);
	if (e == NULL)
		e = capos_capset_find_interface(cs, capos_Console_ID);
	if (e != NULL &&
	    capos_console_from_cap(&capos_rt.console, &capos_rt_ring, capos_cap_borrow(e)) == 0)
		capos_rt.has_console = true;
}

/* x86_64 TLS variant II: the word at the thread pointer is its address. */
static bool tls_self_pointer_ok(void)
{
	uint64_t tp = capos_tls_pointer();
	capos_rt.tls_pointer = tp;
	return tp != 0 && *(volatile const uint64_t *)(uintptr_t)tp == tp;
}

void capos_rt_init(void *ring, uint64_t pid, const void *capset)
{
	capos_rt.pid = pid;
	capos_rt.ring_addr = ring;
	capos_rt.capset_addr = capset;
	/* Without a ring nothing can even be printed: leave with a code the
	 * kernel logs. */
	if ((uintptr_t)ring != CAPOS_RING_VADDR ||
	    capos_ring_init(&capos_rt_ring, ring, syscall_enter, NULL) != 0)
		capos_exit(CAPOS_RT_EXIT_BAD_RING);
	capos_ring_default = &capos_rt_ring;

	capos_rt.capset_status = capos_capset_parse(&capos_rt.capset, capset);
	if (capos_rt.capset_status == CAPOS_CAPSET_OK)
		open_default_console();

	if (!tls_self_pointer_ok())
		capos_panic("TLS thread pointer %#lx does not point at itself",
		            (unsigned long)capos_rt.tls_pointer);
}

int capos_puts(const char *line)
{
	if (!capos_rt.has_console)
		return CAPOS_ERR_BAD_CAP;
	return capos_console_write_line(&capos_rt.console, line, NULL);
}

int capos_printf(const char *fmt, ...)
{
	if (!capos_rt.has_console)
		return CAPOS_ERR_BAD_CAP;
	va_list ap;
	va_start(ap, fmt);
	int ret = capos_console_vprintf(&capos_rt.console, fmt, ap);
	va_end(ap);
	return ret;
}
