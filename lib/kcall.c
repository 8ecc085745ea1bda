/* The check between decode and perform of a kernel call (kcall.h). */
#include "kcall.h"

#include <capos/abi.h>

const struct kcall_method *kcall_method_find(const struct kcall_method *table, unsigned n,
                                             uint16_t id)
{
	for (unsigned i = 0; i < n; i++)
		if (table[i].id == id)
			return &table[i];
	return 0;
}

uint64_t kcall_result_need(struct kcall_bound b)
{
	if (b.caps == 0)
		return b.bytes;
	return capos_align8(b.bytes) + (uint64_t)b.caps * sizeof(struct capos_cap_record);
}

int kcall_check_room(uint32_t result_len, struct kcall_bound b, uint32_t free_slots)
{
	if (!(result_len == 0 && b.caps == 0) && result_len < kcall_result_need(b))
		return CAPOS_ERR_RESULT_TOO_SMALL;
	if (free_slots < b.caps)
		return CAPOS_ERR_NO_RESOURCES;
	return CAPOS_OK;
}
