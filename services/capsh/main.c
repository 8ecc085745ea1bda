/*
 * capsh: a shell over the capabilities it was granted, and nothing else
 * (docs/terminal.md).  Its manifest grants a Terminal ("terminal"), and
 * usually a ProcessSpawner ("spawner"), a SystemMonitor ("monitor") and a
 * Console ("console", what children get to print with); commands that
 * need a cap the shell lacks say so.
 *
 * The terminal is put in raw mode without echo; line.c edits the line.
 * Reads wait half a second at most so ended background jobs are
 * reported while the shell sits at its prompt.
 *
 * Run by: system-shell.cue (`make shell`; test tests/qemu/shell_pty.sh).
 */
#include "shell.h"

#include "line.h"

#define SH_POLL_NS 500000000ull

static uint32_t terminal_cap;

const struct capos_capset_entry *sh_cap(const char *name)
{
	for (uint32_t i = 0; i < capos_rt.capset.count; i++) {
		const struct capos_capset_entry *e = capos_capset_at(&capos_rt.capset, i);
		if (e && strncmp(e->name, name, sizeof e->name) == 0)
			return e;
	}
	return 0;
}

int sh_call(uint32_t cap, uint16_t method, const void *params, uint32_t params_len, void *result,
            uint32_t result_cap, struct capos_reply *reply, struct capos_call_error *err)
{
	/* clang-format off */
	struct capos_call c = {.cap_id = cap, .method_id = method, .params = params,
	                       .params_len = params_len, .result = result, .result_cap = result_cap};
	/* clang-format on */
	return capos_call(&capos_rt_ring, &c, reply, err);
}

int sh_call0(uint32_t cap, uint16_t method, void *result, uint32_t result_cap,
             struct capos_reply *reply, struct capos_call_error *err)
{
	static uint64_t params[4];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessHandle_wait_Params_init_root(&b); /* any empty struct */
	capnp_builder_finish(&b, &len);
	return sh_call(cap, method, params, (uint32_t)len, result, result_cap, reply, err);
}

void sh_write(const char *s, size_t n)
{
	static uint64_t params[(4096 + 64) / 8], result[64];
	while (n > 0) {
		size_t chunk = n > 4096 ? 4096 : n;
		struct capnp_builder b;
		size_t len = 0;
		capnp_builder_init(&b, params, sizeof params);
		capos_Terminal_write_Params_builder p = capos_Terminal_write_Params_init_root(&b);
		capos_Terminal_write_Params_set_data(p, s, chunk);
		if (capnp_builder_finish(&b, &len) != CAPNP_OK)
			return;
		if (sh_call(terminal_cap, capos_Terminal_write_METHOD, params, (uint32_t)len, result,
		            sizeof result, 0, 0) < 0)
			return;
		s += chunk;
		n -= chunk;
	}
}

void sh_printf(const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = capos_vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	sh_write(buf, (size_t)n < sizeof buf ? (size_t)n : sizeof buf - 1);
}

void sh_error(const char *what, const struct capos_call_error *err)
{
	char why[200];
	capos_error_format(err, why, sizeof why);
	sh_printf("capsh: %s: %s\n", what, why);
}

int sh_read(uint8_t *buf, uint32_t max, uint64_t timeout_ns)
{
	static uint64_t params[8], result[(4096 + 64) / 8];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_Terminal_read_Params_builder p = capos_Terminal_read_Params_init_root(&b);
	capos_Terminal_read_Params_set_max(p, max);
	capos_Terminal_read_Params_set_timeoutNs(p, timeout_ns);
	capnp_builder_finish(&b, &len);
	struct capos_reply reply;
	struct capos_call_error err;
	if (sh_call(terminal_cap, capos_Terminal_read_METHOD, params, (uint32_t)len, result,
	            sizeof result, &reply, &err) < 0) {
		sh_error("Terminal.read", &err);
		return -1;
	}
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	struct capnp_data d =
		capos_Terminal_read_Results_get_data(capos_Terminal_read_Results_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK || d.len > max)
		return -1;
	memcpy(buf, d.ptr, d.len);
	return (int)d.len;
}

static int set_mode(bool echo, bool raw)
{
	static uint64_t params[8], result[8];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_Terminal_setMode_Params_builder p = capos_Terminal_setMode_Params_init_root(&b);
	capos_Terminal_setMode_Params_set_echo(p, echo);
	capos_Terminal_setMode_Params_set_raw(p, raw);
	capnp_builder_finish(&b, &len);
	return sh_call(terminal_cap, capos_Terminal_setMode_METHOD, params, (uint32_t)len, result,
	               sizeof result, 0, 0);
}

static void editor_out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	sh_write(s, n);
}

static struct line_editor editor;

/* The line loop; returns when the shell leaves. */
static void repl(void)
{
	uint8_t in[256];
	line_start(&editor);
	for (;;) {
		int n = sh_read(in, sizeof in, SH_POLL_NS);
		if (n < 0)
			return;
		if (n == 0) {
			jobs_reap();
			continue;
		}
		for (int i = 0; i < n; i++) {
			enum line_event ev = line_feed(&editor, in[i]);
			if (ev == LINE_EOF)
				return;
			if (ev == LINE_NONE)
				continue;
			if (ev == LINE_DONE && editor.too_long)
				sh_printf("capsh: line longer than %u bytes: ignored\n",
				          LINE_MAX_BYTES - 1);
			else if (ev == LINE_DONE && sh_run(editor.buf))
				return;
			jobs_reap();
			line_start(&editor);
		}
	}
}

int main(void)
{
	const struct capos_capset_entry *t =
		capos_capset_find(&capos_rt.capset, "terminal", capos_Terminal_ID);
	if (t == 0) {
		capos_printf("[capsh] no Terminal 'terminal' in my CapSet: nothing to read from\n");
		return 1;
	}
	terminal_cap = t->cap_id;
	if (set_mode(false, true) < 0) {
		capos_printf("[capsh] Terminal.setMode refused\n");
		return 1;
	}
	line_init(&editor, "capsh> ", editor_out, 0);
	sh_printf("capsh: %u capabilities held; 'help' lists the commands, Ctrl-D leaves\n",
	          capos_rt.capset.count);
	repl();
	jobs_kill_all();
	sh_printf("capsh: bye (%lu input bytes ignored)\n", (unsigned long)editor.dropped);
	set_mode(true, false);
	return 0;
}
