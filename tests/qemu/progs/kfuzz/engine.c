/*
 * kfuzz ring engine: every SQE holds a slot (its params and result
 * buffers) until its CQE comes back, and every CQE is checked against the
 * SQE it answers (docs/fuzzing.md, "Oracles").
 */
#include "kfuzz.h"
#include "thread.capnp.h"

struct kf_config kf_cfg;
char kf_tag[24];
uint64_t kf_rng;
uint64_t kf_op_no;
bool kf_failing;

struct kf_op kf_ops[KF_SLOTS];
uint8_t kf_pbuf[KF_SLOTS][KF_BUF] __attribute__((aligned(8)));
uint8_t kf_rbuf[KF_SLOTS][KF_BUF] __attribute__((aligned(8)));
uint8_t kf_big[KF_BIG_BUF] __attribute__((aligned(8)));
uint64_t kf_devmaps[8];
static unsigned blocking, forever;
static uint64_t seq = 1;

struct kf_cap kf_keep[KF_KEEP]; /* console, allocators, ctl, peers... */
unsigned kf_nkeep;
struct kf_cap kf_pool[KF_POOL]; /* received/returned caps            */
unsigned kf_npool;
uint32_t kf_evicted[16]; /* pool overflow, to be released      */
unsigned kf_nevicted;
uint32_t kf_stale[16]; /* ids released successfully          */
uint64_t kf_held[64];  /* frames allocated and not freed     */
unsigned kf_nheld;
bool kf_held_exact = true; /* false once we lost track           */
uint32_t kf_calls[16];     /* received calls not answered yet    */
unsigned kf_ncalls;
uint32_t kf_answered[16];  /* calls answered (or gone)           */
uint64_t kf_recent[16];    /* addresses the kernel handed out    */
struct kf_map kf_maps[16]; /* VirtualMemory.map results          */
uint8_t kf_capset_copy[P];

uint32_t c_threads, c_park;
uint32_t c_console, c_frames, c_vm, c_boot, c_spawner, c_ctl, c_timer, c_entropy, c_terminal,
	c_monitor;

struct kf_stats kf_stats;

