/*
 * EntropySource capability (schema/entropy.capnp):
 *   getBytes @0 (count) -> (data)     0..256 random bytes
 *
 * Where the bytes come from, in order of preference (docs/entropy.md):
 *   RDSEED   the CPU's conditioned entropy source (CPUID 7.EBX[18]);
 *   RDRAND   its DRBG, reseeded by the same source (CPUID 1.ECX[30]);
 *   jitter   neither: TSC deltas around a fixed piece of work, conditioned
 *            with SHA-256 into a key, output SHA-256(key, counter).  Only
 *            as good as the timing noise of the machine; under QEMU TCG
 *            that is the host's scheduling and cache noise, and under
 *            -icount (deterministic) there is none: the startup health
 *            check then fails and so does every call.
 * A hardware instruction is retried a bounded number of times (it may
 * say "not now"); a source that does not deliver, or fails the repetition
 * count test on any sample, makes the call fail (CapException failed)
 * with no bytes: never weak bytes.  The startup health check (first use:
 * 256 samples, repetition count and distinct values) is logged.
 */
#include <capos/abi.h>

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/io.h"
#include "capnp/capnp.h"
#include "cap/registry.h"
#include "capos.capnp.h"
#include "entropy.capnp.h"
#include "entropy_health.h"
#include "kstring.h"
#include "log.h"
#include "proc/process.h"
#include "sha256.h"

#define ENTROPY_MAX_BYTES      256u
#define RDRAND_RETRIES         10u  /* Intel's guidance for RDRAND */
#define RDSEED_RETRIES         100u /* RDSEED may underflow more often: pause between */
#define STARTUP_SAMPLES        256u
#define JITTER_PORT_READS      64u
/* A new jitter key hashes enough samples for twice 256 bits by the
 * startup estimate of bits per sample (at most this many). */
#define JITTER_KEY_SAMPLES_MAX 1024u
/* A 64-bit hardware word repeating once is already a failure; jitter
 * deltas of a quiet machine repeat often, a run of 32 is stuck. */
#define RCT_CUTOFF_HW          2u
#define RCT_CUTOFF_JITTER      32u

enum source { SRC_NONE,
	      SRC_RDSEED,
	      SRC_RDRAND,
	      SRC_JITTER };
static const char *const source_names[] = {"none", "RDSEED", "RDRAND",
                                           "TSC jitter conditioned with SHA-256"};

static struct entropy_state {
	bool started;
	bool healthy;
	enum source src;
	struct entropy_rct rct;
	uint8_t key[SHA256_BYTES]; /* jitter: the conditioned pool */
	uint32_t bits_per_sample;  /* jitter: startup min-entropy estimate */
	uint32_t key_samples;      /* jitter: samples hashed per new key */
	uint64_t counter;
	uint64_t calls, bytes, failures;
} es;

static struct entropy_object {
	int unused;
} the_source;

static bool rdseed64(uint64_t *v)
{
	for (unsigned i = 0; i < RDSEED_RETRIES; i++) {
		uint8_t ok;
		/* clang-format off */
		__asm__ volatile("rdseed %0; setc %1" : "=r"(*v), "=qm"(ok)::"cc");
		/* clang-format on */
		if (ok)
			return true;
		__asm__ volatile("pause");
	}
	return false;
}

static bool rdrand64(uint64_t *v)
{
	for (unsigned i = 0; i < RDRAND_RETRIES; i++) {
		uint8_t ok;
		/* clang-format off */
		__asm__ volatile("rdrand %0; setc %1" : "=r"(*v), "=qm"(ok)::"cc");
		/* clang-format on */
		if (ok)
			return true;
	}
	return false;
}

/* One TSC delta around a few reads of the PIT/speaker port (0x61) and a
 * small data-dependent loop: their timing varies with caches, interrupts
 * and, in a VM, the host's emulation of the port. */
static uint64_t jitter_sample(void)
{
	static volatile uint64_t scratch[64];
	uint64_t t0 = rdtsc();
	for (unsigned i = 0; i < JITTER_PORT_READS; i++) {
		scratch[(i * 7 + (t0 & 63)) & 63] += inb(0x61);
	}
	return rdtsc() - t0;
}

/* One raw sample from the chosen source, through the continuous
 * repetition count test. */
static bool raw_sample(uint64_t *v)
{
	bool ok;
	switch (es.src) {
	case SRC_RDSEED: ok = rdseed64(v); break;
	case SRC_RDRAND: ok = rdrand64(v); break;
	case SRC_JITTER:
		*v = jitter_sample();
		ok = true;
		break;
	default: ok = false; break;
	}
	return ok && entropy_rct_feed(&es.rct, *v);
}

/* Jitter: a fresh key from the old one and JITTER_SAMPLES_PER_KEY deltas. */
static bool jitter_rekey(void)
{
	struct sha256 h;
	sha256_init(&h);
	sha256_update(&h, es.key, sizeof es.key);
	for (unsigned i = 0; i < es.key_samples; i++) {
		uint64_t v;
		if (!raw_sample(&v))
			return false;
		sha256_update(&h, &v, sizeof v);
	}
	sha256_final(&h, es.key);
	return true;
}

