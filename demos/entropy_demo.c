/*
 * entropy_demo: the EntropySource capability through the runtime.  Two
 * draws of 32 bytes differ and are not all zero; 4096 bytes show at least
 * 200 of the 256 byte values (a uniform source misses that with
 * probability far below 1e-30); getBytes(0) returns nothing; more than
 * 256 bytes in one call (257, 2^32-1) is refused with invalidArgument
 * and no bytes; capos_getentropy(1000) splits into kernel calls.
 *
 * Run by: smokes timer_entropy (jitter fallback on qemu64) and
 * entropy_rdrand (RDSEED/RDRAND on -cpu max).
 */
#include <capos/rt.h>

#include "capos.capnp.h"
#include "demo.h"

static int all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static int refused_invalid(const struct capos_entropy *e, uint32_t n)
{
	static uint8_t big[512];
	struct capos_call_error err;
	memset(big, 0xa5, sizeof big);
	int r = capos_entropy_get_bytes(e, big, n, &err);
	return r == CAPOS_ERR_APPLICATION_EXCEPTION && err.kind == CAPOS_ERROR_EXCEPTION &&
	       err.exception_type == capos_CapException_Type_invalidArgument && big[0] == 0xa5;
}

int main(void)
{
	const char *me = demo_name("entropy_demo");
	const struct capos_entropy *e = capos_default_entropy();
	DEMO_CHECK(me, e != NULL, "an EntropySource in the CapSet\n");
	if (e == NULL)
		return demo_finish(me);
	uint8_t x[32], y[32];
	DEMO_CHECK(me, capos_getentropy(x, sizeof x) == 0 && capos_getentropy(y, sizeof y) == 0,
	           "two draws of 32 bytes\n");
	DEMO_CHECK(me, !all_zero(x, sizeof x) && memcmp(x, y, sizeof x) != 0,
	           "they are not zero and differ\n");

	static uint8_t many[4096];
	int seen[256] = {0}, distinct = 0;
	DEMO_CHECK(me, capos_getentropy(many, sizeof many) == 0, "4096 bytes in 16 calls\n");
	for (size_t i = 0; i < sizeof many; i++)
		distinct += seen[many[i]]++ == 0;
	DEMO_CHECK(me, distinct >= 200, "%d of 256 byte values among them\n", distinct);

	struct capos_call_error err;
	DEMO_CHECK(me, capos_entropy_get_bytes(e, x, 0, &err) == 0, "getBytes(0): nothing, ok\n");
	DEMO_CHECK(me, refused_invalid(e, 257), "getBytes(257) refused: invalidArgument\n");
	DEMO_CHECK(me, refused_invalid(e, UINT32_MAX), "getBytes(2^32-1) refused: invalidArgument\n");
	static uint8_t k[1000];
	DEMO_CHECK(me, capos_getentropy(k, sizeof k) == 0 && !all_zero(k + 744, 256),
	           "capos_getentropy(1000) in 4 calls, the last part filled\n");
	return demo_finish(me);
}