uint64_t kf_rand(void)
{
	uint64_t z = (kf_rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

uint64_t kf_pick(uint64_t n) { return n ? kf_rand() % n : 0; }

/* Bookkeeping on completions uses its own stream: completions arrive in
 * an order the scheduler decides, and must not shift the operations. */
static uint64_t aux_state = 0x853c49e6748fea9bull;
uint64_t kf_aux(uint64_t n)
{
	aux_state ^= aux_state << 13;
	aux_state ^= aux_state >> 7;
	aux_state ^= aux_state << 17;
	return n ? aux_state % n : 0;
}
bool kf_chance(unsigned one_in) { return kf_pick(one_in) == 0; }

int64_t kf_enter(uint32_t min, uint64_t timeout)
{
	int64_t r = capos_cap_enter(min, timeout);
	if (r < 0 && !kf_failing)
		kf_fail(2, "cap_enter(%u, %lu) = %ld", min, (unsigned long)timeout, (long)r);
	kf_reap();
	return r;
}

/* Interface labels the generator names for new endpoints' facets. */
const uint64_t kf_labels[KF_LABELS] = {
	0x8f1c2b3a4d5e6f70ull,
	0x9a0b1c2d3e4f5061ull,
	0xa1b2c3d4e5f60718ull,
	0xb7c6d5e4f3a29180ull,
};

static bool known_label(uint64_t id)
{
	for (unsigned i = 0; i < KF_LABELS; i++)
		if (id == kf_labels[i])
			return true;
	return false;
}

static bool known_iface(uint64_t id)
{
	return known_label(id) || id == capos_Console_ID || id == capos_FrameAllocator_ID ||
	       id == capos_MemoryObject_ID || id == capos_VirtualMemory_ID ||
	       id == capos_Endpoint_ID || id == capos_ProcessSpawner_ID ||
	       id == capos_ProcessHandle_ID || id == capos_BootPackage_ID ||
	       id == device_Notification_ID || id == device_Interrupt_ID ||
	       id == device_DeviceMmio_ID || id == device_DMAPool_ID || id == time_Timer_ID ||
	       id == entropy_EntropySource_ID || id == capos_Terminal_ID ||
	       id == capos_SystemMonitor_ID || id == thread_ThreadSpawner_ID ||
	       id == thread_ThreadHandle_ID || id == thread_ParkSpace_ID;
}

void pool_add(uint32_t id, uint64_t iface)
{
	/* A ThreadSpawner or FrameAllocator that came back through a
	 * transfer (descriptors read from random memory can name ours) is
	 * only released: random calls on it would start threads running
	 * garbage or hand out untracked frames, as any_cap says. */
	if (iface == thread_ThreadSpawner_ID || iface == capos_FrameAllocator_ID) {
		if (kf_nevicted < sizeof kf_evicted / sizeof kf_evicted[0])
			kf_evicted[kf_nevicted++] = id;
		return;
	}
	if (kf_npool < KF_POOL) {
		kf_pool[kf_npool++] = (struct kf_cap){id, iface};
		return;
	}
	/* Full: one goes to the release list (op_release drops it), so the
	 * cap table does not fill up for good. */
	unsigned i = (unsigned)kf_aux(KF_POOL);
	if (kf_nevicted < sizeof kf_evicted / sizeof kf_evicted[0])
		kf_evicted[kf_nevicted++] = kf_pool[i].id;
	kf_pool[i] = (struct kf_cap){id, iface};
}

static void adopt_records(const uint8_t *buf, uint32_t len, uint32_t off, uint32_t n)
{
	if (n > 8 || off + (uint64_t)n * sizeof(struct capos_cap_record) > len)
		kf_fail(2, "%u cap records at %u do not fit %u bytes", n, off, len);
	const struct capos_cap_record *r = (const void *)(buf + off);
	for (uint32_t i = 0; i < n; i++) {
		if (!known_iface(r[i].interface_id) || r[i].cap_id == 0)
			kf_fail(2, "cap record %u: id %u interface %#lx", i, r[i].cap_id,
			        (unsigned long)r[i].interface_id);
		pool_add(r[i].cap_id, r[i].interface_id);
	}
}

static bool page_zero(uint64_t a)
{
	const volatile uint64_t *w = (const volatile uint64_t *)(uintptr_t)a;
	for (unsigned i = 0; i < P / 8; i++)
		if (w[i] != 0)
			return false;
	return true;
}

/* Checks up to 8 pages of a fresh mapping are zero; fills anonymous
 * read-write ones so a frame handed out again without zeroing shows. */
static void check_fresh(uint64_t addr, uint64_t size, uint32_t prot, bool fill)
{
	if (!(prot & 1) || (prot & ~7u) || size == 0)
		return;
	uint64_t pages = size / P, pg[8];
	unsigned n = 0;
	for (; n < 8 && n < pages; n++)
		pg[n] = n < 4 ? n : pages - 1 - kf_aux(pages);
	for (unsigned k = 0; k < n; k++) { /* all checked before any is filled */
		uint64_t a = addr + pg[k] * P;
		if (!page_zero(a))
			kf_fail(5, "fresh page %#lx of mapping %#lx+%#lx prot %u is not zero",
			        (unsigned long)a, (unsigned long)addr, (unsigned long)size, prot);
	}
	for (unsigned k = 0; fill && (prot & 2) && k < n; k++)
		*(volatile uint64_t *)(uintptr_t)(addr + pg[k] * P + 8 * kf_aux(P / 8)) =
			0xa5a5a5a5a5a5a5a5ull;
	kf_stats.maps_checked++;
}

static void held_add(uint64_t phys, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		if (kf_nheld == sizeof kf_held / sizeof kf_held[0]) {
			kf_held_exact = false;
			return;
		}
		kf_held[kf_nheld++] = phys + i * P;
	}
}

static bool held_take(uint64_t phys)
{
	for (unsigned i = 0; i < kf_nheld; i++)
		if (kf_held[i] == phys) {
			kf_held[i] = kf_held[--kf_nheld];
			return true;
		}
	return false;
}

static uint64_t result_u64(const struct kf_op *o, unsigned slot)
{
	struct capnp_reader m;
	if (capnp_reader_init(&m, kf_rbuf[slot], (size_t)o->cqe.result) != CAPNP_OK)
		kf_fail(2, "result message of %d bytes does not decode", o->cqe.result);
	struct capnp_struct r = capnp_reader_root(&m);
	return (uint64_t)capnp_struct_u64(&r, 0);
}

/* A RETURN completed: its call is settled unless the RETURN itself was
 * refused (bad transfer, buffer...), then it is answered again later. */
static void settle_call(uint32_t id, int32_t result)
{
	if (result != 0 && result != CAPOS_ERR_BAD_CALL_ID && result != CAPOS_ERR_DISCONNECTED)
		return;
	for (unsigned i = 0; i < kf_ncalls; i++)
		if (kf_calls[i] == id) {
			kf_calls[i] = kf_calls[--kf_ncalls];
			kf_answered[kf_aux(16)] = id;
			return;
		}
}

/* What a CQE of each kind must satisfy, and what it teaches us. */
void kf_check(struct kf_op *o, unsigned slot)
{
	const struct capos_cqe *c = &o->cqe;
	if (o->kind == K_EXPECT && c->result != o->expect)
		kf_fail(3, "malformed SQE (case %lu) completed with %d, documented %d",
		        (unsigned long)o->arg, c->result, o->expect);
	if (o->kind == K_BADBUF && c->result >= 0)
		kf_fail(4, "success (%d) into result buffer %#lx", c->result, (unsigned long)o->arg);
	if (o->opcode == CAPOS_OP_RETURN)
		settle_call((uint32_t)o->arg, c->result);
	if (c->result < 0)
		return;
	if (c->result == 0 && o->opcode == CAPOS_OP_CALL) { /* result_len 0: none asked for */
		if (o->kind == K_FRAME)
			kf_held_exact = false; /* granted, but we cannot name it */
		return;
	}
	switch (o->opcode == CAPOS_OP_RECV ? K_RECV : o->kind) {
	case K_VMMAP:
		check_fresh(result_u64(o, slot), o->arg2, (uint32_t)o->arg, true);
		kf_maps[kf_aux(16)] = (struct kf_map){result_u64(o, slot), o->arg2};
		kf_recent[kf_aux(16)] = result_u64(o, slot);
		break;
	case K_MOMAP:
		check_fresh(result_u64(o, slot), o->arg2, (uint32_t)o->arg, false);
		kf_recent[kf_aux(16)] = result_u64(o, slot);
		break;
	case K_DEVMAP:
		kf_devmaps[kf_aux(8)] = result_u64(o, slot);
		break;
	case K_FRAME:
		held_add(result_u64(o, slot), o->arg);
		kf_recent[kf_aux(16)] = result_u64(o, slot);
		break;
	case K_FREE:
		if (!held_take(o->arg) && kf_held_exact)
			kf_fail(8, "freeFrame(%#lx) accepted a frame not held", (unsigned long)o->arg);
		break;
	case K_RELEASE:
		kf_stale[kf_aux(16)] = (uint32_t)o->arg;
		break;
	case K_RECV: {
		const struct capos_endpoint_message *h = (const void *)kf_rbuf[slot];
		uint64_t caps_at = sizeof *h + capos_align8(h->params_len);
		if ((uint32_t)c->result < sizeof *h || caps_at > (uint32_t)c->result ||
		    h->cap_count != c->cap_count)
			kf_fail(2, "RECV of %d bytes: params %u, %u caps (CQE %u)", c->result,
			        h->params_len, h->cap_count, c->cap_count);
		/* A minted badge is whatever the minter's params said (lying
		 * params included), never 0; any other badge is a spawn grant's. */
		bool minted = (h->flags & (CAPOS_MSG_F_MINTED | CAPOS_MSG_F_RELEASED)) != 0;
		if ((h->flags & ~(CAPOS_MSG_F_MINTED | CAPOS_MSG_F_RELEASED)) != 0 ||
		    (minted && h->badge == 0) ||
		    (!minted && h->badge >= KF_MINT_BADGE && h->badge < KF_MINT_BADGE + 64))
			kf_fail(11, "received flags %#x with badge %#lx", h->flags, (unsigned long)h->badge);
		if (h->badge != 0 && !minted &&
		    (h->badge < KF_BADGE + 1 || h->badge > KF_BADGE + KF_WORKERS_MAX))
			kf_fail(11, "received a call with badge %#lx, never granted", (unsigned long)h->badge);
		if (h->flags & CAPOS_MSG_F_RELEASED) {
			if (h->call_id != 0 || h->params_len != 0 || c->cap_count != 0)
				kf_fail(11, "release message of badge %#lx with call %u, %u bytes, %u caps",
				        (unsigned long)h->badge, h->call_id, h->params_len, c->cap_count);
			break; /* nothing to RETURN */
		}
		if (kf_ncalls < 16)
			kf_calls[kf_ncalls++] = h->call_id;
		else
			kf_calls[kf_aux(16)] = h->call_id;
		adopt_records(kf_rbuf[slot], (uint32_t)c->result, (uint32_t)caps_at, c->cap_count);
		break;
	}
	default:
		break;
	}
	if (c->cap_count && o->opcode != CAPOS_OP_RECV)
		adopt_records(kf_rbuf[slot], KF_BUF, (uint32_t)capos_align8((uint32_t)c->result),
		              c->cap_count);
}

static void complete(const struct capos_cqe *c)
{
	unsigned slot = (unsigned)(c->user_data & 0xff);
	struct kf_op *o = slot < KF_SLOTS ? &kf_ops[slot] : 0;
	if (o == 0 || !o->used || o->done || o->ud != c->user_data)
		kf_fail(1, "CQE user_data %#lx result %d matches no outstanding SQE",
		        (unsigned long)c->user_data, c->result);
	kf_stats.cqes++;
	o->cqe = *c;
	if (o->blocking)
		blocking--;
	if (o->forever)
		forever--;
	uint32_t limit = o->kind == K_BIG ? KF_BIG_BUF : KF_BUF;
	if (c->result < CAPOS_ERR_MIN || (c->result > 0 && (uint32_t)c->result > limit) ||
	    ((c->flags & CAPOS_CQE_F_EXCEPTION) != 0) !=
	            (c->result == CAPOS_ERR_APPLICATION_EXCEPTION ||
	             c->result == CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED))
		kf_fail(2, "CQE result %d flags %#x out of range", c->result, c->flags);
	if (o->opcode == CAPOS_OP_CALL && o->blocking && c->result >= 0)
		kf_stats.calls_answered++;
	if (o->opcode == CAPOS_OP_RECV && c->result >= 0)
		kf_stats.calls_received++;
	if (o->opcode == CAPOS_OP_RETURN && c->result == 0)
		kf_stats.returns++;
	if (c->flags & CAPOS_CQE_F_EXCEPTION)
		kf_stats.exceptions++;
	else if (c->result < 0)
		kf_stats.errors++;
	if (!kf_failing && o->kind != K_SYNC) /* a waiter looks at its own */
		kf_check(o, slot);
	if (o->kind == K_SYNC)
		o->done = true;
	else
		o->used = false;
}

void kf_reap(void)
{
	for (;;) {
		uint32_t h = RING->header.cq_head, t = RING->header.cq_tail;
		if (t - h > CAPOS_CQ_ENTRIES)
			kf_fail(2, "cq_tail %u cq_head %u", t, h);
		if (h == t)
			return;
		struct capos_cqe c = RING->cq[h & (CAPOS_CQ_ENTRIES - 1)];
		RING->header.cq_head = h + 1;
		complete(&c);
	}
}

/*
 * A free slot, entering the kernel to collect completions if needed.  An
 * SQE that may complete later (block) gets none (-1) while KF_BLOCKING of
 * them are outstanding: the caller skips its operation.
 */
int kf_slot(bool block)
{
	if (block && blocking >= KF_BLOCKING) {
		kf_enter(0, CAPOS_NO_WAIT);
		if (blocking >= KF_BLOCKING)
			return -1;
	}
	for (unsigned tries = 0; tries < 10000; tries++) {
		for (unsigned i = 0; i < KF_SLOTS; i++)
			if (!kf_ops[i].used)
				return (int)i;
		kf_enter(1, 2 * KF_MS);
	}
	kf_fail(10, "no free slot after 10000 waits (%u blocking)", blocking);
}

void kf_submit(int slot, struct capos_sqe *s, uint8_t kind, bool block)
{
	struct kf_op *o = &kf_ops[slot];
	/* A call or receive that may reach an endpoint completes later. */
	if ((s->opcode == CAPOS_OP_CALL || s->opcode == CAPOS_OP_RECV) && !kernel_object(s->cap_id))
		block = true;
	*o = (struct kf_op){.used = true,
	                    .kind = kind,
	                    .blocking = block,
	                    .opcode = s->opcode,
	                    .op_no = kf_op_no,
	                    .cap = s->cap_id,
	                    .method = s->method_id,
	                    .iface = kf_iface_of(s->cap_id)};
	o->ud = (seq++ << 8) | (unsigned)slot;
	s->user_data = o->ud;
	if (block)
		blocking++;
	/* At most KF_FOREVER calls/receives without a (short) timeout, so
	 * slots always come back. */
	if (block && (s->opcode == CAPOS_OP_CALL || s->opcode == CAPOS_OP_RECV) &&
	    (s->timeout_ns == 0 || s->timeout_ns > 100 * KF_MS)) {
		if (forever >= KF_FOREVER) {
			s->timeout_ns = 5 * KF_MS;
		} else {
			forever++;
			o->forever = true;
		}
	}
	while (RING->header.sq_tail - RING->header.sq_head >= CAPOS_SQ_ENTRIES)
		kf_enter(0, CAPOS_NO_WAIT);
	uint32_t t = RING->header.sq_tail;
	RING->sq[t & (CAPOS_SQ_ENTRIES - 1)] = *s;
	/* clang-format off */
	__asm__ volatile("" ::: "memory");
	/* clang-format on */
	RING->header.sq_tail = t + 1;
	kf_stats.sqes++;
}

/* SQEs outstanding that complete later (endpoint calls, receives...). */
unsigned kf_blocking(void) { return blocking; }

/* Waits for a K_SYNC slot's CQE; returns its result and frees the slot. */
int32_t kf_wait(int slot, struct capos_cqe *out)
{
	for (unsigned tries = 0; !kf_ops[slot].done; tries++) {
		if (tries > 20000)
			kf_fail(10, "no completion for a synchronous call");
		kf_enter(1, 5 * KF_MS);
	}
	if (out)
		*out = kf_ops[slot].cqe;
	kf_ops[slot].used = false;
	kf_ops[slot].done = false;
	return kf_ops[slot].cqe.result;
}

/* A CALL whose params were built in kf_pbuf[slot] (len bytes). */
struct capos_sqe kf_call_sqe(int slot, uint32_t cap, uint16_t method, size_t len)
{
	return (struct capos_sqe){
		.opcode = CAPOS_OP_CALL,
		.cap_id = cap,
		.method_id = method,
		.addr = (uint64_t)(uintptr_t)kf_pbuf[slot],
		.len = (uint32_t)len,
		.result_addr = (uint64_t)(uintptr_t)kf_rbuf[slot],
		.result_len = KF_BUF,
	};
}

size_t kf_finish(struct capnp_builder *b)
{
	size_t len = 0;
	capnp_builder_finish(b, &len);
	return len;
}

static void vprint(const char *fmt, va_list ap)
{
	char line[200];
	int n = capos_snprintf(line, sizeof line, "[%s] ", kf_tag);
	capos_vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	int slot = kf_slot(false);
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, kf_pbuf[slot], KF_BUF);
	capos_Console_writeLine_Params_builder p = capos_Console_writeLine_Params_init_root(&b);
	capos_Console_writeLine_Params_set_text(p, line, strlen(line));
	capnp_builder_finish(&b, &len);
	struct capos_sqe s = kf_call_sqe(slot, c_console, capos_Console_writeLine_METHOD, len);
	kf_submit(slot, &s, K_SYNC, false);
	kf_wait(slot, 0);
}

void kf_print(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

void kf_fail(int check, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	capos_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!kf_failing) {
		kf_failing = true;
		kf_print("FAIL check %d op %lu: %s", check, (unsigned long)kf_op_no, msg);
		if (kf_cfg.ops) { /* the configuration was read */
			char off[48] = " OFF=";
			kf_off_names(kf_cfg.off, off + 4, sizeof off - 4); /* " nt effect" */
			off[4] = '=';
			for (char *p = off + 5; *p; p++)
				if (*p == ' ')
					*p = ',';
			kf_print("reproduce: make fuzz-kernel SEEDS=1 SEED0=%lu OPS=%u WORKERS=%u%s",
			         (unsigned long)kf_cfg.seed, kf_cfg.ops, kf_cfg.workers,
			         kf_cfg.off ? off : "");
		}
	}
	capos_exit(check);
}
