/* The master process: forks one worker per slot, respawns a crashed worker at once (with a
 * back-off only for a crash loop), relays stop signals, serves the master CLI. Workers inherit
 * their slot's listening sockets and a channel (chan.h) whose end-of-file tells them the
 * master is gone. On that channel the master relays a change made on a stats socket to every
 * other worker and collects their acknowledgements, and lends an empty slot's listening
 * sockets to a live worker until the slot's new worker is ready, so that no connection waits
 * in a queue nobody accepts from. The master never parses what a worker relays: it stores it
 * as opaque bytes, replayed by every worker it forks later. */
#include "mworker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "chan.h"
#include "cli.h"
#include "global.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "shm.h"
#include "str.h"
#include "worker.h"

#define MW_RESPAWN_MAX_DELAY 10.0  /* seconds between restarts of a crash-looping worker */
#define MW_STABLE_AFTER      10.0  /* a worker alive this long resets its slot's back-off */

struct mw_slot {
    pid_t pid;             /* worker, 0 when none runs */
    struct chan ch;        /* channel to the worker (ch.fd -1 when none) */
    int ready;             /* the worker reported its loop running */
    int adopter;           /* slot accepting on this slot's sockets while it has no worker
                            * ready, -1 when none */
    int needs_stand_in;    /* its worker died and no successor is ready yet: its sockets are
                            * lent (never at first start: a worker forked then holds them) */
    ev_tstamp started;     /* loop time the worker started */
    time_t started_wall;   /* wall clock time it started (show proc) */
    int fails;             /* consecutive quick deaths */
    ev_timer respawn;      /* pending restart */
};

/* A change relayed to every other worker, waiting for their acknowledgements. */
struct mw_bcast {
    uint32_t id;           /* sequence number of the 'M' frames */
    int from;              /* slot that asked for it */
    pid_t from_pid;        /* its worker then (no answer to a successor) */
    uint32_t from_seq;     /* its request's sequence number, echoed in the answer */
    uint64_t waiting;      /* slots that did not acknowledge yet (bit per slot) */
    uint64_t failed;       /* slots that could not apply it */
    uint64_t unsent;       /* slots whose channel would not take it (queue full) */
    pid_t pids[SHM_MAX_SLOTS]; /* worker of each slot it was sent to */
    ev_timer tmo;
    struct mw_bcast *next;
};

/* A relayed change, kept for the workers forked later (one per type and key). */
struct mw_replay {
    uint8_t type;
    uint32_t key;
    uint32_t len;
    struct mw_replay *next;
    unsigned char data[];
};

static struct mw_bcast *bcasts;
static uint32_t bcast_ids;
static struct mw_replay *replays;
static size_t replay_bytes;
static int nbcasts;

static struct mw_slot slots[SHM_MAX_SLOTS];
static mw_hook_fn master_hooks[8], child_hooks[8];
static int nmaster_hooks, nchild_hooks;

void mw_register_master_start(mw_hook_fn fn)
{
    if (nmaster_hooks < 8)
        master_hooks[nmaster_hooks++] = fn;
}

void mw_register_child_init(mw_hook_fn fn)
{
    if (nchild_hooks < 8)
        child_hooks[nchild_hooks++] = fn;
}
static int nslots;
static enum { MW_RUNNING, MW_SOFT_STOP, MW_HARD_STOP } state;
static ev_signal sigs[5];
static ev_child child_watcher; /* libev reaps children itself (SIGCHLD) and reports here */
static ev_timer hard_stop_timer;
static time_t master_started;

/* ---- forking ----------------------------------------------------------------------------- */

/* In the child: drop everything that belongs to the master before running the worker. */
static void child_cleanup(int slot)
{
    loop_after_fork();
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        ev_signal_stop(loop, &sigs[i]);
    ev_child_stop(loop, &child_watcher);
    ev_timer_stop(loop, &hard_stop_timer);
    for (int i = 0; i < nslots; i++) {
        ev_timer_stop(loop, &slots[i].respawn);
        chan_close(&slots[i].ch);
    }
    while (bcasts) {
        struct mw_bcast *b = bcasts;

        bcasts = b->next;
        ev_timer_stop(loop, &b->tmo);
        free(b);
    }
    cli_child_init(slot);
    for (int i = 0; i < nchild_hooks; i++)
        child_hooks[i]();
}

