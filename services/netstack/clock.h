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

#include <stdint.h>

#define NETSTACK_TSC_MHZ_ASSUMED 2000u

/* Installs the clock hook in the lwIP port (Timer if granted, else TSC). */
void netstack_clock_init(void);
/* Nanoseconds on the same clock: the TSC between Timer readings, one
 * each TSC_CLOCK_RESYNC_NS at most (lib/tsc_clock.h). */
uint64_t netstack_clock_ns(void);
/* How many times the Timer was read (the exit line's counter). */
uint64_t netstack_clock_timer_reads(void);
/* A seed for lwIP's random numbers (DHCP xid, TCP ISN, ports). */
uint64_t netstack_clock_seed(void);

#endif
