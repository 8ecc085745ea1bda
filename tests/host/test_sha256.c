/* lib/sha256.c against the FIPS 180-4 example vectors. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sha256.h"

static void hex(const uint8_t d[SHA256_BYTES], char out[65])
{
	for (unsigned i = 0; i < SHA256_BYTES; i++)
		sprintf(out + 2 * i, "%02x", d[i]);
}

static void check(const void *msg, size_t len, size_t chunk, const char *want)
{
	struct sha256 s;
	uint8_t d[SHA256_BYTES];
	char h[65];
	sha256_init(&s);
	for (size_t off = 0; off < len; off += chunk)
		sha256_update(&s, (const uint8_t *)msg + off, len - off < chunk ? len - off : chunk);
	sha256_final(&s, d);
	hex(d, h);
	cr_assert_str_eq(h, want, "len %zu chunk %zu", len, chunk);
}

Test(sha256, fips_vectors)
{
	check("", 0, 1, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	check("abc", 3, 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	for (size_t chunk = 1; chunk <= 64; chunk *= 2)
		check(two, strlen(two), chunk,
		      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, million_a)
{
	static char a[1000000];
	memset(a, 'a', sizeof a);
	check(a, sizeof a, 4096, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
