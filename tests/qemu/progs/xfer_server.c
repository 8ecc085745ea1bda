/*
 * xfer_server: a test service for capability transfer (it exports its
 * endpoint to the client).  Every method takes and returns one Text
 * (Echo encoding); the methods are this demo's own ordinals:
 *   USE   (100) a Console comes with the call: write the text through it,
 *               then release it
 *   GIVE  (101) reply with a copy of the server's own Console
 *   KEEP  (103) keep the capability that comes with the call as "spare"
 *   TAKE  (102) move the spare back to the caller (if the caller's table
 *               is full the transfer rolls back and the caller gets an
 *               exception: the server still holds the spare)
 *   CHECK (104) write the text through the spare; also checks that a RETURN
 *               to an already answered call is refused
 * It exits when no client is left.
 *
 * Run by: smokes xfer_copy_move, xfer_hostile
 * (tests/qemu/manifests/NAME.cue).
 */
#include "demo.h"
#include "echo_proto.h"

enum { USE = 100,
       GIVE = 101,
       TAKE = 102,
       KEEP = 103,
       CHECK = 104 };

static struct capos_cap spare;
static uint32_t last_call_id;
static uint32_t ep_id;

static int say(struct capos_server_reply *r, const char *text)
{
	r->len = echo_encode_results(r->buf, r->cap, text, strlen(text));
	return CAPOS_SERVER_REPLY;
}

static int return_raw(uint32_t call_id)
{
	struct capos_sqe sqe = {0};
	struct capos_cqe cqe;
	sqe.opcode = CAPOS_OP_RETURN;
	sqe.cap_id = ep_id;
	sqe.call_id = call_id;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	return cqe.result;
}

static int handle(void *ctx, const struct capos_server_call *call, struct capos_server_reply *r)
{
	(void)ctx;
	struct capnp_text t;
	if (echo_decode_text(call->params, call->params_len, &t) != 0)
		return capos_server_exception(r, capos_CapException_Type_invalidArgument, "bad params");
	char text[128];
	size_t n = t.len < sizeof text - 1 ? t.len : sizeof text - 1;
	memcpy(text, t.str, n);
	text[n] = 0;
	int verdict = CAPOS_SERVER_REPLY;
	switch (call->method_id) {
	case USE: {
		struct capos_cap c;
		struct capos_console con;
		if (call->cap_count != 1 || capos_cap_adopt(&call->caps[0], capos_Console_ID, &c) != 0)
			return capos_server_exception(r, capos_CapException_Type_invalidArgument,
			                              "USE wants one Console");
		capos_console_from_cap(&con, &capos_rt_ring, c);
		int e = capos_console_printf(&con, "[xfer_server] through the caller's console: %s\n",
		                             text);
		capos_cap_drop(&c);
		int failed = capos_flush_releases();
		DEMO_CHECK("xfer_server", e == 0 && failed == 0,
		           "used a received Console (slot %x) and released it\n", c.cap_id);
		verdict = say(r, "used");
		break;
	}
	case GIVE:
		r->xfer[0] = capos_xfer_copy(capos_rt.console.cap.cap_id);
		r->xfer_count = 1;
		verdict = say(r, "given");
		break;
	case KEEP:
		if (call->cap_count != 1 || spare.valid ||
		    capos_cap_adopt(&call->caps[0], capos_Console_ID, &spare) != 0)
			return capos_server_exception(r, capos_CapException_Type_invalidArgument,
			                              "KEEP wants one Console and no spare held");
		verdict = say(r, "kept");
		break;
	case TAKE:
		if (!spare.valid)
			return capos_server_exception(r, capos_CapException_Type_failed, "no spare");
		r->xfer[0] = capos_xfer_move(spare.cap_id);
		r->xfer_count = 1;
		verdict = say(r, "taken");
		break;
	case CHECK: {
		int e = return_raw(last_call_id);
		DEMO_CHECK("xfer_server", e == CAPOS_ERR_BAD_CALL_ID,
		           "RETURN to an answered call: %s\n", capos_strerror(e));
		e = return_raw(call->call_id ^ 0x100u); /* right slot, wrong generation */
		DEMO_CHECK("xfer_server", e == CAPOS_ERR_BAD_CALL_ID,
		           "RETURN with a forged call id: %s\n", capos_strerror(e));
		struct capos_console con;
		e = spare.valid ? capos_console_from_cap(&con, &capos_rt_ring, spare) : -1;
		if (e == 0)
			e = capos_console_printf(&con, "[xfer_server] through the spare: %s\n", text);
		if (e != 0)
			return capos_server_exception(r, capos_CapException_Type_failed,
			                              "spare not usable");
		verdict = say(r, "checked");
		break;
	}
	default:
		return capos_server_exception(r, capos_CapException_Type_unimplemented, "no such method");
	}
	last_call_id = call->call_id;
	return verdict;
}

int main(void)
{
	struct capos_cap ep;
	DEMO_CHECK("xfer_server", capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) == 0,
	           "owns its endpoint\n");
	ep_id = ep.cap_id;
	struct capos_server_stats st;
	int err = capos_server_run(&capos_rt_ring, ep.cap_id, handle, NULL, &st);
	DEMO_CHECK("xfer_server", err == 0,
	           "served %lu calls, %lu caps received, %lu transfer fallbacks (%s)\n",
	           (unsigned long)st.calls, (unsigned long)st.caps_received,
	           (unsigned long)st.xfer_fallbacks, capos_strerror(err));
	capos_cap_drop(&spare);
	return demo_finish("xfer_server");
}
