/* Type of the writer claim that guards a slot of shared memory (tls-slot.c). */
#ifndef SLUICE_SSL_TLS_SLOT_T_H
#define SLUICE_SSL_TLS_SLOT_T_H

#include <stdint.h>

/* One word, changed only with atomic operations: the sequence in the high 32 bits (odd while
 * a writer holds the slot) and, while it is odd, the writer's pid in the low 32 bits. The pid
 * is what lets another process tell a write in progress from a write whose process died. */
struct tls_slot_lock {
    uint64_t word;          /* sequence << 32 | writer pid (0 when even); 0: never written */
};

#endif
