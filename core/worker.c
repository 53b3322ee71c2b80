/* Worker processes: accept on the slot's sockets (and on an empty slot's, lent by the master
 * until its worker is back), run streams, apply the changes the master relays, stop softly or
 * at once. */
#include "worker.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "backend.h"
#include "buf.h"
#include "chan.h"
#include "cli.h"
#include "global.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "mworker.h"
#include "proxy.h"
#include "shm.h"
#include "stream.h"

/* A listener's accept watcher in this worker. */
struct lsn_rt {
    ev_io io;              /* readiness of the listening socket */
    struct listener *l;    /* the listener */
};

/* The sockets of an empty slot this worker accepts on, lent by the master (MWF_ADOPT). */
struct adopted {
    int slot;
    int n;
    struct lsn_rt *rt;     /* n watchers, their io.fd ours to close */
    struct adopted *next;
};

static int wrk_slot;
static int stopping;       /* soft stop in progress: no more accepts, exit when idle */
static int paused_count;   /* listeners paused by a maxconn */
static ev_signal sig_term, sig_int, sig_usr1, sig_usr2, sig_hup;
static struct chan mch;   /* the channel to the master */
static ev_timer hard_stop_timer, resume_timer;
static struct adopted *adopted;

static int lsn_may_accept(const struct listener *l)
{
    if (stopping || l->fd < 0)
        return 0;
    if (strm_count >= global.maxconn)
        return 0;
    if (l->px->conf.maxconn && l->px->feconn >= l->px->conf.maxconn)
        return 0;
    if (l->maxconn && l->curconn >= l->maxconn)
        return 0;
    return 1;
}

/* Starts or stops the watchers of l on adopted sockets. */
static void adopted_set(const struct listener *l, int on)
{
    for (struct adopted *a = adopted; a; a = a->next)
        for (int i = 0; i < a->n; i++)
            if (a->rt[i].l == l) {
                if (on)
                    ev_io_start(loop, &a->rt[i].io);
                else
                    ev_io_stop(loop, &a->rt[i].io);
            }
}

static void lsn_pause(struct listener *l)
{
    if (l->paused || !l->rt)
        return;
    ev_io_stop(loop, &((struct lsn_rt *)l->rt)->io);
    adopted_set(l, 0);
    l->paused = 1;
    paused_count++;
}

static void lsn_resume_all(void)
{
    for (struct listener *l = listeners; l && paused_count; l = l->gnext) {
        if (!l->paused || !lsn_may_accept(l))
            continue;
        ev_io_start(loop, &((struct lsn_rt *)l->rt)->io);
        adopted_set(l, 1);
        l->paused = 0;
        paused_count--;
    }
}

static void resume_cb(struct ev_loop *lp, ev_timer *w, int revents)
{
    lsn_resume_all();
}

/* Out of descriptors or memory: stop accepting for a moment instead of spinning. */
static void accept_backoff(int err)
{
    static ev_tstamp last_log;

    if (loop_now() - last_log >= 1.0) {
        log_alert("worker #%d: accept() failed: %s; pausing accepts for 100ms", wrk_slot + 1,
                  strerror(err));
        last_log = loop_now();
    }
    for (struct listener *l = listeners; l; l = l->gnext)
        lsn_pause(l);
    ev_timer_stop(loop, &resume_timer);
    ev_timer_set(&resume_timer, 0.1, 0);
    ev_timer_start(loop, &resume_timer);
}

static void accept_cb(struct ev_loop *lp, ev_io *w, int revents)
{
    struct listener *l = ((struct lsn_rt *)w)->l;

    /* Bounded batch: one busy listener must not starve the streams of this worker. */
    for (int i = 0; i < 64; i++) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd;

        if (!lsn_may_accept(l)) {
            lsn_pause(l);
            return;
        }
        /* w->fd: this slot's socket, or an adopted one */
        fd = accept4(w->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                return;
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            shm_add(&shm_self->accept_errors, 1);
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                accept_backoff(errno);
            return;
        }
        if (len == 0 || ss.ss_family == AF_UNSPEC)
            ss.ss_family = AF_UNIX;
        l->curconn++;
        l->px->feconn++;
        l->px->cum_conn++;
        shm_add(&shm_self->cum_conns, 1);
        shm_add(&shm_self->cur_conns, 1);
        if (strm_accept(l, fd, &ss) < 0) {
            close(fd);
            wrk_stream_ended(l);
        }
    }
}

