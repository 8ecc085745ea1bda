/* lib/httpd.c: routes, keep-alive, pipelining, deadlines (slowloris),
 * the connection limit (flood), shutdown, and the counters /status shows. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "httpd.h"

#define S 1000000000ull

static struct httpd h;
static char logbuf[16384];
static bool have_sys;

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	strncat(logbuf, line, sizeof logbuf - strlen(logbuf) - 2);
	strcat(logbuf, "\n");
}

static bool sysinfo(void *ctx, struct httpd_sysinfo *out)
{
	(void)ctx;
	if (!have_sys)
		return false;
	*out = (struct httpd_sysinfo){.frames_free = 1000, .frames_total = 65000, .processes = 7};
	return true;
}

static const struct httpd_ops ops = {.sysinfo = sysinfo, .log = log_line};

static void start(uint32_t max_conns)
{
	struct httpd_config cfg = {
		.max_conns = max_conns,
		.idle_timeout_ns = 30 * S,
		.request_timeout_ns = 10 * S,
		.send_timeout_ns = 10 * S,
		.port = 80,
		.token = "s3cret",
	};
	logbuf[0] = '\0';
	have_sys = false;
	httpd_init(&h, &cfg, &ops, NULL, 0);
}

static int open_at(uint64_t now)
{
	return httpd_open(&h, 0x0a000202, 40000, now);
}

static void send_text(int i, const char *text, uint64_t now)
{
	httpd_input(&h, i, text, strlen(text), false, now);
}

/* The whole pending response as a string; marks it sent. */
static const char *take_response(int i, uint64_t now)
{
	static char out[HTTPD_OUT_BYTES + 1];
	const char *data;
	cr_assert_eq(httpd_want(&h, i), HTTPD_WANT_WRITE);
	size_t n = httpd_output(&h, i, &data);
	memcpy(out, data, n);
	out[n] = '\0';
	httpd_sent(&h, i, n, now);
	return out;
}

static void close_conn(int i)
{
	cr_assert_eq(httpd_want(&h, i), HTTPD_WANT_CLOSE);
	httpd_close(&h, i);
	cr_assert_eq(httpd_want(&h, i), HTTPD_WANT_NOTHING);
}

Test(httpd, page_and_keep_alive)
{
	start(4);
	int i = open_at(0);
	cr_assert_geq(i, 0);
	cr_assert_eq(httpd_want(&h, i), HTTPD_WANT_READ);
	send_text(i, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1);
	const char *r = take_response(i, 2);
	cr_assert(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0, "%s", r);
	cr_assert(strstr(r, "Content-Type: text/html"));
	cr_assert(strstr(r, "Connection: keep-alive"));
	cr_assert(strstr(r, "capability operating system"));
	cr_assert(strstr(r, "TcpListenAuthority"));
	/* Kept open: the next request on the same connection. */
	cr_assert_eq(httpd_want(&h, i), HTTPD_WANT_READ);
	send_text(i, "GET /nothing HTTP/1.1\r\nHost: a\r\n\r\n", 3);
	r = take_response(i, 4);
	cr_assert(strncmp(r, "HTTP/1.1 404 Not Found\r\n", 24) == 0, "%s", r);
	cr_assert_eq(httpd_want(&h, i), HTTPD_WANT_READ);
	cr_assert_eq(h.st.requests, 2);
	cr_assert_eq(h.st.bad, 0);
}

Test(httpd, head_has_no_body)
{
	start(4);
	int i = open_at(0);
	send_text(i, "HEAD / HTTP/1.1\r\nHost: a\r\n\r\n", 1);
	const char *r = take_response(i, 2);
	cr_assert(strncmp(r, "HTTP/1.1 200 OK\r\n", 17) == 0);
	cr_assert(strstr(r, "Content-Length: "));
	cr_assert_eq(strcmp(r + strlen(r) - 4, "\r\n\r\n"), 0, "no body after the head");
}

