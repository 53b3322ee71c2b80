/* The command-line interface: "stats socket" lines and the master socket (-S), with
 * HAProxy's protocol: one command line per connection, answered then closed, unless "prompt"
 * switches the session to interactive mode. Commands on one line are separated by ';'. Every
 * answer ends with an empty line.
 *
 * Who serves what: the master (root) binds every socket but reads only the master socket;
 * stats sockets, which may be TCP and take payloads to decode, are served by worker 1, which
 * has dropped its privileges. A command changing state in every worker relays the change
 * through the master (wrk_broadcast) and answers once every worker applied it: such a
 * command returns CLI_CMD_WAIT and the session waits, reading no further command. */
#include "cli.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <unistd.h>

#include "cfg.h"
#include "global.h"
#include "log.h"
#include "loop.h"
#include "parse.h"
#include "sock.h"
#include "str.h"

#define CLI_MAX_LINE 16384

/* A socket serving the CLI. */
struct cli_listener {
    struct cfg_where where;   /* where it was declared (-S: file "command line") */
    struct parse_addr addr;   /* address */
    int level;                /* CLI_LVL_* granted to sessions */
    int master;               /* 1: master socket (-S), 0: stats socket */
    int mode, uid, gid;       /* UNIX socket mode/owner, -1: unset */
    int fd;                   /* listening socket, -1 before binding */
    int adopted;              /* worker: lent by the master while worker 1 is missing */
    ev_io io;                 /* accept watcher */
    struct cli_listener *next;
};

struct cli_session {
    int fd;                   /* connection */
    ev_io io;                 /* readiness */
    ev_timer tmo;             /* idle timeout (stats timeout) */
    struct cli_listener *l;   /* where it came in */
    int level;                /* current level (may be lowered by "user"/"operator") */
    int interactive;          /* "prompt" mode */
    int closing;              /* close once the output is flushed */
    int eof;                  /* the client closed its side */
    int waiting;              /* a command's answer comes later (CLI_CMD_WAIT) */
    int gone;                 /* closed while waiting: freed by cli_session_resume() */
    char *rest;               /* commands of the line after the waiting one */
    char in[CLI_MAX_LINE];    /* input not processed yet */
    size_t inlen;             /* bytes in `in` */
    struct strbuf out;        /* output not sent yet */
    size_t outoff;            /* bytes of out already sent */
    struct cli_session *prev, *next;
};

static struct cli_listener *cli_listeners;
static struct cli_session *sessions;
static int nsessions;
static struct cmdtab {
    struct cli_cmd *cmds;
    struct cmdtab *next;
} *cmdtabs;

void cli_register(struct cli_cmd *cmds)
{
    struct cmdtab *t = str_zalloc(sizeof(*t)), **p = &cmdtabs;

    t->cmds = cmds;
    while (*p)
        p = &(*p)->next;
    *p = t;
}

int cli_session_level(const struct cli_session *s)
{
    return s->level;
}

int cli_session_is_master(const struct cli_session *s)
{
    return s->l->master;
}

int cli_nb_sockets(void)
{
    int n = 0;

    for (struct cli_listener *l = cli_listeners; l; l = l->next)
        n += !l->master;
    return n;
}

/* ---- configuration: "stats socket", "stats timeout", "stats maxconn", -S ----------------- */

static int parse_level(const char *v, int *level, char **err)
{
    if (!strcmp(v, "user"))
        *level = CLI_LVL_USER;
    else if (!strcmp(v, "operator"))
        *level = CLI_LVL_OPERATOR;
    else if (!strcmp(v, "admin"))
        *level = CLI_LVL_ADMIN;
    else
        return str_printf(err, "level: '%s' is not user, operator or admin", v);
    return 0;
}

