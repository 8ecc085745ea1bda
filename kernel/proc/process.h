/*
 * A process: an address space (own PML4, kernel half shared), a kernel
 * stack, a capability table, a ring page, a CapSet page, a TLS area and a
 * user stack.  Process bookkeeping lives in a table that grows
 * (proc_table.c), and every frame the process owns is listed in its
 * regions or counted, so teardown returns exactly the frames creation took.
 *
 * Threads: a struct process is one schedulable thread (registers, kernel
 * stack, extended state, ring, state, wait).  The first thread of a
 * process is its leader and also holds what the threads share: the
 * address space, the capability table, the memory grants and the CapSet.
 * A thread made by ThreadSpawner.spawn (kernel/proc/thread.c) takes a
 * table slot of its own whose `leader` points at the first thread; it
 * shares the leader's PML4 and owns only its stack, TLS area and ring
 * (its regions) and its extended state.  When the leader's own thread
 * ends while others run, the leader slot stays as PROC_HOLDER (never
 * scheduled) until the last thread ends.
 */
#ifndef CAPOS_PROC_PROCESS_H
#define CAPOS_PROC_PROCESS_H

#include <capos/abi.h>
#include <capos/limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "arch/x86_64/fpu.h"
#include "mem/vmm.h"
#include "cap_table.h"
#include "elf64.h"
#include "quota.h"
#include "endpoint_sm.h"
#include "ring_consumer.h"
#include "wait.h"

#define PROC_CAP_QUOTA    CAPOS_PROC_CAP_QUOTA /* capabilities one process may hold */
#define PROC_NAME_MAX     32
#define PROC_REASON_MAX   CAPOS_KILL_REASON_MAX /* a kill reason, as logged and sent to waiters */
#define PROC_MAX_REGIONS  (ELF_MAX_LOAD + 4)
#define KSTACK_SIZE       (16u * 1024u)
/* Threads one process may have: the slots of its thread area. */
#define PROC_THREAD_SLOTS ((CAPOS_THREAD_AREA_END - CAPOS_THREAD_AREA) / CAPOS_THREAD_SLOT)

enum proc_state {
	PROC_FREE = 0, /* table slot unused                         */
	PROC_RUNNABLE,
	PROC_RUNNING,
	PROC_BLOCKED, /* in cap_enter, waiting for CQEs or timeout */
	PROC_ZOMBIE,  /* exited or killed; destroyed by the scheduler */
	PROC_HOLDER,  /* a leader whose thread ended: holds the shared state
	                 of its process until the last thread ends */
};

/*
 * What one process may hold (docs/processes.md "Limits and quotas"; the
 * fields: lib/quota.h), kept in its leader.  The root process (init) gets
 * the kernel defaults (proc_quota_root); a spawned process gets its
 * spawner's, narrowed by ProcessSpawner.spawn's quota.  Never raised
 * after creation.
 */
/* The kernel's defaults: the root's limits.  caps: CAPOS_PROC_CAP_QUOTA or
 * capquota=N; ranges UMEM_RANGES_QUOTA; frames UMEM_FRAME_LIMIT; threads:
 * the slots of the thread area. */
void proc_quota_root(struct quota *q);
/* The most a quota field may say whoever grants it: memory and table
 * bounds.  A boot manifest's per-service quota is checked against it. */
void proc_quota_ceiling(struct quota *q);

/* A run of user pages the process owns (mapped page by page).  A lazy
 * region's pages are mapped zero-filled on first touch (proc_fault_in)
 * with `flags`; the ones never touched cost no frame.  A shared region
 * maps frames of the boot module read-only: teardown unmaps them and
 * frees nothing. */
struct proc_region {
	uint64_t start;
	uint32_t pages;
	uint16_t flags; /* VMM flags of a lazy region's pages */
	bool lazy;
	bool shared;
};

/* A cached user translation (user_page): 4 entries, so a server's
 * receive and reply buffers and a client's both stay translated. */
#define PROC_UTLB 4
struct proc_utlb {
	uint64_t page, pa, gen;
	unsigned flags;
};

