/*
 * The endpoint state machine: CALL / RECV / RETURN, timeouts,
 * disconnection (the last owner gone) and orphaning (the last client gone),
 * with two clients and a server that may die, hang, or answer twice.
 *
 * Mirrors lib/endpoint_sm.c: ipc_call, ipc_recv, ipc_return (call_of,
 * reply), match / deliver, call_fail, call_free, call_drop_caller,
 * recv_fail, ipc_expire, ipc_process_exit, ipc_drop, settle,
 * endpoint_disconnect, endpoint_orphaned.  Each ipc_* function runs
 * atomically (one CPU, a non-preemptible kernel).  Every call has a
 * deadline the kernel's timer may reach at any moment (TIMEOUTS=1), or
 * none (TIMEOUTS=0).
 *
 * mirrors lib/endpoint_sm.c: ipc_call ipc_recv ipc_return call_of reply match deliver call_fail call_free call_drop_caller recv_fail recv_free ipc_expire ipc_process_exit ipc_drop settle endpoint_disconnect endpoint_orphaned
 *
 * Properties:
 *   - every call is answered or failed exactly once (a completion is never
 *     posted twice; a client that waits always gets one: no deadlock);
 *   - a RETURN to a call whose caller is gone gets the reason
 *     (CAPOS_ERR_TIMED_OUT or CAPOS_ERR_DISCONNECTED), a RETURN to a call
 *     already answered gets CAPOS_ERR_BAD_CALL_ID, and neither reaches a
 *     client;
 *   - a posted receive is completed at most once, and a server waiting in
 *     RECV when no client is left is told CAPOS_ERR_DISCONNECTED;
 *   - when everybody has exited, no call or receive record is left;
 *   - the only deadlock is a server that hangs holding a call: the kernel
 *     breaks it (the watchdog kills the server; its callers get
 *     CAPOS_ERR_DISCONNECTED).
 */

#define CAPOS_OK 0
#define CAPOS_ERR_DISCONNECTED (-13)  /* CAPOS_ERR_DISCONNECTED (include/capos/abi.h) */
#define CAPOS_ERR_TIMED_OUT (-14)     /* CAPOS_ERR_TIMED_OUT (include/capos/abi.h) */
#define CAPOS_ERR_BAD_CALL_ID (-15)   /* CAPOS_ERR_BAD_CALL_ID (include/capos/abi.h) */
#define NCLIENTS 2                    /* model bound: one call each */
#ifndef TIMEOUTS
#define TIMEOUTS 1
#endif

mtype = { FREE, QUEUED, INFLIGHT };

/* struct ipc_call, one record per client's call. */
mtype cstate[NCLIENTS];
bool c_caller[NCLIENTS];     /* c->caller != NULL */
short c_abandoned[NCLIENTS]; /* what a RETURN to an abandoned call gets */
byte c_seq[NCLIENTS];        /* queue order (ep->queued is FIFO) */
byte seq = 0;

/* struct ipc_recv: the server posts one at a time. */
bool r_used = false;

/* struct endpoint */
byte owner_refs = 1;         /* the server's owner capability */
byte client_refs = NCLIENTS; /* one client facet per client */
bool disconnected = false;
byte ep_calls = 0, ep_recvs = 0;

/* Completions (ops->complete), per process. */
byte client_cqes[NCLIENTS];
short client_result[NCLIENTS];
byte server_cqes = 0;        /* recv completions not yet consumed */
short server_result;         /* >= 0: the call id received */
bool client_alive[NCLIENTS];
bool server_alive = true;
bool server_hung = false;
byte exited = 0;

inline complete_client(c, res) {
	assert(client_alive[c]);          /* only a live caller is completed */
	assert(client_cqes[c] == 0);      /* exactly once */
	client_cqes[c]++;
	client_result[c] = res
}

inline complete_server(res) {
	assert(server_alive);
	assert(server_cqes == 0);         /* one receive posted at a time */
	server_cqes++;
	server_result = res
}

