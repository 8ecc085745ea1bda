/*
 * FrameAllocator client over the generated Cap'n Proto code
 * (capos/frame_allocator.h).
 */
#include <capos/frame_allocator.h>
#include <capos/string.h>
#include "capnp/capnp.h"
#include "capos.capnp.h"

#define MSG_WORDS 8u
#define RESULT_BYTES 512u /* room for a CapException with its message */

int capos_frame_allocator_from_cap(struct capos_frame_allocator *fa, struct capos_ring *r,
                                   struct capos_cap cap)
{
	memset(fa, 0, sizeof(*fa));
	if (!cap.valid)
		return CAPOS_ERR_BAD_CAP;
	if (cap.interface_id != capos_FrameAllocator_ID)
		return CAPOS_ERR_NOT_PERMITTED;
	fa->ring = r;
	fa->cap = cap;
	return 0;
}

int capos_frame_allocator_open(struct capos_frame_allocator *fa, struct capos_ring *r,
                               const struct capos_capset *cs, const char *name)
{
	memset(fa, 0, sizeof(*fa));
	const struct capos_capset_entry *e = capos_capset_find(cs, name, capos_FrameAllocator_ID);
	if (e == NULL)
		return CAPOS_ERR_BAD_CAP;
	return capos_frame_allocator_from_cap(fa, r, capos_cap_borrow(e));
}

/* Performs the call with the finished message in b; on success *m reads
 * the result (its words live in result[], owned by the caller). */
