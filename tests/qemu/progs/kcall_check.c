/*
 * kcall_check smoke: every kernel capability method checks, before it has
 * any effect, that the caller can take its result (docs/invocation.md:
 * decode, check, perform, post).  Each method is called with a result
 * buffer too small for its result and with a read-only one; each call
 * must be refused with its typed error AND have had no effect:
 *   Console         nothing printed (the smoke rejects the marker text)
 *   FrameAllocator  free and held frames unchanged; a frame still held
 *   VirtualMemory   a fixed address still free; a page still mapped and
 *                   still writable
 *   MemoryObject    the same for its mappings
 *   BootPackage     refused while a read that fits works
 *   ProcessSpawner  no child (the smoke rejects its name), frames unchanged;
 *                   a full capability table refused before spawning
 *   ProcessHandle   a short wait refused at once, the exit code still there
 *   Endpoint        a call too big for a receive fails alone and its moved
 *                   cap comes back; a receive buffer that turns out not
 *                   writable consumes nothing; a reply too big for the
 *                   caller moves no cap and both sides are told.
 *   Terminal        nothing written; a refused read does not make the
 *                   caller the terminal's reader; max 0 / 4097 and a
 *                   write of 4097 bytes are invalidArgument; params that
 *                   are no message are refused
 *   SystemMonitor   processes/memory refused; forChildren refused gives
 *                   no cap, and a full table refuses it
 * It runs as init (the only process: frame counts are exact) and holds
 * console, spawner, frames, vm, bootPackage, an endpoint, the terminal
 * and the system-wide monitor.
 *
 * Run by: smoke kcall_check (tests/qemu/manifests/raw_kcall_check.cue).
 */
#include "demo.h"
#include "capos.capnp.h"
#include <capos/call.h>
#include <capos/frame_allocator.h>
#include <capos/string.h>
#include <capos/virtual_memory.h>

#define NAME       "kcall_check"
#define P          CAPOS_PAGE_SIZE
#define RW         (CAPOS_PROT_READ | CAPOS_PROT_WRITE)
#define RO_BUF     CAPOS_CAPSET_VADDR /* mapped read-only in every process */
#define TOO_SMALL  CAPOS_ERR_RESULT_TOO_SMALL
#define BAD_BUFFER CAPOS_ERR_BAD_BUFFER
#define INVALID    capos_CapException_Type_invalidArgument

/* Fixed addresses far from where hint 0 and the runtime put things. */
#define VM_AT   (CAPOS_USER_ANON_BASE + 0x100000000ull)
#define MO_AT   (VM_AT + 0x10000000ull)
#define RECV_AT (VM_AT + 0x20000000ull)

static uint32_t console_id, frames_id, vm_id, boot_id, spawner_id, ep_id, term_id, mon_id;
static struct capos_frame_allocator fa;
static struct capos_vm vm;

static uint64_t params[640]; /* a 4097-byte Terminal.write fits */
static uint32_t params_len;
static uint64_t result[1024];

static uint32_t cap_of(const char *name, uint64_t iface)
{
	const struct capos_capset_entry *e = capos_capset_find(&capos_rt.capset, name, iface);
	return e ? e->cap_id : 0;
}

static void finish(struct capnp_builder *b)
{
	size_t len = 0;
	if (capnp_builder_finish(b, &len) != CAPNP_OK)
		capos_printf("[" NAME "] FAIL: params do not fit\n");
	params_len = (uint32_t)len;
}

static struct capnp_builder begin(void)
{
	struct capnp_builder b;
	capnp_builder_init(&b, params, sizeof params);
	return b;
}

/* One CALL with the current params into result_addr/result_len; returns
 * the CQE's result (or a submit error). */
static int32_t call_into(uint32_t cap, uint16_t method, uint64_t result_addr,
                         uint32_t result_len, struct capos_cqe *out)
{
	struct capos_sqe s = {
		.opcode = CAPOS_OP_CALL,
		.cap_id = cap,
		.method_id = method,
		.addr = (uint64_t)(uintptr_t)params,
		.len = params_len,
		.result_addr = result_addr,
		.result_len = result_len,
	};
	struct capos_cqe c = {0};
	int e = capos_ring_submit_wait(&capos_rt_ring, &s, &c);
	if (out)
		*out = c;
	return e < 0 ? e : c.result;
}

static int32_t call_len(uint32_t cap, uint16_t method, uint32_t result_len)
{
	return call_into(cap, method, (uint64_t)(uintptr_t)result, result_len, NULL);
}

static int32_t call_ro(uint32_t cap, uint16_t method)
{
	return call_into(cap, method, RO_BUF, 64, NULL);
}

static void release(uint32_t id)
{
	struct capos_sqe s = {.opcode = CAPOS_OP_RELEASE, .cap_id = id};
	struct capos_cqe c;
	capos_ring_submit_wait(&capos_rt_ring, &s, &c);
}

static struct capos_frame_stats stats(void)
{
	struct capos_frame_stats s = {0};
	capos_frame_query(&fa, &s, NULL);
	return s;
}

static bool same(struct capos_frame_stats a, struct capos_frame_stats b)
{
	return a.free_frames == b.free_frames && a.held_frames == b.held_frames;
}

static const char *err(int32_t e) { return e >= 0 ? "success" : capos_strerror(e); }

/* ---- Console -------------------------------------------------------- */

