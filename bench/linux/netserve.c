/*
 * netserve: /init of the Linux guest that `make bench-net` boots beside
 * capOS's network system (tools/bench/bench-net.sh, mk/benchnet.mk).
 * Static (gcc -static, glibc), no shell, no other program.
 *
 * As /init (pid 1) it mounts devtmpfs for the console, loads the virtio-net
 * driver's modules from /modules (Debian builds virtio_pci and virtio_net as
 * modules; the initramfs holds them as NN-name.ko, loaded in name order with
 * finit_module), gives eth0 the static address QEMU's user network would
 * lease (10.0.2.15/24, default route via 10.0.2.2: no DHCP client) and
 * serves, on one epoll loop:
 *   TCP echo       port 7   every byte read is written back
 *   HTTP/1.1       port 80  GET / answers a fixed page of --body-bytes bytes;
 *                           keep-alive (HTTP/1.1 default), pipelining; other
 *                           paths 404; malformed requests 400 and close
 *   control        port 9   a line "poweroff" ends the run
 * then powers the guest off.  --timeout S powers it off after S seconds
 * whatever happens (status line says so).  Options come from the kernel
 * command line after "--" (the kernel passes those words to /init).
 *
 * Not as pid 1 (the host test, tests/tools/netload-test.sh) it skips the
 * console, modules and interface, binds 127.0.0.1 only, prints the ports
 * it got (port 0 = any free one) and exits instead of powering off.
 *
 * Usage: netserve [--echo-port N] [--http-port N] [--ctl-port N]
 *                 [--body-bytes N] [--timeout SECS] [--help]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <net/route.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "guest_init.h"

#define MAX_CONNS  256
#define IN_CAP     8192u
#define OUT_CAP    65536u
#define MAX_BODY   32768u
#define MODULE_DIR "/modules"
#define GUEST_ADDR "10.0.2.15"
#define GUEST_MASK "255.255.255.0"
#define GUEST_GW   "10.0.2.2"
#define GUEST_IF   "eth0"

enum kind { K_ECHO,
	    K_HTTP,
	    K_CTL,
	    K_COUNT };
static const char *const kind_name[K_COUNT] = {"echo", "http", "control"};

struct conn {
	int fd;
	enum kind kind;
	bool peer_eof;    /* the peer closed its side: flush, then close */
	bool close_after; /* HTTP: close once the queued responses are out */
	size_t in_len;
	size_t out_len, out_off;
	unsigned char in[IN_CAP];
	unsigned char out[OUT_CAP];
};

struct listener {
	int fd;
	enum kind kind;
	unsigned port;
};

static struct {
	int epfd;
	bool pid1;
	bool stop;
	struct conn *stop_conn; /* the control connection that asked: closed last */
	int exit_status;
	unsigned timeout_s;
	unsigned body_bytes;
	char body[MAX_BODY];
	struct listener ls[K_COUNT];
	unsigned live;
	/* Counters printed when the run ends. */
	unsigned long accepted[K_COUNT], refused, echo_bytes, http_ok, http_404, http_bad;
} g = {.body_bytes = 1024, .ls = {{-1, K_ECHO, 7}, {-1, K_HTTP, 80}, {-1, K_CTL, 9}}};

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("netserve: ", stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
	va_end(ap);
}

static void usage(FILE *f)
{
	fputs("usage: netserve [--echo-port N] [--http-port N] [--ctl-port N]\n"
	      "                [--body-bytes N] [--timeout SECS] [--help]\n"
	      "TCP echo (default port 7), HTTP/1.1 GET / with a BODY-BYTES page (80,\n"
	      "default 1024 bytes), control (9: a line \"poweroff\" ends the run).\n"
	      "As pid 1: loads /modules/*.ko, sets eth0 to 10.0.2.15/24 via 10.0.2.2,\n"
	      "serves on every address and powers off at the end.  Otherwise: binds\n"
	      "127.0.0.1 only (port 0 = any free port), prints the ports and exits.\n",
	      f);
}

