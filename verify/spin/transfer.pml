/*
 * Capability transfer by move: reserve (prepare), commit, rollback
 * (abort), interleaved with everything else that can happen while a CALL
 * carrying the capabilities waits in an endpoint queue.
 *
 * Mirrors lib/transfer.c xfer_prepare (conflicts, cap_table_lookup,
 * cap_table_reserve, ops->retain for copies, undo on failure),
 * xfer_commit (room check, cap_table_insert into the receiver,
 * cap_table_take_reserved from the sender) and xfer_abort (marked done
 * first, cap_table_unreserve, ops->drop for copies), with lib/cap_table.c's
 * reserved slots (lookup and remove see them as absent) and the callers in
 * lib/endpoint_sm.c: deliver (commit, or call_fail -> abort on
 * CAPOS_ERR_NO_RESOURCES), call_free_then_abort (the sender exits, the
 * endpoint disconnects).  Each operation is atomic (one CPU,
 * non-preemptible kernel); the interleavings are of operations.
 *
 * The sender holds A (slot 0) and B (slot 1) and CALLs moving A and
 * copying or moving B (or naming A twice); meanwhile it may try to release
 * A, move A again in a second CALL, or exit; the endpoint may disconnect;
 * a third party may fill the receiver's one-slot table; the receiver may
 * receive (commit) and later release what it got.
 *
 * mirrors lib/transfer.c: xfer_prepare xfer_commit xfer_abort undo conflicts
 * mirrors lib/cap_table.c: cap_table_lookup cap_table_reserve cap_table_unreserve cap_table_take_reserved cap_table_insert cap_table_remove
 * mirrors lib/endpoint_sm.c: deliver call_fail call_free_then_abort endpoint_disconnect
 *
 * Properties (a monitor checks them after every step):
 *   - no capability is duplicated or lost by a move: every object's
 *     reference count equals the table slots holding it plus the copies
 *     held by a prepared plan;
 *   - a slot is reserved exactly while a prepared plan moves it, and a
 *     reserved slot can be neither released nor moved again;
 *   - a failed prepare changes nothing; a refused commit changes nothing
 *     and leaves the plan to abort; abort twice is harmless;
 *   - at the end no slot is reserved and no plan prepared.
 */

#define CAPOS_OK 0
#define CAPOS_ERR_BAD_CAP (-3)       /* CAPOS_ERR_BAD_CAP (include/capos/abi.h) */
#define CAPOS_ERR_BAD_TRANSFER (-6)  /* CAPOS_ERR_BAD_TRANSFER (include/capos/abi.h) */
#define CAPOS_ERR_NO_RESOURCES (-7)  /* CAPOS_ERR_NO_RESOURCES (include/capos/abi.h) */
#define CAPOS_XFER_COPY 0            /* CAPOS_XFER_COPY (include/capos/abi.h) */
#define CAPOS_XFER_MOVE 1            /* CAPOS_XFER_MOVE (include/capos/abi.h) */
#define CAPOS_XFER_MAX 8             /* CAPOS_XFER_MAX (include/capos/abi.h) */
#define SCAP 2     /* model bound: sender's table */
#define RCAP 2     /* model bound: receiver's table (the third party may fill one slot) */
#define NOBJ 4     /* objects 1 = A, 2 = B, 3 = the third party's C */
#define NITEMS 2   /* descriptors per CALL (at most) */
#define NONE 255   /* no second descriptor */

/* Sender's table (lib/cap_table.c slots). */
byte s_obj[SCAP];
bool s_used[SCAP];
bool s_res[SCAP];
/* Receiver's table. */
byte r_obj[RCAP];
bool r_used[RCAP];
/* Object references (ops->retain / ops->drop and the tables'). */
byte refs[NOBJ];

/* The queued CALL's struct xfer_plan. */
bool prepared = false;
byte count = 0;
byte it_slot[NITEMS];
byte it_mode[NITEMS];
byte it_obj[NITEMS];

bool sender_alive = true;
bool receiver_alive = true;
byte done = 0;