/* Socket options shared by "stats socket" and -S: level, mode, user, group, uid, gid. */
static int socket_option(const char *opt, const char *val, struct cli_listener *l, char **err)
{
    char *end;
    long v;

    if (!val)
        return str_printf(err, "option '%s' expects a value", opt);
    if (!strcmp(opt, "level"))
        return parse_level(val, &l->level, err);
    if (!strcmp(opt, "mode")) {
        v = strtol(val, &end, 8);
        if (!*val || *end || v < 0 || v > 07777)
            return str_printf(err, "mode: '%s' is not an octal file mode", val);
        l->mode = (int)v;
        return 0;
    }
    if (!strcmp(opt, "uid") || !strcmp(opt, "gid")) {
        long long n;

        if (parse_int(val, 0, 0x7fffffff, &n, err) < 0)
            return -1;
        *(opt[0] == 'u' ? &l->uid : &l->gid) = (int)n;
        return 0;
    }
    if (!strcmp(opt, "user")) {
        struct passwd *pw = getpwnam(val);

        if (!pw)
            return str_printf(err, "user: unknown user '%s'", val);
        l->uid = (int)pw->pw_uid;
        return 0;
    }
    if (!strcmp(opt, "group")) {
        struct group *gr = getgrnam(val);

        if (!gr)
            return str_printf(err, "group: unknown group '%s'", val);
        l->gid = (int)gr->gr_gid;
        return 0;
    }
    if (!strcmp(opt, "expose-fd"))
        return str_printf(err, "'expose-fd' is not supported by sluice yet (reloads keep the "
                               "listening sockets in the master)");
    return str_printf(err, "unknown socket option '%s' (expected level, mode, user, group, "
                           "uid or gid)", opt);
}

static struct cli_listener *new_cli_listener(const char *addr, int master, char **err)
{
    struct cli_listener *l = str_zalloc(sizeof(*l)), **p;

    if (parse_addr(addr, PARSE_ADDR_F_NEED_PORT | PARSE_ADDR_F_UNIX | PARSE_ADDR_F_FD |
                   PARSE_ADDR_F_WILDCARD, &l->addr, err) < 0) {
        free(l);
        return NULL;
    }
    l->level = master ? CLI_LVL_ADMIN : CLI_LVL_OPERATOR;
    l->master = master;
    l->mode = l->uid = l->gid = -1;
    l->fd = -1;
    for (p = &cli_listeners; *p; p = &(*p)->next)
        ;
    *p = l;
    return l;
}

static int kw_stats(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                    char **err)
{
    struct cli_listener *l;
    long long v;

    if (!strcmp(args[1], "socket")) {
        if (nargs < 3)
            return str_printf(err, "missing address (usage: stats socket <path>|fd@<n>|"
                                   "<ip>:<port> [level user|operator|admin] [mode <octal>])");
        l = new_cli_listener(args[2], 0, err);
        if (!l)
            return -1;
        cfg_where_here(ctx, &l->where);
        for (int i = 3; i < nargs; i += 2)
            if (socket_option(args[i], i + 1 < nargs ? args[i + 1] : NULL, l, err) < 0)
                return -1;
        return 0;
    }
    if (!strcmp(args[1], "timeout")) {
        int ms;

        if (nargs != 3)
            return str_printf(err, "usage: stats timeout <time>");
        if (parse_time(args[2], &ms, err) < 0)
            return -1;
        global.cli_timeout = ms;
        return 0;
    }
    if (!strcmp(args[1], "maxconn")) {
        if (nargs != 3)
            return str_printf(err, "usage: stats maxconn <number>");
        if (parse_int(args[2], 1, 100000, &v, err) < 0)
            return -1;
        global.cli_maxconn = (int)v;
        return 0;
    }
    if (!strcmp(args[1], "bind-process"))
        return str_printf(err, "'stats bind-process' is not supported by sluice (worker 1 "
                               "serves the stats sockets, with counters of every worker)");
    return str_printf(err, "unknown 'stats' keyword '%s' (expected socket, timeout or maxconn)",
                      args[1]);
}

static struct cfg_kw cli_kws[] = {
    {.name = "stats", .sections = "global", .min_args = 1, .max_args = -1, .parse = kw_stats,
     .usage = "stats socket|timeout|maxconn ..."},
    {0},
};

