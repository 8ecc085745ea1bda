/*
 * regcall_victim: the caller that goes away while regcall_server holds
 * its register call (smoke ipc_register).  It mints a facet of its own
 * endpoint and gives it to the server (a ring call), then a second thread
 * makes register call RC_HOLD; the server, holding it, calls the facet
 * back; this thread receives that call (ipc_recv) and exits the process
 * without answering.  The server sees DISCONNECTED twice: its call back,
 * and its reply to the held call.
 *
 * Run by: smoke ipc_register (tests/qemu/manifests/ipc_register.cue).
 */
#include <capos/endpoint.h>
#include <capos/ipc.h>
#include <capos/syscall.h>
#include <capos/thread.h>

#include "demo.h"
#include "regcall_proto.h"

#define ME "regcall_victim"

static struct capos_cap server;

static int64_t held_caller(void *arg)
{
	(void)arg;
	struct capos_ipc_msg m = {RC_HOLD, {0}};
	capos_ipc_call(server.cap_id, &m);
	capos_printf("[" ME "] FAIL: the held call came back\n");
	return 1;
}

int main(void)
{
	struct capos_cap own, facet;
	if (capos_endpoint_open(&capos_rt.capset, "endpoint", &own) != 0 ||
	    capos_endpoint_open(&capos_rt.capset, "regcall_server", &server) != 0)
		return 1;
	int e = capos_endpoint_mint(&own, 5, 0, false, &facet, NULL);
	DEMO_CHECK(ME, e == 0, "minted a facet of its own endpoint: %s\n", capos_strerror(e));
	struct capos_xfer_desc x = capos_xfer_move(facet.cap_id);
	struct capos_endpoint_call c = {.method_id = RCR_GIVE, .xfer = &x, .xfer_count = 1};
	struct capos_reply reply;
	e = capos_endpoint_call(&server, &c, &reply, NULL);
	DEMO_CHECK(ME, e == 0, "gave it to the server: %s\n", capos_strerror(e));
	struct capos_thread t;
	e = capos_thread_spawn(&t, held_caller, NULL, 0, NULL);
	DEMO_CHECK(ME, e == 0, "a thread calls RC_HOLD: %s\n", capos_strerror(e));
	struct capos_ipc_msg m = {0};
	uint64_t badge = 0;
	int64_t r = capos_ipc_recv(own.cap_id, &badge, &m);
	DEMO_CHECK(ME, r == CAPOS_MSG_F_MINTED && badge == 5 && m.label == RC_HOLD,
	           "the server called back while holding the thread's call (badge %lu)\n",
	           (unsigned long)badge);
	capos_printf("[" ME "] exiting: its held call and the call it holds end with it\n");
	capos_exit(demo_finish(ME));
}
