/*
 * kfuzz: the in-guest randomized kernel fuzzer (docs/fuzzing.md).
 *
 * One binary, three roles, chosen by the caps it finds in its CapSet:
 *   boot    (holds "boot", a BootPackage: the manifest's init) reads
 *           kfuzz.* from the kernel command line, spawns the workers with
 *           a new endpoint each ("ctl"), sends each its configuration and
 *           a copy of every worker's client facet, fuzzes itself, then
 *           waits for the workers and exits 0 only if everyone passed;
 *   worker  (holds "ctl") receives its configuration and fuzzes;
 *   idle    (neither: a child the fuzzer spawned at random) exits at once.
 *
 * Every operation comes from one splitmix64 stream seeded by (seed,
 * worker index); what a process does next also depends on what came back
 * (caps, addresses) and the interleaving between processes is the
 * scheduler's, so a seed reproduces the same run, not always the same
 * trace (docs/fuzzing.md).  Oracles
 * (a violation prints "[kfuzz.N] FAIL check C op K: ..." and exits C):
 *   1 a CQE whose user_data matches no outstanding SQE, or a second one;
 *   2 a result outside the ABI's range or larger than the result buffer;
 *   3 a malformed SQE (one fault on a valid one) without its documented
 *     error, or a second RELEASE of an id that succeeded;
 *   4 success reported into a read-only, unmapped or kernel result buffer;
 *   5 a freshly mapped anonymous or MemoryObject page that is not zero;
 *   6 the CapSet page changed;
 *   7 a raw syscall returned a wrong value or changed a preserved register;
 *   8 freeFrame accepted a frame this process does not hold;
 *  10 the configuration exchange or a worker failed;
 *  11 a received call carries a badge nobody was granted;
 *  12 a call that failed had an effect (frames charged all the same).
 * The kernel's own shutdown check covers the rest: frames, slots,
 * endpoints and handles back to baseline (QEMU status 35 otherwise).
 *
 * Known kernel bugs can be left out (kfuzz.off=a,b on the command line):
 *   nt        RFLAGS.NT set before syscalls (ring 0 #GP on iretq)
 *   selfcopy  endpoint owner caps carried in CALLs (re-entrant drop)
 *   hugehint  VirtualMemory.map with a fixed hint and a huge size (hang)
 *   effect    a failed call's effect is not checked (frames charged after
 *             RESULT_TOO_SMALL/BAD_BUFFER)
 *
 * Run by: smokes kfuzz_*, make fuzz-kernel (tests/qemu/manifests/kfuzz.cue).
 */
#include <capos/rt.h>
#include <stdarg.h>

#include "boot_cmdline.h"
#include "capnp/capnp.h"
#include "capos.capnp.h"

#define P CAPOS_PAGE_SIZE
#define KF_BUF 512u       /* params / result buffer per outstanding SQE   */
#define KF_SLOTS 40u      /* outstanding SQEs                             */
#define KF_BLOCKING 10u   /* outstanding SQEs that complete later         */
#define KF_FOREVER 3u     /* ... of which without a timeout               */
#define KF_POOL 48u       /* caps this process may release or move        */
#define KF_KEEP 24u       /* caps it never releases or moves              */
#define KF_WORKERS_MAX 4u
#define KF_MS 1000000ull
/* Never mapped: no generator uses it as a hint. */
#define KF_HOLE 0x00000a0000000000ull
/* Worker i's badged facets of earlier workers' endpoints carry KF_BADGE + i. */
#define KF_BADGE 0xbad0000ull
#define KF_MAGIC 0x4746434a5a55464bull /* "KFUZJCFG" */

enum { OFF_NT = 1, OFF_SELFCOPY = 2, OFF_HUGEHINT = 4, OFF_EFFECT = 8 };

/* Exchanged over "ctl" (plain bytes: the endpoint does not parse them). */
struct kf_config {
	uint64_t magic; /* KF_MAGIC: fuzz calls may reach "ctl" first */
	uint64_t seed;
	uint32_t ops;
	uint32_t off;
	uint32_t index;
	uint32_t workers;
	uint32_t trace; /* print each operation before it runs */
};

enum kf_kind {
	K_ANY,      /* garbage: only the generic checks             */
	K_EXPECT,   /* one fault: exactly `expect`                  */
	K_BADBUF,   /* result buffer not writable: must fail        */
	K_VMMAP,    /* VirtualMemory.map: check zero pages          */
	K_MOMAP,    /* MemoryObject.map: check zero pages           */
	K_CAPS,     /* result caps go to the pool                   */
	K_RECV,     /* endpoint message: call id and caps           */
	K_FRAME,    /* allocFrame/allocContiguous: held frames      */
	K_FREE,     /* freeFrame: must be a held frame              */
	K_RELEASE,  /* valid release: the id goes stale             */
	K_SYNC,     /* someone waits for it (kf_wait)               */
};

struct kf_op {
	bool used, blocking, done, forever;
	uint8_t kind, opcode;
	int32_t expect;
	uint64_t ud;
	uint64_t arg, arg2; /* kind-specific: prot, size, frame, cap id   */
	struct capos_cqe cqe;
};

struct kf_cap {
	uint32_t id;
	uint64_t iface;
};

static struct kf_config cfg;
static char tag[24];
static uint64_t rng;
static uint64_t op_no;
static bool failing;

static struct kf_op ops[KF_SLOTS];
static uint8_t pbuf[KF_SLOTS][KF_BUF] __attribute__((aligned(8)));
static uint8_t rbuf[KF_SLOTS][KF_BUF] __attribute__((aligned(8)));
static unsigned blocking, forever;
static uint64_t seq = 1;

static struct kf_cap keep[KF_KEEP];   /* console, allocators, ctl, peers... */
static unsigned nkeep;
static struct kf_cap pool[KF_POOL];   /* received/returned caps            */
static unsigned npool;
static uint32_t stale[16];            /* ids released successfully          */
static uint64_t held[64];             /* frames allocated and not freed     */
static unsigned nheld;
static bool held_exact = true;        /* false once held[] overflowed       */
static uint32_t calls[16];            /* received call ids, for RETURN      */
static uint64_t recent[16];           /* addresses the kernel handed out    */
static uint8_t capset_copy[P];

static uint32_t c_console, c_frames, c_vm, c_boot, c_spawner, c_ctl;

static struct {
	uint64_t sqes, cqes, errors, exceptions, syscalls, corrupt, maps_checked;
} st;

#define RING ((volatile struct capos_ring_page *)CAPOS_RING_VADDR)

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64, one stream per process                            */
/* ------------------------------------------------------------------ */