/* Scratch of the atomic steps below (not part of the state). */
hidden byte u, v, w, x, y, free_r;
hidden byte want_slot[NITEMS], want_mode[NITEMS];
hidden byte before[NOBJ];
#define CONFLICT(i) ((i) == 1 && want_slot[0] == want_slot[1] && \
	(want_mode[0] == CAPOS_XFER_MOVE || want_mode[1] == CAPOS_XFER_MOVE))

/* xfer_abort: marked done first, then every item undone. */
inline xfer_abort() {
	if
	:: prepared ->
		prepared = false;
		for (u : 0 .. count - 1) {
			if
			:: it_mode[u] == CAPOS_XFER_MOVE ->
				assert(s_used[it_slot[u]] && s_res[it_slot[u]]);   /* cap_table_unreserve */
				s_res[it_slot[u]] = false
			:: else -> refs[it_obj[u]]--                          /* ops->drop */
			fi
		}
	:: else -> skip
	fi
}

/* xfer_prepare of descriptors (slot d0, mode m0), (slot d1, mode m1). */
inline xfer_prepare(d0, m0, d1, m1, err) {
	want_slot[0] = d0; want_mode[0] = m0;
	want_slot[1] = d1; want_mode[1] = m1;
	err = CAPOS_OK;
	count = 0;
	for (v : 0 .. NITEMS - 1) {
		if
		:: err == CAPOS_OK && want_slot[v] != NONE ->
			if
			/* conflicts: the same slot twice where either is a move;
			 * cap_table_lookup: not held, or reserved (in transit) */
			:: CONFLICT(v) || !s_used[want_slot[v]] || s_res[want_slot[v]] ->
				err = CAPOS_ERR_BAD_TRANSFER
			:: else ->
				if
				:: want_mode[v] == CAPOS_XFER_MOVE -> s_res[want_slot[v]] = true  /* reserve */
				:: else -> refs[s_obj[want_slot[v]]]++                           /* retain */
				fi;
				it_slot[v] = want_slot[v];
				it_mode[v] = want_mode[v];
				it_obj[v] = s_obj[want_slot[v]];
				count++
			fi
		:: else -> skip
		fi
	}
	if
	:: err == CAPOS_OK -> prepared = true
	:: else ->   /* undo items [0, count) */
		prepared = true;
		xfer_abort();
		count = 0
	fi
}

/* xfer_commit into the receiver: all or nothing. */
inline xfer_commit(err) {
	free_r = 0;
	for (w : 0 .. RCAP - 1) {
		if
		:: !r_used[w] -> free_r++
		:: else -> skip
		fi
	}
	if
	:: !prepared -> err = CAPOS_ERR_BAD_TRANSFER
	:: prepared && free_r < count -> err = CAPOS_ERR_NO_RESOURCES
	:: else ->
		for (w : 0 .. count - 1) {      /* cap_table_insert, lowest free slot */
			x = 0;
			do
			:: r_used[x] -> x++
			:: else -> break
			od;
			r_used[x] = true;
			r_obj[x] = it_obj[w]
		}
		for (w : 0 .. count - 1) {      /* cap_table_take_reserved */
			if
			:: it_mode[w] == CAPOS_XFER_MOVE ->
				assert(s_res[it_slot[w]]);
				s_used[it_slot[w]] = false;
				s_res[it_slot[w]] = false
			:: else -> skip
			fi
		}
		prepared = false;
		err = CAPOS_OK
	fi
}

/* cap_table_remove + the table's reference dropped (RELEASE). */
inline sender_release(slot, err) {
	if
	:: s_used[slot] && !s_res[slot] ->
		s_used[slot] = false;
		refs[s_obj[slot]]--;
		err = CAPOS_OK
	:: else -> err = CAPOS_ERR_BAD_CAP
	fi
}

