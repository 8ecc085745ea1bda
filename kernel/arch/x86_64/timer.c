/*
 * The 8254 PIT, channel 0, mode 2 (rate generator) at TIMER_HZ, on IRQ 0.
 * Divisor = 1193182 / TIMER_HZ (11932 for 100 Hz: 99.998 Hz).
 */
#include "arch/x86_64/timer.h"

#include "arch/x86_64/io.h"
#include "arch/x86_64/pic.h"
#include "arch/x86_64/trap.h"
#include "log.h"

#define PIT_FREQ 1193182u

static volatile uint64_t ticks;

__attribute__((weak)) void timer_tick_hook(struct trap_frame *tf)
{
	(void)tf;
}

static void timer_irq(struct trap_frame *tf)
{
	ticks++;
	timer_tick_hook(tf);
}

uint64_t timer_ticks(void)
{
	return ticks;
}

void timer_init(void)
{
	unsigned divisor = (PIT_FREQ + TIMER_HZ / 2) / TIMER_HZ;
	outb(0x43, 0x34); /* channel 0, lobyte/hibyte, mode 2 */
	outb(0x40, divisor & 0xff);
	outb(0x40, divisor >> 8);
	irq_set_handler(IRQ_TIMER, timer_irq);
	pic_unmask(IRQ_TIMER);
	kprintf("timer: PIT at %d Hz (divisor %u) on IRQ %d\n", TIMER_HZ, divisor, IRQ_TIMER);
}