void wrk_stream_ended(struct listener *l)
{
    l->curconn--;
    l->px->feconn--;
    shm_add(&shm_self->cur_conns, (uint64_t)-1);
    if (paused_count)
        lsn_resume_all();
    if (stopping && strm_count == 0)
        ev_break(loop, EVBREAK_ALL);
}

/* ---- stopping ---------------------------------------------------------------------------- */

static void release_slot(int slot);

static void hard_stop_cb(struct ev_loop *lp, ev_timer *w, int revents)
{
    log_warning("worker #%d: hard-stop-after reached with %d connection%s left; exiting",
                wrk_slot + 1, strm_count, strm_count == 1 ? "" : "s");
    exit(0);
}

/* Stops accepting; the process exits once its last stream ends. */
static void wrk_soft_stop(const char *why)
{
    if (stopping)
        return;
    stopping = 1;
    log_debug("worker #%d: %s: stopping softly with %d connection%s in flight", wrk_slot + 1,
              why, strm_count, strm_count == 1 ? "" : "s");
    for (struct listener *l = listeners; l; l = l->gnext) {
        if (l->rt)
            ev_io_stop(loop, &((struct lsn_rt *)l->rt)->io);
        /* Only this process's descriptor: the master keeps its own, so for a reload the
         * accept queue stays open. */
        if (l->fd >= 0)
            close(l->fd);
        l->fd = -1;
    }
    while (adopted)
        release_slot(adopted->slot);
    cli_release();
    if (global.hard_stop_after) {
        ev_timer_init(&hard_stop_timer, hard_stop_cb, global.hard_stop_after / 1000.0, 0);
        ev_timer_start(loop, &hard_stop_timer);
    }
    if (strm_count == 0)
        ev_break(loop, EVBREAK_ALL);
}

static void signal_cb(struct ev_loop *lp, ev_signal *w, int revents)
{
    switch (w->signum) {
    case SIGTERM:
    case SIGINT:
        exit(0); /* hard stop: connections are closed by the kernel */
    case SIGUSR1:
        wrk_soft_stop("SIGUSR1 received");
        break;
    default:
        break; /* SIGHUP/SIGUSR2 are for the master */
    }
}

/* ---- the channel to the master (frame types MWF_*: mworker.h) ---------------------------- */

static struct msg_handler {
    char type;
    wrk_msg_fn fn;
} msg_handlers[8];
static int nmsg_handlers;

/* A change this worker relayed, waiting for the master's answer. */
static struct relay {
    uint32_t seq;
    wrk_done_fn done;
    void *ctx;
    struct relay *next;
} *relays;
static uint32_t relay_seq;

void wrk_register_msg(char type, wrk_msg_fn fn)
{
    if (nmsg_handlers < 8)
        msg_handlers[nmsg_handlers++] = (struct msg_handler){type, fn};
}

static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Applies one change; returns 0, or -1 when no handler knows its type. */
static int apply_msg(uint8_t type, const void *data, uint32_t len)
{
    for (int i = 0; i < nmsg_handlers; i++)
        if ((uint8_t)msg_handlers[i].type == type) {
            msg_handlers[i].fn(data, len);
            return 0;
        }
    return -1;
}

static void replay_one(uint8_t type, const void *data, uint32_t len)
{
    apply_msg(type, data, len);
}

int wrk_broadcast(char type, uint32_t key, const void *data, uint32_t len, wrk_done_fn done,
                  void *ctx)
{
    uint8_t hdr[5] = {(uint8_t)type, (uint8_t)(key >> 24), (uint8_t)(key >> 16),
                      (uint8_t)(key >> 8), (uint8_t)key};
    struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)data, len}};
    struct relay *r;

    if (mch.fd < 0 || !(r = malloc(sizeof(*r))))
        return -1;
    r->seq = ++relay_seq;
    if (chan_send(&mch, MWF_RELAY, r->seq, iov, 2, NULL, 0) < 0) {
        free(r);
        return -1;
    }
    r->done = done;
    r->ctx = ctx;
    r->next = relays;
    relays = r;
    return 0;
}