static void console_params(bool line, const char *text)
{
	struct capnp_builder b = begin();
	if (line)
		capos_Console_writeLine_Params_set_text(capos_Console_writeLine_Params_init_root(&b),
		                                        text, strlen(text));
	else
		capos_Console_write_Params_set_data(capos_Console_write_Params_init_root(&b), text,
		                                    strlen(text));
	finish(&b);
}

static void check_console(void)
{
	console_params(false, "KCALL-LEAK write\n");
	int32_t e = call_len(console_id, capos_Console_write_METHOD, 8);
	DEMO_CHECK(NAME, e == TOO_SMALL, "Console.write into 8 bytes: %s, nothing printed\n", err(e));
	console_params(true, "KCALL-LEAK writeLine");
	e = call_len(console_id, capos_Console_writeLine_METHOD, 15);
	DEMO_CHECK(NAME, e == TOO_SMALL, "Console.writeLine into 15 bytes: %s, nothing printed\n",
	           err(e));
	e = call_ro(console_id, capos_Console_writeLine_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "Console.writeLine into a read-only buffer: %s\n", err(e));
	console_params(true, "[" NAME "] no result wanted: printed");
	e = call_len(console_id, capos_Console_writeLine_METHOD, 0);
	DEMO_CHECK(NAME, e == 0, "Console.writeLine with result_len 0 (no result wanted): %s\n",
	           err(e));
}

/* ---- FrameAllocator ------------------------------------------------- */

static void fa_params(uint16_t method, uint64_t arg)
{
	struct capnp_builder b = begin();
	if (method == capos_FrameAllocator_allocContiguous_METHOD)
		capos_FrameAllocator_allocContiguous_Params_set_count(
			capos_FrameAllocator_allocContiguous_Params_init_root(&b), (uint32_t)arg);
	else if (method == capos_FrameAllocator_freeFrame_METHOD)
		capos_FrameAllocator_freeFrame_Params_set_physAddr(
			capos_FrameAllocator_freeFrame_Params_init_root(&b), arg);
	else if (method == capos_FrameAllocator_allocMemory_METHOD)
		capos_FrameAllocator_allocMemory_Params_set_pages(
			capos_FrameAllocator_allocMemory_Params_init_root(&b), (uint32_t)arg);
	else
		capos_FrameAllocator_query_Params_init_root(&b); /* allocFrame, query: () */
	finish(&b);
}

/* Calls method(arg) with a short and a read-only buffer: both refused,
 * free and held frames unchanged. */
static void fa_refused(const char *what, uint16_t method, uint64_t arg, uint32_t short_len)
{
	fa_params(method, arg);
	struct capos_frame_stats s0 = stats();
	int32_t e = call_len(frames_id, method, short_len);
	struct capos_frame_stats s1 = stats();
	DEMO_CHECK(NAME, e == TOO_SMALL && same(s0, s1),
	           "FrameAllocator.%s into %u bytes: %s; free %lu -> %lu, held %lu -> %lu\n", what,
	           short_len, err(e), (unsigned long)s0.free_frames, (unsigned long)s1.free_frames,
	           (unsigned long)s0.held_frames, (unsigned long)s1.held_frames);
	fa_params(method, arg);
	e = call_ro(frames_id, method);
	s1 = stats();
	DEMO_CHECK(NAME, e == BAD_BUFFER && same(s0, s1),
	           "FrameAllocator.%s into a read-only buffer: %s, frames unchanged\n", what, err(e));
}

static void check_frame_allocator(void)
{
	fa_refused("allocFrame", capos_FrameAllocator_allocFrame_METHOD, 0, 16);
	fa_refused("allocContiguous(4)", capos_FrameAllocator_allocContiguous_METHOD, 4, 16);
	fa_refused("query", capos_FrameAllocator_query_METHOD, 0, 32);
	fa_refused("allocMemory(2)", capos_FrameAllocator_allocMemory_METHOD, 2, 24);
	fa_refused("allocMemory(2), no room for the record", capos_FrameAllocator_allocMemory_METHOD,
	           2, 39);
	fa_params(capos_FrameAllocator_allocMemory_METHOD, 1);
	struct capos_frame_stats s0 = stats();
	int32_t e = call_len(frames_id, capos_FrameAllocator_allocMemory_METHOD, 0);
	DEMO_CHECK(NAME, e == TOO_SMALL && same(s0, stats()),
	           "allocMemory with result_len 0 (a cap cannot be dropped): %s\n", err(e));

	uint64_t phys = 0;
	int ret = capos_frame_alloc(&fa, &phys, NULL);
	DEMO_CHECK(NAME, ret == 0 && phys != 0, "allocFrame: %#lx\n", (unsigned long)phys);
	fa_refused("freeFrame", capos_FrameAllocator_freeFrame_METHOD, phys, 8);
	ret = capos_frame_free(&fa, phys, NULL);
	DEMO_CHECK(NAME, ret == 0, "the frame was still held: freeFrame works now\n");
}

/* ---- VirtualMemory -------------------------------------------------- */

static void vm_params(uint16_t method, uint64_t addr, uint64_t size, uint32_t prot)
{
	struct capnp_builder b = begin();
	if (method == capos_VirtualMemory_map_METHOD) {
		capos_VirtualMemory_map_Params_builder p = capos_VirtualMemory_map_Params_init_root(&b);
		capos_VirtualMemory_map_Params_set_hint(p, addr);
		capos_VirtualMemory_map_Params_set_size(p, size);
		capos_VirtualMemory_map_Params_set_prot(p, prot);
	} else if (method == capos_VirtualMemory_unmap_METHOD) {
		capos_VirtualMemory_unmap_Params_builder p =
			capos_VirtualMemory_unmap_Params_init_root(&b);
		capos_VirtualMemory_unmap_Params_set_addr(p, addr);
		capos_VirtualMemory_unmap_Params_set_size(p, size);
	} else {
		capos_VirtualMemory_protect_Params_builder p =
			capos_VirtualMemory_protect_Params_init_root(&b);
		capos_VirtualMemory_protect_Params_set_addr(p, addr);
		capos_VirtualMemory_protect_Params_set_size(p, size);
		capos_VirtualMemory_protect_Params_set_prot(p, prot);
	}
	finish(&b);
}

