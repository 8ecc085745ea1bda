/*
 * MemoryObject: a set of frames owned by capabilities (FrameAllocator.allocMemory).
 * References: one per capability, one per page mapped through
 * MemoryObject.map; the frames are freed with the last reference.
 */
#ifndef CAPOS_CAP_MEMORY_OBJECT_H
#define CAPOS_CAP_MEMORY_OBJECT_H

#include <stdint.h>

#include "registry.h"

#define MEMOBJ_MAX_PAGES     500u   /* per object: the descriptor is one frame */
#define MEMOBJ_SYSTEM_FRAMES 16384u /* all objects together (64 MiB)      */

/* Decode of FrameAllocator.allocMemory: CAPOS_OK, or an invalidArgument
 * exception in c when `pages` is outside 1..MEMOBJ_MAX_PAGES. */
int memory_object_check_pages(struct kcap_call *c, uint32_t pages);

/* Creates an object of `pages` zeroed frames and fills c->caps[0] with a
 * capability to it (holding the creation reference).  Returns CAPOS_OK or
 * an exception in c (invalidArgument / overloaded). */
int memory_object_create(struct kcap_call *c, uint32_t pages);

/* A process that mapped the object (tag = the object) went away with a
 * mapping of `pages` pages and protection prot: drops those references. */
void memory_object_unmapped(uint64_t tag, uint64_t pages, uint32_t prot);

#endif
