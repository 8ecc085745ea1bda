/* capsh's commands (see shell.h).  Each takes its words; a command that
 * needs a capability the shell does not hold says which. */
#include "shell.h"

#define LINE_RAW_MAX 256u

struct cmd {
	const char *name;
	const char *usage;
	const char *help;
	int (*run)(int argc, char **argv);
};

static const struct cmd *find_cmd(const char *name);

static const struct {
	uint64_t id;
	const char *name;
} interfaces[] = {
	{capos_Console_ID, "Console"},
	{capos_Terminal_ID, "Terminal"},
	{capos_SystemMonitor_ID, "SystemMonitor"},
	{capos_ProcessSpawner_ID, "ProcessSpawner"},
	{capos_ProcessHandle_ID, "ProcessHandle"},
	{capos_FrameAllocator_ID, "FrameAllocator"},
	{capos_VirtualMemory_ID, "VirtualMemory"},
	{capos_MemoryObject_ID, "MemoryObject"},
	{capos_Endpoint_ID, "Endpoint"},
	{capos_BootPackage_ID, "BootPackage"},
};

const char *sh_interface_name(uint64_t id)
{
	for (unsigned i = 0; i < sizeof interfaces / sizeof interfaces[0]; i++)
		if (interfaces[i].id == id)
			return interfaces[i].name;
	return 0;
}

/* The cap the shell holds under name with interface id, or 0 and a
 * message. */
static const struct capos_capset_entry *need(const char *name, uint64_t id, const char *cmd)
{
	const struct capos_capset_entry *e = capos_capset_find(&capos_rt.capset, name, id);
	if (e == 0)
		sh_printf("capsh: %s needs a %s '%s', which this shell does not hold\n", cmd,
		          sh_interface_name(id), name);
	return e;
}

int sh_parse_u32(const char *s, uint32_t *out)
{
	uint64_t v = 0;
	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 0xffffffffu / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > 0xffffffffu)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int cmd_help(int argc, char **argv);

static int cmd_caps(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const struct capos_capset *cs = &capos_rt.capset;
	sh_printf("%-16s %-16s %s\n", "NAME", "INTERFACE", "SLOT");
	for (uint32_t i = 0; i < cs->count; i++) {
		const struct capos_capset_entry *e = capos_capset_at(cs, i);
		const char *iface = sh_interface_name(e->interface_id);
		if (iface)
			sh_printf("%-16.31s %-16s %u\n", e->name, iface, e->cap_id);
		else
			sh_printf("%-16.31s %-16lx %u\n", e->name, (unsigned long)e->interface_id,
			          e->cap_id);
	}
	sh_named_list();
	sh_printf("(badges are not visible to their holder)\n");
	return 0;
}

/* spawn BINARY [name=cap ...] [&] */
static int cmd_spawn(int argc, char **argv)
{
	const struct capos_capset_entry *sp = need("spawner", capos_ProcessSpawner_ID, "spawn");
	if (sp == 0)
		return 0;
	bool background = argc > 1 && strcmp(argv[argc - 1], "&") == 0;
	if (background)
		argc--;
	if (argc < 2) {
		sh_printf("usage: %s\n", find_cmd("spawn")->usage);
		return 0;
	}
	static uint64_t params[512], result[32];
	struct capnp_builder b;
	size_t len = 0;
	capnp_builder_init(&b, params, sizeof params);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	const char *bin = argv[1];
	capos_ProcessSpawner_spawn_Params_set_name(p, bin, strlen(bin));
	capos_ProcessSpawner_spawn_Params_set_binaryName(p, bin, strlen(bin));
	struct capnp_list_builder l =
		capos_ProcessSpawner_spawn_Params_init_grants(p, (uint32_t)(argc - 2));
	for (int i = 2; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		const char *child_name = argv[i], *mine = argv[i];
		if (eq) {
			*eq = '\0';
			mine = eq + 1;
		}
		const struct capos_capset_entry *e = sh_cap(mine);
		if (e == 0) {
			sh_printf("capsh: spawn: this shell holds no cap '%s' to grant (see 'caps')\n",
			          mine);
			return 0;
		}
		capos_CapGrant_builder gb = capos_CapGrant_list_at(l, (uint32_t)(i - 2));
		capos_CapGrant_set_name(gb, child_name, strlen(child_name));
		capos_CapGrant_set_capId(gb, e->cap_id);
		capos_CapGrant_set_mode(gb, capos_TransferMode_copy);
		capos_CapGrant_set_interfaceId(gb, e->interface_id);
	}
	if (capnp_builder_finish(&b, &len) != CAPNP_OK) {
		sh_printf("capsh: spawn: too many grants\n");
		return 0;
	}
	struct capos_reply reply;
	struct capos_call_error err;
	if (sh_call(sp->cap_id, capos_ProcessSpawner_spawn_METHOD, params, (uint32_t)len, result,
	            sizeof result, &reply, &err) < 0) {
		sh_error("spawn", &err);
		return 0;
	}
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	capos_ProcessSpawner_spawn_Results_reader r = capos_ProcessSpawner_spawn_Results_read_root(&m);
	uint16_t hi = capos_ProcessSpawner_spawn_Results_get_handleIndex(r);
	uint32_t pid = capos_ProcessSpawner_spawn_Results_get_pid(r);
	if (hi >= reply.cap_count || reply.caps[hi].interface_id != capos_ProcessHandle_ID) {
		sh_printf("capsh: spawn: no ProcessHandle in the answer\n");
		return 0;
	}
	uint32_t handle = reply.caps[hi].cap_id;
	struct sh_job *j = job_add(handle, pid, bin);
	if (j == 0) {
		sh_printf("capsh: spawn: pid %u started but cannot be watched (%u jobs): killed\n",
		          pid, SH_JOBS_MAX);
		uint64_t res[8];
		sh_call0(handle, capos_ProcessHandle_kill_METHOD, res, sizeof res, 0, 0);
		capos_release_queue_push(&capos_rt_releases, &capos_rt_ring, handle);
		capos_flush_releases();
		return 0;
	}
	sh_printf("[capsh] spawned pid %u '%s'%s\n", pid, bin, background ? " in the background" : "");
	if (!background)
		job_foreground(j);
	return 0;
}

