/*
 * lib/manifest/decode.c: manifests written by mkmanifest's encoder decode
 * back to the same model (and validate); truncated, corrupted and
 * oversized messages are refused with an error naming the field, never a
 * crash (ASan/UBSan watch every read).
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/mkmanifest/encode.h"
#include "manifest/decode.h"

#define S(lit) ((struct mf_str){lit, sizeof(lit) - 1})

static const uint8_t elf_a[] = {0x7f, 'E', 'L', 'F', 1, 2, 3};
static const uint8_t elf_b[] = {0x7f, 'E', 'L', 'F', 9};
static struct mf_binary bins[2];
static struct mf_cap init_caps[2];
static struct mf_cap server_caps[2];
static struct mf_cap client_caps[1];
static struct mf_str server_exports[1];
static struct mf_service services[2];
static struct mf_manifest m;
static struct mf_storage st;
static struct mf_decode_error err;

static void setup(void)
{
	bins[0] = (struct mf_binary){S("init"), elf_a, sizeof(elf_a)};
	bins[1] = (struct mf_binary){S("demo"), elf_b, sizeof(elf_b)};
	init_caps[0] = (struct mf_cap){.name = S("console"), .kernel = MF_KCAP_CONSOLE};
	init_caps[1] = (struct mf_cap){.name = S("boot"), .kernel = MF_KCAP_BOOT_PACKAGE};
	server_caps[0] = (struct mf_cap){.name = S("console"), .kernel = MF_KCAP_CONSOLE};
	server_caps[1] = (struct mf_cap){.name = S("ep"), .kernel = MF_KCAP_ENDPOINT};
	server_exports[0] = S("ep");
	/* clang-format off */
	client_caps[0] = (struct mf_cap){ .name = S("echo"), .kind = MF_SOURCE_SERVICE,
		.service = S("server"), .export_name = S("ep"), .badge = 0x1234567890ull };
	services[0] = (struct mf_service){ .name = S("server"), .binary = S("demo"),
		.caps = server_caps, .cap_count = 2, .exports = server_exports,
		.export_count = 1, .restart = MF_RESTART_ALWAYS };
	services[1] = (struct mf_service){ .name = S("client"), .binary = S("demo"),
		.caps = client_caps, .cap_count = 1 };
	m = (struct mf_manifest){ .schema_version = MF_SCHEMA_VERSION,
		.binaries = bins, .binary_count = 2, .init_binary = S("init"),
		.init_caps = init_caps, .init_cap_count = 2, .services = services,
		.service_count = 2, .motd = S("hello") };
	/* clang-format on */
	memset(&err, 0, sizeof(err));
}

TestSuite(manifest_decode, .init = setup);

static uint8_t *encode(size_t *size)
{
	uint8_t *msg = mf_encode(&m, size);
	cr_assert_not_null(msg);
	return msg;
}

static void cap_eq(const struct mf_cap *a, const struct mf_cap *b)
{
	cr_assert(mf_str_eq(a->name, b->name));
	cr_assert_eq(a->kind, b->kind);
	cr_assert_eq(a->badge, b->badge);
	if (a->kind == MF_SOURCE_KERNEL) {
		cr_assert_eq(a->kernel, b->kernel);
	} else {
		cr_assert(mf_str_eq(a->service, b->service));
		cr_assert(mf_str_eq(a->export_name, b->export_name));
	}
}

Test(manifest_decode, round_trip)
{
	size_t size;
	uint8_t *msg = encode(&size);
	struct mf_manifest d;

	cr_assert_eq(mf_decode(msg, size, &st, &d, &err), MF_DECODE_OK, "%s", err.message);
	cr_assert_eq(d.schema_version, MF_SCHEMA_VERSION);
	cr_assert_eq(d.binary_count, 2);
	for (uint32_t i = 0; i < 2; i++) {
		cr_assert(mf_str_eq(d.binaries[i].name, bins[i].name));
		cr_assert_eq(d.binaries[i].size, bins[i].size);
		cr_assert_eq(memcmp(d.binaries[i].data, bins[i].data, bins[i].size), 0);
	}
	cr_assert(mf_str_eq(d.init_binary, m.init_binary));
	cr_assert_eq(d.init_cap_count, 2);
	for (uint32_t i = 0; i < 2; i++)
		cap_eq(&d.init_caps[i], &init_caps[i]);
	cr_assert_eq(d.service_count, 2);
	for (uint32_t i = 0; i < 2; i++) {
		const struct mf_service *a = &d.services[i], *b = &services[i];
		cr_assert(mf_str_eq(a->name, b->name));
		cr_assert(mf_str_eq(a->binary, b->binary));
		cr_assert_eq(a->restart, b->restart);
		cr_assert_eq(a->cap_count, b->cap_count);
		for (uint32_t k = 0; k < a->cap_count; k++)
			cap_eq(&a->caps[k], &b->caps[k]);
		cr_assert_eq(a->export_count, b->export_count);
		for (uint32_t k = 0; k < a->export_count; k++)
			cr_assert(mf_str_eq(a->exports[k], b->exports[k]));
	}
	cr_assert(mf_str_eq_c(d.motd, "hello"));

	uint32_t order[MF_MAX_SERVICES];
	struct mf_error verr;
	cr_assert_eq(mf_validate(&d, order, &verr), MF_OK, "%s", verr.message);
	free(msg);
}