static int cap_do(struct capos_ring *ring, struct capos_cap cap, uint16_t method,
                  struct capnp_builder *b, uint64_t *result, struct capnp_reader *m,
                  struct capos_reply *out, struct capos_call_error *err)
{
	if (ring == NULL || !cap.valid)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	size_t len = 0;
	if (capnp_builder_finish(b, &len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	struct capos_call call = {
		.cap_id = cap.cap_id,
		.method_id = method,
		.params = b->arena,
		.params_len = (uint32_t)len,
		.result = result,
		.result_cap = RESULT_BYTES,
	};
	struct capos_reply reply = {0};
	int ret = capos_call(ring, &call, &reply, err);
	if (ret != 0)
		return ret;
	if (out != NULL)
		*out = reply;
	if (capnp_reader_init(m, result, reply.result_len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	return 0;
}

static int fa_do(const struct capos_frame_allocator *fa, uint16_t method,
                 struct capnp_builder *b, uint64_t *result, struct capnp_reader *m,
                 struct capos_call_error *err)
{
	if (fa == NULL)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	return cap_do(fa->ring, fa->cap, method, b, result, m, NULL, err);
}

static int alloc_common(const struct capos_frame_allocator *fa, uint16_t method, uint32_t count,
                        uint64_t *phys, struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	capnp_builder_init(&b, arena, sizeof(arena));
	if (method == capos_FrameAllocator_allocContiguous_METHOD)
		capos_FrameAllocator_allocContiguous_Params_set_count(
			capos_FrameAllocator_allocContiguous_Params_init_root(&b), count);
	else
		capos_FrameAllocator_allocFrame_Params_init_root(&b);
	int ret = fa_do(fa, method, &b, result, &m, err);
	if (ret != 0)
		return ret;
	/* allocFrame and allocContiguous results have the same layout. */
	uint64_t p = capos_FrameAllocator_allocFrame_Results_get_physAddr(
		capos_FrameAllocator_allocFrame_Results_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	if (phys != NULL)
		*phys = p;
	return 0;
}

int capos_frame_alloc(const struct capos_frame_allocator *fa, uint64_t *phys,
                      struct capos_call_error *err)
{
	return alloc_common(fa, capos_FrameAllocator_allocFrame_METHOD, 1, phys, err);
}

int capos_frame_alloc_contiguous(const struct capos_frame_allocator *fa, uint32_t count,
                                 uint64_t *phys, struct capos_call_error *err)
{
	return alloc_common(fa, capos_FrameAllocator_allocContiguous_METHOD, count, phys, err);
}

int capos_frame_free(const struct capos_frame_allocator *fa, uint64_t phys,
                     struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	capnp_builder_init(&b, arena, sizeof(arena));
	capos_FrameAllocator_freeFrame_Params_set_physAddr(
		capos_FrameAllocator_freeFrame_Params_init_root(&b), phys);
	return fa_do(fa, capos_FrameAllocator_freeFrame_METHOD, &b, result, &m, err);
}

int capos_frame_query(const struct capos_frame_allocator *fa, struct capos_frame_stats *s,
                      struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	capnp_builder_init(&b, arena, sizeof(arena));
	capos_FrameAllocator_query_Params_init_root(&b);
	int ret = fa_do(fa, capos_FrameAllocator_query_METHOD, &b, result, &m, err);
	if (ret != 0)
		return ret;
	capos_FrameAllocator_query_Results_reader r = capos_FrameAllocator_query_Results_read_root(&m);
	s->total_frames = capos_FrameAllocator_query_Results_get_totalFrames(r);
	s->free_frames = capos_FrameAllocator_query_Results_get_freeFrames(r);
	s->held_frames = capos_FrameAllocator_query_Results_get_heldFrames(r);
	return capnp_reader_error(&m) != CAPNP_OK ? capos_error_local(err, CAPOS_ERR_BAD_MESSAGE) : 0;
}

int capos_frame_alloc_memory(const struct capos_frame_allocator *fa, uint32_t pages,
                             struct capos_memory_object *mo, struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	struct capos_reply reply = {0};
	memset(mo, 0, sizeof(*mo));
	if (fa == NULL)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	capnp_builder_init(&b, arena, sizeof(arena));
	capos_FrameAllocator_allocMemory_Params_set_pages(
		capos_FrameAllocator_allocMemory_Params_init_root(&b), pages);
	int ret = cap_do(fa->ring, fa->cap, capos_FrameAllocator_allocMemory_METHOD, &b, result, &m,
	                 &reply, err);
	if (ret != 0)
		return ret;
	uint16_t index = capos_FrameAllocator_allocMemory_Results_get_memoryIndex(
		capos_FrameAllocator_allocMemory_Results_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK || index >= reply.cap_count) {
		/* Do not leak whatever slots came back. */
		for (uint32_t i = 0; i < reply.cap_count; i++) {
			struct capos_cap c;
			if (capos_cap_adopt(&reply.caps[i], reply.caps[i].interface_id, &c) == 0)
				capos_cap_drop(&c);
		}
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	}
	ret = capos_cap_adopt(&reply.caps[index], capos_MemoryObject_ID, &mo->cap);
	if (ret != 0)
		return capos_error_local(err, ret);
	mo->ring = fa->ring;
	return 0;
}

int capos_memory_object_info(const struct capos_memory_object *mo, uint32_t *pages,
                             uint64_t *size, struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	capnp_builder_init(&b, arena, sizeof(arena));
	capos_MemoryObject_info_Params_init_root(&b);
	int ret = cap_do(mo->ring, mo->cap, capos_MemoryObject_info_METHOD, &b, result, &m, NULL, err);
	if (ret != 0)
		return ret;
	capos_MemoryObject_info_Results_reader r = capos_MemoryObject_info_Results_read_root(&m);
	if (pages != NULL)
		*pages = capos_MemoryObject_info_Results_get_pages(r);
	if (size != NULL)
		*size = capos_MemoryObject_info_Results_get_size(r);
	return capnp_reader_error(&m) != CAPNP_OK ? capos_error_local(err, CAPOS_ERR_BAD_MESSAGE) : 0;
}

int capos_memory_object_map(const struct capos_memory_object *mo, uint64_t hint, uint32_t prot,
                            uint64_t *addr, struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	capnp_builder_init(&b, arena, sizeof(arena));
	capos_MemoryObject_map_Params_builder p = capos_MemoryObject_map_Params_init_root(&b);
	capos_MemoryObject_map_Params_set_hint(p, hint);
	capos_MemoryObject_map_Params_set_prot(p, prot);
	int ret = cap_do(mo->ring, mo->cap, capos_MemoryObject_map_METHOD, &b, result, &m, NULL, err);
	if (ret != 0)
		return ret;
	uint64_t a = capos_MemoryObject_map_Results_get_addr(capos_MemoryObject_map_Results_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	if (addr != NULL)
		*addr = a;
	return 0;
}

int capos_memory_object_unmap(const struct capos_memory_object *mo, uint64_t addr,
                              struct capos_call_error *err)
{
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	capnp_builder_init(&b, arena, sizeof(arena));
	capos_MemoryObject_unmap_Params_set_addr(capos_MemoryObject_unmap_Params_init_root(&b), addr);
	return cap_do(mo->ring, mo->cap, capos_MemoryObject_unmap_METHOD, &b, result, &m, NULL, err);
}

void capos_memory_object_drop(struct capos_memory_object *mo)
{
	capos_cap_drop(&mo->cap);
	mo->ring = NULL;
}
