/*
 * The boot manifest as plain C data, and the service-graph validator.
 *
 * Freestanding: no allocation, no libc beyond <stddef.h>/<stdint.h>.  The
 * host tool mkmanifest fills a `struct mf_manifest` from the CUE export and
 * init fills one from the Cap'n Proto manifest (mf_decode); both run the
 * same mf_validate so the host and the booted system agree on what a valid
 * graph is.  Strings are (pointer, length) views into the caller's buffers
 * and need not be NUL-terminated.
 */
#ifndef CAPOS_LIB_MANIFEST_H
#define CAPOS_LIB_MANIFEST_H

#include <stddef.h>
#include <stdint.h>

#include <capos/kinds.h>

#include "manifest.capnp.h"

/* Bump together with `#SchemaVersion` in cue/manifest.cue. */
#define MF_SCHEMA_VERSION 1u

#define MF_NAME_MAX     31u /* bytes; fits a CapSet entry name (abi.h) */
#define MF_MAX_SERVICES 64u /* bounds the validator's stack use */
#define MF_MAX_CAPS     80u /* per holder; CAPOS_CAPSET_MAX_ENTRIES is 84 */
#define MF_MAX_EXPORTS  16u /* per service */
#define MF_MAX_BINARIES (MF_MAX_SERVICES + 1u)
/* mkmanifest starts each binary's bytes on this boundary of the message
 * (a page: the kernel maps read-only segments from the boot module). */
#define MF_BINARY_ALIGN 4096u

struct mf_str {
	const char *ptr;
	uint32_t len;
};

/* The kinds boot code may grant (include/capos/kinds.h), numbered as the
 * KernelCap enum in schema/manifest.capnp. */