static void master_msg(struct chan *c, uint8_t type, uint32_t seq, const uint8_t *data,
                       uint32_t len);
static void master_chan_closed(struct chan *c);

static int fork_worker(int slot)
{
    sigset_t all, old;
    int sp[2];
    pid_t pid;

    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp) < 0) {
        log_alert("cannot create the channel of worker #%d: %s", slot + 1, strerror(errno));
        return -1;
    }
    /* Signals are blocked across fork: until the child has dropped the master's handlers, a
     * SIGTERM would run them in the child (writing into the master's event pipe) and be lost,
     * and the worker would outlive a stop by the master's 2 s grace. The child then takes
     * the default dispositions, so a stop that arrives before it installs its own handlers
     * still ends it. */
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, &old);
    pid = fork();
    if (pid < 0) {
        sigprocmask(SIG_SETMASK, &old, NULL);
        log_alert("cannot fork worker #%d: %s", slot + 1, strerror(errno));
        close(sp[0]);
        close(sp[1]);
        return -1;
    }
    if (pid == 0) {
        close(sp[0]);
        child_cleanup(slot);
        /* SIGHUP and SIGUSR2 are ignored by workers (no reload yet): never let one kill a
         * worker that has not installed its handlers; the others stop it, as they would */
        for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
            signal(sigs[i].signum, sigs[i].signum == SIGHUP || sigs[i].signum == SIGUSR2
                                       ? SIG_IGN : SIG_DFL);
        sigprocmask(SIG_SETMASK, &old, NULL);
        wrk_run(slot, sp[1]);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
    close(sp[1]);
    /* non-blocking with an output queue: a stuck worker never blocks the master */
    chan_init(&slots[slot].ch, sp[0], master_msg, master_chan_closed, &slots[slot]);
    slots[slot].ready = 0;
    slots[slot].pid = pid;
    slots[slot].started = loop_now();
    slots[slot].started_wall = time(NULL);
    __atomic_store_n(&shm->slots[slot].pid, (int32_t)pid, __ATOMIC_RELAXED);
    shm->slots[slot].started = (int64_t)slots[slot].started_wall;
    return 0;
}

static void respawn_cb(struct ev_loop *lp, ev_timer *w, int revents)
{
    int slot;

    for (slot = 0; slot < nslots; slot++)
        if (&slots[slot].respawn == w)
            break;
    if (state != MW_RUNNING || slot == nslots || slots[slot].pid)
        return;
    if (fork_worker(slot) == 0) {
        if (slot == 0)
            chan_send(&slots[0].ch, MWF_SERVE_CLI, 0, NULL, 0, NULL, 0);
        shm->slots[slot].respawns++;
        log_notice("worker #%d restarted (pid %d)", slot + 1, (int)slots[slot].pid);
    } else {
        /* Could not fork now: try again later rather than leave the slot empty. */
        ev_timer_set(w, 1.0, 0);
        ev_timer_start(loop, w);
    }
}

/* ---- stopping ---------------------------------------------------------------------------- */

static int live_workers(void)
{
    int n = 0;

    for (int i = 0; i < nslots; i++)
        n += slots[i].pid != 0;
    return n;
}

/* Removes the pid file when it still names this process: a new master started meanwhile
 * may have written its own. */
static void remove_pidfile(void)
{
    char buf[32] = "";
    FILE *f;

    if (!global.pidfile || !(f = fopen(global.pidfile, "r")))
        return;
    if (fgets(buf, sizeof(buf), f) && atoi(buf) == (int)getpid())
        unlink(global.pidfile);
    fclose(f);
}

static void master_exit(int code)
{
    if (state != MW_RUNNING)
        remove_pidfile();
    exit(code);
}

/* SIGTERM/SIGINT: every worker stops at once; the master then dies of the same signal, as
 * HAProxy's master does (varnishtest expects it). */
