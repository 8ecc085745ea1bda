/*
 * ptydrive: runs a command on a pseudo-terminal and drives it from a
 * script, like a person typing: it waits for text before each batch of
 * keys, never for time, each wait bounded.  Everything the command
 * prints is copied to stdout (the test's log).
 *
 * Usage: ptydrive [--timeout SEC] SCRIPT -- COMMAND [ARG...]
 * Script lines (one per line, '#' comments):
 *   expect TEXT     wait until TEXT appears after the last match
 *   send TEXT       type TEXT; \r \n \t \\ \e (ESC) \xHH are escapes
 *   paste N         type N printable bytes at once (a paste), then \r
 *   garbage N SEED  type N pseudo-random bytes except Ctrl-C/Ctrl-D/CR/LF
 *   status N        at the end: the command must exit with status N
 * Exit: 0 when every step passed, 1 with "ptydrive: FAIL ..." otherwise.
 */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int master = -1;
static pid_t child = -1;
static int timeout_s = 120;
static char seen[1 << 20];
static size_t seen_len, matched_at;

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Reads what the command printed within ms; false at its end. */
static int pump(int ms)
{
	struct pollfd p = {.fd = master, .events = POLLIN};
	int r = poll(&p, 1, ms);
	if (r <= 0)
		return r == 0;
	char buf[4096];
	ssize_t n = read(master, buf, sizeof buf);
	if (n <= 0)
		return 0;
	fwrite(buf, 1, (size_t)n, stdout);
	fflush(stdout);
	if (seen_len + (size_t)n >= sizeof seen) { /* keep the newest half */
		size_t keep = sizeof seen / 2;
		memmove(seen, seen + seen_len - keep, keep);
		matched_at = matched_at > seen_len - keep ? matched_at - (seen_len - keep) : 0;
		seen_len = keep;
	}
	memcpy(seen + seen_len, buf, (size_t)n);
	seen_len += (size_t)n;
	return 1;
}

static void fail(const char *what, const char *arg)
{
	fprintf(stdout, "\nptydrive: FAIL %s %s\n", what, arg);
	if (child > 0)
		kill(child, SIGKILL);
	exit(1);
}

static void expect(const char *text)
{
	double end = now() + timeout_s;
	size_t tl = strlen(text);
	for (;;) {
		for (size_t i = matched_at; i + tl <= seen_len; i++)
			if (memcmp(seen + i, text, tl) == 0) {
				matched_at = i + tl;
				return;
			}
		if (now() > end)
			fail("timed out waiting for", text);
		if (!pump(200) && !pump(0))
			fail("the command ended before printing", text);
	}
}

static void type(const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(master, s, n);
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			fail("write to the terminal failed", "");
		if (w > 0) {
			s += w;
			n -= (size_t)w;
		}
		pump(0);
	}
}

static size_t unescape(const char *in, char *out)
{
	size_t n = 0;
	for (; *in; in++) {
		if (*in != '\\' || !in[1]) {
			out[n++] = *in;
			continue;
		}
		in++;
		switch (*in) {
		case 'r': out[n++] = '\r'; break;
		case 'n': out[n++] = '\n'; break;
		case 't': out[n++] = '\t'; break;
		case 'e': out[n++] = 0x1b; break;
		case 'x': {
			char hex[3] = {in[1], in[1] ? in[2] : 0, 0};
			out[n++] = (char)strtol(hex, 0, 16);
			in += 2;
			break;
		}
		default: out[n++] = *in;
		}
	}
	return n;
}

static void paste(long n)
{
	char *buf = malloc((size_t)n + 1);
	for (long i = 0; i < n; i++)
		buf[i] = (char)('a' + i % 26);
	buf[n] = '\r';
	type(buf, (size_t)n + 1);
	free(buf);
}

static void garbage(long n, unsigned seed)
{
	char *buf = malloc((size_t)n);
	for (long i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		unsigned char c = (unsigned char)(seed >> 16);
		if (c == 3 || c == 4 || c == '\r' || c == '\n')
			c = 'x';
		buf[i] = (char)c;
	}
	type(buf, (size_t)n);
	free(buf);
}

int main(int argc, char **argv)
{
	int a = 1;
	if (argc > 1 && strcmp(argv[1], "--help") == 0) {
		printf("Usage: ptydrive [--timeout SEC] SCRIPT -- COMMAND [ARG...]\n"
		       "Runs COMMAND on a pseudo-terminal and types SCRIPT into it (see the\n"
		       "comment at the top of tests/tools/ptydrive.c for the script lines).\n");
		return 0;
	}
	if (a + 1 < argc && strcmp(argv[a], "--timeout") == 0) {
		timeout_s = atoi(argv[a + 1]);
		a += 2;
	}
	if (a + 2 >= argc || strcmp(argv[a + 1], "--") != 0) {
		fprintf(stderr, "ptydrive: usage: ptydrive [--timeout SEC] SCRIPT -- COMMAND [ARG...] "
		                "(try --help)\n");
		return 2;
	}
	FILE *script = fopen(argv[a], "r");
	if (!script) {
		fprintf(stderr, "ptydrive: cannot open %s\n", argv[a]);
		return 2;
	}
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	child = forkpty(&master, 0, 0, &ws);
	if (child < 0) {
		perror("ptydrive: forkpty");
		return 2;
	}
	if (child == 0) {
		execvp(argv[a + 2], &argv[a + 2]);
		perror("ptydrive: exec");
		_exit(127);
	}
	char line[4096], text[4096];
	int want_status = -1;
	while (fgets(line, sizeof line, script)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (strncmp(line, "expect ", 7) == 0) {
			size_t n = unescape(line + 7, text);
			text[n] = '\0';
			expect(text);
		} else if (strncmp(line, "send ", 5) == 0) {
			type(text, unescape(line + 5, text));
		} else if (strncmp(line, "paste ", 6) == 0) {
			paste(atol(line + 6));
		} else if (strncmp(line, "garbage ", 8) == 0) {
			char *end;
			long n = strtol(line + 8, &end, 10);
			garbage(n, (unsigned)strtoul(end, 0, 10));
		} else if (strncmp(line, "status ", 7) == 0) {
			want_status = atoi(line + 7);
		} else {
			fail("unknown script line:", line);
		}
	}
	double end = now() + timeout_s;
	int st;
	for (;;) {
		pump(100);
		pid_t w = waitpid(child, &st, WNOHANG);
		if (w == child)
			break;
		if (now() > end)
			fail("timed out waiting for the command to exit", "");
	}
	while (pump(0) > 0 && pump(50) > 0)
		;
	int code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	if (want_status >= 0 && code != want_status) {
		snprintf(text, sizeof text, "%d, wanted %d", code, want_status);
		fail("the command exited with", text);
	}
	printf("\nptydrive: PASS (exit status %d)\n", code);
	return 0;
}
