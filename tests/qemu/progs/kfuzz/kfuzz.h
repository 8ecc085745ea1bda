/*
 * kfuzz: the in-guest randomized kernel fuzzer (docs/fuzzing.md).  What the
 * files share: limits, the configuration, the ring engine's slots and the
 * generators' state.  main.c says how the processes fit together.
 */
#ifndef CAPOS_KFUZZ_H
#define CAPOS_KFUZZ_H

#include <capos/rt.h>
#include <stdarg.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "config.h"
#include "device.capnp.h"
#include "entropy.capnp.h"
#include "time.capnp.h"

#define P             CAPOS_PAGE_SIZE
#define KF_BUF        512u /* params / result buffer per outstanding SQE   */
#define KF_SLOTS      40u  /* outstanding SQEs                             */
#define KF_BLOCKING   10u  /* outstanding SQEs that complete later         */
#define KF_FOREVER    3u   /* ... of which without a timeout               */
#define KF_POOL       32u  /* caps this process may release or move (the 
                           * kernel table holds 64: keep room for arrivals) */
#define KF_KEEP       24u  /* caps it never releases or moves              */
#define KF_MS         1000000ull
/* Never mapped: no generator uses it as a hint. */
#define KF_HOLE       0x00000a0000000000ull
/* Worker i's badged facets of earlier workers' endpoints carry KF_BADGE + i. */
#define KF_BADGE      0xbad0000ull
/* Facets a worker mints on its own endpoint (op_mint) carry badges from
 * here; calls through them and their release messages say MINTED /
 * RELEASED. */
#define KF_MINT_BADGE 0x5eed0000ull

enum kf_kind {
	K_ANY,     /* garbage: only the generic checks             */
	K_BIG,     /* K_ANY into kf_big (results over KF_BUF)      */
	K_DEVMAP,  /* DeviceMmio/DMAPool.map: kf_devmaps           */
	K_EXPECT,  /* one fault: exactly `expect`                  */
	K_BADBUF,  /* result buffer not writable: must fail        */
	K_VMMAP,   /* VirtualMemory.map: check zero pages          */
	K_MOMAP,   /* MemoryObject.map: check zero pages           */
	K_CAPS,    /* result caps go to the pool                   */
	K_RECV,    /* endpoint message: call id and caps           */
	K_FRAME,   /* allocFrame/allocContiguous: held frames      */
	K_FREE,    /* freeFrame: must be a held frame              */
	K_RELEASE, /* valid release: the id goes stale             */
	K_SYNC,    /* someone waits for it (kf_wait)               */
};

struct kf_op {
	bool used, blocking, done, forever;
	uint8_t kind, opcode;
	int32_t expect;
	uint64_t ud;
	uint64_t arg, arg2; /* kind-specific: prot, size, frame, cap id   */
	uint64_t op_no;     /* the fuzzer op that submitted it (diagnostics) */
	uint32_t cap;
	uint16_t method;
	uint64_t iface; /* what we believed cap was when it was submitted */
	struct capos_cqe cqe;
};

struct kf_cap {
	uint32_t id;
	uint64_t iface;
};

#define RING ((volatile struct capos_ring_page *)CAPOS_RING_VADDR)

/* Params of a kernel call, built in kf_pbuf[slot] (finish with kf_finish). */
#define BUILD(T, var)                                  \
	struct capnp_builder b;                        \
	capnp_builder_init(&b, kf_pbuf[slot], KF_BUF); \
	T##_builder var = T##_init_root(&b);           \
	(void)var

extern struct kf_config kf_cfg;
extern char kf_tag[24];
extern uint64_t kf_rng, kf_op_no;
extern bool kf_failing;
extern struct kf_op kf_ops[KF_SLOTS];
#define KF_LABELS 4
extern const uint64_t kf_labels[KF_LABELS]; /* interface labels for new endpoints (engine.c) */
extern uint8_t kf_pbuf[KF_SLOTS][KF_BUF];
extern uint8_t kf_rbuf[KF_SLOTS][KF_BUF];
#define KF_BIG_BUF 16384u          /* SystemMonitor.processes needs ~32 entries   */
extern uint8_t kf_big[KF_BIG_BUF]; /* shared by every K_BIG call: never read */
/* Device mappings we made: only ever unmapped (never read or written,
 * nor used as a buffer: that would touch the device). */
