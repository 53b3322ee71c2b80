/* Worker processes: accept on the slot's sockets, run streams, stop softly or at once. */
#include "worker.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "backend.h"
#include "buf.h"
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

static int wrk_slot;
static int stopping;       /* soft stop in progress: no more accepts, exit when idle */
static int paused_count;   /* listeners paused by a maxconn */
static ev_signal sig_term, sig_int, sig_usr1, sig_usr2, sig_hup;
static ev_io master_io;    /* the pipe from the master */
static ev_timer hard_stop_timer, resume_timer;

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

static void lsn_pause(struct listener *l)
{
    if (l->paused || !l->rt)
        return;
    ev_io_stop(loop, &((struct lsn_rt *)l->rt)->io);
    l->paused = 1;
    paused_count++;
}

static void lsn_resume_all(void)
{
    for (struct listener *l = listeners; l && paused_count; l = l->gnext) {
        if (!l->paused || !lsn_may_accept(l))
            continue;
        ev_io_start(loop, &((struct lsn_rt *)l->rt)->io);
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
        fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
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
    ev_io_stop(loop, &master_io);
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

static struct msg_handler {
    char type;
    wrk_msg_fn fn;
} msg_handlers[8];
static int nmsg_handlers;
static unsigned char *msg_buf; /* messages from the master, possibly partial */
static size_t msg_len;

void wrk_register_msg(char type, wrk_msg_fn fn)
{
    if (nmsg_handlers < 8)
        msg_handlers[nmsg_handlers++] = (struct msg_handler){type, fn};
}

/* Hands every complete message of the buffer to its handler. */
static void dispatch_msgs(void)
{
    size_t off = 0;

    while (msg_len - off >= 5) {
        uint32_t len = (uint32_t)msg_buf[off] << 24 | (uint32_t)msg_buf[off + 1] << 16 |
                       (uint32_t)msg_buf[off + 2] << 8 | msg_buf[off + 3];
        char type = (char)msg_buf[off + 4];

        if (msg_len - off - 5 < len)
            break;
        for (int i = 0; i < nmsg_handlers; i++)
            if (msg_handlers[i].type == type)
                msg_handlers[i].fn(msg_buf + off + 5, len);
        off += 5 + len;
    }
    memmove(msg_buf, msg_buf + off, msg_len - off);
    msg_len -= off;
}

static void master_cb(struct ev_loop *lp, ev_io *w, int revents)
{
    ssize_t n;

    if (!msg_buf && !(msg_buf = malloc(MW_MSG_MAX + 5))) {
        log_alert("worker #%d: out of memory for master messages", wrk_slot + 1);
        exit(1);
    }
    n = read(w->fd, msg_buf + msg_len, MW_MSG_MAX + 5 - msg_len);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        wrk_soft_stop("master process is gone");
        return;
    }
    if (n > 0) {
        msg_len += (size_t)n;
        dispatch_msgs();
    }
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

void wrk_run(int slot, int master_fd)
{
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
    start_listeners();
    start_signals();
    ev_init(&resume_timer, resume_cb);
    ev_io_init(&master_io, master_cb, master_fd, EV_READ);
    ev_io_start(loop, &master_io);
    log_debug("worker #%d started (pid %d)", slot + 1, (int)getpid());
    ev_run(loop, 0);
    log_debug("worker #%d: no connection left, exiting", slot + 1);
    exit(0);
}