/* 1 when ss is an IPv4/IPv6 address other than loopback (wildcards included). */
static int reachable_from_network(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)ss;

        return (ntohl(in->sin_addr.s_addr) >> 24) != 127;
    }
    if (ss->ss_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)ss)->sin6_addr;

        if (IN6_IS_ADDR_V4MAPPED(a))
            return a->s6_addr[12] != 127;
        return !IN6_IS_ADDR_LOOPBACK(a);
    }
    return 0;
}

/* The master CLI is parsed by the master, root when sluice starts as root, at admin level:
 * TCP is accepted (HAProxy does, varnishtest uses it) but only loopback is reasonable. */
static void warn_master_tcp(const struct sockaddr_storage *ss)
{
    char a[128];

    if (reachable_from_network(ss))
        log_warning("master socket (-S) on %s: the master CLI is reachable from the network; "
                    "it is parsed by the master process (root if started as root) at admin "
                    "level: bind it to a UNIX socket or a loopback address",
                    parse_addr_str(ss, a, sizeof(a)));
}

int cli_add_master_socket(const char *spec, char **err)
{
    char *copy = str_dup(spec), *save = NULL, *addr, *opt;
    struct cli_listener *l;
    int ret = -1;

    addr = strtok_r(copy, ",", &save);
    if (!addr) {
        str_printf(err, "-S: missing address");
        goto out;
    }
    l = new_cli_listener(addr, 1, err);
    if (!l)
        goto out;
    l->where.file = "command line";
    l->where.line = 0;
    if (l->addr.kind == PARSE_ADDR_INET)
        warn_master_tcp(&l->addr.ss);
    while ((opt = strtok_r(NULL, ",", &save))) {
        if (socket_option(opt, strtok_r(NULL, ",", &save), l, err) < 0)
            goto out;
    }
    ret = 0;
out:
    free(copy);
    return ret;
}