static int cmd_jobs(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	jobs_reap();
	jobs_list();
	return 0;
}

static struct sh_job *job_arg(int argc, char **argv)
{
	uint32_t pid;
	if (argc != 2 || sh_parse_u32(argv[1], &pid) < 0) {
		sh_printf("usage: %s\n", find_cmd(argv[0])->usage);
		return 0;
	}
	jobs_reap();
	struct sh_job *j = job_by_pid(pid);
	if (j == 0)
		sh_printf("capsh: %s: pid %u is not a running job of this shell (see 'jobs')\n",
		          argv[0], pid);
	return j;
}

static int cmd_wait(int argc, char **argv)
{
	struct sh_job *j = job_arg(argc, argv);
	if (j)
		job_foreground(j);
	return 0;
}

static int cmd_kill(int argc, char **argv)
{
	struct sh_job *j = job_arg(argc, argv);
	if (j && job_kill(j)) {
		jobs_reap();
	}
	return 0;
}

static int cmd_ps(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const struct capos_capset_entry *mon = need("monitor", capos_SystemMonitor_ID, "ps");
	if (mon == 0)
		return 0;
	static uint64_t result[1024];
	struct capos_reply reply;
	struct capos_call_error err;
	if (sh_call0(mon->cap_id, capos_SystemMonitor_processes_METHOD, result, sizeof result, &reply,
	             &err) < 0) {
		sh_error("SystemMonitor.processes", &err);
		return 0;
	}
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	capos_SystemMonitor_processes_Results_reader r =
		capos_SystemMonitor_processes_Results_read_root(&m);
	struct capnp_list l = capos_SystemMonitor_processes_Results_get_processes(r);
	sh_printf("%5s %-16s %-9s %7s %5s %8s %9s\n", "PID", "NAME", "STATE", "FRAMES", "CAPS",
	          "SLICES", "SYSCALLS");
	for (uint32_t i = 0; i < l.len; i++) {
		capos_ProcessInfo_reader e = capos_ProcessInfo_list_get(l, i);
		struct capnp_text name = capos_ProcessInfo_get_name(e);
		struct capnp_text st = capos_ProcessInfo_get_state(e);
		sh_printf("%5u %-16.*s %-9.*s %7lu %5u %8lu %9lu\n", capos_ProcessInfo_get_pid(e),
		          (int)(name.len > 16 ? 16 : name.len), name.str, (int)(st.len > 9 ? 9 : st.len),
		          st.str, (unsigned long)capos_ProcessInfo_get_frames(e),
		          capos_ProcessInfo_get_caps(e), (unsigned long)capos_ProcessInfo_get_slices(e),
		          (unsigned long)capos_ProcessInfo_get_syscalls(e));
	}
	uint32_t hidden = capos_SystemMonitor_processes_Results_get_hidden(r);
	if (hidden)
		sh_printf("(%u more outside this monitor's scope)\n", hidden);
	if (capnp_reader_error(&m) != CAPNP_OK)
		sh_printf("capsh: ps: the answer did not decode\n");
	return 0;
}

static int cmd_mem(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	const struct capos_capset_entry *mon = need("monitor", capos_SystemMonitor_ID, "mem");
	if (mon == 0)
		return 0;
	uint64_t result[16];
	struct capos_reply reply;
	struct capos_call_error err;
	if (sh_call0(mon->cap_id, capos_SystemMonitor_memory_METHOD, result, sizeof result, &reply,
	             &err) < 0) {
		sh_error("SystemMonitor.memory", &err);
		return 0;
	}
	struct capnp_reader m;
	capnp_reader_init(&m, result, reply.result_len);
	capos_SystemMonitor_memory_Results_reader r = capos_SystemMonitor_memory_Results_read_root(&m);
	sh_printf("frames: %lu free of %lu; endpoints live: %u; processes live: %u\n",
	          (unsigned long)capos_SystemMonitor_memory_Results_get_framesFree(r),
	          (unsigned long)capos_SystemMonitor_memory_Results_get_framesTotal(r),
	          capos_SystemMonitor_memory_Results_get_endpointsLive(r),
	          capos_SystemMonitor_memory_Results_get_processesLive(r));
	return 0;
}