static uint64_t next(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t pick(uint64_t n) { return n ? next() % n : 0; }

/* Bookkeeping on completions uses its own stream: completions arrive in
 * an order the scheduler decides, and must not shift the operations. */
static uint64_t aux_state = 0x853c49e6748fea9bull;
static uint64_t aux(uint64_t n)
{
	aux_state ^= aux_state << 13;
	aux_state ^= aux_state >> 7;
	aux_state ^= aux_state << 17;
	return n ? aux_state % n : 0;
}
static bool chance(unsigned one_in) { return pick(one_in) == 0; }

/* ------------------------------------------------------------------ */
/* The ring engine: every SQE has a slot until its CQE comes back      */
/* ------------------------------------------------------------------ */

static void kf_fail(int check, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
static void kf_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void kf_reap(void);

static int64_t kf_enter(uint32_t min, uint64_t timeout)
{
	int64_t r = capos_cap_enter(min, timeout);
	if (r < 0 && !failing)
		kf_fail(2, "cap_enter(%u, %lu) = %ld", min, (unsigned long)timeout, (long)r);
	kf_reap();
	return r;
}

static bool known_iface(uint64_t id)
{
	return id == capos_Console_ID || id == capos_FrameAllocator_ID ||
	       id == capos_MemoryObject_ID || id == capos_VirtualMemory_ID ||
	       id == capos_Endpoint_ID || id == capos_ProcessSpawner_ID ||
	       id == capos_ProcessHandle_ID || id == capos_BootPackage_ID;
}

static void pool_add(uint32_t id, uint64_t iface)
{
	if (npool < KF_POOL) {
		pool[npool++] = (struct kf_cap){id, iface};
		return;
	}
	/* Full: forget one (it stays in the table until exit). */
	pool[aux(KF_POOL)] = (struct kf_cap){id, iface};
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
		pg[n] = n < 4 ? n : pages - 1 - aux(pages);
	for (unsigned k = 0; k < n; k++) { /* all checked before any is filled */
		uint64_t a = addr + pg[k] * P;
		if (!page_zero(a))
			kf_fail(5, "fresh page %#lx of mapping %#lx+%#lx prot %u is not zero",
			        (unsigned long)a, (unsigned long)addr, (unsigned long)size, prot);
	}
	for (unsigned k = 0; fill && (prot & 2) && k < n; k++)
		*(volatile uint64_t *)(uintptr_t)(addr + pg[k] * P + 8 * aux(P / 8)) =
			0xa5a5a5a5a5a5a5a5ull;
	st.maps_checked++;
}

static void held_add(uint64_t phys, uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		if (nheld == sizeof held / sizeof held[0]) {
			held_exact = false;
			return;
		}
		held[nheld++] = phys + i * P;
	}
}

static bool held_take(uint64_t phys)
{
	for (unsigned i = 0; i < nheld; i++)
		if (held[i] == phys) {
			held[i] = held[--nheld];
			return true;
		}
	return false;
}

static uint64_t result_u64(const struct kf_op *o, unsigned slot)
{
	struct capnp_reader m;
	if (capnp_reader_init(&m, rbuf[slot], (size_t)o->cqe.result) != CAPNP_OK)
		kf_fail(2, "result message of %d bytes does not decode", o->cqe.result);
	struct capnp_struct r = capnp_reader_root(&m);
	return (uint64_t)capnp_struct_u64(&r, 0);
}

/* What a CQE of each kind must satisfy, and what it teaches us. */
static void complete_kind(struct kf_op *o, unsigned slot)
{
	const struct capos_cqe *c = &o->cqe;
	if (o->kind == K_EXPECT && c->result != o->expect)
		kf_fail(3, "malformed SQE (case %lu) completed with %d, documented %d",
		        (unsigned long)o->arg, c->result, o->expect);
	if (o->kind == K_BADBUF && c->result >= 0)
		kf_fail(4, "success (%d) into result buffer %#lx", c->result, (unsigned long)o->arg);
	if (c->result < 0)
		return;
	switch (o->opcode == CAPOS_OP_RECV ? K_RECV : o->kind) {
	case K_VMMAP:
		check_fresh(result_u64(o, slot), o->arg2, (uint32_t)o->arg, true);
		recent[aux(16)] = result_u64(o, slot);
		break;
	case K_MOMAP:
		check_fresh(result_u64(o, slot), o->arg2, (uint32_t)o->arg, false);
		recent[aux(16)] = result_u64(o, slot);
		break;
	case K_FRAME:
		held_add(result_u64(o, slot), o->arg);
		recent[aux(16)] = result_u64(o, slot);
		break;
	case K_FREE:
		if (!held_take(o->arg) && held_exact)
			kf_fail(8, "freeFrame(%#lx) accepted a frame not held", (unsigned long)o->arg);
		break;
	case K_RELEASE:
		stale[aux(16)] = (uint32_t)o->arg;
		break;
	case K_RECV: {
		const struct capos_endpoint_message *h = (const void *)rbuf[slot];
		uint64_t caps_at = sizeof *h + capos_align8(h->params_len);
		if ((uint32_t)c->result < sizeof *h || caps_at > (uint32_t)c->result ||
		    h->cap_count != c->cap_count)
			kf_fail(2, "RECV of %d bytes: params %u, %u caps (CQE %u)", c->result,
			        h->params_len, h->cap_count, c->cap_count);
		if (h->badge != 0 && (h->badge < KF_BADGE + 1 || h->badge > KF_BADGE + KF_WORKERS_MAX))
			kf_fail(11, "received a call with badge %#lx, never granted", (unsigned long)h->badge);
		calls[aux(16)] = h->call_id;
		adopt_records(rbuf[slot], (uint32_t)c->result, (uint32_t)caps_at, c->cap_count);
		break;
	}
	default:
		break;
	}
	if (c->cap_count && o->opcode != CAPOS_OP_RECV)
		adopt_records(rbuf[slot], KF_BUF, (uint32_t)capos_align8((uint32_t)c->result),
		              c->cap_count);
}

static void complete(const struct capos_cqe *c)
{
	unsigned slot = (unsigned)(c->user_data & 0xff);
	struct kf_op *o = slot < KF_SLOTS ? &ops[slot] : 0;
	if (o == 0 || !o->used || o->done || o->ud != c->user_data)
		kf_fail(1, "CQE user_data %#lx result %d matches no outstanding SQE",
		        (unsigned long)c->user_data, c->result);
	st.cqes++;
	o->cqe = *c;
	if (o->blocking)
		blocking--;
	if (o->forever)
		forever--;
	if (c->result < CAPOS_ERR_MIN || (c->result > 0 && (uint32_t)c->result > KF_BUF) ||
	    ((c->flags & CAPOS_CQE_F_EXCEPTION) != 0) !=
	        (c->result == CAPOS_ERR_APPLICATION_EXCEPTION ||
	         c->result == CAPOS_ERR_APPLICATION_EXCEPTION_TRUNCATED))
		kf_fail(2, "CQE result %d flags %#x out of range", c->result, c->flags);
	if (c->flags & CAPOS_CQE_F_EXCEPTION)
		st.exceptions++;
	else if (c->result < 0)
		st.errors++;
	if (!failing && o->kind != K_SYNC) /* a waiter looks at its own */
		complete_kind(o, slot);
	if (o->kind == K_SYNC)
		o->done = true;
	else
		o->used = false;
}

static void kf_reap(void)
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
static int slot_get(bool block)
{
	if (block && blocking >= KF_BLOCKING) {
		kf_enter(0, CAPOS_NO_WAIT);
		if (blocking >= KF_BLOCKING)
			return -1;
	}
	for (unsigned tries = 0; tries < 10000; tries++) {
		for (unsigned i = 0; i < KF_SLOTS; i++)
			if (!ops[i].used)
				return (int)i;
		kf_enter(1, 2 * KF_MS);
	}
	kf_fail(10, "no free slot after 10000 waits (%u blocking)", blocking);
}

static bool kernel_object(uint32_t id);

static void submit(int slot, struct capos_sqe *s, uint8_t kind, bool block)
{
	struct kf_op *o = &ops[slot];
	/* A call or receive that may reach an endpoint completes later. */
	if ((s->opcode == CAPOS_OP_CALL || s->opcode == CAPOS_OP_RECV) && !kernel_object(s->cap_id))
		block = true;
	*o = (struct kf_op){.used = true, .kind = kind, .blocking = block, .opcode = s->opcode};
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
	__asm__ volatile("" ::: "memory");
	RING->header.sq_tail = t + 1;
	st.sqes++;
}

/* Waits for a K_SYNC slot's CQE; returns its result and frees the slot. */
static int32_t kf_wait(int slot, struct capos_cqe *out)
{
	for (unsigned tries = 0; !ops[slot].done; tries++) {
		if (tries > 20000)
			kf_fail(10, "no completion for a synchronous call");
		kf_enter(1, 5 * KF_MS);
	}
	if (out)
		*out = ops[slot].cqe;
	ops[slot].used = false;
	ops[slot].done = false;
	return ops[slot].cqe.result;
}

/* A CALL whose params were built in pbuf[slot] (len bytes). */
static struct capos_sqe call_sqe(int slot, uint32_t cap, uint16_t method, size_t len)
{
	return (struct capos_sqe){
		.opcode = CAPOS_OP_CALL, .cap_id = cap, .method_id = method,
		.addr = (uint64_t)(uintptr_t)pbuf[slot], .len = (uint32_t)len,
		.result_addr = (uint64_t)(uintptr_t)rbuf[slot], .result_len = KF_BUF,
	};
}

/* ------------------------------------------------------------------ */
/* Console output and failure                                          */
/* ------------------------------------------------------------------ */

static void vprint(const char *fmt, va_list ap)
{
	char line[200];
	int n = capos_snprintf(line, sizeof line, "[%s] ", tag);
	capos_vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	int slot = slot_get(false);
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, pbuf[slot], KF_BUF);
	capos_Console_writeLine_Params_builder p = capos_Console_writeLine_Params_init_root(&b);
	capos_Console_writeLine_Params_set_text(p, line, strlen(line));
	capnp_builder_finish(&b, &len);
	struct capos_sqe s = call_sqe(slot, c_console, capos_Console_writeLine_METHOD, len);
	submit(slot, &s, K_SYNC, false);
	kf_wait(slot, 0);
}

static void kf_print(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

static void kf_fail(int check, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	capos_vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!failing) {
		failing = true;
		kf_print("FAIL check %d op %lu: %s", check, (unsigned long)op_no, msg);
		kf_print("reproduce: make fuzz-kernel SEEDS=1 SEED0=%lu OPS=%u%s", (unsigned long)cfg.seed,
		         cfg.ops, cfg.off ? " OFF=..." : "");
	}
	capos_exit(check);
}

/* ------------------------------------------------------------------ */
/* Caps and addresses the generators choose from                       */
/* ------------------------------------------------------------------ */

static void keep_add(uint32_t id, uint64_t iface)
{
	if (id && nkeep < KF_KEEP)
		keep[nkeep++] = (struct kf_cap){id, iface};
}

