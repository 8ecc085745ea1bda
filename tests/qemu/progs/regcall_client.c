/*
 * regcall_client: the caller of smoke ipc_register (register calls,
 * docs/ipc.md "Register calls"):
 *   1. 2000 register echo calls, label and words of each reply checked
 *      exactly (the server transforms them with the call's badge);
 *   2. a facet minted for it (a ring call whose reply carries it), then
 *      10 register whoami calls through it: badge 77 and MINTED;
 *   3. a second thread makes 200 ring echo calls while this one makes
 *      200 register echo calls on the same endpoint, every answer checked
 *      (the server's ipc_recv is told of ring work between them);
 *   4. hostile arguments: each refused with its typed error;
 *   5. once the victim's part is over (regcall_victim), RC_DIE: the
 *      server exits holding the call: DISCONNECTED, and a later call
 *      DISCONNECTED at once.
 *
 * Run by: smoke ipc_register (tests/qemu/manifests/ipc_register.cue).
 */
#include <capos/endpoint.h>
#include <capos/ipc.h>
#include <capos/syscall.h>
#include <capos/thread.h>

#include "demo.h"
#include "regcall_proto.h"

#define ME "regcall_client"

static struct capos_cap ep;

/* One register echo through cap with the words made from i; true when
 * the reply is exactly what the server computes with badge. */
static bool reg_echo(uint32_t cap, uint64_t i, uint64_t badge)
{
	struct capos_ipc_msg m = {RC_ECHO, {i, ~i, i * 0x9e3779b97f4a7c15ull, 0x7265677331ull}};
	struct capos_ipc_msg want = m;
	want.label = RC_ECHO + 1;
	for (unsigned k = 0; k < CAPOS_IPC_WORDS; k++)
		want.w[k] = rc_echo_word(m.w[k], badge);
	if (capos_ipc_call(cap, &m) != 0)
		return false;
	return memcmp(&m, &want, sizeof m) == 0;
}

static uint64_t whoami(uint32_t cap, uint64_t *flags)
{
	struct capos_ipc_msg m = {RC_WHOAMI, {0}};
	if (capos_ipc_call(cap, &m) != 0)
		return UINT64_MAX;
	*flags = m.w[1];
	return m.w[0];
}

static int64_t ring_echoes(void *arg)
{
	(void)arg;
	unsigned bad = 0;
	for (uint64_t i = 0; i < 200; i++) {
		uint64_t msg[3] = {i, ~i, 0x72696e67ull}, out[3] = {0};
		struct capos_endpoint_call c = {.method_id = RCR_ECHO,
		                                .params = msg,
		                                .params_len = sizeof msg,
		                                .result = out,
		                                .result_cap = sizeof out};
		struct capos_reply reply;
		int e = capos_endpoint_call(&ep, &c, &reply, NULL);
		bad += e != 0 || reply.result_len != sizeof msg || memcmp(msg, out, sizeof msg) != 0;
	}
	return bad;
}

static void mixed(uint64_t badge)
{
	struct capos_thread t;
	int e = capos_thread_spawn(&t, ring_echoes, NULL, 0, NULL);
	DEMO_CHECK(ME, e == 0, "a thread for ring calls: %s\n", capos_strerror(e));
	unsigned bad = 0;
	for (uint64_t i = 0; i < 200; i++)
		bad += !reg_echo(ep.cap_id, i + 5000, badge);
	int64_t ring_bad = -1;
	if (e == 0)
		capos_thread_join(&t, &ring_bad, NULL);
	DEMO_CHECK(ME, bad == 0 && ring_bad == 0,
	           "200 register and 200 ring echo calls at once on one endpoint: %u + %ld bad\n", bad,
	           (long)ring_bad);
}

static int64_t raw(uint64_t nr, uint64_t cap)
{
	uint64_t rax = nr;
	/* clang-format off */
	__asm__ volatile("syscall" : "+a"(rax), "+D"(cap) : : "rcx", "r11", "rsi", "rdx", "r8",
	                 "r9", "r10", "memory");
	/* clang-format on */
	return (int64_t)rax;
}