/* The line as typed, for `call` (its args keep their spaces). */
static char raw_line[LINE_RAW_MAX];
static const char *raw_base;

static int cmd_call(int argc, char **argv)
{
	if (argc < 4)
		return sh_cmd_call(argc, argv, 0, 0);
	size_t at = (size_t)(argv[3] - raw_base);
	return sh_cmd_call(argc, argv, raw_line + at, (unsigned)at);
}

static int cmd_exit(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	return 1;
}

static const struct cmd cmds[] = {
	{"help", "help [command]", "lists the commands, or explains one", cmd_help},
	{"caps", "caps", "the capabilities this shell holds: name, interface, slot", cmd_caps},
	{"spawn", "spawn BINARY [name=cap ...] [&]",
         "starts BINARY from the boot package with copies of exactly the listed caps of this "
         "shell (a bare name keeps the shell's name); waits for it unless '&' ends the line; "
         "Ctrl-C kills it",
         cmd_spawn},
	{"jobs", "jobs", "the children this shell started that still run", cmd_jobs},
	{"wait", "wait PID", "waits for a job in the foreground (Ctrl-C kills it)", cmd_wait},
	{"kill", "kill PID", "ends a job of this shell (ProcessHandle.kill)", cmd_kill},
	{"ps", "ps", "the processes this shell's SystemMonitor shows", cmd_ps},
	{"mem", "mem", "free frames, live endpoints and processes (SystemMonitor)", cmd_mem},
	{"call", "call CAP [METHOD [(f = v, ...)]]",
         "calls METHOD of a cap this shell holds, with params in Cap'n Proto text form: "
         "(text = \"hi\", n = 3, on = true, e = enumerant, l = [1, 2], s = (a = 1), "
         "d = 0x\"00ff\", c = capName); prints the results the same way and keeps result caps "
         "as r1, r2, ...; without METHOD lists the methods (interfaces from the boot "
         "package's schemas)",
         cmd_call},
	{"drop", "drop rN", "releases a cap a call's result gave (r1, r2, ...: see 'caps')",
         sh_cmd_drop},
	{"top", "top [N]",
         "N snapshots (default 5) of the SystemMonitor's processes a second apart, with the "
         "slices and syscalls used since the one before; a key stops it",
         sh_cmd_top},
	{"exit", "exit", "leaves the shell (so does Ctrl-D on an empty line)", cmd_exit},
};
#define CMD_COUNT (sizeof cmds / sizeof cmds[0])

static const struct cmd *find_cmd(const char *name)
{
	for (unsigned i = 0; i < CMD_COUNT; i++)
		if (strcmp(cmds[i].name, name) == 0)
			return &cmds[i];
	return 0;
}

static int cmd_help(int argc, char **argv)
{
	if (argc >= 2) {
		const struct cmd *c = find_cmd(argv[1]);
		if (c == 0)
			sh_printf("capsh: help: no command '%.40s'\n", argv[1]);
		else
			sh_printf("%s\n  %s\n", c->usage, c->help);
		return 0;
	}
	sh_printf("commands:\n");
	for (unsigned i = 0; i < CMD_COUNT; i++)
		sh_printf("  %-34s %s\n", cmds[i].usage,
		          cmds[i].help); /* one line each; 'help CMD' for the rest */
	sh_printf("line editing: left/right, backspace, Ctrl-A/E/U/W, up/down for history\n");
	return 0;
}

/* Splits line into words at spaces (in place); `call`'s fourth word is
 * the rest of the line (its args, spaces and all). */
static int split(char *line, char **argv)
{
	int argc = 0;
	char *s = line;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (*s == '\0')
			return argc;
		if (argc == (int)SH_ARGS_MAX)
			return -1;
		argv[argc++] = s;
		if (argc == 4 && strcmp(argv[0], "call") == 0)
			return argc;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
}

int sh_run(char *line)
{
	char *argv[SH_ARGS_MAX];
	size_t n = strnlen(line, sizeof raw_line - 1);
	memcpy(raw_line, line, n);
	raw_line[n] = '\0';
	raw_base = line;
	int argc = split(line, argv);
	if (argc < 0) {
		sh_printf("capsh: more than %u words\n", SH_ARGS_MAX);
		return 0;
	}
	if (argc == 0)
		return 0;
	const struct cmd *c = find_cmd(argv[0]);
	if (c == 0) {
		sh_printf("capsh: %.40s: no such command ('help' lists them)\n", argv[0]);
		return 0;
	}
	return c->run(argc, argv);
}
