/* lib/http.c: the request parser's results, limits, pipelining and
 * byte-at-a-time input, and the response builder. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "http.h"

static const struct http_limits lim = HTTP_LIMITS_HTTPD;

/* Parses text all at once. */
static enum http_result parse(const char *text, struct http_request *req)
{
	struct http_parser p;
	http_parser_init(&p);
	return http_parse(&p, text, strlen(text), &lim, req);
}

static enum http_result parse_lim(const char *text, const struct http_limits *l)
{
	struct http_parser p;
	struct http_request req;
	http_parser_init(&p);
	return http_parse(&p, text, strlen(text), l, &req);
}

Test(http, simple_get)
{
	struct http_request r;
	const char *t = "GET /status?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent:  curl/7 \r\n\r\n";
	cr_assert_eq(parse(t, &r), HTTP_OK);
	cr_assert_eq(r.method, HTTP_GET);
	cr_assert(http_slice_eq(r.path, "/status"));
	cr_assert(http_slice_eq(r.query, "x=1"));
	cr_assert(http_slice_eq(r.target, "/status?x=1"));
	cr_assert_eq(r.minor, 1);
	cr_assert(r.keep_alive);
	cr_assert_eq(r.nheaders, 2);
	cr_assert(http_slice_eq(http_find_header(&r, "user-agent")->value, "curl/7"));
	cr_assert_eq(r.length, strlen(t));
	cr_assert_eq(r.head_len, strlen(t));
	cr_assert_eq(r.body.len, 0);
}

