/* Strict JSON parser: see json.h. */
#include "json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	const char *s;
	size_t len;
	size_t pos;
	char *err;
	size_t errlen;
	int failed;
};

static void perr(struct parser *p, const char *what)
{
	size_t line = 1, col = 1;

	if (p->failed)
		return;
	p->failed = 1;
	for (size_t i = 0; i < p->pos && i < p->len; i++) {
		if (p->s[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(p->err, p->errlen, "line %zu, column %zu: %s", line, col, what);
}

static void *xcalloc(struct parser *p, size_t n, size_t size)
{
	void *q = calloc(n ? n : 1, size);
	if (!q)
		perr(p, "out of memory");
	return q;
}

static void skip_ws(struct parser *p)
{
	while (p->pos < p->len && strchr(" \t\r\n", p->s[p->pos]) && p->s[p->pos])
		p->pos++;
}

static int peek(struct parser *p)
{
	return p->pos < p->len ? (unsigned char)p->s[p->pos] : -1;
}

static struct json *parse_value(struct parser *p, int depth);

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int read_hex4(struct parser *p, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hexval(peek(p));
		if (h < 0) {
			perr(p, "bad \\u escape");
			return -1;
		}
		v = v * 16 + (unsigned)h;
		p->pos++;
	}
	*out = v;
	return 0;
}

static void put_utf8(char *buf, size_t *n, unsigned cp)
{
	if (cp < 0x80) {
		buf[(*n)++] = (char)cp;
	} else if (cp < 0x800) {
		buf[(*n)++] = (char)(0xc0 | (cp >> 6));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		buf[(*n)++] = (char)(0xe0 | (cp >> 12));
		buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	} else {
		buf[(*n)++] = (char)(0xf0 | (cp >> 18));
		buf[(*n)++] = (char)(0x80 | ((cp >> 12) & 0x3f));
		buf[(*n)++] = (char)(0x80 | ((cp >> 6) & 0x3f));
		buf[(*n)++] = (char)(0x80 | (cp & 0x3f));
	}
}

/* At the opening quote.  The decoded string is never longer than its source. */
static char *parse_string(struct parser *p, size_t *outlen)
{
	size_t start = ++p->pos, n = 0;
	size_t end = start;

	while (end < p->len && p->s[end] != '"') {
		if (p->s[end] == '\\')
			end++;
		end++;
	}
	if (end >= p->len) {
		perr(p, "unterminated string");
		return NULL;
	}
	char *buf = xcalloc(p, end - start + 1, 1);
	if (!buf)
		return NULL;
	while (p->pos < end) {
		unsigned char c = (unsigned char)p->s[p->pos];
		if (c < 0x20) {
			perr(p, "control character in string");
			goto bad;
		}
		p->pos++;
		if (c != '\\') {
			buf[n++] = (char)c;
			continue;
		}
		c = (unsigned char)p->s[p->pos++];
		switch (c) {
		case '"': buf[n++] = '"'; break;
		case '\\': buf[n++] = '\\'; break;
		case '/': buf[n++] = '/'; break;
		case 'b': buf[n++] = '\b'; break;
		case 'f': buf[n++] = '\f'; break;
		case 'n': buf[n++] = '\n'; break;
		case 'r': buf[n++] = '\r'; break;
		case 't': buf[n++] = '\t'; break;
		case 'u': {
			unsigned cp, lo;
			if (read_hex4(p, &cp) < 0)
				goto bad;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (p->pos + 1 >= end || p->s[p->pos] != '\\' ||
				    p->s[p->pos + 1] != 'u') {
					perr(p, "unpaired surrogate in \\u escape");
					goto bad;
				}
				p->pos += 2;
				if (read_hex4(p, &lo) < 0)
					goto bad;
				if (lo < 0xdc00 || lo > 0xdfff) {
					perr(p, "unpaired surrogate in \\u escape");
					goto bad;
				}
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000) {
				perr(p, "unpaired surrogate in \\u escape");
				goto bad;
			}
			if (cp == 0) {
				perr(p, "NUL (\\u0000) in string");
				goto bad;
			}
			put_utf8(buf, &n, cp);
			break;
		}
		default:
			perr(p, "bad escape in string");
			goto bad;
		}
	}
	p->pos = end + 1;
	buf[n] = '\0';
	*outlen = n;
	return buf;
bad:
	free(buf);
	return NULL;
}

static struct json *parse_number(struct parser *p)
{
	size_t start = p->pos;
	int digits = 0, integer = 1;

	if (peek(p) == '-') {
		p->pos++;
		integer = 0;
	}
	if (peek(p) == '0') {
		p->pos++;
		digits = 1;
	} else {
		while (peek(p) >= '0' && peek(p) <= '9') {
			p->pos++;
			digits++;
		}
	}
	if (!digits) {
		perr(p, "bad number");
		return NULL;
	}
	if (peek(p) == '.') {
		integer = 0;
		p->pos++;
		if (!(peek(p) >= '0' && peek(p) <= '9')) {
			perr(p, "bad number");
			return NULL;
		}
		while (peek(p) >= '0' && peek(p) <= '9')
			p->pos++;
	}
	if (peek(p) == 'e' || peek(p) == 'E') {
		integer = 0;
		p->pos++;
		if (peek(p) == '+' || peek(p) == '-')
			p->pos++;
		if (!(peek(p) >= '0' && peek(p) <= '9')) {
			perr(p, "bad number");
			return NULL;
		}
		while (peek(p) >= '0' && peek(p) <= '9')
			p->pos++;
	}
	struct json *j = xcalloc(p, 1, sizeof(*j));
	if (!j)
		return NULL;
	j->type = JSON_NUMBER;
	j->number = xcalloc(p, p->pos - start + 1, 1);
	if (!j->number) {
		free(j);
		return NULL;
	}
	memcpy(j->number, p->s + start, p->pos - start);
	if (integer) {
		uint64_t v = 0;
		j->is_uint = 1;
		for (const char *c = j->number; *c; c++) {
			unsigned d = (unsigned)(*c - '0');
			if (v > (UINT64_MAX - d) / 10) {
				j->is_uint = 0;
				break;
			}
			v = v * 10 + d;
		}
		j->uint = v;
	}
	return j;
}

static int literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if (p->len - p->pos < n || memcmp(p->s + p->pos, word, n) != 0) {
		perr(p, "unexpected token");
		return -1;
	}
	p->pos += n;
	return 0;
}

