/* The HTTP server's connections, deadlines and routes (see httpd.h). */
#include "httpd.h"

#include <stdarg.h>

#include "format.h"
#include "kstring.h"

#define MS 1000000ull

static const struct http_limits limits = HTTP_LIMITS_HTTPD;

static void say(struct httpd *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(struct httpd *h, const char *fmt, ...)
{
	char line[160];
	va_list ap;
	va_start(ap, fmt);
	format_vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (h->ops && h->ops->log)
		h->ops->log(h->ctx, line);
}

static void fmt_addr(char buf[24], uint32_t a, uint16_t port)
{
	format_snprintf(buf, 24, "%u.%u.%u.%u:%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255,
	                port);
}

void httpd_init(struct httpd *h, const struct httpd_config *cfg, const struct httpd_ops *ops,
                void *ctx, uint64_t now)
{
	memset(h, 0, sizeof *h);
	h->cfg = *cfg;
	if (h->cfg.max_conns == 0)
		h->cfg.max_conns = 1;
	if (h->cfg.max_conns > HTTPD_CONNS_MAX)
		h->cfg.max_conns = HTTPD_CONNS_MAX;
	h->cfg.token[HTTPD_TOKEN_MAX] = '\0';
	h->ops = ops;
	h->ctx = ctx;
	h->start_ns = now;
}

static bool valid(const struct httpd *h, int i)
{
	return i >= 0 && (unsigned)i < HTTPD_CONNS_MAX && h->conns[i].state != HTTPD_FREE;
}

int httpd_open(struct httpd *h, uint32_t addr, uint16_t port, uint64_t now)
{
	char peer[24];
	fmt_addr(peer, addr, port);
	if (h->stopping || h->st.open >= h->cfg.max_conns) {
		h->st.refused++;
		say(h, "refused %s: %s (%lu refused so far)", peer,
		    h->stopping ? "stopping" : "connection limit reached", (unsigned long)h->st.refused);
		return -1;
	}
	int i = 0;
	while (h->conns[i].state != HTTPD_FREE)
		i++; /* open < max_conns <= HTTPD_CONNS_MAX: there is a free one */
	struct httpd_conn *c = &h->conns[i];
	memset(c, 0, offsetof(struct httpd_conn, in));
	c->state = HTTPD_READING;
	c->serial = ++h->next_serial;
	c->addr = addr;
	c->port = port;
	c->deadline = now + h->cfg.idle_timeout_ns;
	http_parser_init(&c->parser);
	h->st.accepted++;
	if (++h->st.open > h->st.peak)
		h->st.peak = h->st.open;
	say(h, "conn %u from %s open (%u open)", c->serial, peer, h->st.open);
	return i;
}

enum httpd_want httpd_want(const struct httpd *h, int i)
{
	if (!valid(h, i))
		return HTTPD_WANT_NOTHING;
	switch (h->conns[i].state) {
	case HTTPD_READING: return HTTPD_WANT_READ;
	case HTTPD_WRITING: return HTTPD_WANT_WRITE;
	case HTTPD_CLOSING: return HTTPD_WANT_CLOSE;
	default: return HTTPD_WANT_NOTHING;
	}
}

size_t httpd_room(const struct httpd *h, int i)
{
	if (!valid(h, i) || h->conns[i].state != HTTPD_READING)
		return 0;
	return HTTPD_IN_BYTES - h->conns[i].in_len;
}

static void closing(struct httpd_conn *c, const char *why)
{
	if (c->state == HTTPD_CLOSING)
		return;
	c->state = HTTPD_CLOSING;
	c->why = why;
}

/* Queues a response; the connection is writing until it is all taken. */
static void respond(struct httpd *h, struct httpd_conn *c, const struct http_response_info *info,
                    const char *body, size_t len, uint64_t now)
{
	struct http_response_info i = *info;
	i.keep_alive = info->keep_alive && !h->stopping;
	c->out_len = http_response(c->out, sizeof c->out, &i, body, len);
	if (c->out_len == 0) {
		/* A page that outgrew the buffer is a bug here, not the client's. */
		struct http_response_info e = {500, "text/plain", NULL, false, false};
		c->out_len = http_response(c->out, sizeof c->out, &e, "response too large\n", 19);
		i.keep_alive = false;
	}
	c->status = i.status;
	c->out_sent = 0;
	c->close_after = !i.keep_alive;
	c->state = HTTPD_WRITING;
	c->deadline = now + h->cfg.send_timeout_ns;
	h->st.requests++;
}

static void respond_text(struct httpd *h, struct httpd_conn *c, int status, const char *extra,
                         const char *text, bool keep_alive, bool head_only, uint64_t now)
{
	struct http_response_info info = {status, "text/plain; charset=utf-8", extra, keep_alive, head_only};
	respond(h, c, &info, text, strlen(text), now);
}

static void page(struct httpd *h, struct httpd_conn *c, const struct http_request *req, uint64_t now)
{
	static char body[HTTPD_OUT_BYTES];
	int n = format_snprintf(
		body, sizeof body,
		"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>capOS</title></head>\n"
		"<body>\n<h1>capOS</h1>\n"
		"<p>capOS is a capability operating system for x86_64, written in C17. A process "
		"starts with nothing but the capabilities its boot manifest names; every service is a "
		"typed Cap'n Proto interface, called through a shared-memory ring.</p>\n"
		"<p>This page comes from <code>httpd</code>, a user process. The network stack "
		"(lwIP, another process) gave it the right to listen on TCP port %u and nothing "
		"else. It holds:</p>\n<ul>\n"
		"<li>a <code>TcpListenAuthority</code> for port %u, and the sockets of the "
		"connections it accepted;</li>\n"
		"<li>a <code>Console</code> for its log and a <code>Timer</code> for its deadlines;</li>\n"
		"<li>a read-only <code>SystemMonitor</code> for the figures of "
		"<a href=\"/status\">/status</a>;</li>\n"
		"<li>the kernel command line (a <code>BootPackage</code> view), for its settings.</li>\n"
		"</ul>\n<p>It cannot open files, start processes or reach any other port.</p>\n"
		"</body></html>\n",
		h->cfg.port, h->cfg.port);
	struct http_response_info info = {200, "text/html; charset=utf-8", NULL, req->keep_alive,
	                                  req->method == HTTP_HEAD};
	respond(h, c, &info, body, n > 0 && (size_t)n < sizeof body ? (size_t)n : sizeof body, now);
}

static void status(struct httpd *h, struct httpd_conn *c, const struct http_request *req, uint64_t now)
{
	char body[768], sys[160] = "\"processes\": null, \"frames_free\": null, \"frames_total\": null";
	struct httpd_sysinfo si;
	if (h->ops && h->ops->sysinfo && h->ops->sysinfo(h->ctx, &si))
		format_snprintf(sys, sizeof sys,
		                "\"processes\": %u, \"frames_free\": %lu, \"frames_total\": %lu", si.processes,
		                (unsigned long)si.frames_free, (unsigned long)si.frames_total);
	/* This request counts as served (respond counts it after the body is made). */
	int n = format_snprintf(
		body, sizeof body,
		"{\"uptime_ms\": %lu, %s, \"connections_served\": %lu, \"connections_open\": %u, "
		"\"connections_refused\": %lu, \"connections_timed_out\": %lu, \"requests_served\": %lu, "
		"\"requests_refused\": %lu, \"connection_limit\": %u}\n",
		(unsigned long)((now - h->start_ns) / MS), sys, (unsigned long)h->st.accepted, h->st.open,
		(unsigned long)h->st.refused, (unsigned long)h->st.timeouts,
		(unsigned long)h->st.requests + 1, (unsigned long)h->st.bad, h->cfg.max_conns);
	struct http_response_info info = {200, "application/json", NULL, req->keep_alive,
	                                  req->method == HTTP_HEAD};
	respond(h, c, &info, body, n > 0 && (size_t)n < sizeof body ? (size_t)n : 0, now);
}

bool httpd_token_eq(struct http_slice a, const char *b)
{
	size_t n = strlen(b);
	unsigned diff = a.len != n;
	for (size_t i = 0; i < a.len; i++)
		diff |= (unsigned char)a.p[i] ^ (unsigned char)(i < n ? b[i] : 0);
	return diff == 0;
}

static void shutdown_route(struct httpd *h, struct httpd_conn *c, const struct http_request *req,
                           uint64_t now)
{
	struct http_slice t;
	bool head = req->method == HTTP_HEAD;
	if (!http_query_get(req->query, "token", &t) || !httpd_token_eq(t, h->cfg.token)) {
		h->st.bad++;
		say(h, "conn %u: /shutdown with a wrong or no token", c->serial);
		respond_text(h, c, 403, NULL, "wrong or missing token\n", req->keep_alive, head, now);
		return;
	}
	say(h, "conn %u: /shutdown with the run's token", c->serial);
	httpd_stop(h, "asked by /shutdown");
	respond_text(h, c, 200, NULL, "httpd: shutting down\n", false, head, now);
}

static void route(struct httpd *h, struct httpd_conn *c, const struct http_request *req, uint64_t now)
{
	bool head = req->method == HTTP_HEAD;
	if (req->method != HTTP_GET && !head) {
		h->st.bad++;
		respond_text(h, c, 405, "Allow: GET, HEAD\r\n", "method not allowed\n", req->keep_alive,
		             false, now);
	} else if (http_slice_eq(req->path, "/")) {
		page(h, c, req, now);
	} else if (http_slice_eq(req->path, "/status")) {
		status(h, c, req, now);
	} else if (http_slice_eq(req->path, "/shutdown") && h->cfg.token[0]) {
		shutdown_route(h, c, req, now);
	} else {
		respond_text(h, c, 404, NULL, "not found\n", req->keep_alive, head, now);
	}
	say(h, "conn %u: %s %.*s -> %d", c->serial, http_method_name(req->method),
	    (int)(req->path.len > 64 ? 64 : req->path.len), req->path.p, c->status);
}

/* Parses what is buffered: answers one request, or an error, or waits. */
static void process(struct httpd *h, struct httpd_conn *c, uint64_t now)
{
	if (c->state != HTTPD_READING)
		return;
	struct http_request req;
	enum http_result r = http_parse(&c->parser, c->in, c->in_len, &limits, &req);
	if (r == HTTP_MORE) {
		if (c->peer_closed)
			closing(c, c->in_len ? "client closed mid-request" : "client closed");
		else if (c->in_len > 0 && !c->started) {
			c->started = true;
			c->deadline = now + h->cfg.request_timeout_ns;
		}
		return;
	}
	if (r != HTTP_OK) {
		int code = http_error_status(r);
		h->st.bad++;
		say(h, "conn %u: refused request: %d %s", c->serial, code, http_reason(code));
		char text[64];
		format_snprintf(text, sizeof text, "%s\n", http_reason(code));
		respond_text(h, c, code, NULL, text, false, false, now);
		return;
	}
	c->requests++;
	route(h, c, &req, now);
	/* The next pipelined request, if any, waits in `in` for the response
	 * to be sent. */
	c->in_len -= req.length;
	memmove(c->in, c->in + req.length, c->in_len);
	http_parser_init(&c->parser);
	c->started = false;
}

void httpd_input(struct httpd *h, int i, const void *data, size_t len, bool eof, uint64_t now)
{
	if (!valid(h, i) || h->conns[i].state != HTTPD_READING)
		return;
	struct httpd_conn *c = &h->conns[i];
	if (len > HTTPD_IN_BYTES - c->in_len)
		len = HTTPD_IN_BYTES - c->in_len; /* the caller read more than httpd_room */
	if (len > 0) {
		memcpy(c->in + c->in_len, data, len);
		c->in_len += len;
	}
	c->peer_closed |= eof;
	process(h, c, now);
}

size_t httpd_output(const struct httpd *h, int i, const char **data)
{
	if (!valid(h, i) || h->conns[i].state != HTTPD_WRITING)
		return 0;
	const struct httpd_conn *c = &h->conns[i];
	*data = c->out + c->out_sent;
	return c->out_len - c->out_sent;
}

void httpd_sent(struct httpd *h, int i, size_t n, uint64_t now)
{
	if (!valid(h, i) || h->conns[i].state != HTTPD_WRITING)
		return;
	struct httpd_conn *c = &h->conns[i];
	c->out_sent += n > c->out_len - c->out_sent ? c->out_len - c->out_sent : n;
	if (c->out_sent < c->out_len)
		return;
	if (c->close_after || h->stopping) {
		closing(c, h->stopping ? "server stopping" : "response sent, not keep-alive");
		return;
	}
	c->state = HTTPD_READING;
	c->deadline = now + h->cfg.idle_timeout_ns;
	process(h, c, now); /* a pipelined request may be whole already */
}

void httpd_fail(struct httpd *h, int i, const char *why)
{
	if (valid(h, i))
		closing(&h->conns[i], why);
}

void httpd_close(struct httpd *h, int i)
{
	if (!valid(h, i))
		return;
	struct httpd_conn *c = &h->conns[i];
	h->st.open--;
	h->st.closed++;
	say(h, "conn %u closed: %s, %u requests (%u open)", c->serial, c->why ? c->why : "closed",
	    c->requests, h->st.open);
	c->state = HTTPD_FREE;
}

void httpd_stop(struct httpd *h, const char *why)
{
	if (h->stopping)
		return;
	h->stopping = true;
	say(h, "stopping: %s (%u connections open)", why, h->st.open);
}

void httpd_poll(struct httpd *h, uint64_t now)
{
	for (unsigned i = 0; i < HTTPD_CONNS_MAX; i++) {
		struct httpd_conn *c = &h->conns[i];
		if (c->state == HTTPD_FREE || c->state == HTTPD_CLOSING)
			continue;
		if (now >= c->deadline) {
			h->st.timeouts++;
			closing(c, c->state == HTTPD_WRITING ? "send timeout"
			           : c->started              ? "request timeout"
			                                     : "idle timeout");
		} else if (h->stopping && c->state == HTTPD_READING && !c->started) {
			closing(c, "server stopping");
		}
	}
}

uint64_t httpd_next_deadline(const struct httpd *h)
{
	uint64_t d = UINT64_MAX;
	for (unsigned i = 0; i < HTTPD_CONNS_MAX; i++) {
		const struct httpd_conn *c = &h->conns[i];
		if ((c->state == HTTPD_READING || c->state == HTTPD_WRITING) && c->deadline < d)
			d = c->deadline;
	}
	return d;
}

bool httpd_done(const struct httpd *h)
{
	return h->stopping && h->st.open == 0;
}
