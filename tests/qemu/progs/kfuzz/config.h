/*
 * kfuzz configuration: the kfuzz.* words of the kernel command line
 * (docs/fuzzing.md).  Pure logic, unit-tested on the host
 * (tests/host/test_kfuzz_config.c).
 */
#ifndef CAPOS_KFUZZ_CONFIG_H
#define CAPOS_KFUZZ_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#define KF_WORKERS_MAX 4u
#define KF_MAGIC       0x4746434a5a55464bull /* "KFUZJCFG" */

/* Generator paths that can be left out (kfuzz.off=nt,selfcopy,...). */
enum { OFF_NT = 1,
       OFF_SELFCOPY = 2,
       OFF_HUGEHINT = 4,
       OFF_EFFECT = 8 };

/* Exchanged over "ctl" (plain bytes: the endpoint does not parse them). */
struct kf_config {
	uint64_t magic; /* KF_MAGIC: fuzz calls may reach "ctl" first */
	uint64_t seed;
	uint32_t ops;
	uint32_t off;
	uint32_t index;
	uint32_t workers;
	uint32_t trace; /* print each operation before it runs */
};

/*
 * Fills *c from the command line: kfuzz.seed (default 1), kfuzz.ops
 * (2000), kfuzz.workers (2, at most KF_WORKERS_MAX), kfuzz.off (none),
 * kfuzz.trace (0).  Returns 0, or -1 with a message in err for a value
 * that is not a decimal number, out of range, or an unknown kfuzz.off name.
 */
int kf_config_parse(const char *cmdline, struct kf_config *c, char *err, size_t errlen);

/* " nt selfcopy ..." for the bits of off, or " none". */
const char *kf_off_names(uint32_t off, char *buf, size_t len);

#endif
