/* Shared memory between the master and its workers. */
#ifndef SLUICE_CORE_SHM_H
#define SLUICE_CORE_SHM_H

#include "shm-t.h"

/* The region, mapped MAP_SHARED by the master before forking; NULL before shm_init(). */
extern struct shm_area *shm;
/* This worker's slot, NULL in the master. */
extern struct shm_slot *shm_self;

/* Maps the region for nslots workers. Returns 0, or -1 with *err set. */
int shm_init(int nslots, char **err);

/* Single-writer counter update: a relaxed load and store, no locked instruction. */
static inline void shm_add(uint64_t *ctr, uint64_t n)
{
    __atomic_store_n(ctr, __atomic_load_n(ctr, __ATOMIC_RELAXED) + n, __ATOMIC_RELAXED);
}

static inline uint64_t shm_get(const uint64_t *ctr)
{
    return __atomic_load_n(ctr, __ATOMIC_RELAXED);
}

#endif
