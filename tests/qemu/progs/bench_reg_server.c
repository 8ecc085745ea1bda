/*
 * bench_reg_server: the server of `make bench`'s register round trip
 * (bench_ipc imports its endpoint as "bench_reg_server"): answers every
 * register call with its label and words unchanged, through the
 * runtime's register server loop (capos/ipc.h), until no client is left.
 *
 * Run by: tests/qemu/manifests/bench_ipc.cue (`make bench`).
 */
#include <capos/endpoint.h>
#include <capos/ipc.h>

#include "demo.h"

static void echo(void *ctx, uint64_t badge, uint16_t flags, struct capos_ipc_msg *m)
{
	(void)ctx;
	(void)badge;
	(void)flags;
	(void)m;
}

int main(void)
{
	struct capos_cap ep;
	if (capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) != 0)
		return 1;
	struct capos_ipc_stats st = {0};
	int64_t r = capos_ipc_serve(ep.cap_id, echo, NULL, &st);
	capos_printf("[bench_reg_server] served %lu register calls (%s)\n",
	             (unsigned long)st.calls, capos_strerror((int)r));
	return r != 0;
}
