/* The master process: forks one worker per slot, respawns crashed workers with back-off,
 * relays stop signals, serves the CLI. Workers inherit their slot's listening sockets and a
 * pipe whose end-of-file tells them the master is gone. */
#include "mworker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
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
    int pipe_w;            /* write end of the worker's master-alive pipe, -1 when none */
    ev_tstamp started;     /* loop time the worker started */
    time_t started_wall;   /* wall clock time it started (show proc) */
    int fails;             /* consecutive quick deaths */
    ev_timer respawn;      /* pending restart */
};

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
        if (slots[i].pipe_w >= 0)
            close(slots[i].pipe_w);
    }
    cli_close_all();
    for (int i = 0; i < nchild_hooks; i++)
        child_hooks[i]();
}

static int fork_worker(int slot)
{
    int p[2];
    pid_t pid;

    if (pipe2(p, O_CLOEXEC) < 0) {
        log_alert("cannot create pipe for worker #%d: %s", slot + 1, strerror(errno));
        return -1;
    }
    pid = fork();
    if (pid < 0) {
        log_alert("cannot fork worker #%d: %s", slot + 1, strerror(errno));
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[1]);
        child_cleanup(slot);
        wrk_run(slot, p[0]);
    }
    close(p[0]);
    fcntl(p[1], F_SETFL, O_NONBLOCK); /* a stuck worker must not block the master */
    slots[slot].pid = pid;
    slots[slot].pipe_w = p[1];
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

static void worker_died(int slot, int status)
{
    struct mw_slot *s = &slots[slot];
    char why[128];
    double delay;

    describe_status(status, why, sizeof(why));
    s->pid = 0;
    __atomic_store_n(&shm->slots[slot].pid, 0, __ATOMIC_RELAXED);
    /* the dead worker's connections are gone with it */
    __atomic_store_n(&shm->slots[slot].cur_conns, 0, __ATOMIC_RELAXED);
    if (s->pipe_w >= 0)
        close(s->pipe_w);
    s->pipe_w = -1;
    if (state != MW_RUNNING) {
        log_debug("worker #%d %s", slot + 1, why);
        return;
    }
    s->fails = loop_now() - s->started >= MW_STABLE_AFTER ? 1 : s->fails + 1;
    delay = 0.1 * (double)(1u << (s->fails > 8 ? 7 : s->fails - 1));
    if (delay > MW_RESPAWN_MAX_DELAY)
        delay = MW_RESPAWN_MAX_DELAY;
    log_alert("worker #%d %s; restarting it in %.1fs", slot + 1, why, delay);
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
        slots[i].pipe_w = -1;
        ev_init(&slots[i].respawn, respawn_cb);
    }
    for (int i = 0; i < nslots; i++)
        if (fork_worker(i) < 0) {
            hard_stop(SIGTERM);
            return 1;
        }
    cli_start();
    log_notice("sluice %s started: master pid %d, %d worker%s", SLUICE_VERSION, (int)getpid(),
               nslots, nslots == 1 ? "" : "s");
    ev_run(loop, 0);
    return 0;
}

/* ---- messages to workers ---------------------------------------------------------------- */

int mw_broadcast(char type, const void *data, uint32_t len)
{
    unsigned char hdr[5] = {(unsigned char)(len >> 24), (unsigned char)(len >> 16),
                            (unsigned char)(len >> 8), (unsigned char)len, (unsigned char)type};
    int failed = 0;

    if (len > MW_MSG_MAX)
        return -1;
    for (int i = 0; i < nslots; i++) {
        struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)data, len}};

        if (!slots[i].pid || slots[i].pipe_w < 0)
            continue;
        /* a pipe write up to PIPE_BUF is atomic; larger ones may be partial: then this
         * worker would read a truncated message, so it is restarted rather than trusted */
        if (writev(slots[i].pipe_w, iov, 2) != (ssize_t)(sizeof(hdr) + len)) {
            log_alert("worker #%d did not take a configuration update; restarting it", i + 1);
            kill(slots[i].pid, SIGTERM);
            failed++;
        }
    }
    return failed ? -1 : 0;
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
