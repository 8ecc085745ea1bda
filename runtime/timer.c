/*
 * Timer and EntropySource clients over the generated Cap'n Proto code
 * (capos/timer.h).
 */
#include <capos/rt.h>
#include <capos/timer.h>
#include "capnp/capnp.h"
#include "capos.capnp.h"
#include "entropy.capnp.h"
#include "time.capnp.h"

#define MSG_WORDS    4u
#define RESULT_BYTES 512u /* room for a CapException, or 256 bytes of data */

static int open_cap(struct capos_ring **ring, struct capos_cap *dst, struct capos_ring *r,
                    struct capos_cap cap, uint64_t iface)
{
	*ring = NULL;
	memset(dst, 0, sizeof(*dst));
	if (!cap.valid)
		return CAPOS_ERR_BAD_CAP;
	if (cap.interface_id != iface)
		return CAPOS_ERR_NOT_PERMITTED;
	*ring = r;
	*dst = cap;
	return 0;
}

int capos_timer_from_cap(struct capos_timer *t, struct capos_ring *r, struct capos_cap cap)
{
	return open_cap(&t->ring, &t->cap, r, cap, time_Timer_ID);
}

int capos_entropy_from_cap(struct capos_entropy *e, struct capos_ring *r, struct capos_cap cap)
{
	return open_cap(&e->ring, &e->cap, r, cap, entropy_EntropySource_ID);
}

/* Sends the finished message in b; on success *m reads the result. */
static int do_call(struct capos_ring *ring, struct capos_cap cap, uint16_t method,
                   struct capnp_builder *b, uint64_t *result, struct capnp_reader *m,
                   struct capos_call_error *err)
{
	if (ring == NULL || !cap.valid)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	size_t len = 0;
	if (capnp_builder_finish(b, &len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	struct capos_call call = {
		.cap_id = cap.cap_id,
		.method_id = method,
		.params = b->arena,
		.params_len = (uint32_t)len,
		.result = result,
		.result_cap = RESULT_BYTES,
	};
	struct capos_reply reply = {0};
	int ret = capos_call(ring, &call, &reply, err);
	if (ret != 0)
		return ret;
	if (capnp_reader_init(m, result, reply.result_len) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	return 0;
}

/* now and resolution: no params, one UInt64 result at offset 0. */
static int timer_u64(const struct capos_timer *t, uint16_t method, uint64_t *ns,
                     struct capos_call_error *err)
{
	if (t == NULL)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	capnp_builder_init(&b, arena, sizeof(arena));
	time_Timer_now_Params_init_root(&b);
	int ret = do_call(t->ring, t->cap, method, &b, result, &m, err);
	if (ret != 0)
		return ret;
	uint64_t v = method == time_Timer_now_METHOD
	                     ? time_Timer_now_Results_get_ns(time_Timer_now_Results_read_root(&m))
	                     : time_Timer_resolution_Results_get_ns(
				       time_Timer_resolution_Results_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	*ns = v;
	return 0;
}

int capos_timer_now(const struct capos_timer *t, uint64_t *ns, struct capos_call_error *err)
{
	return timer_u64(t, time_Timer_now_METHOD, ns, err);
}

int capos_timer_resolution(const struct capos_timer *t, uint64_t *ns,
                           struct capos_call_error *err)
{
	return timer_u64(t, time_Timer_resolution_METHOD, ns, err);
}

int capos_timer_sleep(const struct capos_timer *t, uint64_t ns, struct capos_call_error *err)
{
	if (t == NULL)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	capnp_builder_init(&b, arena, sizeof(arena));
	time_Timer_sleep_Params_set_ns(time_Timer_sleep_Params_init_root(&b), ns);
	return do_call(t->ring, t->cap, time_Timer_sleep_METHOD, &b, result, &m, err);
}

int capos_entropy_get_bytes(const struct capos_entropy *e, void *buf, uint32_t count,
                            struct capos_call_error *err)
{
	if (e == NULL)
		return capos_error_local(err, CAPOS_ERR_BAD_CAP);
	uint64_t arena[MSG_WORDS], result[RESULT_BYTES / 8];
	struct capnp_builder b;
	struct capnp_reader m;
	capnp_builder_init(&b, arena, sizeof(arena));
	entropy_EntropySource_getBytes_Params_set_count(
		entropy_EntropySource_getBytes_Params_init_root(&b), count);
	int ret = do_call(e->ring, e->cap, entropy_EntropySource_getBytes_METHOD, &b, result, &m, err);
	if (ret != 0)
		return ret;
	struct capnp_data d = entropy_EntropySource_getBytes_Results_get_data(
		entropy_EntropySource_getBytes_Results_read_root(&m));
	if (capnp_reader_error(&m) != CAPNP_OK || d.len != count)
		return capos_error_local(err, CAPOS_ERR_BAD_MESSAGE);
	memcpy(buf, d.ptr, count);
	return 0;
}

/* ---- the process's default caps ------------------------------------- */

static struct capos_timer default_timer;
static struct capos_entropy default_entropy;
static int timer_state, entropy_state; /* 0 not tried, 1 open, <0 none */

static const struct capos_capset_entry *find(const char *name, uint64_t iface)
{
	const struct capos_capset *cs = &capos_rt.capset;
	const struct capos_capset_entry *e = capos_capset_find(cs, name, iface);
	return e != NULL ? e : capos_capset_find_interface(cs, iface);
}

const struct capos_timer *capos_default_timer(void)
{
	if (timer_state == 0) {
		const struct capos_capset_entry *e = find("timer", time_Timer_ID);
		timer_state = e != NULL && capos_timer_from_cap(&default_timer, &capos_rt_ring,
		                                                capos_cap_borrow(e)) == 0
		                      ? 1
		                      : CAPOS_ERR_BAD_CAP;
	}
	return timer_state == 1 ? &default_timer : NULL;
}

const struct capos_entropy *capos_default_entropy(void)
{
	if (entropy_state == 0) {
		const struct capos_capset_entry *e = find("entropySource", entropy_EntropySource_ID);
		entropy_state = e != NULL && capos_entropy_from_cap(&default_entropy, &capos_rt_ring,
		                                                    capos_cap_borrow(e)) == 0
		                        ? 1
		                        : CAPOS_ERR_BAD_CAP;
	}
	return entropy_state == 1 ? &default_entropy : NULL;
}

int64_t capos_clock_ns(void)
{
	uint64_t ns = 0;
	int ret = capos_timer_now(capos_default_timer(), &ns, NULL);
	return ret != 0 ? ret : (int64_t)ns;
}

int capos_nanosleep(uint64_t ns)
{
	return capos_timer_sleep(capos_default_timer(), ns, NULL);
}

int capos_getentropy(void *buf, size_t n)
{
	const struct capos_entropy *e = capos_default_entropy();
	uint8_t *p = buf;
	while (n > 0) {
		uint32_t chunk = n > CAPOS_ENTROPY_MAX_BYTES ? CAPOS_ENTROPY_MAX_BYTES : (uint32_t)n;
		int ret = capos_entropy_get_bytes(e, p, chunk, NULL);
		if (ret != 0)
			return ret;
		p += chunk;
		n -= chunk;
	}
	return 0;
}
