/* Kernel time: calibrated TSC clock and the LAPIC/PIT timer (see timer.h). */
#include "arch/x86_64/timer.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/cpuid.h"
#include "arch/x86_64/intc.h"
#include "arch/x86_64/io.h"
#include "arch/x86_64/lapic.h"
#include "arch/x86_64/trap.h"
#include "clock_scale.h"
#include "format.h"
#include "log.h"

#define PIT_FREQ          1193182u
#define PIT_CH0           0x40
#define PIT_CH2           0x42
#define PIT_CMD           0x43
#define PORT_B            0x61 /* bit 0 gate 2, bit 1 speaker, bit 5 OUT2 */
#define CALIBRATE_MS      20u
#define CALIBRATE_TRIES   12u                 /* passes before giving up; 3 good ones are used */
#define CALIBRATE_GIVE_UP (UINT64_C(1) << 34) /* TSC cycles: seconds at any rate */
#define NS_PER_SEC        UINT64_C(1000000000)

enum timer_mode { MODE_PIT,
	          MODE_LAPIC_ONESHOT,
	          MODE_TSC_DEADLINE };

static enum timer_mode mode;
static volatile uint64_t ticks;
static uint64_t tsc0, tsc_hz, lapic_hz;
static struct clock_scale tsc_scale, lapic_scale;
static uint64_t armed_at = UINT64_MAX;

uint64_t ktime_ns(void)
{
	return tsc_hz ? clock_ticks_to_ns(&tsc_scale, rdtsc() - tsc0) : 0;
}

uint64_t timer_ticks(void) { return ticks; }
uint64_t timer_tsc_hz(void) { return tsc_hz; }

uint64_t timer_resolution_ns(void)
{
	if (mode == MODE_PIT)
		return TIMER_TICK_NS;
	uint64_t hz = mode == MODE_TSC_DEADLINE ? tsc_hz : lapic_hz;
	uint64_t r = (NS_PER_SEC + hz / 2) / hz;
	return r ? r : 1;
}

static uint64_t deadline_after(uint64_t timeout_ns)
{
	uint64_t now = ktime_ns();
	return timeout_ns > UINT64_MAX - now - 1 ? UINT64_MAX : now + timeout_ns;
}

/* Programs the hardware to interrupt at deadline (ktime ns). */
static void program(uint64_t deadline)
{
	uint64_t now = ktime_ns();
	uint64_t delta = deadline > now ? deadline - now : 0;
	if (mode == MODE_TSC_DEADLINE) {
		lapic_timer_deadline(tsc0 + clock_ns_to_ticks(&tsc_scale, now + delta) + 1);
		return;
	}
	uint64_t count = clock_ns_to_ticks(&lapic_scale, delta);
	/* clang-format off */
	lapic_timer_oneshot(count == 0 ? 1 : count > UINT32_MAX ? UINT32_MAX : (uint32_t)count);
	/* clang-format on */
}

void timer_arm_at(uint64_t deadline)
{
	if (mode == MODE_PIT || deadline >= armed_at)
		return;
	armed_at = deadline;
	program(deadline);
}

uint64_t timer_arm_after(uint64_t timeout_ns)
{
	uint64_t deadline = deadline_after(timeout_ns);
	timer_arm_at(deadline);
	return deadline;
}

static void timer_irq(struct trap_frame *tf)
{
	ticks++;
	if (mode != MODE_PIT) {
		/* Next heartbeat first: the hook may switch to another process
		 * and return only when this one runs again. */
		armed_at = UINT64_MAX;
		timer_arm_at(ktime_ns() + TIMER_TICK_NS);
	}
	timer_tick_hook(tf);
}

/* One reading of PIT channel 2's counter with the TSC around it.  The
 * vCPU may be descheduled at any point (a loaded host): of a few tries the
 * one with the tightest TSC bracket is kept, so a stall cannot skew it. */
struct clock_sample {
	uint64_t tsc;
	uint32_t pit;   /* counts down */
	uint32_t lapic; /* counts down */
};

static struct clock_sample sample(bool with_lapic)
{
	struct clock_sample best = {0};
	uint64_t best_span = UINT64_MAX;
	for (int i = 0; i < 5; i++) {
		uint64_t t0 = rdtsc();
		outb(PIT_CMD, 0x80); /* latch channel 2 */
		uint32_t lo = inb(PIT_CH2), hi = inb(PIT_CH2);
		uint32_t lapic = with_lapic ? lapic_timer_current() : 0;
		uint64_t t1 = rdtsc();
		if (t1 - t0 < best_span) {
			best_span = t1 - t0;
			/* clang-format off */
			best = (struct clock_sample){ .tsc = t0 + (t1 - t0) / 2, .pit = lo | hi << 8,
			                              .lapic = lapic };
			/* clang-format on */
		}
	}
	return best;
}

/* One measurement: TSC cycles (and LAPIC timer decrements) against
 * CALIBRATE_MS of PIT channel 2 counting down from 0xffff in mode 0.  Only
 * the two readings' timing matters, not how long the wait between them
 * took.  A vCPU stalled for more than one PIT period (55 ms, easy on a
 * loaded host) lets the counter wrap: a reading above the previous one
 * shows that, and the measurement is void.  Under -icount the PIT runs on
 * instructions, like the TSC, so the ratio still holds. */
struct clock_rates {
	uint64_t tsc_hz, lapic_hz;
};