/* Any cap id: held (kept or pool), stale, next generation, or junk. */
static uint32_t any_cap(void)
{
	switch (pick(8)) {
	case 0: case 1: case 2: return nkeep ? keep[pick(nkeep)].id : 0;
	case 3: case 4: return npool ? pool[pick(npool)].id : 0;
	case 5: return stale[pick(16)];
	case 6: return (nkeep ? keep[pick(nkeep)].id : 0) + (1u << 10);
	default: return chance(2) ? (uint32_t)pick(40) : (uint32_t)next();
	}
}

/* A held cap with this interface (kept or pool), or any cap. */
static uint32_t cap_of(uint64_t iface)
{
	uint32_t found[KF_KEEP + KF_POOL];
	unsigned n = 0;
	for (unsigned i = 0; i < nkeep; i++)
		if (keep[i].iface == iface)
			found[n++] = keep[i].id;
	for (unsigned i = 0; i < npool; i++)
		if (pool[i].iface == iface)
			found[n++] = pool[i].id;
	if (n == 0 || chance(16))
		return any_cap();
	return found[pick(n)];
}

static bool pool_has(uint32_t id, uint64_t iface)
{
	for (unsigned i = 0; i < npool; i++)
		if (pool[i].id == id && pool[i].iface == iface)
			return true;
	return false;
}

/* A cap we hold that is not an endpoint or process handle: its calls
 * complete inside cap_enter. */
static bool kernel_object(uint32_t id)
{
	for (unsigned i = 0; i < nkeep; i++)
		if (keep[i].id == id)
			return keep[i].iface != capos_Endpoint_ID && keep[i].iface != capos_ProcessHandle_ID;
	for (unsigned i = 0; i < npool; i++)
		if (pool[i].id == id)
			return pool[i].iface != capos_Endpoint_ID && pool[i].iface != capos_ProcessHandle_ID;
	return false;
}

static bool is_kept(uint32_t id)
{
	for (unsigned i = 0; i < nkeep; i++)
		if (keep[i].id == id)
			return true;
	return false;
}

/* Takes a pool cap out of the pool (released or moved away). */
static uint32_t pool_take(void)
{
	if (npool == 0)
		return 0;
	unsigned i = (unsigned)pick(npool);
	uint32_t id = pool[i].id;
	pool[i] = pool[--npool];
	return id;
}

static uint64_t any_addr(void)
{
	static const uint64_t bases[] = {
		0, CAPOS_USER_ANON_BASE, 0x100000000000ull, 0x400000, CAPOS_RING_VADDR,
		CAPOS_CAPSET_VADDR, CAPOS_USER_STACK_TOP - P, CAPOS_USER_ANON_END - P,
		0xffff800000000000ull, 0xfffffffffffff000ull, CAPOS_USER_END - P, 0x10000000,
	};
	uint64_t a = chance(3) ? recent[pick(16)] : bases[pick(sizeof bases / sizeof bases[0])];
	switch (pick(6)) {
	case 0: return a + pick(8) * P;
	case 1: return a - pick(4) * P;
	case 2: return a + pick(P);
	case 3: return next();
	default: return a;
	}
}

static uint64_t any_size(void)
{
	switch (pick(7)) {
	case 0: return 0;
	case 1: return pick(3 * P);
	case 2: return next();
	case 3: return (uint64_t)pick(64) << 20;
	case 4: return CAPOS_USER_END - (next() & ~(uint64_t)(P - 1)) % CAPOS_USER_END;
	default: return (1 + pick(8)) * P;
	}
}

/* Mostly valid (read, read-write, read-exec), so maps succeed too. */
static uint32_t any_prot(void)
{
	static const uint32_t valid[] = {1, 3, 5, 3};
	switch (pick(10)) {
	case 0: return (uint32_t)next();
	case 1: case 2: return (uint32_t)pick(8);
	default: return valid[pick(4)];
	}
}

/* A result buffer the kernel must not report success into. */
static uint64_t bad_result_addr(void)
{
	static const uint64_t bad[] = {
		CAPOS_CAPSET_VADDR, KF_HOLE, 0x400000, 0xffff800000000000ull,
		CAPOS_USER_END - 8, 0,
	};
	return bad[pick(sizeof bad / sizeof bad[0])];
}

/* Sometimes lies in the params: overwrites or flips one of the message's
 * first words (segment table, root pointer, list pointers, data). */
static bool lie(int slot, size_t *len)
{
	if (*len == 0 || !chance(4))
		return false;
	uint64_t *w = (uint64_t *)pbuf[slot];
	unsigned i = (unsigned)pick((*len + 7) / 8 < 6 ? (*len + 7) / 8 : 6);
	switch (pick(4)) {
	case 0: w[i] = next(); break;
	case 1: w[i] ^= 1ull << pick(64); break;
	case 2: *len = pick(*len); break;
	default: w[i] = (w[i] & 0xffffffffull) | (next() & 0xffffffff00000000ull); break;
	}
	return true;
}

/* Result buffer: ours with a capacity, or a bad one (then it must fail). */
static uint8_t result_choice(struct capos_sqe *s)
{
	if (chance(10)) {
		s->result_addr = bad_result_addr();
		s->result_len = 8 + (uint32_t)pick(256);
		return K_BADBUF;
	}
	if (chance(8))
		s->result_len = (uint32_t)pick(KF_BUF);
	return K_ANY;
}

/* ------------------------------------------------------------------ */
/* Kernel capability methods with adversarial values                   */
/* ------------------------------------------------------------------ */

#define BUILD(T, var) \
	struct capnp_builder b; \
	capnp_builder_init(&b, pbuf[slot], KF_BUF); \
	T##_builder var = T##_init_root(&b); \
	(void)var

static size_t finish(struct capnp_builder *b)
{
	size_t len = 0;
	capnp_builder_finish(b, &len);
	return len;
}

static void op_console(void)
{
	int slot = slot_get(false);
	size_t len;
	uint16_t m = (uint16_t)pick(3);
	/* Text is printable and ends the line, so a lie prints no control
	 * bytes that could glue onto the kernel's next log line. */
	if (m == capos_Console_write_METHOD) {
		BUILD(capos_Console_write_Params, p);
		capos_Console_write_Params_set_data(p, "~\n", 2);
		len = finish(&b);
	} else {
		BUILD(capos_Console_writeLine_Params, p);
		capos_Console_writeLine_Params_set_text(p, "~", 1);
		len = finish(&b);
	}
	uint64_t *w = (uint64_t *)pbuf[slot];
	if (len >= 16 && chance(4)) /* lie in the pointers only */
		w[1 + pick(2) % (len / 8 - 1)] ^= 1ull << pick(64);
	struct capos_sqe s = call_sqe(slot, chance(8) ? any_cap() : c_console, m, len);
	submit(slot, &s, result_choice(&s), false);
}

static void op_frames(void)
{
	int slot = slot_get(false);
	uint16_t m = (uint16_t)pick(6);
	size_t len;
	uint8_t kind = K_ANY;
	uint64_t arg = 0;
	switch (m) {
	case capos_FrameAllocator_freeFrame_METHOD: {
		BUILD(capos_FrameAllocator_freeFrame_Params, p);
		arg = nheld && chance(2) ? held[pick(nheld)] : chance(2) ? recent[pick(16)] : any_addr();
		capos_FrameAllocator_freeFrame_Params_set_physAddr(p, arg);
		len = finish(&b);
		kind = K_FREE;
		break;
	}
	case capos_FrameAllocator_allocContiguous_METHOD: {
		BUILD(capos_FrameAllocator_allocContiguous_Params, p);
		arg = chance(3) ? (uint32_t)next() : pick(9);
		capos_FrameAllocator_allocContiguous_Params_set_count(p, (uint32_t)arg);
		len = finish(&b);
		kind = K_FRAME;
		break;
	}
	case capos_FrameAllocator_allocMemory_METHOD: {
		BUILD(capos_FrameAllocator_allocMemory_Params, p);
		capos_FrameAllocator_allocMemory_Params_set_pages(p, chance(4) ? (uint32_t)next()
		                                                               : (uint32_t)pick(5));
		len = finish(&b);
		kind = K_CAPS;
		break;
	}
	default: { /* allocFrame, query, unknown: no params */
		BUILD(capos_FrameAllocator_query_Params, p);
		len = finish(&b);
		if (m == capos_FrameAllocator_allocFrame_METHOD) {
			kind = K_FRAME;
			arg = 1;
		}
		break;
	}
	}
	/* Allocations are never lied to: a frame we did not see handed out
	 * would make the freeFrame check wrong. */
	bool alloc = kind == K_FRAME || kind == K_CAPS;
	bool lied = !alloc && lie(slot, &len);
	struct capos_sqe s = call_sqe(slot, c_frames, m, len);
	/* Allocations always get a result buffer that fits (op_effect
	 * tries the others, one at a time, and measures the ledger). */
	uint8_t rk = alloc ? K_ANY : result_choice(&s);
	if (rk == K_BADBUF)
		kind = K_BADBUF;
	else if (lied)
		kind = K_ANY;
	submit(slot, &s, kind, false);
	ops[slot].arg = arg;
}