int cli_bind_all(void)
{
    int errs = 0;

    for (struct cli_listener *l = cli_listeners; l; l = l->next) {
        char *err = NULL;

        if (l->addr.kind == PARSE_ADDR_FD) {
            l->fd = sock_adopt_listener(l->addr.fd, 16, &err);
            if (l->fd >= 0 && l->master) {
                struct sockaddr_storage ss;
                socklen_t sl = sizeof(ss);

                if (getsockname(l->fd, (struct sockaddr *)&ss, &sl) == 0)
                    warn_master_tcp(&ss);
            }
        } else if (l->addr.kind == PARSE_ADDR_UNIX) {
            l->fd = sock_bind_unix(((struct sockaddr_un *)&l->addr.ss)->sun_path, 16, l->mode,
                                   l->uid, l->gid, &err);
        } else {
            int one = 1, fd = socket(l->addr.ss.ss_family,
                                     SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            char a[128];

            if (fd >= 0)
                setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (fd < 0 || bind(fd, (struct sockaddr *)&l->addr.ss, l->addr.sslen) < 0 ||
                listen(fd, 16) < 0) {
                str_printf(&err, "cannot bind %s: %s",
                           parse_addr_str(&l->addr.ss, a, sizeof(a)), strerror(errno));
                if (fd >= 0)
                    close(fd);
                fd = -1;
            }
            l->fd = fd;
        }
        if (l->fd < 0) {
            if (l->master)
                log_alert("master socket (-S): %s", err ? err : "cannot bind");
            else
                cfg_alert_at(&l->where, "stats socket", "%s", err ? err : "cannot bind");
            errs++;
        }
        free(err);
    }
    return errs;
}

/* ---- sessions ---------------------------------------------------------------------------- */

static void session_close(struct cli_session *s)
{
    ev_io_stop(loop, &s->io);
    ev_timer_stop(loop, &s->tmo);
    close(s->fd);
    s->fd = -1;
    strbuf_free(&s->out);
    if (s->prev)
        s->prev->next = s->next;
    else
        sessions = s->next;
    if (s->next)
        s->next->prev = s->prev;
    nsessions--;
    if (s->waiting) {
        s->gone = 1; /* its command still holds it */
        return;
    }
    free(s->rest);
    free(s);
}

static void session_want(struct cli_session *s, int ev)
{
    if ((s->io.events & (EV_READ | EV_WRITE)) == ev)
        return;
    ev_io_stop(loop, &s->io);
    ev_io_set(&s->io, s->fd, ev);
    if (ev)
        ev_io_start(loop, &s->io);
}

/* Splits one command (no ';' left) into words; backslash escapes the next character. */
static int split_words(char *cmd, char **words)
{
    int n = 0;
    char *r = cmd, *w = cmd;

    while (*r) {
        while (*r == ' ' || *r == '\t')
            r++;
        if (!*r)
            break;
        if (n == CLI_MAX_WORDS)
            return -1;
        words[n++] = w;
        while (*r && *r != ' ' && *r != '\t') {
            if (*r == '\\' && r[1])
                r++;
            *w++ = *r++;
        }
        if (*r)
            r++;
        *w++ = 0;
    }
    words[n] = NULL;
    return n;
}

/* Number of leading words of args matching cmd, or 0 when cmd does not match entirely. */
static int cmd_matches(const struct cli_cmd *cmd, char **args, int nargs)
{
    int i;

    for (i = 0; cmd->words[i]; i++)
        if (i >= nargs || strcmp(cmd->words[i], args[i]))
            return 0;
    return i;
}

static int cmd_visible(const struct cli_cmd *cmd, const struct cli_session *s)
{
    return (cmd->where & (s->l->master ? CLI_W_MASTER : CLI_W_STATS)) && cmd->level <= s->level;
}

static const struct cli_cmd *find_cmd(char **args, int nargs, const struct cli_session *s)
{
    const struct cli_cmd *best = NULL;
    int bestn = 0;

    for (struct cmdtab *t = cmdtabs; t; t = t->next)
        for (const struct cli_cmd *c = t->cmds; c->words[0]; c++) {
            int n = cmd_matches(c, args, nargs);

            if (n > bestn && cmd_visible(c, s)) {
                best = c;
                bestn = n;
            }
        }
    return best;
}

static void cmd_name(const struct cli_cmd *c, char *buf, size_t len)
{
    struct strbuf sb;

    /* a name cut by the buffer only weakens the "did you mean" hint */
    strbuf_init_fixed(&sb, buf, len);
    for (int i = 0; c->words[i]; i++)
        strbuf_printf(&sb, "%s%s", i ? " " : "", c->words[i]);
}

static void unknown_cmd(char **args, int nargs, struct cli_session *s, struct strbuf *out)
{
    char typed[256], name[128];
    const char *best = NULL;
    int bestd = 1000;
    static char bestbuf[128];
    struct strbuf tb;

    /* the words typed, cut to 255 bytes for the error line */
    strbuf_init_fixed(&tb, typed, sizeof(typed));
    for (int i = 0; i < nargs && i < 3; i++)
        strbuf_printf(&tb, "%s%s", i ? " " : "", args[i]);
    for (struct cmdtab *t = cmdtabs; t; t = t->next)
        for (const struct cli_cmd *c = t->cmds; c->words[0]; c++) {
            int d;
            char cut[256];
            struct strbuf cb;
            int nw = 0;

            if (!cmd_visible(c, s))
                continue;
            cmd_name(c, name, sizeof(name));
            while (c->words[nw])
                nw++;
            /* compare with as many typed words as the command has */
            strbuf_init_fixed(&cb, cut, sizeof(cut));
            for (int i = 0; i < nargs && i < nw; i++)
                strbuf_printf(&cb, "%s%s", i ? " " : "", args[i]);
            d = str_distance(cut, name);
            if (d < bestd && d <= 3) {
                bestd = d;
                snprintf(bestbuf, sizeof(bestbuf), "%s", name);
                best = bestbuf;
            }
        }
    strbuf_printf(out, "Unknown command: '%s'.", typed);
    if (best)
        strbuf_printf(out, " Did you mean '%s'?", best);
    strbuf_printf(out, " Type 'help' for the list of commands.\n");
}

/* Runs every ';'-separated command of a line. Returns -1 when the session must close, 1 when
 * a command's answer comes later (the rest of the line waits in s->rest), else 0. */
static int run_line(struct cli_session *s, char *line)
{
    char *args[CLI_MAX_WORDS + 1];
    char *cmd = line, *p = line, *w = line;
    int ret = 0;

    /* Cut the line at unescaped ';' (an escaped one stays for split_words to unescape). */
    for (;; p++) {
        if (*p == '\\' && p[1]) {
            *w++ = *p++;
            *w++ = *p;
            continue;
        }
        if (*p && *p != ';') {
            *w++ = *p;
            continue;
        }
        {
            int end = !*p, n;

            *w = 0;
            n = split_words(cmd, args);
            if (n < 0) {
                strbuf_printf(&s->out, "Too many words in command (max %d).\n\n", CLI_MAX_WORDS);
            } else if (n > 0) {
                const struct cli_cmd *c = find_cmd(args, n, s);

                int rc = 0;

                if (!c)
                    unknown_cmd(args, n, s, &s->out);
                else
                    rc = c->fn(args, n, s, &s->out);
                if (rc == CLI_CMD_WAIT) {
                    s->waiting = 1;
                    ev_timer_stop(loop, &s->tmo); /* the wait is bounded by the command */
                    if (!end)
                        s->rest = strdup(p + 1);
                    return 1;
                }
                if (rc < 0)
                    ret = -1;
                strbuf_add(&s->out, "\n", 1);
            }
            if (end || ret < 0)
                break;
            cmd = w = p + 1;
        }
    }
    return ret;
}

static void session_flush(struct cli_session *s)
{
    while (s->outoff < s->out.len) {
        ssize_t n = send(s->fd, s->out.buf + s->outoff, s->out.len - s->outoff,
                         MSG_NOSIGNAL | MSG_DONTWAIT);

        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                break;
            session_close(s);
            return;
        }
        s->outoff += (size_t)n;
    }
    if (s->outoff == s->out.len) {
        strbuf_free(&s->out);
        s->outoff = 0;
        if (s->closing) {
            session_close(s);
            return;
        }
    }
    session_want(s, s->out.len ? EV_WRITE : (s->closing || s->eof || s->waiting ? 0 : EV_READ));
}

