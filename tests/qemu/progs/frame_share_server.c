/*
 * frame_share_server: receives a MemoryObject with a call (method SHARE),
 * maps it, reads the client's greeting and writes an answer into the
 * second page.  After the last client is gone (and the client's handle and
 * mapping with it) the object still works here; then the server unmaps and
 * releases it, and the kernel frees it.  W^X holds across processes: while
 * the client maps the object read-write, the server cannot map it
 * executable; once every writable mapping is gone, it can.
 *
 * Run by: smoke frame_share (tests/qemu/manifests/frame_share.cue).
 */
#include "demo.h"
#include "echo_proto.h"
#include <capos/frame_allocator.h>
#include <capos/virtual_memory.h>

#define NAME  "frame_share_server"
#define SHARE 200

static struct capos_memory_object mo;
static uint64_t at;

static int handle(void *ctx, const struct capos_server_call *call, struct capos_server_reply *r)
{
	(void)ctx;
	if (call->method_id != SHARE || call->cap_count != 1 || mo.cap.valid ||
	    capos_cap_adopt(&call->caps[0], capos_MemoryObject_ID, &mo.cap) != 0)
		return capos_server_exception(r, capos_CapException_Type_invalidArgument,
		                              "SHARE wants one MemoryObject");
	mo.ring = &capos_rt_ring;
	uint32_t pages = 0;
	int e = capos_memory_object_info(&mo, &pages, NULL, NULL);
	struct capos_call_error xe = {0};
	uint64_t x = 0;
	int xr = capos_memory_object_map(&mo, 0, CAPOS_PROT_READ | CAPOS_PROT_EXEC, &x, &xe);
	DEMO_CHECK(NAME, xr != 0 && xe.kind == CAPOS_ERROR_EXCEPTION,
	           "rx refused while the client maps it rw (%s)\n", xr ? xe.message : "mapped!");
	if (xr == 0)
		(void)capos_memory_object_unmap(&mo, x, NULL);
	if (e == 0)
		e = capos_memory_object_map(&mo, 0, CAPOS_PROT_READ | CAPOS_PROT_WRITE, &at, NULL);
	if (e != 0)
		return capos_server_exception(r, capos_CapException_Type_failed, "cannot map it");
	const char *greeting = (const char *)(uintptr_t)at;
	DEMO_CHECK(NAME, strcmp(greeting, "hello through shared memory") == 0,
	           "received a %u-page MemoryObject, mapped at %#lx: \"%s\"\n", pages,
	           (unsigned long)at, greeting);
	*(volatile uint64_t *)(uintptr_t)(at + CAPOS_PAGE_SIZE) = 0x5e5e5e5e5e5e5e5eull;
	r->len = echo_encode_results(r->buf, r->cap, "seen", 4);
	return CAPOS_SERVER_REPLY;
}

int main(void)
{
	struct capos_cap ep;
	DEMO_CHECK(NAME, capos_endpoint_open(&capos_rt.capset, "endpoint", &ep) == 0,
	           "owns its endpoint\n");
	struct capos_server_stats st;
	int err = capos_server_run(&capos_rt_ring, ep.cap_id, handle, NULL, &st);
	DEMO_CHECK(NAME, err == 0 && mo.cap.valid, "client gone (%lu calls served)\n",
	           (unsigned long)st.calls);
	if (!mo.cap.valid)
		return demo_finish(NAME);
	const char *greeting = (const char *)(uintptr_t)at;
	DEMO_CHECK(NAME, strcmp(greeting, "hello through shared memory") == 0,
	           "object still readable after its creator exited\n");
	DEMO_CHECK(NAME, capos_memory_object_unmap(&mo, at, NULL) == 0, "unmapped\n");
	uint64_t x = 0;
	int xr = capos_memory_object_map(&mo, 0, CAPOS_PROT_READ | CAPOS_PROT_EXEC, &x, NULL);
	DEMO_CHECK(NAME, xr == 0 && capos_memory_object_unmap(&mo, x, NULL) == 0,
	           "rx allowed once no writable mapping is left\n");
	capos_memory_object_drop(&mo);
	DEMO_CHECK(NAME, capos_flush_releases() == 0, "released the last reference\n");
	return demo_finish(NAME);
}
