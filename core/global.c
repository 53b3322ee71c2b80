/* The global section and its process-wide keywords. The "stats" keyword belongs to cli.c. */
#include "global.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cfg.h"
#include "log.h"
#include "proxy.h"
#include "reuse.h"
#include "server.h"
#include "str.h"

struct global global = {
    .bufsize = 16384,
    .maxrewrite = 1024,
    .maxhdr = 101,
    .cli_timeout = 10000,
    .cli_maxconn = 10,
};

static struct cfg_where where_user, where_group, where_chroot, where_maxrewrite;

static int global_begin(char **args, int nargs, struct cfg_ctx *ctx, char **err)
{
    if (nargs > 1)
        return str_printf(err, "the global section takes no name");
    ctx->obj = &global;
    ctx->sec_name = "";
    return 0;
}

static int kw_user(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                   char **err)
{
    cfg_where_here(ctx, !strcmp(args[0], "user") ? &where_user : &where_group);
    return cfg_set_str(args, nargs, ctx, kw, err);
}

static int kw_chroot(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                     char **err)
{
    cfg_where_here(ctx, &where_chroot);
    return cfg_set_str(args, nargs, ctx, kw, err);
}

static int kw_maxrewrite(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                         char **err)
{
    cfg_where_here(ctx, &where_maxrewrite);
    return cfg_set_int(args, nargs, ctx, kw, err);
}

static int kw_noarg_flag(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                         char **err)
{
    if (nargs > 1 && strcmp(args[1], "no-exit-on-failure"))
        return str_printf(err, "unexpected '%s' (usage: %s)", args[1], kw->usage);
    return cfg_set_flag(args, nargs, ctx, kw, err);
}

static struct cfg_kw global_kws[] = {
    {.name = "daemon", .sections = "global", .parse = kw_noarg_flag, .max_args = 0,
     .offset = offsetof(struct global, daemon)},
    {.name = "master-worker", .sections = "global", .parse = kw_noarg_flag, .max_args = 1,
     .offset = offsetof(struct global, master_worker), .usage = "master-worker [no-exit-on-failure]"},
    {.name = "nbproc", .sections = "global", .min_args = 1, .max_args = 1, .parse = cfg_set_int,
     .offset = offsetof(struct global, nbproc), .min = 1, .max = 64, .usage = "nbproc <number>"},
    {.name = "maxconn", .sections = "global", .min_args = 1, .max_args = 1, .parse = cfg_set_int,
     .offset = offsetof(struct global, maxconn), .min = 1, .max = 10000000,
     .usage = "maxconn <number>"},
    {.name = "pidfile", .sections = "global", .min_args = 1, .max_args = 1, .parse = cfg_set_str,
     .offset = offsetof(struct global, pidfile), .usage = "pidfile <path>"},
    {.name = "user", .sections = "global", .min_args = 1, .max_args = 1, .parse = kw_user,
     .offset = offsetof(struct global, user), .usage = "user <name>"},
    {.name = "group", .sections = "global", .min_args = 1, .max_args = 1, .parse = kw_user,
     .offset = offsetof(struct global, group), .usage = "group <name>"},
    {.name = "chroot", .sections = "global", .min_args = 1, .max_args = 1, .parse = kw_chroot,
     .offset = offsetof(struct global, chroot), .usage = "chroot <directory>"},
    {.name = "hard-stop-after", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = cfg_set_time, .offset = offsetof(struct global, hard_stop_after),
     .usage = "hard-stop-after <time>"},
    {.name = "tune.bufsize", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = cfg_set_int, .offset = offsetof(struct global, bufsize), .min = 1024,
     .max = 16 * 1024 * 1024, .usage = "tune.bufsize <bytes>"},
    {.name = "tune.http.maxhdr", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = cfg_set_int, .offset = offsetof(struct global, maxhdr), .min = 1, .max = 32767,
     .usage = "tune.http.maxhdr <number>"},
    {.name = "tune.maxrewrite", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_maxrewrite, .offset = offsetof(struct global, maxrewrite), .min = 0,
     .max = 1024 * 1024, .usage = "tune.maxrewrite <bytes>"},
    {0},
};

static struct cfg_section global_section = {
    .name = "global", .begin = global_begin, .haproxy_kws = cfg_haproxy_global_kws,
};

/* ---- checks ------------------------------------------------------------------------------ */