static bool parse_uint(const char *s, unsigned max, unsigned *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return false;
	*out = (unsigned)v;
	return true;
}

/* 0: go on; 1: --help printed; 2: bad arguments. */
static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			usage(stdout);
			return 1;
		}
		unsigned v, max = 65535;
		unsigned *dst = NULL;
		if (!strcmp(a, "--echo-port"))
			dst = &g.ls[K_ECHO].port;
		else if (!strcmp(a, "--http-port"))
			dst = &g.ls[K_HTTP].port;
		else if (!strcmp(a, "--ctl-port"))
			dst = &g.ls[K_CTL].port;
		else if (!strcmp(a, "--body-bytes"))
			dst = &g.body_bytes, max = MAX_BODY;
		else if (!strcmp(a, "--timeout"))
			dst = &g.timeout_s, max = 86400;
		if (!dst) {
			fprintf(stderr, "netserve: unknown argument '%s' (see --help)\n", a);
			return 2;
		}
		if (i + 1 >= argc || !parse_uint(argv[i + 1], max, &v)) {
			fprintf(stderr, "netserve: %s needs a number from 0 to %u\n", a, max);
			return 2;
		}
		*dst = v;
		i++;
	}
	if (g.body_bytes < 64) {
		fprintf(stderr, "netserve: --body-bytes must be at least 64\n");
		return 2;
	}
	return 0;
}

/* The page: a small HTML document of exactly body_bytes bytes. */
static void make_body(void)
{
	static const char head[] = "<!DOCTYPE html><html><head><title>netserve</title></head><body><p>";
	static const char tail[] = "</p></body></html>\n";
	static const char fill[] = "Linux guest of make bench-net. ";
	size_t n = g.body_bytes, h = sizeof head - 1, t = sizeof tail - 1;
	memcpy(g.body, head, h);
	for (size_t i = h; i < n - t; i++)
		g.body[i] = fill[(i - h) % (sizeof fill - 1)];
	memcpy(g.body + n - t, tail, t);
}

static int ko_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);
	return n > 3 && !strcmp(d->d_name + n - 3, ".ko");
}

/* Every .ko file of /modules in name order (the Makefile numbers them so that
 * each module follows the ones it depends on). */
static int load_modules(void)
{
	struct dirent **list;
	int n = scandir(MODULE_DIR, &list, ko_filter, alphasort);
	if (n < 0) {
		say("no %s directory: the driver must be built in", MODULE_DIR);
		return 0;
	}
	int failed = 0;
	for (int i = 0; i < n; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/%s", MODULE_DIR, list[i]->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || (syscall(SYS_finit_module, fd, "", 0) != 0 && errno != EEXIST)) {
			say("FAIL loading module %s: %s", path, strerror(errno));
			failed = 1;
		} else {
			say("module %s loaded", list[i]->d_name);
		}
		if (fd >= 0)
			close(fd);
		free(list[i]);
	}
	free(list);
	return failed ? -1 : 0;
}

static void set_sin(struct sockaddr *sa, const char *addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;
	memset(sin, 0, sizeof *sin);
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
}

static int if_up(int s, const char *name, const char *addr, const char *mask)
{
	struct ifreq ifr;
	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (addr) {
		set_sin(&ifr.ifr_addr, addr);
		if (ioctl(s, SIOCSIFADDR, &ifr) != 0)
			return -1;
		set_sin(&ifr.ifr_netmask, mask);
		if (ioctl(s, SIOCSIFNETMASK, &ifr) != 0)
			return -1;
	}
	if (ioctl(s, SIOCGIFFLAGS, &ifr) != 0)
		return -1;
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	return ioctl(s, SIOCSIFFLAGS, &ifr);
}

