/*
 * netclient: the host side of tests/net/run.sh.  Talks only to 127.0.0.1
 * (QEMU's host forwards into the guest); every wait is bounded.
 *
 *   netclient freeport                 a free loopback port for TCP and UDP
 *   netclient tcp PORT                 stdin -> 127.0.0.1:PORT -> stdout (an
 *                                      echo round trip; MB/s on stderr)
 *   netclient udp PORT COUNT           COUNT datagrams of 1..1400 bytes, each
 *                                      echoed back byte-identical
 *   netclient udp-say PORT TEXT REPLY  one datagram, expecting REPLY
 *   netclient flood PORT N             N connections at once, each sends a
 *                                      line, then all are closed
 * Exit 0 on success, 1 with a message on stderr otherwise.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define DEADLINE_S 120 /* no command runs longer */

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int fail(const char *what)
{
	fprintf(stderr, "netclient: %s: %s\n", what, errno ? strerror(errno) : "failed");
	return 1;
}

static int freeport(void)
{
	for (int tries = 0; tries < 50; tries++) {
		int t = socket(AF_INET, SOCK_STREAM, 0), u = socket(AF_INET, SOCK_DGRAM, 0);
		struct sockaddr_in a = loopback(0);
		socklen_t len = sizeof a;
		int ok = bind(t, (struct sockaddr *)&a, sizeof a) == 0 &&
		         getsockname(t, (struct sockaddr *)&a, &len) == 0 &&
		         bind(u, (struct sockaddr *)&a, sizeof a) == 0;
		close(t);
		close(u);
		if (ok) {
			printf("%d\n", ntohs(a.sin_port));
			return 0;
		}
	}
	return fail("no free port");
}

static int connect_to(int port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(port);
	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof a) != 0)
		return -1;
	return s;
}

/* stdin to the socket and the socket to stdout at once (the echo sends
 * back while we send), half-close after stdin's end, until the peer's. */
static int tcp(int port)
{
	int s = connect_to(port);
	if (s < 0)
		return fail("connect");
	fcntl(s, F_SETFL, O_NONBLOCK);
	static char out[65536], in[65536];
	size_t out_len = 0, out_off = 0;
	unsigned long long sent = 0, got = 0;
	int in_open = 1;
	double start = now_s();
	for (;;) {
		if (now_s() - start > DEADLINE_S) {
			errno = ETIMEDOUT;
			return fail("tcp");
		}
		if (in_open && out_off == out_len) {
			ssize_t n = read(0, out, sizeof out);
			if (n < 0)
				return fail("read stdin");
			if (n == 0) {
				in_open = 0;
				shutdown(s, SHUT_WR);
			}
			out_len = (size_t)n;
			out_off = 0;
		}
		struct pollfd p = {.fd = s, .events = POLLIN | (out_off < out_len ? POLLOUT : 0)};
		if (poll(&p, 1, 1000) < 0)
			return fail("poll");
		if (p.revents & POLLOUT) {
			ssize_t n = write(s, out + out_off, out_len - out_off);
			if (n < 0 && errno != EAGAIN)
				return fail("send");
			if (n > 0) {
				out_off += (size_t)n;
				sent += (unsigned long long)n;
			}
		}
		if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(s, in, sizeof in);
			if (n < 0 && errno != EAGAIN)
				return fail("receive");
			if (n == 0)
				break;
			if (n > 0) {
				got += (unsigned long long)n;
				if (fwrite(in, 1, (size_t)n, stdout) != (size_t)n)
					return fail("write stdout");
			}
		}
	}
	double t = now_s() - start;
	fflush(stdout);
	fprintf(stderr, "netclient: tcp: %llu bytes sent, %llu received in %.2f s (%.2f MB/s each way)\n",
	        sent, got, t, (double)got / 1e6 / (t > 0 ? t : 1));
	close(s);
	return 0;
}

static int udp_socket(int port)
{
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = loopback(port);
	if (u < 0 || connect(u, (struct sockaddr *)&a, sizeof a) != 0)
		return -1;
	return u;
}

