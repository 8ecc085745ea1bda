/*
 * xfer_hostile: hostile transfer descriptors against xfer_server (it
 * imports xfer_server's exported endpoint).  Each refused CALL must leave
 * the sender's table as it was; then the receiver's table is
 * filled and a move into it must roll back (the server keeps the
 * capability), and every slot this client took is released again.
 *
 * Run by: smoke xfer_hostile (tests/qemu/manifests/xfer_hostile.cue).
 */
#include <capos/limits.h>

#include "demo.h"
#include "echo_proto.h"

enum { USE = 100,
       GIVE = 101,
       TAKE = 102,
       KEEP = 103,
       CHECK = 104 };

static struct capos_cap ep;

/* A raw CALL on the endpoint with params followed by n descriptors. */
static int raw_call(const struct capos_xfer_desc *d, unsigned n, uint64_t addr_override)
{
	static uint64_t buf[64], result[64];
	uint32_t len = echo_encode_params(buf, 256, "x", 1);
	memcpy((uint8_t *)buf + capos_align8(len), d, n * sizeof(*d));
	struct capos_sqe sqe = {0};
	struct capos_cqe cqe;
	sqe.opcode = CAPOS_OP_CALL;
	sqe.cap_id = ep.cap_id;
	sqe.method_id = USE;
	sqe.xfer_cap_count = (uint8_t)n;
	sqe.addr = addr_override ? addr_override : (uint64_t)(uintptr_t)buf;
	sqe.len = addr_override ? 0 : len;
	sqe.result_addr = (uint64_t)(uintptr_t)result;
	sqe.result_len = sizeof result;
	capos_ring_submit_wait(&capos_rt_ring, &sqe, &cqe);
	return cqe.result;
}

static bool console_works(void)
{
	return capos_puts("[xfer_hostile] console still works") == 0;
}

