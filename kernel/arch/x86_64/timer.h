/* The 8254 PIT on IRQ 0, programmed to TIMER_HZ interrupts per second. */
#ifndef CAPOS_ARCH_TIMER_H
#define CAPOS_ARCH_TIMER_H

#include <stdint.h>

#define TIMER_HZ 100

void timer_init(void);
uint64_t timer_ticks(void);

#endif