/* call_drop_caller + call_free: the record goes (its caller stops waiting). */
inline call_free(c) {
	c_caller[c] = false;
	cstate[c] = FREE;
	assert(ep_calls > 0);
	ep_calls--
}

/* call_fail: the caller is told err (if it is still there). */
inline call_fail(c, err) {
	if
	:: c_caller[c] -> complete_client(c, err)
	:: else -> skip
	fi;
	call_free(c)
}

inline recv_free() {
	assert(r_used);
	r_used = false;
	ep_recvs--
}

inline recv_fail(err) {
	complete_server(err);
	recv_free()
}

/* match + deliver: the oldest queued call goes to the posted receive;
 * then endpoint_orphaned if no client facet is left. */
inline match() {
	byte oldest;
	oldest = NCLIENTS;
	if
	:: cstate[0] == QUEUED && (cstate[1] != QUEUED || c_seq[0] < c_seq[1]) -> oldest = 0
	:: cstate[1] == QUEUED && (cstate[0] != QUEUED || c_seq[1] < c_seq[0]) -> oldest = 1
	:: else -> skip
	fi;
	if
	:: r_used && oldest < NCLIENTS ->
		cstate[oldest] = INFLIGHT;
		recv_free();
		complete_server(oldest)
	:: else -> skip
	fi;
	endpoint_orphaned()
}

inline endpoint_orphaned() {
	if
	:: client_refs == 0 && !disconnected && r_used &&
	   cstate[0] != QUEUED && cstate[1] != QUEUED -> recv_fail(CAPOS_ERR_DISCONNECTED)
	:: else -> skip
	fi
}

inline endpoint_disconnect() {
	disconnected = true;
	byte k;
	k = 0;
	do
	:: k < NCLIENTS ->
		if
		:: cstate[k] != FREE -> call_fail(k, CAPOS_ERR_DISCONNECTED)
		:: else -> skip
		fi;
		k++
	:: else -> break
	od;
	if
	:: r_used -> recv_fail(CAPOS_ERR_DISCONNECTED)
	:: else -> skip
	fi
}

inline ipc_call(c) {
	if
	:: disconnected -> complete_client(c, CAPOS_ERR_DISCONNECTED)  /* posted now */
	:: else ->
		cstate[c] = QUEUED;
		c_caller[c] = true;
		c_seq[c] = seq;
		seq++;
		ep_calls++;
		match()
	fi
}

inline ipc_recv() {
	if
	:: client_refs == 0 && cstate[0] != QUEUED && cstate[1] != QUEUED ->
		complete_server(CAPOS_ERR_DISCONNECTED)  /* no call can ever come */
	:: else ->
		assert(!r_used);
		r_used = true;
		ep_recvs++;
		match()
	fi
}

/* ipc_return: the server answers call id (the RETURN's own result is
 * *ret; the caller's completion goes through complete_client). */
inline ipc_return(id, ret) {
	if
	:: cstate[id] != INFLIGHT -> ret = CAPOS_ERR_BAD_CALL_ID   /* call_of found nothing */
	:: cstate[id] == INFLIGHT && !c_caller[id] ->
		ret = c_abandoned[id];
		assert(ret == CAPOS_ERR_TIMED_OUT || ret == CAPOS_ERR_DISCONNECTED);
		call_free(id)
	:: cstate[id] == INFLIGHT && c_caller[id] ->
		c_caller[id] = false;  /* reply: call_free, then the caller's completion */
		cstate[id] = FREE;
		ep_calls--;
		complete_client(id, CAPOS_OK);
		ret = CAPOS_OK
	fi
}

/* ipc_expire for call c (its deadline passed). */
inline ipc_expire(c) {
	if
	:: cstate[c] == QUEUED -> call_fail(c, CAPOS_ERR_TIMED_OUT)
	:: cstate[c] == INFLIGHT ->
		complete_client(c, CAPOS_ERR_TIMED_OUT);
		c_caller[c] = false;
		c_abandoned[c] = CAPOS_ERR_TIMED_OUT
	fi
}