proctype sender() {
	short err;
	byte m1, d1;
	if
	:: d1 = 1; m1 = CAPOS_XFER_COPY
	:: d1 = 1; m1 = CAPOS_XFER_MOVE
	:: d1 = 0; m1 = CAPOS_XFER_COPY   /* A named twice: refused */
	:: d1 = 0; m1 = CAPOS_XFER_MOVE   /* A moved twice: refused */
	:: d1 = NONE; m1 = 0              /* one descriptor */
	fi;
	atomic {
		before[1] = refs[1]; before[2] = refs[2];
		xfer_prepare(0, CAPOS_XFER_MOVE, d1, m1, err);
		if
		:: err != CAPOS_OK ->           /* a failed prepare changes nothing */
			assert(!prepared && !s_res[0] && !s_res[1]);
			assert(refs[1] == before[1] && refs[2] == before[2])
		:: else -> skip
		fi
	}
	do
	:: atomic { sender_release(0, err); assert(!prepared || err == CAPOS_ERR_BAD_CAP) }
	:: atomic {                          /* a second CALL moving A */
		prepared ->
		assert(s_res[0]);
		/* cap_table_lookup sees the reserved slot as absent */
		err = CAPOS_ERR_BAD_TRANSFER
	   }
	:: break
	od;
	/* The sender exits: ipc_process_exit (call_free_then_abort), then its
	 * table is released. */
	atomic {
		xfer_abort();
		sender_alive = false;
		sender_release(0, err);
		sender_release(1, err);
		done++
	}
}

proctype receiver() {
	short err;
	if
	:: atomic {                           /* deliver */
		prepared ->
		xfer_commit(err);
		if
		:: err == CAPOS_ERR_NO_RESOURCES ->   /* call_fail: rolled back */
			assert(prepared);
			xfer_abort()
		:: else -> assert(err == CAPOS_OK && !prepared)
		fi
	   }
	:: skip                               /* never receives */
	fi;
	/* Exits: releases what it holds. */
	atomic {
		receiver_alive = false;
		for (y : 0 .. RCAP - 1) {
			if
			:: r_used[y] -> r_used[y] = false; refs[r_obj[y]]--
			:: else -> skip
			fi
		}
		done++
	}
}

proctype third_party() {
	/* Another transfer lands in the receiver's table first, or not. */
	if
	:: atomic { receiver_alive && !r_used[0] -> r_used[0] = true; r_obj[0] = 3; refs[3]++ }
	:: atomic { receiver_alive && !r_used[1] -> r_used[1] = true; r_obj[1] = 3; refs[3]++ }
	:: skip
	fi;
	done++
}

proctype disconnect() {
	/* endpoint_disconnect: the queued call fails, its plan rolls back. */
	if
	:: atomic { prepared -> xfer_abort() }
	:: skip
	fi;
	done++
}

/* Every object's references are the slots and prepared copies holding it;
 * a slot is reserved exactly while a prepared plan moves it. */
#define HOLDERS(o) ((s_used[0] && s_obj[0] == o) + (s_used[1] && s_obj[1] == o) + \
	(r_used[0] && r_obj[0] == o) + (r_used[1] && r_obj[1] == o) + \
	(prepared && count > 0 && it_mode[0] == CAPOS_XFER_COPY && it_obj[0] == o) + \
	(prepared && count > 1 && it_mode[1] == CAPOS_XFER_COPY && it_obj[1] == o))
#define MOVES(s) ((prepared && count > 0 && it_mode[0] == CAPOS_XFER_MOVE && it_slot[0] == s) + \
	(prepared && count > 1 && it_mode[1] == CAPOS_XFER_MOVE && it_slot[1] == s))
#define CONSISTENT (refs[1] == HOLDERS(1) && refs[2] == HOLDERS(2) && refs[3] == HOLDERS(3) && \
	(s_used[0] && s_res[0]) == (MOVES(0) == 1) && (s_used[1] && s_res[1]) == (MOVES(1) == 1))

active proctype monitor() {
end:	atomic { !CONSISTENT -> assert(false) }
}

init {
	atomic {
		s_used[0] = true; s_obj[0] = 1; refs[1] = 1;
		s_used[1] = true; s_obj[1] = 2; refs[2] = 1;
		run sender();
		run receiver();
		run third_party();
		run disconnect()
	}
	(done == 4);
	assert(!prepared && !s_res[0] && !s_res[1]);
	assert(refs[1] == 0 && refs[2] == 0 && refs[3] == 0)   /* everything came back */
}
