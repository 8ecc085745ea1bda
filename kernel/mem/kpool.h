/*
 * The kernel's system-wide object pools (lib/obj_pool.h over whole
 * frames from the PMM): endpoints, notifications, process handles and
 * timer sleeps.  A pool grows a frame at a time while memory lasts; an
 * allocation that finds no frame returns NULL and the caller answers
 * with a typed error (overloaded / CAPOS_ERR_NO_RESOURCES), never a
 * panic.  Empty frames go back to the PMM at the scheduler's next pass
 * (kpool_trim_all), where no kernel call is in progress, but one spare a
 * pool.
 *
 * Every pool is listed here once it has asked for its first frame, for the
 * logs, SystemMonitor and the boot's frame accounting (kpool_frames).
 */
#ifndef CAPOS_MEM_KPOOL_H
#define CAPOS_MEM_KPOOL_H

#include <stdint.h>

#include "obj_pool.h"

extern const struct obj_pool_ops kpool_ops;

/* A static, empty pool of objects of `type`. */
#define KPOOL_INIT(name, type) OBJ_POOL_INIT(name, sizeof(type), &kpool_ops)

/* Objects come from obj_pool_alloc (NULL when memory is out; every
 * frame taken or refused is logged).  Frees a live object of p (anything else is a kernel bug: panic). */
void kpool_free(struct obj_pool *p, void *obj);

/* Gives empty frames back to the PMM, every pool, but keep_empty a pool
 * (logged when it does).  The scheduler keeps KPOOL_SPARE, so an object
 * that comes and goes (a sleep) does not cost a frame each time; the
 * boot's final accounting keeps none. */
#define KPOOL_SPARE 1u
void kpool_trim_all(uint32_t keep_empty);
/* Frames all pools hold, directories included. */
uint64_t kpool_frames(void);
/* One line per pool: objects, peak, frames, refusals. */
void kpool_log_counts(const char *when);

/* Totals over every pool (SystemMonitor.memory). */
struct kpool_totals {
	uint64_t frames;
	uint64_t objects;
	uint64_t refused;
};
void kpool_totals(struct kpool_totals *t);

#endif