/* ipc_process_exit for client c, then its client facet dropped (ipc_drop). */
inline client_exit(c) {
	if
	:: cstate[c] == QUEUED && c_caller[c] -> call_free(c)   /* call_free_then_abort */
	:: cstate[c] == INFLIGHT && c_caller[c] ->
		c_caller[c] = false;
		c_abandoned[c] = CAPOS_ERR_DISCONNECTED
	:: else -> skip
	fi;
	client_alive[c] = false;
	client_refs--;
	if   /* ipc_drop: orphan_due, run by settle */
	:: client_refs == 0 && !disconnected -> endpoint_orphaned()
	:: else -> skip
	fi;
	exited++
}

/* ipc_process_exit for the server, then its owner capability dropped. */
inline server_exit() {
	byte j;
	j = 0;
	do
	:: j < NCLIENTS ->
		if
		:: cstate[j] == INFLIGHT -> call_fail(j, CAPOS_ERR_DISCONNECTED)
		:: else -> skip
		fi;
		j++
	:: else -> break
	od;
	if
	:: r_used -> recv_free()
	:: else -> skip
	fi;
	server_alive = false;
	server_hung = false;
	server_cqes = 0;
	owner_refs--;
	if   /* ipc_drop: disconnect_due, run by settle */
	:: owner_refs == 0 -> endpoint_disconnect()
	:: else -> skip
	fi;
	exited++
}

proctype client(byte c; bool may_die) {
	atomic { ipc_call(c) }
	if
	:: client_cqes[c] > 0 ->       /* answered or failed */
		assert(client_result[c] == CAPOS_OK || client_result[c] == CAPOS_ERR_DISCONNECTED ||
		       client_result[c] == CAPOS_ERR_TIMED_OUT)
	:: may_die -> skip             /* killed while waiting */
	fi;
	atomic { client_exit(c) }
}

proctype server(bool may_die; bool may_hang; bool answers_twice) {
	short ret, id;
	do
	:: atomic { ipc_recv() };
		if
		:: server_cqes > 0 -> atomic { server_cqes = 0; id = server_result }
		:: may_die -> goto die
		fi;
		if
		:: id == CAPOS_ERR_DISCONNECTED -> break   /* no client left */
		:: id >= 0 ->
			if
			:: may_die -> goto die
			:: may_hang -> goto hang
			:: true -> skip
			fi;
			atomic { ipc_return(id, ret) };
			assert(ret == CAPOS_OK || ret == CAPOS_ERR_TIMED_OUT || ret == CAPOS_ERR_DISCONNECTED);
			if
			:: answers_twice ->
				atomic { ipc_return(id, ret) };
				assert(ret == CAPOS_ERR_BAD_CALL_ID)
			:: true -> skip
			fi
		fi
	od;
	atomic { server_exit() };
	goto done;
hang:
	server_hung = true;
	(!server_alive);   /* waits for the watchdog */
	goto done;
die:
	atomic { server_exit() };
done:
	skip
}

/* The kernel's timer: any call with a deadline may expire at any time. */
active proctype timer() {
end:	do
	:: atomic { TIMEOUTS && c_caller[0] && cstate[0] != FREE -> ipc_expire(0) }
	:: atomic { TIMEOUTS && c_caller[1] && cstate[1] != FREE -> ipc_expire(1) }
	od
}

/* The kernel breaks the one deadlock it knows: a hung server, killed when
 * nothing else can happen (SPIN's timeout: the system is stuck). */
active proctype watchdog() {
end:	do
	:: timeout && server_hung && server_alive -> atomic { server_exit() }
	od
}

init {
	client_alive[0] = true;
	client_alive[1] = true;
	cstate[0] = FREE;
	cstate[1] = FREE;
	atomic {
		run client(0, false);
		run client(1, true);
		if
		:: run server(false, false, false)
		:: run server(true, false, false)
		:: run server(false, true, false)
		:: run server(false, false, true)
		fi
	}
	/* Everybody gone: nothing may be left. */
	(exited == NCLIENTS + 1);
	assert(ep_calls == 0 && ep_recvs == 0 && !r_used);
	assert(cstate[0] == FREE && cstate[1] == FREE)
}