/* One datagram and its answer, up to 3 tries of 3 s (UDP may drop). */
static int udp_round(int u, const void *msg, size_t len, void *ans, size_t cap)
{
	for (int tries = 0; tries < 3; tries++) {
		if (send(u, msg, len, 0) != (ssize_t)len)
			return -1;
		struct pollfd p = {.fd = u, .events = POLLIN};
		if (poll(&p, 1, 3000) != 1)
			continue;
		int n = (int)recv(u, ans, cap, 0);
		/* A resend can find the service already gone (it took the first
		 * datagram, "quit", and ended): the refusal then comes before
		 * the answer to the first, which may still be queued. */
		if (n < 0 && errno == ECONNREFUSED && tries > 0 && poll(&p, 1, 3000) == 1)
			n = (int)recv(u, ans, cap, 0);
		return n;
	}
	errno = ETIMEDOUT;
	return -1;
}

static int udp(int port, int count)
{
	int u = udp_socket(port);
	if (u < 0)
		return fail("udp socket");
	unsigned seed = 12345;
	char msg[1400], ans[2048];
	for (int i = 0; i < count; i++) {
		size_t len = 1 + (size_t)(rand_r(&seed) % sizeof msg);
		for (size_t k = 0; k < len; k++)
			msg[k] = (char)rand_r(&seed);
		int n = udp_round(u, msg, len, ans, sizeof ans);
		if (n < 0)
			return fail("udp round trip");
		if ((size_t)n != len || memcmp(msg, ans, len) != 0) {
			fprintf(stderr, "netclient: udp: datagram %d (%zu bytes) came back as %d different bytes\n",
			        i, len, n);
			return 1;
		}
	}
	printf("udp: %d of %d datagrams echoed\n", count, count);
	return 0;
}

static int udp_say(int port, const char *text, const char *reply)
{
	int u = udp_socket(port);
	char ans[256];
	if (u < 0)
		return fail("udp socket");
	int n = udp_round(u, text, strlen(text), ans, sizeof ans - 1);
	if (n < 0)
		return fail("udp");
	ans[n] = '\0';
	if (strcmp(ans, reply) != 0) {
		fprintf(stderr, "netclient: udp-say: answer '%s', expected '%s'\n", ans, reply);
		return 1;
	}
	return 0;
}

/* N connections at once; each sends a line.  Then all are closed.  The
 * guest serves some and refuses or holds the rest: nothing must be lost,
 * which the harness checks with the stack's counters afterwards. */
static int flood(int port, int n)
{
	int *fd = calloc((size_t)n, sizeof *fd);
	int opened = 0, echoed = 0;
	for (int i = 0; i < n; i++) {
		fd[i] = connect_to(port);
		if (fd[i] >= 0) {
			opened++;
			char line[32];
			int len = snprintf(line, sizeof line, "flood %d\n", i);
			if (write(fd[i], line, (size_t)len) != len) {
				close(fd[i]);
				fd[i] = -1;
			}
		}
	}
	/* What came back within a short while (reported, not required). */
	double start = now_s();
	for (int i = 0; i < n && now_s() - start < 5; i++) {
		if (fd[i] < 0)
			continue;
		struct pollfd p = {.fd = fd[i], .events = POLLIN};
		char buf[64];
		if (poll(&p, 1, 50) == 1 && read(fd[i], buf, sizeof buf) > 0)
			echoed++;
	}
	for (int i = 0; i < n; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	printf("flood: %d connections, %d opened on the host side, %d echoed before closing\n", n,
	       opened, echoed);
	free(fd);
	return 0;
}

int main(int argc, char **argv)
{
	alarm(DEADLINE_S + 10);
	if (argc >= 2 && !strcmp(argv[1], "--help")) {
		puts("usage: netclient freeport | tcp PORT | udp PORT COUNT | udp-say PORT TEXT REPLY | "
		     "flood PORT N\n(host side of tests/net/run.sh; 127.0.0.1 only)");
		return 0;
	}
	errno = 0;
	if (argc == 2 && !strcmp(argv[1], "freeport"))
		return freeport();
	if (argc == 3 && !strcmp(argv[1], "tcp"))
		return tcp(atoi(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "udp"))
		return udp(atoi(argv[2]), atoi(argv[3]));
	if (argc == 5 && !strcmp(argv[1], "udp-say"))
		return udp_say(atoi(argv[2]), argv[3], argv[4]);
	if (argc == 4 && !strcmp(argv[1], "flood"))
		return flood(atoi(argv[2]), atoi(argv[3]));
	fprintf(stderr, "netclient: bad arguments (netclient --help)\n");
	return 1;
}
