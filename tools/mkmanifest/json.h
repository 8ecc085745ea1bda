/*
 * A small strict JSON parser for mkmanifest (host only; allocates).
 *
 * Accepts RFC 8259 JSON: objects, arrays, strings (with \uXXXX escapes,
 * encoded as UTF-8; a NUL escape is refused so names stay C strings),
 * numbers, true/false/null.  Nesting is bounded (JSON_MAX_DEPTH).  Errors
 * carry the line and column.
 */
#ifndef MKMANIFEST_JSON_H
#define MKMANIFEST_JSON_H

#include <stddef.h>
#include <stdint.h>

#define JSON_MAX_DEPTH 64

enum json_type { JSON_NULL,
	         JSON_BOOL,
	         JSON_NUMBER,
	         JSON_STRING,
	         JSON_ARRAY,
	         JSON_OBJECT };

struct json {
	enum json_type type;
	int boolean;
	/* JSON_NUMBER: the text, and whether it is a non-negative integer
	 * that fits in 64 bits (then `uint` holds it). */
	char *number;
	int is_uint;
	uint64_t uint;
	char *string; /* JSON_STRING, NUL-terminated */
	size_t string_len;
	/* JSON_ARRAY: items; JSON_OBJECT: keys[i] -> items[i] */
	struct json **items;
	char **keys;
	size_t count;
};

/* Returns NULL on error with a message "line L, column C: what" in err. */
struct json *json_parse(const char *text, size_t len, char *err, size_t errlen);
void json_free(struct json *j);
/* Member `key` of an object, or NULL. */
const struct json *json_get(const struct json *obj, const char *key);
const char *json_type_name(enum json_type t);

#endif
