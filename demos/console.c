/*
 * console smoke: Console.write and Console.writeLine through the ring,
 * a long line, an empty line, and typed errors: an over-long line comes
 * back as an application exception (invalidArgument), a bad method or a
 * bad cap id as transport errors.
 *
 * Run by: smokes proc_console, proc_smap_smep
 * (tests/qemu/manifests/NAME.cue); selftests.cue (smoke
 * boot_selftests).
 */
#include "demo.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"

#define LONG_LEN 3000

int main(void)
{
	const struct capos_console *c = &capos_rt.console;
	struct capos_call_error err;
	char msg[160];

	DEMO_CHECK("console", capos_rt.has_console, "the runtime opened the CapSet console\n");
	if (!capos_rt.has_console)
		return 1; /* nothing below can print */

	/* write: raw bytes, no newline added; three writes make one line. */
	int r1 = capos_console_write(c, "[console] write: part one,", 26, &err);
	int r2 = capos_console_write(c, " part two,", 10, &err);
	int r3 = capos_console_write(c, " part three\n", 12, &err);
	DEMO_CHECK("console", r1 == 0 && r2 == 0 && r3 == 0, "write x3 returned %d %d %d\n", r1, r2, r3);

	int r = capos_console_write_line(c, "[console] writeLine: hello", &err);
	DEMO_CHECK("console", r == 0, "writeLine returned %d\n", r);

	/* A long line: 3000 bytes, framed so the smoke can match it exactly. */
	char *line = malloc(LONG_LEN + 1);
	DEMO_CHECK("console", line != NULL, "malloc(%d) for the long line\n", LONG_LEN + 1);
	if (line != NULL) {
		memset(line, 'x', LONG_LEN);
		memcpy(line, "[console] long:", 15);
		memcpy(line + LONG_LEN - 4, ":end", 4);
		line[LONG_LEN] = '\0';
		r = capos_console_write_line(c, line, &err);
		DEMO_CHECK("console", r == 0, "long writeLine (%d bytes) returned %d\n", LONG_LEN, r);
		free(line);
	}

	/* An empty line. */
	capos_console_write_line(c, "[console] before the empty line", NULL);
	r = capos_console_write_line(c, "", &err);
	DEMO_CHECK("console", r == 0, "empty writeLine returned %d\n", r);

	/* Too long for the kernel's Console (4096 bytes): an exception, not a
	 * transport error. */
	size_t big_len = 5000;
	char *big = malloc(big_len);
	if (big != NULL) {
		memset(big, 'y', big_len);
		r = capos_console_write_line_n(c, big, big_len, &err);
		capos_error_format(&err, msg, sizeof(msg));
		DEMO_CHECK("console",
		           r == CAPOS_ERR_APPLICATION_EXCEPTION && err.kind == CAPOS_ERROR_EXCEPTION &&
		                   err.exception_type == capos_CapException_Type_invalidArgument,
		           "5000-byte line refused as %s\n", msg);
		free(big);
	}

	/* Transport errors: unknown method, stale/unknown cap id. */
	uint64_t params[8], result[32];
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof(params));
	capos_Console_writeLine_Params_set_text(capos_Console_writeLine_Params_init_root(&b), "x", 1);
	size_t params_len = 0;
	capnp_builder_finish(&b, &params_len);
	struct capos_call call = {
		.cap_id = c->cap.cap_id,
		.method_id = 9,
		.params = params,
		.params_len = (uint32_t)params_len,
		.result = result,
		.result_cap = sizeof(result),
	};
	r = capos_call(&capos_rt_ring, &call, NULL, &err);
	capos_error_format(&err, msg, sizeof(msg));
	DEMO_CHECK("console", r == CAPOS_ERR_UNKNOWN_METHOD && err.kind == CAPOS_ERROR_TRANSPORT,
	           "method 9 on Console: %s\n", msg);

	struct capos_console bogus = *c;
	bogus.cap.cap_id = 0x7fff1234u;
	r = capos_console_write_line(&bogus, "must not appear", &err);
	capos_error_format(&err, msg, sizeof(msg));
	DEMO_CHECK("console", r == CAPOS_ERR_BAD_CAP && err.kind == CAPOS_ERROR_TRANSPORT,
	           "unknown cap id: %s\n", msg);

	/* printf through the runtime, including a line longer than its stack buffer. */
	r = capos_printf("[console] printf: %d %s %#x\n", 42, "formatted", 0xcafe);
	DEMO_CHECK("console", r == 0, "capos_printf returned %d\n", r);
	return demo_finish("console");
}
