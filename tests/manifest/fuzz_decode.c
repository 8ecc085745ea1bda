/*
 * libFuzzer target: the manifest decoder init runs on manifest.bin
 * (lib/manifest/decode.c over lib/capnp), then the validator on whatever
 * it accepts.  Nothing may read out of bounds or hang.
 */
#include <stdint.h>
#include <string.h>

#include "manifest/decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct mf_storage st;
	struct mf_manifest m;
	struct mf_decode_error err;

	if (mf_decode(data, size, &st, &m, &err) == MF_DECODE_OK) {
		struct mf_error verr;
		uint32_t order[MF_MAX_SERVICES];
		(void)mf_validate(&m, order, &verr);
	}
	return 0;
}
