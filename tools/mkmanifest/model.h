/*
 * The CUE export (JSON) -> struct mf_manifest, for mkmanifest.
 *
 * Strict: every field has the type the CUE schema gives it, unknown fields
 * are refused, and every error names the service (or init) and the field.
 * Binaries are not in the JSON: model_load_binaries reads each binary the
 * services reference from the search directories.
 */
#ifndef MKMANIFEST_MODEL_H
#define MKMANIFEST_MODEL_H

#include "json.h"
#include "manifest/manifest.h"

struct model {
	struct mf_manifest m;
	struct json *root; /* strings in m point into it */
	struct mf_cap *init_caps;
	struct mf_service *services;
	struct mf_cap **service_caps;
	struct mf_str **service_exports;
	struct mf_binary *binaries;
	struct mf_str *extra_binaries; /* extraBinaries: carried, not started */
	uint32_t extra_binary_count;
	char **binary_paths; /* where each binary was read from */
	uint8_t **binary_data;
};

/* Takes ownership of root.  Returns 0, or -1 with a message in err. */
int model_from_json(struct model *md, struct json *root, char *err, size_t errlen);
/*
 * Reads every binary named by init, a service or extraBinaries from the
 * first directory in dirs that has "<name>.elf" or "<name>", in order of
 * first use.
 */
int model_load_binaries(struct model *md, char *const *dirs, size_t ndirs,
                        char *err, size_t errlen);
void model_free(struct model *md);

#endif
