/*
 * The netstack's parked calls and badge decoding (services/netstack/park.c):
 * the table bound, deadlines (saturating), removal, and which badges name
 * a socket or a listen authority.
 */
#include <criterion/criterion.h>
#include <stdint.h>

#include "park.h"

Test(netstack_park, deadlines_and_bound)
{
	struct park p;
	park_init(&p);
	cr_assert_eq(park_next_deadline(&p), UINT64_MAX);
	cr_assert(park_add(&p, PARK_RECEIVE, 1, 5, 100, 1000, 50));
	cr_assert(park_add(&p, PARK_ACCEPT, 2, 0, 0, 1000, 20));
	cr_assert(park_add(&p, PARK_SEND, 3, 5, 0, 1000, UINT64_MAX)); /* saturates */
	cr_assert_eq(park_next_deadline(&p), 1020);
	cr_assert_eq(p.live, 3);
	park_remove(&p, 1);
	park_remove(&p, 1); /* twice: nothing */
	cr_assert_eq(p.live, 2);
	cr_assert_eq(park_next_deadline(&p), 1050);
	cr_assert_eq(p.e[2].deadline, UINT64_MAX);
	park_remove(&p, PARK_MAX); /* out of range: nothing */
	for (uint32_t i = p.live; i < PARK_MAX; i++)
		cr_assert(park_add(&p, PARK_RECVFROM, 10 + i, 1, 0, 0, 0));
	cr_assert_not(park_add(&p, PARK_CONNECT, 99, 1, 0, 0, 0));
	cr_assert_eq(p.full, 1);
	cr_assert_eq(p.live, PARK_MAX);
	cr_assert_eq(park_next_deadline(&p), 0);
}

Test(netstack_park, socket_badges)
{
	uint32_t id = 77;
	cr_assert(badge_socket(SOCK_BADGE(0), &id));
	cr_assert_eq(id, 0);
	cr_assert(badge_socket(SOCK_BADGE(0x1234), &id));
	cr_assert_eq(id, 0x1234);
	cr_assert_not(badge_socket(0, &id));
	cr_assert_not(badge_socket(0x1234, &id));            /* no tag */
	cr_assert_not(badge_socket(AUTH_BADGE(7, 7), &id));  /* an authority */
	cr_assert_not(badge_socket(SOCK_BADGE(1) | 1ull << 40, &id));
}

Test(netstack_park, authority_badges)
{
	uint16_t f = 0, l = 0;
	cr_assert(badge_authority(AUTH_BADGE(7, 7), &f, &l));
	cr_assert_eq(f, 7);
	cr_assert_eq(l, 7);
	cr_assert_eq(AUTH_BADGE(7, 7), 0x100070007ull); /* the value in system-net.cue */
	cr_assert(badge_authority(AUTH_BADGE(1, 65535), &f, &l));
	cr_assert_eq(l, 65535);
	cr_assert_not(badge_authority(AUTH_BADGE(0, 80), &f, &l)); /* port 0 */
	cr_assert_not(badge_authority(AUTH_BADGE(81, 80), &f, &l)); /* first > last */
	cr_assert_not(badge_authority(SOCK_BADGE(3), &f, &l));
	cr_assert_not(badge_authority(AUTH_BADGE(7, 7) | 1ull << 33, &f, &l));
	cr_assert_not(badge_authority(1, &f, &l));
}
