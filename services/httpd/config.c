/*
 * httpd's settings: defaults, then the kernel command line's `httpd.*`
 * words (read through the BootPackage schema view "boot", when the
 * manifest grants one).  `make run-net` puts a fresh shutdown token there.
 */
#include <capos/rt.h>

#include "boot_cmdline.h"
#include "capos.capnp.rpc.h"
#include "httpd_svc.h"

#define MS 1000000ull

/* A number setting in 1..max, or the default; a bad value is logged. */
static uint32_t number(const char *line, const char *key, uint32_t max, uint32_t def)
{
	char v[16];
	uint32_t n;
	if (!boot_cmdline_get(line, key, v, sizeof v))
		return def;
	if (boot_cmdline_parse_uint(v, max, &n))
		return n;
	capos_printf("[httpd] %s=%s is not a number in 1..%u: %u used\n", key, v, max, def);
	return def;
}

/* The kernel command line, or "" without a "boot" cap. */
static void read_cmdline(char *line, size_t cap)
{
	capos_BootPackage_Client boot;
	capos_BootPackage_commandLine_Reply r;
	struct capos_call_error err;
	line[0] = '\0';
	if (capos_BootPackage_Client_open(&boot, "boot") != 0)
		return;
	if (capos_BootPackage_commandLine(&boot, &r, &err) != 0) {
		char why[128];
		capos_error_format(&err, why, sizeof why);
		capos_printf("[httpd] BootPackage.commandLine failed: %s\n", why);
		return;
	}
	size_t n = r.text.len < cap - 1 ? r.text.len : cap - 1;
	memcpy(line, r.text.str, n);
	line[n] = '\0';
}

void httpd_svc_config(struct httpd_config *cfg, uint32_t *calls)
{
	static char line[256];
	read_cmdline(line, sizeof line);
	memset(cfg, 0, sizeof *cfg);
	cfg->port = HTTPD_PORT;
	cfg->max_conns = number(line, "httpd.max_conns", HTTPD_CONNS_MAX, HTTPD_DEFAULT_CONNS);
	cfg->idle_timeout_ns = number(line, "httpd.idle_ms", 3600000, 15000) * MS;
	cfg->request_timeout_ns = number(line, "httpd.request_ms", 3600000, 10000) * MS;
	cfg->send_timeout_ns = number(line, "httpd.send_ms", 3600000, 10000) * MS;
	*calls = number(line, "httpd.calls", HTTPD_CALLS_MAX, HTTPD_DEFAULT_CALLS);
	char token[HTTPD_TOKEN_MAX + 1];
	if (boot_cmdline_get(line, "httpd.token", token, sizeof token) && token[0])
		kstrlcpy(cfg->token, token, sizeof cfg->token);
	capos_printf("[httpd] limits: %u connections, %u calls in flight, idle %lu ms, request %lu ms, "
	             "send %lu ms; /shutdown %s\n",
	             cfg->max_conns, *calls, (unsigned long)(cfg->idle_timeout_ns / MS),
	             (unsigned long)(cfg->request_timeout_ns / MS),
	             (unsigned long)(cfg->send_timeout_ns / MS),
	             cfg->token[0] ? "enabled (httpd.token)" : "disabled (no httpd.token)");
}
