/* HTTP/1.1 request parser and response builder (see http.h). */
#include "http.h"

#include "format.h"
#include "kstring.h"

enum { PHASE_REQUEST_LINE,
       PHASE_HEADERS,
       PHASE_BODY };

static const char *const method_names[] = {
	[HTTP_GET] = "GET",
	[HTTP_HEAD] = "HEAD",
	[HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",
	[HTTP_DELETE] = "DELETE",
	[HTTP_OPTIONS] = "OPTIONS",
	[HTTP_PATCH] = "PATCH",
	[HTTP_TRACE] = "TRACE",
	[HTTP_CONNECT] = "CONNECT",
};
#define METHODS (sizeof method_names / sizeof method_names[0])

void http_parser_init(struct http_parser *p)
{
	memset(p, 0, sizeof *p);
}

/* RFC 9110 5.6.2: the characters of a token (method, header name). */
static bool is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* memchr, which the freestanding string library lacks. */
static const char *find(const char *p, char c, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] == c)
			return p + i;
	return NULL;
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* A header value's characters: HTAB, SP, VCHAR, obs-text; no other control. */
static bool is_value_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }

static unsigned char lower(unsigned char c) { return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c; }

bool http_slice_eq(struct http_slice s, const char *text)
{
	return strlen(text) == s.len && memcmp(s.p, text, s.len) == 0;
}

bool http_slice_ieq(struct http_slice s, const char *text)
{
	if (strlen(text) != s.len)
		return false;
	for (size_t i = 0; i < s.len; i++)
		if (lower((unsigned char)s.p[i]) != lower((unsigned char)text[i]))
			return false;
	return true;
}

const char *http_method_name(enum http_method m)
{
	return (unsigned)m < METHODS ? method_names[m] : "?";
}

/* method SP request-target SP HTTP-version, the CRLF already cut off. */
static enum http_result parse_method(struct http_slice m, struct http_request *req)
{
	for (size_t i = 0; i < m.len; i++)
		if (!is_tchar((unsigned char)m.p[i]))
			return HTTP_ERR_MALFORMED;
	for (unsigned i = 0; i < METHODS; i++) {
		if (http_slice_eq(m, method_names[i])) {
			req->method = (enum http_method)i;
			return HTTP_OK;
		}
	}
	return HTTP_ERR_NOT_IMPLEMENTED; /* a token, but not a method we know */
}

/* Origin form ("/path?query") or "*" for OPTIONS; no fragment. */
static enum http_result parse_target(struct http_slice t, struct http_request *req)
{
	for (size_t i = 0; i < t.len; i++) {
		unsigned char c = (unsigned char)t.p[i];
		if (c < 0x21 || c > 0x7e || c == '#')
			return HTTP_ERR_MALFORMED;
	}
	req->target = t;
	if (http_slice_eq(t, "*")) {
		req->path = t;
		req->query = (struct http_slice){t.p + t.len, 0};
		return req->method == HTTP_OPTIONS ? HTTP_OK : HTTP_ERR_MALFORMED;
	}
	if (t.p[0] != '/')
		return HTTP_ERR_MALFORMED;
	const char *q = find(t.p, '?', t.len);
	size_t plen = q ? (size_t)(q - t.p) : t.len;
	req->path = (struct http_slice){t.p, plen};
	req->query = q ? (struct http_slice){q + 1, t.len - plen - 1} : (struct http_slice){t.p + t.len, 0};
	return HTTP_OK;
}

/* "HTTP/" DIGIT "." DIGIT; 1.x above 1.1 is taken as 1.1 (RFC 9110 2.5). */
static enum http_result parse_version(struct http_slice v, struct http_request *req)
{
	if (v.len != 8 || memcmp(v.p, "HTTP/", 5) != 0 || !is_digit((unsigned char)v.p[5]) ||
	    v.p[6] != '.' || !is_digit((unsigned char)v.p[7]))
		return HTTP_ERR_MALFORMED;
	if (v.p[5] != '1')
		return HTTP_ERR_VERSION;
	req->minor = v.p[7] == '0' ? 0 : 1;
	return HTTP_OK;
}

static enum http_result parse_request_line(const char *line, size_t len, struct http_request *req)
{
	const char *sp1 = find(line, ' ', len);
	if (!sp1 || sp1 == line)
		return HTTP_ERR_MALFORMED;
	const char *rest = sp1 + 1;
	size_t rlen = len - (size_t)(rest - line);
	const char *sp2 = find(rest, ' ', rlen);
	if (!sp2 || sp2 == rest)
		return HTTP_ERR_MALFORMED;
	struct http_slice method = {line, (size_t)(sp1 - line)};
	struct http_slice target = {rest, (size_t)(sp2 - rest)};
	struct http_slice version = {sp2 + 1, len - (size_t)(sp2 + 1 - line)};
	/* The version first: "GET / HTTP/2.0" is 505 whatever the method. */
	enum http_result r = parse_version(version, req);
	if (r == HTTP_OK)
		r = parse_method(method, req);
	if (r == HTTP_OK)
		r = parse_target(target, req);
	return r;
}