/* A line's commands have all answered (ret from run_line()). */
static void line_done(struct cli_session *s, int ret)
{
    if (ret < 0 || !s->interactive)
        s->closing = 1;
    else
        strbuf_printf(&s->out, "%s", s->l->master ? "master> " : "> ");
}

/* Processes every complete line received. */
static void session_input(struct cli_session *s, int eof)
{
    char *nl;

    s->eof |= eof;
    eof = s->eof;
    while (!s->closing && !s->waiting &&
           ((nl = memchr(s->in, '\n', s->inlen)) || (eof && s->inlen))) {
        size_t len = nl ? (size_t)(nl - s->in) : s->inlen;
        char line[CLI_MAX_LINE + 1];

        memcpy(line, s->in, len);
        line[len] = 0;
        if (len && line[len - 1] == '\r')
            line[len - 1] = 0;
        s->inlen -= nl ? len + 1 : len;
        memmove(s->in, s->in + (nl ? len + 1 : len), s->inlen);
        {
            int ret = run_line(s, line);

            if (ret == 1)
                return; /* cli_session_resume() goes on */
            line_done(s, ret);
        }
    }
    if (eof && !s->waiting)
        s->closing = 1;
}

struct strbuf *cli_session_out(struct cli_session *s)
{
    return &s->out;
}