static void check_virtual_memory(void)
{
	struct capos_frame_stats s0 = stats();
	vm_params(capos_VirtualMemory_map_METHOD, VM_AT, P, RW);
	int32_t e = call_len(vm_id, capos_VirtualMemory_map_METHOD, 16);
	DEMO_CHECK(NAME, e == TOO_SMALL && same(s0, stats()),
	           "VirtualMemory.map into 16 bytes: %s, frames unchanged\n", err(e));
	vm_params(capos_VirtualMemory_map_METHOD, VM_AT, P, RW);
	e = call_ro(vm_id, capos_VirtualMemory_map_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER && same(s0, stats()),
	           "VirtualMemory.map into a read-only buffer: %s, frames unchanged\n", err(e));
	uint64_t at = 0;
	int ret = capos_vm_map(&vm, VM_AT, P, RW, &at, NULL);
	DEMO_CHECK(NAME, ret == 0 && at == VM_AT, "the fixed address was still free: mapped at %#lx\n",
	           (unsigned long)at);
	if (ret != 0)
		return;
	volatile uint64_t *page = (volatile uint64_t *)(uintptr_t)VM_AT;
	page[0] = 0x6b63616c6c;

	vm_params(capos_VirtualMemory_unmap_METHOD, VM_AT, P, 0);
	e = call_len(vm_id, capos_VirtualMemory_unmap_METHOD, 8);
	DEMO_CHECK(NAME, e == TOO_SMALL && page[0] == 0x6b63616c6c,
	           "VirtualMemory.unmap into 8 bytes: %s, page still mapped\n", err(e));
	e = call_ro(vm_id, capos_VirtualMemory_unmap_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER && page[0] == 0x6b63616c6c,
	           "VirtualMemory.unmap into a read-only buffer: %s, page still mapped\n", err(e));
	/* The result would go to the page being unmapped. */
	vm_params(capos_VirtualMemory_unmap_METHOD, VM_AT, P, 0);
	struct capos_cqe c;
	e = call_into(vm_id, capos_VirtualMemory_unmap_METHOD, VM_AT + 64, 256, &c);
	DEMO_CHECK(NAME, e == CAPOS_ERR_APPLICATION_EXCEPTION && page[0] == 0x6b63616c6c,
	           "VirtualMemory.unmap of the page holding its own result buffer: %s, page "
	           "still mapped\n",
	           err(e));

	vm_params(capos_VirtualMemory_protect_METHOD, VM_AT, P, CAPOS_PROT_READ);
	e = call_len(vm_id, capos_VirtualMemory_protect_METHOD, 8);
	page[1] = 2; /* would fault if the protect had happened */
	DEMO_CHECK(NAME, e == TOO_SMALL && page[1] == 2,
	           "VirtualMemory.protect(read-only) into 8 bytes: %s, page still writable\n",
	           err(e));
	e = call_ro(vm_id, capos_VirtualMemory_protect_METHOD);
	page[1] = 3;
	DEMO_CHECK(NAME, e == BAD_BUFFER && page[1] == 3,
	           "VirtualMemory.protect into a read-only buffer: %s, page still writable\n",
	           err(e));
	ret = capos_vm_unmap(&vm, VM_AT, P, NULL);
	/* (Free frames stay lower: the page tables built for VM_AT remain.) */
	DEMO_CHECK(NAME, ret == 0 && stats().held_frames == s0.held_frames,
	           "unmapped: held frames back to the start\n");
}

/* ---- MemoryObject --------------------------------------------------- */

static void mo_params(uint16_t method, uint64_t addr)
{
	struct capnp_builder b = begin();
	if (method == capos_MemoryObject_map_METHOD) {
		capos_MemoryObject_map_Params_builder p = capos_MemoryObject_map_Params_init_root(&b);
		capos_MemoryObject_map_Params_set_hint(p, addr);
		capos_MemoryObject_map_Params_set_prot(p, RW);
	} else if (method == capos_MemoryObject_unmap_METHOD) {
		capos_MemoryObject_unmap_Params_set_addr(capos_MemoryObject_unmap_Params_init_root(&b),
		                                         addr);
	} else {
		capos_MemoryObject_info_Params_init_root(&b);
	}
	finish(&b);
}

