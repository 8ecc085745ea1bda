/*
 * mkmanifest's JSON parser, the JSON -> model conversion (strict types,
 * unknown fields, error messages naming service and field) and the
 * encoder's basic framing.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "../../tools/mkmanifest/encode.h"
#include "../../tools/mkmanifest/json.h"
#include "../../tools/mkmanifest/model.h"

static char err[1024];

static struct json *parse(const char *text)
{
	return json_parse(text, strlen(text), err, sizeof(err));
}

static void parse_fails(const char *text, const char *want)
{
	struct json *j = parse(text);
	cr_assert_null(j, "parsed invalid JSON: %s", text);
	cr_assert(strstr(err, want), "error \"%s\" lacks \"%s\" (input %s)", err, want, text);
}

Test(manifest_json, values)
{
	struct json *j = parse(" {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\n\\ud83d\\ude00\"], \"b\": {}} ");
	cr_assert_not_null(j, "%s", err);
	const struct json *a = json_get(j, "a");
	cr_assert_eq(a->type, JSON_ARRAY);
	cr_assert_eq(a->count, 6);
	cr_assert(a->items[0]->is_uint);
	cr_assert_eq(a->items[0]->uint, 1);
	cr_assert_not(a->items[1]->is_uint);
	cr_assert_eq(a->items[2]->boolean, 1);
	cr_assert_eq(a->items[4]->type, JSON_NULL);
	cr_assert_str_eq(a->items[5]->string, "x\xc3\xa9\n\xf0\x9f\x98\x80");
	cr_assert_eq(json_get(j, "b")->type, JSON_OBJECT);
	cr_assert_null(json_get(j, "c"));
	json_free(j);
}

Test(manifest_json, uint64_limits)
{
	struct json *j = parse("[18446744073709551615, 18446744073709551616]");
	cr_assert_not_null(j, "%s", err);
	cr_assert(j->items[0]->is_uint);
	cr_assert_eq(j->items[0]->uint, UINT64_MAX);
	cr_assert_not(j->items[1]->is_uint);
	json_free(j);
}

Test(manifest_json, errors_have_line_and_column)
{
	parse_fails("{\n  \"a\": tru }", "line 2, column 8");
	parse_fails("", "unexpected end");
	parse_fails("{\"a\":1,}", "expected a string key");
	parse_fails("{\"a\":1 \"b\":2}", "expected ',' or '}'");
	parse_fails("[1 2]", "expected ',' or ']'");
	parse_fails("{\"a\":1,\"a\":2}", "duplicate key");
	parse_fails("\"abc", "unterminated");
	parse_fails("\"a\\q\"", "bad escape");
	parse_fails("\"\\u12\"", "bad \\u escape");
	parse_fails("\"\\ud800\"", "unpaired surrogate");
	parse_fails("\"\\udc00\"", "unpaired surrogate");
	parse_fails("\"\\u0000\"", "NUL");
	parse_fails("\"a\tb\"", "control character");
	parse_fails("01", "trailing data");
	parse_fails("-", "bad number");
	parse_fails("1.", "bad number");
	parse_fails("1e+", "bad number");
	parse_fails("[] []", "trailing data");
	parse_fails("@", "unexpected character");
}

Test(manifest_json, depth_is_bounded)
{
	char deep[200];
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	parse_fails(deep, "nesting too deep");
}

Test(manifest_json, embedded_nul_is_refused)
{
	const char text[] = "[1]\0";
	cr_assert_null(json_parse(text, sizeof(text) - 1, err, sizeof(err)));
}

#define GOOD_INIT "\"init\": {\"binary\": \"init\", \"caps\": [{\"name\": \"console\", \"source\": {\"kernel\": \"console\"}}]}"
#define SERVER    "{\"name\": \"server\", \"binary\": \"srv\", \"caps\": [{\"name\": \"ep\", \"source\": {\"kernel\": \"endpoint\"}}], \"exports\": [\"ep\"], \"restart\": \"onFailure\"}"

static int load(struct model *md, const char *text)
{
	struct json *j = parse(text);
	cr_assert_not_null(j, "test JSON invalid: %s", err);
	return model_from_json(md, j, err, sizeof(err));
}

static void model_fails(const char *text, const char *a, const char *b)
{
	struct model md;
	cr_assert_eq(load(&md, text), -1, "accepted: %s", text);
	cr_assert(strstr(err, a), "error \"%s\" lacks \"%s\"", err, a);
	if (b)
		cr_assert(strstr(err, b), "error \"%s\" lacks \"%s\"", err, b);
	model_free(&md);
}

Test(manifest_model, good_system)
{
	struct model md;
	/* clang-format off */
	int r = load(&md, "{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [" SERVER ", "
		"{\"name\": \"client\", \"binary\": \"cli\", \"caps\": [{\"name\": \"s\", \"badge\": 42, "
		"\"source\": {\"service\": {\"name\": \"server\", \"export\": \"ep\"}}}]}]}, "
		"\"kernelParams\": {\"motd\": \"hi\"}}");
	/* clang-format on */
	cr_assert_eq(r, 0, "%s", err);
	cr_assert_eq(md.m.schema_version, 1);
	cr_assert_eq(md.m.service_count, 2);
	cr_assert(mf_str_eq_c(md.m.init_binary, "init"));
	cr_assert_eq(md.m.init_cap_count, 1);
	cr_assert_eq(md.m.services[0].restart, MF_RESTART_ON_FAILURE);
	cr_assert_eq(md.m.services[0].caps[0].kernel, MF_KCAP_ENDPOINT);
	cr_assert_eq(md.m.services[0].export_count, 1);
	const struct mf_cap *c = &md.m.services[1].caps[0];
	cr_assert_eq(c->kind, MF_SOURCE_SERVICE);
	cr_assert_eq(c->badge, 42);
	cr_assert(mf_str_eq_c(c->service, "server"));
	cr_assert(mf_str_eq_c(c->export_name, "ep"));
	cr_assert_eq(md.m.services[1].restart, MF_RESTART_NEVER);
	cr_assert(mf_str_eq_c(md.m.motd, "hi"));
	model_free(&md);
}

