/*
 * The serial line as a terminal (kernel/cap/terminal.c, docs/terminal.md):
 * input received by interrupt (IRQ 4, either interrupt controller) into
 * a ring, read through the Terminal capability; and the rule by which
 * the kernel log and Console writes share the line with the terminal's
 * holder.
 */
#ifndef CAPOS_CAP_TERMINAL_H
#define CAPOS_CAP_TERMINAL_H

#include <stdbool.h>
#include <stddef.h>

/* Installs the receive interrupt (called once the interrupt controller
 * is up). */
void terminal_init(void);

/* Output that is not the terminal holder's (kernel log, Console): one
 * byte.  When the holder's last line is unfinished on screen, the first
 * byte of a foreign line clears it and the foreign line's "\n" writes it
 * again, so neither garbles the other. */
void terminal_foreign_putc(char c);
void terminal_foreign_write(const char *s, size_t len);

/* True while the holder has an unfinished line on screen or a foreign
 * line is open: only then does foreign output need the bookkeeping above
 * (the kernel log tests this first, so a system without a shell pays one
 * branch per byte). */
extern bool terminal_line_shared;

#endif
