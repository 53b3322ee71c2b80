/* The shared memory region made by the master before forking. */
#ifndef SLUICE_CORE_SHM_T_H
#define SLUICE_CORE_SHM_T_H

#include <stdint.h>

#define SHM_MAX_SLOTS 64
#define SHM_MAGIC 0x534c5543u /* "SLUC" */

/* Counters of one worker slot. Only the worker in that slot writes them (relaxed atomic
 * stores, no lock); readers (master CLI) sum them with relaxed loads. One cache line each
 * so workers never share a line. */
struct shm_slot {
    int32_t pid;              /* worker pid, 0 when the slot is empty (written by master) */
    uint32_t respawns;        /* times the master restarted this slot (written by master) */
    int64_t started;          /* time the current worker started, unix seconds (master) */
    uint64_t cum_conns;       /* connections accepted since the slot was first started */
    uint64_t cur_conns;       /* connections currently open in this worker */
    uint64_t bytes_in;        /* bytes received from clients */
    uint64_t bytes_out;       /* bytes sent to clients */
    uint64_t accept_errors;   /* failed accept() calls */
} __attribute__((aligned(64)));

#define SHM_TLS_AREA 4096 /* bytes for the TLS layer (ticket keys), laid out by ssl/ */

struct shm_area {
    uint32_t magic;           /* SHM_MAGIC */
    uint32_t nslots;          /* worker slots in use */
    int64_t started;          /* master start time, unix seconds */
    struct shm_slot slots[SHM_MAX_SLOTS];
    /* written by the master only, read by workers under the layout's own seqlock */
    unsigned char tls[SHM_TLS_AREA] __attribute__((aligned(64)));
};

#endif
