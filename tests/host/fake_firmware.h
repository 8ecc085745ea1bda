/*
 * Synthetic firmware memory for the host tests of lib/acpi.c and
 * lib/dmar.c: physical address = offset into mem (MEM_SIZE bytes, which
 * the includer defines first), read through ops as the kernel's
 * acpi_read_ops would, and written with the little-endian put16/32/64.
 * Reads past the end fail, as an unmapped physical range does.
 */
#ifndef CAPOS_TESTS_FAKE_FIRMWARE_H
#define CAPOS_TESTS_FAKE_FIRMWARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "acpi.h"

#ifndef MEM_SIZE
#error "define MEM_SIZE (bytes of fake physical memory) before including fake_firmware.h"
#endif

static uint8_t mem[MEM_SIZE];

static bool mem_read(void *ctx, uint64_t pa, void *buf, size_t len)
{
	(void)ctx;
	if (pa > MEM_SIZE || len > MEM_SIZE - pa)
		return false;
	memcpy(buf, mem + pa, len);
	return true;
}
static const struct acpi_read_ops ops = {.read = mem_read};

static inline void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}
static inline void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)v);
	put32(p + 4, (uint32_t)(v >> 32));
}

#endif
