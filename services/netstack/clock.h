/*
 * Where the netstack's time comes from: the Timer capability the manifest
 * grants (CapSet entry "timer"), whose `now` is the kernel's monotonic
 * clock.  lwIP's sys_now takes its milliseconds; RTTs of pings take its
 * nanoseconds.  Without a Timer (the fake-NIC smoke grants none), the TSC
 * at an assumed rate stands in, and the service logs that it does: lwIP's
 * timers only need rough milliseconds.
 */
#ifndef CAPOS_NETSTACK_CLOCK_H
#define CAPOS_NETSTACK_CLOCK_H

#include <stdbool.h>
#include <stdint.h>

#define NETSTACK_TSC_MHZ_ASSUMED 2000u

/* Installs the clock hook in the lwIP port (Timer if granted, else TSC). */
void netstack_clock_init(void);
/*
 * Nanoseconds on the same clock, read once per loop turn: the first call
 * after netstack_clock_turn() reads the Timer (a kernel entry), later
 * ones return that reading.  Deadlines and lwIP's timers need no more;
 * the loop calls netstack_clock_turn() each time it wakes.
 */
uint64_t netstack_clock_ns(void);
void netstack_clock_turn(void);
/* A fresh reading, for what measures short intervals (ping's RTTs). */
uint64_t netstack_clock_exact_ns(void);
/* A seed for lwIP's random numbers (DHCP xid, TCP ISN, ports). */
uint64_t netstack_clock_seed(void);

#endif
