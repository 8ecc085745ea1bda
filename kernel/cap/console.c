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
#include "cap/terminal.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "log.h"
#include "registry.h"

#define CONSOLE_MAX_BYTES 4096u

/* The console has no state; every capability points at this object. */
static struct console {
	int unused;
} the_console;

static void *console_boot_object(void) { return &the_console; }

static const struct kcall_method console_methods[] = {
	{capos_Console_write_METHOD, "write", {KCALL_FLAT(capos_Console_write_Results), 0}},
	{capos_Console_writeLine_METHOD, "writeLine", {KCALL_FLAT(capos_Console_writeLine_Results), 0}},
};

/* The bytes to write into c->data/data_len; arg[0] = 1 adds a newline. */
static int console_decode(void *object, struct kcap_call *c)
{
	(void)object;
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (c->method_id == capos_Console_write_METHOD) {
		struct capnp_data d =
			capos_Console_write_Params_get_data(capos_Console_write_Params_read_root(&m));
		c->data = d.ptr;
		c->data_len = (uint32_t)d.len;
		c->arg[0] = 0;
	} else {
		struct capnp_text t = capos_Console_writeLine_Params_get_text(
			capos_Console_writeLine_Params_read_root(&m));
		c->data = t.str;
		c->data_len = (uint32_t)t.len;
		c->arg[0] = 1;
	}
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (c->data_len > CONSOLE_MAX_BYTES)
		return kcap_exception(c, capos_CapException_Type_invalidArgument,
		                      c->arg[0] ? "Console.writeLine: more than 4096 bytes"
		                                : "Console.write: more than 4096 bytes");
	return CAPOS_OK;
}

static int console_perform(void *object, struct kcap_call *c)
{
	(void)object;
	void (*write)(const char *, size_t) = terminal_line_shared ? terminal_foreign_write : serial_write;
	write((const char *)c->data, c->data_len);
	if (c->arg[0])
		write("\n", 1);
	return kcap_empty_result(c);
}

const struct kcap_type kcap_console_type = {
	.kind = KCAP_CONSOLE,
	KCAP_METHODS(console_methods),
	.decode = console_decode,
	.perform = console_perform,
	.drop = 0, /* static object */
	.transferable = true,
	.retain = 0,
	.boot_object = console_boot_object,
};
