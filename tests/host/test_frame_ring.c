/* lib/frame_ring.c: both sides over one shared buffer, hostile peers. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "frame_ring.h"

#define SLOTS 8
#define SLOT  2048

struct shared {
	uint32_t prod, cons;
	uint8_t slots[SLOTS * SLOT];
};
static struct shared *sh;
static struct fring tx, rx; /* producer side, consumer side */

static void attach(void)
{
	cr_assert_eq(fring_init(&tx, sh->slots, SLOTS, SLOT, &sh->prod, &sh->cons, true), FRING_OK);
	cr_assert_eq(fring_init(&rx, sh->slots, SLOTS, SLOT, &sh->prod, &sh->cons, false), FRING_OK);
}

static void setup(void)
{
	sh = calloc(1, sizeof *sh);
	attach();
}

static void teardown(void)
{
	free(sh);
}

TestSuite(fring, .init = setup, .fini = teardown);

static void fill(uint8_t *b, uint32_t len, uint32_t tag)
{
	for (uint32_t i = 0; i < len; i++)
		b[i] = (uint8_t)(tag * 7 + i);
}

Test(fring, geometry_checked)
{
	struct fring r;
	cr_expect_eq(fring_init(&r, sh->slots, 6, SLOT, &sh->prod, &sh->cons, true), FRING_ERR_ARG);
	cr_expect_eq(fring_init(&r, sh->slots, 8, 1516, &sh->prod, &sh->cons, true), FRING_ERR_ARG);
	cr_expect_eq(fring_init(&r, sh->slots, 8, 1520, &sh->prod, &sh->cons, true), FRING_OK);
	cr_expect_eq(fring_init(&r, sh->slots, 8, SLOT, (uint32_t *)((uint8_t *)&sh->prod + 1),
	                        &sh->cons, true),
	             FRING_ERR_ARG);
}

Test(fring, frames_cross_in_order_only_after_publish)
{
	uint8_t f[3][1514], out[1514];
	uint32_t len;
	for (uint32_t i = 0; i < 3; i++) {
		fill(f[i], 60 + i * 500, i);
		cr_assert_eq(fring_put(&tx, f[i], 60 + i * 500), FRING_OK);
	}
	cr_expect_eq(fring_get(&rx, out, sizeof out, &len), FRING_ERR_EMPTY, "not published yet");
	fring_publish(&tx);
	for (uint32_t i = 0; i < 3; i++) {
		cr_assert_eq(fring_get(&rx, out, sizeof out, &len), FRING_OK);
		cr_assert_eq(len, 60 + i * 500);
		cr_assert_arr_eq(out, f[i], len);
	}
	cr_expect_eq(fring_get(&rx, out, sizeof out, &len), FRING_ERR_EMPTY);
	cr_expect_eq(fring_count(&tx), SLOTS - 3, "slots come back only when the consumer publishes");
	fring_publish(&rx);
	cr_expect_eq(fring_count(&tx), SLOTS);
}

Test(fring, full_then_drains)
{
	uint8_t f[64] = {0}, out[64];
	uint32_t len;
	for (int i = 0; i < SLOTS; i++)
		cr_assert_eq(fring_put(&tx, f, sizeof f), FRING_OK);
	cr_expect_eq(fring_put(&tx, f, sizeof f), FRING_ERR_FULL);
	fring_publish(&tx);
	cr_expect_eq(fring_count(&rx), SLOTS);
	cr_assert_eq(fring_get(&rx, out, sizeof out, &len), FRING_OK);
	fring_publish(&rx);
	cr_expect_eq(fring_put(&tx, f, sizeof f), FRING_OK);
}

Test(fring, indices_wrap_past_32_bits)
{
	sh->prod = sh->cons = 0xfffffffcu;
	attach();
	uint8_t f[100], out[1514];
	uint32_t len;
	for (uint32_t i = 0; i < 3 * SLOTS; i++) {
		fill(f, sizeof f, i);
		cr_assert_eq(fring_put(&tx, f, sizeof f), FRING_OK, "at %u", i);
		fring_publish(&tx);
		cr_assert_eq(fring_get(&rx, out, sizeof out, &len), FRING_OK);
		cr_assert_arr_eq(out, f, sizeof f);
		fring_publish(&rx);
	}
	cr_expect_eq(sh->prod, 0xfffffffcu + 3 * SLOTS);
}

