/*
 * capsh, the capability shell (docs/terminal.md): what its files share.
 * main.c runs the terminal and the line loop, cmds.c the commands,
 * jobs.c the children it spawned, line.c the line editor.
 */
#ifndef CAPSH_SHELL_H
#define CAPSH_SHELL_H

#include <capos/rt.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"

#define SH_ARGS_MAX 16u
#define SH_JOBS_MAX 8u

/* Output to the terminal (one Terminal.write per call). */
void sh_write(const char *s, size_t n);
void sh_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Explains a failed call: "capsh: what: exception failed: ...". */
void sh_error(const char *what, const struct capos_call_error *err);

/* One CALL with a params message built by the caller; result in result. */
int sh_call(uint32_t cap, uint16_t method, const void *params, uint32_t params_len, void *result,
            uint32_t result_cap, struct capos_reply *reply, struct capos_call_error *err);
/* The same with empty params. */
int sh_call0(uint32_t cap, uint16_t method, void *result, uint32_t result_cap,
             struct capos_reply *reply, struct capos_call_error *err);

/* A raw-mode Terminal.read of up to max bytes, waiting at most timeout_ns:
 * the number of bytes placed in buf, 0 on a timeout, <0 on failure. */
int sh_read(uint8_t *buf, uint32_t max, uint64_t timeout_ns);

/* Caps the shell holds, from its CapSet (by the shell's own names). */
const struct capos_capset_entry *sh_cap(const char *name);
const char *sh_interface_name(uint64_t id);

/* A decimal number; -1 if s is not one or is above UINT32_MAX. */
int sh_parse_u32(const char *s, uint32_t *out);

/* Commands (cmds.c): 0 to go on, 1 when the shell should leave. */
int sh_run(char *line);

/* call.c: `call CAP [METHOD [ARGS]]`, ARGS the rest of the line as typed
 * (column args_col of it, for error columns); caps by the shell's names,
 * its CapSet's and the results it kept (r1, r2, ...). */
int sh_cmd_call(int argc, char **argv, const char *args, unsigned args_col);
bool sh_cap_named(const char *name, size_t len, uint32_t *cap_id, uint64_t *iface);
/* Lists the result caps kept (for `caps`). */
void sh_named_list(void);
/* `drop rN`: releases a result cap kept. */
int sh_cmd_drop(int argc, char **argv);

/* top.c: `top [N]`, N snapshots of the processes a second apart. */
int sh_cmd_top(int argc, char **argv);

/* Jobs (jobs.c). */
struct sh_job {
	bool used;
	uint32_t handle; /* ProcessHandle cap id */
	uint32_t pid;
	char name[32];
	uint64_t wait_ud; /* the pending ProcessHandle.wait's user_data */
	uint64_t result[(CAPOS_WAIT_RESULT_BYTES + 7) / 8];
};
/* Starts watching a spawned child; returns its job or NULL (no room). */
struct sh_job *job_add(uint32_t handle, uint32_t pid, const char *name);
/* Reports and forgets every job that has ended. */
void jobs_reap(void);
void jobs_list(void);
struct sh_job *job_by_pid(uint32_t pid);
/* Waits for j in the foreground: Ctrl-C kills it.  */
void job_foreground(struct sh_job *j);
/* ProcessHandle.kill; false with a message when it failed. */
bool job_kill(struct sh_job *j);
/* Every job killed and forgotten (the shell is leaving). */
void jobs_kill_all(void);

#endif