static void hard_stop(int sig)
{
    ev_tstamp deadline;

    state = MW_HARD_STOP;
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid)
            kill(slots[i].pid, SIGTERM);
    /* Wait briefly so that no worker outlives the master. */
    deadline = ev_time() + 2.0;
    while (live_workers() && ev_time() < deadline) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);

        if (pid > 0) {
            for (int i = 0; i < nslots; i++)
                if (slots[i].pid == pid)
                    slots[i].pid = 0;
        } else {
            usleep(5000);
        }
    }
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid)
            kill(slots[i].pid, SIGKILL);
    remove_pidfile();
    signal(sig, SIG_DFL);
    raise(sig);
    exit(128 + sig);
}

static void hard_stop_timer_cb(struct ev_loop *lp, ev_timer *w, int revents)
{
    log_warning("hard-stop-after reached: killing %d remaining worker%s", live_workers(),
                live_workers() == 1 ? "" : "s");
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid)
            kill(slots[i].pid, SIGTERM);
}

/* SIGUSR1: stop accepting everywhere, let workers finish their connections, then exit. */
static void soft_stop(void)
{
    if (state != MW_RUNNING)
        return;
    state = MW_SOFT_STOP;
    log_notice("soft stop: %d worker%s finishing in-flight connections", live_workers(),
               live_workers() == 1 ? "" : "s");
    lsn_close_all();
    for (int i = 0; i < nslots; i++) {
        ev_timer_stop(loop, &slots[i].respawn);
        if (slots[i].pid)
            kill(slots[i].pid, SIGUSR1);
    }
    if (global.hard_stop_after) {
        ev_timer_init(&hard_stop_timer, hard_stop_timer_cb, global.hard_stop_after / 1000.0 + 1,
                      0);
        ev_timer_start(loop, &hard_stop_timer);
    }
    if (!live_workers())
        master_exit(0);
}

/* ---- reaping ----------------------------------------------------------------------------- */

static void describe_status(int status, char *buf, size_t len)
{
    if (WIFSIGNALED(status))
        snprintf(buf, len, "was killed by signal %d (%s)%s", WTERMSIG(status),
                 strsignal(WTERMSIG(status)), WCOREDUMP(status) ? ", core dumped" : "");
    else
        snprintf(buf, len, "exited with code %d", WEXITSTATUS(status));
}

static void bcast_worker_gone(int slot);
static void adopt_slot(int slot);

static void worker_died(int slot, int status)
{
    struct mw_slot *s = &slots[slot];
    char why[128];
    double delay;

    describe_status(status, why, sizeof(why));
    s->pid = 0;
    s->ready = 0;
    __atomic_store_n(&shm->slots[slot].pid, 0, __ATOMIC_RELAXED);
    /* the dead worker's connections are gone with it */
    __atomic_store_n(&shm->slots[slot].cur_conns, 0, __ATOMIC_RELAXED);
    chan_close(&s->ch);
    bcast_worker_gone(slot);
    if (state != MW_RUNNING) {
        log_debug("worker #%d %s", slot + 1, why);
        return;
    }
    /* Its sockets stay open in the master (their queues survive) and are lent to a live
     * worker until the slot's new worker is ready (unless a worker still holds them: it
     * died before it was ready); so are those it was itself adopting. */
    for (int i = 0; i < nslots; i++)
        if (slots[i].adopter == slot) {
            slots[i].adopter = -1;
            adopt_slot(i);
        }
    s->needs_stand_in = 1;
    adopt_slot(slot);
    /* At once, unless the slot is crash-looping: then 0.1s, 0.2s, ... up to 10s. */
    s->fails = loop_now() - s->started >= MW_STABLE_AFTER ? 1 : s->fails + 1;
    delay = s->fails <= 1 ? 0 : 0.1 * (double)(1u << (s->fails > 9 ? 7 : s->fails - 2));
    if (delay > MW_RESPAWN_MAX_DELAY)
        delay = MW_RESPAWN_MAX_DELAY;
    if (delay > 0)
        log_alert("worker #%d %s; crash loop: restarting it in %.1fs", slot + 1, why, delay);
    else
        log_alert("worker #%d %s; restarting it", slot + 1, why);
    ev_timer_set(&s->respawn, delay, 0);
    ev_timer_start(loop, &s->respawn);
}

