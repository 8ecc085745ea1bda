/*
 * lib/frame_bitmap.c (the physical memory manager's core) against a model
 * of one "used" flag per frame: random add_range and reserve_range with
 * unaligned, overlapping, out-of-range and wrapping ranges, alloc until
 * empty, frees of allocated, free, unaligned, zero and out-of-range
 * addresses.
 *
 * Properties: alloc returns a frame the model has free (never frame 0,
 * never one already handed out) and returns 0 only when the model has no
 * free frame but frame 0; every count (free, total, added, reserved)
 * matches the model; free refuses exactly the double and bad-address
 * cases; is_used agrees with the model everywhere.
 */
#include <string.h>

#include "frame_bitmap.h"
#include "prop.h"

#define MAX_FRAMES 200u
#define MAX_OPS    80u
#define F          FRAME_SIZE

struct world {
	uint64_t storage[(MAX_FRAMES + 63) / 64];
	struct frame_bitmap fb;
	bool used[MAX_FRAMES];
	uint64_t total;
	uint64_t nframes;
};

static uint64_t model_free(const struct world *w)
{
	uint64_t n = 0;
	for (uint64_t f = 0; f < w->nframes; f++)
		n += !w->used[f];
	return n;
}

/* An address near the frames: aligned or not, inside or past the end. */
static uint64_t pick_addr(struct prop *p, const struct world *w)
{
	uint64_t f = prop_draw(p, 0, w->nframes + 2);
	switch (prop_draw(p, 0, 3)) {
	case 0: return f * F + prop_draw(p, 1, F - 1);
	case 1: return UINT64_MAX - prop_draw(p, 0, 3 * F);
	default: return f * F;
	}
}

static int run(struct prop *p)
{
	static struct world w;
	memset(&w, 0, sizeof w);
	w.nframes = prop_draw(p, 1, MAX_FRAMES);
	frame_bitmap_init(&w.fb, w.storage, w.nframes);
	for (uint64_t f = 0; f < w.nframes; f++)
		w.used[f] = true;
	prop_note(p, "init %llu frames", (unsigned long long)w.nframes);
	uint64_t nops = prop_draw(p, 1, MAX_OPS);
	for (uint64_t op = 0; op < nops; op++) {
		switch (prop_draw(p, 0, 4)) {
		case 0: { /* add_range (the memory map's usable ranges) */
			uint64_t base = pick_addr(p, &w), len = prop_draw(p, 0, 3) ? prop_draw(p, 0, 40 * F)
			                                                           : UINT64_MAX - prop_draw(p, 0, F);
			uint64_t got = frame_bitmap_add_range(&w.fb, base, len);
			/* Whole frames inside [base, base+len), clamped at the top; frame 0 never. */
			uint64_t end = base + len < base ? UINT64_MAX : base + len;
			uint64_t first = base / F + (base % F != 0), last = end / F, want = 0;
			if (first == 0)
				first = 1;
			for (uint64_t f = first; f < last && f < w.nframes; f++)
				if (w.used[f]) {
					w.used[f] = false;
					want++;
				}
			w.total += want;
			prop_note(p, "add_range %#llx +%#llx -> %llu (want %llu)", (unsigned long long)base,
			          (unsigned long long)len, (unsigned long long)got, (unsigned long long)want);
			PROP_CHECK(p, got == want, "add_range added %llu frames, model %llu",
			           (unsigned long long)got, (unsigned long long)want);
			break;
		}
		case 1: { /* reserve_range (kernel image, modules) */
			uint64_t base = pick_addr(p, &w), len = prop_draw(p, 0, 3) ? prop_draw(p, 0, 20 * F)
			                                                           : UINT64_MAX - prop_draw(p, 0, F);
			uint64_t got = frame_bitmap_reserve_range(&w.fb, base, len), want = 0;
			if (len) {
				uint64_t last = base + len - 1 < base ? UINT64_MAX / F : (base + len - 1) / F;
				for (uint64_t f = base / F; f <= last && f < w.nframes; f++)
					if (!w.used[f]) {
						w.used[f] = true;
						want++;
					}
			}
			w.total -= want;
			prop_note(p, "reserve_range %#llx +%#llx -> %llu (want %llu)", (unsigned long long)base,
			          (unsigned long long)len, (unsigned long long)got, (unsigned long long)want);
			PROP_CHECK(p, got == want, "reserve_range reserved %llu frames, model %llu",
			           (unsigned long long)got, (unsigned long long)want);
			break;
		}
		case 2:
		case 3: { /* alloc, several times */
			uint64_t n = prop_draw(p, 1, 8);
			for (uint64_t i = 0; i < n; i++) {
				uint64_t a = frame_bitmap_alloc(&w.fb);
				prop_note(p, "alloc -> %#llx", (unsigned long long)a);
				if (a == 0) {
					PROP_CHECK(p, model_free(&w) == 0,
					           "alloc returned 0 with %llu frames free in the model",
					           (unsigned long long)model_free(&w));
					break;
				}
				PROP_CHECK(p, a % F == 0 && a / F < w.nframes, "alloc returned %#llx: not a frame",
				           (unsigned long long)a);
				PROP_CHECK(p, !w.used[a / F], "alloc returned frame %#llx, which is in use",
				           (unsigned long long)a);
				w.used[a / F] = true;
			}
			break;
		}
		default: { /* free: mostly something allocated, sometimes not */
			uint64_t a = pick_addr(p, &w);
			enum frame_free_result r = frame_bitmap_free(&w.fb, a), want;
			if (a % F || a == 0 || a / F >= w.nframes)
				want = FRAME_FREE_BAD_ADDR;
			else if (!w.used[a / F])
				want = FRAME_FREE_DOUBLE;
			else
				want = FRAME_FREE_OK;
			prop_note(p, "free %#llx -> %d (want %d)", (unsigned long long)a, r, want);
			PROP_CHECK(p, r == want, "free %#llx returned %d, model %d", (unsigned long long)a, r,
			           want);
			if (r == FRAME_FREE_OK)
				w.used[a / F] = false;
			break;
		}
		}
		PROP_CHECK(p, w.fb.free_count == model_free(&w), "free_count %llu, model %llu",
		           (unsigned long long)w.fb.free_count, (unsigned long long)model_free(&w));
		PROP_CHECK(p, w.fb.total_count == w.total, "total_count %llu, model %llu",
		           (unsigned long long)w.fb.total_count, (unsigned long long)w.total);
		PROP_CHECK(p, w.used[0], "frame 0 became free");
		for (uint64_t f = 0; f < w.nframes + 2; f++)
			PROP_CHECK(p, frame_bitmap_is_used(&w.fb, f * F) == (f >= w.nframes || w.used[f]),
			           "is_used(frame %llu) disagrees with the model", (unsigned long long)f);
	}
	return 0;
}

const struct prop_def prop_frame_bitmap = {"frame_bitmap", "lib/frame_bitmap.c vs a per-frame model",
                                           run};