static void check_memory_object(void)
{
	struct capos_memory_object mo;
	int ret = capos_frame_alloc_memory(&fa, 1, &mo, NULL);
	DEMO_CHECK(NAME, ret == 0, "allocMemory(1): cap %u\n", mo.cap.cap_id);
	if (ret != 0)
		return;
	uint32_t id = mo.cap.cap_id;
	mo_params(capos_MemoryObject_info_METHOD, 0);
	int32_t e = call_len(id, capos_MemoryObject_info_METHOD, 24);
	DEMO_CHECK(NAME, e == TOO_SMALL, "MemoryObject.info into 24 bytes: %s\n", err(e));
	e = call_ro(id, capos_MemoryObject_info_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "MemoryObject.info into a read-only buffer: %s\n", err(e));

	struct capos_frame_stats s0 = stats();
	mo_params(capos_MemoryObject_map_METHOD, MO_AT);
	e = call_len(id, capos_MemoryObject_map_METHOD, 16);
	DEMO_CHECK(NAME, e == TOO_SMALL && same(s0, stats()),
	           "MemoryObject.map into 16 bytes: %s, frames unchanged\n", err(e));
	e = call_ro(id, capos_MemoryObject_map_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER && same(s0, stats()),
	           "MemoryObject.map into a read-only buffer: %s, frames unchanged\n", err(e));
	uint64_t at = 0;
	ret = capos_memory_object_map(&mo, MO_AT, RW, &at, NULL);
	DEMO_CHECK(NAME, ret == 0 && at == MO_AT, "the fixed address was still free: mapped at %#lx\n",
	           (unsigned long)at);
	if (ret == 0) {
		volatile uint64_t *page = (volatile uint64_t *)(uintptr_t)MO_AT;
		page[0] = 77;
		mo_params(capos_MemoryObject_unmap_METHOD, MO_AT);
		e = call_len(id, capos_MemoryObject_unmap_METHOD, 8);
		DEMO_CHECK(NAME, e == TOO_SMALL && page[0] == 77,
		           "MemoryObject.unmap into 8 bytes: %s, still mapped\n", err(e));
		e = call_ro(id, capos_MemoryObject_unmap_METHOD);
		DEMO_CHECK(NAME, e == BAD_BUFFER && page[0] == 77,
		           "MemoryObject.unmap into a read-only buffer: %s, still mapped\n", err(e));
		e = call_into(id, capos_MemoryObject_unmap_METHOD, MO_AT + 128, 256, NULL);
		DEMO_CHECK(NAME, e == CAPOS_ERR_APPLICATION_EXCEPTION && page[0] == 77,
		           "MemoryObject.unmap of the mapping holding its own result buffer: %s, "
		           "still mapped\n",
		           err(e));
		ret = capos_memory_object_unmap(&mo, MO_AT, NULL);
		DEMO_CHECK(NAME, ret == 0, "unmapped properly\n");
	}
	release(id);
}

/* ---- BootPackage ---------------------------------------------------- */

static void read_params(uint64_t offset, uint32_t max)
{
	struct capnp_builder b = begin();
	capos_BootPackage_readManifest_Params_builder p =
		capos_BootPackage_readManifest_Params_init_root(&b);
	capos_BootPackage_readManifest_Params_set_offset(p, offset);
	capos_BootPackage_readManifest_Params_set_maxBytes(p, max);
	finish(&b);
}

static void check_boot_package(void)
{
	struct capnp_builder b = begin();
	capos_BootPackage_manifestSize_Params_init_root(&b);
	finish(&b);
	int32_t e = call_len(boot_id, capos_BootPackage_manifestSize_METHOD, 16);
	DEMO_CHECK(NAME, e == TOO_SMALL, "BootPackage.manifestSize into 16 bytes: %s\n", err(e));
	e = call_ro(boot_id, capos_BootPackage_manifestSize_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "BootPackage.manifestSize into a read-only buffer: %s\n",
	           err(e));
	e = call_len(boot_id, capos_BootPackage_manifestSize_METHOD, 24);
	struct capnp_reader m;
	uint64_t size = 0;
	if (e > 0 && capnp_reader_init(&m, result, (size_t)e) == CAPNP_OK)
		size = capos_BootPackage_manifestSize_Results_get_size(
			capos_BootPackage_manifestSize_Results_read_root(&m));
	DEMO_CHECK(NAME, size > 100, "manifestSize into 24 bytes: %lu\n", (unsigned long)size);

	read_params(0, 100);
	e = call_len(boot_id, capos_BootPackage_readManifest_METHOD, 127);
	DEMO_CHECK(NAME, e == TOO_SMALL, "readManifest of 100 bytes into 127: %s\n", err(e));
	e = call_len(boot_id, capos_BootPackage_readManifest_METHOD, 128);
	DEMO_CHECK(NAME, e == 128, "readManifest of 100 bytes into 128: %d bytes\n", (int)e);
	/* The bound is what this read returns, not the largest chunk. */
	read_params(size - 8, 65536);
	e = call_len(boot_id, capos_BootPackage_readManifest_METHOD, 32);
	DEMO_CHECK(NAME, e == 32, "readManifest of the last 8 bytes (maxBytes 65536) into 32: %d\n",
	           (int)e);
	e = call_ro(boot_id, capos_BootPackage_readManifest_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "readManifest into a read-only buffer: %s\n", err(e));
}

/* ---- ProcessSpawner, ProcessHandle ---------------------------------- */

static void spawn_params(const char *name, bool new_endpoint)
{
	struct capnp_builder b = begin();
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	capos_ProcessSpawner_spawn_Params_set_name(p, name, strlen(name));
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, "exit_code", 9);
	struct capnp_list_builder l = capos_ProcessSpawner_spawn_Params_init_grants(p, new_endpoint);
	if (new_endpoint) {
		capos_CapGrant_builder g = capos_CapGrant_list_at(l, 0);
		capos_CapGrant_set_name(g, "ep", 2);
		capos_CapGrant_set_newEndpoint(g, true);
	}
	finish(&b);
}

