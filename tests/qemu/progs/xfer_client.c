/*
 * xfer_client: capability transfer through xfer_server (it imports
 * xfer_server's exported endpoint): copy (the sender keeps its slot), a
 * result capability adopted as a typed handle and used,
 * move (the sender's slot is gone), the moved capability used by its
 * receiver, and release of owned handles through the runtime's queue.
 *
 * Run by: smoke xfer_copy_move (tests/qemu/manifests/xfer_copy_move.cue).
 */
#include "demo.h"
#include "echo_proto.h"

enum { USE = 100,
       GIVE = 101,
       TAKE = 102,
       KEEP = 103,
       CHECK = 104 };

int main(void)
{
	struct capos_cap ep;
	char out[64];
	struct capos_call_error err;
	struct capos_reply reply;
	DEMO_CHECK("xfer_client", capos_endpoint_open(&capos_rt.capset, "xfer_server", &ep) == 0,
	           "has a client facet 'xfer_server'\n");
	uint32_t console = capos_rt.console.cap.cap_id;

	/* Copy: the server uses our Console; we keep ours. */
	struct capos_xfer_desc d = capos_xfer_copy(console);
	int e = echo_call(&ep, USE, "copied", &d, 1, out, sizeof out, NULL, &err);
	DEMO_CHECK("xfer_client", e == 0 && strcmp(out, "used") == 0, "copy: server says %s\n",
	           e == 0 ? out : capos_strerror(e));
	DEMO_CHECK("xfer_client", capos_puts("[xfer_client] still printing through its own console") == 0,
	           "copy kept the sender's slot\n");

	/* A result capability, adopted as a typed Console handle. */
	e = echo_call(&ep, GIVE, "", NULL, 0, out, sizeof out, &reply, &err);
	struct capos_cap given = {0};
	DEMO_CHECK("xfer_client",
	           e == 0 && reply.cap_count == 1 && reply.caps[0].interface_id == capos_Console_ID &&
	                   capos_cap_adopt(&reply.caps[0], capos_Console_ID, &given) == 0,
	           "result cap: slot %x, interface Console\n", e == 0 && reply.cap_count ? reply.caps[0].cap_id : 0);
	struct capos_console con;
	e = capos_console_from_cap(&con, &capos_rt_ring, given);
	if (e == 0)
		e = capos_console_write_line(&con, "[xfer_client] a line through the received console", &err);
	DEMO_CHECK("xfer_client", e == 0, "used the received Console\n");

	/* Move it to the server: our slot goes away. */
	d = capos_xfer_move(given.cap_id);
	e = echo_call(&ep, KEEP, "", &d, 1, out, sizeof out, NULL, &err);
	DEMO_CHECK("xfer_client", e == 0 && strcmp(out, "kept") == 0, "move: server says %s\n",
	           e == 0 ? out : capos_strerror(e));
	e = capos_console_write_line(&con, "must not appear", &err);
	DEMO_CHECK("xfer_client", e == CAPOS_ERR_BAD_CAP, "moved slot is gone: %s\n",
	           capos_strerror(e));
	given.valid = false; /* nothing to release: it moved */

	/* The receiver uses the moved capability. */
	e = echo_call(&ep, CHECK, "moved here", NULL, 0, out, sizeof out, NULL, &err);
	DEMO_CHECK("xfer_client", e == 0 && strcmp(out, "checked") == 0, "server used the moved cap\n");

	/* Move it back (TAKE), then release it through the runtime queue. */
	e = echo_call(&ep, TAKE, "", NULL, 0, out, sizeof out, &reply, &err);
	struct capos_cap back = {0};
	DEMO_CHECK("xfer_client",
	           e == 0 && reply.cap_count == 1 &&
	                   capos_cap_adopt(&reply.caps[0], capos_Console_ID, &back) == 0,
	           "moved back to us: slot %x\n", back.cap_id);
	uint64_t released = capos_rt_releases.released;
	uint32_t back_id = back.cap_id;
	capos_cap_drop(&back);
	DEMO_CHECK("xfer_client", capos_rt_releases.count == 1, "drop queued one release\n");
	int failed = capos_flush_releases();
	DEMO_CHECK("xfer_client", failed == 0 && capos_rt_releases.released == released + 1,
	           "flush released it\n");
	back.cap_id = back_id;
	back.valid = true;
	capos_console_from_cap(&con, &capos_rt_ring, back);
	e = capos_console_write_line(&con, "must not appear", &err);
	DEMO_CHECK("xfer_client", e == CAPOS_ERR_BAD_CAP, "released slot is stale: %s\n",
	           capos_strerror(e));
	return demo_finish("xfer_client");
}
