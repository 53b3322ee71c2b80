/* Slots of shared memory written by one process at a time, read by any, without locks: a
 * sequence lock whose writer claim names the writer, so that the claim of a writer that died
 * mid-write can be taken over, and readers that accept only a copy no writer touched. */
#ifndef SLUICE_SSL_TLS_SLOT_H
#define SLUICE_SSL_TLS_SLOT_H

#include <stddef.h>
#include <stdint.h>

#include "tls-slot-t.h"

/* Claims the slot for writing. The claim of a writer whose process no longer exists
 * (kill(pid, 0) fails with ESRCH, or the pid is the caller's own: a previous process with
 * that pid) is taken over. Never waits. Returns 0 with *claim set, 1 when a dead writer's
 * claim was taken over (*claim set too: the slot's content is garbage until written), or -1
 * when a live writer holds the slot (or another claimed it at the same instant). */
int tls_slot_claim(struct tls_slot_lock *l, uint64_t *claim);

/* Ends the write begun by a successful tls_slot_claim(): readers may use the slot again. */
void tls_slot_release(struct tls_slot_lock *l, uint64_t claim);

/* Starts a read: returns the word to give to tls_slot_read_ok(). A word with an odd sequence
 * (tls_slot_busy()) means a write is in progress, or its writer died: the content is not to
 * be used. */
uint64_t tls_slot_read_begin(const struct tls_slot_lock *l);

/* 1 when a word from tls_slot_read_begin() says a write holds (or held, and died) the slot. */
static inline int tls_slot_busy(uint64_t word)
{
    return (word >> 32) & 1;
}

/* Ends a read begun with word w: 1 when no writer touched the slot meanwhile (what was
 * copied is whole), 0 otherwise (the copy must be thrown away). */
int tls_slot_read_ok(const struct tls_slot_lock *l, uint64_t w);

/* Copies len bytes at src (in the slot guarded by l) to dst, up to tries times until a copy
 * is whole. Returns 0 with *word (if not NULL) set to the word the copy matches, or -1 when
 * no whole copy was made: then dst holds garbage, so callers copy into scratch memory and
 * keep what they had. */
int tls_slot_copy(const struct tls_slot_lock *l, void *dst, const void *src, size_t len,
                  int tries, uint64_t *word);

#endif