static void spawn_refused(const char *what, bool new_endpoint, uint32_t len, int32_t want)
{
	spawn_params("kcall_never", new_endpoint);
	struct capos_frame_stats s0 = stats();
	int32_t e = len == 1 ? call_ro(spawner_id, capos_ProcessSpawner_spawn_METHOD)
	                     : call_len(spawner_id, capos_ProcessSpawner_spawn_METHOD, len);
	DEMO_CHECK(NAME, e == want && same(s0, stats()), "ProcessSpawner.spawn %s: %s, no child\n",
	           what, err(e));
}

static void check_spawn_and_wait(void)
{
	spawn_refused("into 24 bytes (needs 40)", false, 24, TOO_SMALL);
	spawn_refused("with a new endpoint into 40 bytes (needs 56)", true, 40, TOO_SMALL);
	spawn_refused("with result_len 0", false, 0, TOO_SMALL);
	spawn_refused("into a read-only buffer", false, 1, BAD_BUFFER);

	spawn_params("kcall_child", false);
	struct capos_cqe c;
	int32_t e = call_into(spawner_id, capos_ProcessSpawner_spawn_METHOD,
	                      (uint64_t)(uintptr_t)result, 40, &c);
	const struct capos_cap_record *rec = (const void *)((const char *)result + 24);
	DEMO_CHECK(NAME, e == 24 && c.cap_count == 1, "spawn into exactly 40 bytes: child handle %u\n",
	           rec->cap_id);
	if (e != 24)
		return;
	uint32_t handle = rec->cap_id;
	struct capnp_builder b = begin();
	capos_ProcessHandle_wait_Params_init_root(&b);
	finish(&b);
	e = call_len(handle, capos_ProcessHandle_wait_METHOD, 16);
	DEMO_CHECK(NAME, e == TOO_SMALL, "ProcessHandle.wait into 16 bytes: %s at once\n", err(e));
	e = call_ro(handle, capos_ProcessHandle_wait_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "ProcessHandle.wait into a read-only buffer: %s\n", err(e));
	/* The bound holds the longest kill reason: 40 flat + 160 text. */
	e = call_len(handle, capos_ProcessHandle_wait_METHOD, 199);
	DEMO_CHECK(NAME, e == TOO_SMALL, "ProcessHandle.wait into 199 bytes: %s at once\n", err(e));
	e = call_len(handle, capos_ProcessHandle_wait_METHOD, 200);
	int64_t code = -1;
	struct capnp_reader m;
	if (e > 0 && capnp_reader_init(&m, result, (size_t)e) == CAPNP_OK)
		code = capos_ProcessHandle_wait_Results_get_exitCode(
			capos_ProcessHandle_wait_Results_read_root(&m));
	DEMO_CHECK(NAME, code == 42, "wait into 200 bytes: exit code %ld\n", (long)code);
	release(handle);
}

/* A full capability table: calls returning caps are refused first. */
static void empty_params(void);

static void check_table_full(void)
{
	static uint32_t ids[256];
	unsigned n = 0;
	int32_t e = 0;
	fa_params(capos_FrameAllocator_allocMemory_METHOD, 1);
	while (n < 256) {
		struct capos_cqe c;
		e = call_into(frames_id, capos_FrameAllocator_allocMemory_METHOD,
		              (uint64_t)(uintptr_t)result, 64, &c);
		if (e < 0)
			break;
		ids[n++] = ((const struct capos_cap_record *)((const char *)result + 24))->cap_id;
	}
	DEMO_CHECK(NAME, e == CAPOS_ERR_NO_RESOURCES && n > 0,
	           "table full after %u memory objects: allocMemory %s\n", n, err(e));
	struct capos_frame_stats s0 = stats();
	e = call_len(frames_id, capos_FrameAllocator_allocMemory_METHOD, 64);
	DEMO_CHECK(NAME, e == CAPOS_ERR_NO_RESOURCES && same(s0, stats()),
	           "allocMemory with a full table: %s, frames unchanged\n", err(e));
	spawn_refused("with a full table", false, 64, CAPOS_ERR_NO_RESOURCES);
	empty_params();
	e = call_len(mon_id, capos_SystemMonitor_forChildren_METHOD, 64);
	DEMO_CHECK(NAME, e == CAPOS_ERR_NO_RESOURCES,
	           "SystemMonitor.forChildren with a full table: %s\n", err(e));
	for (unsigned i = 0; i < n; i++)
		release(ids[i]);
}

/* ---- Terminal, SystemMonitor ---------------------------------------- */

static void empty_params(void)
{
	struct capnp_builder b = begin();
	capos_SystemMonitor_memory_Params_init_root(&b); /* every () is the same */
	finish(&b);
}

static void term_read_params(uint32_t max, uint64_t timeout_ns)
{
	struct capnp_builder b = begin();
	capos_Terminal_read_Params_builder p = capos_Terminal_read_Params_init_root(&b);
	capos_Terminal_read_Params_set_max(p, max);
	capos_Terminal_read_Params_set_timeoutNs(p, timeout_ns);
	finish(&b);
}

static void term_write_params(uint32_t n)
{
	static char text[4200];
	for (uint32_t i = 0; i < n && i < sizeof text; i++)
		text[i] = "KCALL-LEAK terminal "[i % 20];
	struct capnp_builder b = begin();
	capos_Terminal_write_Params_set_data(capos_Terminal_write_Params_init_root(&b), text, n);
	finish(&b);
}

/* Bytes of a result whose root is the flat struct S (framing, root
 * pointer, S's words): what a successful call's CQE result says. */