int cli_session_gone(const struct cli_session *s)
{
    return s->gone;
}

void cli_session_resume(struct cli_session *s)
{
    int ret = 0;

    s->waiting = 0;
    if (s->gone) {
        strbuf_free(&s->out); /* what a handler wrote anyway */
        free(s->rest);
        free(s);
        return;
    }
    strbuf_add(&s->out, "\n", 1);
    if (s->rest) {
        char *rest = s->rest;

        s->rest = NULL;
        ret = run_line(s, rest);
        free(rest);
    }
    if (ret != 1) {
        line_done(s, ret);
        session_input(s, 0);
    }
    if (!s->waiting)
        ev_timer_again(loop, &s->tmo);
    session_flush(s);
}

static void session_cb(struct ev_loop *lp, ev_io *w, int revents)
{
    struct cli_session *s = w->data;

    if ((revents & EV_READ) && s->waiting) {
        /* Nothing is read while a command waits: no answer (not even "Command line too
         * long") may come ahead of its own; reading resumes with cli_session_resume(). */
        session_want(s, s->out.len ? EV_WRITE : 0);
        return;
    }
    if (revents & EV_READ) {
        ssize_t n = recv(s->fd, s->in + s->inlen, sizeof(s->in) - s->inlen, 0);

        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n < 0) {
            session_close(s);
            return;
        }
        s->inlen += (size_t)n;
        if (s->inlen == sizeof(s->in) && !memchr(s->in, '\n', s->inlen)) {
            strbuf_printf(&s->out, "Command line too long (max %d bytes).\n\n", CLI_MAX_LINE);
            s->inlen = 0;
            s->closing = 1;
        } else {
            session_input(s, n == 0);
        }
        if (!s->waiting)
            ev_timer_again(loop, &s->tmo);
    }
    session_flush(s);
}

static void session_timeout_cb(struct ev_loop *lp, ev_timer *w, int revents)
{
    session_close(w->data);
}

static void accept_cb(struct ev_loop *lp, ev_io *w, int revents)
{
    struct cli_listener *l = w->data;

    for (int i = 0; i < 16; i++) {
        int fd = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        struct cli_session *s;

        if (fd < 0)
            return;
        if (nsessions >= global.cli_maxconn) {
            /* Bounded: a flood of CLI connections must not exhaust the master. */
            close(fd);
            continue;
        }
        s = calloc(1, sizeof(*s));
        if (!s) {
            close(fd);
            return;
        }
        s->fd = fd;
        s->l = l;
        s->level = l->level;
        ev_io_init(&s->io, session_cb, fd, EV_READ);
        s->io.data = s;
        ev_init(&s->tmo, session_timeout_cb);
        s->tmo.repeat = global.cli_timeout / 1000.0; /* 0: no timeout */
        s->tmo.data = s;
        ev_timer_again(loop, &s->tmo);
        ev_io_start(loop, &s->io);
        s->next = sessions;
        if (sessions)
            sessions->prev = s;
        sessions = s;
        nsessions++;
    }
}

static void serve(struct cli_listener *l)
{
    if (l->fd < 0)
        return;
    ev_io_init(&l->io, accept_cb, l->fd, EV_READ);
    l->io.data = l;
    ev_io_start(loop, &l->io);
}

void cli_start(void)
{
    for (struct cli_listener *l = cli_listeners; l; l = l->next)
        if (l->master)
            serve(l);
}

void cli_serve_stats(void)
{
    for (struct cli_listener *l = cli_listeners; l; l = l->next)
        if (!l->master && !l->adopted && !ev_is_active(&l->io))
            serve(l);
}

int cli_stats_fds(int *fds, int max)
{
    int n = 0;

    for (struct cli_listener *l = cli_listeners; l && n < max; l = l->next)
        if (!l->master)
            fds[n++] = l->fd;
    return n;
}