static int push(struct parser *p, struct json *j, char *key, struct json *item)
{
	/* NOLINTNEXTLINE(bugprone-sizeof-expression): an array of pointers */
	struct json **items = realloc(j->items, (j->count + 1) * sizeof(*items));
	if (!items) {
		perr(p, "out of memory");
		return -1;
	}
	j->items = items;
	if (j->type == JSON_OBJECT) {
		char **keys = realloc(j->keys, (j->count + 1) * sizeof(*keys));
		if (!keys) {
			perr(p, "out of memory");
			return -1;
		}
		j->keys = keys;
		keys[j->count] = key;
	}
	items[j->count++] = item;
	return 0;
}

static struct json *parse_container(struct parser *p, int depth, int object)
{
	struct json *j = xcalloc(p, 1, sizeof(*j));
	char close = object ? '}' : ']';

	if (!j)
		return NULL;
	j->type = object ? JSON_OBJECT : JSON_ARRAY;
	p->pos++;
	skip_ws(p);
	if (peek(p) == close) {
		p->pos++;
		return j;
	}
	for (;;) {
		char *key = NULL;
		size_t klen;
		skip_ws(p);
		if (object) {
			if (peek(p) != '"') {
				perr(p, "expected a string key");
				goto bad;
			}
			key = parse_string(p, &klen);
			if (!key)
				goto bad;
			for (size_t i = 0; i < j->count; i++) {
				if (strcmp(j->keys[i], key) == 0) {
					perr(p, "duplicate key in object");
					free(key);
					goto bad;
				}
			}
			skip_ws(p);
			if (peek(p) != ':') {
				perr(p, "expected ':'");
				free(key);
				goto bad;
			}
			p->pos++;
		}
		struct json *item = parse_value(p, depth + 1);
		if (!item) {
			free(key);
			goto bad;
		}
		if (push(p, j, key, item) < 0) {
			free(key);
			json_free(item);
			goto bad;
		}
		skip_ws(p);
		if (peek(p) == ',') {
			p->pos++;
			continue;
		}
		if (peek(p) == close) {
			p->pos++;
			return j;
		}
		perr(p, object ? "expected ',' or '}'" : "expected ',' or ']'");
		goto bad;
	}
bad:
	json_free(j);
	return NULL;
}

static struct json *parse_value(struct parser *p, int depth)
{
	struct json *j;

	if (depth > JSON_MAX_DEPTH) {
		perr(p, "nesting too deep");
		return NULL;
	}
	skip_ws(p);
	switch (peek(p)) {
	case '{':
		return parse_container(p, depth, 1);
	case '[':
		return parse_container(p, depth, 0);
	case '"':
		j = xcalloc(p, 1, sizeof(*j));
		if (!j)
			return NULL;
		j->type = JSON_STRING;
		j->string = parse_string(p, &j->string_len);
		if (!j->string) {
			free(j);
			return NULL;
		}
		return j;
	case 't':
	case 'f':
	case 'n': {
		int c = peek(p);
		/* clang-format off */
		const char *word = c == 't' ? "true" : c == 'f' ? "false" : "null";
		/* clang-format on */
		if (literal(p, word) < 0)
			return NULL;
		j = xcalloc(p, 1, sizeof(*j));
		if (!j)
			return NULL;
		j->type = c == 'n' ? JSON_NULL : JSON_BOOL;
		j->boolean = c == 't';
		return j;
	}
	case -1:
		perr(p, "unexpected end of input");
		return NULL;
	default:
		if (peek(p) == '-' || (peek(p) >= '0' && peek(p) <= '9'))
			return parse_number(p);
		perr(p, "unexpected character");
		return NULL;
	}
}

struct json *json_parse(const char *text, size_t len, char *err, size_t errlen)
{
	struct parser p = {.s = text, .len = len, .err = err, .errlen = errlen};
	struct json *j;

	if (errlen)
		err[0] = '\0';
	j = parse_value(&p, 0);
	if (!j)
		return NULL;
	skip_ws(&p);
	if (p.pos != p.len) {
		perr(&p, "trailing data after the JSON value");
		json_free(j);
		return NULL;
	}
	return j;
}

void json_free(struct json *j)
{
	if (!j)
		return;
	for (size_t i = 0; i < j->count; i++) {
		json_free(j->items[i]);
		if (j->keys)
			free(j->keys[i]);
	}
	free(j->items);
	free(j->keys);
	free(j->number);
	free(j->string);
	free(j);
}

const struct json *json_get(const struct json *obj, const char *key)
{
	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (size_t i = 0; i < obj->count; i++)
		if (strcmp(obj->keys[i], key) == 0)
			return obj->items[i];
	return NULL;
}

const char *json_type_name(enum json_type t)
{
	static const char *const names[] = {"null", "boolean", "number",
	                                    "string", "array", "object"};
	return names[t];
}
