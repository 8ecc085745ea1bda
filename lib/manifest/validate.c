/*
 * Service-graph validation of the boot manifest.  Shared by mkmanifest (on
 * the host, before anything is written) and init (at boot, before anything
 * is spawned), so both refuse exactly the same manifests.
 *
 * Every error message names the holder (the manifest, init, or a service by
 * name and index) and the field, e.g.
 *   service "client" (services[1]): caps[0].source.service.export:
 *   service "server" does not export "echo"
 */
#include "manifest/manifest.h"
#include "manifest/msg.h"

/* Validation state: the manifest and where to report. */
struct vctx {
	const struct mf_manifest *m;
	struct mf_error *err;
	struct mf_error scratch;
	struct msg msg;
};

/* Holder prefixes: "manifest: ", "init: ", `service "x" (services[i]): `. */
#define HOLDER_MANIFEST (-2)
#define HOLDER_INIT     (-1)

static struct msg *fail(struct vctx *v, enum mf_err code, int holder)
{
	v->err->code = code;
	v->msg.buf = v->err->message;
	v->msg.cap = sizeof(v->err->message);
	v->msg.len = 0;
	v->err->message[0] = '\0';
	if (holder == HOLDER_MANIFEST) {
		msg_cstr(&v->msg, "manifest: ");
	} else if (holder == HOLDER_INIT) {
		msg_cstr(&v->msg, "init: ");
	} else {
		msg_cstr(&v->msg, "service ");
		msg_qstr(&v->msg, v->m->services[holder].name);
		msg_cstr(&v->msg, " (services[");
		msg_uint(&v->msg, (uint64_t)holder);
		msg_cstr(&v->msg, "]): ");
	}
	return &v->msg;
}

/* Field paths like "caps[3].source.kernel". */
static void msg_field(struct msg *m, const char *list, uint32_t index,
                      const char *rest)
{
	msg_cstr(m, list);
	msg_putc(m, '[');
	msg_uint(m, index);
	msg_putc(m, ']');
	msg_cstr(m, rest);
	msg_cstr(m, ": ");
}

int mf_str_eq(struct mf_str a, struct mf_str b)
{
	if (a.len != b.len)
		return 0;
	for (uint32_t i = 0; i < a.len; i++)
		if (a.ptr[i] != b.ptr[i])
			return 0;
	return 1;
}

int mf_str_eq_c(struct mf_str a, const char *c)
{
	return mf_str_eq(a, mf_str_c(c));
}

struct mf_str mf_str_c(const char *c)
{
	uint32_t n = 0;

	while (c[n])
		n++;
	return (struct mf_str){c, n};
}