/* libev's default loop reaps every child (waitpid) and reports each one here. */
static void child_cb(struct ev_loop *lp, ev_child *w, int revents)
{
    for (int i = 0; i < nslots; i++)
        if (slots[i].pid == w->rpid) {
            worker_died(i, w->rstatus);
            break;
        }
    if (state == MW_SOFT_STOP && !live_workers()) {
        log_notice("all workers have exited; master exiting");
        master_exit(0);
    }
}

static void signal_cb(struct ev_loop *lp, ev_signal *w, int revents)
{
    switch (w->signum) {
    case SIGTERM:
    case SIGINT:
        hard_stop(w->signum);
        break;
    case SIGUSR1:
        soft_stop();
        break;
    case SIGUSR2:
    case SIGHUP:
        log_warning("signal %d (%s) ignored: reloading is not supported by sluice yet",
                    w->signum, strsignal(w->signum));
        break;
    }
}

/* ---- start ------------------------------------------------------------------------------- */

int mw_run(void)
{
    static const int nums[] = {SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP};
    char *err = NULL;

    nslots = global.nbproc;
    master_started = time(NULL);
    if (shm_init(nslots, &err) < 0) {
        log_alert("%s", err);
        free(err);
        return 1;
    }
    for (int i = 0; i < nmaster_hooks; i++)
        master_hooks[i]();
    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        ev_signal_init(&sigs[i], signal_cb, nums[i]);
        ev_signal_start(loop, &sigs[i]);
    }
    ev_child_init(&child_watcher, child_cb, 0, 0);
    ev_child_start(loop, &child_watcher);
    for (int i = 0; i < nslots; i++) {
        slots[i].ch.fd = -1;
        slots[i].adopter = -1;
        ev_init(&slots[i].respawn, respawn_cb);
    }
    for (int i = 0; i < nslots; i++)
        if (fork_worker(i) < 0) {
            hard_stop(SIGTERM);
            return 1;
        }
    chan_send(&slots[0].ch, MWF_SERVE_CLI, 0, NULL, 0, NULL, 0);
    cli_start();
    log_notice("sluice %s started: master pid %d, %d worker%s", SLUICE_VERSION, (int)getpid(),
               nslots, nslots == 1 ? "" : "s");
    ev_run(loop, 0);
    return 0;
}

/* ---- the channel: relayed changes, adopted sockets ---------------------------------------- */

#define MW_ACK_TIMEOUT 10.0 /* seconds a relayed change waits for every acknowledgement */
/* What a worker can make the master hold: changes in flight, and changes kept for later
 * workers (bytes). A worker is less trusted than the master: it cannot grow it unbounded. */
#define MW_MAX_BCASTS  64
#define MW_MAX_REPLAY  (16u << 20)

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int slot_of(const struct chan *c)
{
    return (int)((const struct mw_slot *)c->owner - slots);
}

/* Keeps (a copy of) a relayed change for the workers forked later, replacing the previous
 * one of the same type and key. Returns 0, or -1 when it cannot be kept (bound, memory). */
static int replay_store(uint8_t type, uint32_t key, const uint8_t *data, uint32_t len)
{
    struct mw_replay *r, **p;
    size_t kept = replay_bytes;

    for (r = replays; r; r = r->next)
        if (r->type == type && r->key == key)
            kept -= r->len;
    if (kept + len > MW_MAX_REPLAY || !(r = malloc(sizeof(*r) + len)))
        return -1;
    r->type = type;
    r->key = key;
    r->len = len;
    r->next = NULL;
    memcpy(r->data, data, len);
    for (p = &replays; *p;) {
        if ((*p)->type == type && (*p)->key == key) {
            struct mw_replay *old = *p;

            *p = old->next;
            replay_bytes -= old->len;
            free(old);
            continue;
        }
        p = &(*p)->next;
    }
    *p = r;
    replay_bytes += len;
    return 0;
}