struct process {
	uint32_t pid;
	uint32_t parent_pid; /* who spawned it (ProcessSpawner); 0: the kernel */
	char name[PROC_NAME_MAX];
	char binary[PROC_NAME_MAX]; /* the manifest binary it runs: the host
	                               symbolizer finds the ELF by this name */
	enum proc_state state;
	/* The first thread of the process (itself for the first thread):
	 * proc_caps and the memory grants go through it. */
	struct process *leader;
	uint32_t threads;     /* leader: spawned threads alive, itself not counted */
	uint32_t thread_slot; /* a spawned thread's slot in CAPOS_THREAD_AREA */
	bool group_end;       /* exit (not thread_exit): every thread ends */
	/* Leader: where a spawned thread's TLS comes from (the first
	 * thread's layout; the template's user address in the image). */
	uint64_t tls_template, tls_filesz, tls_image, tls_data_offset;

	uint64_t pml4; /* physical address of the PML4                */
	/* User pages the kernel translated for it lately (user_page), by
	 * page number modulo PROC_UTLB: valid while vmm_generation() is
	 * still gen. */
	struct proc_utlb utlb[PROC_UTLB];
	uint64_t kstack_top; /* TSS rsp0 and syscall stack while it runs    */
	uint64_t saved_rsp;  /* kernel context while switched out           */
	uint64_t fs_base;    /* TLS thread pointer                          */
	/* x87/SSE/AVX registers while switched out (one frame, counted in
	 * frames_at_create).  Per thread of execution: it moves to the
	 * thread when a process can have several. */
	struct fpu_state fpu;

	struct capos_ring_page *ring; /* the ring frame via the direct map  */
	struct ring_cursor ring_cursor;
	uint32_t ring_corrupt_streak;
	uint64_t ring_errors; /* SQEs completed with a transport error     */
	uint64_t sqes_done;
	uint32_t cq_reserved; /* CQ slots promised to pending endpoint ops  */

	/* Grows a frame at a time (lib/cap_table.h); cap_frames are the
	 * frames it holds now, not part of frames_at_create. */
	struct cap_table caps;
	uint64_t cap_frames;
	struct quota quota; /* leader: the process's limits */

	struct proc_region regions[PROC_MAX_REGIONS];
	unsigned nregions;

	/* cap_enter wait */
	uint32_t wait_min;
	uint64_t wait_deadline; /* ktime_ns; UINT64_MAX = none */
	/* What it waits on, kept by the capability types (proc_wait_begin /
	 * proc_wait_end): the scheduler's deadlock breaker reads only this. */
	struct wait_counts waits;
	/* Register calls (ipc_call, ipc_recv): this thread's side. */
	struct ipc_rthread rt;

	uint64_t slice_start; /* ktime_ns when it was last scheduled */
	uint64_t slices;      /* times it was scheduled          */
	uint64_t preempted;   /* times the timer took the CPU    */
	uint64_t syscalls;
	uint64_t frames_at_create; /* grows as lazy pages are touched */
	uint32_t lazy_pages;       /* lazy-region pages mapped (the stack's top from the start) */
	uint32_t shared_pages;     /* ELF pages mapped from the boot module */
	int exit_code;
	bool killed;
	char kill_reason[PROC_REASON_MAX]; /* why, when killed */
	/* Where process_destroy reports how the process ended, if someone
	 * outlives it and asked (the boot code, for init). */
	struct process_end *end_report;
};

/* How a process ended, written by process_destroy. */
struct process_end {
	bool ended;
	bool killed;
	int exit_code;
	char kill_reason[PROC_REASON_MAX];
};

/* Creates a process from an ELF image with limits *quota (checked by the
 * caller) and the capabilities installed by grant(p, ctx) (it inserts
 * into p->caps and maps the CapSet page; see spawn_install_grants).  Logs
 * and returns NULL on failure: everything taken so far is returned,
 * including what grant inserted. */
typedef int (*proc_grant_fn)(struct process *p, void *ctx);
struct process *process_create_granted(const char *name, const void *image, uint64_t size,
                                       const struct quota *quota, proc_grant_fn grant,
                                       void *ctx);

/* Records the binary name (len bytes, not NUL-terminated) for logs. */
void process_set_binary(struct process *p, const char *name, size_t len);

/* Frees everything the process holds; the caller is not running on its
 * kernel stack nor in its address space. */
void process_destroy(struct process *p);

/* Marks the current process as exited / killed and switches away.
 * process_exit (the exit syscall) ends every thread of p's process;
 * thread_exit only the calling thread (the process ends with its status
 * when no other thread is left). */
_Noreturn void process_exit(struct process *p, int code);
_Noreturn void thread_exit(struct process *p, int64_t status);
_Noreturn void process_kill(struct process *p, const char *reason);
/* Marks p killed with reason (logged) without switching: for a process
 * that is not the current one (the scheduler's deadlock breaker). */
