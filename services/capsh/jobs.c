/* capsh's children (see shell.h): each has a ProcessHandle.wait pending
 * from the moment it is spawned, so its end is noticed whatever the shell
 * is doing; the handle is released once the end is reported. */
#include "shell.h"

static struct sh_job jobs[SH_JOBS_MAX];

static int submit_wait(struct sh_job *j)
{
	static uint64_t params[4];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessHandle_wait_Params_init_root(&b);
	capnp_builder_finish(&b, &len);
	struct capos_sqe sqe = {0};
	sqe.opcode = CAPOS_OP_CALL;
	sqe.cap_id = j->handle;
	sqe.method_id = capos_ProcessHandle_wait_METHOD;
	sqe.addr = (uint64_t)(uintptr_t)params;
	sqe.len = (uint32_t)len;
	sqe.result_addr = (uint64_t)(uintptr_t)j->result;
	sqe.result_len = sizeof j->result;
	sqe.user_data = j->wait_ud = capos_ring_next_user_data(&capos_rt_ring);
	/* The params are copied when the kernel takes the SQE: now. */
	int e = capos_ring_submit(&capos_rt_ring, &sqe);
	if (e == 0)
		capos_ring_enter(&capos_rt_ring, 0, CAPOS_NO_WAIT);
	return e;
}

struct sh_job *job_add(uint32_t handle, uint32_t pid, const char *name)
{
	for (unsigned i = 0; i < SH_JOBS_MAX; i++) {
		struct sh_job *j = &jobs[i];
		if (j->used)
			continue;
		memset(j, 0, sizeof(*j));
		j->used = true;
		j->handle = handle;
		j->pid = pid;
		kstrlcpy(j->name, name, sizeof j->name);
		if (submit_wait(j) < 0) {
			j->used = false;
			return 0;
		}
		return j;
	}
	return 0;
}

static void job_forget(struct sh_job *j)
{
	capos_release_queue_push(&capos_rt_releases, &capos_rt_ring, j->handle);
	capos_flush_releases();
	j->used = false;
}

/* Reports j's end from its wait's CQE. */
static void job_report(struct sh_job *j, const struct capos_cqe *cqe)
{
	struct capos_reply reply;
	struct capos_call_error err;
	if (capos_call_classify(cqe, j->result, sizeof j->result, &reply, &err) < 0) {
		sh_error("ProcessHandle.wait", &err);
		return;
	}
	struct capnp_reader m;
	capnp_reader_init(&m, j->result, reply.result_len);
	capos_ProcessHandle_wait_Results_reader r = capos_ProcessHandle_wait_Results_read_root(&m);
	if (capos_ProcessHandle_wait_Results_get_killed(r)) {
		struct capnp_text why = capos_ProcessHandle_wait_Results_get_killReason(r);
		sh_printf("[capsh] pid %u '%s' was killed: %.*s\n", j->pid, j->name, (int)why.len,
		          why.str);
	} else {
		sh_printf("[capsh] pid %u '%s' exited with code %ld\n", j->pid, j->name,
		          (long)capos_ProcessHandle_wait_Results_get_exitCode(r));
	}
}

/* true when j has ended (reported and forgotten). */
static bool job_check(struct sh_job *j)
{
	struct capos_cqe cqe;
	capos_ring_reap(&capos_rt_ring);
	if (!capos_ring_take(&capos_rt_ring, j->wait_ud, &cqe))
		return false;
	job_report(j, &cqe);
	job_forget(j);
	return true;
}

void jobs_reap(void)
{
	capos_ring_enter(&capos_rt_ring, 0, CAPOS_NO_WAIT);
	for (unsigned i = 0; i < SH_JOBS_MAX; i++)
		if (jobs[i].used)
			job_check(&jobs[i]);
}

void jobs_list(void)
{
	unsigned n = 0;
	for (unsigned i = 0; i < SH_JOBS_MAX; i++)
		if (jobs[i].used) {
			sh_printf("  pid %u  %s\n", jobs[i].pid, jobs[i].name);
			n++;
		}
	sh_printf("%u job%s running (at most %u)\n", n, n == 1 ? "" : "s", SH_JOBS_MAX);
}

struct sh_job *job_by_pid(uint32_t pid)
{
	for (unsigned i = 0; i < SH_JOBS_MAX; i++)
		if (jobs[i].used && jobs[i].pid == pid)
			return &jobs[i];
	return 0;
}

bool job_kill(struct sh_job *j)
{
	uint64_t result[8];
	struct capos_call_error err;
	if (sh_call0(j->handle, capos_ProcessHandle_kill_METHOD, result, sizeof result, 0, &err) <
	    0) {
		sh_error("ProcessHandle.kill", &err);
		return false;
	}
	return true;
}

void job_foreground(struct sh_job *j)
{
	uint8_t in[64];
	for (;;) {
		if (job_check(j))
			return;
		/* Short reads: the child's end is seen within a tenth of a second. */
		int n = sh_read(in, sizeof in, 100000000ull);
		if (n < 0)
			return;
		for (int i = 0; i < n; i++)
			if (in[i] == 0x03) { /* Ctrl-C: the command, not the shell */
				sh_printf("^C\n");
				job_kill(j);
			}
	}
}

void jobs_kill_all(void)
{
	for (unsigned i = 0; i < SH_JOBS_MAX; i++) {
		struct sh_job *j = &jobs[i];
		if (!j->used)
			continue;
		job_kill(j);
		struct capos_cqe cqe;
		if (capos_ring_wait(&capos_rt_ring, j->wait_ud, CAPOS_WAIT_FOREVER, &cqe) == 0)
			job_report(j, &cqe);
		job_forget(j);
	}
}