/* lo and eth0 up, eth0 at the address QEMU's DHCP server would give. */
static int net_up(void)
{
	/* A PCI driver probes the device while its module loads; the
	 * interface may still take a moment to register. */
	for (int i = 0; i < 100 && !if_nametoindex(GUEST_IF); i++)
		usleep(50 * 1000);
	if (!if_nametoindex(GUEST_IF)) {
		say("FAIL: no %s interface after loading the modules", GUEST_IF);
		return -1;
	}
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0 || if_up(s, "lo", NULL, NULL) != 0 || if_up(s, GUEST_IF, GUEST_ADDR, GUEST_MASK) != 0) {
		say("FAIL: configuring %s: %s", GUEST_IF, strerror(errno));
		return -1;
	}
	struct rtentry rt;
	memset(&rt, 0, sizeof rt);
	set_sin(&rt.rt_dst, "0.0.0.0");
	set_sin(&rt.rt_genmask, "0.0.0.0");
	set_sin(&rt.rt_gateway, GUEST_GW);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	if (ioctl(s, SIOCADDRT, &rt) != 0 && errno != EEXIST)
		say("default route via %s not set: %s", GUEST_GW, strerror(errno));
	close(s);
	say("%s up: %s/24, default route via %s (static, no DHCP)", GUEST_IF, GUEST_ADDR, GUEST_GW);
	return 0;
}

static int listen_on(struct listener *l)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	int one = 1;
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_port = htons((uint16_t)l->port);
	/* Off the guest, never more than the host's loopback. */
	sin.sin_addr.s_addr = g.pid1 ? htonl(INADDR_ANY) : htonl(INADDR_LOOPBACK);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(fd, 128) != 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) != 0) {
		say("FAIL: %s port %u: %s", kind_name[l->kind], l->port, strerror(errno));
		return -1;
	}
	l->fd = fd;
	l->port = ntohs(sin.sin_port);
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = l};
	return epoll_ctl(g.epfd, EPOLL_CTL_ADD, fd, &ev);
}

static bool is_listener(void *p)
{
	return p >= (void *)&g.ls[0] && p < (void *)&g.ls[K_COUNT];
}

static void conn_close(struct conn *c)
{
	if (c == g.stop_conn)
		g.stop_conn = NULL;
	epoll_ctl(g.epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c);
	g.live--;
}

static void accept_all(struct listener *l)
{
	for (;;) {
		int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct conn *c = g.live < MAX_CONNS ? malloc(sizeof *c) : NULL;
		if (!c) {
			g.refused++;
			close(fd);
			continue;
		}
		memset(c, 0, offsetof(struct conn, in));
		c->fd = fd;
		c->kind = l->kind;
		struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
		if (epoll_ctl(g.epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			g.refused++;
			close(fd);
			free(c);
			continue;
		}
		g.live++;
		g.accepted[l->kind]++;
	}
}

static bool queue(struct conn *c, const void *p, size_t n)
{
	if (OUT_CAP - c->out_len < n)
		return false;
	memcpy(c->out + c->out_len, p, n);
	c->out_len += n;
	return true;
}

static void respond(struct conn *c, int code, const char *reason, const char *body, size_t n)
{
	char h[256];
	int hl = snprintf(h, sizeof h,
	                  "HTTP/1.1 %d %s\r\nContent-Type: text/html\r\nContent-Length: %zu\r\n%s\r\n",
	                  code, reason, n, c->close_after ? "Connection: close\r\n" : "");
	queue(c, h, (size_t)hl);
	queue(c, body, n);
}

/* Is header NAME (lower case, with ':') in REQ with a value starting VAL? */
static bool header_is(const char *req, const char *name, const char *val)
{
	size_t nl = strlen(name);
	for (const char *p = strstr(req, "\r\n"); p && p[2] != '\r'; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, name, nl))
			continue;
		const char *v = p + 2 + nl;
		while (*v == ' ' || *v == '\t')
			v++;
		return strncasecmp(v, val, strlen(val)) == 0;
	}
	return false;
}