Test(fring, producer_index_ahead_is_refused)
{
	sh->prod = SLOTS + 1; /* the peer claims more frames than slots */
	uint8_t out[1514];
	uint32_t len;
	cr_expect_eq(fring_get(&rx, out, sizeof out, &len), FRING_ERR_PEER);
	cr_expect_eq(rx.bad_index, 1);
	sh->prod = 1;
	cr_expect_eq(fring_get(&rx, out, sizeof out, &len), FRING_ERR_PEER, "stays broken");
}

Test(fring, consumer_index_ahead_is_refused)
{
	uint8_t f[64] = {0};
	sh->cons = 5; /* consumed frames never produced */
	cr_expect_eq(fring_put(&tx, f, sizeof f), FRING_ERR_PEER);
	cr_expect_eq(tx.bad_index, 1);
}

Test(fring, hostile_lengths_skipped)
{
	static const uint32_t bad[] = {0, 13, 1515, 0xffffffffu, 0x10000 | 60};
	uint8_t out[1514];
	uint32_t len;
	for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		uint8_t *s = sh->slots + i * SLOT;
		memcpy(s, &bad[i], 4);
	}
	uint8_t good[60];
	fill(good, sizeof good, 9);
	memcpy(sh->slots + 5 * SLOT, (uint32_t[]){60}, 4);
	memcpy(sh->slots + 5 * SLOT + 4, good, sizeof good);
	sh->prod = 6;
	for (unsigned i = 0; i < 5; i++)
		cr_assert_eq(fring_get(&rx, out, sizeof out, &len), FRING_ERR_LEN, "slot %u", i);
	cr_expect_eq(rx.bad_len, 5);
	cr_assert_eq(fring_get(&rx, out, sizeof out, &len), FRING_OK);
	cr_expect_arr_eq(out, good, 60);
}

Test(fring, small_buffer_leaves_frame_in_place)
{
	uint8_t f[200] = {1}, small[100], big[200];
	uint32_t len;
	cr_assert_eq(fring_put(&tx, f, sizeof f), FRING_OK);
	fring_publish(&tx);
	cr_expect_eq(fring_get(&rx, small, sizeof small, &len), FRING_ERR_ARG);
	cr_expect_eq(fring_get(&rx, big, sizeof big, &len), FRING_OK);
	cr_expect_eq(len, 200);
}

Test(fring, wrong_side_and_bad_frames_refused)
{
	uint8_t f[1600] = {0}, out[1514];
	uint32_t len;
	cr_expect_eq(fring_put(&rx, f, 60), FRING_ERR_ARG, "the consumer cannot put");
	cr_expect_eq(fring_get(&tx, out, sizeof out, &len), FRING_ERR_ARG);
	cr_expect_eq(fring_put(&tx, f, 13), FRING_ERR_ARG);
	cr_expect_eq(fring_put(&tx, f, 1515), FRING_ERR_ARG);
	cr_expect_eq(fring_count(&tx), SLOTS);
}

Test(fring, peek_without_copy_then_skip)
{
	uint8_t f[80];
	fill(f, sizeof f, 3);
	cr_assert_eq(fring_put(&tx, f, sizeof f), FRING_OK);
	cr_assert_eq(fring_put(&tx, f, 20), FRING_OK);
	fring_publish(&tx);
	const uint8_t *p;
	uint32_t len;
	cr_assert_eq(fring_peek(&rx, &p, &len), FRING_OK);
	cr_expect_eq(len, sizeof f);
	cr_expect_arr_eq(p, f, sizeof f);
	cr_expect_eq(fring_peek(&rx, &p, &len), FRING_OK, "peek does not move");
	cr_expect_eq(len, sizeof f);
	fring_skip(&rx);
	uint32_t bad = 9000;
	memcpy(sh->slots + SLOT, &bad, 4); /* the peer rewrites the second length */
	cr_expect_eq(fring_peek(&rx, &p, &len), FRING_ERR_LEN);
	cr_expect_eq(rx.bad_len, 1);
	cr_expect_eq(fring_peek(&rx, &p, &len), FRING_ERR_EMPTY, "the bad slot was skipped");
	fring_publish(&rx);
	cr_expect_eq(sh->cons, 2);
	fring_skip(&tx);
	cr_expect_eq(tx.mine, 2, "skip is the consumer's");
}