static int check_identity(void)
{
    int errs = 0;

    if (global.user) {
        struct passwd *pw = getpwnam(global.user);

        if (!pw) {
            cfg_alert_at(&where_user, "user", "unknown user '%s'", global.user);
            errs++;
        } else {
            global.uid = pw->pw_uid;
            global.gid = pw->pw_gid;
        }
    }
    if (global.group) {
        struct group *gr = getgrnam(global.group);

        if (!gr) {
            cfg_alert_at(&where_group, "group", "unknown group '%s'", global.group);
            errs++;
        } else {
            global.gid = gr->gr_gid;
        }
    }
    if (global.chroot) {
        struct stat st;
        int rc = stat(global.chroot, &st);

        if (rc < 0 || !S_ISDIR(st.st_mode)) {
            cfg_alert_at(&where_chroot, "chroot", "cannot use '%s' as chroot: %s",
                         global.chroot, rc < 0 ? strerror(errno) : "not a directory");
            errs++;
        }
    }
    return errs;
}

/* Workers: the configured count, else one per CPU this process may run on (so a process
 * pinned with taskset gets as many workers as CPUs it was given). */
static int check_nbproc(void)
{
    cpu_set_t set;

    if (!global.nbproc) {
        if (sched_getaffinity(0, sizeof(set), &set) == 0)
            global.nbproc = CPU_COUNT(&set);
        if (global.nbproc < 1)
            global.nbproc = (int)sysconf(_SC_NPROCESSORS_ONLN);
        if (global.nbproc < 1)
            global.nbproc = 1;
        if (global.nbproc > 64)
            global.nbproc = 64;
    }
    return 0;
}

/* The file-descriptor budget of a worker: two descriptors per proxied connection
 * (maxconn), the idle server connections of http-reuse, and a margin of 100 (listeners, CLI,
 * logs, pipes), as HAProxy derives maxsock. The idle pool could otherwise hold up to
 * REUSE_MAX_PER_SERVER descriptors per server beyond what maxconn was computed from, and a
 * worker would run out of descriptors with free connection slots. The pool gets at most
 * maxconn descriptors (it serves requests of at most maxconn client connections) and, when
 * maxconn is derived, at most a third of what the limit leaves. */
static int check_maxconn(void)
{
    struct rlimit rl;
    rlim_t need, pool, nsrv = 0, avail;

    for (struct proxy *px = proxies; px; px = px->next)
        if (px->conf.mode == PX_MODE_HTTP)
            for (struct server *srv = px->servers; srv; srv = srv->next)
                nsrv++;
    pool = nsrv * REUSE_MAX_PER_SERVER;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return 0;
    if (!global.maxconn) {
        rlim_t cap = rl.rlim_max == RLIM_INFINITY ? 200000 : rl.rlim_max;

        avail = cap > 200 ? cap - 100 : 100;
        if (pool > avail / 3)
            pool = avail / 3;
        global.maxconn = (int)((avail - pool) / 2);
        if (global.maxconn > 100000)
            global.maxconn = 100000;
    }
    if (pool > (rlim_t)global.maxconn)
        pool = (rlim_t)global.maxconn;
    need = (rlim_t)global.maxconn * 2 + pool + 100;
    if (rl.rlim_cur < need) {
        rl.rlim_cur = need < rl.rlim_max ? need : rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < need) {
            /* what is left after the connections goes to the pool, maybe nothing */
            rlim_t left = rl.rlim_cur > (rlim_t)global.maxconn * 2 + 100
                              ? rl.rlim_cur - ((rlim_t)global.maxconn * 2 + 100) : 0;

            log_warning("maxconn %d and %lu idle server connections need %lu file descriptors "
                        "but the limit is %lu: at most %lu idle server connections are kept",
                        global.maxconn, (unsigned long)pool, (unsigned long)need,
                        (unsigned long)rl.rlim_cur, (unsigned long)(left < pool ? left : pool));
            if (left < pool)
                pool = left;
        }
    }
    reuse_max_idle = (int)pool;
    return 0;
}

/* The space reserved for rewrites is at most half of a buffer, as HAProxy clamps it (silently:
 * here with a warning). A larger value left no room for a request head: every request got a
 * 400. Checked after parsing, since tune.bufsize may come after tune.maxrewrite. */
static int check_maxrewrite(void)
{
    /* the default (1024) over half of a small tune.bufsize is clamped without a word */
    if (global.maxrewrite > global.bufsize / 2 && where_maxrewrite.file) {
        cfg_warn_at(&where_maxrewrite, "tune.maxrewrite", "%d is more than half of tune.bufsize "
                    "(%d): %d used instead, as HAProxy does", global.maxrewrite, global.bufsize,
                    global.bufsize / 2);
    }
    if (global.maxrewrite > global.bufsize / 2)
        global.maxrewrite = global.bufsize / 2;
    return 0;
}

static void global_register(void)
{
    cfg_register_section(&global_section);
    cfg_register_keywords(global_kws);
    cfg_register_check(5, check_nbproc);
    cfg_register_check(5, check_maxconn);
    cfg_register_check(5, check_identity);
    cfg_register_check(5, check_maxrewrite);
}
INITCALL(global_register)
