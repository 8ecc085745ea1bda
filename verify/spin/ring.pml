/*
 * The capability ring between a user producer and the kernel consumer,
 * with hostile index writes.
 *
 * Mirrors: lib/ring_consumer.h ring_publish, ring_sq_pending,
 * ring_cq_ready, ring_cq_space, ring_take_nops (a run of NOPs completed
 * with one publication of sq_head and cq_tail at its end),
 * ring_take_sqe, ring_post_cqe; and
 * kernel/api/ring_dispatch.c ring_drain (its budget, the batch path and
 * the CQ slots reserved for deferred completions, run_op /
 * KCAP_CALL_DEFERRED) and api_complete (a deferred completion posted
 * later).
 *
 * The user submits NSQE SQEs (their user_data are 1..NSQE), enters the
 * kernel (cap_enter) and consumes completions; at most HOSTILE times it
 * instead scribbles on the page: sq_tail or cq_head moved anywhere that
 * matters (behind, ahead by one, ahead past the ring), the published
 * sq_head/cq_tail, an SQE's user_data.  Those writes interleave with
 * every step of the kernel (the trust model: the page may change at any
 * time); the process's own honest steps happen while it is not in
 * cap_enter.
 * Indices are free-running bytes starting just below the wrap (C: uint32
 * from 0; the arithmetic is the same modulo the width).
 *
 * mirrors lib/ring_consumer.h: ring_publish ring_sq_pending ring_cq_ready ring_cq_space ring_take_nops ring_take_sqe ring_post_cqe
 * mirrors kernel/api/ring_dispatch.c: ring_drain run_op api_complete
 * constant "#define RING_DRAIN_BUDGET CAPOS_SQ_ENTRIES" in kernel/api/ring_dispatch.c
 *
 * Properties:
 *   - every SQE the kernel takes gets exactly one completion: posted +
 *     deferred == taken at every step, never more posted than taken;
 *   - no completion is lost: while the user is honest the kernel never
 *     posts over a completion the user has not consumed, and the user gets
 *     each of its SQEs' completions exactly once (end state: all NSQE);
 *   - while the user is honest the kernel takes only SQEs it published;
 *   - the CQ slots reserved for deferred completions never exceed the ring;
 *   - no deadlock: every run ends with the user done and nothing deferred.
 */

#ifndef SQ_ENTRIES
#define SQ_ENTRIES 16        /* CAPOS_SQ_ENTRIES (include/capos/abi.h) */
#endif
#ifndef CQ_ENTRIES
#define CQ_ENTRIES 32        /* CAPOS_CQ_ENTRIES (include/capos/abi.h) */
#endif
#define RING_DRAIN_BUDGET SQ_ENTRIES /* kernel/api/ring_dispatch.c */
#ifndef NSQE
#define NSQE 3               /* model bound: SQEs the user submits */
#endif
#ifndef HOSTILE
#define HOSTILE 1            /* model bound: hostile writes */
#endif
#ifndef START
#define START 253            /* indices start just below the byte wrap */
#endif

/* a - b for free-running byte indices (C: uint32 subtraction). */
#define DIFF(a, b) (((a) - (b) + 256) % 256)

/* The shared page. */
byte sq_tail = START;  /* user-written */
byte cq_head = START;  /* user-written */
byte pg_sq_head = START; /* kernel-written copies (the user may scribble) */
byte pg_cq_tail = START;
byte sq[SQ_ENTRIES];   /* each SQE's user_data */
byte cq[CQ_ENTRIES];   /* each CQE's user_data */

/* The kernel: struct ring_cursor and p->cq_reserved. */
byte k_sq_head = START;
byte k_cq_tail = START;
byte reserved = 0;
byte deferred[NSQE + 4]; /* user_data of SQEs completed later */
byte ndeferred = 0;

/* Ghost counters. */
bool hostile = false;
byte taken = 0, posted = 0, submitted = 0;
byte got[NSQE + 1];
byte ngot = 0;
byte corrupt_seen = 0;

chan enter = [0] of { bit };
chan leave = [0] of { bit };

/* ring_post_cqe (via ring_drain's immediate post or api_complete). */
inline post_cqe(id) {
	/* Honest user: the slot holds no unconsumed completion. */
	assert(hostile || DIFF(k_cq_tail, cq_head) < CQ_ENTRIES);
	cq[k_cq_tail % CQ_ENTRIES] = id;
	k_cq_tail++;
	pg_cq_tail = k_cq_tail;
	posted++;
	assert(posted + ndeferred == taken)
}