static void relay_done(uint32_t seq, const char *err)
{
    for (struct relay **p = &relays; *p; p = &(*p)->next) {
        struct relay *r = *p;

        if (r->seq != seq)
            continue;
        *p = r->next;
        r->done(r->ctx, err);
        free(r);
        return;
    }
}

/* MWF_ADOPT: accept on an empty slot's sockets (listener order, as the master sent them). */
static void adopt_slot(const uint8_t *data, uint32_t len)
{
    struct adopted *a;
    int slot, first, n, idx = 0, k = 0;

    if (len < 12)
        return;
    slot = (int)get32(data);
    first = (int)get32(data + 4);
    n = (int)get32(data + 8);
    a = calloc(1, sizeof(*a));
    if (a)
        a->rt = calloc((size_t)(n > 0 ? n : 1), sizeof(*a->rt));
    for (struct listener *l = listeners; l && k < n; l = l->gnext) {
        int fd;

        if (l->shared || l->nfds <= slot || idx++ < first)
            continue;
        fd = chan_take_fd(&mch);
        if (fd < 0)
            break;
        if (!a || !a->rt || stopping) {
            close(fd);
            continue;
        }
        a->rt[k].l = l;
        ev_io_init(&a->rt[k].io, accept_cb, fd, EV_READ);
        if (!l->paused)
            ev_io_start(loop, &a->rt[k].io);
        k++;
    }
    if (!a || !a->rt || stopping) {
        if (a)
            free(a->rt);
        free(a);
        return;
    }
    a->slot = slot;
    a->n = k;
    a->next = adopted;
    adopted = a;
    log_debug("worker #%d: accepting on worker slot #%d's %d socket%s", wrk_slot + 1,
              slot + 1, k, k == 1 ? "" : "s");
}

/* MWF_RELEASE (or a soft stop): stop accepting on an adopted slot's sockets. */
static void release_slot(int slot)
{
    if (slot == 0)
        cli_release();
    for (struct adopted **p = &adopted; *p;) {
        struct adopted *a = *p;

        if (a->slot != slot) {
            p = &a->next;
            continue;
        }
        for (int i = 0; i < a->n; i++) {
            ev_io_stop(loop, &a->rt[i].io);
            close(a->rt[i].io.fd);
        }
        *p = a->next;
        free(a->rt);
        free(a);
    }
}

static void master_msg(struct chan *c, uint8_t type, uint32_t seq, const uint8_t *data,
                       uint32_t len)
{
    switch (type) {
    case MWF_APPLY: {
        uint8_t st = len >= 1 && apply_msg(data[0], data + 1, len - 1) == 0 ? 0 : 1;
        struct iovec iov = {&st, 1};

        chan_send(&mch, MWF_ACK, seq, &iov, 1, NULL, 0);
        break;
    }
    case MWF_DONE: {
        char text[1025]; /* the master sends at most 1023 bytes (MW_DONE_MAX) */

        if (len > sizeof(text) - 1)
            len = sizeof(text) - 1;
        memcpy(text, data, len);
        text[len] = 0;
        relay_done(seq, len ? text : NULL);
        break;
    }
    case MWF_ADOPT:
        adopt_slot(data, len);
        break;
    case MWF_ADOPT_CLI: {
        int fds[CHAN_MAX_FDS], n = 0, fd, want = len >= 4 ? (int)get32(data) : 0;

        while (n < want && n < CHAN_MAX_FDS && (fd = chan_take_fd(&mch)) >= 0)
            fds[n++] = fd;
        if (stopping)
            while (n)
                close(fds[--n]);
        cli_adopt(fds, n);
        break;
    }
    case MWF_SERVE_CLI:
        if (!stopping)
            cli_serve_stats();
        break;
    case MWF_RELEASE:
        if (len >= 4)
            release_slot((int)get32(data));
        break;
    default:
        break;
    }
}