void mw_replay_each(void (*fn)(uint8_t type, const void *data, uint32_t len))
{
    for (const struct mw_replay *r = replays; r; r = r->next)
        fn(r->type, r->data, r->len);
}

/* Workers named in the answer to a relayed change; the others are counted ("and K more"), so
 * that the line stays well within MW_DONE_MAX whatever nbproc is. */
#define MW_DONE_NAMED 8
#define MW_DONE_MAX   1024 /* bytes of an MWF_DONE text (the worker reads up to this) */

/* Answers the worker that asked for the change, then forgets it. */
static void bcast_finish(struct mw_bcast *b)
{
    char text[MW_DONE_MAX];
    struct strbuf sb;
    struct iovec iov;
    struct mw_bcast **p;
    int named = 0, more = 0;

    strbuf_init_fixed(&sb, text, sizeof(text));
    for (int i = 0; i < nslots; i++) {
        uint64_t bit = (uint64_t)1 << i;

        if (!((b->unsent | b->failed | b->waiting) & bit))
            continue;
        if (named == MW_DONE_NAMED) {
            more++;
            continue;
        }
        named++;
        if (b->unsent & bit)
            strbuf_printf(&sb, "%sworker #%d (pid %d) was not sent it (its channel is full)",
                          sb.len ? "; " : "", i + 1, (int)b->pids[i]);
        else if (b->failed & bit)
            strbuf_printf(&sb, "%sworker #%d (pid %d) could not apply it", sb.len ? "; " : "",
                          i + 1, (int)b->pids[i]);
        else
            strbuf_printf(&sb, "%sworker #%d (pid %d) did not acknowledge it within %.0fs",
                          sb.len ? "; " : "", i + 1, (int)b->pids[i], MW_ACK_TIMEOUT);
    }
    if (more)
        strbuf_printf(&sb, "; and %d more worker%s", more, more == 1 ? "" : "s");
    if (sb.len)
        log_warning("change relayed for worker #%d: %s", b->from + 1, text);
    iov.iov_base = text;
    iov.iov_len = sb.len;
    if (slots[b->from].pid == b->from_pid && slots[b->from].ch.fd >= 0)
        chan_send(&slots[b->from].ch, MWF_DONE, b->from_seq, &iov, 1, NULL, 0);
    ev_timer_stop(loop, &b->tmo);
    for (p = &bcasts; *p != b; p = &(*p)->next)
        ;
    *p = b->next;
    nbcasts--;
    free(b);
}

static void bcast_timeout_cb(struct ev_loop *lp, ev_timer *w, int revents)
{
    bcast_finish(w->data);
}

/* A worker died: it is no longer waited for. Its successor forks from the master's memory,
 * which holds the change (replays), and applies it before serving. */
static void bcast_worker_gone(int slot)
{
    for (struct mw_bcast *b = bcasts, *next; b; b = next) {
        next = b->next;
        b->waiting &= ~((uint64_t)1 << slot);
        if (!b->waiting)
            bcast_finish(b);
    }
}

/* Answers a relay request with an error. */
static void done_text(int slot, uint32_t seq, const char *text)
{
    struct iovec iov = {(void *)text, strlen(text)};

    chan_send(&slots[slot].ch, MWF_DONE, seq, &iov, 1, NULL, 0);
}