void process_mark_killed(struct process *p, const char *reason);

/* The capability table every thread of p's process uses. */
static inline struct cap_table *proc_caps(struct process *p) { return &p->leader->caps; }

/* A capability type tells the core that p waits on (or stopped waiting
 * on) something of kind k.  An end without a begin is a kernel bug. */
_Noreturn void proc_wait_underflow(struct process *p, enum wait_kind k);
static inline void proc_wait_begin(struct process *p, enum wait_kind k)
{
	wait_begin(&p->waits, k);
}
static inline void proc_wait_end(struct process *p, enum wait_kind k)
{
	if (!wait_end(&p->waits, k))
		proc_wait_underflow(p, k);
}

/* kernel/proc/thread.c: a new thread of caller's process (see
 * schema/thread.capnp ThreadSpawner.spawn for the arguments); NULL and a
 * CAPOS_ERR_* in *err when refused.  thread_release frees what a spawned
 * thread owns (called by process_destroy). */
struct thread_spawn_args {
	uint64_t entry, arg;
	uint64_t stack_size;
	uint64_t stack_base; /* 0: a kernel stack; else the caller's memory */
	uint64_t tls_size;
	uint64_t tls_base; /* 0: the kernel's TLS block; else the FS base */
};
struct process *thread_create(struct process *caller, const struct thread_spawn_args *a, int *err);
void thread_release(struct process *t);
/* Records the first thread's TLS layout for thread_create. */
void thread_note_tls(struct process *p, const struct elf_plan *plan, uint64_t data_offset);

/* The process table (proc_table.c): slots 0 .. process_slot_count()-1,
 * free ones with state PROC_FREE; it grows, never moves a slot and keeps
 * its slots (a pointer plus pid check stays safe). */
struct process *process_slot(unsigned i);
unsigned process_slot_count(void);
/* p's slot number, or process_slot_count() if p is not a slot. */
unsigned process_slot_index(const struct process *p);
unsigned process_live_count(void);
/* Makes the first slots exist (boot, before it measures free frames). */
bool process_table_reserve(void);
/* Frames the table keeps for itself (slot chunks, stack page tables). */
uint64_t process_table_frames(void);

/* User memory access through the process's page tables (never through the
 * user mapping itself, so SMAP and unmapped addresses cannot fault the
 * kernel).  Returns 0 or CAPOS_ERR_BAD_BUFFER. */
int user_copy_in(struct process *p, void *dst, uint64_t uaddr, uint64_t len);
int user_copy_out(struct process *p, uint64_t uaddr, const void *src, uint64_t len);
/* 0 when every page of the range is mapped user-writable. */
int user_check_writable(struct process *p, uint64_t uaddr, uint64_t len);
int user_page_walk(struct process *p, uint64_t page, uint64_t *pa, unsigned *flags);
/* The frame (physical address) and VMM flags of p's user page `page`
 * (page aligned); 0, or a VMM_ERR_* when not mapped.  No page walk when
 * it was translated lately and no mapping of any address space changed
 * since (user_page_walk does the walk and keeps the answer). */
static inline int user_page(struct process *p, uint64_t page, uint64_t *pa, unsigned *flags)
{
	const struct proc_utlb *e = &p->utlb[(page >> 12) % PROC_UTLB];
	if (e->gen != vmm_generation() || e->page != page)
		return user_page_walk(p, page, pa, flags);
	*pa = e->pa;
	*flags = e->flags;
	return 0;
}
/* Loader variant: writes regardless of the page's user write permission. */
int proc_poke(struct process *p, uint64_t uaddr, const void *src, uint64_t len);

/* Maps `pages` fresh zeroed frames at start with VMM_* flags and records
 * the region.  Returns 0 or a negative CAPOS_ERR_*. */
int proc_map_region(struct process *p, uint64_t start, uint32_t pages, unsigned flags);
/* Records a lazy region: nothing is mapped until proc_fault_in. */
int proc_map_lazy(struct process *p, uint64_t start, uint32_t pages, unsigned flags);
/* Maps the zero-filled page behind va if it lies in a lazy region of p's
 * process and is not mapped yet.  CAPOS_ERR_BAD_BUFFER: no such page;
 * CAPOS_ERR_NO_RESOURCES: out of frames. */
int proc_fault_in(struct process *p, uint64_t va);

#endif