/* The master is gone: answer every relayed change still waiting, then stop softly. */
static void master_gone(struct chan *c)
{
    while (relays) {
        struct relay *r = relays;

        relays = r->next;
        r->done(r->ctx, "the master process is gone");
        free(r);
    }
    wrk_soft_stop("master process is gone");
}

/* ---- start ------------------------------------------------------------------------------- */

static void drop_privileges(void)
{
    if (global.chroot && (chroot(global.chroot) < 0 || chdir("/") < 0)) {
        log_alert("worker #%d: cannot chroot to '%s': %s", wrk_slot + 1, global.chroot,
                  strerror(errno));
        exit(1);
    }
    if (global.user || global.group) {
        if (setgroups(1, &global.gid) < 0 || setgid(global.gid) < 0) {
            log_alert("worker #%d: cannot set group %d: %s", wrk_slot + 1, (int)global.gid,
                      strerror(errno));
            exit(1);
        }
    }
    if (global.user && setuid(global.uid) < 0) {
        log_alert("worker #%d: cannot set user '%s': %s", wrk_slot + 1, global.user,
                  strerror(errno));
        exit(1);
    }
}

static void start_listeners(void)
{
    for (struct listener *l = listeners; l; l = l->gnext) {
        struct lsn_rt *rt;

        if (l->fd < 0)
            continue;
        rt = calloc(1, sizeof(*rt));
        if (!rt) {
            log_alert("worker #%d: out of memory", wrk_slot + 1);
            exit(1);
        }
        rt->l = l;
        ev_io_init(&rt->io, accept_cb, l->fd, EV_READ);
        l->rt = rt;
        ev_io_start(loop, &rt->io);
    }
}

static void start_signals(void)
{
    ev_signal *sigs[] = {&sig_term, &sig_int, &sig_usr1, &sig_usr2, &sig_hup};
    int nums[] = {SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP};

    for (size_t i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
        ev_signal_init(sigs[i], signal_cb, nums[i]);
        ev_signal_start(loop, sigs[i]);
    }
}

/* Reports to the master that this worker serves (MWF_READY). */
static void report_ready(struct ev_loop *lp, ev_timer *w, int revents)
{
    chan_send(&mch, MWF_READY, 0, NULL, 0, NULL, 0);
}

void wrk_run(int slot, int master_fd)
{
    static ev_timer ready_delay;
    const char *delay = slot == 0 ? getenv("SLUICE_TEST_W1_READY_DELAY") : NULL;

    char *err = NULL;

    wrk_slot = slot;
    shm_self = &shm->slots[slot];
    lsn_keep_slot(slot);
    /* log sockets first: stdout/stderr targets are reopened before a chroot hides /proc */
    if (log_init_worker(&err) < 0) {
        log_alert("worker #%d: %s", slot + 1, err);
        exit(1);
    }
    drop_privileges();
    buf_setup((uint32_t)global.bufsize);
    strm_init();
    if (be_init_all(&err) < 0) {
        log_alert("worker #%d: %s", slot + 1, err);
        exit(1);
    }
    /* changes relayed before this worker was forked */
    mw_replay_each(replay_one);
    start_listeners();
    start_signals();
    ev_init(&resume_timer, resume_cb);
    chan_init(&mch, master_fd, master_msg, master_gone, NULL);
    if (delay && atoi(delay) > 0) {
        /* Test hook (doc/management.md): worker #1 reports ready that many milliseconds
         * late, as a slow start would, so that the other workers report ready first. */
        ev_timer_init(&ready_delay, report_ready, atoi(delay) / 1000.0, 0);
        ev_timer_start(loop, &ready_delay);
    } else {
        report_ready(loop, NULL, 0);
    }
    log_debug("worker #%d started (pid %d)", slot + 1, (int)getpid());
    ev_run(loop, 0);
    log_debug("worker #%d: no connection left, exiting", slot + 1);
    exit(0);
}