Test(manifest_decode, every_truncation_is_refused)
{
	size_t size;
	uint8_t *msg = encode(&size);
	struct mf_manifest d;

	for (size_t len = 0; len < size; len++) {
		uint8_t *copy = malloc(len ? len : 1);
		memcpy(copy, msg, len);
		cr_assert_eq(mf_decode(copy, len, &st, &d, &err), MF_DECODE_CAPNP,
		             "truncated to %zu of %zu bytes was accepted", len, size);
		cr_assert_neq(err.capnp_err, 0);
		cr_assert_str_not_empty(err.message);
		free(copy);
	}
	free(msg);
}

/* Each byte flipped in turn: decode must never crash; what it accepts is
 * then up to mf_validate, which must not crash either. */
Test(manifest_decode, every_byte_corruption_is_survived)
{
	size_t size;
	uint8_t *msg = encode(&size);
	struct mf_manifest d;
	unsigned refused = 0;

	for (size_t i = 0; i < size; i++) {
		for (unsigned v = 0; v < 3; v++) {
			uint8_t *copy = malloc(size);
			memcpy(copy, msg, size);
			/* clang-format off */
			copy[i] ^= (uint8_t)(v == 0 ? 0xff : v == 1 ? 0x01 : 0x80);
			/* clang-format on */
			if (mf_decode(copy, size, &st, &d, &err) == MF_DECODE_OK) {
				struct mf_error verr;
				(void)mf_validate(&d, NULL, &verr);
			} else {
				refused++;
				cr_assert_str_not_empty(err.message);
			}
			free(copy);
		}
	}
	cr_assert_gt(refused, 0, "no corruption was ever refused");
	free(msg);
}

Test(manifest_decode, unknown_source_variant)
{
	size_t size;
	uint8_t *msg;
	struct mf_manifest d;

	client_caps[0].kind = (enum mf_source_kind)7; /* encoder writes discriminant 1 for non-kernel */
	msg = encode(&size);
	/* Find the client's CapSource: patch its discriminant (bytes 2..3 of a
	 * word whose value is 0x0001_0000) to 5. */
	int patched = 0;
	for (size_t w = 8; w + 8 <= size; w += 8) {
		uint64_t v;
		memcpy(&v, msg + w, 8);
		if (v == 0x10000ull) {
			msg[w + 2] = 5;
			patched = 1;
			break;
		}
	}
	cr_assert(patched);
	cr_assert_eq(mf_decode(msg, size, &st, &d, &err), MF_DECODE_BAD_UNION);
	cr_assert(strstr(err.message, "initConfig.services[1].caps.source"), "%s", err.message);
	free(msg);
}

Test(manifest_decode, too_many_services)
{
	static struct mf_service many[MF_MAX_SERVICES + 1];
	size_t size;
	struct mf_manifest d;

	for (uint32_t i = 0; i <= MF_MAX_SERVICES; i++)
		many[i] = (struct mf_service){.name = S("s"), .binary = S("demo")};
	m.services = many;
	m.service_count = MF_MAX_SERVICES + 1;
	uint8_t *msg = encode(&size);
	cr_assert_eq(mf_decode(msg, size, &st, &d, &err), MF_DECODE_TOO_MANY);
	cr_assert(strstr(err.message, "initConfig.services"), "%s", err.message);
	free(msg);
}

Test(manifest_decode, too_many_caps_in_total)
{
	/* 64 services x 9 caps = 576 > MF_MAX_TOTAL_CAPS, each within MF_MAX_CAPS. */
	static struct mf_service many[MF_MAX_SERVICES];
	static struct mf_cap nine[9];
	size_t size;
	struct mf_manifest d;

	for (uint32_t k = 0; k < 9; k++)
		nine[k] = (struct mf_cap){.name = S("c"), .kernel = MF_KCAP_CONSOLE};
	/* clang-format off */
	for (uint32_t i = 0; i < MF_MAX_SERVICES; i++)
		many[i] = (struct mf_service){ .name = S("s"), .binary = S("demo"),
					       .caps = nine, .cap_count = 9 };
	/* clang-format on */
	m.services = many;
	m.service_count = MF_MAX_SERVICES;
	uint8_t *msg = encode(&size);
	cr_assert_eq(mf_decode(msg, size, &st, &d, &err), MF_DECODE_TOO_MANY);
	cr_assert(strstr(err.message, ".caps"), "%s", err.message);
	free(msg);
}

Test(manifest_decode, garbage_and_empty_input)
{
	struct mf_manifest d;
	uint8_t junk[64];

	for (size_t i = 0; i < sizeof(junk); i++)
		junk[i] = (uint8_t)(i * 37 + 11);
	cr_assert_neq(mf_decode(junk, sizeof(junk), &st, &d, &err), MF_DECODE_OK);
	cr_assert_eq(mf_decode(junk, 0, &st, &d, &err), MF_DECODE_CAPNP);
	cr_assert(strstr(err.message, "manifest"), "%s", err.message);
	cr_assert_eq(mf_decode(junk, 0, &st, &d, NULL), MF_DECODE_CAPNP);
}