Test(httpd, status_json)
{
	start(4);
	int i = open_at(5 * S);
	send_text(i, "GET /status HTTP/1.1\r\nHost: a\r\n\r\n", 7 * S);
	const char *r = take_response(i, 7 * S);
	cr_assert(strstr(r, "Content-Type: application/json"));
	cr_assert(strstr(r, "\"uptime_ms\": 7000,"), "%s", r);
	cr_assert(strstr(r, "\"processes\": null"));
	cr_assert(strstr(r, "\"connections_served\": 1,"));
	cr_assert(strstr(r, "\"connections_open\": 1,"));
	cr_assert(strstr(r, "\"requests_served\": 1,"));
	cr_assert(strstr(r, "\"connection_limit\": 4}"));
	have_sys = true;
	send_text(i, "GET /status HTTP/1.1\r\nHost: a\r\n\r\n", 8 * S);
	r = take_response(i, 8 * S);
	cr_assert(strstr(r, "\"processes\": 7, \"frames_free\": 1000, \"frames_total\": 65000"), "%s", r);
	cr_assert(strstr(r, "\"requests_served\": 2,"));
}

Test(httpd, malformed_is_400_and_closes)
{
	start(4);
	int i = open_at(0);
	send_text(i, "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 1);
	const char *r = take_response(i, 2);
	cr_assert(strncmp(r, "HTTP/1.1 400 Bad Request\r\n", 26) == 0, "%s", r);
	cr_assert(strstr(r, "Connection: close"));
	close_conn(i);
	cr_assert_eq(h.st.bad, 1);
	cr_assert_eq(h.st.open, 0);
	cr_assert(strstr(logbuf, "refused request: 400 Bad Request"));
}

Test(httpd, other_refusals)
{
	static const struct {
		const char *req;
		const char *status;
	} cases[] = {
		{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab", "HTTP/1.1 405 Method Not Allowed\r\n"},
		{"BREW / HTTP/1.1\r\nHost: a\r\n\r\n", "HTTP/1.1 501 Not Implemented\r\n"},
		{"GET / HTTP/2.0\r\n\r\n", "HTTP/1.1 505 HTTP Version Not Supported\r\n"},
		{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5000\r\n\r\n", "HTTP/1.1 413 Content Too Large\r\n"},
	};
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		start(4);
		int i = open_at(0);
		send_text(i, cases[k].req, 1);
		const char *r = take_response(i, 2);
		cr_assert(strncmp(r, cases[k].status, strlen(cases[k].status)) == 0, "case %zu: %s", k, r);
		cr_assert_eq(h.st.bad, 1);
	}
	/* 405 says what is allowed and keeps the connection. */
	start(4);
	int i = open_at(0);
	send_text(i, cases[0].req, 1);
	const char *r = take_response(i, 2);
	cr_assert(strstr(r, "Allow: GET, HEAD\r\n"));
	cr_assert_eq(httpd_want(&h, i), HTTPD_WANT_READ);
}

/* A client that never ends its head is refused once it passes the limit,
 * and the buffer never takes more than its room. */
Test(httpd, endless_head_bounded)
{
	start(4);
	int i = open_at(0);
	static char junk[1000];
	memset(junk, 'a', sizeof junk);
	send_text(i, "GET /", 1);
	int rounds = 0;
	while (httpd_want(&h, i) == HTTPD_WANT_READ && rounds++ < 100) {
		size_t room = httpd_room(&h, i);
		cr_assert_leq(room, HTTPD_IN_BYTES);
		httpd_input(&h, i, junk, room < sizeof junk ? room : sizeof junk, false, 2);
	}
	const char *r = take_response(i, 3);
	cr_assert(strncmp(r, "HTTP/1.1 414 URI Too Long\r\n", 27) == 0, "%s", r);
	close_conn(i);
}

Test(httpd, http10_closes_after_response)
{
	start(4);
	int i = open_at(0);
	send_text(i, "GET / HTTP/1.0\r\n\r\n", 1);
	const char *r = take_response(i, 2);
	cr_assert(strstr(r, "Connection: close"));
	close_conn(i);
}

Test(httpd, pipelined_requests_answered_in_order)
{
	start(4);
	int i = open_at(0);
	send_text(i,
	          "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
	          "GET /status HTTP/1.1\r\nHost: a\r\n\r\n"
	          "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
	          1);
	cr_assert(strncmp(take_response(i, 2), "HTTP/1.1 404", 12) == 0);
	const char *r = take_response(i, 2);
	cr_assert(strstr(r, "application/json"), "%s", r);
	r = take_response(i, 2);
	cr_assert(strstr(r, "text/html") && strstr(r, "Connection: close"));
	close_conn(i);
	cr_assert_eq(h.st.requests, 3);
}

Test(httpd, partial_sends)
{
	start(4);
	int i = open_at(0);
	send_text(i, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 1);
	const char *data;
	size_t total = httpd_output(&h, i, &data), got = 0;
	while (httpd_want(&h, i) == HTTPD_WANT_WRITE) {
		size_t n = httpd_output(&h, i, &data);
		httpd_sent(&h, i, n < 100 ? n : 100, 2);
		got += n < 100 ? n : 100;
	}
	cr_assert_eq(got, total);
	cr_assert_eq(httpd_want(&h, i), HTTPD_WANT_READ);
}

/* One byte every 2 s: dropped 10 s after the first, however often it sends. */
Test(httpd, slowloris_dropped_at_request_deadline)
{
	start(4);
	int i = open_at(0);
	const char *req = "GET / HTTP/1.1\r\nHost: a\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n";
	uint64_t t = 1 * S;
	for (size_t k = 0; httpd_want(&h, i) == HTTPD_WANT_READ; k++, t += 2 * S) {
		cr_assert_lt(k, strlen(req) - 1, "the request completed before its deadline");
		httpd_input(&h, i, req + k, 1, false, t);
		httpd_poll(&h, t);
	}
	cr_assert_eq(httpd_want(&h, i), HTTPD_WANT_CLOSE);
	cr_assert_geq(t, 11 * S);
	cr_assert_leq(t, 13 * S);
	close_conn(i);
	cr_assert_eq(h.st.timeouts, 1);
	cr_assert(strstr(logbuf, "closed: request timeout"), "%s", logbuf);
}

Test(httpd, idle_and_send_timeouts)
{
	start(4);
	int a = open_at(0), b = open_at(0);
	cr_assert_eq(httpd_next_deadline(&h), 30 * S);
	httpd_poll(&h, 29 * S);
	cr_assert_eq(httpd_want(&h, a), HTTPD_WANT_READ);
	send_text(b, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 29 * S);
	httpd_poll(&h, 30 * S);
	cr_assert_eq(httpd_want(&h, a), HTTPD_WANT_CLOSE);
	cr_assert_eq(httpd_want(&h, b), HTTPD_WANT_WRITE); /* its response is not taken yet */
	cr_assert_eq(httpd_next_deadline(&h), 39 * S);
	httpd_poll(&h, 39 * S);
	cr_assert_eq(httpd_want(&h, b), HTTPD_WANT_CLOSE);
	close_conn(a);
	close_conn(b);
	cr_assert_eq(h.st.timeouts, 2);
	cr_assert(strstr(logbuf, "idle timeout") && strstr(logbuf, "send timeout"));
	cr_assert_eq(httpd_next_deadline(&h), UINT64_MAX);
}

/* Beyond max_conns every new connection is refused at once and counted;
 * a closed one makes room again. */
Test(httpd, flood_bounded)
{
	start(3);
	int c[3];
	for (int k = 0; k < 3; k++)
		cr_assert_geq(c[k] = open_at(0), 0);
	for (int k = 0; k < 200; k++)
		cr_assert_eq(open_at(1), -1);
	cr_assert_eq(h.st.refused, 200);
	cr_assert_eq(h.st.open, 3);
	httpd_fail(&h, c[1], "reset by peer");
	close_conn(c[1]);
	cr_assert_geq(open_at(2), 0);
	cr_assert_eq(h.st.accepted, 4);
	cr_assert_eq(h.st.peak, 3);
}

Test(httpd, eof_closes)
{
	start(4);
	int a = open_at(0), b = open_at(0);
	httpd_input(&h, a, NULL, 0, true, 1);
	httpd_input(&h, b, "GET / HT", 8, true, 1);
	close_conn(a);
	close_conn(b);
	cr_assert(strstr(logbuf, "closed: client closed,"));
	cr_assert(strstr(logbuf, "closed: client closed mid-request"));
	/* A whole request and EOF together: answered, then closed. */
	int c = open_at(2);
	httpd_input(&h, c, "GET / HTTP/1.1\r\nHost: a\r\n\r\n", 27, true, 3);
	cr_assert(strncmp(take_response(c, 4), "HTTP/1.1 200", 12) == 0);
	close_conn(c);
}

Test(httpd, shutdown_with_token)
{
	start(4);
	int idle = open_at(0), i = open_at(0);
	send_text(i, "GET /shutdown HTTP/1.1\r\nHost: a\r\n\r\n", 1);
	cr_assert(strncmp(take_response(i, 1), "HTTP/1.1 403", 12) == 0);
	send_text(i, "GET /shutdown?token=s3cre HTTP/1.1\r\nHost: a\r\n\r\n", 1);
	cr_assert(strncmp(take_response(i, 1), "HTTP/1.1 403", 12) == 0);
	cr_assert_not(h.stopping);
	send_text(i, "GET /shutdown?token=s3cret HTTP/1.1\r\nHost: a\r\n\r\n", 2);
	cr_assert(h.stopping);
	const char *r = take_response(i, 2);
	cr_assert(strncmp(r, "HTTP/1.1 200", 12) == 0 && strstr(r, "Connection: close"), "%s", r);
	close_conn(i);
	cr_assert_eq(open_at(3), -1, "no new connection while stopping");
	cr_assert_not(httpd_done(&h));
	httpd_poll(&h, 3);
	close_conn(idle);
	cr_assert(httpd_done(&h));
	cr_assert(strstr(logbuf, "stopping"));
}

Test(httpd, no_token_no_shutdown)
{
	struct httpd_config cfg = {.max_conns = 2, .idle_timeout_ns = S, .request_timeout_ns = S, .send_timeout_ns = S};
	httpd_init(&h, &cfg, &ops, NULL, 0);
	int i = open_at(0);
	send_text(i, "GET /shutdown?token= HTTP/1.1\r\nHost: a\r\n\r\n", 1);
	cr_assert(strncmp(take_response(i, 1), "HTTP/1.1 404", 12) == 0);
	cr_assert_not(h.stopping);
}

Test(httpd, token_compare)
{
	cr_assert(httpd_token_eq((struct http_slice){"abc", 3}, "abc"));
	cr_assert_not(httpd_token_eq((struct http_slice){"abd", 3}, "abc"));
	cr_assert_not(httpd_token_eq((struct http_slice){"ab", 2}, "abc"));
	cr_assert_not(httpd_token_eq((struct http_slice){"abcd", 4}, "abc"));
	cr_assert(httpd_token_eq((struct http_slice){"", 0}, ""));
}

Test(httpd, bad_indices_ignored)
{
	start(2);
	const char *d;
	cr_assert_eq(httpd_want(&h, -1), HTTPD_WANT_NOTHING);
	cr_assert_eq(httpd_want(&h, HTTPD_CONNS_MAX), HTTPD_WANT_NOTHING);
	cr_assert_eq(httpd_room(&h, 5), 0);
	cr_assert_eq(httpd_output(&h, 5, &d), 0);
	httpd_input(&h, 5, "x", 1, false, 0);
	httpd_sent(&h, 5, 1, 0);
	httpd_close(&h, 5);
	cr_assert_eq(h.st.closed, 0);
}