static void op_vm(void)
{
	int slot = slot_get(false);
	uint16_t m = (uint16_t)pick(4);
	size_t len;
	uint8_t kind = K_ANY;
	uint32_t prot = any_prot();
	uint64_t size = chance(4) ? any_size() : (1 + pick(8)) * P;
	switch (m) {
	case capos_VirtualMemory_map_METHOD: {
		BUILD(capos_VirtualMemory_map_Params, p);
		uint64_t hint = chance(3) ? any_addr() : 0;
		if (hint && chance(8)) { /* exactly to the end of the window */
			hint &= ~(uint64_t)(P - 1);
			size = CAPOS_RING_VADDR - hint;
		}
		if (hint && (cfg.off & OFF_HUGEHINT) && size > (1u << 20))
			size = (1 + pick(4)) * P;
		capos_VirtualMemory_map_Params_set_hint(p, hint);
		capos_VirtualMemory_map_Params_set_size(p, size);
		capos_VirtualMemory_map_Params_set_prot(p, prot);
		len = finish(&b);
		kind = K_VMMAP;
		break;
	}
	case capos_VirtualMemory_unmap_METHOD: {
		BUILD(capos_VirtualMemory_unmap_Params, p);
		capos_VirtualMemory_unmap_Params_set_addr(p, chance(2) ? recent[pick(16)] : any_addr());
		capos_VirtualMemory_unmap_Params_set_size(p, size);
		len = finish(&b);
		break;
	}
	default: {
		BUILD(capos_VirtualMemory_protect_Params, p);
		capos_VirtualMemory_protect_Params_set_addr(p, chance(2) ? recent[pick(16)] : any_addr());
		capos_VirtualMemory_protect_Params_set_size(p, size);
		capos_VirtualMemory_protect_Params_set_prot(p, prot);
		len = finish(&b);
		break;
	}
	}
	bool lied = lie(slot, &len);
	struct capos_sqe s = call_sqe(slot, chance(16) ? any_cap() : c_vm, m, len);
	uint8_t rk = result_choice(&s);
	if (rk == K_BADBUF || lied || s.cap_id != c_vm)
		kind = rk;
	/* A map is checked before anything else can touch its pages. */
	submit(slot, &s, kind == K_VMMAP ? K_SYNC : kind, false);
	ops[slot].arg = prot;
	ops[slot].arg2 = size;
	if (kind == K_VMMAP) {
		struct capos_cqe c;
		kf_wait(slot, &c);
		ops[slot] = (struct kf_op){.kind = K_VMMAP, .arg = prot, .arg2 = size, .cqe = c};
		complete_kind(&ops[slot], (unsigned)slot);
	}
}

static void op_memory_object(void)
{
	int slot = slot_get(false);
	uint16_t m = (uint16_t)pick(4);
	size_t len;
	uint32_t prot = any_prot();
	uint32_t cap = cap_of(capos_MemoryObject_ID);
	switch (m) {
	case capos_MemoryObject_map_METHOD: {
		BUILD(capos_MemoryObject_map_Params, p);
		capos_MemoryObject_map_Params_set_hint(p, chance(2) ? 0 : any_addr());
		capos_MemoryObject_map_Params_set_prot(p, prot);
		len = finish(&b);
		break;
	}
	case capos_MemoryObject_unmap_METHOD: {
		BUILD(capos_MemoryObject_unmap_Params, p);
		capos_MemoryObject_unmap_Params_set_addr(p, chance(2) ? recent[pick(16)] : any_addr());
		len = finish(&b);
		break;
	}
	default: {
		BUILD(capos_MemoryObject_info_Params, p);
		len = finish(&b);
		break;
	}
	}
	bool lied = lie(slot, &len);
	struct capos_sqe s = call_sqe(slot, cap, m, len);
	uint8_t rk = result_choice(&s);
	/* Waited for only when it is a MemoryObject: a call to an endpoint
	 * (our own, say) would wait for a RECV that cannot come. */
	bool map = m == capos_MemoryObject_map_METHOD && rk == K_ANY && !lied &&
	           pool_has(cap, capos_MemoryObject_ID);
	submit(slot, &s, map ? K_SYNC : rk, false);
	if (map) {
		/* Nobody ever writes MemoryObject pages, so every map of one
		 * reads zero (its first page: the only one known to exist). */
		struct capos_cqe c;
		kf_wait(slot, &c);
		ops[slot] = (struct kf_op){.kind = K_MOMAP, .arg = prot, .arg2 = P, .cqe = c};
		complete_kind(&ops[slot], (unsigned)slot);
	}
}

/* The caller's charged frames (FrameAllocator.query heldFrames). */
static uint64_t charged(void)
{
	int slot = slot_get(false);
	BUILD(capos_FrameAllocator_query_Params, p);
	struct capos_sqe s = call_sqe(slot, c_frames, capos_FrameAllocator_query_METHOD, finish(&b));
	submit(slot, &s, K_SYNC, false);
	struct capos_cqe c;
	if (kf_wait(slot, &c) < 0)
		kf_fail(12, "FrameAllocator.query failed: %d", c.result);
	struct capnp_reader m;
	capnp_reader_init(&m, rbuf[slot], (size_t)c.result);
	return capos_FrameAllocator_query_Results_get_heldFrames(
		capos_FrameAllocator_query_Results_read_root(&m));
}

/*
 * Check before effect: an allocation or map whose result buffer is too
 * small or read-only must fail without granting anything.  Nothing else of
 * ours is in flight that could change the ledger between the two queries
 * (endpoint operations do not touch it).
 */
static void op_effect(void)
{
	for (unsigned i = 0; i < KF_SLOTS; i++) /* let every kernel call finish */
		while (ops[i].used && !ops[i].blocking)
			kf_enter(1, KF_MS);
	uint64_t before = charged();
	int slot = slot_get(false);
	uint16_t m = (uint16_t)pick(4);
	size_t len;
	const char *what;
	if (m == 0) {
		BUILD(capos_FrameAllocator_allocContiguous_Params, p);
		capos_FrameAllocator_allocContiguous_Params_set_count(p, 1 + (uint32_t)pick(3));
		len = finish(&b);
		what = "FrameAllocator.allocContiguous";
		m = capos_FrameAllocator_allocContiguous_METHOD;
	} else if (m == 1) {
		BUILD(capos_FrameAllocator_allocMemory_Params, p);
		capos_FrameAllocator_allocMemory_Params_set_pages(p, 1 + (uint32_t)pick(3));
		len = finish(&b);
		what = "FrameAllocator.allocMemory";
		m = capos_FrameAllocator_allocMemory_METHOD;
	} else if (m == 2) {
		BUILD(capos_VirtualMemory_map_Params, p);
		capos_VirtualMemory_map_Params_set_size(p, (1 + pick(3)) * P);
		capos_VirtualMemory_map_Params_set_prot(p, 3);
		len = finish(&b);
		what = "VirtualMemory.map";
		m = capos_VirtualMemory_map_METHOD;
	} else {
		BUILD(capos_FrameAllocator_allocFrame_Params, p);
		len = finish(&b);
		what = "FrameAllocator.allocFrame";
		m = capos_FrameAllocator_allocFrame_METHOD;
	}
	struct capos_sqe s = call_sqe(slot, m == capos_VirtualMemory_map_METHOD ? c_vm : c_frames,
	                              m, len);
	if (chance(2)) {
		s.result_len = 1 + (uint32_t)pick(8); /* no result message fits */
	} else {
		s.result_addr = CAPOS_CAPSET_VADDR;
		s.result_len = 64;
	}
	submit(slot, &s, K_SYNC, false);
	struct capos_cqe c;
	int32_t r = kf_wait(slot, &c);
	uint64_t after = charged();
	if (r >= 0)
		kf_fail(4, "%s succeeded (%d) into a %s result buffer", what, r,
		        s.result_addr == CAPOS_CAPSET_VADDR ? "read-only" : "too small");
	if (after != before) {
		held_exact = false; /* frames we cannot name now */
		if (!(cfg.off & OFF_EFFECT))
			kf_fail(12, "%s failed (%d) but charged frames went %lu -> %lu", what, r,
			        (unsigned long)before, (unsigned long)after);
	}
}

