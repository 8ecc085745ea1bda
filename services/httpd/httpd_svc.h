/* services/httpd: the HTTP service's parts (main.c, config.c, sock.c). */
#ifndef CAPOS_SERVICES_HTTPD_SVC_H
#define CAPOS_SERVICES_HTTPD_SVC_H

#include <stdint.h>

#include "httpd.h"

#define HTTPD_PORT          80
#define HTTPD_BACKLOG       16
#define HTTPD_DEFAULT_CONNS 56 /* under the netstack's 64 facets per endpoint */
#define HTTPD_CALLS_MAX     24 /* under the ring's 32 completion slots */
#define HTTPD_DEFAULT_CALLS 8 /* the netstack's endpoint takes 16 calls from all its clients */

/* Defaults, then the command line's httpd.* words; *calls: receives and
 * sends in flight at once. */
void httpd_svc_config(struct httpd_config *cfg, uint32_t *calls);

#endif
