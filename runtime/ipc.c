/*
 * The register-call server loop (capos/ipc.h): reply to one call and
 * wait for the next in a single system call.
 */
#include <capos/ipc.h>

int64_t capos_ipc_serve(uint32_t cap, capos_ipc_handler h, void *ctx, struct capos_ipc_stats *st)
{
	struct capos_ipc_msg m = {0};
	uint64_t badge = 0;
	int64_t r = capos_ipc_recv(cap, &badge, &m);
	for (;;) {
		if (r == CAPOS_ERR_DISCONNECTED)
			return 0;
		if (r == CAPOS_IPC_RING_WORK)
			st->ring_work++;
		if (r < 0 || r == CAPOS_IPC_RING_WORK)
			return r;
		h(ctx, badge, (uint16_t)r, &m);
		st->calls++;
		r = capos_ipc_reply_recv(cap, &badge, &m);
		if (r == CAPOS_ERR_DISCONNECTED || r == CAPOS_ERR_BAD_CALL_ID) {
			/* Either the reply was not delivered (its caller is
			 * gone) and nothing was received, or no client is left:
			 * a receive alone tells which. */
			r = capos_ipc_recv(cap, &badge, &m);
		}
	}
}