static void op_boot(void)
{
	if (!c_boot)
		return;
	int slot = slot_get(false);
	uint16_t m = (uint16_t)pick(4);
	size_t len;
	if (m == capos_BootPackage_readManifest_METHOD) {
		BUILD(capos_BootPackage_readManifest_Params, p);
		capos_BootPackage_readManifest_Params_set_offset(p, chance(2) ? pick(1u << 20) : next());
		capos_BootPackage_readManifest_Params_set_maxBytes(
			p, chance(3) ? (uint32_t)next() : (uint32_t)pick(KF_BUF));
		len = finish(&b);
	} else {
		BUILD(capos_BootPackage_manifestSize_Params, p);
		len = finish(&b);
	}
	(void)lie(slot, &len);
	struct capos_sqe s = call_sqe(slot, chance(16) ? any_cap() : c_boot, m, len);
	submit(slot, &s, result_choice(&s), false);
}

static void op_spawn(void)
{
	if (!c_spawner || !chance(4))
		return;
	int slot = slot_get(false);
	static const char *const names[] = {"kfuzz", "", "no-such-binary", "kfuzz-child-name-that-is-long"};
	BUILD(capos_ProcessSpawner_spawn_Params, p);
	const char *nm = names[pick(4)];
	if (chance(4))
		capos_ProcessSpawner_spawn_Params_set_name(p, "bad name/", 9);
	else
		capos_ProcessSpawner_spawn_Params_set_name(p, "kfuzz-child", 11);
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, nm, strlen(nm));
	uint32_t n = (uint32_t)pick(4);
	struct capnp_list_builder l = capos_ProcessSpawner_spawn_Params_init_grants(p, n);
	static const char *const gnames[] = {"a", "b", "console", "ctl", "", "a"};
	for (uint32_t i = 0; i < n; i++) {
		capos_CapGrant_builder g = capos_CapGrant_list_at(l, i);
		const char *gn = gnames[pick(6)];
		capos_CapGrant_set_name(g, gn, strlen(gn));
		bool move = chance(4);
		uint32_t id = move ? (chance(2) ? pool_take() : (uint32_t)next()) : any_cap();
		if (move && is_kept(id))
			id = 0;
		capos_CapGrant_set_capId(g, id);
		capos_CapGrant_set_mode(g, move ? capos_TransferMode_move : capos_TransferMode_copy);
		capos_CapGrant_set_badge(g, chance(3) ? pick(4) : 0);
		capos_CapGrant_set_interfaceId(g, chance(4) ? next() : 0);
		capos_CapGrant_set_newEndpoint(g, chance(5));
	}
	size_t len = finish(&b);
	(void)lie(slot, &len);
	struct capos_sqe s = call_sqe(slot, c_spawner, capos_ProcessSpawner_spawn_METHOD, len);
	uint8_t rk = result_choice(&s);
	submit(slot, &s, rk == K_ANY ? K_CAPS : rk, false);
}

static void op_handle(void)
{
	int slot = slot_get(true);
	if (slot < 0)
		return;
	struct capos_sqe s = call_sqe(slot, cap_of(capos_ProcessHandle_ID),
	                              chance(8) ? (uint16_t)pick(4) : capos_ProcessHandle_wait_METHOD,
	                              0);
	BUILD(capos_ProcessHandle_wait_Params, p);
	s.len = (uint32_t)finish(&b);
	submit(slot, &s, result_choice(&s), true);
}

/* ------------------------------------------------------------------ */
/* Endpoints: CALL with transfers, RECV, RETURN, RELEASE               */
/* ------------------------------------------------------------------ */

/* Transfer descriptors after the params at pbuf[slot] + align8(len). */
static uint8_t add_xfers(int slot, uint32_t len, uint32_t target)
{
	uint8_t n = chance(3) ? (uint8_t)(1 + pick(3)) : 0;
	struct capos_xfer_desc *d = (void *)(pbuf[slot] + capos_align8(len));
	for (uint8_t i = 0; i < n; i++) {
		d[i] = (struct capos_xfer_desc){.cap_id = any_cap(), .mode = CAPOS_XFER_COPY};
		if (chance(3)) { /* move: only what we may lose */
			d[i].mode = CAPOS_XFER_MOVE;
			d[i].cap_id = chance(4) ? any_cap() : pool_take();
			if (is_kept(d[i].cap_id))
				d[i].cap_id = 0;
		}
		if (chance(12))
			d[i].mode = (uint32_t)next();
		if (chance(12))
			d[i].badge = next();
		/* An endpoint's owner cap carried in a call to that endpoint. */
		if ((cfg.off & OFF_SELFCOPY) && (d[i].cap_id == c_ctl || d[i].cap_id == target))
			d[i].cap_id = 0;
	}
	return n;
}

static void op_call(void)
{
	int slot = slot_get(true);
	if (slot < 0)
		return;
	uint32_t len = (uint32_t)pick(200);
	for (uint32_t i = 0; i < len; i++)
		pbuf[slot][i] = (uint8_t)next();
	uint32_t target = chance(3) && c_ctl ? c_ctl : cap_of(capos_Endpoint_ID);
	struct capos_sqe s = {
		.opcode = CAPOS_OP_CALL, .cap_id = target, .method_id = (uint16_t)next(),
		.addr = (uint64_t)(uintptr_t)pbuf[slot], .len = len,
		.result_addr = (uint64_t)(uintptr_t)rbuf[slot], .result_len = KF_BUF,
		.timeout_ns = chance(6) ? 0 : (1 + pick(20)) * KF_MS,
	};
	s.xfer_cap_count = add_xfers(slot, len, target);
	uint8_t rk = result_choice(&s);
	submit(slot, &s, rk == K_ANY ? K_CAPS : rk, true);
}

static void op_recv(void)
{
	int slot = slot_get(true);
	if (slot < 0)
		return;
	struct capos_sqe s = {
		.opcode = CAPOS_OP_RECV, .cap_id = chance(4) ? cap_of(capos_Endpoint_ID) : c_ctl,
		.result_addr = (uint64_t)(uintptr_t)rbuf[slot], .result_len = KF_BUF,
		.timeout_ns = chance(8) ? 0 : (1 + pick(20)) * KF_MS,
	};
	if (s.cap_id == 0)
		s.cap_id = any_cap();
	uint8_t rk = result_choice(&s);
	submit(slot, &s, rk == K_ANY ? K_RECV : rk, true);
}

static void op_return(void)
{
	int slot = slot_get(false);
	uint32_t len = (uint32_t)pick(120);
	for (uint32_t i = 0; i < len; i++)
		pbuf[slot][i] = (uint8_t)next();
	struct capos_sqe s = {
		.opcode = CAPOS_OP_RETURN, .cap_id = chance(6) ? cap_of(capos_Endpoint_ID) : c_ctl,
		.addr = (uint64_t)(uintptr_t)pbuf[slot], .len = len,
		.call_id = chance(6) ? (uint32_t)next() : calls[pick(16)],
		.flags = chance(4) ? CAPOS_SQE_EXCEPTION : 0,
	};
	if (s.cap_id == 0)
		s.cap_id = any_cap();
	s.xfer_cap_count = add_xfers(slot, len, 0);
	submit(slot, &s, K_ANY, false);
}

static void op_release(void)
{
	int slot = slot_get(false);
	struct capos_sqe s = {.opcode = CAPOS_OP_RELEASE};
	uint8_t kind = K_ANY;
	if (chance(3) && stale[0]) { /* an id released before: stale for good */
		s.cap_id = stale[pick(16)];
		kind = s.cap_id ? K_EXPECT : K_ANY;
	} else if (npool) {
		s.cap_id = pool_take();
		kind = K_RELEASE;
	} else {
		s.cap_id = (uint32_t)next() | 1u << 31;
	}
	if (is_kept(s.cap_id))
		return; /* never ours to drop */
	submit(slot, &s, kind, false);
	ops[slot].expect = CAPOS_ERR_BAD_CAP;
	ops[slot].arg = s.cap_id;
}

/* ------------------------------------------------------------------ */
/* Raw SQEs: garbage, and one fault on a valid SQE                      */
/* ------------------------------------------------------------------ */

