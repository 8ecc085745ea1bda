/*
 * CapSet bootstrap page parsing (see capos/capset.h).  The page is written
 * by the kernel, but the runtime still checks it before trusting a count or
 * a name: a bad page must give a clear error, not a wild read.
 */
#include <capos/capset.h>
#include <capos/string.h>

int capos_capset_parse(struct capos_capset *cs, const void *page)
{
	memset(cs, 0, sizeof(*cs));
	if (page == NULL)
		return CAPOS_CAPSET_ABSENT;
	const struct capos_capset_header *h = page;
	if (h->magic != CAPOS_CAPSET_MAGIC)
		return CAPOS_CAPSET_BAD_MAGIC;
	if (h->version != CAPOS_CAPSET_VERSION)
		return CAPOS_CAPSET_BAD_VERSION;
	if (h->entry_size != sizeof(struct capos_capset_entry))
		return CAPOS_CAPSET_BAD_ENTRY_SIZE;
	if (h->count > CAPOS_CAPSET_MAX_ENTRIES)
		return CAPOS_CAPSET_TOO_MANY;
	size_t own = strnlen(h->process_name, CAPOS_CAP_NAME_MAX);
	if (own == CAPOS_CAP_NAME_MAX)
		return CAPOS_CAPSET_BAD_NAME;
	const struct capos_capset_entry *e = (const void *)(h + 1);
	for (uint32_t i = 0; i < h->count; i++) {
		size_t n = strnlen(e[i].name, CAPOS_CAP_NAME_MAX);
		if (n == 0 || n == CAPOS_CAP_NAME_MAX)
			return CAPOS_CAPSET_BAD_NAME;
		for (uint32_t j = 0; j < i; j++)
			if (strcmp(e[i].name, e[j].name) == 0)
				return CAPOS_CAPSET_DUPLICATE;
	}
	cs->hdr = h;
	cs->entries = e;
	cs->count = h->count;
	cs->process_name = h->process_name;
	return CAPOS_CAPSET_OK;
}

const char *capos_capset_strerror(int err)
{
	switch (err) {
	case CAPOS_CAPSET_OK: return "ok";
	case CAPOS_CAPSET_ABSENT: return "no CapSet page";
	case CAPOS_CAPSET_BAD_MAGIC: return "bad magic";
	case CAPOS_CAPSET_BAD_VERSION: return "unsupported version";
	case CAPOS_CAPSET_BAD_ENTRY_SIZE: return "bad entry size";
	case CAPOS_CAPSET_TOO_MANY: return "entry count exceeds the page";
	case CAPOS_CAPSET_BAD_NAME: return "entry name empty, or a name not NUL-terminated";
	case CAPOS_CAPSET_DUPLICATE: return "duplicate entry name";
	default: return "unknown CapSet error";
	}
}

const struct capos_capset_entry *capos_capset_at(const struct capos_capset *cs, uint32_t i)
{
	return i < cs->count ? &cs->entries[i] : NULL;
}

const struct capos_capset_entry *capos_capset_find(const struct capos_capset *cs,
                                                   const char *name, uint64_t interface_id)
{
	if (name == NULL)
		return NULL;
	for (uint32_t i = 0; i < cs->count; i++) {
		const struct capos_capset_entry *e = &cs->entries[i];
		if (strncmp(e->name, name, CAPOS_CAP_NAME_MAX) == 0)
			return e->interface_id == interface_id ? e : NULL;
	}
	return NULL;
}

int capos_capset_lookup(const struct capos_capset *cs, const char *name, uint64_t interface_id,
                        const struct capos_capset_entry **out)
{
	*out = NULL;
	if (name == NULL)
		return CAPOS_ERR_BAD_CAP;
	for (uint32_t i = 0; i < cs->count; i++) {
		const struct capos_capset_entry *e = &cs->entries[i];
		if (strncmp(e->name, name, CAPOS_CAP_NAME_MAX) != 0)
			continue;
		if (e->interface_id != interface_id)
			return CAPOS_ERR_NOT_PERMITTED;
		*out = e;
		return 0;
	}
	return CAPOS_ERR_BAD_CAP;
}

const struct capos_capset_entry *capos_capset_find_interface(const struct capos_capset *cs,
                                                             uint64_t interface_id)
{
	for (uint32_t i = 0; i < cs->count; i++)
		if (cs->entries[i].interface_id == interface_id)
			return &cs->entries[i];
	return NULL;
}
