/*
 * libFuzzer target: mkmanifest's JSON parser and the JSON -> model
 * conversion, then the validator on whatever model comes out.  Input is
 * arbitrary bytes (CUE's export is trusted in practice, but the parser
 * must not crash on anything).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../tools/mkmanifest/json.h"
#include "../../tools/mkmanifest/model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[512];
	struct json *j = json_parse((const char *)data, size, err, sizeof(err));
	struct model md;

	if (!j)
		return 0;
	if (model_from_json(&md, j, err, sizeof(err)) == 0) {
		struct mf_error verr;
		uint32_t order[MF_MAX_SERVICES];
		(void)mf_validate(&md.m, order, &verr);
	}
	model_free(&md);
	return 0;
}