static void op_garbage(void)
{
	int slot = slot_get(true);
	if (slot < 0)
		return;
	struct capos_sqe s;
	uint64_t *w = (uint64_t *)&s;
	for (unsigned i = 0; i < sizeof s / 8; i++)
		w[i] = next();
	for (unsigned i = 0; i < KF_BUF / 8; i++)
		((uint64_t *)pbuf[slot])[i] = next();
	if (!chance(4)) { /* mostly well-formed, so the deep paths run */
		s.opcode = (uint8_t)pick(CAPOS_OP_FIRST_RESERVED + 1);
		s.flags = 0;
		s.reserved0 = s.reserved1 = 0;
		s.pipeline_dep = 0;
		s.pipeline_field = 0;
		s.xfer_cap_count = chance(8) ? (uint8_t)pick(10) : 0;
		s.method_id = (uint16_t)pick(6);
		s.timeout_ns = (1 + pick(10)) * KF_MS;
	}
	s.cap_id = any_cap();
	if (s.cap_id == c_frames) /* allocations we could not track */
		s.cap_id = c_console;
	s.addr = chance(2) ? (uint64_t)(uintptr_t)pbuf[slot] : any_addr();
	s.len = chance(8) ? (uint32_t)next() : (uint32_t)pick(KF_BUF - 8 * 16);
	uint8_t kind = K_ANY;
	if (chance(3)) {
		s.result_addr = bad_result_addr();
		kind = K_BADBUF;
	} else {
		s.result_addr = (uint64_t)(uintptr_t)rbuf[slot];
		s.result_len = (uint32_t)pick(KF_BUF + 1);
	}
	/* Descriptors are random words: never let them move or drop ours. */
	if (s.opcode == CAPOS_OP_RELEASE && is_kept(s.cap_id))
		s.cap_id = 0;
	if (s.xfer_cap_count && s.addr == (uint64_t)(uintptr_t)pbuf[slot]) {
		struct capos_xfer_desc *d = (void *)(pbuf[slot] + capos_align8(s.len));
		for (unsigned i = 0; i < s.xfer_cap_count && capos_align8(s.len) + (i + 1) * 16 <= KF_BUF; i++)
			if (is_kept(d[i].cap_id) || (d[i].cap_id & 0x3ff) < 64)
				d[i].cap_id |= 1u << 31;
	}
	/* A success only counts against a bad buffer when the kernel had to
	 * write one: RELEASE and NOP write nothing, and result_len 0 asks
	 * for nothing. */
	if (kind == K_BADBUF && (s.opcode == CAPOS_OP_NOP || s.opcode == CAPOS_OP_RELEASE ||
	                         s.opcode == CAPOS_OP_RETURN || s.result_len == 0))
		kind = K_ANY;
	/* A garbage RETURN with a random call id could answer a call to
	 * someone else's endpoint; harmless, but keep the owner check. */
	submit(slot, &s, kind, true);
}

/* One fault on a valid SQE: the documented error, always. */
static void op_malformed(void)
{
	int slot = slot_get(false);
	struct capos_sqe s = {.opcode = CAPOS_OP_NOP};
	int32_t want;
	unsigned c = (unsigned)pick(15);
	switch (c) {
	case 0: s.opcode = (uint8_t)(CAPOS_OP_FIRST_RESERVED + pick(251)); want = CAPOS_ERR_RESERVED_OPCODE; break;
	case 1: s.flags = (uint16_t)(1u << pick(16)); want = CAPOS_ERR_INVALID_SQE; break;
	case 2: s.reserved0 = (uint16_t)(1 + pick(0xfffe)); want = CAPOS_ERR_INVALID_SQE; break;
	case 3: s.reserved1 = (uint16_t)(1 + pick(0xfffe)); want = CAPOS_ERR_INVALID_SQE; break;
	case 4: s.pipeline_dep = 1 + (uint32_t)pick(0xfffffffe); want = CAPOS_ERR_INVALID_SQE; break;
	case 5: s.pipeline_field = (uint16_t)(1 + pick(0xfffe)); want = CAPOS_ERR_INVALID_SQE; break;
	case 6: s.xfer_cap_count = (uint8_t)(1 + pick(255)); want = CAPOS_ERR_BAD_TRANSFER; break;
	case 7: /* CALL with more descriptors than allowed */
		s.opcode = CAPOS_OP_CALL;
		s.cap_id = c_console;
		s.xfer_cap_count = (uint8_t)(CAPOS_XFER_MAX + 1 + pick(255 - CAPOS_XFER_MAX));
		want = CAPOS_ERR_BAD_TRANSFER;
		break;
	case 8: /* params or result in the kernel half */
		s.opcode = CAPOS_OP_CALL;
		s.cap_id = c_console;
		s.len = 8;
		s.addr = 0xffff800000000000ull + pick(1ull << 40);
		want = CAPOS_ERR_BAD_BUFFER;
		break;
	case 9: /* a cap id that never resolves: 0 */
		s.opcode = chance(2) ? CAPOS_OP_CALL : CAPOS_OP_RELEASE;
		want = CAPOS_ERR_BAD_CAP;
		break;
	case 10: /* RECV on a Console */
		s.opcode = CAPOS_OP_RECV;
		s.cap_id = c_console;
		want = CAPOS_ERR_NOT_PERMITTED;
		break;
	case 12: /* a valid message to a method Console does not have */
	case 13: /* params on an unmapped page */
	case 14: { /* a read-only result buffer: refused before the write */
		BUILD(capos_Console_writeLine_Params, p);
		capos_Console_writeLine_Params_set_text(p, "~", 1);
		s = call_sqe(slot, c_console, capos_Console_writeLine_METHOD, finish(&b));
		want = CAPOS_ERR_BAD_BUFFER;
		if (c == 12) {
			s.method_id = (uint16_t)(2 + pick(0xfffe));
			want = CAPOS_ERR_UNKNOWN_METHOD;
		} else if (c == 13) {
			s.addr = KF_HOLE + pick(16) * P;
		} else {
			s.result_addr = CAPOS_CAPSET_VADDR;
		}
		break;
	}
	default: /* a kernel object takes no transfers */
		s.opcode = CAPOS_OP_CALL;
		s.cap_id = c_console;
		s.xfer_cap_count = 1;
		s.addr = (uint64_t)(uintptr_t)pbuf[slot];
		((struct capos_xfer_desc *)pbuf[slot])[0] = (struct capos_xfer_desc){.cap_id = c_console};
		want = CAPOS_ERR_BAD_TRANSFER;
		break;
	}
	submit(slot, &s, K_EXPECT, false);
	ops[slot].expect = want;
	ops[slot].arg = c;
}

/* ------------------------------------------------------------------ */
/* Ring index corruption                                                */
/* ------------------------------------------------------------------ */

static void op_corrupt(void)
{
	volatile struct capos_ring_header *h = &RING->header;
	st.corrupt++;
	switch (pick(3)) {
	case 0: { /* sq_tail too far ahead: refused, nothing consumed */
		uint32_t t = h->sq_tail;
		h->sq_tail = t + CAPOS_SQ_ENTRIES + 1 + (uint32_t)pick(1u << 31);
		int64_t r = capos_cap_enter(0, CAPOS_NO_WAIT);
		h->sq_tail = t;
		if (r != CAPOS_ERR_RING_CORRUPT)
			kf_fail(7, "cap_enter with sq_tail %u ahead = %ld", CAPOS_SQ_ENTRIES + 1, (long)r);
		break;
	}
	case 1: { /* cq_head past cq_tail */
		uint32_t hd = h->cq_head;
		h->cq_head = h->cq_tail + 1 + (uint32_t)pick(1u << 31);
		int64_t r = capos_cap_enter(0, CAPOS_NO_WAIT);
		h->cq_head = hd;
		if (r != CAPOS_ERR_RING_CORRUPT)
			kf_fail(7, "cap_enter with cq_head past cq_tail = %ld", (long)r);
		break;
	}
	default: { /* kernel-owned fields: the kernel rewrites them */
		uint32_t sqh = h->sq_head, cqt = h->cq_tail;
		h->sq_head = (uint32_t)next();
		h->cq_tail = (uint32_t)next();
		h->sq_entries = (uint32_t)next();
		h->cq_mask = (uint32_t)next();
		h->reserved[pick(5)] = (uint32_t)next();
		int64_t r = capos_cap_enter(0, CAPOS_NO_WAIT);
		if (r < 0 || h->sq_entries != CAPOS_SQ_ENTRIES || h->cq_mask != CAPOS_CQ_ENTRIES - 1 ||
		    h->sq_head - sqh > CAPOS_SQ_ENTRIES || h->cq_tail - cqt > CAPOS_CQ_ENTRIES)
			kf_fail(7, "kernel-owned ring fields not restored (cap_enter %ld)", (long)r);
		break;
	}
	}
	kf_reap();
}

/* ------------------------------------------------------------------ */
/* Raw syscalls with poisoned registers and RFLAGS                      */
/* ------------------------------------------------------------------ */

#define RFLAGS_DF 0x400ull
#define RFLAGS_NT 0x4000ull
#define RFLAGS_AC 0x40000ull

static uint64_t poison_flags(void)
{
	uint64_t f = 0;
	if (chance(2))
		f |= RFLAGS_DF;
	if (chance(2))
		f |= RFLAGS_AC;
	if (!(cfg.off & OFF_NT) && chance(2))
		f |= RFLAGS_NT;
	return f;
}

/*
 * One syscall with the flags in `fl` set and junk in every register the
 * ABI does not use; everything but rax, rcx and r11 must come back.
 */
