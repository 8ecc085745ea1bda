/*
 * Terminal capability: the serial keyboard and screen (terminal.h,
 * schema/capos.capnp Terminal, docs/terminal.md).
 *
 * Input: the UART's receive interrupt (IRQ 4) moves every waiting byte
 * into an 8 KiB ring (a 4 KiB paste fits twice; a full ring drops and
 * counts); the expire hook polls the UART too while a read waits, which
 * covers a lost interrupt and keeps the deadlock breaker away from a
 * process waiting for a person.  One read may be pending; it completes
 * from the interrupt (or the poll) through api_complete_call.
 *
 * One reader: the first process that reads owns the input until it
 * exits; a read by any other holder of a copy is refused (notPermitted
 * style: failed).  Boot code grants the terminal once (mf_validate).
 */
#include "cap/terminal.h"

#include <capos/abi.h>

#include "api/dispatch.h"
#include "arch/x86_64/intc.h"
#include "arch/x86_64/serial.h"
#include "arch/x86_64/timer.h"
#include "arch/x86_64/trap.h"
#include "byte_ring.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "format.h"
#include "kstring.h"
#include "log.h"
#include "proc/process.h"
#include "cap/pending.h"
#include "registry.h"

#define TERM_RING_BYTES 8192u
#define TERM_IO_MAX     4096u
#define TERM_TAIL_MAX   256u
#define TERM_POLL_NS    50000000ull /* 50 ms */
#define TERM_NO_TIMEOUT UINT64_MAX

static struct terminal {
	uint8_t ring_buf[TERM_RING_BYTES];
	struct byte_ring ring;
	bool echo, raw;
	uint32_t reader_pid; /* owns the input; 0: nobody yet */
	/* The one pending read (read_call.waiter NULL: none). */
	struct kcap_pending read_call;
	uint32_t max;
	uint64_t deadline;
	/* The holder's unfinished last line, as written (for the redraw
	 * after a foreign line), and whether a foreign line is open. */
	char tail[TERM_TAIL_MAX];
	uint32_t tail_len;
	bool foreign_open;
	uint64_t irqs;
} term = {.echo = true};

/* ---- output sharing --------------------------------------------------- */

bool terminal_line_shared;

static void update_shared(void) { terminal_line_shared = term.tail_len != 0 || term.foreign_open; }

void terminal_foreign_putc(char c)
{
	if (!term.foreign_open) {
		term.foreign_open = true;
		if (term.tail_len)
			serial_write("\r\033[K", 4);
	}
	serial_putc(c);
	if (c == '\n') {
		term.foreign_open = false;
		if (term.tail_len)
			serial_write(term.tail, term.tail_len);
	}
	update_shared();
}

void terminal_foreign_write(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		terminal_foreign_putc(s[i]);
}

/* The holder's bytes: an open foreign line is ended first; what follows
 * the last "\n" is remembered (the newest TERM_TAIL_MAX bytes). */
static void holder_write(const char *s, size_t len)
{
	if (term.foreign_open) {
		serial_putc('\n');
		term.foreign_open = false;
	}
	serial_write(s, len);
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			term.tail_len = 0;
		} else if (term.tail_len < TERM_TAIL_MAX) {
			term.tail[term.tail_len++] = s[i];
		}
	}
	update_shared();
}

/* ---- input ------------------------------------------------------------- */

/* Bytes a read of max may take now (0: not yet). */
static uint32_t ready_bytes(uint32_t max)
{
	uint32_t n = byte_ring_count(&term.ring);
	if (n == 0)
		return 0;
	if (term.raw)
		return n < max ? n : max;
	uint32_t line = byte_ring_line(&term.ring, max);
	if (line)
		return line;
	return n >= max ? max : 0;
}

/* read's result: up to n bytes from the ring. */
static size_t read_result(uint32_t n, bool timed_out, void *buf, size_t cap)
{
	static uint8_t data[TERM_IO_MAX]; /* not on the 16 KiB kernel stack */
	n = byte_ring_take(&term.ring, data, n);
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, buf, cap);
	capos_Terminal_read_Results_builder r = capos_Terminal_read_Results_init_root(&b);
	capos_Terminal_read_Results_set_data(r, data, n);
	capos_Terminal_read_Results_set_timedOut(r, timed_out);
	if (capnp_builder_finish(&b, &len) != CAPNP_OK)
		return 0;
	return len;
}

#define TERM_READ_RESULT_BYTES (KCALL_FLAT(capos_Terminal_read_Results) + TERM_IO_MAX)

static void finish_read(uint32_t n, bool timed_out, int32_t error)
{
	struct process *w = kcap_pending_end(&term.read_call);
	if (w == 0)
		return;
	static uint64_t buf[TERM_READ_RESULT_BYTES / 8];
	size_t len = error == CAPOS_OK ? read_result(n, timed_out, buf, sizeof buf) : 0;
	if (error == CAPOS_OK && len == 0)
		error = CAPOS_ERR_NO_RESOURCES; /* cannot happen: buf holds the longest */
	kcap_pending_complete(w, &term.read_call, buf, (uint32_t)len, error);
}

