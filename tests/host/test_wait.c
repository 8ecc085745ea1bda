/* Wait counts and the deadlock victim choice (lib/wait.c). */
#include <criterion/criterion.h>

#include "wait.h"

static struct wait_counts with(unsigned reply, unsigned serving, unsigned recv, unsigned child)
{
	return (struct wait_counts){.n = {reply, serving, recv, child}};
}

Test(wait, begin_end_balance)
{
	struct wait_counts w = {0};
	wait_begin(&w, WAIT_REPLY);
	wait_begin(&w, WAIT_REPLY);
	cr_assert(wait_end(&w, WAIT_REPLY));
	cr_assert(wait_end(&w, WAIT_REPLY));
	cr_assert_not(wait_end(&w, WAIT_REPLY), "an end without a begin is refused");
	cr_assert_eq(w.n[WAIT_REPLY], 0u);
}

Test(wait, only_receiving)
{
	struct wait_counts idle = with(0, 0, 2, 0), calling = with(1, 0, 1, 0), none = with(0, 0, 0, 0);
	cr_assert(wait_only_receiving(&idle));
	cr_assert_not(wait_only_receiving(&calling), "a server with a call of its own is not idle");
	cr_assert_not(wait_only_receiving(&none));
}

Test(wait, no_candidate)
{
	cr_assert_eq(wait_pick_victim(0, 0), -1);
}

Test(wait, idle_server_first)
{
	struct wait_counts client = with(1, 0, 0, 0), stuck = with(0, 1, 0, 0), idle = with(0, 0, 1, 0);
	const struct wait_counts *b[] = {&client, &stuck, &idle};
	cr_assert_eq(wait_pick_victim(b, 3), 2);
}

Test(wait, stuck_server_before_its_client)
{
	/* ipc_deadlock: the server received a call and waits for nothing; the
	 * client waits for the reply; init waits for both children. */
	struct wait_counts init = with(0, 0, 0, 2), client = with(1, 0, 0, 0), stuck = with(0, 1, 0, 0);
	const struct wait_counts *b[] = {&init, &client, &stuck};
	cr_assert_eq(wait_pick_victim(b, 3), 2);
	const struct wait_counts *c[] = {&stuck, &client, &init};
	cr_assert_eq(wait_pick_victim(c, 3), 0);
}

Test(wait, supervisor_last)
{
	struct wait_counts init = with(0, 0, 0, 1), other = with(0, 0, 0, 0);
	const struct wait_counts *b[] = {&init, &other};
	cr_assert_eq(wait_pick_victim(b, 2), 1);
	const struct wait_counts *only[] = {&init};
	cr_assert_eq(wait_pick_victim(only, 1), 0, "a lone supervisor is still chosen");
}

Test(wait, ties_go_to_lowest_index)
{
	struct wait_counts a = with(1, 0, 0, 0), b2 = with(1, 0, 0, 0);
	const struct wait_counts *b[] = {&a, &b2};
	cr_assert_eq(wait_pick_victim(b, 2), 0);
}

Test(wait, notification_waiter_is_idle)
{
	struct wait_counts init = with(0, 0, 0, 1), waiter = with(0, 0, 0, 0);
	waiter.n[WAIT_SIGNAL] = 1;
	cr_assert(wait_only_receiving(&waiter), "a Notification waiter with no call is idle");
	const struct wait_counts *b[] = {&init, &waiter};
	cr_assert_eq(wait_pick_victim(b, 2), 1);
}

Test(wait, device_waiter_means_no_deadlock)
{
	/* A driver waiting for its interrupt: the device can still end the
	 * wait, so nobody is killed, however the others wait. */
	struct wait_counts init = with(0, 0, 0, 1), idle = with(0, 0, 1, 0), driver = with(0, 0, 0, 0);
	driver.n[WAIT_DEVICE] = 1;
	const struct wait_counts *b[] = {&init, &idle, &driver};
	cr_assert_eq(wait_pick_victim(b, 3), -1);
}
