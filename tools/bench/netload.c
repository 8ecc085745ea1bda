/*
 * netload: the host's load client of `make bench-net` (tools/bench/bench-net.sh).
 * It talks only to 127.0.0.1 (QEMU's host forwards into a guest); every
 * loop is bounded by a count and by --timeout.
 *
 *   netload wait --port P [--http] [--timeout S]
 *       until the echo service behind P answers one probe byte, or with
 *       --http until an HTTP server answers GET / (QEMU accepts a
 *       forwarded connection before the guest listens, so a connect alone
 *       proves nothing)
 *   netload tcp --port P [--mib N] [--timeout S]
 *       N MiB (default 16) of a fixed pseudo-random stream through the echo
 *       service on one connection, sent and read back concurrently; the
 *       SHA-256 of what came back must be the stream's.  Prints MB/s
 *       (10^6 bytes per second, of the N MiB, from connect to last byte)
 *   netload http --port P [--conns K] [--requests M] [--path PATH] [--timeout S]
 *       K keep-alive connections at once (default 8), M GET requests each
 *       (default 200), one outstanding per connection, after one warm-up
 *       request each that is not counted; a response counts when its
 *       status is 200 and its body is exactly Content-Length bytes.
 *       Prints requests per second and latencies
 *   netload send --port P --line TEXT [--udp] [--timeout S]
 *       one line to P and the first line of the answer (a control port);
 *       --udp: the text as one datagram and the answering datagram
 *   netload freeport [N]
 *       N (default 1) TCP ports of 127.0.0.1 free right now
 * Results are one line `netload: MODE key=value ...`; exit 0 when every
 * byte or response was right, 1 otherwise, 2 on bad arguments.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"

#define MAX_CONNS 1024u
#define RESP_CAP  (256u * 1024u)

struct opts {
	unsigned port, mib, conns, requests, timeout_s, count;
	const char *path, *line;
	bool udp, http_probe;
};

static void usage(FILE *f)
{
	fputs("usage: netload wait --port P [--http] [--timeout S]\n"
	      "       netload tcp --port P [--mib N] [--timeout S]\n"
	      "       netload http --port P [--conns K] [--requests M] [--path PATH] [--timeout S]\n"
	      "       netload send --port P --line TEXT [--udp] [--timeout S]\n"
	      "       netload freeport [N]\n"
	      "Load client of make bench-net: talks only to 127.0.0.1:P.  tcp: N MiB\n"
	      "(default 16) through an echo service, checked by SHA-256, MB/s.  http: K\n"
	      "keep-alive connections (default 8) x M GETs (default 200), requests/s.\n"
	      "wait: until the echo (--http: HTTP) service answers.  send: one line.\n"
	      "Timeout default 120 s.  Exit 0: all correct; 1: errors; 2: bad arguments.\n",
	      f);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static bool parse_uint(const char *s, unsigned lo, unsigned hi, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || s[0] == '-' || v < lo || v > hi)
		return false;
	*out = (unsigned)v;
	return true;
}

static int bad_arg(const char *fmt, const char *a)
{
	fprintf(stderr, "netload: ");
	fprintf(stderr, fmt, a);
	fprintf(stderr, " (see --help)\n");
	return 2;
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		unsigned *dst = NULL, lo = 1, hi = 65535;
		if (!strcmp(a, "--udp") || !strcmp(a, "--http")) {
			*(a[2] == 'u' ? &o->udp : &o->http_probe) = true;
			continue;
		}
		if (!strcmp(a, "--port"))
			dst = &o->port;
		else if (!strcmp(a, "--mib"))
			dst = &o->mib, hi = 4096;
		else if (!strcmp(a, "--conns"))
			dst = &o->conns, hi = MAX_CONNS;
		else if (!strcmp(a, "--requests"))
			dst = &o->requests, hi = 1000000;
		else if (!strcmp(a, "--timeout"))
			dst = &o->timeout_s, hi = 3600;
		else if (!strcmp(a, "--path") || !strcmp(a, "--line")) {
			if (i + 1 >= argc || !argv[i + 1][0] || strpbrk(argv[i + 1], "\r\n"))
				return bad_arg("%s needs a one-line, non-empty value", a);
			*(a[2] == 'p' ? &o->path : &o->line) = argv[++i];
			continue;
		}
		if (!dst)
			return bad_arg("unknown argument '%s'", a);
		if (i + 1 >= argc || !parse_uint(argv[i + 1], lo, hi, dst)) {
			fprintf(stderr, "netload: %s needs a number from %u to %u\n", a, lo, hi);
			return 2;
		}
		i++;
	}
	if (!o->port)
		return bad_arg("%s needs --port", "this mode");
	return 0;
}

static int connect_local(unsigned port, bool nonblock, bool udp)
{
	int fd = socket(AF_INET, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK); /* never any other address */
	if (connect(fd, (struct sockaddr *)&sin, sizeof sin) != 0) {
		close(fd);
		return -1;
	}
	if (nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

/* Waits up to MS for EV on FD; false on timeout or error. */
static bool wait_fd(int fd, short ev, int ms)
{
	struct pollfd p = {.fd = fd, .events = ev};
	return poll(&p, 1, ms) == 1 && (p.revents & ev);
}

/* One probe: the echo service sends "?" back, or (--http) an HTTP server
 * answers a GET of / with a status line. */
static bool probe(const struct opts *o)
{
	static const char get[] = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
	const char *msg = o->http_probe ? get : "?", *want = o->http_probe ? "HTTP/1." : "?";
	size_t n = strlen(msg), wn = strlen(want), got = 0;
	char buf[16];
	int fd = connect_local(o->port, false, false);
	bool ok = fd >= 0 && write(fd, msg, n) == (ssize_t)n;
	while (ok && got < wn && wait_fd(fd, POLLIN, 2000)) {
		ssize_t r = read(fd, buf + got, wn - got);
		ok = r > 0;
		got += ok ? (size_t)r : 0;
	}
	if (fd >= 0)
		close(fd);
	return ok && got == wn && !memcmp(buf, want, wn);
}

static int mode_wait(const struct opts *o)
{
	double t0 = now_s(), end = t0 + o->timeout_s;
	unsigned tries = 0;
	const char *what = o->http_probe ? "http" : "echo";
	while (now_s() < end) {
		tries++;
		if (probe(o)) {
			printf("netload: wait %s port=%u ready_after_s=%.1f tries=%u\n", what, o->port, now_s() - t0, tries);
			return 0;
		}
		usleep(500 * 1000);
	}
	printf("netload: wait %s port=%u FAIL no answer within %u s (%u tries)\n", what, o->port, o->timeout_s, tries);
	return 1;
}

/* The test stream: xorshift64* from a fixed seed, 8 bytes a step. */
static void stream_fill(uint64_t *state, unsigned char *buf, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t x = *state;
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		*state = x;
		x *= 0x2545F4914F6CDD1DULL;
		memcpy(buf + i, &x, 8);
	}
}