static const char *const kernel_cap_names[MF_KCAP_COUNT] = {
#define MF_KCAP_NAME(E, name, kind, iface, boot, stateless) \
	CAPOS_KIND_IF(boot, [MF_KCAP_##E] = #name, )
	CAPOS_KINDS(MF_KCAP_NAME)
#undef MF_KCAP_NAME
};

static const char *const restart_names[MF_RESTART_COUNT] = {
	"never",
	"onFailure",
	"always",
};

const char *mf_kernel_cap_name(uint32_t kcap)
{
	return kcap < MF_KCAP_COUNT ? kernel_cap_names[kcap] : NULL;
}

int mf_kernel_cap_from_name(struct mf_str name)
{
	for (int i = 0; i < MF_KCAP_COUNT; i++)
		if (mf_str_eq_c(name, kernel_cap_names[i]))
			return i;
	return -1;
}

int mf_kernel_cap_per_service(uint32_t kcap)
{
	return kcap == MF_KCAP_NOTIFICATION || mf_kernel_cap_is_device(kcap);
}

int mf_kernel_cap_is_device(uint32_t kcap)
{
	return kcap == MF_KCAP_INTERRUPT || kcap == MF_KCAP_DEVICE_MMIO ||
	       kcap == MF_KCAP_DMA_POOL;
}

static int hex_digit(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	return -1;
}

int mf_pci_parse(struct mf_str s, uint16_t *vendor, uint16_t *device)
{
	uint32_t v = 0, d = 0;

	if (s.len != 9 || s.ptr == NULL || s.ptr[4] != ':')
		return -1;
	for (uint32_t i = 0; i < 9; i++) {
		if (i == 4)
			continue;
		int x = hex_digit(s.ptr[i]);
		if (x < 0)
			return -1;
		if (i < 4)
			v = v * 16 + (uint32_t)x;
		else
			d = d * 16 + (uint32_t)x;
	}
	*vendor = (uint16_t)v;
	*device = (uint16_t)d;
	return 0;
}

int mf_pci_class_parse(struct mf_str s, uint8_t *class_code, uint8_t *subclass)
{
	static const char prefix[] = "class:";
	uint32_t v = 0;

	if (s.len != 10 || s.ptr == NULL)
		return -1;
	for (uint32_t i = 0; i < 6; i++)
		if (s.ptr[i] != prefix[i])
			return -1;
	for (uint32_t i = 6; i < 10; i++) {
		int x = hex_digit(s.ptr[i]);
		if (x < 0)
			return -1;
		v = v * 16 + (uint32_t)x;
	}
	*class_code = (uint8_t)(v >> 8);
	*subclass = (uint8_t)v;
	return 0;
}

const char *mf_restart_name(uint32_t restart)
{
	return restart < MF_RESTART_COUNT ? restart_names[restart] : NULL;
}

int mf_restart_from_name(struct mf_str name)
{
	for (int i = 0; i < MF_RESTART_COUNT; i++)
		if (mf_str_eq_c(name, restart_names[i]))
			return i;
	return -1;
}

int mf_find_service(const struct mf_manifest *m, struct mf_str name)
{
	for (uint32_t i = 0; i < m->service_count; i++)
		if (mf_str_eq(m->services[i].name, name))
			return (int)i;
	return -1;
}

int mf_find_binary(const struct mf_manifest *m, struct mf_str name)
{
	for (uint32_t i = 0; i < m->binary_count; i++)
		if (mf_str_eq(m->binaries[i].name, name))
			return (int)i;
	return -1;
}

/* Same rule as #Name in cue/manifest.cue: ^[A-Za-z_][A-Za-z0-9_.-]{0,30}$ */
static int name_ok(struct mf_str s)
{
	if (s.len == 0 || s.len > MF_NAME_MAX || s.ptr == NULL)
		return 0;
	for (uint32_t i = 0; i < s.len; i++) {
		char c = s.ptr[i];
		int alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		            c == '_';
		int other = (c >= '0' && c <= '9') || c == '.' || c == '-';
		if (!alpha && !(i > 0 && other))
			return 0;
	}
	return 1;
}

static int bad_name(struct vctx *v, int holder, const char *list,
                    uint32_t index, const char *rest, struct mf_str s)
{
	struct msg *m = fail(v, MF_ERR_BAD_NAME, holder);

	if (list)
		msg_field(m, list, index, rest);
	else {
		msg_cstr(m, rest);
		msg_cstr(m, ": ");
	}
	msg_cstr(m, "invalid name ");
	msg_qstr(m, s);
	msg_cstr(m, " (want 1-31 bytes of [A-Za-z0-9_.-], not starting with a digit, '.' or '-')");
	return -1;
}

static int too_many(struct vctx *v, int holder, const char *field,
                    uint64_t have, uint64_t max)
{
	struct msg *m = fail(v, MF_ERR_TOO_MANY, holder);

	msg_cstr(m, field);
	msg_cstr(m, ": ");
	msg_uint(m, have);
	msg_cstr(m, " entries, at most ");
	msg_uint(m, max);
	msg_cstr(m, " allowed");
	return -1;
}

static int check_binaries(struct vctx *v)
{
	const struct mf_manifest *mf = v->m;

	if (mf->binary_count > MF_MAX_BINARIES)
		return too_many(v, HOLDER_MANIFEST, "binaries",
		                mf->binary_count, MF_MAX_BINARIES);
	for (uint32_t i = 0; i < mf->binary_count; i++) {
		const struct mf_binary *b = &mf->binaries[i];
		if (!name_ok(b->name))
			return bad_name(v, HOLDER_MANIFEST, "binaries", i,
			                ".name", b->name);
		for (uint32_t j = 0; j < i; j++) {
			if (mf_str_eq(mf->binaries[j].name, b->name)) {
				struct msg *m = fail(v, MF_ERR_DUPLICATE,
				                     HOLDER_MANIFEST);
				msg_field(m, "binaries", i, ".name");
				msg_cstr(m, "duplicate binary ");
				msg_qstr(m, b->name);
				msg_cstr(m, " (also binaries[");
				msg_uint(m, j);
				msg_cstr(m, "])");
				return -1;
			}
		}
		if (b->size == 0 || b->data == NULL) {
			struct msg *m = fail(v, MF_ERR_EMPTY_BINARY,
			                     HOLDER_MANIFEST);
			msg_field(m, "binaries", i, ".data");
			msg_cstr(m, "binary ");
			msg_qstr(m, b->name);
			msg_cstr(m, " is empty");
			return -1;
		}
	}
	return 0;
}

static int check_binary_ref(struct vctx *v, int holder, struct mf_str binary)
{
	if (!name_ok(binary))
		return bad_name(v, holder, NULL, 0, "binary", binary);
	if (mf_find_binary(v->m, binary) < 0) {
		struct msg *m = fail(v, MF_ERR_UNKNOWN_BINARY, holder);
		msg_cstr(m, "binary: unknown binary ");
		msg_qstr(m, binary);
		msg_cstr(m, " (not in the manifest's binaries)");
		return -1;
	}
	return 0;
}

static int service_exports(const struct mf_service *s, struct mf_str name)
{
	for (uint32_t i = 0; i < s->export_count; i++)
		if (mf_str_eq(s->exports[i], name))
			return 1;
	return 0;
}

static int init_holds(const struct mf_manifest *mf, uint16_t kcap)
{
	for (uint32_t i = 0; i < mf->init_cap_count; i++)
		if (mf->init_caps[i].kind == MF_SOURCE_KERNEL &&
		    mf->init_caps[i].kernel == kcap)
			return 1;
	return 0;
}

static int device_fail(struct vctx *v, int holder, uint32_t i, const char *what)
{
	struct msg *m = fail(v, MF_ERR_BAD_DEVICE, holder);

	msg_field(m, "caps", i, ".device");
	msg_cstr(m, what);
	return -1;
}

/* The device rules of one kernel-sourced cap (docs/devices.md). */
static int check_device(struct vctx *v, int holder, const struct mf_cap *c, uint32_t i)
{
	const struct mf_device *d = &c->device;
	uint16_t vendor, device;
	uint8_t cls, sub;

	if (mf_kernel_cap_per_service(c->kernel) && holder == HOLDER_INIT) {
		struct msg *m = fail(v, MF_ERR_NOT_GRANTABLE, holder);
		msg_field(m, "caps", i, ".source.kernel");
		msg_cstr(m, kernel_cap_names[c->kernel]);
		msg_cstr(m, " is made by the kernel for a service; init holds none");
		return -1;
	}
	if (!mf_kernel_cap_is_device(c->kernel)) {
		if (d->pci.len > 0)
			return device_fail(v, holder, i, "only a deviceMmio, interrupt or dmaPool "
			                                 "cap names a device");
		return 0;
	}
	if (d->pci.len == 0)
		return device_fail(v, holder, i, "a device cap needs device.pci "
		                                 "(\"vendor:device\", e.g. \"1af4:1041\", or "
		                                 "\"class:ccss\", e.g. \"class:0200\")");
	if (mf_pci_parse(d->pci, &vendor, &device) < 0 &&
	    mf_pci_class_parse(d->pci, &cls, &sub) < 0)
		return device_fail(v, holder, i, "device.pci is not \"vvvv:dddd\" or \"class:ccss\" "
		                                 "in lower-case hex");
	if (d->bar > 5)
		return device_fail(v, holder, i, "device.bar must be 0..5");
	if (d->msix >= MF_MSIX_MAX)
		return device_fail(v, holder, i, "device.msix must be below 2048");
	if (c->kernel == MF_KCAP_DMA_POOL &&
	    (d->bytes == 0 || d->bytes % 4096 != 0 || d->bytes > MF_DMA_POOL_MAX))
		return device_fail(v, holder, i, "device.bytes of a dmaPool must be a multiple of "
		                                 "4096, 4096..2097152");
	return 0;
}

/* The same device part twice in one holder: one cap per BAR, MSI-X entry
 * and pool (the kernel claims each once). */
static int check_device_twice(struct vctx *v, int holder, const struct mf_cap *caps,
                              uint32_t i)
{
	const struct mf_cap *c = &caps[i];

	if (c->kind != MF_SOURCE_KERNEL || !mf_kernel_cap_is_device(c->kernel))
		return 0;
	for (uint32_t j = 0; j < i; j++) {
		const struct mf_cap *o = &caps[j];
		if (o->kind != MF_SOURCE_KERNEL || o->kernel != c->kernel ||
		    !mf_str_eq(o->device.pci, c->device.pci))
			continue;
		if ((c->kernel == MF_KCAP_DEVICE_MMIO && o->device.bar != c->device.bar) ||
		    (c->kernel == MF_KCAP_INTERRUPT && o->device.msix != c->device.msix))
			continue;
		struct msg *m = fail(v, MF_ERR_DUPLICATE, holder);
		msg_field(m, "caps", i, ".device");
		msg_cstr(m, "the same ");
		msg_cstr(m, kernel_cap_names[c->kernel]);
		msg_cstr(m, " of ");
		msg_qstr(m, c->device.pci);
		msg_cstr(m, " as caps[");
		msg_uint(m, j);
		msg_cstr(m, "]");
		return -1;
	}
	return 0;
}

/* Does any device cap of s name pci? */
static int names_device(const struct mf_service *s, struct mf_str pci)
{
	for (uint32_t i = 0; i < s->cap_count; i++)
		if (s->caps[i].kind == MF_SOURCE_KERNEL &&
		    mf_kernel_cap_is_device(s->caps[i].kernel) &&
		    mf_str_eq(s->caps[i].device.pci, pci))
			return 1;
	return 0;
}

/* One service per device. */
static int check_devices(struct vctx *v)
{
	const struct mf_manifest *mf = v->m;

	for (uint32_t b = 0; b < mf->service_count; b++) {
		const struct mf_service *s = &mf->services[b];
		for (uint32_t i = 0; i < s->cap_count; i++) {
			const struct mf_cap *c = &s->caps[i];
			if (c->kind != MF_SOURCE_KERNEL || !mf_kernel_cap_is_device(c->kernel))
				continue;
			for (uint32_t a = 0; a < b; a++) {
				if (!names_device(&mf->services[a], c->device.pci))
					continue;
				struct msg *m = fail(v, MF_ERR_DEVICE_TAKEN, (int)b);
				msg_field(m, "caps", i, ".device.pci");
				msg_cstr(m, "device ");
				msg_qstr(m, c->device.pci);
				msg_cstr(m, " asked for by both ");
				msg_qstr(m, mf->services[a].name);
				msg_cstr(m, " and ");
				msg_qstr(m, s->name);
				msg_cstr(m, " (one driver per device)");
				return -1;
			}
		}
	}
	return 0;
}

/* The first service before services[holder] granted the kernel's
 * terminal, or -1. */
static int terminal_holder_before(const struct mf_manifest *m, int holder)
{
	for (int s = 0; s < holder; s++)
		for (uint32_t k = 0; k < m->services[s].cap_count; k++) {
			const struct mf_cap *c = &m->services[s].caps[k];
			if (c->kind == MF_SOURCE_KERNEL && c->kernel == MF_KCAP_TERMINAL)
				return s;
		}
	return -1;
}

/* One granted cap of init (holder -1) or of services[holder]. */
static int check_cap(struct vctx *v, int holder, const struct mf_cap *caps,
                     uint32_t i)
{
	const struct mf_cap *c = &caps[i];
	struct msg *m;

	if (!name_ok(c->name))
		return bad_name(v, holder, "caps", i, ".name", c->name);
	for (uint32_t j = 0; j < i; j++) {
		if (mf_str_eq(caps[j].name, c->name)) {
			m = fail(v, MF_ERR_DUPLICATE, holder);
			msg_field(m, "caps", i, ".name");
			msg_cstr(m, "duplicate cap name ");
			msg_qstr(m, c->name);
			msg_cstr(m, " (also caps[");
			msg_uint(m, j);
			msg_cstr(m, "])");
			return -1;
		}
	}
	if (c->interface_name.len > 0 || c->interface_id != 0) {
		if (c->kind != MF_SOURCE_KERNEL || c->kernel != MF_KCAP_ENDPOINT) {
			m = fail(v, MF_ERR_BAD_INTERFACE, holder);
			msg_field(m, "caps", i, ".interface");
			msg_cstr(m, "only an `endpoint` cap declares the interface it serves "
			            "(an importer gets it from the exporter)");
			return -1;
		}
		if (c->interface_id == 0 || !name_ok(c->interface_name)) {
			m = fail(v, MF_ERR_BAD_INTERFACE, holder);
			msg_field(m, "caps", i, ".interface");
			msg_cstr(m, "interface ");
			msg_qstr(m, c->interface_name);
			msg_cstr(m, " has no interface id (not resolved from a schema)");
			return -1;
		}
	}
	if (c->kind == MF_SOURCE_KERNEL) {
		if (c->kernel >= MF_KCAP_COUNT) {
			m = fail(v, MF_ERR_BAD_KERNEL_CAP, holder);
			msg_field(m, "caps", i, ".source.kernel");
			msg_cstr(m, "unknown kernel capability ");
			msg_uint(m, c->kernel);
			return -1;
		}
		if (c->kernel == MF_KCAP_BOOT_PACKAGE && holder != HOLDER_INIT && c->badge == 0) {
			m = fail(v, MF_ERR_NOT_GRANTABLE, holder);
			msg_field(m, "caps", i, ".source.kernel");
			msg_cstr(m, "bootPackage may only be granted to init (a service gets the "
			            "schema view: badge 1)");
			return -1;
		}
		if (check_device(v, holder, c, i) < 0)
			return -1;
		if (c->kernel == MF_KCAP_TERMINAL && holder != HOLDER_INIT) {
			int other = terminal_holder_before(v->m, holder);
			if (other >= 0) {
				m = fail(v, MF_ERR_NOT_GRANTABLE, holder);
				msg_field(m, "caps", i, ".source.kernel");
				msg_cstr(m, "terminal already granted to ");
				msg_qstr(m, v->m->services[other].name);
				msg_cstr(m, " (one reader of the keyboard)");
				return -1;
			}
		}
		/* init passes on what it holds; endpoints are made fresh, and
		 * the kernel makes per-service kinds for the service itself. */
		if (holder != HOLDER_INIT && c->kernel != MF_KCAP_ENDPOINT &&
		    !mf_kernel_cap_per_service(c->kernel) && !init_holds(v->m, c->kernel)) {
			m = fail(v, MF_ERR_NOT_GRANTABLE, holder);
			msg_field(m, "caps", i, ".source.kernel");
			msg_cstr(m, "init holds no ");
			msg_cstr(m, kernel_cap_names[c->kernel]);
			msg_cstr(m, " to pass on (add it to initConfig.init.caps)");
			return -1;
		}
		return 0;
	}
	if (c->device.pci.len > 0)
		return device_fail(v, holder, i, "only a deviceMmio, interrupt or dmaPool cap "
		                                 "names a device");
	if (c->kind != MF_SOURCE_SERVICE) {
		m = fail(v, MF_ERR_BAD_KERNEL_CAP, holder);
		msg_field(m, "caps", i, ".source");
		msg_cstr(m, "unknown source kind ");
		msg_uint(m, (uint64_t)c->kind);
		return -1;
	}
	if (holder == HOLDER_INIT) {
		m = fail(v, MF_ERR_INIT_IMPORT, holder);
		msg_field(m, "caps", i, ".source.service");
		msg_cstr(m, "init starts first, so it can only hold kernel capabilities");
		return -1;
	}
	if (!name_ok(c->service))
		return bad_name(v, holder, "caps", i, ".source.service.name",
		                c->service);
	if (!name_ok(c->export_name))
		return bad_name(v, holder, "caps", i, ".source.service.export",
		                c->export_name);
	int src = mf_find_service(v->m, c->service);
	if (src < 0) {
		m = fail(v, MF_ERR_UNKNOWN_SERVICE, holder);
		msg_field(m, "caps", i, ".source.service.name");
		msg_cstr(m, "unknown service ");
		msg_qstr(m, c->service);
		return -1;
	}
	if (src == holder) {
		m = fail(v, MF_ERR_CYCLE, holder);
		msg_field(m, "caps", i, ".source.service.name");
		msg_cstr(m, "a service cannot import from itself");
		return -1;
	}
	if (!service_exports(&v->m->services[src], c->export_name)) {
		m = fail(v, MF_ERR_NOT_EXPORTED, holder);
		msg_field(m, "caps", i, ".source.service.export");
		msg_cstr(m, "service ");
		msg_qstr(m, c->service);
		msg_cstr(m, " does not export ");
		msg_qstr(m, c->export_name);
		return -1;
	}
	return 0;
}

static int check_caps(struct vctx *v, int holder, const struct mf_cap *caps,
                      uint32_t count)
{
	if (count > MF_MAX_CAPS)
		return too_many(v, holder, "caps", count, MF_MAX_CAPS);
	for (uint32_t i = 0; i < count; i++)
		if (check_cap(v, holder, caps, i) < 0 ||
		    check_device_twice(v, holder, caps, i) < 0)
			return -1;
	return 0;
}

static int check_exports(struct vctx *v, int holder)
{
	const struct mf_service *s = &v->m->services[holder];
	struct msg *m;

	if (s->export_count > MF_MAX_EXPORTS)
		return too_many(v, holder, "exports", s->export_count,
		                MF_MAX_EXPORTS);
	for (uint32_t i = 0; i < s->export_count; i++) {
		struct mf_str e = s->exports[i];
		uint32_t held = 0;

		if (!name_ok(e))
			return bad_name(v, holder, "exports", i, "", e);
		for (uint32_t j = 0; j < i; j++) {
			if (mf_str_eq(s->exports[j], e)) {
				m = fail(v, MF_ERR_DUPLICATE, holder);
				msg_field(m, "exports", i, "");
				msg_cstr(m, "duplicate export ");
				msg_qstr(m, e);
				return -1;
			}
		}
		for (uint32_t j = 0; j < s->cap_count; j++) {
			const struct mf_cap *c = &s->caps[j];
			if (!mf_str_eq(c->name, e))
				continue;
			held = 1;
			if (c->kind == MF_SOURCE_KERNEL && mf_kernel_cap_per_service(c->kernel)) {
				m = fail(v, MF_ERR_NOT_GRANTABLE, holder);
				msg_field(m, "exports", i, "");
				msg_cstr(m, "exports ");
				msg_qstr(m, e);
				msg_cstr(m, ", a ");
				msg_cstr(m, kernel_cap_names[c->kernel]);
				msg_cstr(m, " the kernel made for this service only");
				return -1;
			}
		}
		if (!held) {
			m = fail(v, MF_ERR_EXPORT_NOT_HELD, holder);
			msg_field(m, "exports", i, "");
			msg_cstr(m, "exports ");
			msg_qstr(m, e);
			msg_cstr(m, " but holds no cap of that name");
			return -1;
		}
	}
	return 0;
}

static int check_service(struct vctx *v, uint32_t i)
{
	const struct mf_service *s = &v->m->services[i];
	struct msg *m;

	if (!name_ok(s->name)) {
		m = fail(v, MF_ERR_BAD_NAME, HOLDER_MANIFEST);
		msg_field(m, "services", i, ".name");
		msg_cstr(m, "invalid service name ");
		msg_qstr(m, s->name);
		msg_cstr(m, " (want 1-31 bytes of [A-Za-z0-9_.-], not starting with a digit, '.' or '-')");
		return -1;
	}
	for (uint32_t j = 0; j < i; j++) {
		if (mf_str_eq(v->m->services[j].name, s->name)) {
			m = fail(v, MF_ERR_DUPLICATE, (int)i);
			msg_cstr(m, "name: duplicate service name (also services[");
			msg_uint(m, j);
			msg_cstr(m, "])");
			return -1;
		}
	}
	if (check_binary_ref(v, (int)i, s->binary) < 0)
		return -1;
	if (s->restart >= MF_RESTART_COUNT) {
		m = fail(v, MF_ERR_BAD_RESTART, (int)i);
		msg_cstr(m, "restart: unknown restart policy ");
		msg_uint(m, s->restart);
		return -1;
	}
	return 0;
}

/* Does services[a] import anything from services[b]? */
static int imports_from(const struct mf_manifest *mf, uint32_t a, uint32_t b)
{
	const struct mf_service *s = &mf->services[a];

	for (uint32_t i = 0; i < s->cap_count; i++)
		if (s->caps[i].kind == MF_SOURCE_SERVICE &&
		    mf_str_eq(s->caps[i].service, mf->services[b].name))
			return 1;
	return 0;
}

/*
 * Start order: repeatedly take the first service (in manifest order) whose
 * sources have all started.  When none can start, the rest contains a
 * cycle; walk it from the first blocked service and report its path.
 */
static int order_services(struct vctx *v, uint32_t *order)
{
	const struct mf_manifest *mf = v->m;
	uint8_t started[MF_MAX_SERVICES] = {0};
	uint32_t done = 0;

	while (done < mf->service_count) {
		int pick = -1;
		for (uint32_t i = 0; i < mf->service_count && pick < 0; i++) {
			if (started[i])
				continue;
			int ready = 1;
			for (uint32_t j = 0; j < mf->service_count; j++)
				if (!started[j] && j != i && imports_from(mf, i, j))
					ready = 0;
			if (ready)
				pick = (int)i;
		}
		if (pick < 0)
			break;
		started[pick] = 1;
		if (order)
			order[done] = (uint32_t)pick;
		done++;
	}
	if (done == mf->service_count)
		return 0;

	/* Follow blocked -> blocking edges until a service repeats. */
	uint8_t seen[MF_MAX_SERVICES] = {0};
	uint32_t path[MF_MAX_SERVICES + 1];
	uint32_t n = 0, cur = 0;
	while (started[cur])
		cur++;
	do { /* cur is unseen on entry (seen[] is all zero) */
		seen[cur] = 1;
		path[n++] = cur;
		for (uint32_t j = 0; j < mf->service_count; j++) {
			if (!started[j] && j != cur && imports_from(mf, cur, j)) {
				cur = j;
				break;
			}
		}
	} while (!seen[cur]);
	uint32_t first = 0;
	while (path[first] != cur)
		first++;
	struct msg *m = fail(v, MF_ERR_CYCLE, (int)cur);
	msg_cstr(m, "caps: dependency cycle: ");
	for (uint32_t k = first; k < n; k++) {
		msg_qstr(m, mf->services[path[k]].name);
		msg_cstr(m, " -> ");
	}
	msg_qstr(m, mf->services[cur].name);
	return -1;
}

enum mf_err mf_validate(const struct mf_manifest *mf, uint32_t *order,
                        struct mf_error *err)
{
	struct vctx v = {.m = mf, .err = err};

	if (!v.err)
		v.err = &v.scratch;
	v.err->code = MF_OK;
	v.err->message[0] = '\0';

	if (mf->schema_version != MF_SCHEMA_VERSION) {
		struct msg *m = fail(&v, MF_ERR_SCHEMA_VERSION, HOLDER_MANIFEST);
		msg_cstr(m, "schemaVersion: manifest has version ");
		msg_uint(m, mf->schema_version);
		msg_cstr(m, ", this tool reads version ");
		msg_uint(m, MF_SCHEMA_VERSION);
		return v.err->code;
	}
	if (mf->service_count > MF_MAX_SERVICES) {
		too_many(&v, HOLDER_MANIFEST, "initConfig.services",
		         mf->service_count, MF_MAX_SERVICES);
		return v.err->code;
	}
	if (check_binaries(&v) < 0 ||
	    check_binary_ref(&v, HOLDER_INIT, mf->init_binary) < 0 ||
	    check_caps(&v, HOLDER_INIT, mf->init_caps, mf->init_cap_count) < 0)
		return v.err->code;
	for (uint32_t i = 0; i < mf->service_count; i++)
		if (check_service(&v, i) < 0)
			return v.err->code;
	for (uint32_t i = 0; i < mf->service_count; i++) {
		const struct mf_service *s = &mf->services[i];
		if (check_caps(&v, (int)i, s->caps, s->cap_count) < 0 ||
		    check_exports(&v, (int)i) < 0)
			return v.err->code;
	}
	if (check_devices(&v) < 0 || order_services(&v, order) < 0)
		return v.err->code;
	return MF_OK;
}
