/*
 * bench-capnp: encode and decode a realistic boot manifest and a small call
 * message (ProcessSpawner.spawn params) N times with our runtime and with
 * the C++ reference (libcapnp) in the same process; prints ns/message and
 * the ratio ours/reference (< 1 means ours is faster).
 *
 * usage: bench_capnp [--iterations N]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "manifest.capnp.h"
#include "bench.h"

const uint8_t bench_blob[BENCH_BINARY_BYTES] = {0x7f, 'E', 'L', 'F', 2, 1, 1};

const char *bench_name(const char *kind, int i)
{
	static char names[3][16][16];
	static int ready;
	static const char *kinds[3] = {"bin", "cap", "service"};
	if (!ready) {
		for (int k = 0; k < 3; k++)
			for (int j = 0; j < 16; j++)
				snprintf(names[k][j], sizeof names[k][j], "%s-%d", kinds[k], j);
		ready = 1;
	}
	/* clang-format off */
	int k = kind[0] == 'b' ? 0 : kind[0] == 'c' ? 1 : 2;
	/* clang-format on */
	return names[k][i & 15];
}

static uint64_t text_sum(struct capnp_text t) { return t.len + (t.len ? (uint8_t)t.str[0] : 0); }

/* ---- ours ------------------------------------------------------------------ */

#define SETT(fn, b, s) fn(b, s, strlen(s))

static size_t our_encode_manifest(void *buf, size_t cap)
{
	struct capnp_builder b;
	const char *name;
	capnp_builder_init(&b, buf, cap);
	manifest_SystemManifest_builder m = manifest_SystemManifest_init_root(&b);
	manifest_SystemManifest_set_schemaVersion(m, 1);
	struct capnp_list_builder bins = manifest_SystemManifest_init_binaries(m, BENCH_BINARIES);
	for (int i = 0; i < BENCH_BINARIES; i++) {
		manifest_Binary_builder bin = manifest_Binary_list_at(bins, (uint32_t)i);
		name = bench_name("bin", i);
		SETT(manifest_Binary_set_name, bin, name);
		manifest_Binary_set_data(bin, bench_blob, BENCH_BINARY_BYTES);
	}
	manifest_InitConfig_builder ic = manifest_SystemManifest_init_initConfig(m);
	manifest_Init_builder init = manifest_InitConfig_init_init(ic);
	SETT(manifest_Init_set_binary, init, "init");
	struct capnp_list_builder icaps = manifest_Init_init_caps(init, 3);
	for (int c = 0; c < 3; c++) {
		manifest_CapRef_builder cr = manifest_CapRef_list_at(icaps, (uint32_t)c);
		name = bench_name("cap", c);
		SETT(manifest_CapRef_set_name, cr, name);
		manifest_CapSource_set_kernel(manifest_CapRef_init_source(cr), (enum manifest_KernelCap)c);
	}
	struct capnp_list_builder svcs = manifest_InitConfig_init_services(ic, BENCH_SERVICES);
	for (int i = 0; i < BENCH_SERVICES; i++) {
		manifest_Service_builder s = manifest_Service_list_at(svcs, (uint32_t)i);
		name = bench_name("service", i);
		SETT(manifest_Service_set_name, s, name);
		name = bench_name("bin", i % BENCH_BINARIES);
		SETT(manifest_Service_set_binary, s, name);
		struct capnp_list_builder caps = manifest_Service_init_caps(s, BENCH_CAPS);
		for (int c = 0; c < BENCH_CAPS; c++) {
			manifest_CapRef_builder cr = manifest_CapRef_list_at(caps, (uint32_t)c);
			name = bench_name("cap", c);
			SETT(manifest_CapRef_set_name, cr, name);
			manifest_CapRef_set_badge(cr, (uint64_t)(i * 16 + c));
			manifest_CapSource_builder src = manifest_CapRef_init_source(cr);
			if (c % 2 == 0 || i == 0) {
				manifest_CapSource_set_kernel(src, (enum manifest_KernelCap)(c % 4));
			} else {
				manifest_ServiceExport_builder se = manifest_CapSource_init_service(src);
				name = bench_name("service", i - 1);
				SETT(manifest_ServiceExport_set_name, se, name);
				SETT(manifest_ServiceExport_set_export, se, "api");
			}
		}
		struct capnp_list_builder ex = manifest_Service_init_exports(s, 2);
		capnp_lb_set_text(ex, 0, "api", 3);
		capnp_lb_set_text(ex, 1, "admin", 5);
		manifest_Service_set_restart(s, manifest_RestartPolicy_onFailure);
	}
	SETT(manifest_KernelParams_set_motd, manifest_SystemManifest_init_kernelParams(m),
	     "welcome to capOS");
	size_t len;
	return capnp_builder_finish(&b, &len) == CAPNP_OK ? len : 0;
}

