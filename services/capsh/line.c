/* capsh's line editor (see line.h). */
#include "line.h"

#include "format.h"
#include "kstring.h"

static void put(struct line_editor *e, const char *s, size_t n) { e->out(e->ctx, s, n); }
static void puts_(struct line_editor *e, const char *s) { put(e, s, strlen(s)); }

void line_init(struct line_editor *e, const char *prompt, line_out_fn out, void *ctx)
{
	memset(e, 0, sizeof(*e));
	e->prompt = prompt;
	e->out = out;
	e->ctx = ctx;
}

static void clear(struct line_editor *e)
{
	e->len = e->pos = 0;
	e->buf[0] = '\0';
	e->too_long = false;
	e->hist_at = e->hist_count;
}

void line_start(struct line_editor *e)
{
	clear(e);
	puts_(e, e->prompt);
}

/* Whole line again: prompt, text, erase the rest, cursor back to pos. */
void line_redraw(struct line_editor *e)
{
	puts_(e, "\r");
	puts_(e, e->prompt);
	put(e, e->buf, e->len);
	puts_(e, "\033[K");
	if (e->pos < e->len) {
		char mv[16];
		format_snprintf(mv, sizeof mv, "\033[%uD", e->len - e->pos);
		puts_(e, mv);
	}
}

static void set_text(struct line_editor *e, const char *s)
{
	e->len = (uint32_t)strlen(s);
	memcpy(e->buf, s, e->len + 1);
	e->pos = e->len;
}

static void insert(struct line_editor *e, char c)
{
	if (e->len + 1 >= LINE_MAX_BYTES) {
		if (!e->too_long)
			puts_(e, "\a");
		e->too_long = true;
		return;
	}
	memmove(e->buf + e->pos + 1, e->buf + e->pos, e->len - e->pos + 1);
	e->buf[e->pos++] = c;
	e->len++;
	if (e->pos == e->len)
		put(e, &c, 1); /* typing at the end: no redraw needed */
	else
		line_redraw(e);
}

static void delete_range(struct line_editor *e, uint32_t from, uint32_t to)
{
	memmove(e->buf + from, e->buf + to, e->len - to + 1);
	e->len -= to - from;
	e->pos = from;
	line_redraw(e);
}

static void history_add(struct line_editor *e)
{
	if (e->len == 0 || e->too_long)
		return;
	if (e->hist_count && strcmp(e->history[e->hist_count - 1], e->buf) == 0)
		return;
	if (e->hist_count == LINE_HISTORY) {
		memmove(e->history[0], e->history[1], (LINE_HISTORY - 1) * LINE_MAX_BYTES);
		e->hist_count--;
	}
	memcpy(e->history[e->hist_count++], e->buf, e->len + 1);
}

static void history_move(struct line_editor *e, int dir)
{
	if (dir < 0 && e->hist_at == 0)
		return;
	if (dir > 0 && e->hist_at >= e->hist_count)
		return;
	if (e->hist_at == e->hist_count)
		memcpy(e->draft, e->buf, e->len + 1);
	e->hist_at = (uint32_t)((int)e->hist_at + dir);
	set_text(e, e->hist_at == e->hist_count ? e->draft : e->history[e->hist_at]);
	line_redraw(e);
}

/* The final byte of ESC [ x or ESC O x. */
static void escape_final(struct line_editor *e, uint8_t c)
{
	switch (c) {
	case 'A':
		history_move(e, -1);
		break;
	case 'B':
		history_move(e, 1);
		break;
	case 'C':
		if (e->pos < e->len) {
			e->pos++;
			puts_(e, "\033[C");
		}
		break;
	case 'D':
		if (e->pos > 0) {
			e->pos--;
			puts_(e, "\033[D");
		}
		break;
	case 'H':
		e->pos = 0;
		line_redraw(e);
		break;
	case 'F':
		e->pos = e->len;
		line_redraw(e);
		break;
	default:
		e->dropped++;
	}
}

static enum line_event enter(struct line_editor *e)
{
	puts_(e, "\n");
	history_add(e);
	e->hist_at = e->hist_count;
	return LINE_DONE;
}

static uint32_t word_start(const struct line_editor *e)
{
	uint32_t i = e->pos;
	while (i > 0 && e->buf[i - 1] == ' ')
		i--;
	while (i > 0 && e->buf[i - 1] != ' ')
		i--;
	return i;
}

static enum line_event control(struct line_editor *e, uint8_t c)
{
	switch (c) {
	case 0x01: /* Ctrl-A */
		e->pos = 0;
		line_redraw(e);
		break;
	case 0x05: /* Ctrl-E */
		e->pos = e->len;
		line_redraw(e);
		break;
	case 0x15: /* Ctrl-U */
		delete_range(e, 0, e->pos);
		break;
	case 0x17: /* Ctrl-W */
		delete_range(e, word_start(e), e->pos);
		break;
	case 0x08:
	case 0x7f: /* Backspace */
		if (e->pos > 0)
			delete_range(e, e->pos - 1, e->pos);
		break;
	case 0x03: /* Ctrl-C */
		puts_(e, "^C\n");
		clear(e);
		return LINE_CANCEL;
	case 0x04: /* Ctrl-D */
		if (e->len == 0) {
			puts_(e, "\n");
			return LINE_EOF;
		}
		if (e->pos < e->len)
			delete_range(e, e->pos, e->pos + 1);
		break;
	case 0x0c: /* Ctrl-L */
		puts_(e, "\033[2J\033[H");
		line_redraw(e);
		break;
	default:
		e->dropped++;
	}
	return LINE_NONE;
}

enum line_event line_feed(struct line_editor *e, uint8_t c)
{
	bool was_cr = e->last_cr;
	e->last_cr = false;
	if (e->esc == 1) {
		e->esc = (c == '[' || c == 'O') ? 2 : 0;
		if (e->esc == 0)
			e->dropped++;
		return LINE_NONE;
	}
	if (e->esc == 2) {
		if (c >= 0x40 && c <= 0x7e) { /* the final byte; parameters before it are skipped */
			e->esc = 0;
			escape_final(e, c);
		} else if (c < 0x20 || c > 0x3f) {
			e->esc = 0; /* not a sequence after all */
			e->dropped++;
		}
		return LINE_NONE;
	}
	if (c == 0x1b) {
		e->esc = 1;
		return LINE_NONE;
	}
	if (c == '\r') {
		e->last_cr = true;
		return enter(e);
	}
	if (c == '\n')
		return was_cr ? LINE_NONE : enter(e);
	if (c >= 0x20 && c < 0x7f) {
		insert(e, (char)c);
		return LINE_NONE;
	}
	if (c < 0x20 || c == 0x7f)
		return control(e, c);
	e->dropped++; /* not ASCII */
	return LINE_NONE;
}
