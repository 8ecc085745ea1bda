/* init's wiring of a service's capabilities (see grants.h). */
#include "grants.h"

#if defined(CAPOS_HOST)
#include <stdio.h>
#include <string.h>
#define grants_snprintf snprintf
#else
#include <capos/fmt.h>
#include <capos/string.h>
#define grants_snprintf capos_snprintf
#endif

int init_grants_for(const struct mf_manifest *m, const struct init_wiring *w, uint32_t s,
                    struct init_grant *out, char *why, size_t why_len)
{
	const struct mf_service *sv = &m->services[s];
	for (uint32_t i = 0; i < sv->cap_count; i++) {
		const struct mf_cap *c = &sv->caps[i];
		struct init_grant *g = &out[i];
		memset(g, 0, sizeof(*g));
		g->name = c->name;
		g->badge = c->badge;
		g->interface_id = mf_cap_interface(m, c);
		if (c->kind == MF_SOURCE_KERNEL && c->kernel == MF_KCAP_ENDPOINT) {
			g->new_endpoint = 1;
			g->badge = 0; /* the owner side; clients carry badges */
			g->serves = c->interface_id;
			g->keep_owner = sv->restart != MF_RESTART_NEVER;
			continue;
		}
		if (c->kind == MF_SOURCE_KERNEL && mf_kernel_cap_per_service(c->kernel)) {
			g->kernel_made = 1; /* the spawn makes it: nothing to pass */
			continue;
		}
		if (c->kind == MF_SOURCE_KERNEL) {
			g->cap_id = c->kernel < MF_KCAP_COUNT ? w->kernel_cap[c->kernel] : 0;
			if (g->cap_id == 0) {
				const char *kind = mf_kernel_cap_name(c->kernel);
				grants_snprintf(why, why_len, "'%.*s' caps[%u] '%.*s': init holds no %s",
				                (int)sv->name.len, sv->name.ptr, i, (int)c->name.len,
				                c->name.ptr, kind ? kind : "such kernel cap");
				return -1;
			}
			continue;
		}
		int j = mf_find_service(m, c->service);
		if (j < 0 || !w->started[j]) {
			grants_snprintf(why, why_len, "'%.*s' caps[%u] '%.*s': '%.*s' did not start",
			                (int)sv->name.len, sv->name.ptr, i, (int)c->name.len, c->name.ptr,
			                (int)c->service.len, c->service.ptr);
			return -1;
		}
		const struct mf_service *ex = &m->services[j];
		for (uint32_t k = 0; k < ex->cap_count; k++)
			if (mf_str_eq(ex->caps[k].name, c->export_name))
				g->cap_id = w->cap_ids[j][k];
		if (g->cap_id == 0) {
			grants_snprintf(why, why_len, "'%.*s' caps[%u] '%.*s': no cap for %.*s.%.*s",
			                (int)sv->name.len, sv->name.ptr, i, (int)c->name.len, c->name.ptr,
			                (int)c->service.len, c->service.ptr, (int)c->export_name.len,
			                c->export_name.ptr);
			return -1;
		}
	}
	return (int)sv->cap_count;
}

void init_wiring_record(struct init_wiring *w, uint32_t s, const struct init_grant *g, uint32_t n,
                        const uint32_t *facets)
{
	uint32_t k = 0;
	w->started[s] = true;
	for (uint32_t i = 0; i < n && i < MF_MAX_CAPS; i++)
		w->cap_ids[s][i] = g[i].new_endpoint ? facets[k++] : g[i].cap_id;
}