int main(void)
{
	DEMO_CHECK("xfer_hostile", capos_endpoint_open(&capos_rt.capset, "xfer_server", &ep) == 0,
	           "has a client facet 'xfer_server'\n");
	uint32_t console = capos_rt.console.cap.cap_id;
	struct capos_xfer_desc d[CAPOS_XFER_MAX + 1];

	d[0] = capos_xfer_copy(0x3ffu | (7u << 10)); /* a slot we do not hold */
	int e = raw_call(d, 1, 0);
	DEMO_CHECK("xfer_hostile", e == CAPOS_ERR_BAD_TRANSFER, "slot not held: %s\n",
	           capos_strerror(e));
	d[0] = capos_xfer_move(console);
	d[1] = capos_xfer_move(console);
	e = raw_call(d, 2, 0);
	DEMO_CHECK("xfer_hostile", e == CAPOS_ERR_BAD_TRANSFER && console_works(),
	           "double move in one CALL: %s, slot kept\n", capos_strerror(e));
	d[0] = capos_xfer_copy(console);
	d[1] = capos_xfer_move(console);
	e = raw_call(d, 2, 0);
	DEMO_CHECK("xfer_hostile", e == CAPOS_ERR_BAD_TRANSFER && console_works(),
	           "copy + move of one slot: %s, slot kept\n", capos_strerror(e));
	d[0] = capos_xfer_move(console);
	d[1] = capos_xfer_copy(0x3ffu | (7u << 10));
	e = raw_call(d, 2, 0);
	DEMO_CHECK("xfer_hostile", e == CAPOS_ERR_BAD_TRANSFER && console_works(),
	           "good move + bad copy: %s, move rolled back\n", capos_strerror(e));
	d[0] = (struct capos_xfer_desc){console, 7, 0};
	e = raw_call(d, 1, 0);
	DEMO_CHECK("xfer_hostile", e == CAPOS_ERR_BAD_TRANSFER, "unknown mode: %s\n",
	           capos_strerror(e));
	d[0] = (struct capos_xfer_desc){console, CAPOS_XFER_COPY, 5};
	e = raw_call(d, 1, 0);
	DEMO_CHECK("xfer_hostile", e == CAPOS_ERR_BAD_TRANSFER, "badge set: %s\n",
	           capos_strerror(e));
	for (unsigned i = 0; i <= CAPOS_XFER_MAX; i++)
		d[i] = capos_xfer_copy(console);
	e = raw_call(d, CAPOS_XFER_MAX + 1, 0);
	DEMO_CHECK("xfer_hostile", e == CAPOS_ERR_BAD_TRANSFER, "%u descriptors: %s\n",
	           CAPOS_XFER_MAX + 1, capos_strerror(e));
	d[0] = capos_xfer_copy(console);
	e = raw_call(d, 1, 0x1000); /* descriptors on an unmapped page */
	DEMO_CHECK("xfer_hostile", e == CAPOS_ERR_BAD_BUFFER, "unmapped descriptors: %s\n",
	           capos_strerror(e));

	/* A capability whose kind may not leave its table (FrameAllocator: its
	 * grants are charged to the holder): copy and move both refused. */
	const struct capos_capset_entry *fa =
		capos_capset_find(&capos_rt.capset, "frames", capos_FrameAllocator_ID);
	DEMO_CHECK("xfer_hostile", fa != NULL, "holds a FrameAllocator 'frames'\n");
	if (fa != NULL) {
		d[0] = capos_xfer_copy(fa->cap_id);
		int c = raw_call(d, 1, 0);
		d[0] = capos_xfer_move(fa->cap_id);
		int m = raw_call(d, 1, 0);
		DEMO_CHECK("xfer_hostile", c == CAPOS_ERR_NOT_PERMITTED && m == CAPOS_ERR_NOT_PERMITTED,
		           "non-transferable cap: copy %s, move %s\n", capos_strerror(c),
		           capos_strerror(m));
	}

	/* Give the server a spare, then fill our own table with copies of the
	 * server's Console and ask for the spare: the move cannot land. */
	char out[64];
	struct capos_call_error err;
	struct capos_reply reply;
	e = echo_call(&ep, GIVE, "", NULL, 0, out, sizeof out, &reply, &err);
	struct capos_cap first = {0};
	if (e == 0 && reply.cap_count == 1)
		capos_cap_adopt(&reply.caps[0], capos_Console_ID, &first);
	d[0] = capos_xfer_move(first.cap_id);
	e = echo_call(&ep, KEEP, "", d, 1, out, sizeof out, NULL, &err);
	DEMO_CHECK("xfer_hostile", e == 0, "server keeps a spare: %s\n", capos_strerror(e));
	first.valid = false;

	/* The table grows a frame at a time up to the process's quota: this
	 * holds more than 10,000 capabilities before it is full. */
	static struct capos_cap copies[CAPOS_PROC_CAP_QUOTA];
	unsigned got = 0;
	for (; got < CAPOS_PROC_CAP_QUOTA; got++) {
		e = echo_call(&ep, GIVE, "", NULL, 0, out, sizeof out, &reply, &err);
		if (e != 0 || reply.cap_count != 1 ||
		    capos_cap_adopt(&reply.caps[0], capos_Console_ID, &copies[got]) != 0)
			break;
	}
	DEMO_CHECK("xfer_hostile",
	           got > 10000 && got < CAPOS_PROC_CAP_QUOTA && e == CAPOS_ERR_APPLICATION_EXCEPTION &&
	                   err.exception_type == capos_CapException_Type_failed,
	           "table full after %u received caps: %s\n", got, err.message);
	e = echo_call(&ep, TAKE, "", NULL, 0, out, sizeof out, &reply, &err);
	DEMO_CHECK("xfer_hostile", e == CAPOS_ERR_APPLICATION_EXCEPTION,
	           "move into a full table refused: %s\n", err.message);
	e = echo_call(&ep, CHECK, "still mine after the failed move", NULL, 0, out, sizeof out,
	              NULL, &err);
	DEMO_CHECK("xfer_hostile", e == 0, "move rolled back: the server still holds the spare\n");

	for (unsigned i = 0; i < got; i++)
		capos_cap_drop(&copies[i]);
	int failed = capos_flush_releases();
	DEMO_CHECK("xfer_hostile", failed == 0, "released %u caps (%lu released in total)\n", got,
	           (unsigned long)capos_rt_releases.released);
	e = echo_call(&ep, TAKE, "", NULL, 0, out, sizeof out, &reply, &err);
	struct capos_cap back = {0};
	DEMO_CHECK("xfer_hostile",
	           e == 0 && reply.cap_count == 1 &&
	                   capos_cap_adopt(&reply.caps[0], capos_Console_ID, &back) == 0,
	           "after the release the spare moves in: %s\n", capos_strerror(e));
	capos_cap_drop(&back);
	capos_flush_releases();
	return demo_finish("xfer_hostile");
}