void cli_adopt(const int *fds, int n)
{
    int i = 0;

    for (struct cli_listener *l = cli_listeners; l; l = l->next) {
        if (l->master)
            continue;
        if (i == n)
            break;
        if (l->fd >= 0) { /* already served here (worker 1): not ours to take */
            close(fds[i++]);
            continue;
        }
        l->fd = fds[i++];
        l->adopted = 1;
        serve(l);
    }
    while (i < n)
        close(fds[i++]);
}

void cli_release(void)
{
    for (struct cli_listener *l = cli_listeners; l; l = l->next) {
        if (!l->adopted)
            continue;
        ev_io_stop(loop, &l->io);
        close(l->fd);
        l->fd = -1;
        l->adopted = 0;
    }
}

void cli_child_init(int slot)
{
    while (sessions)
        session_close(sessions);
    for (struct cli_listener *l = cli_listeners; l; l = l->next) {
        if (l->master)
            ev_io_stop(loop, &l->io);
        if (!l->master && slot == 0)
            continue; /* served from cli_serve_stats() */
        if (l->fd >= 0)
            close(l->fd);
        l->fd = -1;
    }
}

/* ---- built-in commands ------------------------------------------------------------------- */

/* "help show ssl": the command name starts with the words given ("show ssl cert" does,
 * "show info" does not); the last word may be the start of one ("help sh"). */
static int help_matches(const char *name, char **words, int n)
{
    const char *p = name;

    for (int i = 0; i < n; i++) {
        size_t l = strlen(words[i]);

        if (strncmp(p, words[i], l))
            return 0;
        p += l;
        if (i < n - 1) {
            if (*p != ' ')
                return 0;
            p++;
        }
    }
    return 1;
}

static int cmd_help(char **args, int nargs, struct cli_session *s, struct strbuf *out)
{
    strbuf_printf(out, "The following commands are valid at this level:\n");
    for (struct cmdtab *t = cmdtabs; t; t = t->next)
        for (const struct cli_cmd *c = t->cmds; c->words[0]; c++) {
            char name[160];

            if (!cmd_visible(c, s))
                continue;
            cmd_name(c, name, sizeof(name));
            if (nargs > 1 && !help_matches(name, args + 1, nargs - 1))
                continue;
            if (c->args)
                snprintf(name + strlen(name), sizeof(name) - strlen(name), " %s", c->args);
            strbuf_printf(out, "  %-40s: %s\n", name, c->help);
        }
    return 0;
}

static int cmd_prompt(char **args, int nargs, struct cli_session *s, struct strbuf *out)
{
    s->interactive = !s->interactive;
    return 0;
}

static int cmd_quit(char **args, int nargs, struct cli_session *s, struct strbuf *out)
{
    return -1;
}

static int cmd_level(char **args, int nargs, struct cli_session *s, struct strbuf *out)
{
    int lvl = !strcmp(args[0], "user") ? CLI_LVL_USER : CLI_LVL_OPERATOR;

    if (lvl < s->level)
        s->level = lvl;
    return 0;
}

static struct cli_cmd cli_builtin_cmds[] = {
    {{"help", NULL}, "[<command>]", "list matching or all commands", CLI_W_STATS | CLI_W_MASTER,
     CLI_LVL_USER, cmd_help},
    {{"prompt", NULL}, NULL, "toggle interactive mode with prompt", CLI_W_STATS | CLI_W_MASTER,
     CLI_LVL_USER, cmd_prompt},
    {{"quit", NULL}, NULL, "disconnect", CLI_W_STATS | CLI_W_MASTER, CLI_LVL_USER, cmd_quit},
    {{"operator", NULL}, NULL, "lower the level of the current session to operator",
     CLI_W_STATS, CLI_LVL_OPERATOR, cmd_level},
    {{"user", NULL}, NULL, "lower the level of the current session to user", CLI_W_STATS,
     CLI_LVL_USER, cmd_level},
    {.fn = NULL},
};

static void cli_init(void)
{
    cfg_register_keywords(cli_kws);
    cli_register(cli_builtin_cmds);
}
INITCALL(cli_init)