/* One complete request (headers NUL-terminated, ending \r\n\r\n). */
static void http_request(struct conn *c, char *req)
{
	static const char not_found[] = "not found\n", bad[] = "bad request\n";
	char method[8], path[256], version[16];
	if (sscanf(req, "%7s %255s %15s", method, path, version) != 3 ||
	    strncmp(version, "HTTP/1.", 7) || (version[7] != '0' && version[7] != '1') || version[8] ||
	    strcmp(method, "GET") || (header_is(req, "content-length:", "") && !header_is(req, "content-length:", "0"))) {
		g.http_bad++;
		c->close_after = true;
		respond(c, 400, "Bad Request", bad, sizeof bad - 1);
		return;
	}
	if (version[7] == '0' ? !header_is(req, "connection:", "keep-alive") : header_is(req, "connection:", "close"))
		c->close_after = true;
	if (!strcmp(path, "/") || !strcmp(path, "/index.html")) {
		g.http_ok++;
		respond(c, 200, "OK", g.body, g.body_bytes);
	} else {
		g.http_404++;
		respond(c, 404, "Not Found", not_found, sizeof not_found - 1);
	}
}

/* Answers every complete request in the input while the output has room
 * for one more answer (pipelined requests wait for the output to drain). */
static void http_input(struct conn *c)
{
	while (!c->close_after && OUT_CAP - c->out_len >= MAX_BODY + 256) {
		unsigned char *end = memmem(c->in, c->in_len, "\r\n\r\n", 4);
		if (!end) {
			if (c->in_len == IN_CAP) { /* headers larger than we take */
				static const char big[] = "request too large\n";
				g.http_bad++;
				c->close_after = true;
				respond(c, 400, "Bad Request", big, sizeof big - 1);
			}
			return;
		}
		size_t n = (size_t)(end - c->in) + 4;
		end[2] = '\0'; /* keeps the last header's \r\n for header_is */
		http_request(c, (char *)c->in);
		memmove(c->in, c->in + n, c->in_len - n);
		c->in_len -= n;
	}
}

static void ctl_input(struct conn *c)
{
	if (!memchr(c->in, '\n', c->in_len) && c->in_len < IN_CAP)
		return;
	bool poweroff = c->in_len >= 8 && !memcmp(c->in, "poweroff", 8);
	c->in_len = 0;
	if (poweroff && !g.stop) {
		queue(c, "bye\n", 4);
		say("control: poweroff asked");
		g.stop = true;
		g.stop_conn = c; /* kept open until the peer has read and closed */
		return;
	}
	queue(c, "?\n", 2);
	c->close_after = true;
}

/* Reads what fits: echo straight into the output, the others into the
 * input buffer.  false: the connection failed. */
static bool conn_read(struct conn *c)
{
	unsigned char *dst = c->kind == K_ECHO ? c->out + c->out_len : c->in + c->in_len;
	size_t room = c->kind == K_ECHO ? OUT_CAP - c->out_len : IN_CAP - c->in_len;
	if (room == 0 || c->peer_eof)
		return true;
	ssize_t n = read(c->fd, dst, room);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0) {
		c->peer_eof = true;
		return true;
	}
	if (c->kind == K_ECHO) {
		c->out_len += (size_t)n;
		g.echo_bytes += (unsigned long)n;
	} else {
		c->in_len += (size_t)n;
		if (c->kind == K_HTTP)
			http_input(c);
		else
			ctl_input(c);
	}
	return true;
}

static bool conn_write(struct conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = write(c->fd, c->out + c->out_off, c->out_len - c->out_off);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR;
		c->out_off += (size_t)n;
	}
	c->out_len = c->out_off = 0;
	if (c->kind == K_HTTP)
		http_input(c); /* requests that waited for room */
	return true;
}