static void echo_byte(uint8_t c)
{
	if (c == '\r')
		holder_write("\r\n", 2);
	else
		holder_write((const char *)&c, 1);
}

/* Moves what the UART holds into the ring; completes a read that can be. */
static void drain_uart(void)
{
	for (unsigned i = 0; i < 64 && serial_rx_ready(); i++) {
		uint8_t c = serial_rx_byte();
		if (byte_ring_put(&term.ring, c) && term.echo)
			echo_byte(c);
	}
	if (term.read_call.waiter) {
		uint32_t n = ready_bytes(term.max);
		if (n)
			finish_read(n, false, CAPOS_OK);
	}
}

static void terminal_irq(struct trap_frame *tf)
{
	(void)tf;
	term.irqs++;
	drain_uart();
}

void terminal_init(void)
{
	byte_ring_init(&term.ring, term.ring_buf, TERM_RING_BYTES);
	irq_set_handler(IRQ_COM1, terminal_irq);
	serial_rx_irq_enable();
	intc_unmask(IRQ_COM1);
	kprintf("terminal: serial input on IRQ 4 (%s), %u-byte ring; polled every %llu ms while "
	        "a read waits\n",
	        intc_apic_mode() ? "I/O APIC" : "8259 PIC", TERM_RING_BYTES,
	        TERM_POLL_NS / 1000000ull);
}

/* ---- the capability ---------------------------------------------------- */

static struct terminal *terminal_boot_object(void) { return &term; }
static void *terminal_boot_object_v(void) { return terminal_boot_object(); }

static const struct kcall_method terminal_methods[] = {
	/* clang-format off */
	{capos_Terminal_read_METHOD, "read", {TERM_READ_RESULT_BYTES, 0}},
	{capos_Terminal_write_METHOD, "write", {KCALL_FLAT(capos_Terminal_write_Results), 0}},
	{capos_Terminal_setMode_METHOD, "setMode", {KCALL_FLAT(capos_Terminal_setMode_Results), 0}},
	{capos_Terminal_windowSize_METHOD, "windowSize",
	 {KCALL_FLAT(capos_Terminal_windowSize_Results), 0}},
	{capos_Terminal_stats_METHOD, "stats", {KCALL_FLAT(capos_Terminal_stats_Results), 0}},
};
/* clang-format on */

static int terminal_decode(void *object, struct kcap_call *c)
{
	(void)object;
	struct capnp_reader m;
	if (c->method_id == capos_Terminal_windowSize_METHOD ||
	    c->method_id == capos_Terminal_stats_METHOD)
		return CAPOS_OK;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (c->method_id == capos_Terminal_read_METHOD) {
		capos_Terminal_read_Params_reader p = capos_Terminal_read_Params_read_root(&m);
		c->arg[0] = capos_Terminal_read_Params_get_max(p);
		c->arg[1] = capos_Terminal_read_Params_get_timeoutNs(p);
		if (capnp_reader_error(&m) != CAPNP_OK)
			return CAPOS_ERR_BAD_MESSAGE;
		if (c->arg[0] == 0 || c->arg[0] > TERM_IO_MAX)
			return kcap_exception(c, capos_CapException_Type_invalidArgument,
			                      "Terminal.read: max must be 1..4096");
		/* The bytes, padded to words, behind the flat result. */
		c->bound.bytes = KCALL_FLAT(capos_Terminal_read_Results) +
		                 (((uint32_t)c->arg[0] + 7u) & ~7u);
		return CAPOS_OK;
	}
	if (c->method_id == capos_Terminal_write_METHOD) {
		struct capnp_data d =
			capos_Terminal_write_Params_get_data(capos_Terminal_write_Params_read_root(&m));
		c->data = d.ptr;
		c->data_len = (uint32_t)d.len;
		if (capnp_reader_error(&m) != CAPNP_OK)
			return CAPOS_ERR_BAD_MESSAGE;
		if (c->data_len > TERM_IO_MAX)
			return kcap_exception(c, capos_CapException_Type_invalidArgument,
			                      "Terminal.write: more than 4096 bytes");
		return CAPOS_OK;
	}
	capos_Terminal_setMode_Params_reader p = capos_Terminal_setMode_Params_read_root(&m);
	c->arg[0] = capos_Terminal_setMode_Params_get_echo(p);
	c->arg[1] = capos_Terminal_setMode_Params_get_raw(p);
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	return CAPOS_OK;
}

/* The first reader owns the input until it exits. */
static bool may_read(const struct process *p)
{
	return term.reader_pid == 0 || term.reader_pid == p->pid;
}

