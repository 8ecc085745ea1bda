/*
 * Where the netstack's milliseconds (lwIP's sys_now) come from.  A Timer
 * capability's `now` is the right source; until the runtime has a Timer
 * client, the TSC at an assumed rate stands in (lwIP's timers only need
 * rough milliseconds: DHCP and TCP retransmissions, ARP ageing).
 *
 * netstack_timer_clock is a weak hook: a Timer client linked into the
 * service defines it, returns true and the TSC is not used.
 */
#ifndef CAPOS_NETSTACK_CLOCK_H
#define CAPOS_NETSTACK_CLOCK_H

#include <stdbool.h>
#include "lwip_port.h"

#define NETSTACK_TSC_MHZ_ASSUMED 2000u

bool netstack_timer_clock(lwip_port_clock_fn *fn, void **ctx, const char **name);

/* Installs the clock hook in the lwIP port (Timer if linked, else TSC). */
void netstack_clock_init(void);
/* A seed for lwIP's random numbers (DHCP xid, TCP ISN, ports). */
uint64_t netstack_clock_seed(void);

#endif
