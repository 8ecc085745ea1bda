/*
 * kfuzz: raw SQEs (garbage, and one fault on a valid SQE), ring index
 * corruption, raw syscalls with poisoned registers and RFLAGS.
 */
#include "kfuzz.h"

void op_garbage(void)
{
	int slot = kf_slot(true);
	if (slot < 0)
		return;
	struct capos_sqe s = {0};
	uint64_t *w = (uint64_t *)&s;
	for (unsigned i = 0; i < sizeof s / 8; i++)
		w[i] = kf_rand();
	for (unsigned i = 0; i < KF_BUF / 8; i++)
		((uint64_t *)kf_pbuf[slot])[i] = kf_rand();
	if (!kf_chance(4)) { /* mostly well-formed, so the deep paths run */
		s.opcode = (uint8_t)kf_pick(CAPOS_OP_FIRST_RESERVED + 1);
		s.flags = 0;
		s.reserved0 = s.reserved1 = 0;
		s.pipeline_dep = 0;
		s.pipeline_field = 0;
		s.xfer_cap_count = kf_chance(8) ? (uint8_t)kf_pick(10) : 0;
		s.method_id = (uint16_t)kf_pick(6);
		s.timeout_ns = (1 + kf_pick(10)) * KF_MS;
	}
	s.cap_id = any_cap();
	s.addr = kf_chance(2) ? (uint64_t)(uintptr_t)kf_pbuf[slot] : any_addr();
	s.len = kf_chance(8) ? (uint32_t)kf_rand() : (uint32_t)kf_pick(KF_BUF - 8 * 16);
	uint8_t kind = K_ANY;
	if (kf_chance(3)) {
		s.result_addr = bad_result_addr();
		kind = K_BADBUF;
	} else {
		s.result_addr = (uint64_t)(uintptr_t)kf_rbuf[slot];
		s.result_len = (uint32_t)kf_pick(KF_BUF + 1);
	}
	/* Descriptors are random words: never let them move or drop ours. */
	if (s.opcode == CAPOS_OP_RELEASE && is_kept(s.cap_id))
		s.cap_id = 0;
	if (s.xfer_cap_count && s.addr == (uint64_t)(uintptr_t)kf_pbuf[slot]) {
		struct capos_xfer_desc *d = (void *)(kf_pbuf[slot] + capos_align8(s.len));
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
	kf_submit(slot, &s, kind, true);
}

/* One fault on a valid SQE: the documented error, always. */
void op_malformed(void)
{
	int slot = kf_slot(false);
	struct capos_sqe s = {.opcode = CAPOS_OP_NOP};
	int32_t want;
	unsigned c = (unsigned)kf_pick(15);
	switch (c) {
	case 0:
		s.opcode = (uint8_t)(CAPOS_OP_FIRST_RESERVED + kf_pick(251));
		want = CAPOS_ERR_RESERVED_OPCODE;
		break;
	case 1:
		s.flags = (uint16_t)(1u << kf_pick(16));
		want = CAPOS_ERR_INVALID_SQE;
		break;
	case 2:
		s.reserved0 = (uint16_t)(1 + kf_pick(0xfffe));
		want = CAPOS_ERR_INVALID_SQE;
		break;
	case 3:
		s.reserved1 = (uint16_t)(1 + kf_pick(0xfffe));
		want = CAPOS_ERR_INVALID_SQE;
		break;
	case 4:
		s.pipeline_dep = 1 + (uint32_t)kf_pick(0xfffffffe);
		want = CAPOS_ERR_INVALID_SQE;
		break;
	case 5:
		s.pipeline_field = (uint16_t)(1 + kf_pick(0xfffe));
		want = CAPOS_ERR_INVALID_SQE;
		break;
	case 6:
		s.xfer_cap_count = (uint8_t)(1 + kf_pick(255));
		want = CAPOS_ERR_BAD_TRANSFER;
		break;
	case 7: /* CALL with more descriptors than allowed */
		s.opcode = CAPOS_OP_CALL;
		s.cap_id = c_console;
		s.xfer_cap_count = (uint8_t)(CAPOS_XFER_MAX + 1 + kf_pick(255 - CAPOS_XFER_MAX));
		want = CAPOS_ERR_BAD_TRANSFER;
		break;
	case 8: /* params or result in the kernel half */
		s.opcode = CAPOS_OP_CALL;
		s.cap_id = c_console;
		s.len = 8;
		s.addr = 0xffff800000000000ull + kf_pick(1ull << 40);
		want = CAPOS_ERR_BAD_BUFFER;
		break;
	case 9: /* a cap id that never resolves: 0 */
		s.opcode = kf_chance(2) ? CAPOS_OP_CALL : CAPOS_OP_RELEASE;
		want = CAPOS_ERR_BAD_CAP;
		break;
	case 10: /* RECV on a Console */
		s.opcode = CAPOS_OP_RECV;
		s.cap_id = c_console;
		want = CAPOS_ERR_NOT_PERMITTED;
		break;
	case 12:   /* a valid message to a method Console does not have */
	case 13:   /* params on an unmapped page */
	case 14: { /* a read-only result buffer: refused before the write */
		BUILD(capos_Console_writeLine_Params, p);
		capos_Console_writeLine_Params_set_text(p, "~", 1);
		s = kf_call_sqe(slot, c_console, capos_Console_writeLine_METHOD, kf_finish(&b));
		want = CAPOS_ERR_BAD_BUFFER;
		if (c == 12) {
			s.method_id = (uint16_t)(2 + kf_pick(0xfffe));
			want = CAPOS_ERR_UNKNOWN_METHOD;
		} else if (c == 13) {
			s.addr = KF_HOLE + kf_pick(16) * P;
		} else {
			s.result_addr = CAPOS_CAPSET_VADDR;
		}
		break;
	}
	default: /* a kernel object takes no transfers */
		s.opcode = CAPOS_OP_CALL;
		s.cap_id = c_console;
		s.xfer_cap_count = 1;
		s.addr = (uint64_t)(uintptr_t)kf_pbuf[slot];
		((struct capos_xfer_desc *)kf_pbuf[slot])[0] = (struct capos_xfer_desc){.cap_id = c_console};
		want = CAPOS_ERR_BAD_TRANSFER;
		break;
	}
	kf_submit(slot, &s, K_EXPECT, false);
	kf_ops[slot].expect = want;
	kf_ops[slot].arg = c;
}

void op_corrupt(void)
{
	volatile struct capos_ring_header *h = &RING->header;
	kf_stats.corrupt++;
	switch (kf_pick(3)) {
	case 0: { /* sq_tail too far ahead: refused, nothing consumed */
		uint32_t t = h->sq_tail;
		h->sq_tail = t + CAPOS_SQ_ENTRIES + 1 + (uint32_t)kf_pick(1u << 31);
		int64_t r = capos_cap_enter(0, CAPOS_NO_WAIT);
		h->sq_tail = t;
		if (r != CAPOS_ERR_RING_CORRUPT)
			kf_fail(7, "cap_enter with sq_tail %u ahead = %ld", CAPOS_SQ_ENTRIES + 1, (long)r);
		break;
	}
	case 1: { /* cq_head past cq_tail */
		uint32_t hd = h->cq_head;
		h->cq_head = h->cq_tail + 1 + (uint32_t)kf_pick(1u << 31);
		int64_t r = capos_cap_enter(0, CAPOS_NO_WAIT);
		h->cq_head = hd;
		if (r != CAPOS_ERR_RING_CORRUPT)
			kf_fail(7, "cap_enter with cq_head past cq_tail = %ld", (long)r);
		break;
	}
	default: { /* kernel-owned fields: never read back, republished by a corrupt call */
		uint32_t sqh = h->sq_head, cqt = h->cq_tail;
		h->sq_head = (uint32_t)kf_rand();
		h->cq_tail = (uint32_t)kf_rand();
		h->sq_entries = (uint32_t)kf_rand();
		h->cq_mask = (uint32_t)kf_rand();
		h->reserved[kf_pick(5)] = (uint32_t)kf_rand();
		int64_t r = capos_cap_enter(0, CAPOS_NO_WAIT);
		if (r < 0)
			kf_fail(7, "cap_enter read scribbled kernel-owned ring fields (%ld)", (long)r);
		/* The repair: a call on a corrupt ring publishes them again. */
		uint32_t t = h->sq_tail;
		h->sq_tail = t + CAPOS_SQ_ENTRIES + 1;
		r = capos_cap_enter(0, CAPOS_NO_WAIT);
		h->sq_tail = t;
		if (r != CAPOS_ERR_RING_CORRUPT || h->sq_entries != CAPOS_SQ_ENTRIES ||
		    h->cq_mask != CAPOS_CQ_ENTRIES - 1 || h->sq_head - sqh > CAPOS_SQ_ENTRIES ||
		    h->cq_tail - cqt > CAPOS_CQ_ENTRIES)
			kf_fail(7, "kernel-owned ring fields not republished (cap_enter %ld)", (long)r);
		break;
	}
	}
	kf_reap();
}

#define RFLAGS_DF 0x400ull
#define RFLAGS_NT 0x4000ull
#define RFLAGS_AC 0x40000ull

static uint64_t poison_flags(void)
{
	uint64_t f = 0;
	if (kf_chance(2))
		f |= RFLAGS_DF;
	if (kf_chance(2))
		f |= RFLAGS_AC;
	if (!(kf_cfg.off & OFF_NT) && kf_chance(2))
		f |= RFLAGS_NT;
	return f;
}

/*
 * One syscall with junk in every register the ABI does not use and the
 * RFLAGS bits regs[7] set.  regs[0..6] go in as rdx, r8, r9, r10, r12,
 * r13, r14 and come back as the kernel left them; *a and *b are rdi, rsi.
 * Everything but rax, rcx and r11 must come back unchanged.
 */
static int64_t raw_syscall(uint64_t nr, uint64_t *a, uint64_t *b, uint64_t regs[8])
{
	int64_t ret;
	/* clang-format off */
	__asm__ volatile("mov 0(%[r]), %%rdx\n\t"
	                 "mov 8(%[r]), %%r8\n\t"
	                 "mov 16(%[r]), %%r9\n\t"
	                 "mov 24(%[r]), %%r10\n\t"
	                 "mov 32(%[r]), %%r12\n\t"
	                 "mov 40(%[r]), %%r13\n\t"
	                 "mov 48(%[r]), %%r14\n\t"
	                 "pushfq\n\t"
	                 "mov 56(%[r]), %%rcx\n\t"
	                 "orq %%rcx, (%%rsp)\n\t"
	                 "popfq\n\t"
	                 "syscall\n\t"
	                 "cld\n\t"
	                 "mov %%rdx, 0(%[r])\n\t"
	                 "mov %%r8, 8(%[r])\n\t"
	                 "mov %%r9, 16(%[r])\n\t"
	                 "mov %%r10, 24(%[r])\n\t"
	                 "mov %%r12, 32(%[r])\n\t"
	                 "mov %%r13, 40(%[r])\n\t"
	                 "mov %%r14, 48(%[r])\n\t"
	                 : "=a"(ret), "+D"(*a), "+S"(*b)
	                 : "0"(nr), [r] "r"(regs)
	                 : "rcx", "rdx", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "memory",
	                   "cc");
	/* clang-format on */
	return ret;
}

/* Spins with the flags set so timer interrupts arrive on top of them. */
static void spin_with_flags(uint64_t fl, uint64_t n)
{
	/* clang-format off */
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
	/* clang-format on */
}

/*
 * A register call (ipc_call, ipc_recv, ipc_reply_recv) the kernel must
 * refuse without blocking: on a cap that is not an Endpoint
 * (NOT_PERMITTED), on an id that names nothing, stale or with bits above
 * 32 (BAD_CAP), or a reply_recv on any cap, since the fuzzer never holds
 * a register call (BAD_CALL_ID on its own endpoint).  The words are the
 * junk in rdx, r8, r9, r10; nothing may come back changed.
 */
static uint64_t reg_refused(uint64_t *cap, int64_t *lo, int64_t *hi)
{
	uint64_t nr = CAPOS_SYS_IPC_CALL + kf_pick(2); /* call or recv */
	*lo = *hi = CAPOS_ERR_BAD_CAP;
	switch (kf_pick(4)) {
	case 0:
		*cap = kernel_cap_no_endpoint();
		*lo = *hi = CAPOS_ERR_NOT_PERMITTED;
		break;
	case 1: *cap = kf_stale[kf_pick(16)]; break;
	case 2: *cap = kf_rand() | (1ull << (32 + kf_pick(32))); break;
	default:
		nr = CAPOS_SYS_IPC_REPLY_RECV;
		*cap = kf_chance(2) ? any_cap() : kf_rand();
		*lo = CAPOS_ERR_BAD_CALL_ID; /* -15 .. -3: BAD_CALL_ID, NOT_PERMITTED, BAD_CAP */
		break;
	}
	return nr;
}

void op_syscall(void)
{
	uint64_t regs[8], sent[8];
	for (unsigned i = 0; i < 7; i++)
		regs[i] = kf_chance(2) ? kf_rand() : 0xffff800000000000ull + kf_pick(1u << 30);
	uint64_t fl = poison_flags();
	uint64_t nr = 0, a = 0, b = 0;
	int64_t want_lo = 0, want_hi = CAPOS_CQ_ENTRIES;
	switch (kf_pick(6)) {
	case 0: /* an unknown syscall number (0 to 5 are taken) */
		nr = CAPOS_SYS_IPC_REPLY_RECV + 1 + kf_pick(1ull << 62);
		a = kf_rand(), b = kf_rand();
		want_lo = want_hi = CAPOS_ERR_INVALID_ARGUMENT;
		break;
	case 5: /* a register call that must be refused at once */
		nr = reg_refused(&a, &want_lo, &want_hi);
		b = kf_rand();
		break;
	case 1: /* min_complete out of range */
		a = CAPOS_CQ_ENTRIES + 1 + kf_pick(1ull << 40);
		b = kf_rand();
		want_lo = want_hi = CAPOS_ERR_INVALID_ARGUMENT;
		break;
	case 2: /* no wait, any timeout value */
		a = 0;
		b = kf_rand();
		break;
	case 3: /* a short blocking wait: another process runs meanwhile */
		a = 1 + kf_pick(CAPOS_CQ_ENTRIES);
		b = (1 + kf_pick(3)) * KF_MS;
		break;
	default:
		spin_with_flags(fl, 1000 + kf_pick(200000));
		return;
	}
	kf_stats.syscalls++;
	regs[7] = fl;
	memcpy(sent, regs, sizeof sent);
	uint64_t a0 = a, b0 = b;
	int64_t r = raw_syscall(nr, &a, &b, regs);
	if (r < want_lo || r > want_hi)
		kf_fail(7, "syscall(%#lx, %#lx, %#lx) flags %#lx = %ld, expected %ld..%ld",
		        (unsigned long)nr, (unsigned long)a, (unsigned long)b, (unsigned long)fl, (long)r,
		        (long)want_lo, (long)want_hi);
	if (a != a0 || b != b0)
		kf_fail(7, "syscall %#lx changed rdi/rsi: %#lx %#lx -> %#lx %#lx", (unsigned long)nr,
		        (unsigned long)a0, (unsigned long)b0, (unsigned long)a, (unsigned long)b);
	static const char *const names[] = {"rdx", "r8", "r9", "r10", "r12", "r13", "r14"};
	for (unsigned i = 0; i < 7; i++)
		if (regs[i] != sent[i])
			kf_fail(7, "syscall %#lx changed %s: %#lx -> %#lx", (unsigned long)nr, names[i],
			        (unsigned long)sent[i], (unsigned long)regs[i]);
	kf_reap();
}

/*
 * Fills the CQ without reading it: batches of NOPs, each pushed with a
 * bare cap_enter and no reaping, until the kernel has no CQ slot left and
 * must leave SQEs queued.  None may be lost or completed twice (checked
 * when they are reaped), and cap_enter never reports more than the CQ.
 */
void op_flood(void)
{
	unsigned free_slots = 0;
	for (unsigned i = 0; i < KF_SLOTS; i++)
		free_slots += !kf_ops[i].used;
	unsigned n = free_slots > 4 ? free_slots - 4 : 0;
	while (n) {
		unsigned batch = n < CAPOS_SQ_ENTRIES / 2 ? n : CAPOS_SQ_ENTRIES / 2;
		if (RING->header.sq_tail - RING->header.sq_head + batch > CAPOS_SQ_ENTRIES)
			break; /* the kernel cannot take more until we read the CQ */
		for (unsigned k = 0; k < batch; k++) {
			int slot = kf_slot(false);
			struct capos_sqe s = {.opcode = CAPOS_OP_NOP};
			kf_submit(slot, &s, K_EXPECT, false);
			kf_ops[slot].expect = 0;
		}
		n -= batch;
		int64_t r = capos_cap_enter(0, CAPOS_NO_WAIT);
		if (r < 0 || r > (int64_t)CAPOS_CQ_ENTRIES)
			kf_fail(7, "cap_enter with the CQ filling up = %ld", (long)r);
	}
	kf_reap();
	kf_enter(0, CAPOS_NO_WAIT);
}