static enum http_result parse_header(const char *line, size_t len, const struct http_limits *lim,
                                     struct http_request *req)
{
	size_t n = 0;
	while (n < len && is_tchar((unsigned char)line[n]))
		n++;
	/* Catches an empty name, a space before the colon and obs-fold (a
	 * line starting with a space or tab). */
	if (n == 0 || n == len || line[n] != ':')
		return HTTP_ERR_MALFORMED;
	size_t v = n + 1, end = len;
	for (size_t i = v; i < len; i++)
		if (!is_value_char((unsigned char)line[i]))
			return HTTP_ERR_MALFORMED;
	while (v < end && (line[v] == ' ' || line[v] == '\t'))
		v++;
	while (end > v && (line[end - 1] == ' ' || line[end - 1] == '\t'))
		end--;
	if (req->nheaders >= lim->headers || req->nheaders >= HTTP_HEADERS_MAX)
		return HTTP_ERR_HEADERS_TOO_LARGE;
	req->headers[req->nheaders++] = (struct http_header){{line, n}, {line + v, end - v}};
	return HTTP_OK;
}

const struct http_header *http_find_header(const struct http_request *req, const char *name)
{
	for (uint32_t i = 0; i < req->nheaders; i++)
		if (http_slice_ieq(req->headers[i].name, name))
			return &req->headers[i];
	return NULL;
}

static uint32_t count_headers(const struct http_request *req, const char *name)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < req->nheaders; i++)
		n += http_slice_ieq(req->headers[i].name, name);
	return n;
}

/* Every Content-Length must be 1*DIGIT and all must agree (RFC 9112 6.3). */
static enum http_result content_length(const struct http_request *req, const struct http_limits *lim,
                                       uint64_t *out)
{
	bool seen = false, big = false;
	uint64_t value = 0;
	for (uint32_t i = 0; i < req->nheaders; i++) {
		if (!http_slice_ieq(req->headers[i].name, "Content-Length"))
			continue;
		struct http_slice s = req->headers[i].value;
		if (s.len == 0)
			return HTTP_ERR_MALFORMED;
		uint64_t v = 0;
		for (size_t k = 0; k < s.len; k++) {
			if (!is_digit((unsigned char)s.p[k]))
				return HTTP_ERR_MALFORMED;
			/* Saturates above the limit: only "too large" matters then. */
			if (v <= lim->body)
				v = v * 10 + (uint64_t)(s.p[k] - '0');
		}
		if (v > lim->body)
			big = true;
		if (seen && v != value)
			return HTTP_ERR_MALFORMED;
		seen = true;
		value = v;
	}
	*out = value;
	return big ? HTTP_ERR_BODY_TOO_LARGE : HTTP_OK;
}

/* Does the comma-separated list hold `token` (any case)? */
static bool list_has(struct http_slice list, const char *token)
{
	size_t i = 0;
	while (i < list.len) {
		while (i < list.len && (list.p[i] == ' ' || list.p[i] == '\t' || list.p[i] == ','))
			i++;
		size_t start = i;
		while (i < list.len && list.p[i] != ',')
			i++;
		size_t end = i;
		while (end > start && (list.p[end - 1] == ' ' || list.p[end - 1] == '\t'))
			end--;
		if (end > start && http_slice_ieq((struct http_slice){list.p + start, end - start}, token))
			return true;
	}
	return false;
}

static bool connection_has(const struct http_request *req, const char *token)
{
	for (uint32_t i = 0; i < req->nheaders; i++)
		if (http_slice_ieq(req->headers[i].name, "Connection") &&
		    list_has(req->headers[i].value, token))
			return true;
	return false;
}

/* The checks that need the whole head. */
static enum http_result finish_head(struct http_request *req, const struct http_limits *lim)
{
	uint32_t hosts = count_headers(req, "Host");
	if (hosts > 1 || (req->minor == 1 && hosts == 0))
		return HTTP_ERR_MALFORMED;
	if (count_headers(req, "Transfer-Encoding") > 0)
		return HTTP_ERR_NOT_IMPLEMENTED;
	enum http_result r = content_length(req, lim, &req->content_length);
	if (r != HTTP_OK)
		return r;
	if (connection_has(req, "close"))
		req->keep_alive = false;
	else
		req->keep_alive = req->minor == 1 || connection_has(req, "keep-alive");
	return HTTP_OK;
}

/* Limits on a line not ended yet: refused once it has passed them. */
static enum http_result check_partial(const struct http_parser *p, const char *buf, size_t len,
                                      const struct http_limits *lim)
{
	size_t part = len - p->pos;
	/* A CR must be followed by LF; a CR in the middle is refused now. */
	for (size_t i = p->pos; i + 1 < len; i++)
		if (buf[i] == '\r')
			return HTTP_ERR_MALFORMED;
	/* The bytes the line needs at least to end: its CRLF, or the LF. */
	size_t end = part + (part > 0 && buf[len - 1] == '\r' ? 1 : 2);
	if (p->phase == PHASE_REQUEST_LINE && end > lim->request_line)
		return HTTP_ERR_URI_TOO_LONG;
	if (p->phase == PHASE_HEADERS && end > lim->header_line)
		return HTTP_ERR_HEADERS_TOO_LARGE;
	if (p->pos + end > lim->head)
		return HTTP_ERR_HEADERS_TOO_LARGE;
	return HTTP_MORE;
}