static int64_t raw_syscall(uint64_t nr, uint64_t a, uint64_t b, uint64_t fl, const uint64_t j[7],
                           uint64_t back[7])
{
	register uint64_t rdx __asm__("rdx") = j[0];
	register uint64_t r8 __asm__("r8") = j[1];
	register uint64_t r9 __asm__("r9") = j[2];
	register uint64_t r10 __asm__("r10") = j[3];
	register uint64_t r12 __asm__("r12") = j[4];
	register uint64_t r13 __asm__("r13") = j[5];
	register uint64_t r14 __asm__("r14") = j[6];
	int64_t ret;
	__asm__ volatile("pushfq\n\t"
	                 "orq %[fl], (%%rsp)\n\t"
	                 "popfq\n\t"
	                 "syscall\n\t"
	                 "cld\n\t"
	                 : "=a"(ret), "+D"(a), "+S"(b), "+r"(rdx), "+r"(r8), "+r"(r9), "+r"(r10),
	                   "+r"(r12), "+r"(r13), "+r"(r14)
	                 : "a"(nr), [fl] "r"(fl)
	                 : "rcx", "r11", "memory", "cc");
	back[0] = rdx, back[1] = r8, back[2] = r9, back[3] = r10;
	back[4] = r12, back[5] = r13, back[6] = r14;
	return ret;
}

/* Spins with the flags set so timer interrupts arrive on top of them. */
static void spin_with_flags(uint64_t fl, uint64_t n)
{
	__asm__ volatile("pushfq\n\t"
	                 "orq %[fl], (%%rsp)\n\t"
	                 "popfq\n\t"
	                 "1: decq %[n]\n\t"
	                 "jnz 1b\n\t"
	                 "pushfq\n\t"
	                 "notq %[fl]\n\t"
	                 "andq %[fl], (%%rsp)\n\t"
	                 "popfq\n\t"
	                 : [n] "+r"(n), [fl] "+r"(fl)
	                 :
	                 : "memory", "cc");
}

static void op_syscall(void)
{
	uint64_t j[7], back[7];
	for (unsigned i = 0; i < 7; i++)
		j[i] = chance(2) ? next() : 0xffff800000000000ull + pick(1u << 30);
	uint64_t fl = poison_flags();
	uint64_t nr = 0, a = 0, b = 0;
	int64_t want_lo = 0, want_hi = CAPOS_CQ_ENTRIES;
	switch (pick(5)) {
	case 0: /* an unknown syscall number */
		nr = 2 + pick(1ull << 62);
		a = next(), b = next();
		want_lo = want_hi = CAPOS_ERR_INVALID_ARGUMENT;
		break;
	case 1: /* min_complete out of range */
		a = CAPOS_CQ_ENTRIES + 1 + pick(1ull << 40);
		b = next();
		want_lo = want_hi = CAPOS_ERR_INVALID_ARGUMENT;
		break;
	case 2: /* no wait, any timeout value */
		a = 0;
		b = next();
		break;
	case 3: /* a short blocking wait: another process runs meanwhile */
		a = 1 + pick(CAPOS_CQ_ENTRIES);
		b = (1 + pick(3)) * KF_MS;
		break;
	default:
		spin_with_flags(fl, 1000 + pick(200000));
		return;
	}
	st.syscalls++;
	int64_t r = raw_syscall(nr, a, b, fl, j, back);
	if (r < want_lo || r > want_hi)
		kf_fail(7, "syscall(%#lx, %#lx, %#lx) flags %#lx = %ld, expected %ld..%ld",
		        (unsigned long)nr, (unsigned long)a, (unsigned long)b, (unsigned long)fl, (long)r,
		        (long)want_lo, (long)want_hi);
	for (unsigned i = 0; i < 7; i++)
		if (back[i] != j[i])
			kf_fail(7, "syscall %#lx changed preserved register %u: %#lx -> %#lx",
			        (unsigned long)nr, i, (unsigned long)j[i], (unsigned long)back[i]);
	kf_reap();
}

/* ------------------------------------------------------------------ */
/* The loop                                                             */
/* ------------------------------------------------------------------ */

static void check_capset(void)
{
	const uint8_t *page = (const uint8_t *)CAPOS_CAPSET_VADDR;
	for (unsigned i = 0; i < P; i++)
		if (page[i] != capset_copy[i])
			kf_fail(6, "CapSet page changed at offset %u", i);
}

static void fuzz(void)
{
	for (op_no = 0; op_no < cfg.ops; op_no++) {
		unsigned what = (unsigned)pick(20);
		if (cfg.trace)
			kf_print("op %lu: %u", (unsigned long)op_no, what);
		switch (what) {
		case 0: op_garbage(); break;
		case 1: case 2: op_malformed(); break;
		case 3: if (chance(4)) op_corrupt(); else if (chance(3)) op_effect(); break;
		case 4: op_console(); break;
		case 5: case 6: op_frames(); break;
		case 7: case 8: op_vm(); break;
		case 9: op_memory_object(); break;
		case 10: op_boot(); break;
		case 11: op_spawn(); break;
		case 12: op_handle(); break;
		case 13: case 14: op_call(); break;
		case 15: op_recv(); break;
		case 16: op_return(); break;
		case 17: op_release(); break;
		default: op_syscall(); break;
		}
		if (chance(4))
			kf_enter(0, CAPOS_NO_WAIT);
		if (op_no % 64 == 0)
			check_capset();
	}
	/* Collect what completes on its own; the rest is the kernel's to
	 * clean up at exit (blocked calls, receives, waits). */
	for (unsigned i = 0; i < 40 && blocking; i++)
		kf_enter(1, 5 * KF_MS);
	kf_enter(0, CAPOS_NO_WAIT);
	check_capset();
}

static uint32_t capset_id(const char *name, uint64_t iface)
{
	const struct capos_capset_entry *e = capos_capset_find(&capos_rt.capset, name, iface);
	return e ? e->cap_id : 0;
}

static uint64_t parse_u64(const char *s, uint64_t dflt)
{
	if (s == 0 || *s == 0)
		return dflt;
	uint64_t v = 0;
	for (; *s >= '0' && *s <= '9'; s++)
		v = v * 10 + (uint64_t)(*s - '0');
	return v;
}

static uint32_t parse_off(const char *s)
{
	uint32_t off = 0;
	while (s && *s) {
		const char *w = s;
		while (*s && *s != ',')
			s++;
		size_t n = (size_t)(s - w);
		if (n == 2 && strncmp(w, "nt", 2) == 0)
			off |= OFF_NT;
		else if (n == 8 && strncmp(w, "selfcopy", 8) == 0)
			off |= OFF_SELFCOPY;
		else if (n == 8 && strncmp(w, "hugehint", 8) == 0)
			off |= OFF_HUGEHINT;
		else if (n == 6 && strncmp(w, "effect", 6) == 0)
			off |= OFF_EFFECT;
		if (*s == ',')
			s++;
	}
	return off;
}

/* Reads kfuzz.seed, kfuzz.ops, kfuzz.workers and kfuzz.off. */
static void read_config(void)
{
	int slot = slot_get(false);
	BUILD(capos_BootPackage_commandLine_Params, p);
	struct capos_sqe s = call_sqe(slot, c_boot, capos_BootPackage_commandLine_METHOD, finish(&b));
	submit(slot, &s, K_SYNC, false);
	struct capos_cqe c;
	static char line[256];
	if (kf_wait(slot, &c) >= 0) {
		struct capnp_reader m;
		capnp_reader_init(&m, rbuf[slot], (size_t)c.result);
		struct capnp_text t = capos_BootPackage_commandLine_Results_get_text(
			capos_BootPackage_commandLine_Results_read_root(&m));
		if (t.str && t.len < sizeof line)
			memcpy(line, t.str, t.len);
	}
	char v[32];
	cfg.seed = parse_u64(boot_cmdline_get(line, "kfuzz.seed", v, sizeof v), 1);
	cfg.ops = (uint32_t)parse_u64(boot_cmdline_get(line, "kfuzz.ops", v, sizeof v), 2000);
	cfg.workers = (uint32_t)parse_u64(boot_cmdline_get(line, "kfuzz.workers", v, sizeof v), 2);
	if (cfg.workers > KF_WORKERS_MAX)
		cfg.workers = KF_WORKERS_MAX;
	cfg.off = parse_off(boot_cmdline_get(line, "kfuzz.off", v, sizeof v));
	cfg.trace = (uint32_t)parse_u64(boot_cmdline_get(line, "kfuzz.trace", v, sizeof v), 0);
}

/*
 * Spawns worker i with console, allocators, spawner, a new "ctl", and a
 * facet of each earlier worker's ctl badged KF_BADGE + i + 1 (so the
 * receiver can tell who called).
 */