static bool calibrate_once(bool with_lapic, struct clock_rates *out)
{
	unsigned span = PIT_FREQ * CALIBRATE_MS / 1000;
	outb(PORT_B, (inb(PORT_B) & ~0x02u) | 0x01u); /* gate on, speaker off */
	outb(PIT_CMD, 0xb0);                          /* ch 2, lo/hi, mode 0 */
	outb(PIT_CH2, 0xff);
	outb(PIT_CH2, 0xff);
	if (with_lapic)
		lapic_timer_oneshot(UINT32_MAX);
	struct clock_sample a = sample(with_lapic), prev = a, b = a;
	while (a.pit - b.pit < span && b.tsc - a.tsc < CALIBRATE_GIVE_UP) {
		b = sample(with_lapic);
		if (b.pit > prev.pit)
			break; /* wrapped */
		prev = b;
	}
	if (with_lapic)
		lapic_timer_stop();
	if (b.pit > prev.pit || a.pit - b.pit < span) {
		kprintf("timer: calibration pass void (PIT %x -> %x: wrapped or stopped)\n", a.pit,
		        b.pit);
		return false;
	}
	uint64_t pit_ticks = a.pit - b.pit;
	out->tsc_hz = clock_rate(b.tsc - a.tsc, pit_ticks, PIT_FREQ);
	out->lapic_hz = with_lapic ? clock_rate(a.lapic - b.lapic, pit_ticks, PIT_FREQ) : 0;
	return true;
}

static uint64_t median3(uint64_t x, uint64_t y, uint64_t z)
{
	if (x > y) {
		uint64_t t = x;
		x = y;
		y = t;
	}
	/* clang-format off */
	return z < x ? x : z > y ? y : z;
	/* clang-format on */
}

/* The median of three good passes: a pass whose wait hid a whole number
 * of wraps (a stall of a multiple of 55 ms) is one outlier and loses. */
static void calibrate(bool with_lapic)
{
	struct clock_rates r[3];
	unsigned good = 0, tries = 0;
	while (good < 3 && tries < CALIBRATE_TRIES) {
		tries++;
		if (calibrate_once(with_lapic, &r[good]))
			good++;
	}
	if (good < 3)
		panic("timer: PIT channel 2 gave %u good calibration passes of %u; cannot "
		      "calibrate the TSC",
		      good, tries);
	tsc_hz = median3(r[0].tsc_hz, r[1].tsc_hz, r[2].tsc_hz);
	lapic_hz = median3(r[0].lapic_hz, r[1].lapic_hz, r[2].lapic_hz);
}

static void derive_multipliers(void)
{
	tsc_scale = clock_scale_make(tsc_hz);
	if (lapic_hz >= 1000)
		lapic_scale = clock_scale_make(lapic_hz);
}

static void start_pit_periodic(void)
{
	unsigned divisor = (PIT_FREQ + TIMER_HZ / 2) / TIMER_HZ;
	outb(PIT_CMD, 0x34); /* channel 0, lobyte/hibyte, mode 2 */
	outb(PIT_CH0, divisor & 0xff);
	outb(PIT_CH0, divisor >> 8);
	irq_set_handler(IRQ_TIMER, timer_irq);
	intc_unmask(IRQ_TIMER);
	kprintf("timer: PIT at %d Hz (divisor %u) on IRQ %d\n", TIMER_HZ, divisor, IRQ_TIMER);
}

static const char *mhz(uint64_t hz, char buf[16])
{
	uint64_t m = hz / 1000000, frac = hz / 1000 % 1000;
	format_snprintf(buf, 16, "%lu.%03lu MHz", m, frac);
	return buf;
}

void timer_init(void)
{
	uint32_t r[4];
	cpuid_query(1, 0, r);
	bool deadline_ok = (r[2] & CPUID1_ECX_TSC_DEADLINE) != 0;
	bool apic = intc_apic_mode();
	calibrate(apic);
	tsc0 = rdtsc();
	if (tsc_hz < 1000000 || (apic && !deadline_ok && lapic_hz < 1000000)) {
		kprintf("timer: calibration failed (TSC %lu Hz, LAPIC timer %lu Hz)\n", tsc_hz, lapic_hz);
		panic("timer: cannot calibrate the TSC against the PIT");
	}
	derive_multipliers();
	char b1[16], b2[16];
	if (!apic) {
		mode = MODE_PIT;
		start_pit_periodic();
	} else {
		mode = deadline_ok ? MODE_TSC_DEADLINE : MODE_LAPIC_ONESHOT;
		if (deadline_ok)
			lapic_timer_deadline_mode();
		intc_set_timer_handler(timer_irq);
		timer_arm_at(ktime_ns() + TIMER_TICK_NS);
	}
	kprintf("time: TSC %s calibrated against the PIT (median of 3 passes of %u ms); LAPIC timer %s\n",
	        mhz(tsc_hz, b1), CALIBRATE_MS, apic ? mhz(lapic_hz, b2) : "not used");
	kprintf("time: %s, %u ms heartbeat, resolution %lu ns\n",
	        mode == MODE_PIT            ? "PIT periodic (no APIC)"
	        : mode == MODE_TSC_DEADLINE ? "LAPIC timer TSC-deadline"
	                                    : "LAPIC timer one-shot",
	        (unsigned)(TIMER_TICK_NS / 1000000), timer_resolution_ns());
}