static int perform_read(struct kcap_call *c)
{
	if (!may_read(c->caller))
		return kcap_exception(c, capos_CapException_Type_failed,
		                      "Terminal.read: another process reads this terminal");
	if (term.read_call.waiter != 0)
		return kcap_exception(c, capos_CapException_Type_overloaded,
		                      "Terminal.read: a read is already pending");
	if (term.reader_pid == 0) {
		term.reader_pid = c->caller->pid;
		kprintf("terminal: pid %u '%s' reads the terminal\n", c->caller->pid,
		        c->caller->name);
	}
	uint32_t max = (uint32_t)c->arg[0];
	drain_uart();
	uint32_t n = ready_bytes(max);
	if (n || c->arg[1] == 0) {
		size_t len = read_result(n, n == 0, c->result, c->result_cap);
		if (len == 0)
			return CAPOS_ERR_NO_RESOURCES;
		c->result_len = (uint32_t)len;
		return CAPOS_OK;
	}
	kcap_pending_take(&term.read_call, c);
	term.max = max;
	uint64_t now = ktime_ns();
	term.deadline = c->arg[1] == TERM_NO_TIMEOUT || c->arg[1] > UINT64_MAX - now
	                        ? TERM_NO_TIMEOUT
	                        : now + c->arg[1];
	return KCAP_CALL_DEFERRED;
}

static int build_window(struct kcap_call *c)
{
	struct capnp_builder b;
	kcap_result_begin(c, &b);
	capos_Terminal_windowSize_Results_builder r =
		capos_Terminal_windowSize_Results_init_root(&b);
	capos_Terminal_windowSize_Results_set_known(r, false); /* a serial line cannot tell */
	capos_Terminal_windowSize_Results_set_rows(r, 24);
	capos_Terminal_windowSize_Results_set_cols(r, 80);
	return kcap_result_end(c, &b);
}

static int build_stats(struct kcap_call *c)
{
	struct capnp_builder b;
	kcap_result_begin(c, &b);
	capos_Terminal_stats_Results_builder r = capos_Terminal_stats_Results_init_root(&b);
	capos_Terminal_stats_Results_set_received(r, term.ring.received);
	capos_Terminal_stats_Results_set_overruns(r, term.ring.overruns);
	capos_Terminal_stats_Results_set_buffered(r, byte_ring_count(&term.ring));
	return kcap_result_end(c, &b);
}

static int terminal_perform(void *object, struct kcap_call *c)
{
	(void)object;
	switch (c->method_id) {
	case capos_Terminal_read_METHOD:
		return perform_read(c);
	case capos_Terminal_write_METHOD:
		holder_write((const char *)c->data, c->data_len);
		return kcap_empty_result(c);
	case capos_Terminal_setMode_METHOD:
		if (term.echo != (bool)c->arg[0] || term.raw != (bool)c->arg[1])
			kprintf("terminal: pid %u sets echo %s, %s mode\n", c->caller->pid,
			        c->arg[0] ? "on" : "off", c->arg[1] ? "raw" : "line");
		term.echo = c->arg[0];
		term.raw = c->arg[1];
		return kcap_empty_result(c);
	case capos_Terminal_windowSize_METHOD:
		return build_window(c);
	default:
		return build_stats(c);
	}
}

/* The reader leaving: its pending read goes, the input is free again
 * (what it left unread stays for the next reader), the line state too. */
static void terminal_process_exit(struct process *p)
{
	if (kcap_pending_is(&term.read_call, p))
		term.read_call.waiter = 0;
	if (term.reader_pid == p->pid) {
		term.reader_pid = 0;
		term.tail_len = 0;
		update_shared();
		term.echo = true;
		term.raw = false;
		kprintf("terminal: reader pid %u gone; %lu bytes received, %lu overruns\n", p->pid,
		        term.ring.received, term.ring.overruns);
	}
}

static uint64_t terminal_expire(uint64_t now)
{
	if (term.read_call.waiter == 0)
		return UINT64_MAX;
	uint64_t poll = now + TERM_POLL_NS;
	drain_uart();
	if (term.read_call.waiter && now >= term.deadline)
		finish_read(ready_bytes(term.max), true, CAPOS_OK);
	/* A read completed here woke its reader: still say "a deadline is
	 * pending", or the scheduler, finding none, would look for a
	 * deadlock before it sees the reader runnable. */
	if (term.read_call.waiter == 0)
		return poll;
	return term.deadline < poll ? term.deadline : poll;
}

static void terminal_describe_waits(const struct process *p, char *buf, size_t len)
{
	if (kcap_pending_is(&term.read_call, p))
		format_append(buf, len, "; Terminal.read (%u bytes buffered)",
		              byte_ring_count(&term.ring));
}

const struct kcap_type kcap_terminal_type = {
	.kind = KCAP_TERMINAL,
	KCAP_METHODS(terminal_methods),
	.decode = terminal_decode,
	.perform = terminal_perform,
	.drop = 0,            /* static object */
	.transferable = true, /* init passes it on; only the first reader reads */
	.retain = 0,
	.process_exit = terminal_process_exit,
	.expire = terminal_expire,
	.describe_waits = terminal_describe_waits,
	.boot_object = terminal_boot_object_v,
};