static int spawn_worker(unsigned i, const uint32_t *ctls, uint32_t *handle, uint32_t *ctl)
{
	int slot = slot_get(false);
	BUILD(capos_ProcessSpawner_spawn_Params, p);
	char name[16];
	capos_snprintf(name, sizeof name, "kfuzz.%u", i + 1);
	capos_ProcessSpawner_spawn_Params_set_name(p, name, strlen(name));
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, "kfuzz", 5);
	static const char *const gn[] = {"console", "frames", "vm", "spawner", "ctl"};
	uint32_t ids[] = {c_console, c_frames, c_vm, c_spawner, 0};
	struct capnp_list_builder l = capos_ProcessSpawner_spawn_Params_init_grants(p, 5 + i);
	for (unsigned k = 0; k < 5; k++) {
		capos_CapGrant_builder g = capos_CapGrant_list_at(l, k);
		capos_CapGrant_set_name(g, gn[k], strlen(gn[k]));
		capos_CapGrant_set_capId(g, ids[k]);
		capos_CapGrant_set_newEndpoint(g, k == 4);
	}
	for (unsigned k = 0; k < i; k++) {
		capos_CapGrant_builder g = capos_CapGrant_list_at(l, 5 + k);
		char peer[16];
		capos_snprintf(peer, sizeof peer, "peer%u", k + 1);
		capos_CapGrant_set_name(g, peer, strlen(peer));
		capos_CapGrant_set_capId(g, ctls[k]);
		capos_CapGrant_set_badge(g, KF_BADGE + i + 1);
	}
	struct capos_sqe s = call_sqe(slot, c_spawner, capos_ProcessSpawner_spawn_METHOD, finish(&b));
	submit(slot, &s, K_SYNC, false);
	struct capos_cqe c;
	if (kf_wait(slot, &c) < 0 || c.cap_count != 2)
		return -1;
	const struct capos_cap_record *r = (const void *)(rbuf[slot] + capos_align8((uint32_t)c.result));
	*handle = r[0].cap_id;
	*ctl = r[1].cap_id;
	return 0;
}

static int boot_role(void)
{
	uint32_t handles[KF_WORKERS_MAX], ctls[KF_WORKERS_MAX];
	read_config();
	capos_snprintf(tag, sizeof tag, "kfuzz");
	kf_print("seed %lu ops %u workers %u off%s%s%s%s%s", (unsigned long)cfg.seed, cfg.ops,
	         cfg.workers, cfg.off ? "" : " none", cfg.off & OFF_NT ? " nt" : "",
	         cfg.off & OFF_SELFCOPY ? " selfcopy" : "", cfg.off & OFF_HUGEHINT ? " hugehint" : "",
	         cfg.off & OFF_EFFECT ? " effect" : "");
	for (unsigned i = 0; i < cfg.workers; i++)
		if (spawn_worker(i, ctls, &handles[i], &ctls[i]) != 0)
			kf_fail(10, "spawning worker %u failed", i + 1);
	/* Each worker gets its configuration and every worker's client facet. */
	for (unsigned i = 0; i < cfg.workers; i++) {
		int slot = slot_get(false);
		struct kf_config wc = cfg;
		wc.magic = KF_MAGIC;
		wc.index = i + 1;
		memcpy(pbuf[slot], &wc, sizeof wc);
		struct capos_xfer_desc *d = (void *)(pbuf[slot] + capos_align8(sizeof wc));
		for (unsigned k = 0; k < cfg.workers; k++)
			d[k] = (struct capos_xfer_desc){.cap_id = ctls[k], .mode = CAPOS_XFER_COPY};
		struct capos_sqe s = call_sqe(slot, ctls[i], 0, sizeof wc);
		s.xfer_cap_count = (uint8_t)cfg.workers;
		submit(slot, &s, K_SYNC, false);
		if (kf_wait(slot, 0) < 0)
			kf_fail(10, "configuring worker %u failed", i + 1);
	}
	/* The workers' handles stay out of the fuzz (a fuzz wait would make
	 * the final one fail as a second concurrent wait). */
	for (unsigned i = 0; i < cfg.workers; i++)
		keep_add(ctls[i], capos_Endpoint_ID);
	rng = cfg.seed * 0x2545f4914f6cdd1dull;
	fuzz();
	unsigned failed = 0;
	for (unsigned i = 0; i < cfg.workers; i++) {
		int slot = slot_get(false);
		struct capos_sqe s = call_sqe(slot, handles[i], capos_ProcessHandle_wait_METHOD, 0);
		BUILD(capos_ProcessHandle_wait_Params, p);
		s.len = (uint32_t)finish(&b);
		submit(slot, &s, K_SYNC, false);
		struct capos_cqe c;
		int64_t code = -1;
		if (kf_wait(slot, &c) >= 0) {
			struct capnp_reader m;
			capnp_reader_init(&m, rbuf[slot], (size_t)c.result);
			code = capos_ProcessHandle_wait_Results_get_exitCode(
				capos_ProcessHandle_wait_Results_read_root(&m));
		}
		if (code != 0) {
			kf_print("worker kfuzz.%u exited with %ld", i + 1, (long)code);
			failed++;
		}
	}
	return failed ? 10 : 0;
}

/* One RECV on ctl; true if it was the configuration (else answered). */
static bool recv_config(int slot, struct capos_cqe *c)
{
	struct capos_sqe s = {
		.opcode = CAPOS_OP_RECV, .cap_id = c_ctl,
		.result_addr = (uint64_t)(uintptr_t)rbuf[slot], .result_len = KF_BUF,
	};
	submit(slot, &s, K_SYNC, false);
	int32_t r = kf_wait(slot, c);
	const struct capos_endpoint_message *h = (const void *)rbuf[slot];
	if (r < 0)
		capos_exit(10);
	if ((uint32_t)r >= sizeof *h + sizeof cfg && h->params_len == sizeof cfg) {
		memcpy(&cfg, rbuf[slot] + sizeof *h, sizeof cfg);
		if (cfg.magic == KF_MAGIC)
			return true;
	}
	/* Another worker's fuzz call came first: answer it, drop its caps. */
	const struct capos_cap_record *rec =
		(const void *)(rbuf[slot] + sizeof *h + capos_align8(h->params_len));
	for (uint32_t i = 0; i < c->cap_count && i < 8; i++)
		pool_add(rec[i].cap_id, rec[i].interface_id);
	s = (struct capos_sqe){.opcode = CAPOS_OP_RETURN, .cap_id = c_ctl, .call_id = h->call_id};
	submit(slot, &s, K_SYNC, false);
	kf_wait(slot, 0);
	return false;
}

static int worker_role(void)
{
	/* The configuration call from the boot process. */
	int slot = slot_get(false);
	struct capos_cqe c;
	for (unsigned tries = 0; !recv_config(slot, &c); tries++)
		if (tries > 1000)
			capos_exit(10);
	const struct capos_endpoint_message *h = (const void *)rbuf[slot];
	struct capos_sqe s;
	const struct capos_cap_record *rec = (const void *)(rbuf[slot] + sizeof *h + capos_align8(sizeof cfg));
	for (uint32_t i = 0; i < c.cap_count && i < KF_WORKERS_MAX; i++)
		keep_add(rec[i].cap_id, rec[i].interface_id);
	uint32_t call_id = h->call_id;
	s = (struct capos_sqe){.opcode = CAPOS_OP_RETURN, .cap_id = c_ctl, .call_id = call_id};
	submit(slot, &s, K_SYNC, false);
	kf_wait(slot, 0);
	capos_snprintf(tag, sizeof tag, "kfuzz.%u", cfg.index);
	rng = (cfg.seed + cfg.index) * 0x2545f4914f6cdd1dull;
	fuzz();
	return 0;
}

int main(void)
{
	c_console = capset_id("console", capos_Console_ID);
	c_frames = capset_id("frames", capos_FrameAllocator_ID);
	c_vm = capset_id("vm", capos_VirtualMemory_ID);
	c_boot = capset_id("boot", capos_BootPackage_ID);
	c_spawner = capset_id("spawner", capos_ProcessSpawner_ID);
	c_ctl = capset_id("ctl", capos_Endpoint_ID);
	if (c_console == 0 || (c_boot == 0 && c_ctl == 0))
		return 0; /* idle: a child the fuzzer spawned with random grants */
	for (unsigned i = 0; i < capos_rt.capset.count; i++) {
		const struct capos_capset_entry *e = capos_capset_at(&capos_rt.capset, i);
		keep_add(e->cap_id, e->interface_id);
	}
	memcpy(capset_copy, (const void *)CAPOS_CAPSET_VADDR, P);
	capos_snprintf(tag, sizeof tag, "kfuzz");
	int rc = c_boot ? boot_role() : worker_role();
	if (rc == 0)
		kf_print("PASS: %lu ops, %lu SQEs, %lu CQEs (%lu errors, %lu exceptions), %lu syscalls, "
		         "%lu ring corruptions, %lu fresh maps checked",
		         (unsigned long)cfg.ops, (unsigned long)st.sqes, (unsigned long)st.cqes,
		         (unsigned long)st.errors, (unsigned long)st.exceptions, (unsigned long)st.syscalls,
		         (unsigned long)st.corrupt, (unsigned long)st.maps_checked);
	else
		kf_print("FAIL: %u workers failed (seed %lu)", rc, (unsigned long)cfg.seed);
	return rc;
}
