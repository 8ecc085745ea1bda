/*
 * echo_server: serves Echo (schema/capos.capnp) on the endpoint it owns
 * (CapSet "endpoint") through the generated dispatcher, until no client is
 * left.  Its manifest entry grants it {name: "endpoint", source: kernel:
 * "endpoint", interface: "Echo"} and exports it.
 *
 * Run by: smoke ipc_echo (tests/qemu/manifests/ipc_echo.cue); selftests.cue (smoke
 * boot_selftests); system-spawn.cue (`make
 * run-spawn`; smoke spawn_smoke).
 */
#include <capos/endpoint.h>
#include "demo.h"
#include "capos.capnp.rpc.h"

static int echo(void *self, struct capos_rpc_ctx *rc, capos_Echo_echo_Params_reader in,
                capos_Echo_echo_Results_builder out)
{
	(void)self;
	(void)rc;
	struct capnp_text t = capos_Echo_echo_Params_get_text(in);
	capos_Echo_echo_Results_set_text(out, t.str, t.len);
	return CAPOS_SERVER_REPLY;
}

int main(void)
{
	static const capos_Echo_Server server = {.echo = echo};
	struct capos_cap ep;
	DEMO_CHECK("echo_server", capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) == 0,
	           "owns its endpoint\n");
	struct capos_server_stats st;
	int err = capos_serve_in(&capos_rt_ring, ep.cap_id, capos_Echo_Server_dispatch, &server, NULL,
	                         "Echo", &st);
	DEMO_CHECK("echo_server", err == 0, "served %lu calls (%lu exceptions), no client left (%s)\n",
	           (unsigned long)st.calls, (unsigned long)st.exceptions, capos_strerror(err));
	return demo_finish("echo_server");
}
