/*
 * capsh's line editor: bytes from a raw, non-echoing terminal in, screen
 * updates out (through `out`), whole lines, Ctrl-C and Ctrl-D as events.
 * Knows VT100 cursor sequences; everything else that is not printable
 * ASCII (binary garbage, unknown escape sequences) is dropped and counted.
 *
 * Freestanding; host-tested in tests/host/test_capsh_line.c.
 */
#ifndef CAPSH_LINE_H
#define CAPSH_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LINE_MAX_BYTES 256u /* a line holds LINE_MAX_BYTES - 1 bytes */
#define LINE_HISTORY   16u

typedef void (*line_out_fn)(void *ctx, const char *s, size_t n);

enum line_event {
	LINE_NONE,   /* keep feeding                                    */
	LINE_DONE,   /* Enter: the line is in e->buf (NUL-terminated)    */
	LINE_CANCEL, /* Ctrl-C: the line was dropped                     */
	LINE_EOF,    /* Ctrl-D on an empty line                          */
};

struct line_editor {
	char buf[LINE_MAX_BYTES];
	uint32_t len, pos;
	bool too_long; /* bytes were refused: the line is not whole */
	char history[LINE_HISTORY][LINE_MAX_BYTES];
	uint32_t hist_count;        /* lines kept (newest last)                  */
	uint32_t hist_at;           /* browsing: hist_count = the line being typed */
	char draft[LINE_MAX_BYTES]; /* the line being typed while browsing */
	int esc;                    /* 0, 1 after ESC, 2 inside ESC [ / ESC O   */
	bool last_cr;               /* "\r\n" counts as one Enter               */
	uint64_t dropped;           /* bytes ignored                            */
	const char *prompt;
	line_out_fn out;
	void *ctx;
};

void line_init(struct line_editor *e, const char *prompt, line_out_fn out, void *ctx);
/* Shows the prompt and an empty line. */
void line_start(struct line_editor *e);
/* Redraws prompt and line (after other output wrote over them). */
void line_redraw(struct line_editor *e);
enum line_event line_feed(struct line_editor *e, uint8_t c);

#endif