static void hostile(void)
{
	struct capos_ipc_msg m = {RC_ECHO, {0}};
	int64_t r = capos_ipc_call(0xffffffffu, &m);
	DEMO_CHECK(ME, r == CAPOS_ERR_BAD_CAP, "ipc_call on no capability: %s\n",
	           capos_strerror((int)r));
	r = raw(CAPOS_SYS_IPC_CALL, (1ull << 40) | ep.cap_id);
	DEMO_CHECK(ME, r == CAPOS_ERR_BAD_CAP, "ipc_call with high cap id bits: %s\n",
	           capos_strerror((int)r));
	const struct capos_capset_entry *console = capos_capset_find(&capos_rt.capset, "console", capos_Console_ID);
	r = capos_ipc_call(console ? console->cap_id : 0, &m);
	DEMO_CHECK(ME, r == CAPOS_ERR_NOT_PERMITTED, "ipc_call on the Console: %s\n",
	           capos_strerror((int)r));
	r = capos_ipc_recv(ep.cap_id, NULL, &m);
	DEMO_CHECK(ME, r == CAPOS_ERR_NOT_PERMITTED, "ipc_recv on a client facet: %s\n",
	           capos_strerror((int)r));
	r = capos_ipc_reply_recv(ep.cap_id, NULL, &m);
	DEMO_CHECK(ME, r == CAPOS_ERR_NOT_PERMITTED, "ipc_reply_recv on a client facet: %s\n",
	           capos_strerror((int)r));
	r = raw(CAPOS_SYS_IPC_REPLY_RECV + 100, ep.cap_id);
	DEMO_CHECK(ME, r == CAPOS_ERR_INVALID_ARGUMENT, "an unknown system call: %s\n",
	           capos_strerror((int)r));
	DEMO_CHECK(ME, reg_echo(ep.cap_id, 1, 0), "an echo after them\n");
}

int main(void)
{
	if (capos_endpoint_open(&capos_rt.capset, "regcall_server", &ep) != 0)
		return 1;
	uint64_t flags = 0, badge = whoami(ep.cap_id, &flags);
	unsigned bad = 0;
	for (uint64_t i = 0; i < 2000; i++)
		bad += !reg_echo(ep.cap_id, i, badge);
	DEMO_CHECK(ME, bad == 0, "2000 register echo calls, label and words exact: %u bad\n", bad);

	uint64_t out[4];
	struct capos_endpoint_call c = {.method_id = RCR_MINT, .result = out, .result_cap = sizeof out};
	struct capos_reply reply;
	int e = capos_endpoint_call(&ep, &c, &reply, NULL);
	DEMO_CHECK(ME, e == 0 && reply.cap_count == 1, "a facet minted for it: %s, %u caps\n",
	           capos_strerror(e), reply.cap_count);
	unsigned minted = 0;
	for (unsigned i = 0; e == 0 && reply.cap_count == 1 && i < 10; i++) {
		uint64_t f = 0;
		minted += whoami(reply.caps[0].cap_id, &f) == RC_BADGE && f == CAPOS_MSG_F_MINTED;
		bad += !reg_echo(ep.cap_id, i, badge);
	}
	DEMO_CHECK(ME, minted == 10 && bad == 0,
	           "10 register whoami through the facet: badge 77, MINTED: %u of 10\n", minted);

	mixed(badge);
	hostile();

	struct capos_ipc_msg m = {RC_STATE, {0}};
	while (capos_ipc_call(ep.cap_id, &m) == 0 && m.w[0] == 0) {
		capos_cap_enter(0, 1000000); /* the victim's part is not over yet */
		m = (struct capos_ipc_msg){RC_STATE, {0}};
	}
	m = (struct capos_ipc_msg){RC_DIE, {0}};
	int64_t r = capos_ipc_call(ep.cap_id, &m);
	DEMO_CHECK(ME, r == CAPOS_ERR_DISCONNECTED, "the server exits holding the call: %s\n",
	           capos_strerror((int)r));
	m = (struct capos_ipc_msg){RC_ECHO, {0}};
	r = capos_ipc_call(ep.cap_id, &m);
	DEMO_CHECK(ME, r == CAPOS_ERR_DISCONNECTED, "a later call: %s\n", capos_strerror((int)r));
	return demo_finish(ME);
}
