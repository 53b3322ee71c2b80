/* Unit tests: writer claims on shared-memory slots (ssl/tls-slot.c) and their users, the
 * shared TLS session cache (ssl/tls-sess.c) and the ticket keys (ssl/tls-ticket.c).
 *
 * Writers that die mid-write are real processes: a forked child claims a slot, scribbles
 * half of it and exits without releasing it (or is killed while writing in a loop). The
 * checks: a reader never accepts a copy a writer touched, a new writer takes over a dead
 * writer's claim (never a live one's), and a worker keeps its previous ticket keys rather
 * than a torn copy. */
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tap.h"
#include "tls-sess.h"
#include "tls-slot.h"
#include "tls-ticket.h"

#define DATA 4096

struct region {
    struct tls_slot_lock lock;
    uint8_t data[DATA];
};

static void *shared_zero(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    if (p == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    return p;
}

static int uniform(const uint8_t *d, size_t len)
{
    for (size_t i = 1; i < len; i++)
        if (d[i] != d[0])
            return 0;
    return 1;
}

/* A child that claims l, writes half of `half` bytes at p with 0xEE, and exits without
 * releasing: a writer killed mid-write. Returns once the child is reaped. */
static void die_mid_write(struct tls_slot_lock *l, uint8_t *p, size_t half)
{
    pid_t pid = fork();

    if (pid == 0) {
        uint64_t claim;

        if (tls_slot_claim(l, &claim) < 0)
            _exit(3);
        memset(p, 0xEE, half);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    is_int(WIFEXITED(st) ? WEXITSTATUS(st) : -1, 0, "the dying writer got its claim");
}

static void test_basics(void)
{
    struct region *r = shared_zero(sizeof(*r));
    uint8_t copy[DATA];
    uint64_t claim, w;

    is_int(tls_slot_claim(&r->lock, &claim), 0, "a fresh slot is claimed");
    ok(tls_slot_busy(tls_slot_read_begin(&r->lock)), "readers see a claimed slot as busy");
    is_int(tls_slot_copy(&r->lock, copy, r->data, DATA, 10, NULL), -1,
           "no copy while the writer holds it");
    memset(r->data, 7, DATA);
    tls_slot_release(&r->lock, claim);
    w = tls_slot_read_begin(&r->lock);
    ok(!tls_slot_busy(w), "released: not busy");
    is_int(tls_slot_copy(&r->lock, copy, r->data, DATA, 1, NULL), 0, "released: a whole copy");
    ok(copy[0] == 7 && uniform(copy, DATA), "the copy is what was written");
    /* a write between the two looks at the word spoils a read */
    w = tls_slot_read_begin(&r->lock);
    is_int(tls_slot_claim(&r->lock, &claim), 0, "claimed again");
    tls_slot_release(&r->lock, claim);
    is_int(tls_slot_read_ok(&r->lock, w), 0, "a read across a whole write is refused");
    munmap(r, sizeof(*r));
}

static void test_dead_writer(void)
{
    struct region *r = shared_zero(sizeof(*r));
    uint8_t copy[DATA];
    uint64_t claim, w0;
    int rc;

    memset(r->data, 1, DATA);
    w0 = tls_slot_read_begin(&r->lock);
    die_mid_write(&r->lock, r->data, DATA / 2);
    ok(tls_slot_busy(tls_slot_read_begin(&r->lock)), "dead writer: the slot stays odd");
    is_int(tls_slot_read_ok(&r->lock, w0), 0, "a read begun before the death is refused");
    is_int(tls_slot_copy(&r->lock, copy, r->data, DATA, 100, NULL), -1,
           "dead writer: readers never accept the half-written slot (100 tries)");
    rc = tls_slot_claim(&r->lock, &claim);
    is_int(rc, 1, "a new writer takes the dead writer's claim over");
    ok(tls_slot_busy(tls_slot_read_begin(&r->lock)), "taken over: still busy for readers");
    memset(r->data, 2, DATA);
    tls_slot_release(&r->lock, claim);
    is_int(tls_slot_copy(&r->lock, copy, r->data, DATA, 1, NULL), 0,
           "after the new write: a whole copy");
    ok(copy[0] == 2 && uniform(copy, DATA), "the copy is the new writer's");
    munmap(r, sizeof(*r));
}

static void test_live_writer(void)
{
    struct region *r = shared_zero(sizeof(*r));
    uint64_t claim;
    int fds[2], st;
    char c;
    pid_t pid;

    if (pipe(fds) < 0)
        exit(2);
    pid = fork();
    if (pid == 0) {
        uint64_t cl;

        if (tls_slot_claim(&r->lock, &cl) < 0)
            _exit(3);
        if (write(fds[1], "c", 1) != 1)
            _exit(4);
        pause(); /* holds the claim until killed */
        _exit(0);
    }
    is_int(read(fds[0], &c, 1), 1, "the live writer holds its claim");
    is_int(tls_slot_claim(&r->lock, &claim), -1, "a live writer's claim is not taken over");
    kill(pid, SIGKILL);
    /* until the master reaps it, a killed process still exists: the slot stays its */
    usleep(50000);
    is_int(tls_slot_claim(&r->lock, &claim), -1, "nor a zombie's (not reaped yet)");
    waitpid(pid, &st, 0);
    is_int(tls_slot_claim(&r->lock, &claim), 1, "reaped: taken over");
    tls_slot_release(&r->lock, claim);
    close(fds[0]);
    close(fds[1]);
    munmap(r, sizeof(*r));
}

/* A writer rewrites the slot (each write one byte value, in two halves) as fast as it can
 * while the parent reads; then it is killed wherever it is. Every copy a reader accepts must
 * be uniform. */
static void test_concurrent(void)
{
    struct region *r = shared_zero(sizeof(*r));
    uint8_t copy[DATA];
    long accepted = 0, refused = 0, torn_accepted = 0;
    uint64_t claim;
    struct timespec t0, t;
    int st;
    pid_t pid;

    memset(r->data, 0, DATA);
    pid = fork();
    if (pid == 0) {
        for (unsigned i = 1;; i++) {
            uint64_t cl;

            if (tls_slot_claim(&r->lock, &cl) < 0)
                continue;
            memset(r->data, (int)(i & 0xff), DATA / 2);
            memset(r->data + DATA / 2, (int)(i & 0xff), DATA / 2);
            tls_slot_release(&r->lock, cl);
        }
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do {
        if (tls_slot_copy(&r->lock, copy, r->data, DATA, 1, NULL) == 0) {
            accepted++;
            torn_accepted += !uniform(copy, DATA);
        } else {
            refused++;
        }
        clock_gettime(CLOCK_MONOTONIC, &t);
    } while ((t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000 < 300);
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    printf("# concurrent: %ld copies accepted, %ld refused\n", accepted, refused);
    is_int(torn_accepted, 0, "no torn copy accepted while a writer runs");
    /* the writer died wherever it was: a reader takes no copy until a new write if it died
     * inside one, and a whole one otherwise */
    for (int i = 0; i < 1000; i++)
        if (tls_slot_copy(&r->lock, copy, r->data, DATA, 1, NULL) == 0 && !uniform(copy, DATA))
            torn_accepted++;
    is_int(torn_accepted, 0, "no torn copy accepted after the writer was killed");
    ok(tls_slot_claim(&r->lock, &claim) >= 0, "a new writer gets the slot after the kill");
    memset(r->data, 9, DATA);
    tls_slot_release(&r->lock, claim);
    ok(tls_slot_copy(&r->lock, copy, r->data, DATA, 1, NULL) == 0 && copy[0] == 9 &&
           uniform(copy, DATA), "and readers get its write");
    munmap(r, sizeof(*r));
}

/* The session cache: a slot whose writer died was lost for good; now it is a miss until the
 * next store, which takes it over. */
static void test_session_cache(void)
{
    const uint8_t id[32] = "session-id-0123456789abcdef0123";
    uint8_t sess[300], out[DATA];
    struct tls_slot_lock *l;
    uint64_t exp = (uint64_t)time(NULL) + 300;

    is_int(tls_sess_map(64), 0, "cache mapped");
    memset(sess, 0x11, sizeof(sess));
    is_int(tls_sess_store(id, sizeof(id), sess, sizeof(sess), exp), 0, "session stored");
    is_int(tls_sess_lookup(id, sizeof(id), out), (int)sizeof(sess), "session found");
    ok(!memcmp(out, sess, sizeof(sess)), "same bytes");
    l = tls_sess_slot_lock(id, sizeof(id), 0);
    ok(l != NULL, "its slot's claim");
    /* a worker dies while writing that slot (it only got to claim it and scribble nothing
     * we can see: the claim alone is what poisoned the slot) */
    die_mid_write(l, out, 1);
    is_int(tls_sess_lookup(id, sizeof(id), out), -1, "dead writer: a miss, not the old bytes");
    memset(sess, 0x22, sizeof(sess));
    is_int(tls_sess_store(id, sizeof(id), sess, sizeof(sess), exp), 0,
           "the next store takes the slot over (it was refused forever before)");
    is_int(tls_sess_lookup(id, sizeof(id), out), (int)sizeof(sess), "found again");
    ok(out[0] == 0x22 && uniform(out, sizeof(sess)), "with the new bytes");
}

/* Ticket keys: a worker keeps its keys while the master writes or after it died writing,
 * and takes the new ones once a whole write is there. */
static void test_ticket_keys(void)
{
    uint8_t *area = shared_zero(tls_tickets_area_size());
    uint8_t n1[16], n2[16], n3[16];
    int fds[2], st;
    char c;
    pid_t pid;

    tls_tickets_use_area(area);
    is_int(tls_tickets_current(n1), -1, "no keys yet");
    tls_tickets_rotate();
    is_int(tls_tickets_current(n1), 0, "keys after the first rotation");

    /* a writer (a master) that holds the area and rewrites it with garbage forever */
    if (pipe(fds) < 0)
        exit(2);
    pid = fork();
    if (pid == 0) {
        uint64_t cl;

        if (tls_slot_claim((struct tls_slot_lock *)area, &cl) < 0)
            _exit(3);
        if (write(fds[1], "c", 1) != 1)
            _exit(4);
        for (unsigned i = 0;; i++)
            memset(area + sizeof(struct tls_slot_lock), (int)i,
                   tls_tickets_area_size() - sizeof(struct tls_slot_lock));
    }
    is_int(read(fds[0], &c, 1), 1, "a writer holds the keys and scribbles them");
    is_int(tls_tickets_current(n2), 0, "while it writes: the worker still has keys");
    ok(!memcmp(n1, n2, 16), "its previous keys, not a torn copy (the 100 tries fail)");
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    is_int(tls_tickets_current(n2), 0, "the writer died mid-write: keys still there");
    ok(!memcmp(n1, n2, 16), "still the previous ones");
    tls_tickets_rotate(); /* a new master: takes the claim over, starts the keys afresh */
    is_int(tls_tickets_current(n3), 0, "after the new master's rotation: keys");
    ok(memcmp(n1, n3, 16) != 0, "the new ones");
    ok(!uniform(n3, 16), "a real key name, not the scribbler's pattern");
    tls_tickets_use_area(NULL);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    test_basics();
    test_dead_writer();
    test_live_writer();
    test_concurrent();
    test_session_cache();
    test_ticket_keys();
    return done_testing();
}
