/* services/capsh/line.c: editing keys, history, escape sequences,
 * garbage and over-long lines. */
#include <criterion/criterion.h>
#include <string.h>

#include "../../services/capsh/line.h"

static struct line_editor e;
static char screen[65536];
static size_t screen_len;

static void out(void *ctx, const char *s, size_t n)
{
	(void)ctx;
	if (screen_len + n < sizeof screen) {
		memcpy(screen + screen_len, s, n);
		screen_len += n;
	}
}

static void setup(void)
{
	screen_len = 0;
	line_init(&e, "> ", out, 0);
	line_start(&e);
}

/* Feeds s; returns the last event. */
static enum line_event feed(const char *s)
{
	enum line_event ev = LINE_NONE;
	for (; *s; s++)
		ev = line_feed(&e, (uint8_t)*s);
	return ev;
}

TestSuite(capsh_line, .init = setup);

Test(capsh_line, plain_line_and_crlf_is_one_enter)
{
	cr_assert_eq(feed("caps\r"), LINE_DONE);
	cr_assert_str_eq(e.buf, "caps");
	line_start(&e);
	cr_assert_eq(feed("\n"), LINE_NONE, "the LF of CR LF is not a second Enter");
	cr_assert_eq(feed("ps\n"), LINE_DONE);
	cr_assert_str_eq(e.buf, "ps");
}

Test(capsh_line, cursor_and_editing_keys)
{
	feed("helq\x7fp");
	cr_assert_str_eq(e.buf, "help");
	feed("\x01x"); /* Ctrl-A, insert at the start */
	cr_assert_str_eq(e.buf, "xhelp");
	feed("\x05 a b"); /* Ctrl-E */
	feed("\x17");     /* Ctrl-W: "b" */
	cr_assert_str_eq(e.buf, "xhelp a ");
	feed("\033[D\033[D\033[Cz"); /* left, left, right */
	cr_assert_str_eq(e.buf, "xhelp az ");
	feed("\x15"); /* Ctrl-U: all before the cursor */
	cr_assert_str_eq(e.buf, " ");
	cr_assert_eq(e.pos, 0);
}

Test(capsh_line, history_up_and_down_keeps_the_draft)
{
	feed("one\r");
	line_start(&e);
	feed("two\r");
	line_start(&e);
	feed("dra");
	feed("\033[A");
	cr_assert_str_eq(e.buf, "two");
	feed("\033[A\033[A"); /* stops at the oldest */
	cr_assert_str_eq(e.buf, "one");
	feed("\033[B\033[B");
	cr_assert_str_eq(e.buf, "dra");
}

Test(capsh_line, ctrl_c_cancels_and_ctrl_d_ends_only_an_empty_line)
{
	cr_assert_eq(feed("abc\x03"), LINE_CANCEL);
	cr_assert_eq(e.len, 0);
	line_start(&e);
	cr_assert_eq(feed("ab\x01\x04"), LINE_NONE, "Ctrl-D deletes under the cursor");
	cr_assert_str_eq(e.buf, "b");
	feed("\x15\x05\x7f");
	cr_assert_eq(feed("\x04"), LINE_EOF);
}

Test(capsh_line, garbage_and_unknown_sequences_are_dropped)
{
	feed("\033[99~\033OZ\033]"); /* ESC ] is no sequence of ours: ESC and ] go */
	feed("\x80\xff\x02");
	feed("a");
	cr_assert_str_eq(e.buf, "a");
	cr_assert(e.dropped >= 4);
	cr_assert_eq(e.esc, 0);
}

Test(capsh_line, long_line_is_refused_whole)
{
	for (int i = 0; i < 1000; i++)
		line_feed(&e, 'x');
	cr_assert_eq(e.len, LINE_MAX_BYTES - 1);
	cr_assert(e.too_long);
	cr_assert_eq(feed("\r"), LINE_DONE);
	line_start(&e);
	cr_assert_eq(feed("\033[A"), LINE_NONE);
	cr_assert_eq(e.len, 0, "a refused line is not in the history");
}
