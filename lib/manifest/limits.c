/*
 * Does a valid service graph fit the kernel it boots on?  The kernel's
 * tables are static (include/capos/limits.h); a system that overflows one
 * passes the graph rules but fails at boot, part way through starting
 * services.  mkmanifest runs this check so such a system never gets an
 * image; every message names the service, the limit and its constant.
 */
#include <capos/limits.h>

#include "manifest/manifest.h"
#include "manifest/msg.h"

#define LIMITS_H "include/capos/limits.h"

#define HOLDER_MANIFEST (-2)
#define HOLDER_INIT     (-1)

/* Starts err's message with the holder: "manifest: ", "init: " or
 * `service "x" (services[i]): `. */
static struct msg *limit_fail(struct msg *msg, struct mf_error *err,
                              const struct mf_manifest *m, int svc)
{
	err->code = MF_ERR_KERNEL_LIMIT;
	err->message[0] = '\0';
	*msg = (struct msg){err->message, sizeof(err->message), 0};
	if (svc == HOLDER_MANIFEST) {
		msg_cstr(msg, "manifest: ");
	} else if (svc == HOLDER_INIT) {
		msg_cstr(msg, "init: ");
	} else {
		msg_cstr(msg, "service ");
		msg_qstr(msg, m->services[svc].name);
		msg_cstr(msg, " (services[");
		msg_uint(msg, (uint64_t)svc);
		msg_cstr(msg, "]): ");
	}
	return msg;
}

/* " (kernel limit NAME = N, include/capos/limits.h)" */
static void limit_tail(struct msg *m, uint64_t limit, const char *constant)
{
	msg_cstr(m, " (kernel limit ");
	msg_cstr(m, constant);
	msg_cstr(m, " = ");
	msg_uint(m, limit);
	msg_cstr(m, ", " LIMITS_H ")");
}

/* How many of caps[0..count) are `endpoint` kernel caps. */
static uint32_t mf_endpoint_caps(const struct mf_cap *caps, uint32_t count)
{
	uint32_t n = 0;

	for (uint32_t i = 0; i < count; i++)
		n += caps[i].kind == MF_SOURCE_KERNEL && caps[i].kernel == MF_KCAP_ENDPOINT;
	return n;
}

/* One holder's own table: its grants, and the endpoints one spawn makes. */
static int check_holder(const struct mf_manifest *m, int svc, const struct mf_cap *caps,
                        uint32_t count, struct mf_error *err)
{
	struct msg mb, *msg;

	if (count > CAPOS_PROC_CAP_SLOTS) {
		msg = limit_fail(&mb, err, m, svc);
		msg_cstr(msg, "caps: ");
		msg_uint(msg, count);
		msg_cstr(msg, " caps, more than a process's capability table holds");
		limit_tail(msg, CAPOS_PROC_CAP_SLOTS, "CAPOS_PROC_CAP_SLOTS");
		return -1;
	}
	uint32_t eps = mf_endpoint_caps(caps, count);
	if (svc >= 0 && eps > CAPOS_SPAWN_MAX_NEW_ENDPOINTS) {
		msg = limit_fail(&mb, err, m, svc);
		msg_cstr(msg, "caps: ");
		msg_uint(msg, eps);
		msg_cstr(msg, " endpoint caps, more than one spawn can create");
		limit_tail(msg, CAPOS_SPAWN_MAX_NEW_ENDPOINTS, "CAPOS_SPAWN_MAX_NEW_ENDPOINTS");
		return -1;
	}
	return 0;
}

enum mf_err mf_check_limits(const struct mf_manifest *m, const uint32_t *order,
                            struct mf_error *err)
{
	struct mf_error scratch;
	struct msg mb, *msg;

	if (!err)
		err = &scratch;
	err->code = MF_OK;
	err->message[0] = '\0';
	if (m->service_count > CAPOS_PROC_MAX - 1) {
		msg = limit_fail(&mb, err, m, HOLDER_MANIFEST);
		msg_cstr(msg, "initConfig.services: ");
		msg_uint(msg, m->service_count);
		msg_cstr(msg, " services, but the kernel runs at most ");
		msg_uint(msg, CAPOS_PROC_MAX);
		msg_cstr(msg, " processes at once, init included: at most ");
		msg_uint(msg, CAPOS_PROC_MAX - 1);
		msg_cstr(msg, " services");
		limit_tail(msg, CAPOS_PROC_MAX, "CAPOS_PROC_MAX");
		return err->code;
	}
	if (check_holder(m, HOLDER_INIT, m->init_caps, m->init_cap_count, err) < 0)
		return err->code;

	/* Walk the start order as init does, counting init's slots: they
	 * only grow until every service has started.  (Endpoints are not
	 * counted: the kernel's pool grows with memory.) */
	uint32_t init_slots = m->init_cap_count;
	for (uint32_t k = 0; k < m->service_count; k++) {
		uint32_t s = order ? order[k] : k;
		const struct mf_service *sv = &m->services[s];
		if (check_holder(m, (int)s, sv->caps, sv->cap_count, err) < 0)
			return err->code;
		uint32_t eps = mf_endpoint_caps(sv->caps, sv->cap_count);
		init_slots += CAPOS_INIT_CAPS_PER_SERVICE + eps;
		if (init_slots > CAPOS_PROC_CAP_SLOTS) {
			msg = limit_fail(&mb, err, m, (int)s);
			msg_cstr(msg, "init's own capability table needs ");
			msg_uint(msg, init_slots);
			msg_cstr(msg, " slots to start it (");
			msg_uint(msg, m->init_cap_count);
			msg_cstr(msg, " init caps + 1 ProcessHandle per service + 1 client facet"
			              " per endpoint)");
			limit_tail(msg, CAPOS_PROC_CAP_SLOTS, "CAPOS_PROC_CAP_SLOTS");
			return err->code;
		}
	}
	return MF_OK;
}