#define FLAT_LEN(S) (16 + 8 * (S##_DATA_WORDS + S##_PTR_COUNT))

/* Opens the last result, if the call answered with `want` bytes. */
static bool answered(struct capnp_reader *m, int32_t e, int32_t want)
{
	return e == want && capnp_reader_init(m, result, (size_t)e) == CAPNP_OK;
}

/* The CapException type of the last result (after an application exception). */
static int32_t exception_type(void)
{
	struct capnp_reader m;
	if (capnp_reader_init(&m, result, sizeof result) != CAPNP_OK)
		return -1;
	return (int32_t)capos_CapException_get_type(capos_CapException_read_root(&m));
}

/* What windowSize and stats answer: a serial line cannot tell its size,
 * and the bytes buffered are some of the bytes received. */
static void check_terminal_results(void)
{
	struct capnp_reader m;
	int32_t e = call_len(term_id, capos_Terminal_windowSize_METHOD, sizeof result);
	bool ok = answered(&m, e, FLAT_LEN(capos_Terminal_windowSize_Results));
	if (ok) {
		capos_Terminal_windowSize_Results_reader w = capos_Terminal_windowSize_Results_read_root(&m);
		ok = !capos_Terminal_windowSize_Results_get_known(w) &&
		     capos_Terminal_windowSize_Results_get_rows(w) == 24 &&
		     capos_Terminal_windowSize_Results_get_cols(w) == 80;
	}
	DEMO_CHECK(NAME, ok, "Terminal.windowSize: %d bytes, not known, 24 x 80\n", (int)e);
	e = call_len(term_id, capos_Terminal_stats_METHOD, sizeof result);
	ok = answered(&m, e, FLAT_LEN(capos_Terminal_stats_Results));
	if (ok) {
		capos_Terminal_stats_Results_reader r = capos_Terminal_stats_Results_read_root(&m);
		ok = capos_Terminal_stats_Results_get_buffered(r) <=
		     capos_Terminal_stats_Results_get_received(r);
	}
	DEMO_CHECK(NAME, ok, "Terminal.stats: %d bytes, buffered <= received\n", (int)e);
}

static void check_terminal(void)
{
	term_write_params(20);
	int32_t e = call_len(term_id, capos_Terminal_write_METHOD, 8);
	DEMO_CHECK(NAME, e == TOO_SMALL, "Terminal.write into 8 bytes: %s, nothing written\n",
	           err(e));
	e = call_ro(term_id, capos_Terminal_write_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "Terminal.write into a read-only buffer: %s\n", err(e));
	term_write_params(4097);
	e = call_len(term_id, capos_Terminal_write_METHOD, sizeof result);
	DEMO_CHECK(NAME, e == CAPOS_ERR_APPLICATION_EXCEPTION && exception_type() == INVALID,
	           "Terminal.write of 4097 bytes: %s (invalidArgument)\n", err(e));

	term_read_params(16, 0);
	e = call_len(term_id, capos_Terminal_read_METHOD, 24);
	DEMO_CHECK(NAME, e == TOO_SMALL, "Terminal.read of 16 bytes into 24: %s\n", err(e));
	e = call_ro(term_id, capos_Terminal_read_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "Terminal.read into a read-only buffer: %s\n", err(e));
	term_read_params(0, 0);
	e = call_len(term_id, capos_Terminal_read_METHOD, sizeof result);
	DEMO_CHECK(NAME, e == CAPOS_ERR_APPLICATION_EXCEPTION && exception_type() == INVALID,
	           "Terminal.read max 0: %s (invalidArgument)\n", err(e));
	term_read_params(4097, 0);
	e = call_len(term_id, capos_Terminal_read_METHOD, sizeof result);
	DEMO_CHECK(NAME, e == CAPOS_ERR_APPLICATION_EXCEPTION && exception_type() == INVALID,
	           "Terminal.read max 4097: %s (invalidArgument)\n", err(e));

	struct capnp_builder b = begin();
	capos_Terminal_setMode_Params_set_raw(capos_Terminal_setMode_Params_init_root(&b), true);
	finish(&b);
	e = call_len(term_id, capos_Terminal_setMode_METHOD, 8);
	DEMO_CHECK(NAME, e == TOO_SMALL, "Terminal.setMode into 8 bytes: %s\n", err(e));
	empty_params();
	e = call_len(term_id, capos_Terminal_windowSize_METHOD, 8);
	DEMO_CHECK(NAME, e == TOO_SMALL, "Terminal.windowSize into 8 bytes: %s\n", err(e));
	e = call_ro(term_id, capos_Terminal_stats_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "Terminal.stats into a read-only buffer: %s\n", err(e));
	check_terminal_results();

	/* Params that are no Cap'n Proto message at all. */
	memset(params, 0xff, 16);
	params_len = 16;
	e = call_len(term_id, capos_Terminal_setMode_METHOD, sizeof result);
	DEMO_CHECK(NAME, e == CAPOS_ERR_BAD_MESSAGE, "Terminal.setMode with garbage params: %s\n",
	           err(e));
	e = call_len(term_id, capos_Terminal_read_METHOD, sizeof result);
	DEMO_CHECK(NAME, e == CAPOS_ERR_BAD_MESSAGE, "Terminal.read with garbage params: %s\n",
	           err(e));
	/* A read that fits: answered at once (timeout 0), nothing typed. */
	term_read_params(16, 0);
	e = call_len(term_id, capos_Terminal_read_METHOD, sizeof result);
	DEMO_CHECK(NAME, e > 0, "Terminal.read of 16 bytes, timeout 0, into %u: answered (%d bytes)\n",
	           (unsigned)sizeof result, (int)e);
}