static uint64_t our_decode_manifest(const void *buf, size_t len)
{
	struct capnp_reader msg;
	if (capnp_reader_init(&msg, buf, len) != CAPNP_OK)
		return 0;
	manifest_SystemManifest_reader m = manifest_SystemManifest_read_root(&msg);
	uint64_t sum = manifest_SystemManifest_get_schemaVersion(m);
	struct capnp_list bins = manifest_SystemManifest_get_binaries(m);
	for (uint32_t i = 0; i < capnp_list_len(bins); i++) {
		manifest_Binary_reader b = manifest_Binary_list_get(bins, i);
		sum += text_sum(manifest_Binary_get_name(b));
		struct capnp_data d = manifest_Binary_get_data(b);
		sum += d.len + (d.len ? d.ptr[d.len - 1] : 0);
	}
	manifest_InitConfig_reader ic = manifest_SystemManifest_get_initConfig(m);
	manifest_Init_reader init = manifest_InitConfig_get_init(ic);
	sum += text_sum(manifest_Init_get_binary(init));
	struct capnp_list icaps = manifest_Init_get_caps(init);
	for (uint32_t c = 0; c < capnp_list_len(icaps); c++) {
		manifest_CapRef_reader cr = manifest_CapRef_list_get(icaps, c);
		sum += text_sum(manifest_CapRef_get_name(cr)) +
		       (uint64_t)manifest_CapSource_get_kernel(manifest_CapRef_get_source(cr));
	}
	struct capnp_list svcs = manifest_InitConfig_get_services(ic);
	for (uint32_t i = 0; i < capnp_list_len(svcs); i++) {
		manifest_Service_reader s = manifest_Service_list_get(svcs, i);
		sum += text_sum(manifest_Service_get_name(s)) + text_sum(manifest_Service_get_binary(s));
		struct capnp_list caps = manifest_Service_get_caps(s);
		for (uint32_t c = 0; c < capnp_list_len(caps); c++) {
			manifest_CapRef_reader cr = manifest_CapRef_list_get(caps, c);
			sum += text_sum(manifest_CapRef_get_name(cr)) + manifest_CapRef_get_badge(cr);
			manifest_CapSource_reader src = manifest_CapRef_get_source(cr);
			if (manifest_CapSource_which(src) == manifest_CapSource_which_kernel) {
				sum += (uint64_t)manifest_CapSource_get_kernel(src);
			} else {
				manifest_ServiceExport_reader se = manifest_CapSource_get_service(src);
				sum += text_sum(manifest_ServiceExport_get_name(se)) +
				       text_sum(manifest_ServiceExport_get_export(se));
			}
		}
		struct capnp_list ex = manifest_Service_get_exports(s);
		for (uint32_t e = 0; e < capnp_list_len(ex); e++)
			sum += text_sum(capnp_list_get_text(ex, e));
		sum += (uint64_t)manifest_Service_get_restart(s);
	}
	sum += text_sum(manifest_KernelParams_get_motd(manifest_SystemManifest_get_kernelParams(m)));
	return capnp_reader_error(&msg) == CAPNP_OK ? sum : 0;
}

static size_t our_encode_call(void *buf, size_t cap)
{
	struct capnp_builder b;
	const char *name;
	capnp_builder_init(&b, buf, cap);
	capos_ProcessSpawner_spawn_Params_builder p = capos_ProcessSpawner_spawn_Params_init_root(&b);
	SETT(capos_ProcessSpawner_spawn_Params_set_name, p, "worker-7");
	SETT(capos_ProcessSpawner_spawn_Params_set_binaryName, p, "worker");
	struct capnp_list_builder g = capos_ProcessSpawner_spawn_Params_init_grants(p, BENCH_GRANTS);
	for (int i = 0; i < BENCH_GRANTS; i++) {
		capos_CapGrant_builder cg = capos_CapGrant_list_at(g, (uint32_t)i);
		name = bench_name("cap", i);
		SETT(capos_CapGrant_set_name, cg, name);
		capos_CapGrant_set_capId(cg, (uint32_t)(10 + i));
		capos_CapGrant_set_mode(cg, i == 2 ? capos_TransferMode_move : capos_TransferMode_copy);
		capos_CapGrant_set_interfaceId(cg, capos_Console_ID);
	}
	size_t len;
	return capnp_builder_finish(&b, &len) == CAPNP_OK ? len : 0;
}

static uint64_t our_decode_call(const void *buf, size_t len)
{
	struct capnp_reader msg;
	if (capnp_reader_init(&msg, buf, len) != CAPNP_OK)
		return 0;
	capos_ProcessSpawner_spawn_Params_reader p = capos_ProcessSpawner_spawn_Params_read_root(&msg);
	uint64_t sum = text_sum(capos_ProcessSpawner_spawn_Params_get_name(p)) +
	               text_sum(capos_ProcessSpawner_spawn_Params_get_binaryName(p));
	struct capnp_list g = capos_ProcessSpawner_spawn_Params_get_grants(p);
	for (uint32_t i = 0; i < capnp_list_len(g); i++) {
		capos_CapGrant_reader cg = capos_CapGrant_list_get(g, i);
		sum += text_sum(capos_CapGrant_get_name(cg)) + capos_CapGrant_get_capId(cg) +
		       (uint64_t)capos_CapGrant_get_mode(cg) + capos_CapGrant_get_badge(cg) +
		       capos_CapGrant_get_interfaceId(cg);
	}
	return capnp_reader_error(&msg) == CAPNP_OK ? sum : 0;
}