enum mf_kernel_cap {
#define MF_KCAP_ENUM(E, name, kind, iface, boot, stateless) \
	CAPOS_KIND_IF(boot, MF_KCAP_##E = manifest_KernelCap_##name, )
	CAPOS_KINDS(MF_KCAP_ENUM)
#undef MF_KCAP_ENUM
};
/* A sum: each row adds its boot flag (parentheses would break it). */
/* NOLINTNEXTLINE(bugprone-macro-parentheses) */
#define MF_KCAP_SUM_BOOT(E, name, kind, iface, boot, stateless) +(boot)
enum { MF_KCAP_COUNT = 0 CAPOS_KINDS(MF_KCAP_SUM_BOOT) };
#undef MF_KCAP_SUM_BOOT

/* Values match the RestartPolicy enum. */
enum mf_restart {
	MF_RESTART_NEVER = 0,
	MF_RESTART_ON_FAILURE = 1,
	MF_RESTART_ALWAYS = 2,
	MF_RESTART_COUNT
};

/* Values match the CapSource union discriminant. */
enum mf_source_kind {
	MF_SOURCE_KERNEL = 0,
	MF_SOURCE_SERVICE = 1,
};

/* The device a deviceMmio, interrupt or dmaPool cap names (CapRef.device):
 * pci.len 0 when absent. */
struct mf_device {
	struct mf_str pci; /* "vvvv:dddd" or "class:ccss", lower-case hex */
	uint8_t bar;       /* deviceMmio */
	uint16_t msix;     /* interrupt */
	uint64_t bytes;    /* dmaPool */
};

#define MF_DMA_POOL_MAX (2u * 1024u * 1024u) /* bytes of one dmaPool */
#define MF_MSIX_MAX     2048u                /* MSI-X table entries */

struct mf_cap {
	struct mf_str name; /* local name in the holder's CapSet */
	enum mf_source_kind kind;
	uint16_t kernel;              /* enum mf_kernel_cap when kind == KERNEL */
	struct mf_str service;        /* exporting service when kind == SERVICE */
	struct mf_str export_name;    /* its export */
	uint64_t badge;               /* 0 = unbadged */
	struct mf_str interface_name; /* endpoint: interface it serves, or empty */
	uint64_t interface_id;        /* its id (mkmanifest resolves the name) */
	struct mf_device device;      /* device kinds only */
};

struct mf_service {
	struct mf_str name;
	struct mf_str binary;
	const struct mf_cap *caps;
	uint32_t cap_count;
	const struct mf_str *exports;
	uint32_t export_count;
	uint16_t restart; /* enum mf_restart */
	/* Its limits (0: the kernel's default), docs/manifest.md "Quota". */
	uint32_t quota_caps, quota_ranges, quota_frames, quota_threads;
};

struct mf_binary {
	struct mf_str name;
	const uint8_t *data;
	uint64_t size;
};

struct mf_manifest {
	uint32_t schema_version;
	const struct mf_binary *binaries;
	uint32_t binary_count;
	struct mf_str init_binary;
	const struct mf_cap *init_caps;
	uint32_t init_cap_count;
	const struct mf_service *services;
	uint32_t service_count;
	struct mf_str motd;
};

enum mf_err {
	MF_OK = 0,
	MF_ERR_SCHEMA_VERSION,  /* schemaVersion differs from MF_SCHEMA_VERSION */
	MF_ERR_TOO_MANY,        /* a count exceeds an MF_MAX_* bound */
	MF_ERR_BAD_NAME,        /* empty, too long, or bytes outside [A-Za-z0-9_.-] */
	MF_ERR_DUPLICATE,       /* a name used twice where it must be unique */
	MF_ERR_UNKNOWN_BINARY,  /* binary not among `binaries` */
	MF_ERR_EMPTY_BINARY,    /* binary with no bytes */
	MF_ERR_BAD_KERNEL_CAP,  /* kernel source outside enum mf_kernel_cap */
	MF_ERR_NOT_GRANTABLE,   /* kernel cap this holder may not receive:
				    * bootPackage outside init, or a kind init
				    * does not hold itself (endpoints excepted) */
	MF_ERR_UNKNOWN_SERVICE, /* source names a service that does not exist */
	MF_ERR_NOT_EXPORTED,    /* source names an export the service lacks */
	MF_ERR_EXPORT_NOT_HELD, /* export names a cap the service does not hold */
	MF_ERR_INIT_IMPORT,     /* init may only hold kernel caps */
	MF_ERR_CYCLE,           /* services import from each other in a cycle */
	MF_ERR_BAD_RESTART,     /* restart outside enum mf_restart */
	MF_ERR_KERNEL_LIMIT,    /* does not fit a kernel table (mf_check_limits) */
	MF_ERR_BAD_INTERFACE,   /* interface on a non-endpoint cap, or unresolved */
	MF_ERR_BAD_DEVICE,      /* device missing, misplaced or malformed */
	MF_ERR_DEVICE_TAKEN,    /* two services name the same device */
};

/* Where validation stopped: which service (or init) and which field. */
struct mf_error {
	enum mf_err code;
	char message[320]; /* NUL-terminated, names service and field */
};

/*
 * Checks every rule of docs/manifest.md: names, uniqueness, binaries, cap
 * sources and exports, dependency cycles, schema version.  On success fills
 * order[0..service_count) with service indices in a valid start order
 * (every service after the services it imports from), if order is not NULL.
 * Returns MF_OK or the first error, described in *err (if not NULL).
 */
enum mf_err mf_validate(const struct mf_manifest *m, uint32_t *order,
                        struct mf_error *err);

/*
 * Checks that a manifest which passed mf_validate (order: its start order,
 * or NULL for manifest order) fits the kernel's static tables
 * (include/capos/limits.h): services against the process table, each
 * holder's caps against its capability table, endpoint caps against the
 * endpoint table and one spawn's new endpoints, and what init holds while
 * it starts the services against init's own table.  Returns MF_OK or
 * MF_ERR_KERNEL_LIMIT, the message naming the service, the limit and its
 * constant.
 */
enum mf_err mf_check_limits(const struct mf_manifest *m, const uint32_t *order,
                            struct mf_error *err);

/* "console", "frameAllocator", ... or NULL when out of range. */
const char *mf_kernel_cap_name(uint32_t kcap);
/* Inverse of mf_kernel_cap_name; -1 when unknown. */
int mf_kernel_cap_from_name(struct mf_str name);
const char *mf_restart_name(uint32_t restart);
int mf_restart_from_name(struct mf_str name);

/* Index of the service named `name`, or -1. */
int mf_find_service(const struct mf_manifest *m, struct mf_str name);
/* Index of the binary named `name`, or -1. */
int mf_find_binary(const struct mf_manifest *m, struct mf_str name);

/*
 * Interface ids (generated/capos.capnp.h) of a kernel capability kind, and
 * of a granted cap: an import has the id of the exporter's cap, followed
 * back to its kernel source; an import of an endpoint that declares the
 * interface it serves has that interface's id (the owner's own cap stays
 * an Endpoint: it receives the calls).  0 when unknown / unresolvable (a
 * graph that did not pass mf_validate).
 */
uint64_t mf_kernel_cap_interface(uint32_t kcap);
/* The kernel's kind number (enum kcap_kind) of a manifest kernel cap; 0
 * when out of range. */
uint32_t mf_kernel_cap_kind(uint32_t kcap);
uint64_t mf_cap_interface(const struct mf_manifest *m, const struct mf_cap *c);
/* The kernel-sourced cap an import ultimately comes from, or NULL. */
const struct mf_cap *mf_cap_kernel_source(const struct mf_manifest *m,
                                          const struct mf_cap *c);

/* Kinds the kernel makes for the service itself when init spawns it
 * (notification, interrupt, deviceMmio, dmaPool): init neither holds nor
 * passes them, and they cannot be exported. */
int mf_kernel_cap_per_service(uint32_t kcap);
/* Kinds that name a device (interrupt, deviceMmio, dmaPool). */
int mf_kernel_cap_is_device(uint32_t kcap);
/* Parses "vvvv:dddd" (4 + 4 lower-case hex digits); 0, or -1 if malformed. */
int mf_pci_parse(struct mf_str s, uint16_t *vendor, uint16_t *device);
/* Parses "class:ccss" (PCI class and subclass, lower-case hex: the first
 * function of that class); 0, or -1 if malformed. */
int mf_pci_class_parse(struct mf_str s, uint8_t *class_code, uint8_t *subclass);

int mf_str_eq(struct mf_str a, struct mf_str b);
int mf_str_eq_c(struct mf_str a, const char *c);
struct mf_str mf_str_c(const char *c);

#endif