static void check_monitor(void)
{
	empty_params();
	int32_t e = call_len(mon_id, capos_SystemMonitor_processes_METHOD, 16);
	DEMO_CHECK(NAME, e == TOO_SMALL, "SystemMonitor.processes into 16 bytes: %s\n", err(e));
	e = call_ro(mon_id, capos_SystemMonitor_processes_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "SystemMonitor.processes into a read-only buffer: %s\n",
	           err(e));
	e = call_len(mon_id, capos_SystemMonitor_memory_METHOD, 16);
	DEMO_CHECK(NAME, e == TOO_SMALL, "SystemMonitor.memory into 16 bytes: %s\n", err(e));
	struct capnp_reader m;
	e = call_len(mon_id, capos_SystemMonitor_memory_METHOD, sizeof result);
	bool ok = answered(&m, e, FLAT_LEN(capos_SystemMonitor_memory_Results));
	if (ok) {
		capos_SystemMonitor_memory_Results_reader r = capos_SystemMonitor_memory_Results_read_root(&m);
		uint64_t total = capos_SystemMonitor_memory_Results_get_framesTotal(r);
		ok = total > 0 && capos_SystemMonitor_memory_Results_get_framesFree(r) < total &&
		     capos_SystemMonitor_memory_Results_get_processesLive(r) >= 1;
	}
	DEMO_CHECK(NAME, ok, "SystemMonitor.memory: %d bytes, some frames free of the total, "
	                     "this process live\n",
	           (int)e);
	struct capos_frame_stats s0 = stats();
	e = call_len(mon_id, capos_SystemMonitor_forChildren_METHOD, 8);
	DEMO_CHECK(NAME, e == TOO_SMALL, "SystemMonitor.forChildren into 8 bytes: %s\n", err(e));
	e = call_ro(mon_id, capos_SystemMonitor_forChildren_METHOD);
	DEMO_CHECK(NAME, e == BAD_BUFFER && same(s0, stats()),
	           "SystemMonitor.forChildren into a read-only buffer: %s, no cap given\n", err(e));
	struct capos_cqe c;
	e = call_into(mon_id, capos_SystemMonitor_forChildren_METHOD, (uint64_t)(uintptr_t)result,
	              64, &c);
	const struct capos_cap_record *rec =
		e > 0 ? (const struct capos_cap_record *)((const char *)result + capos_align8((uint32_t)e))
		      : 0;
	DEMO_CHECK(NAME, e > 0 && c.cap_count == 1 && rec->interface_id == capos_SystemMonitor_ID,
	           "SystemMonitor.forChildren into 64 bytes: one SystemMonitor\n");
	if (e > 0 && c.cap_count == 1)
		release(rec->cap_id);
}

/* ---- Endpoint ------------------------------------------------------- */

static uint8_t call_params[200];
static uint64_t recv_buf[128];
static uint64_t call_result[32];

static uint64_t submit(struct capos_sqe *s)
{
	s->user_data = capos_ring_next_user_data(&capos_rt_ring);
	capos_ring_submit(&capos_rt_ring, s);
	return s->user_data;
}

static int32_t wait_for(uint64_t ud, struct capos_cqe *c)
{
	int e = capos_ring_wait(&capos_rt_ring, ud, CAPOS_WAIT_FOREVER, c);
	return e < 0 ? e : c->result;
}

/* A CALL on our own endpoint moving `moved` (0: none), not waited for.
 * The transfer descriptor follows the params at align8(plen). */
static uint64_t self_call(uint32_t plen, uint32_t result_len, uint32_t moved)
{
	static uint64_t msg[(sizeof call_params + sizeof(struct capos_xfer_desc)) / 8 + 1];
	memcpy(msg, call_params, plen);
	struct capos_xfer_desc d = {.cap_id = moved, .mode = CAPOS_XFER_MOVE};
	memcpy((uint8_t *)msg + ((plen + 7) & ~7u), &d, sizeof d);
	struct capos_sqe s = {
		.opcode = CAPOS_OP_CALL,
		.cap_id = ep_id,
		.addr = (uint64_t)(uintptr_t)msg,
		.len = plen,
		.result_addr = (uint64_t)(uintptr_t)call_result,
		.result_len = result_len,
		.xfer_cap_count = moved ? 1 : 0,
	};
	return submit(&s);
}

static uint64_t recv_at(uint64_t addr, uint32_t len)
{
	/* clang-format off */
	struct capos_sqe s = {.opcode = CAPOS_OP_RECV, .cap_id = ep_id, .result_addr = addr,
	                      .result_len = len};
	/* clang-format on */
	return submit(&s);
}

static bool mo_alive(uint32_t id)
{
	mo_params(capos_MemoryObject_info_METHOD, 0);
	return call_len(id, capos_MemoryObject_info_METHOD, 64) > 0;
}