/* ---- timing ------------------------------------------------------------------ */

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile uint64_t sink;
static uint64_t buf_ours[1 << 13], buf_ref[1 << 13];

typedef size_t (*enc_fn)(void *, size_t);
typedef uint64_t (*dec_fn)(const void *, size_t);

/* Times one batch of n calls; ns per call. */
static double batch_encode(enc_fn f, void *buf, size_t cap, long n)
{
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		sink += f(buf, cap);
	return (now_ns() - t0) / (double)n;
}

static double batch_decode(dec_fn f, const void *buf, size_t len, long n)
{
	double t0 = now_ns();
	for (long i = 0; i < n; i++)
		sink += f(buf, len);
	return (now_ns() - t0) / (double)n;
}

#define REPS 15

static double min2(double a, double b)
{
	return a < b ? a : b;
}

static int bench_pair(const char *what, enc_fn our_enc, dec_fn our_dec, enc_fn ref_enc,
                      dec_fn ref_dec, long n)
{
	size_t ol = our_enc(buf_ours, sizeof buf_ours);
	size_t rl = ref_enc(buf_ref, sizeof buf_ref);
	if (ol == 0 || rl == 0) {
		fprintf(stderr, "bench-capnp: %s: encoding failed\n", what);
		return 1;
	}
	/* Cross-check: each implementation reads the other's bytes identically. */
	uint64_t a = our_dec(buf_ours, ol), b = ref_dec(buf_ours, ol);
	uint64_t c = our_dec(buf_ref, rl), d = ref_dec(buf_ref, rl);
	if (a == 0 || a != b || b != c || c != d) {
		fprintf(stderr, "bench-capnp: %s: decoders disagree (%llu %llu %llu %llu)\n", what,
		        (unsigned long long)a, (unsigned long long)b, (unsigned long long)c,
		        (unsigned long long)d);
		return 1;
	}
	/* Ours and the reference alternate batch by batch so that both see the
	 * same machine load; the best batch of each counts. */
	double oe = 1e30, re = 1e30, od = 1e30, rd = 1e30;
	for (int rep = 0; rep < REPS; rep++) {
		oe = min2(oe, batch_encode(our_enc, buf_ours, sizeof buf_ours, n));
		re = min2(re, batch_encode(ref_enc, buf_ref, sizeof buf_ref, n));
	}
	our_enc(buf_ours, sizeof buf_ours);
	ref_enc(buf_ref, sizeof buf_ref);
	for (int rep = 0; rep < REPS; rep++) {
		od = min2(od, batch_decode(our_dec, buf_ours, ol, n));
		rd = min2(rd, batch_decode(ref_dec, buf_ref, rl, n));
	}
	printf("%-22s %-7s %8zu %12.1f %12.1f %8.2f\n", what, "encode", ol, oe, re, oe / re);
	printf("%-22s %-7s %8zu %12.1f %12.1f %8.2f\n", what, "decode", ol, od, rd, od / rd);
	return 0;
}

int main(int argc, char **argv)
{
	long n = 20000;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("usage: bench_capnp [--iterations N]\n"
			       "Times encode/decode of a boot manifest and a spawn call message,\n"
			       "ours (lib/capnp) vs the C++ reference (libcapnp); best of 15 batches.\n");
			return 0;
		}
		if (!strcmp(argv[i], "--iterations") && i + 1 < argc) {
			n = strtol(argv[++i], NULL, 10);
			if (n <= 0) {
				fprintf(stderr, "bench-capnp: bad --iterations\n");
				return 2;
			}
		} else {
			fprintf(stderr, "bench-capnp: unknown argument %s (try --help)\n", argv[i]);
			return 2;
		}
	}
	printf("bench-capnp: batches of %ld (manifest: %ld), best of %d alternating batches; ns/message; ratio = ours/reference\n",
	       n, n / 20 ? n / 20 : 1, REPS);
	printf("%-22s %-7s %8s %12s %12s %8s\n", "message", "op", "bytes", "ours ns", "c++ ns", "ratio");
	int rc = bench_pair("manifest (6 bin, 12 svc)", our_encode_manifest, our_decode_manifest,
	                    ref_encode_manifest, ref_decode_manifest, n / 20 ? n / 20 : 1);
	rc |= bench_pair("spawn call (3 grants)", our_encode_call, our_decode_call, ref_encode_call,
	                 ref_decode_call, n);
	return rc;
}