/* One complete line buf[p->pos..end) (CRLF included). */
static enum http_result take_line(struct http_parser *p, const char *buf, size_t end,
                                  const struct http_limits *lim)
{
	const char *line = buf + p->pos;
	size_t n = end - p->pos;
	if (n < 2 || line[n - 2] != '\r')
		return HTTP_ERR_MALFORMED; /* a bare LF */
	if (find(line, '\r', n - 2))
		return HTTP_ERR_MALFORMED; /* a bare CR inside */
	if (end > lim->head)
		return HTTP_ERR_HEADERS_TOO_LARGE;
	p->pos = end;
	n -= 2;
	if (p->phase == PHASE_REQUEST_LINE) {
		if (n == 0)
			return HTTP_MORE; /* empty lines before a request are ignored (RFC 9112 2.2) */
		if (n + 2 > lim->request_line)
			return HTTP_ERR_URI_TOO_LONG;
		enum http_result r = parse_request_line(line, n, &p->req);
		p->phase = PHASE_HEADERS;
		return r == HTTP_OK ? HTTP_MORE : r;
	}
	if (n == 0) {
		p->req.head_len = end;
		p->phase = PHASE_BODY;
		enum http_result r = finish_head(&p->req, lim);
		return r == HTTP_OK ? HTTP_MORE : r;
	}
	if (n + 2 > lim->header_line)
		return HTTP_ERR_HEADERS_TOO_LARGE;
	enum http_result r = parse_header(line, n, lim, &p->req);
	return r == HTTP_OK ? HTTP_MORE : r;
}

enum http_result http_parse(struct http_parser *p, const char *buf, size_t len,
                            const struct http_limits *lim, struct http_request *req)
{
	while (p->phase != PHASE_BODY) {
		if (p->pos > len)
			return HTTP_ERR_MALFORMED; /* the caller shrank the buffer */
		const char *nl = find(buf + p->pos, '\n', len - p->pos);
		if (!nl)
			return check_partial(p, buf, len, lim);
		enum http_result r = take_line(p, buf, (size_t)(nl - buf) + 1, lim);
		if (r != HTTP_MORE)
			return r;
	}
	uint64_t need = p->req.head_len + p->req.content_length;
	if (len < need)
		return HTTP_MORE;
	p->req.body = (struct http_slice){buf + p->req.head_len, (size_t)p->req.content_length};
	p->req.length = (size_t)need;
	*req = p->req;
	return HTTP_OK;
}

int http_error_status(enum http_result r)
{
	switch (r) {
	case HTTP_ERR_URI_TOO_LONG: return 414;
	case HTTP_ERR_HEADERS_TOO_LARGE: return 431;
	case HTTP_ERR_BODY_TOO_LARGE: return 413;
	case HTTP_ERR_NOT_IMPLEMENTED: return 501;
	case HTTP_ERR_VERSION: return 505;
	default: return 400;
	}
}

const char *http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 503: return "Service Unavailable";
	case 505: return "HTTP Version Not Supported";
	default: return "";
	}
}

bool http_query_get(struct http_slice query, const char *key, struct http_slice *value)
{
	size_t klen = strlen(key), i = 0;
	while (i < query.len) {
		size_t start = i;
		while (i < query.len && query.p[i] != '&')
			i++;
		struct http_slice pair = {query.p + start, i - start};
		if (pair.len > klen && memcmp(pair.p, key, klen) == 0 && pair.p[klen] == '=') {
			*value = (struct http_slice){pair.p + klen + 1, pair.len - klen - 1};
			return true;
		}
		i++;
	}
	return false;
}

size_t http_response_head(char *buf, size_t cap, const struct http_response_info *info,
                          size_t content_length)
{
	char type[96] = "";
	if (info->content_type &&
	    format_snprintf(type, sizeof type, "Content-Type: %s\r\n", info->content_type) >= (int)sizeof type)
		return 0;
	int n = format_snprintf(buf, cap,
	                        "HTTP/1.1 %d %s\r\nServer: capOS-httpd\r\n%s%sContent-Length: %lu\r\n"
	                        "Connection: %s\r\n\r\n",
	                        info->status, http_reason(info->status), type,
	                        info->extra ? info->extra : "", (unsigned long)content_length,
	                        info->keep_alive ? "keep-alive" : "close");
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

size_t http_response(char *buf, size_t cap, const struct http_response_info *info,
                     const char *body, size_t body_len)
{
	size_t h = http_response_head(buf, cap, info, body_len);
	if (h == 0)
		return 0;
	if (info->head_only)
		return h;
	if (body_len > cap - h)
		return 0;
	if (body_len > 0)
		memcpy(buf + h, body, body_len);
	return h + body_len;
}