static void conn_event(struct conn *c, uint32_t ev)
{
	bool ok = true;
	if (ev & (EPOLLIN | EPOLLHUP | EPOLLERR))
		ok = conn_read(c);
	if (ok)
		ok = conn_write(c);
	if (ok && c->out_off > 0) { /* keep the unsent part at the front */
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	bool pending = c->out_len > 0;
	if (ok && c == g.stop_conn && !pending)
		shutdown(c->fd, SHUT_WR); /* the answer is out: the peer closes */
	if (!ok || (!pending && (c->peer_eof || c->close_after))) {
		conn_close(c);
		return;
	}
	size_t room = c->kind == K_ECHO ? OUT_CAP - c->out_len : IN_CAP - c->in_len;
	struct epoll_event e = {.events = (room && !c->peer_eof && !c->close_after ? EPOLLIN : 0) |
	                                  (pending ? EPOLLOUT : 0),
	                        .data.ptr = c};
	epoll_ctl(g.epfd, EPOLL_CTL_MOD, c->fd, &e);
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Serves until told to stop; then until the connection that said so has
 * had its answer and closed (a guest that powers off at once can lose the
 * answer on its way out), for at most STOP_GRACE_S. */
#define STOP_GRACE_S 2.0
static void serve(void)
{
	double deadline = g.timeout_s ? now_s() + g.timeout_s : 0;
	struct epoll_event evs[64];
	while (!g.stop || g.stop_conn) {
		int wait_ms = -1;
		if (g.stop && (!deadline || deadline > now_s() + STOP_GRACE_S))
			deadline = now_s() + STOP_GRACE_S;
		if (deadline) {
			double left = deadline - now_s();
			if (left <= 0 && g.stop) {
				say("control connection still open %.0f s after poweroff: going on", STOP_GRACE_S);
				return;
			}
			if (left <= 0) {
				say("FAIL: --timeout %u s passed without a poweroff on the control port", g.timeout_s);
				g.exit_status = 1;
				return;
			}
			wait_ms = (int)(left * 1000) + 1;
		}
		int n = epoll_wait(g.epfd, evs, 64, wait_ms);
		for (int i = 0; i < n; i++) {
			if (is_listener(evs[i].data.ptr))
				accept_all(evs[i].data.ptr);
			else
				conn_event(evs[i].data.ptr, evs[i].events);
		}
	}
}

static void finish(void)
{
	say("served: connections echo=%lu http=%lu control=%lu refused=%lu; echoed %lu bytes; "
	    "http 200=%lu 404=%lu 400=%lu",
	    g.accepted[K_ECHO], g.accepted[K_HTTP], g.accepted[K_CTL], g.refused, g.echo_bytes,
	    g.http_ok, g.http_404, g.http_bad);
	if (!g.pid1)
		exit(g.exit_status);
	say("powering off");
	guest_power_off();
	_exit(1); /* not reached: pid 1 may not return */
}

int main(int argc, char **argv)
{
	g.pid1 = getpid() == 1;
	if (g.pid1)
		guest_console();
	int r = parse_args(argc, argv);
	if (r) {
		g.exit_status = r == 1 ? 0 : 2;
		if (!g.pid1)
			return g.exit_status;
		finish();
	}
	make_body();
	if (g.pid1 && (load_modules() != 0 || net_up() != 0)) {
		g.exit_status = 1;
		finish();
	}
	g.epfd = epoll_create1(EPOLL_CLOEXEC);
	for (int k = 0; k < K_COUNT; k++)
		if (g.epfd < 0 || listen_on(&g.ls[k]) != 0) {
			g.exit_status = 1;
			finish();
		}
	say("ready: echo port %u, http port %u (page %u bytes), control port %u%s", g.ls[K_ECHO].port,
	    g.ls[K_HTTP].port, g.body_bytes, g.ls[K_CTL].port, g.pid1 ? "" : " on 127.0.0.1");
	serve();
	finish();
}