static void entropy_start(void)
{
	if (es.started)
		return;
	es.started = true;
	uint32_t r[4];
	cpuid_query(0, 0, r);
	uint32_t max_leaf = r[0];
	bool rdseed = false;
	if (max_leaf >= 7) {
		cpuid_query(7, 0, r);
		rdseed = r[1] & (1u << 18);
	}
	cpuid_query(1, 0, r);
	bool rdrand = r[2] & (1u << 30);
	/* clang-format off */
	es.src = rdseed ? SRC_RDSEED : rdrand ? SRC_RDRAND : SRC_JITTER;
	/* clang-format on */
	entropy_rct_init(&es.rct, es.src == SRC_JITTER ? RCT_CUTOFF_JITTER : RCT_CUTOFF_HW);

	static uint64_t samples[STARTUP_SAMPLES];
	unsigned got = 0;
	while (got < STARTUP_SAMPLES && raw_sample(&samples[got]))
		got++;
	uint32_t distinct = entropy_distinct(samples, got);
	/* Hardware words: 256 different 64-bit values.  Jitter: at least one
	 * bit of min-entropy per sample by the most common value estimate. */
	uint32_t bits = entropy_mcv_bits(samples, got);
	es.healthy = got == STARTUP_SAMPLES &&
	             (es.src == SRC_JITTER ? bits >= 1 : distinct == STARTUP_SAMPLES);
	if (es.src == SRC_JITTER && bits >= 1) {
		es.bits_per_sample = bits;
		es.key_samples = 2u * 256u / bits;
		if (es.key_samples > JITTER_KEY_SAMPLES_MAX)
			es.key_samples = JITTER_KEY_SAMPLES_MAX;
	}
	if (es.healthy && es.src == SRC_JITTER) {
		struct sha256 h;
		sha256_init(&h);
		sha256_update(&h, samples, sizeof samples);
		sha256_final(&h, es.key);
	}
	kprintf("entropy: source %s (RDSEED %s, RDRAND %s); startup health check %s: %u of %u "
	        "samples, %u distinct, min-entropy estimate %u bits/sample\n",
	        source_names[es.src], rdseed ? "yes" : "no", rdrand ? "yes" : "no",
	        es.healthy ? "passed" : "FAILED, every getBytes will fail", got, STARTUP_SAMPLES,
	        distinct, bits);
	if (es.src == SRC_JITTER && es.healthy)
		kprintf("entropy: jitter: %u samples hashed into each new key (512 bits by the "
		        "estimate)\n",
		        es.key_samples);
}

static void *entropy_boot_object(void)
{
	entropy_start();
	return &the_source;
}

/* Fills out[0..n) or returns false (nothing usable was produced). */
static bool fill(uint8_t *out, uint32_t n)
{
	if (!es.healthy)
		return false;
	if (es.src == SRC_JITTER) {
		if (!jitter_rekey())
			return false;
		for (uint32_t off = 0; off < n; off += SHA256_BYTES) {
			struct sha256 h;
			uint8_t block[SHA256_BYTES];
			sha256_init(&h);
			sha256_update(&h, es.key, sizeof es.key);
			sha256_update(&h, &es.counter, sizeof es.counter);
			es.counter++;
			sha256_final(&h, block);
			memcpy(out + off, block, n - off < SHA256_BYTES ? n - off : SHA256_BYTES);
		}
		return true;
	}
	for (uint32_t off = 0; off < n; off += 8) {
		uint64_t v;
		if (!raw_sample(&v))
			return false;
		memcpy(out + off, &v, n - off < 8 ? n - off : 8);
	}
	return true;
}

static const struct kcall_method entropy_methods[] = {
	/* The flat struct plus the longest data, padded to words. */
	/* clang-format off */
	{entropy_EntropySource_getBytes_METHOD, "getBytes",
	 {KCALL_FLAT(entropy_EntropySource_getBytes_Results) + ENTROPY_MAX_BYTES, 0}},
};
/* clang-format on */

static int entropy_decode(void *object, struct kcap_call *c)
{
	(void)object;
	struct capnp_reader m;
	if (kcap_params(c, &m) != CAPOS_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	uint32_t n = entropy_EntropySource_getBytes_Params_get_count(
		entropy_EntropySource_getBytes_Params_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK)
		return CAPOS_ERR_BAD_MESSAGE;
	if (n > ENTROPY_MAX_BYTES)
		return kcap_exception(c, capos_CapException_Type_invalidArgument,
		                      "EntropySource.getBytes: more than 256 bytes");
	c->arg[0] = n;
	c->bound.bytes = KCALL_FLAT(entropy_EntropySource_getBytes_Results) + 8u * ((n + 7u) / 8u);
	return CAPOS_OK;
}

static int entropy_perform(void *object, struct kcap_call *c)
{
	(void)object;
	entropy_start();
	uint32_t n = (uint32_t)c->arg[0];
	uint8_t bytes[ENTROPY_MAX_BYTES];
	es.calls++;
	if (!fill(bytes, n)) {
		es.failures++;
		memset(bytes, 0, sizeof bytes);
		kprintf("entropy: pid %u getBytes(%u) failed: source %s %s\n", c->caller->pid, n,
		        source_names[es.src],
		        es.healthy ? "did not deliver or repeated itself" : "failed its health check");
		return kcap_exception(c, capos_CapException_Type_failed,
		                      "EntropySource.getBytes: the entropy source failed");
	}
	es.bytes += n;
	struct capnp_builder b;
	kcap_result_begin(c, &b);
	entropy_EntropySource_getBytes_Results_set_data(
		entropy_EntropySource_getBytes_Results_init_root(&b), bytes, n);
	memset(bytes, 0, sizeof bytes);
	return kcap_result_end(c, &b);
}

const struct kcap_type kcap_entropy_source_type = {
	.kind = KCAP_ENTROPY_SOURCE,
	KCAP_METHODS(entropy_methods),
	.decode = entropy_decode,
	.perform = entropy_perform,
	.drop = 0, /* static object */
	.transferable = true,
	.retain = 0,
	.boot_object = entropy_boot_object,
};