/* ring_drain: one cap_enter's worth of SQEs. */
inline ring_drain() {
	/* cap_enter does not rewrite the published indices on entry
	 * (only when it moves them, and on a corrupt ring below). */
	tail = sq_tail;                     /* ring_sq_pending: one read */
	pending = DIFF(tail, k_sq_head);
	head = cq_head;                     /* ring_cq_space: one read */
	ready = DIFF(k_cq_tail, head);
	if
	:: pending > SQ_ENTRIES || ready > CQ_ENTRIES ->
		assert(hostile);              /* an honest user never looks corrupt */
		corrupt_seen++;
		pg_sq_head = k_sq_head;       /* ring_publish (ring_corrupt) */
		pg_cq_tail = k_cq_tail
	:: else ->
		space = CQ_ENTRIES - ready;
		if
		:: space > reserved -> space = space - reserved
		:: else -> space = 0
		fi;
		n = (pending < space -> pending : space);
		n = (n > RING_DRAIN_BUDGET -> RING_DRAIN_BUDGET : n);
		i = 0;
		do
		:: i < n ->
			/* ring_take_sqe: one copy, then sq_head advances. */
			id = sq[k_sq_head % SQ_ENTRIES];
			k_sq_head++;
			pg_sq_head = k_sq_head;
			taken++;
			assert(hostile || taken <= submitted);   /* never an SQE the user did not publish */
			if
			:: post_cqe(id)            /* dispatched: posted now */
			:: atomic {                /* deferred: run_op reserves its slot */
				reserved++;
				assert(reserved <= CQ_ENTRIES);
				deferred[ndeferred] = id;
				ndeferred++;
				assert(posted + ndeferred == taken)
			   }
			fi;
			i++
		:: i < n ->
			/* ring_take_nops: a run of 1..n-i NOPs (it stops at
			 * the first other SQE), each read once and completed
			 * at once; the kernel's indices are published only
			 * after the run. */
			nrun = 0;
			do
			:: nrun < n - i ->
				id = sq[(k_sq_head + nrun) % SQ_ENTRIES];
				assert(hostile || DIFF(k_cq_tail + nrun, cq_head) < CQ_ENTRIES);
				cq[(k_cq_tail + nrun) % CQ_ENTRIES] = id;
				nrun++;
				taken++;
				posted++;
				assert(hostile || taken <= submitted);
				assert(posted + ndeferred == taken)
			:: nrun > 0 -> break
			od;
			k_sq_head = k_sq_head + nrun;
			k_cq_tail = k_cq_tail + nrun;
			pg_sq_head = k_sq_head;
			pg_cq_tail = k_cq_tail;
			i = i + nrun
		:: else -> break
		od
	fi
}

active proctype kernel() {
	byte tail, head, pending, ready, space, n, i, id, nrun;
end:	do
	:: enter?1 -> ring_drain(); leave!1
	:: ndeferred > 0 ->
		/* api_complete: some deferred operation finishes (the oldest
		 * or the newest: completions may come in any order). */
		atomic {
			if
			:: id = deferred[0]; deferred[0] = deferred[ndeferred - 1]
			:: id = deferred[ndeferred - 1]
			fi;
			ndeferred--;
			if
			:: reserved > 0 -> reserved--
			:: else -> skip
			fi;
			post_cqe(id)
		}
	od
}

/* Hostile writes, at any moment: between any two steps of the kernel's
 * drain too (another thread of the process, or the trust model's "any
 * byte at any time"). */
active proctype scribbler() {
	byte left = HOSTILE;
end:	do
	:: left > 0 ->
		left--;
		hostile = true;
		if
		:: sq_tail = sq_tail - 1
		:: sq_tail = sq_tail + 1
		:: sq_tail = k_sq_head + SQ_ENTRIES + 1
		:: cq_head = cq_head - 1
		:: cq_head = cq_head + 1
		:: cq_head = k_cq_tail - CQ_ENTRIES - 1
		:: pg_sq_head = pg_sq_head + 7
		:: pg_cq_tail = pg_cq_tail - 5
		:: sq[sq_tail % SQ_ENTRIES] = 1   /* a duplicate SQE */
		fi
	od
}

/* The process itself: single-threaded, so it is blocked while the kernel
 * drains its ring (cap_enter); honest until the scribbler writes. */
active proctype user() {
	byte next = 1, id, after = 2;
	do
	:: next <= NSQE && DIFF(sq_tail, pg_sq_head) < SQ_ENTRIES ->
		/* submit: write the SQE, then publish it */
		sq[sq_tail % SQ_ENTRIES] = next;
		sq_tail++;
		submitted++;
		next++
	:: enter!1; leave?1            /* cap_enter */
	:: DIFF(pg_cq_tail, cq_head) > 0 && DIFF(pg_cq_tail, cq_head) <= CQ_ENTRIES ->
		/* consume a completion */
		id = cq[cq_head % CQ_ENTRIES];
		if
		:: !hostile ->
			assert(id >= 1 && id < next && got[id] == 0);
			got[id]++;
			ngot++
		:: else -> skip
		fi;
		cq_head++
	:: !hostile && ngot == NSQE -> break   /* done: every completion got once */
	:: hostile && after > 0 -> after--; enter!1; leave?1
	:: hostile -> break            /* a hostile user may stop any time */
	od;
	/* Done: the kernel finishes what it deferred (the kernel's
	 * end label lets it wait for nothing more). */
	(ndeferred == 0);
	assert(posted == taken)
}
