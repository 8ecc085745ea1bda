/*
 * HTTP/1.1 requests and responses (RFC 9110, 9112), for services/httpd.
 * Pure logic, no allocation: the host tests (tests/host/test_http.c) and
 * the fuzzer (fuzz/http_fuzz.c) run the same code the service links.
 *
 * The parser reads a connection's buffer as it fills: http_parse answers
 * HTTP_MORE until a whole request (head and Content-Length body) is in it,
 * then HTTP_OK with the request's parts pointing into the buffer and the
 * bytes it took (the next pipelined request starts there).  It is strict,
 * because a lenient parser in front of anything is how requests get
 * smuggled: CRLF line ends only, no whitespace before a header's colon, no
 * obsolete line folding, one Content-Length value, no Transfer-Encoding
 * (chunked bodies are not implemented: 501), Host required in HTTP/1.1.
 * Limits are checked on the bytes seen so far, so a client that never
 * ends its head is refused as soon as it passes one, not when it stops.
 */
#ifndef CAPOS_LIB_HTTP_H
#define CAPOS_LIB_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What http_parse found.  Every error maps to one status (http_error_status). */
enum http_result {
	HTTP_OK = 0,                     /* a whole request                       */
	HTTP_MORE = 1,                   /* not yet: read more bytes              */
	HTTP_ERR_MALFORMED = -1,         /* 400 Bad Request                       */
	HTTP_ERR_URI_TOO_LONG = -2,      /* 414: the request line passed its limit */
	HTTP_ERR_HEADERS_TOO_LARGE = -3, /* 431: a header line, the count or the head */
	HTTP_ERR_BODY_TOO_LARGE = -4,    /* 413: Content-Length over the limit    */
	HTTP_ERR_NOT_IMPLEMENTED = -5,   /* 501: unknown method, Transfer-Encoding */
	HTTP_ERR_VERSION = -6,           /* 505: HTTP/2.0, HTTP/0.9, ...          */
};

enum http_method {
	HTTP_GET,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_DELETE,
	HTTP_OPTIONS,
	HTTP_PATCH,
	HTTP_TRACE,
	HTTP_CONNECT,
};

struct http_limits {
	uint32_t request_line; /* bytes, CRLF included                     */
	uint32_t header_line;  /* bytes of one header line, CRLF included  */
	uint32_t headers;      /* header fields                            */
	uint32_t head;         /* request line + headers + the empty line  */
	uint32_t body;         /* Content-Length                           */
};

/* The limits services/httpd uses (docs/networking.md, "httpd"). */
#define HTTP_LIMIT_REQUEST_LINE 2048u
#define HTTP_LIMIT_HEADER_LINE  1024u
#define HTTP_LIMIT_HEADERS      32u
#define HTTP_LIMIT_HEAD         4096u
#define HTTP_LIMIT_BODY         1024u
#define HTTP_HEADERS_MAX        64u /* the most any limits may allow */

/* httpd's limits above as a struct http_limits initializer (the service,
 * its tests and the fuzzer parse with the same). */
#define HTTP_LIMITS_HTTPD                                                                        \
	{                                                                                        \
		.request_line = HTTP_LIMIT_REQUEST_LINE, .header_line = HTTP_LIMIT_HEADER_LINE,  \
		.headers = HTTP_LIMIT_HEADERS, .head = HTTP_LIMIT_HEAD, .body = HTTP_LIMIT_BODY, \
	}

struct http_slice {
	const char *p;
	size_t len;
};

struct http_header {
	struct http_slice name;  /* as sent; compare with http_slice_ieq */
	struct http_slice value; /* without the surrounding spaces and tabs */
};

struct http_request {
	enum http_method method;
	struct http_slice target; /* "/a?b" as sent ("*" for OPTIONS)   */
	struct http_slice path;   /* "/a"                               */
	struct http_slice query;  /* "b" (len 0 when there is no '?')   */
	unsigned minor;           /* HTTP/1.minor: 0 or 1               */
	bool keep_alive;          /* the connection stays open after it */
	uint32_t nheaders;
	struct http_header headers[HTTP_HEADERS_MAX];
	uint64_t content_length;
	struct http_slice body;
	size_t head_len; /* bytes of the head, the empty line included */
	size_t length;   /* head + body: where the next request starts */
};

/* A request being read: the lines before `pos` are parsed into req, so
 * each call looks only at the bytes that came since (and the line not
 * ended yet). */
struct http_parser {
	int phase;  /* request line, headers, body */
	size_t pos; /* the start of the first line not parsed yet */
	struct http_request req;
};

void http_parser_init(struct http_parser *p);

/*
 * Parses the request at the start of buf[0..len).  HTTP_OK fills *req
 * (pointing into buf); HTTP_MORE asks for more bytes (call again with the
 * same buf, the same bytes at its start and more after them); an error
 * says which status to answer, after which
 * the connection must be closed (its framing is lost).  After HTTP_OK the
 * caller drops req->length bytes from the buffer and starts the parser
 * again for the next request.
 */
enum http_result http_parse(struct http_parser *p, const char *buf, size_t len,
                            const struct http_limits *lim, struct http_request *req);

/* The status code an error is answered with (400 for anything else). */
int http_error_status(enum http_result r);
/* "OK", "Not Found", ...; "" for a code it does not know. */
const char *http_reason(int status);
const char *http_method_name(enum http_method m);

/* The first header named `name` (any case), or NULL. */
const struct http_header *http_find_header(const struct http_request *req, const char *name);
bool http_slice_eq(struct http_slice s, const char *text);
bool http_slice_ieq(struct http_slice s, const char *text);
/* The value of `key` in a query string "a=1&b=2" (no decoding), or false. */
bool http_query_get(struct http_slice query, const char *key, struct http_slice *value);

/* What a response says besides its body. */
struct http_response_info {
	int status;
	const char *content_type; /* NULL: no Content-Type                   */
	const char *extra;        /* more header lines, each ending CRLF, or NULL */
	bool keep_alive;          /* Connection: keep-alive, else close        */
	bool head_only;           /* HEAD: the body left out, its length kept  */
};

/*
 * The head of a response into buf[0..cap): status line, Server,
 * Content-Type, the extra lines, Content-Length, Connection, the empty
 * line.  No Date header: the server has no clock of the calendar
 * (RFC 9110 6.6.1 says then not to send one).  Returns the bytes written,
 * or 0 when it does not fit.
 */
size_t http_response_head(char *buf, size_t cap, const struct http_response_info *info,
                          size_t content_length);

/* A whole response, head and body; 0 when it does not fit (never a cut one). */
size_t http_response(char *buf, size_t cap, const struct http_response_info *info,
                     const char *body, size_t body_len);

#endif
