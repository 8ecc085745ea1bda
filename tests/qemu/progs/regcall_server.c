/*
 * regcall_server: the server of smoke ipc_register (see regcall_client.c
 * and regcall_victim.c for the sequence).  One thread serves both kinds
 * of call on one endpoint: register calls with ipc_recv / ipc_reply_recv,
 * and, whenever ipc_recv says ring work waits (CAPOS_IPC_RING_WORK), one
 * ring call through the runtime's ring loop.
 *
 * Run by: smoke ipc_register (tests/qemu/manifests/ipc_register.cue).
 */
#include <capos/endpoint.h>
#include <capos/ipc.h>
#include <capos/server.h>
#include <capos/syscall.h>

#include "demo.h"
#include "regcall_proto.h"

#define ME "regcall_server"

static struct capos_cap ep;
static uint32_t victim = 0; /* the victim's facet (RCR_GIVE) */
static bool victim_done;
static uint64_t echoes, whoami_minted, ring_calls;

static int mint(struct capos_server_reply *reply)
{
	struct capos_cap facet;
	int e = capos_endpoint_mint(&ep, RC_BADGE, 0, false, &facet, NULL);
	DEMO_CHECK(ME, e == 0, "minted a facet with badge %u: %s\n", RC_BADGE, capos_strerror(e));
	if (e)
		return capos_server_exception(reply, capos_CapException_Type_failed, "mint failed");
	reply->len = 0;
	reply->xfer[0] = capos_xfer_move(facet.cap_id);
	reply->xfer_count = 1;
	return CAPOS_SERVER_STOP;
}

/* One ring call, then back to register calls (CAPOS_SERVER_STOP). */
static int ring_call(void *ctx, const struct capos_server_call *call,
                     struct capos_server_reply *reply)
{
	(void)ctx;
	ring_calls++;
	switch (call->method_id) {
	case RCR_ECHO:
		memcpy(reply->buf, call->params, call->params_len);
		reply->len = call->params_len;
		return CAPOS_SERVER_STOP;
	case RCR_MINT:
		return mint(reply);
	case RCR_GIVE:
		if (call->cap_count == 1)
			victim = call->caps[0].cap_id;
		DEMO_CHECK(ME, victim != 0, "the victim's facet came with a ring call\n");
		reply->len = 0;
		return CAPOS_SERVER_STOP;
	default:
		capos_server_exception(reply, capos_CapException_Type_unimplemented, "no");
		return CAPOS_SERVER_STOP;
	}
}

static int ring_release(void *ctx, uint64_t badge)
{
	(void)ctx;
	(void)badge;
	return CAPOS_SERVER_STOP;
}

/* RC_HOLD: with the victim's call held, call the victim back; the victim
 * exits instead of answering, so both the call back and (in main) the
 * reply to the held call end DISCONNECTED. */
static void hold(void)
{
	struct capos_ipc_msg m = {RC_HOLD, {0}};
	int64_t r = victim ? capos_ipc_call(victim, &m) : CAPOS_ERR_BAD_CAP;
	DEMO_CHECK(ME, r == CAPOS_ERR_DISCONNECTED,
	           "holding the victim's call, called it back: %s (it exited)\n",
	           capos_strerror((int)r));
}

/* Answers call m (label, words) in place. */
static void answer(uint64_t badge, uint16_t flags, struct capos_ipc_msg *m)
{
	switch (m->label) {
	case RC_ECHO:
		echoes++;
		m->label++;
		for (unsigned i = 0; i < CAPOS_IPC_WORDS; i++)
			m->w[i] = rc_echo_word(m->w[i], badge);
		break;
	case RC_WHOAMI:
		m->w[0] = badge;
		m->w[1] = flags;
		whoami_minted += badge == RC_BADGE && (flags & CAPOS_MSG_F_MINTED);
		break;
	case RC_STATE:
		m->w[0] = victim_done;
		break;
	case RC_DIE:
		DEMO_CHECK(ME, echoes >= 2000 && whoami_minted == 10 && ring_calls >= 200,
		           "%s echoes, %s whoami through the minted facet, %s ring calls\n",
		           echoes >= 2000 ? ">= 2000" : "too few", whoami_minted == 10 ? "10" : "not 10",
		           ring_calls >= 200 ? ">= 200" : "too few");
		capos_printf("[" ME "] exiting with a register call held\n");
		capos_exit(demo_finish(ME));
	default:
		m->label = 0;
		break;
	}
}

int main(void)
{
	if (capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) != 0)
		return 1;
	struct capos_ipc_msg m = {0};
	uint64_t badge = 0;
	int64_t r = capos_ipc_recv(ep.cap_id, &badge, &m);
	for (;;) {
		if (r == CAPOS_IPC_RING_WORK) {
			struct capos_server_stats st = {0};
			capos_server_run_releases(&capos_rt_ring, ep.cap_id, ring_call, ring_release,
			                          NULL, &st);
			r = capos_ipc_recv(ep.cap_id, &badge, &m);
			continue;
		}
		if (r < 0)
			break;
		bool held = m.label == RC_HOLD;
		if (held)
			hold();
		answer(badge, (uint16_t)r, &m);
		r = capos_ipc_reply_recv(ep.cap_id, &badge, &m);
		if (held) {
			DEMO_CHECK(ME, r == CAPOS_ERR_DISCONNECTED,
			           "reply to the victim's held call: %s (caller gone)\n",
			           capos_strerror((int)r));
			victim_done = true;
			r = capos_ipc_recv(ep.cap_id, &badge, &m);
		}
	}
	capos_printf("[" ME "] FAIL: the loop ended (%s) before RC_DIE\n", capos_strerror((int)r));
	return 1;
}