extern uint64_t kf_devmaps[8];
extern struct kf_cap kf_keep[KF_KEEP]; /* console, allocators, ctl, peers... */
extern unsigned kf_nkeep;
extern struct kf_cap kf_pool[KF_POOL]; /* received/returned caps            */
extern unsigned kf_npool;
extern uint32_t kf_evicted[16]; /* pool overflow, to be released      */
extern unsigned kf_nevicted;
extern uint32_t kf_stale[16]; /* ids released successfully          */
extern uint64_t kf_held[64];  /* frames allocated and not freed     */
extern unsigned kf_nheld;
extern bool kf_held_exact;    /* false once we lost track           */
extern uint32_t kf_calls[16]; /* received calls not answered yet    */
extern unsigned kf_ncalls;
extern uint32_t kf_answered[16]; /* calls answered (or gone)           */
extern uint64_t kf_recent[16];   /* addresses the kernel handed out    */
extern struct kf_map {
	uint64_t addr, size;
} kf_maps[16]; /* VirtualMemory.map results          */
extern uint8_t kf_capset_copy[P];
extern uint32_t c_threads, c_park;
extern uint32_t c_console, c_frames, c_vm, c_boot, c_spawner, c_ctl, c_timer, c_entropy,
	c_terminal, c_monitor;
extern struct kf_stats {
	uint64_t sqes, cqes, errors, exceptions, syscalls, corrupt, maps_checked;
	uint64_t calls_answered, calls_received, returns; /* endpoint traffic */
} kf_stats;

/* engine.c: randomness */
uint64_t kf_rand(void);
uint64_t kf_pick(uint64_t n);
bool kf_chance(unsigned one_in);
uint64_t kf_aux(uint64_t n);

/* engine.c: the ring, completions and their checks */
int64_t kf_enter(uint32_t min, uint64_t timeout);
void kf_reap(void);
int kf_slot(bool block);
void kf_submit(int slot, struct capos_sqe *s, uint8_t kind, bool block);
int32_t kf_wait(int slot, struct capos_cqe *out);
unsigned kf_blocking(void);
struct capos_sqe kf_call_sqe(int slot, uint32_t cap, uint16_t method, size_t len);
void kf_check(struct kf_op *o, unsigned slot);
size_t kf_finish(struct capnp_builder *b);
void pool_add(uint32_t id, uint64_t iface);
void kf_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void kf_fail(int check, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* caps.c: caps, addresses and buffers the generators choose from */
void keep_add(uint32_t id, uint64_t iface);
uint32_t any_cap(void);
uint32_t cap_of(uint64_t iface);
bool pool_has(uint32_t id, uint64_t iface);
bool holds(uint32_t id, uint64_t iface);
bool kernel_object(uint32_t id);
uint32_t kernel_cap_no_endpoint(void);
uint64_t kf_iface_of(uint32_t id);
bool is_kept(uint32_t id);
uint32_t pool_take(void);
uint64_t any_addr(void);
uint64_t any_size(void);
uint32_t any_prot(void);
uint64_t bad_result_addr(void);
bool lie(int slot, size_t *len);
uint8_t result_choice(struct capos_sqe *s);

/* gen_kernel.c: kernel capability methods */
void op_console(void);
void op_watch(void); /* Terminal, SystemMonitor */
void op_frames(void);
void op_vm(void);
void op_memory_object(void);
void op_effect(void);
void op_boot(void);
void op_spawn(void);
void op_handle(void);
void op_timer(void);
void op_late_unmap(void);
void op_thread(void);
void op_thread_join(void);
void op_park(void);
void op_entropy(void);

/* gen_device.c: Notification, and DeviceMmio/DMAPool/Interrupt when held */
void op_notify(void);
void op_device(void);

/* gen_ipc.c: endpoints */
void op_call(void);
void op_recv(void);
void op_return(void);
void op_release(void);
void op_mint(void);
void op_endgame(void);

/* gen_raw.c: raw SQEs, ring corruption, raw syscalls */
void op_garbage(void);
void op_malformed(void);
void op_corrupt(void);
void op_syscall(void);
void op_flood(void);

#endif