static void hex(const uint8_t *d, char *out)
{
	for (unsigned i = 0; i < SHA256_BYTES; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static int mode_tcp(const struct opts *o)
{
	enum { CHUNK = 64 * 1024 };
	static unsigned char sbuf[CHUNK], rbuf[CHUNK];
	size_t total = (size_t)o->mib << 20, sent = 0, got = 0, soff = CHUNK;
	uint64_t state = 0x9E3779B97F4A7C15ULL;
	struct sha256 hs, hr;
	sha256_init(&hs);
	sha256_init(&hr);
	double t0 = now_s(), end = t0 + o->timeout_s;
	int fd = connect_local(o->port, true, false);
	if (fd < 0) {
		printf("netload: tcp port=%u FAIL connect: %s\n", o->port, strerror(errno));
		return 1;
	}
	bool closed = false;
	while (got < total && !closed && now_s() < end) {
		struct pollfd p = {.fd = fd, .events = POLLIN | (sent < total ? POLLOUT : 0)};
		if (poll(&p, 1, 200) <= 0)
			continue;
		if ((p.revents & POLLOUT) && sent < total) {
			if (soff == CHUNK) {
				stream_fill(&state, sbuf, CHUNK);
				soff = 0;
			}
			size_t n = CHUNK - soff < total - sent ? CHUNK - soff : total - sent;
			ssize_t w = write(fd, sbuf + soff, n);
			if (w > 0) {
				sha256_update(&hs, sbuf + soff, (size_t)w);
				soff += (size_t)w;
				sent += (size_t)w;
			} else if (w < 0 && errno != EAGAIN) {
				closed = true;
			}
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t r = read(fd, rbuf, sizeof rbuf);
			if (r > 0) {
				size_t n = (size_t)r < total - got ? (size_t)r : total - got;
				sha256_update(&hr, rbuf, n);
				got += (size_t)r;
			} else if (r == 0 || errno != EAGAIN) {
				closed = true;
			}
		}
	}
	double secs = now_s() - t0;
	close(fd);
	uint8_t ds[SHA256_BYTES], dr[SHA256_BYTES];
	char hs_hex[2 * SHA256_BYTES + 1], hr_hex[2 * SHA256_BYTES + 1];
	sha256_final(&hs, ds);
	sha256_final(&hr, dr);
	hex(ds, hs_hex);
	hex(dr, hr_hex);
	bool ok = got == total && sent == total && !memcmp(ds, dr, SHA256_BYTES);
	printf("netload: tcp port=%u bytes=%zu sent=%zu received=%zu seconds=%.3f MBps=%.2f sha256=%.16s %s\n",
	       o->port, total, sent, got, secs, (double)got / 1e6 / secs, hr_hex,
	       ok ? "ok" : got != total ? (closed ? "FAIL connection closed early" : "FAIL timeout")
	                                : "FAIL hash differs");
	if (!ok && got == total)
		printf("netload: tcp sent sha256=%s received sha256=%s\n", hs_hex, hr_hex);
	return ok ? 0 : 1;
}

struct hconn {
	int fd;
	bool dead;      /* failed or closed: no more requests */
	bool waiting;   /* a request is out, its response not complete */
	unsigned done;  /* responses completed, warm-up included */
	double sent_at; /* when the request went out */
	size_t len;     /* bytes of the response buffered */
	unsigned char *buf;
};

struct hrun {
	const struct opts *o;
	char req[512];
	size_t rl;
	struct hconn *cs;
	struct pollfd *ps;
	bool measuring; /* past the warm-up: responses count */
	unsigned long good, bad;
	size_t body_min, body_max;
	double *lat; /* latencies of the first lat_cap responses */
	size_t nlat, lat_cap;
};

/* A complete response at the front of BUF: its length, else 0 (-1 when it
 * can never complete: no Content-Length, or too large).  *OK: status 200
 * and a body of exactly Content-Length bytes; *BODY: the body's length. */
static long response_len(const unsigned char *buf, size_t len, bool *ok, size_t *body)
{
	const unsigned char *end = memmem(buf, len, "\r\n\r\n", 4);
	if (!end)
		return len >= RESP_CAP ? -1 : 0;
	size_t hl = (size_t)(end - buf) + 4;
	char h[4096];
	size_t n = hl < sizeof h - 1 ? hl : sizeof h - 1;
	memcpy(h, buf, n);
	h[n] = '\0';
	const char *cl = NULL;
	for (const char *p = strstr(h, "\r\n"); p; p = strstr(p + 2, "\r\n"))
		if (!strncasecmp(p + 2, "content-length:", 15)) {
			cl = p + 17;
			break;
		}
	if (!cl)
		return -1;
	unsigned long blen = strtoul(cl, NULL, 10);
	if (blen > RESP_CAP - hl)
		return -1;
	if (len < hl + blen)
		return 0;
	*ok = !strncmp(h, "HTTP/1.1 200 ", 13) || !strncmp(h, "HTTP/1.0 200 ", 13);
	*body = blen;
	return (long)(hl + blen);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* The response at the front of C's buffer is complete (N bytes). */
static void http_response(struct hrun *h, struct hconn *c, long n, bool ok, size_t body)
{
	if (h->measuring) {
		if (h->nlat < h->lat_cap)
			h->lat[h->nlat++] = now_s() - c->sent_at;
		ok ? h->good++ : h->bad++;
		h->body_min = body < h->body_min ? body : h->body_min;
		h->body_max = body > h->body_max ? body : h->body_max;
	}
	memmove(c->buf, c->buf + n, c->len - (size_t)n);
	c->len -= (size_t)n;
	c->done++;
	c->waiting = false;
}

/* Until every live connection has TARGET responses, or END: each sends a
 * request whenever it has none outstanding. */
static void http_phase(struct hrun *h, unsigned target, double end)
{
	unsigned k = h->o->conns;
	for (;;) {
		unsigned live = 0;
		for (unsigned i = 0; i < k; i++) {
			struct hconn *c = &h->cs[i];
			h->ps[i].fd = -1; /* poll skips it */
			if (c->dead || c->done >= target)
				continue;
			if (!c->waiting) {
				/* Nothing is unsent on it: the request fits. */
				if (write(c->fd, h->req, h->rl) != (ssize_t)h->rl) {
					c->dead = true;
					continue;
				}
				c->waiting = true;
				c->sent_at = now_s();
			}
			h->ps[i].fd = c->fd;
			h->ps[i].events = POLLIN;
			live++;
		}
		if (!live || now_s() >= end)
			return;
		if (poll(h->ps, k, 200) <= 0)
			continue;
		for (unsigned i = 0; i < k; i++) {
			struct hconn *c = &h->cs[i];
			if (h->ps[i].fd < 0 || !(h->ps[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			ssize_t r = read(c->fd, c->buf + c->len, RESP_CAP - c->len);
			if (r > 0)
				c->len += (size_t)r;
			bool ok = false;
			size_t body = 0;
			long n = response_len(c->buf, c->len, &ok, &body);
			if (n > 0) {
				http_response(h, c, n, ok, body);
			} else if (n < 0 || r == 0 || (r < 0 && errno != EAGAIN)) {
				/* closed, failed, or a response we cannot read */
				h->bad += n < 0 && h->measuring;
				c->dead = true;
			}
		}
	}
}

static void http_free(struct hrun *h)
{
	for (unsigned i = 0; h->cs && i < h->o->conns; i++) {
		if (h->cs[i].fd >= 0)
			close(h->cs[i].fd);
		free(h->cs[i].buf);
	}
	free(h->cs);
	free(h->ps);
	free(h->lat);
}

/* K connections, each warmed up by one request whose response is not
 * counted (the connections' setup through QEMU's forward is not what is
 * measured: QEMU listens with a backlog of 1, so the host's connects wait
 * for SYN retransmissions), then M requests each, timed. */
static int mode_http(const struct opts *o)
{
	struct hrun h = {.o = o, .body_min = (size_t)-1};
	int rl = snprintf(h.req, sizeof h.req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: netload\r\n\r\n", o->path);
	unsigned long want = (unsigned long)o->conns * o->requests;
	h.lat_cap = want < (1u << 20) ? want : (1u << 20);
	h.cs = calloc(o->conns, sizeof *h.cs);
	h.ps = calloc(o->conns, sizeof *h.ps);
	h.lat = calloc(h.lat_cap, sizeof *h.lat);
	if (!h.cs || !h.ps || !h.lat || rl < 0 || (size_t)rl >= sizeof h.req) {
		printf("netload: http FAIL out of memory, or a path too long\n");
		http_free(&h);
		return 1;
	}
	h.rl = (size_t)rl;
	double t0 = now_s(), end = t0 + o->timeout_s;
	for (unsigned i = 0; i < o->conns; i++) {
		h.cs[i].buf = malloc(RESP_CAP);
		h.cs[i].fd = h.cs[i].buf ? connect_local(o->port, true, false) : -1;
		h.cs[i].dead = h.cs[i].fd < 0;
	}
	http_phase(&h, 1, end);
	double t1 = now_s();
	h.measuring = true;
	http_phase(&h, 1 + o->requests, end);
	double secs = now_s() - t1;
	unsigned long lost = want - h.good - h.bad;
	qsort(h.lat, h.nlat, sizeof *h.lat, cmp_double);
	bool all = h.good == want;
	printf("netload: http port=%u path=%s conns=%u requests=%lu ok=%lu bad=%lu lost=%lu warmup_s=%.3f "
	       "seconds=%.3f rps=%.1f body_bytes=%zu..%zu latency_ms_p50=%.2f p99=%.2f max=%.2f %s\n",
	       o->port, o->path, o->conns, want, h.good, h.bad, lost, t1 - t0, secs,
	       (double)h.good / secs, h.good + h.bad ? h.body_min : 0, h.body_max,
	       h.nlat ? h.lat[h.nlat / 2] * 1e3 : 0, h.nlat ? h.lat[h.nlat * 99 / 100] * 1e3 : 0,
	       h.nlat ? h.lat[h.nlat - 1] * 1e3 : 0, all ? "ok" : "FAIL");
	http_free(&h);
	return all ? 0 : 1;
}

/* TCP: the line and a newline, then the first answer.  UDP: the line
 * alone as one datagram, then the answering datagram. */
static int mode_send(const struct opts *o)
{
	int fd = connect_local(o->port, false, o->udp);
	char buf[256];
	size_t n = strlen(o->line);
	ssize_t r = -1;
	if (fd >= 0 && write(fd, o->line, n) == (ssize_t)n && (o->udp || write(fd, "\n", 1) == 1) &&
	    wait_fd(fd, POLLIN, (int)o->timeout_s * 1000))
		r = read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	const char *proto = o->udp ? "udp" : "tcp";
	if (r <= 0) {
		printf("netload: send %s port=%u FAIL no answer to '%s'\n", proto, o->port, o->line);
		return 1;
	}
	buf[r] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	printf("netload: send %s port=%u answer=%s\n", proto, o->port, buf);
	return 0;
}

static int mode_freeport(int argc, char **argv)
{
	unsigned n = 1;
	if (argc > 1 || (argc == 1 && !parse_uint(argv[0], 1, 16, &n)))
		return bad_arg("freeport takes one count from 1 to 16, not '%s'", argv[0]);
	int fds[16];
	for (unsigned i = 0; i < n; i++) {
		struct sockaddr_in sin = {.sin_family = AF_INET};
		socklen_t len = sizeof sin;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		fds[i] = socket(AF_INET, SOCK_STREAM, 0);
		if (fds[i] < 0 || bind(fds[i], (struct sockaddr *)&sin, sizeof sin) != 0 ||
		    getsockname(fds[i], (struct sockaddr *)&sin, &len) != 0) {
			perror("netload: freeport");
			return 1;
		}
		printf("%u\n", ntohs(sin.sin_port));
	}
	for (unsigned i = 0; i < n; i++) /* held together: N different ports */
		close(fds[i]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *mode = argv[1];
	if (!strcmp(mode, "--help") || !strcmp(mode, "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(mode, "freeport"))
		return mode_freeport(argc - 2, argv + 2);
	struct opts o = {.mib = 16, .conns = 8, .requests = 200, .timeout_s = 120, .path = "/"};
	int r = parse_opts(argc - 2, argv + 2, &o);
	if (r)
		return r;
	signal(SIGPIPE, SIG_IGN);
	if (!strcmp(mode, "wait"))
		return mode_wait(&o);
	if (!strcmp(mode, "tcp"))
		return mode_tcp(&o);
	if (!strcmp(mode, "http"))
		return mode_http(&o);
	if (!strcmp(mode, "send")) {
		if (!o.line)
			return bad_arg("%s needs --line", "send");
		return mode_send(&o);
	}
	return bad_arg("unknown mode '%s'", mode);
}
