/* Writer claims and whole-copy reads for slots of shared memory (the TLS session cache and
 * the ticket keys). A sequence lock, as before, with the writer's pid in the same word:
 *
 * - A writer moves the word from (even sequence, 0) to (sequence + 1, its pid) with one
 *   compare-and-swap, writes, and releases to (sequence + 2, 0). A writer killed in between
 *   leaves the word odd: without the pid, that slot was lost for good (every later writer
 *   saw "busy", every reader "being written"). With it, the next writer sees that the
 *   process is gone and takes the claim over, to (sequence + 2, its pid): still odd, and a
 *   sequence no reader started from.
 * - A reader keeps a copy only when the word was even before it and unchanged after it: a
 *   write in progress, a write that died, and a write that began and ended during the copy
 *   all change or oddify the word. A torn copy is never used.
 *
 * The liveness test is kill(pid, 0): ESRCH means the writer is gone. A writer that is alive
 * (or a zombie not yet reaped by the master, or an unrelated process that got its pid) keeps
 * the slot: a miss, never a torn copy. No claim is taken over because it is old: a writer
 * that is only slow (stopped, preempted) would go on writing into a slot another writer
 * owns, and readers could then accept its half-written bytes. */
#include "tls-slot.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define SEQ(w) ((uint32_t)((w) >> 32))
#define PID(w) ((uint32_t)(w))
#define WORD(seq, pid) ((uint64_t)(uint32_t)(seq) << 32 | (uint32_t)(pid))

/* 1 when the process that claimed a slot can no longer be writing to it. */
static int writer_dead(uint32_t pid, uint32_t self)
{
    if (!pid || pid == self)
        return 1; /* not ours: we are not writing; a previous process with our pid was */
    return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

int tls_slot_claim(struct tls_slot_lock *l, uint64_t *claim)
{
    uint32_t self = (uint32_t)getpid();
    uint64_t cur = __atomic_load_n(&l->word, __ATOMIC_ACQUIRE), want;
    int took_over = 0;

    if (SEQ(cur) & 1) {
        if (!writer_dead(PID(cur), self))
            return -1;
        want = WORD(SEQ(cur) + 2, self); /* stays odd: the content is still garbage */
        took_over = 1;
    } else {
        want = WORD(SEQ(cur) + 1, self);
    }
    /* acquire: the writes that follow cannot be seen before the claim */
    if (!__atomic_compare_exchange_n(&l->word, &cur, want, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_RELAXED))
        return -1;
    *claim = want;
    return took_over;
}

void tls_slot_release(struct tls_slot_lock *l, uint64_t claim)
{
    uint64_t cur = claim;

    /* release: the content is seen before the even sequence. A compare-and-swap rather than
     * a store: a claim taken over meanwhile (only if this process was taken for dead) stays
     * its new owner's. */
    __atomic_compare_exchange_n(&l->word, &cur, WORD(SEQ(claim) + 1, 0), 0, __ATOMIC_RELEASE,
                                __ATOMIC_RELAXED);
}

uint64_t tls_slot_read_begin(const struct tls_slot_lock *l)
{
    return __atomic_load_n(&l->word, __ATOMIC_ACQUIRE);
}

int tls_slot_read_ok(const struct tls_slot_lock *l, uint64_t w)
{
    /* the copy's loads are done before the second look at the word */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    return !tls_slot_busy(w) && __atomic_load_n(&l->word, __ATOMIC_RELAXED) == w;
}

int tls_slot_copy(const struct tls_slot_lock *l, void *dst, const void *src, size_t len,
                  int tries, uint64_t *word)
{
    for (int i = 0; i < tries; i++) {
        uint64_t w = tls_slot_read_begin(l);

        if (tls_slot_busy(w))
            continue;
        memcpy(dst, src, len);
        if (tls_slot_read_ok(l, w)) {
            if (word)
                *word = w;
            return 0;
        }
    }
    return -1;
}