static void check_endpoint(void)
{
	struct capos_cqe c;
	int32_t e = wait_for(recv_at((uint64_t)(uintptr_t)recv_buf, 16), &c);
	DEMO_CHECK(NAME, e == TOO_SMALL, "RECV into 16 bytes: %s\n", err(e));
	e = wait_for(recv_at(RO_BUF, 64), &c);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "RECV into a read-only buffer: %s\n", err(e));
	/* clang-format off */
	struct capos_sqe s = {.opcode = CAPOS_OP_CALL, .cap_id = ep_id, .result_addr = RO_BUF,
	                      .result_len = 64};
	/* clang-format on */
	e = wait_for(submit(&s), &c);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "CALL with a read-only result buffer: %s\n", err(e));

	struct capos_memory_object mo;
	if (capos_frame_alloc_memory(&fa, 1, &mo, NULL) != 0) {
		DEMO_CHECK(NAME, false, "allocMemory for the endpoint checks\n");
		return;
	}
	uint32_t mo_id = mo.cap.cap_id;
	for (unsigned i = 0; i < sizeof call_params; i++)
		call_params[i] = (uint8_t)(i * 7 + 1);

	/* A call too big for the posted receive fails alone, its cap comes
	 * back; the receive (no client facet left to call) ends. */
	uint64_t cu = self_call(200, 64, mo_id);
	uint64_t ru = recv_at((uint64_t)(uintptr_t)recv_buf, 64);
	e = wait_for(cu, &c);
	DEMO_CHECK(NAME, e == TOO_SMALL && mo_alive(mo_id),
	           "a 200-byte call moving a cap into a 64-byte receive: %s, the cap is back\n",
	           err(e));
	e = wait_for(ru, &c);
	DEMO_CHECK(NAME, e == CAPOS_ERR_DISCONNECTED, "that receive then ends: %s\n", err(e));

	/* A receive buffer writable for the header only: nothing consumed. */
	uint64_t at = 0;
	int ret = capos_vm_map(&vm, RECV_AT, 2 * P, RW, &at, NULL) ||
	          capos_vm_protect(&vm, RECV_AT + P, P, CAPOS_PROT_READ, NULL);
	DEMO_CHECK(NAME, ret == 0, "two pages, the second read-only, at %#lx\n",
	           (unsigned long)RECV_AT);
	cu = self_call(64, 16, mo_id);
	e = wait_for(recv_at(RECV_AT + P - 32, 256), &c);
	DEMO_CHECK(NAME, e == BAD_BUFFER, "RECV whose buffer is read-only past the header: %s\n",
	           err(e));
	e = wait_for(recv_at((uint64_t)(uintptr_t)recv_buf, sizeof recv_buf), &c);
	const struct capos_endpoint_message *msg = (const void *)recv_buf;
	const struct capos_cap_record *rec = (const void *)((const char *)recv_buf + 32 + 64);
	DEMO_CHECK(NAME,
	           e == 32 + 64 + 16 && c.cap_count == 1 && msg->params_len == 64 &&
	                   memcmp(recv_buf + 4, call_params, 64) == 0,
	           "the call was still queued: received whole (%d bytes, %u cap)\n", (int)e,
	           c.cap_count);
	uint32_t got = rec->cap_id;

	/* A reply too big for the caller: no cap moves, both are told. */
	static struct {
		uint64_t reply[3];
		struct capos_xfer_desc d;
	} r = {.reply = {0, 1, 2}};
	r.d = (struct capos_xfer_desc){.cap_id = got, .mode = CAPOS_XFER_MOVE};
	/* clang-format off */
	struct capos_sqe ret_sqe = {.opcode = CAPOS_OP_RETURN, .cap_id = ep_id,
	                            .call_id = c.call_id, .addr = (uint64_t)(uintptr_t)r.reply,
	                            .len = sizeof r.reply, .xfer_cap_count = 1};
	/* clang-format on */
	e = wait_for(submit(&ret_sqe), &c);
	int32_t ce = wait_for(cu, &c);
	DEMO_CHECK(NAME, e == TOO_SMALL && ce == TOO_SMALL && mo_alive(got),
	           "a 24-byte reply moving a cap to a 16-byte result buffer: RETURN %s, CALL %s, "
	           "the cap stayed with the server\n",
	           err(e), err(ce));
	release(got);
	capos_vm_unmap(&vm, RECV_AT, 2 * P, NULL);
}

int main(void)
{
	console_id = cap_of("console", capos_Console_ID);
	frames_id = cap_of("frames", capos_FrameAllocator_ID);
	vm_id = cap_of("vm", capos_VirtualMemory_ID);
	boot_id = cap_of("bootPackage", capos_BootPackage_ID);
	spawner_id = cap_of("spawner", capos_ProcessSpawner_ID);
	ep_id = cap_of("endpoint", capos_Endpoint_ID);
	term_id = cap_of("terminal", capos_Terminal_ID);
	mon_id = cap_of("monitor", capos_SystemMonitor_ID);
	DEMO_CHECK(NAME,
	           console_id && frames_id && vm_id && boot_id && spawner_id && ep_id && term_id &&
	                   mon_id &&
	                   capos_frame_allocator_open(&fa, &capos_rt_ring, &capos_rt.capset,
	                                              "frames") == 0 &&
	                   capos_vm_open(&vm, &capos_rt_ring, &capos_rt.capset, "vm") == 0,
	           "holds console, frames, vm, bootPackage, spawner, endpoint, terminal, monitor\n");
	struct capos_frame_stats start = stats();
	check_console();
	check_frame_allocator();
	check_virtual_memory();
	check_memory_object();
	check_boot_package();
	check_spawn_and_wait();
	check_terminal();
	check_monitor();
	check_table_full();
	check_endpoint();
	struct capos_frame_stats end = stats();
	DEMO_CHECK(NAME, end.held_frames == start.held_frames,
	           "ledger back to the start: held %lu -> %lu\n", (unsigned long)start.held_frames,
	           (unsigned long)end.held_frames);
	return demo_finish(NAME);
}
