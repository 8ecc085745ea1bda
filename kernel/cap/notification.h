/*
 * Notification: a word of signal bits (schema/device.capnp).
 *
 *   signal @0 (bits)                 any facet
 *   wait @1 (mask, timeoutNs)        full facet; deferred until a signal
 *                                    meets the mask or the deadline passes
 *   poll @2 (mask)                   full facet
 *   sender @3 () -> senderIndex      full facet: a signal-only facet
 *
 * Notifications live in a pool that grows with memory (kernel/mem/kpool.h).
 * Each has two facets, the full one and the sender; a cap points at one
 * of them.  A
 * notification lives while a cap or an Interrupt binding refers to it.
 * One wait at a time.  Interrupts (kernel/cap/interrupt.c) signal through
 * notification_signal from interrupt context.
 */
#ifndef CAPOS_CAP_NOTIFICATION_H
#define CAPOS_CAP_NOTIFICATION_H

#include <stdbool.h>
#include <stdint.h>

#include "cap_table.h"

struct notification;

/* A new notification with one reference, held by the cap entry written
 * to *out (full facet); NULL when memory is out.  who: for logs. */
struct notification *notification_create(const char *who, struct cap_entry *out);

/* The notification behind a cap entry of either facet, or NULL when e is
 * not a Notification. */
struct notification *notification_of(const struct cap_entry *e);

/* A reference for a kernel binding (Interrupt.bind); device: the binding
 * is an interrupt, so a wait on it may end without any process acting. */
void notification_bind(struct notification *n);
void notification_unbind(struct notification *n);

/* ORs bits in and completes a wait they meet (interrupt context too). */
void notification_signal(struct notification *n, uint64_t bits);

/* Live notifications (baseline checks). */
unsigned notification_live(void);

#endif
