/*
 * Physical frame allocator: a frame bitmap (lib/frame_bitmap.c) covering
 * every frame up to the highest usable address, stored in a usable region
 * that nothing else occupies.  Interrupts are masked around each operation
 * so trap hooks may allocate too.
 */
#include "mem/pmm.h"

#include "arch/x86_64/cpu.h"
#include "boot_info.h"
#include "frame_bitmap.h"
#include "kstring.h"
#include "log.h"
#include "mem/vmm.h"

static struct frame_bitmap frames;
static uint64_t bitmap_home, bitmap_bytes; /* where the bitmap itself lives */

#define LOW_MEMORY_END  0x100000ull
#define BOOT_MAPPED_END (4ull << 30) /* the boot page tables' direct map */

struct range {
	uint64_t base, end;
};

static uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) & ~(a - 1); }

/* The ranges nothing may overwrite: low memory, kernel, boot info, modules. */
static unsigned taken_ranges(struct range *r)
{
	unsigned n = 0;
	r[n++] = (struct range){0, LOW_MEMORY_END};
	r[n++] = (struct range){boot_info.kernel_phys_start, boot_info.kernel_phys_end};
	r[n++] = (struct range){boot_info.info_phys, boot_info.info_phys + boot_info.info_size};
	for (unsigned i = 0; i < boot_info.module_count; i++)
		r[n++] = (struct range){boot_info.modules[i].phys,
		                        boot_info.modules[i].phys + boot_info.modules[i].size};
	return n;
}

/* First page-aligned spot of `bytes` in usable memory, clear of taken ranges. */
static uint64_t find_bitmap_home(uint64_t bytes)
{
	struct range taken[3 + BOOT_MAX_MODULES];
	unsigned nt = taken_ranges(taken);
	for (unsigned i = 0; i < boot_info.mem_region_count; i++) {
		const struct boot_mem_region *m = &boot_info.mem_regions[i];
		if (m->type != BOOT_MEM_USABLE)
			continue;
		uint64_t end = m->base + m->len;
		uint64_t cand = align_up(m->base, PAGE_SIZE);
		for (bool moved = true; moved;) {
			moved = false;
			for (unsigned t = 0; t < nt; t++) {
				if (cand < taken[t].end && cand + bytes > taken[t].base) {
					cand = align_up(taken[t].end, PAGE_SIZE);
					moved = true;
				}
			}
		}
		if (cand + bytes <= end && cand + bytes <= BOOT_MAPPED_END)
			return cand;
	}
	return 0;
}

void pmm_init(void)
{
	uint64_t nframes = boot_info.phys_top / PAGE_SIZE;
	if (nframes == 0)
		panic("pmm: the memory map has no usable memory");
	uint64_t bytes = align_up(frame_bitmap_storage_bytes(nframes), PAGE_SIZE);
	uint64_t home = find_bitmap_home(bytes);
	if (!home)
		panic("pmm: no room for a %lu-byte frame bitmap", bytes);
	frame_bitmap_init(&frames, phys_to_virt(home), nframes);

	for (unsigned i = 0; i < boot_info.mem_region_count; i++) {
		const struct boot_mem_region *m = &boot_info.mem_regions[i];
		if (m->type == BOOT_MEM_USABLE)
			frame_bitmap_add_range(&frames, m->base, m->len);
	}
	struct range taken[3 + BOOT_MAX_MODULES];
	unsigned nt = taken_ranges(taken);
	uint64_t reserved = 0;
	for (unsigned t = 0; t < nt; t++)
		reserved += frame_bitmap_reserve_range(&frames, taken[t].base, taken[t].end - taken[t].base);
	reserved += frame_bitmap_reserve_range(&frames, home, bytes);
	bitmap_home = home;
	bitmap_bytes = bytes;
	kprintf("pmm: %lu frames managed (%lu MiB), %lu free; reserved %lu frames "
	        "(low 1 MiB, kernel %lx-%lx, boot info, %u modules, bitmap at %lx)\n",
	        frames.total_count, frames.total_count * PAGE_SIZE >> 20, frames.free_count,
	        reserved, boot_info.kernel_phys_start, boot_info.kernel_phys_end,
	        boot_info.module_count, home);
}

uint64_t pmm_alloc(void)
{
	uint64_t f = irq_save();
	uint64_t phys = frame_bitmap_alloc(&frames);
	irq_restore(f);
	if (phys)
		memset(phys_to_virt(phys), 0, PAGE_SIZE);
	return phys;
}

/* True when phys is a frame pmm_init released: usable, not reserved at boot. */
static bool pmm_owns(uint64_t phys)
{
	bool usable = false;
	for (unsigned i = 0; i < boot_info.mem_region_count && !usable; i++) {
		const struct boot_mem_region *m = &boot_info.mem_regions[i];
		usable = m->type == BOOT_MEM_USABLE && phys >= m->base &&
		         phys + PAGE_SIZE <= m->base + m->len;
	}
	if (!usable || (phys >= bitmap_home && phys < bitmap_home + bitmap_bytes))
		return false;
	struct range taken[3 + BOOT_MAX_MODULES];
	unsigned nt = taken_ranges(taken);
	for (unsigned t = 0; t < nt; t++)
		if (phys < taken[t].end && phys + PAGE_SIZE > taken[t].base)
			return false;
	return true;
}

void pmm_free(uint64_t phys)
{
	if (!pmm_owns(phys))
		panic("pmm_free: %lx is not a frame the allocator owns", phys);
	uint64_t f = irq_save();
	enum frame_free_result r = frame_bitmap_free(&frames, phys);
	irq_restore(f);
	if (r == FRAME_FREE_DOUBLE)
		panic("pmm_free: double free of frame %lx", phys);
	if (r != FRAME_FREE_OK)
		panic("pmm_free: %lx is not a frame the allocator owns", phys);
}

uint64_t pmm_free_count(void)
{
	return frames.free_count;
}

uint64_t pmm_total_count(void)
{
	return frames.total_count;
}
