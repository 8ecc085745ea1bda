/*
 * libFuzzer target for the HTTP request parser (lib/http.c).  The first
 * input byte picks where the rest is cut in two (the parser sees the first
 * part, then the whole, as a connection's buffer grows); the rest is the
 * bytes a client sent.  Besides "no crash, no sanitizer report":
 *   - the result is one of the enum's values;
 *   - the split parse and the one-go parse agree (a request with the same
 *     lengths and fields, more, or an error both);
 *   - a complete request lies inside the input, head before body, every
 *     slice inside the head, the limits held;
 *   - requests are taken one after another (pipelining) until the input
 *     runs out or is refused, and the response builder's output for each
 *     fits and ends its head with an empty line.
 * A violation aborts.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

static const struct http_limits lim = HTTP_LIMITS_HTTPD;

static void check(int cond)
{
	if (!cond)
		abort();
}

static void check_slice(struct http_slice s, const char *buf, size_t end)
{
	check(s.len == 0 || (s.p >= buf && s.p + s.len <= buf + end));
}

static void check_request(const struct http_request *r, const char *buf, size_t len)
{
	check(r->length <= len && r->head_len <= r->length);
	check(r->head_len <= lim.head);
	check(r->content_length <= lim.body && r->head_len + r->content_length == r->length);
	check(r->nheaders <= lim.headers);
	check(r->minor <= 1);
	check(r->target.len > 0);
	check_slice(r->target, buf, r->head_len);
	check_slice(r->path, buf, r->head_len);
	check_slice(r->query, buf, r->head_len);
	for (uint32_t i = 0; i < r->nheaders; i++) {
		check(r->headers[i].name.len > 0);
		check_slice(r->headers[i].name, buf, r->head_len);
		check_slice(r->headers[i].value, buf, r->head_len);
	}
	check(r->body.len == r->content_length);
	check(r->body.len == 0 || r->body.p == buf + r->head_len);
}

static void check_response(const struct http_request *r)
{
	static char out[4096];
	struct http_response_info info = {200, "text/plain", NULL, r->keep_alive, r->method == HTTP_HEAD};
	size_t n = http_response(out, sizeof out, &info, r->path.p, r->path.len);
	check(n > 4 && memcmp(out, "HTTP/1.1 200 OK\r\n", 17) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const char *buf = (const char *)data + 1;
	size_t len = size - 1, cut = len ? data[0] % (len + 1) : 0;
	size_t off = 0;
	for (int n = 0; n < 64 && off <= len; n++) {
		struct http_parser whole, split;
		struct http_request a, b;
		http_parser_init(&whole);
		http_parser_init(&split);
		enum http_result ra = http_parse(&whole, buf + off, len - off, &lim, &a);
		check(ra >= HTTP_ERR_VERSION && ra <= HTTP_MORE);
		check(http_error_status(ra) >= 400 && http_error_status(ra) <= 505);
		size_t c = cut > off ? cut - off : 0;
		enum http_result rb = http_parse(&split, buf + off, c, &lim, &b);
		if (rb == HTTP_MORE)
			rb = http_parse(&split, buf + off, len - off, &lim, &b);
		else if (rb == HTTP_OK)
			check(b.length <= c);
		/* Which error a line gets may depend on where it was cut (a bare
		 * CR seen before the line reached its limit, or after), never
		 * whether it is one. */
		check(ra == rb || (ra < 0 && rb < 0));
		if (ra != HTTP_OK)
			return 0;
		check(a.length == b.length && a.nheaders == b.nheaders && a.keep_alive == b.keep_alive &&
		      a.method == b.method && a.path.len == b.path.len);
		check_request(&a, buf + off, len - off);
		check_response(&a);
		check(a.length > 0);
		off += a.length;
	}
	return 0;
}