Test(http, http10_defaults_to_close)
{
	struct http_request r;
	cr_assert_eq(parse("GET / HTTP/1.0\r\n\r\n", &r), HTTP_OK);
	cr_assert_eq(r.minor, 0);
	cr_assert_not(r.keep_alive);
	cr_assert_eq(parse("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r), HTTP_OK);
	cr_assert(r.keep_alive);
}

Test(http, connection_close_wins)
{
	struct http_request r;
	cr_assert_eq(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: keep-alive, CLOSE\r\n\r\n", &r), HTTP_OK);
	cr_assert_not(r.keep_alive);
	cr_assert_eq(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nConnection: close\r\n\r\n", &r),
	             HTTP_OK);
	cr_assert_not(r.keep_alive);
	cr_assert_eq(parse("GET / HTTP/1.1\r\nHost: a\r\nConnection: closed\r\n\r\n", &r), HTTP_OK);
	cr_assert(r.keep_alive);
}

Test(http, minor_above_one_is_one)
{
	struct http_request r;
	cr_assert_eq(parse("GET / HTTP/1.9\r\nHost: a\r\n\r\n", &r), HTTP_OK);
	cr_assert_eq(r.minor, 1);
}

Test(http, body_by_content_length)
{
	struct http_request r;
	const char *t = "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello";
	cr_assert_eq(parse(t, &r), HTTP_OK);
	cr_assert_eq(r.method, HTTP_POST);
	cr_assert_eq(r.content_length, 5);
	cr_assert(http_slice_eq(r.body, "hello"));
	cr_assert_eq(r.length, strlen(t));
	/* One byte short of the body: more. */
	struct http_parser p;
	http_parser_init(&p);
	cr_assert_eq(http_parse(&p, t, strlen(t) - 1, &lim, &r), HTTP_MORE);
	/* Equal duplicates are one value. */
	cr_assert_eq(parse("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\ncontent-length: 2\r\n\r\nab", &r),
	             HTTP_OK);
	cr_assert(http_slice_eq(r.body, "ab"));
}

Test(http, leading_empty_lines_ignored)
{
	struct http_request r;
	const char *t = "\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n";
	cr_assert_eq(parse(t, &r), HTTP_OK);
	cr_assert_eq(r.length, strlen(t));
}

Test(http, need_more)
{
	struct http_request r;
	cr_assert_eq(parse("", &r), HTTP_MORE);
	cr_assert_eq(parse("GET", &r), HTTP_MORE);
	cr_assert_eq(parse("GET / HTTP/1.1\r", &r), HTTP_MORE);
	cr_assert_eq(parse("GET / HTTP/1.1\r\nHost: a\r\n", &r), HTTP_MORE);
	cr_assert_eq(parse("GET / HTTP/1.1\r\nHost: a\r\n\r", &r), HTTP_MORE);
	struct http_parser p;
	http_parser_init(&p);
	cr_assert_eq(http_parse(&p, NULL, 0, &lim, &r), HTTP_MORE);
	cr_assert_eq(http_parse(&p, NULL, 5, &lim, &r), HTTP_ERR_MALFORMED);
}

/* Each malformed request, and the status it is answered with. */
static const struct {
	const char *text;
	enum http_result want;
} bad[] = {
	{"GET / HTTP/1.1\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},     /* bare LF */
	{"GET / HTTP/1.1\r\nHost: a\n\r\n", HTTP_ERR_MALFORMED},     /* bare LF in a header */
	{"GET / HTTP/1.1\r\nHost: a\r\n\n", HTTP_ERR_MALFORMED},     /* bare LF ends the head */
	{"GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED}, /* bare CR */
	{"GET /\rx", HTTP_ERR_MALFORMED},                            /* bare CR, seen early */
	{"GET  / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},  /* two spaces */
	{" GET / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},  /* leading space */
	{"GET / HTTP/1.1 \r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},  /* trailing space */
	{"GET /\r\n\r\n", HTTP_ERR_MALFORMED},                       /* HTTP/0.9 */
	{"GET / HTTP/1.1 x\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED}, /* extra word */
	{"GET / http/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},   /* version case */
	{"GET / HTTP/1.10\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},  /* two digits */
	{"GET / HTTP/1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},
	{"GET / HTTP/x.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},
	{"GET / HTTP/2.0\r\nHost: a\r\n\r\n", HTTP_ERR_VERSION},
	{"GET / HTTP/0.9\r\nHost: a\r\n\r\n", HTTP_ERR_VERSION},
	{"GE(T / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},      /* not a token */
	{"get / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_NOT_IMPLEMENTED}, /* methods are case-sensitive */
	{"BREW / HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_NOT_IMPLEMENTED},
	{"GET x HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED}, /* not origin form */
	{"GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},
	{"GET * HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},   /* '*' is OPTIONS only */
	{"GET /#f HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED}, /* a fragment */
	{"GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},
	{"GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED},
	{"GET / HTTP/1.1\r\n\r\n", HTTP_ERR_MALFORMED}, /* no Host in 1.1 */
	{"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", HTTP_ERR_MALFORMED},
	{"GET / HTTP/1.1\r\nHost : a\r\n\r\n", HTTP_ERR_MALFORMED},      /* space before colon */
	{"GET / HTTP/1.1\r\nHost: a\r\n x\r\n\r\n", HTTP_ERR_MALFORMED}, /* obs-fold */
	{"GET / HTTP/1.1\r\nHost: a\r\n\tx\r\n\r\n", HTTP_ERR_MALFORMED},
	{"GET / HTTP/1.1\r\n: a\r\nHost: a\r\n\r\n", HTTP_ERR_MALFORMED}, /* empty name */
	{"GET / HTTP/1.1\r\nHost a\r\n\r\n", HTTP_ERR_MALFORMED},         /* no colon */
	{"GET / HTTP/1.1\r\nHost: a\x01\r\n\r\n", HTTP_ERR_MALFORMED},    /* a control */
	{"GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n", HTTP_ERR_MALFORMED},
	{"GET / HTTP/1.1\r\nH(st: a\r\n\r\n", HTTP_ERR_MALFORMED},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", HTTP_ERR_MALFORMED},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", HTTP_ERR_MALFORMED},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: \r\n\r\n", HTTP_ERR_MALFORMED},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1, 1\r\n\r\n", HTTP_ERR_MALFORMED},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n", HTTP_ERR_MALFORMED},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab", HTTP_ERR_MALFORMED},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1025\r\n\r\n", HTTP_ERR_BODY_TOO_LARGE},
	{"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999999\r\n\r\n",
         HTTP_ERR_BODY_TOO_LARGE},
	{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", HTTP_ERR_NOT_IMPLEMENTED},
	{"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
         HTTP_ERR_NOT_IMPLEMENTED},
};

Test(http, malformed_requests)
{
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct http_request r;
		enum http_result got = parse(bad[i].text, &r);
		cr_expect_eq(got, bad[i].want, "case %zu: got %d, want %d", i, got, bad[i].want);
	}
}

Test(http, error_statuses)
{
	cr_assert_eq(http_error_status(HTTP_ERR_MALFORMED), 400);
	cr_assert_eq(http_error_status(HTTP_ERR_URI_TOO_LONG), 414);
	cr_assert_eq(http_error_status(HTTP_ERR_HEADERS_TOO_LARGE), 431);
	cr_assert_eq(http_error_status(HTTP_ERR_BODY_TOO_LARGE), 413);
	cr_assert_eq(http_error_status(HTTP_ERR_NOT_IMPLEMENTED), 501);
	cr_assert_eq(http_error_status(HTTP_ERR_VERSION), 505);
	cr_assert_str_eq(http_reason(431), "Request Header Fields Too Large");
	cr_assert_str_eq(http_reason(299), "");
}

/* Request line of n bytes (CRLF included), then a Host. */
static void long_target(char *buf, size_t n)
{
	size_t k = n - strlen("GET / HTTP/1.1\r\n");
	strcpy(buf, "GET /");
	memset(buf + 5, 'a', k);
	strcpy(buf + 5 + k, " HTTP/1.1\r\nHost: a\r\n\r\n");
}

Test(http, request_line_limit)
{
	static char buf[8192];
	long_target(buf, HTTP_LIMIT_REQUEST_LINE);
	cr_assert_eq(parse_lim(buf, &lim), HTTP_OK);
	long_target(buf, HTTP_LIMIT_REQUEST_LINE + 1);
	cr_assert_eq(parse_lim(buf, &lim), HTTP_ERR_URI_TOO_LONG);
	/* Refused as soon as its CRLF can no longer fit. */
	memset(buf, 'a', sizeof buf);
	memcpy(buf, "GET /", 5);
	buf[HTTP_LIMIT_REQUEST_LINE - 1] = '\0';
	cr_assert_eq(parse_lim(buf, &lim), HTTP_ERR_URI_TOO_LONG);
	buf[HTTP_LIMIT_REQUEST_LINE - 2] = '\0';
	cr_assert_eq(parse_lim(buf, &lim), HTTP_MORE);
}

Test(http, header_line_limit)
{
	static char buf[8192];
	size_t at = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
	size_t line = HTTP_LIMIT_HEADER_LINE - strlen("X: \r\n");
	memset(buf + at, 'v', line);
	strcpy(buf + at + line, "\r\n\r\n");
	cr_assert_eq(parse_lim(buf, &lim), HTTP_OK);
	memset(buf + at, 'v', line + 1);
	strcpy(buf + at + line + 1, "\r\n\r\n");
	cr_assert_eq(parse_lim(buf, &lim), HTTP_ERR_HEADERS_TOO_LARGE);
	buf[at + line + 1] = '\0'; /* not ended: refused as soon as it is too long */
	cr_assert_eq(parse_lim(buf, &lim), HTTP_ERR_HEADERS_TOO_LARGE);
}

Test(http, header_count_limit)
{
	static char buf[8192];
	size_t at = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nHost: a\r\n");
	for (unsigned i = 1; i < HTTP_LIMIT_HEADERS; i++)
		at += (size_t)sprintf(buf + at, "X%u: %u\r\n", i, i);
	strcpy(buf + at, "\r\n");
	cr_assert_eq(parse_lim(buf, &lim), HTTP_OK);
	at += (size_t)sprintf(buf + at, "Y: 1\r\n");
	strcpy(buf + at, "\r\n");
	cr_assert_eq(parse_lim(buf, &lim), HTTP_ERR_HEADERS_TOO_LARGE);
}

Test(http, head_limit)
{
	static char buf[8192];
	struct http_limits l = lim;
	l.headers = 64;
	size_t at = (size_t)sprintf(buf, "GET / HTTP/1.1\r\nHost: a\r\n");
	while (at < HTTP_LIMIT_HEAD + 200)
		at += (size_t)sprintf(buf + at, "X-Filler: %0100d\r\n", 0);
	strcpy(buf + at, "\r\n");
	cr_assert_eq(parse_lim(buf, &l), HTTP_ERR_HEADERS_TOO_LARGE);
	buf[HTTP_LIMIT_HEAD + 50] = '\0'; /* not ended */
	cr_assert_eq(parse_lim(buf, &l), HTTP_ERR_HEADERS_TOO_LARGE);
}

/* Endless empty lines before a request are bounded by the head limit. */
Test(http, endless_empty_lines)
{
	static char buf[HTTP_LIMIT_HEAD + 4];
	for (size_t i = 0; i + 1 < sizeof buf; i += 2)
		memcpy(buf + i, "\r\n", 2);
	struct http_parser p;
	struct http_request r;
	http_parser_init(&p);
	cr_assert_eq(http_parse(&p, buf, sizeof buf, &lim, &r), HTTP_ERR_HEADERS_TOO_LARGE);
}

/* Three requests in one buffer, as a pipelining client sends them. */
Test(http, pipelined)
{
	const char *t = "GET /a HTTP/1.1\r\nHost: a\r\n\r\n"
			"POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nxyz"
			"HEAD /c HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
			"GET /d";
	const char *want[] = {"/a", "/b", "/c"};
	size_t off = 0, len = strlen(t);
	for (int i = 0; i < 3; i++) {
		struct http_parser p;
		struct http_request r;
		http_parser_init(&p);
		cr_assert_eq(http_parse(&p, t + off, len - off, &lim, &r), HTTP_OK, "request %d", i);
		cr_assert(http_slice_eq(r.path, want[i]));
		off += r.length;
	}
	struct http_parser p;
	struct http_request r;
	http_parser_init(&p);
	cr_assert_eq(http_parse(&p, t + off, len - off, &lim, &r), HTTP_MORE);
}

/* Feeds text one byte more each time into a growing buffer; every
 * prefix but the whole must be MORE (or the error, from where it shows),
 * and the result must be that of parsing it in one go. */
static enum http_result feed_bytewise(const char *text, struct http_request *out)
{
	static char buf[16384];
	size_t len = strlen(text);
	struct http_parser p;
	http_parser_init(&p);
	enum http_result r = HTTP_MORE;
	for (size_t n = 0; n <= len && r == HTTP_MORE; n++) {
		memcpy(buf, text, n);
		r = http_parse(&p, buf, n, &lim, out);
		if (r == HTTP_OK)
			cr_assert_eq(out->length, len, "complete at %zu of %zu", n, len);
	}
	return r;
}

Test(http, split_at_every_byte)
{
	const char *good[] = {
		"GET /status?x=1 HTTP/1.1\r\nHost: a\r\nUser-Agent: t\r\n\r\n",
		"\r\nPOST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello",
		"GET / HTTP/1.0\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		struct http_request a, b;
		cr_assert_eq(parse(good[i], &a), HTTP_OK);
		cr_assert_eq(feed_bytewise(good[i], &b), HTTP_OK, "good %zu", i);
		cr_assert_eq(a.length, b.length);
		cr_assert_eq(a.nheaders, b.nheaders);
		cr_assert_eq(a.keep_alive, b.keep_alive);
		cr_assert_eq(a.path.len, b.path.len);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct http_request r;
		cr_expect_eq(feed_bytewise(bad[i].text, &r), bad[i].want, "bad case %zu", i);
	}
}

/* Every split of a request into two reads gives the same request. */
Test(http, split_in_two_everywhere)
{
	const char *t = "POST /x?token=abc HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\n\r\nbody";
	size_t len = strlen(t);
	for (size_t cut = 0; cut <= len; cut++) {
		struct http_parser p;
		struct http_request r;
		http_parser_init(&p);
		enum http_result first = http_parse(&p, t, cut, &lim, &r);
		cr_assert_eq(first, cut == len ? HTTP_OK : HTTP_MORE, "cut %zu", cut);
		cr_assert_eq(http_parse(&p, t, len, &lim, &r), HTTP_OK, "cut %zu", cut);
		cr_assert(http_slice_eq(r.body, "body"));
		struct http_slice v;
		cr_assert(http_query_get(r.query, "token", &v));
		cr_assert(http_slice_eq(v, "abc"));
	}
}

Test(http, query_get)
{
	struct http_slice q = {"a=1&token=xyz&b", 15}, v;
	cr_assert(http_query_get(q, "token", &v));
	cr_assert(http_slice_eq(v, "xyz"));
	cr_assert(http_query_get(q, "a", &v));
	cr_assert(http_slice_eq(v, "1"));
	cr_assert_not(http_query_get(q, "b", &v));
	cr_assert_not(http_query_get(q, "tok", &v));
	cr_assert_not(http_query_get((struct http_slice){"", 0}, "a", &v));
}

Test(http, response_builder)
{
	char buf[256];
	struct http_response_info ok = {200, "text/plain", NULL, true, false};
	size_t n = http_response(buf, sizeof buf, &ok, "hi", 2);
	cr_assert_gt(n, 0);
	buf[n] = '\0';
	cr_assert_str_eq(buf, "HTTP/1.1 200 OK\r\nServer: capOS-httpd\r\nContent-Type: text/plain\r\n"
	                      "Content-Length: 2\r\nConnection: keep-alive\r\n\r\nhi");
	struct http_response_info nf = {404, "text/plain", "Allow: GET, HEAD\r\n", false, true};
	n = http_response(buf, sizeof buf, &nf, "nope", 4);
	buf[n] = '\0';
	cr_assert_str_eq(buf, "HTTP/1.1 404 Not Found\r\nServer: capOS-httpd\r\nContent-Type: text/plain\r\n"
	                      "Allow: GET, HEAD\r\nContent-Length: 4\r\nConnection: close\r\n\r\n");
	/* Too small: 0, never a cut response. */
	cr_assert_eq(http_response(buf, 40, &ok, "hi", 2), 0);
	struct http_response_info bare = {400, NULL, NULL, false, false};
	size_t h = http_response_head(buf, sizeof buf, &bare, 2);
	cr_assert_eq(http_response(buf, h + 1, &bare, "ab", 2), 0);
	cr_assert_eq(http_response(buf, h + 2, &bare, "ab", 2), h + 2);
	cr_assert_eq(memcmp(buf + h - 4, "\r\n\r\nab", 6), 0);
}