/* MWF_RELAY from slot `from`: stored for later workers, sent to every other live worker. */
static void bcast_start(int from, uint32_t seq, const uint8_t *data, uint32_t len)
{
    struct mw_bcast *b;
    struct iovec iov[2];
    uint8_t type;

    if (len < 5) {
        done_text(from, seq, "malformed relay request");
        return;
    }
    type = data[0];
    if (nbcasts >= MW_MAX_BCASTS) {
        done_text(from, seq, "too many changes in flight, try again");
        return;
    }
    if (replay_store(type, get32(data + 1), data + 5, len - 5) < 0 ||
        !(b = calloc(1, sizeof(*b)))) {
        done_text(from, seq, "the master cannot keep it for restarted workers (memory)");
        return;
    }
    nbcasts++;
    b->id = ++bcast_ids;
    b->from = from;
    b->from_pid = slots[from].pid;
    b->from_seq = seq;
    b->next = bcasts;
    bcasts = b;
    ev_timer_init(&b->tmo, bcast_timeout_cb, MW_ACK_TIMEOUT, 0);
    b->tmo.data = b;
    iov[0].iov_base = &type;
    iov[0].iov_len = 1;
    iov[1].iov_base = (void *)(data + 5);
    iov[1].iov_len = len - 5;
    for (int i = 0; i < nslots; i++) {
        if (i == from || !slots[i].pid || slots[i].ch.fd < 0)
            continue;
        b->pids[i] = slots[i].pid;
        /* queued without blocking; a slow worker takes it when it reads */
        if (chan_send(&slots[i].ch, MWF_APPLY, b->id, iov, 2, NULL, 0) < 0)
            b->unsent |= (uint64_t)1 << i;
        else
            b->waiting |= (uint64_t)1 << i;
    }
    if (!b->waiting)
        bcast_finish(b);
    else
        ev_timer_start(loop, &b->tmo);
}

static void bcast_ack(int slot, uint32_t id, const uint8_t *data, uint32_t len)
{
    uint64_t bit = (uint64_t)1 << slot;

    for (struct mw_bcast *b = bcasts; b; b = b->next) {
        if (b->id != id || !(b->waiting & bit))
            continue;
        b->waiting &= ~bit;
        if (len < 1 || data[0])
            b->failed |= bit;
        if (!b->waiting)
            bcast_finish(b);
        return;
    }
}

/* The listening sockets of a slot that a worker can adopt: TCP ones, bound once per slot
 * (shared sockets, fd@ and UNIX, are in every worker already), in listener order. */
static int slot_sockets(int slot, int *fds, int max, int first)
{
    int n = 0, idx = 0;

    for (struct listener *l = listeners; l; l = l->gnext) {
        if (l->shared || l->nfds <= slot)
            continue;
        if (idx++ < first)
            continue;
        if (n == max)
            break;
        fds[n++] = l->fds[slot];
    }
    return n;
}

/* Lends an empty slot's sockets to a live, ready worker: nothing waits in their queues until
 * the slot's own worker is ready again. */
static void adopt_slot(int slot)
{
    int fds[CHAN_MAX_FDS], adopter = -1, n, ncli = slot == 0 ? cli_stats_fds(fds, CHAN_MAX_FDS) : 0;

    if (state != MW_RUNNING || !slots[slot].needs_stand_in ||
        (slots[slot].pid && slots[slot].ready) ||
        slots[slot].adopter >= 0 || (!slot_sockets(slot, fds, 1, 0) && !ncli))
        return;
    for (int i = 0; i < nslots; i++)
        if (i != slot && slots[i].pid && slots[i].ready && slots[i].ch.fd >= 0) {
            adopter = i;
            break;
        }
    if (adopter < 0)
        return; /* no worker ready: the next one to report ready adopts it */
    if (ncli) { /* worker 1 serves the stats sockets: so does its stand-in */
        uint8_t cnt[4];
        struct iovec iov = {cnt, sizeof(cnt)};

        ncli = cli_stats_fds(fds, CHAN_MAX_FDS);
        put32(cnt, (uint32_t)ncli);
        if (chan_send(&slots[adopter].ch, MWF_ADOPT_CLI, 0, &iov, 1, fds, ncli) < 0)
            log_alert("cannot lend the stats sockets to worker #%d", adopter + 1);
    }
    for (int first = 0; (n = slot_sockets(slot, fds, CHAN_MAX_FDS, first)) > 0; first += n) {
        uint8_t hdr[12];
        struct iovec iov = {hdr, sizeof(hdr)};

        put32(hdr, (uint32_t)slot);
        put32(hdr + 4, (uint32_t)first);
        put32(hdr + 8, (uint32_t)n);
        if (chan_send(&slots[adopter].ch, MWF_ADOPT, 0, &iov, 1, fds, n) < 0) {
            log_alert("cannot lend the sockets of worker slot #%d to worker #%d", slot + 1,
                      adopter + 1);
            break;
        }
    }
    slots[slot].adopter = adopter;
    log_debug("worker #%d accepts on slot #%d's sockets until its worker is ready",
              adopter + 1, slot + 1);
}

