/*
 * Console capability: the serial port, output only.
 *   write @0 (data :Data)     bytes as-is
 *   writeLine @1 (text :Text) text + "\n"
 * At most CONSOLE_MAX_BYTES per call (an invalidArgument exception
 * otherwise) so one call cannot hold the CPU for long: the kernel is not
 * preemptible and serial output is slow under TCG.
 */
#include <capos/abi.h>

#include "arch/x86_64/serial.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "log.h"
#include "registry.h"

#define CONSOLE_MAX_BYTES 4096u

/* The console has no state; every capability points at this object. */
static struct console { int unused; } the_console;

static void *console_boot_object(void) { return &the_console; }

static int console_call(void *object, struct kcap_call *c)
{
	(void)object;
	struct capnp_reader m;
	if (capnp_reader_init(&m, c->params, c->params_len) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	/* Amplification guard: a valid message never reads more words than it has. */
	capnp_reader_set_limits(&m, c->params_len / 8 + 16, 16);

	switch (c->method_id) {
	case capos_Console_write_METHOD: {
		capos_Console_write_Params_reader r = capos_Console_write_Params_read_root(&m);
		struct capnp_data d = capos_Console_write_Params_get_data(r);
		if (capnp_reader_error(&m) != CAPNP_OK)
			return CAPOS_ERR_BAD_MESSAGE;
		if (d.len > CONSOLE_MAX_BYTES)
			return kcap_exception(c, capos_CapException_Type_invalidArgument,
			                      "Console.write: more than 4096 bytes");
		serial_write((const char *)d.ptr, d.len);
		break;
	}
	case capos_Console_writeLine_METHOD: {
		capos_Console_writeLine_Params_reader r = capos_Console_writeLine_Params_read_root(&m);
		struct capnp_text t = capos_Console_writeLine_Params_get_text(r);
		if (capnp_reader_error(&m) != CAPNP_OK)
			return CAPOS_ERR_BAD_MESSAGE;
		if (t.len > CONSOLE_MAX_BYTES)
			return kcap_exception(c, capos_CapException_Type_invalidArgument,
			                      "Console.writeLine: more than 4096 bytes");
		serial_write(t.str, t.len);
		serial_write("\n", 1);
		break;
	}
	default:
		return CAPOS_ERR_UNKNOWN_METHOD;
	}
	return kcap_empty_result(c);
}


const struct kcap_type kcap_console_type = {
	.kind = KCAP_CONSOLE,
	.name = "console",
	.interface_id = capos_Console_ID,
	.call = console_call,
	.drop = 0, /* static object */
	.transferable = true,
	.retain = 0,
	.boot_object = console_boot_object,
};