Test(manifest_model, errors_name_holder_and_field)
{
	model_fails("[]", "manifest: ", "expected an object");
	model_fails("{\"initConfig\": {" GOOD_INIT "}}", "manifest: ", "schemaVersion: missing");
	model_fails("{\"schemaVersion\": -1, \"initConfig\": {" GOOD_INIT "}}", "schemaVersion", "not an unsigned");
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT "}, \"extra\": 1}", "manifest: ", "unknown field \"extra\"");
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {}}", "initConfig.init: missing", NULL);
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {\"init\": {\"binary\": 3}}}", "init: ", "binary: expected string, got number");
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {\"init\": {\"binary\": \"i\", \"caps\": [{\"name\": \"c\", \"source\": {\"kernel\": \"consle\"}}]}}}",
	            "init: caps[0].source.kernel", "unknown kernel capability \"consle\"");
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [{\"name\": \"svc\", \"binary\": \"b\", \"restart\": \"sometimes\"}]}}",
	            "service \"svc\" (services[0]): restart", "\"sometimes\"");
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [{\"name\": \"svc\", \"binary\": \"b\", \"typo\": 1}]}}",
	            "service \"svc\"", "unknown field \"typo\"");
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [{\"binary\": \"b\"}]}}",
	            "services[0]: name: missing", NULL);
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [{\"name\": \"svc\", \"binary\": \"b\", \"caps\": [{\"name\": \"x\", \"source\": {}}]}]}}",
	            "service \"svc\"", "caps[0].source: needs exactly one");
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [{\"name\": \"svc\", \"binary\": \"b\", \"caps\": [{\"name\": \"x\", \"source\": {\"kernel\": \"console\", \"service\": {}}}]}]}}",
	            "service \"svc\"", "caps[0].source: needs exactly one");
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [{\"name\": \"svc\", \"binary\": \"b\", \"caps\": [{\"name\": \"x\", \"source\": {\"service\": {\"name\": \"a\"}}}]}]}}",
	            "service \"svc\"", "caps[0].source.service.export: missing");
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [{\"name\": \"svc\", \"binary\": \"b\", \"caps\": [{\"name\": \"x\", \"badge\": 1.5, \"source\": {\"kernel\": \"console\"}}]}]}}",
	            "service \"svc\"", "caps[0].badge: 1.5 is not");
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [{\"name\": \"svc\", \"binary\": \"b\", \"exports\": [1]}]}}",
	            "service \"svc\"", "exports[0]: expected string");
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [3]}}", "services[0]: expected object", NULL);
	model_fails("{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT "}, \"kernelParams\": {\"motd\": 1}}", "kernelParams.motd: expected string", NULL);
}

Test(manifest_model, binaries_are_found_by_logical_name)
{
	char dir[] = "/tmp/capos-mf-XXXXXX";
	cr_assert_not_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof(path), "%s/init.elf", dir);
	FILE *f = fopen(path, "wb");
	fputs("ELFDATA", f);
	fclose(f);
	snprintf(path, sizeof(path), "%s/srv", dir);
	f = fopen(path, "wb");
	fputs("SRV", f);
	fclose(f);

	struct model md;
	char *dirs[] = {dir};
	cr_assert_eq(load(&md, "{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [" SERVER "]}}"), 0, "%s", err);
	cr_assert_eq(model_load_binaries(&md, dirs, 1, err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(md.m.binary_count, 2);
	cr_assert_eq(md.m.binaries[0].size, 7);
	cr_assert_eq(memcmp(md.m.binaries[1].data, "SRV", 3), 0);
	cr_assert_eq(mf_validate(&md.m, NULL, NULL), MF_OK);

	size_t size = 0;
	uint8_t *msg = mf_encode(&md.m, &size);
	cr_assert_not_null(msg);
	cr_assert_eq(size % 8, 0);
	uint32_t segs, words;
	memcpy(&segs, msg, 4);
	memcpy(&words, msg + 4, 4);
	cr_assert_eq(segs, 0, "one segment");
	cr_assert_eq((size_t)words * 8 + 8, size);
	free(msg);
	model_free(&md);

	/* A missing binary names the service, the field and the directories. */
	cr_assert_eq(load(&md, "{\"schemaVersion\": 1, \"initConfig\": {" GOOD_INIT ", \"services\": [{\"name\": \"svc\", \"binary\": \"gone\"}]}}"), 0, "%s", err);
	cr_assert_eq(model_load_binaries(&md, dirs, 1, err, sizeof(err)), -1);
	cr_assert(strstr(err, "service \"svc\" (services[0]): binary: \"gone\" not found"), "%s", err);
	cr_assert(strstr(err, dir), "%s", err);
	model_free(&md);

	/* Path tricks are refused before touching the file system. */
	cr_assert_eq(load(&md, "{\"schemaVersion\": 1, \"initConfig\": {\"init\": {\"binary\": \"../etc/passwd\"}}}"), 0, "%s", err);
	cr_assert_eq(model_load_binaries(&md, dirs, 1, err, sizeof(err)), -1);
	cr_assert(strstr(err, "init: binary: invalid binary name"), "%s", err);
	model_free(&md);

	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	cr_assert_eq(system(path), 0);
}