static void release_slot(int slot)
{
    int a = slots[slot].adopter;
    uint8_t p[4];
    struct iovec iov = {p, sizeof(p)};

    if (a < 0)
        return;
    slots[slot].adopter = -1;
    put32(p, (uint32_t)slot);
    if (slots[a].ch.fd >= 0)
        chan_send(&slots[a].ch, MWF_RELEASE, 0, &iov, 1, NULL, 0);
}

static void master_msg(struct chan *c, uint8_t type, uint32_t seq, const uint8_t *data,
                       uint32_t len)
{
    int slot = slot_of(c);

    switch (type) {
    case MWF_READY:
        slots[slot].ready = 1;
        slots[slot].needs_stand_in = 0;
        release_slot(slot);
        /* slots that lost their worker while no worker was ready to adopt their sockets
         * (not the slots whose first worker is still starting: it holds them) */
        for (int i = 0; i < nslots; i++)
            if (slots[i].needs_stand_in)
                adopt_slot(i);
        break;
    case MWF_RELAY:
        bcast_start(slot, seq, data, len);
        break;
    case MWF_ACK:
        bcast_ack(slot, seq, data, len);
        break;
    default:
        log_warning("worker #%d sent an unknown message (type %d): ignored", slot + 1, type);
        break;
    }
}

/* End-of-file on a worker's channel: it is exiting; the SIGCHLD that follows does the rest. */
static void master_chan_closed(struct chan *c)
{
    slots[slot_of(c)].ready = 0;
}

/* ---- CLI: show proc ---------------------------------------------------------------------- */

static void uptime_str(time_t since, char *buf, size_t len)
{
    long up = (long)(time(NULL) - since);

    snprintf(buf, len, "%ldd%02ldh%02ldm%02lds", up / 86400, (up / 3600) % 24, (up / 60) % 60,
             up % 60);
}

static int cmd_show_proc(char **args, int nargs, struct cli_session *s, struct strbuf *out)
{
    char up[32];

    strbuf_printf(out, "#%-14s %-15s %-15s %-15s %-15s %-6s %-10s %-10s %-12s %-12s\n",
                  "<PID>", "<type>", "<reloads>", "<uptime>", "<version>", "<slot>",
                  "<conns>", "<cur_conns>", "<bytes_in>", "<bytes_out>");
    uptime_str(master_started, up, sizeof(up));
    strbuf_printf(out, "%-15d %-15s %-15s %-15s %-15s\n", (int)getpid(), "master",
                  "0 [failed: 0]", up, SLUICE_VERSION);
    strbuf_printf(out, "# workers\n");
    for (int i = 0; i < nslots; i++) {
        const struct shm_slot *ss = &shm->slots[i];
        if (!slots[i].pid)
            continue;
        uptime_str(slots[i].started_wall, up, sizeof(up));
        strbuf_printf(out, "%-15d %-15s %-15s %-15s %-15s %-6d %-10llu %-10llu %-12llu %-12llu\n",
                      (int)slots[i].pid, "worker", "0", up, SLUICE_VERSION, i + 1,
                      (unsigned long long)shm_get(&ss->cum_conns),
                      (unsigned long long)shm_get(&ss->cur_conns),
                      (unsigned long long)shm_get(&ss->bytes_in),
                      (unsigned long long)shm_get(&ss->bytes_out));
    }
    strbuf_printf(out, "# old workers\n# programs\n");
    return 0;
}

static struct cli_cmd mw_cmds[] = {
    {{"show", "proc", NULL}, NULL, "show processes status", CLI_W_MASTER, CLI_LVL_USER,
     cmd_show_proc},
    {.fn = NULL},
};

static void mw_register(void)
{
    cli_register(mw_cmds);
}
INITCALL(mw_register)
