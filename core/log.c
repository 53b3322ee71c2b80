/* Logging: process messages on stderr, and traffic logs.
 *
 * Traffic logs follow HAProxy 2.6: "log" lines in the global section and in proxies (with
 * "log global" copying the global ones), a format per frontend ("option tcplog", "option
 * httplog [clf]", "log-format"), one line per HTTP transaction or TCP connection built with
 * logfmt.c, a syslog header per target ("format local|rfc3164|rfc5424|..."), and one
 * non-blocking sendmsg()/writev() per target. A target that would block loses the line
 * (counted in log_dropped): a worker never waits for a log server. */
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "http-t.h"
#include "logfmt.h"
#include "parse.h"
#include "proxy.h"
#include "str.h"

int log_quiet;
int log_debug_on;

static const char *const log_tags[] = {
    "[EMERG]  ", "[ALERT]  ", "[CRIT]   ", "[ERR]    ",
    "[WARNING]", "[NOTICE] ", "[INFO]   ", "[DEBUG]  ",
};

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
    char line[2048];
    struct strbuf sb;

    if (log_quiet && lvl > LOG_LVL_ERR)
        return;
    /* one byte kept for the newline; a message too long is cut and marked as such */
    strbuf_init_fixed(&sb, line, sizeof(line) - 1);
    strbuf_printf(&sb, "%s (%d) : ", log_tags[lvl], (int)getpid());
    if (strbuf_vprintf(&sb, fmt, ap) < 0 && sb.len >= 5)
        memcpy(line + sb.len - 5, "[...]", 5);
    line[sb.len] = '\n';
    /* One write per line so lines of concurrent processes do not interleave. */
    if (write(STDERR_FILENO, line, sb.len + 1) < 0) {
        /* nothing sensible to do: stderr is gone */
    }
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vmsg(lvl, fmt, ap);
    va_end(ap);
}

/* ---- names ----------------------------------------------------------------------------------- */

static const char *const facility_names[] = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news",
    "uucp", "cron", "auth2", "ftp", "ntp", "audit", "alert", "cron2",
    "local0", "local1", "local2", "local3", "local4", "local5", "local6", "local7", NULL,
};

static const char *const level_names[] = {
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug", NULL,
};

/* indexed by enum log_hdr_fmt; [0] is never matched */
static const char *const hdr_fmt_names[] = {
    "", "local", "rfc3164", "rfc5424", "priority", "short", "timed", "iso", "raw", NULL,
};

static int name_index(const char *const *list, const char *name)
{
    for (int i = 0; list[i]; i++)
        if (!strcmp(list[i], name))
            return i;
    return -1;
}

int log_level_parse(const char *name)
{
    if (!strcmp(name, "silent"))
        return LOG_LVL_SILENT;
    return name_index(level_names, name);
}

const char *log_level_name(int level)
{
    if (level == LOG_LVL_SILENT)
        return "silent";
    return level >= 0 && level <= LOG_LVL_DEBUG ? level_names[level] : "?";
}

const char *log_hostname(void)
{
    static char name[256];

    if (!name[0] && (gethostname(name, sizeof(name) - 1) < 0 || !name[0]))
        strcpy(name, "localhost");
    return name;
}

/* "unknown <what> 'x'; did you mean 'y'?" or with the list of valid names. */
static int unknown_name(char **err, const char *what, const char *word, const char *const *list)
{
    const char *sugg = cfg_suggest_list(word, list);
    struct strbuf sb = {0};

    if (sugg)
        return str_printf(err, "unknown %s '%s'; did you mean '%s'?", what, word, sugg);
    for (int i = 0; list[i]; i++)
        if (*list[i])
            strbuf_printf(&sb, "%s%s", sb.len ? ", " : "", list[i]);
    str_printf(err, "unknown %s '%s' (expected one of: %s)", what, word, sb.buf ? sb.buf : "");
    strbuf_free(&sb);
    return -1;
}

/* ---- configuration state ------------------------------------------------------------------- */

static struct log_target *global_targets;   /* global "log" lines */
static char *global_tag;                    /* global "log-tag", NULL: program name */
static char *send_hostname;                 /* "log-send-hostname", NULL when not set */
static int log_max_len = 1024;              /* longest "len" of every target */
unsigned long long log_dropped;

static const char fmt_tcplog[] =
    "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq";
static const char fmt_httplog[] =
    "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc "
    "%sq/%bq %hr %hs %{+Q}r";
static const char fmt_httpslog[] =
    "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc "
    "%sq/%bq %hr %hs %{+Q}r %[fc_err]/%[ssl_fc_err,hex]/%[ssl_c_err]/%[ssl_c_ca_err]/"
    "%[ssl_fc_is_resumed] %[ssl_fc_sni]/%sslv/%sslc";
static const char fmt_clf[] =
    "%{+Q}o %{-Q}ci - - [%trg] %r %ST %B \"\" \"\" %cp %ms %ft %b %s %TR %Tw %Tc %Tr %Ta %tsc "
    "%ac %fc %bc %sc %rc %sq %bq %CC %CS %hrl %hsl";

static struct log_target *target_dup(const struct log_target *t)
{
    struct log_target *c = str_zalloc(sizeof(*c));

    *c = *t;
    c->next = NULL;
    c->_fd = -1;
    return c;
}

static void targets_free(struct log_target *t)
{
    while (t) {
        struct log_target *next = t->next;

        free(t);
        t = next;
    }
}

static void targets_append(struct log_target **head, struct log_target *t)
{
    while (*head)
        head = &(*head)->next;
    *head = t;
}

static void conf_copy(struct log_px_conf *dst, const struct log_px_conf *src)
{
    *dst = *src;
    dst->targets = NULL;
    for (const struct log_target *t = src->targets; t; t = t->next)
        targets_append(&dst->targets, target_dup(t));
    dst->fmt_str = src->fmt_str ? str_dup(src->fmt_str) : NULL;
    dst->tag = src->tag ? str_dup(src->tag) : NULL;
    dst->fmt = NULL;
    dst->log_count = 0;
}

/* The proxy's settings, made on first use from its defaults section (as HAProxy copies the
 * defaults when a proxy starts), or empty when it has none. */
static struct log_px_conf *conf_get(struct proxy *px)
{
    if (!px->log_conf) {
        struct log_px_conf *c = str_zalloc(sizeof(*c));

        if (px->from)
            conf_copy(c, conf_get(px->from));
        px->log_conf = c;
    }
    return px->log_conf;
}

static int in_global(const struct cfg_ctx *ctx)
{
    return ctx->sec && !strcmp(ctx->sec->name, "global");
}

/* Keywords that make sense on a frontend only warn in backends, like proxy.c's. */
static int backend_warning(struct cfg_ctx *ctx, char **err)
{
    const struct proxy *px = ctx->obj;

    if (px->cap & (PX_CAP_FE | PX_CAP_DEF))
        return 0;
    return str_printf(err, "ignored: a %s has no frontend side", px->kind), 1;
}

/* ---- "log" --------------------------------------------------------------------------------- */

/* Parses the address of a "log" line: "stdout", "stderr", "fd@N", "[udp@|ipv4@|ipv6@]host
 * [:port]" (port 514 by default), "/path", "unix@path" or "uxdg@path" (UNIX datagram). */
static int parse_target(const char *s, struct log_target *t, char **err)
{
    static const char *const stream_prefixes[] = {"tcp@", "tcp4@", "tcp6@", "uxst@", NULL};
    struct parse_addr a;
    char buf[300];
    long long fd;

    if (!strcmp(s, "stdout") || !strcmp(s, "stderr") || !strncmp(s, "fd@", 3)) {
        t->kind = LOG_TGT_FD;
        if (s[0] == 's')
            t->fd = s[3] == 'o' ? 1 : 2;
        else if (parse_int(s + 3, 0, INT_MAX, &fd, NULL) < 0)
            return str_printf(err, "invalid file descriptor in '%s'", s);
        else
            t->fd = (int)fd;
        return 0;
    }
    if (!strncmp(s, "ring@", 5))
        return str_printf(err, "ring buffers ('%s') are not supported by sluice", s);
    for (int i = 0; stream_prefixes[i]; i++)
        if (!strncmp(s, stream_prefixes[i], strlen(stream_prefixes[i])))
            return str_printf(err, "stream log targets ('%s') are not supported by sluice: use "
                              "UDP or a UNIX datagram socket", s);
    if (!strncmp(s, "uxdg@", 5))
        snprintf(buf, sizeof(buf), "unix@%s", s + 5);
    else if (!strncmp(s, "udp4@", 5) || !strncmp(s, "udp6@", 5))
        snprintf(buf, sizeof(buf), "ipv%c@%s", s[3], s + 5);
    else
        snprintf(buf, sizeof(buf), "%s", strncmp(s, "udp@", 4) ? s : s + 4);
    if (parse_addr(buf, PARSE_ADDR_F_UNIX | PARSE_ADDR_F_RESOLVE, &a, err) < 0)
        return -1;
    t->addr = a.ss;
    t->addrlen = a.sslen;
    if (a.kind == PARSE_ADDR_UNIX) {
        t->kind = LOG_TGT_UNIX;
        return 0;
    }
    t->kind = LOG_TGT_UDP;
    if (a.ss.ss_family == AF_INET) {
        struct sockaddr_in *sin = (struct sockaddr_in *)&t->addr;

        if (sin->sin_addr.s_addr == htonl(INADDR_ANY))
            return str_printf(err, "cannot send logs to the unspecified address in '%s'", s);
        if (!a.port)
            sin->sin_port = htons(514);
    } else {
        struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&t->addr;

        if (IN6_IS_ADDR_UNSPECIFIED(&sin6->sin6_addr))
            return str_printf(err, "cannot send logs to the unspecified address in '%s'", s);
        if (!a.port)
            sin6->sin6_port = htons(514);
    }
    return 0;
}

/* "log <address> [len <n>] [format <fmt>] <facility> [<level> [<minlevel>]]" */
static int parse_log_line(char **args, int nargs, int global_sec, struct log_target *t,
                          char **err)
{
    long long len;
    int i = 2;

    if (nargs < 3)
        return str_printf(err, "expects <address> and <facility>%s as arguments",
                          global_sec ? "" : " or global");
    t->maxlen = 1024;
    t->level = LOG_LVL_DEBUG;
    t->minlevel = LOG_LVL_EMERG;
    if (!strcmp(args[i], "len")) {
        if (i + 1 >= nargs)
            return str_printf(err, "missing value after 'len'");
        if (parse_int(args[i + 1], 80, 65535, &len, NULL) < 0)
            return str_printf(err, "invalid log length '%s', must be between 80 and 65535",
                              args[i + 1]);
        t->maxlen = (int)len;
        i += 2;
    }
    if (i < nargs && !strcmp(args[i], "format")) {
        if (i + 1 >= nargs)
            return str_printf(err, "missing value after 'format'");
        t->format = name_index(hdr_fmt_names, args[i + 1]);
        if ((int)t->format <= 0)
            return unknown_name(err, "log format", args[i + 1], hdr_fmt_names + 1);
        i += 2;
    }
    if (i < nargs && !strcmp(args[i], "sample"))
        return str_printf(err, "log sampling ('sample') is not supported by sluice");
    if (i >= nargs)
        return str_printf(err, "missing <facility> after the address");
    t->facility = name_index(facility_names, args[i]);
    if (t->facility < 0)
        return unknown_name(err, "log facility", args[i], facility_names);
    if (++i < nargs) {
        t->level = name_index(level_names, args[i]);
        if (t->level < 0)
            return unknown_name(err, "log level", args[i], level_names);
        i++;
    }
    if (i < nargs) {
        t->minlevel = name_index(level_names, args[i]);
        if (t->minlevel < 0)
            return unknown_name(err, "minimum log level", args[i], level_names);
        i++;
    }
    if (i < nargs)
        return str_printf(err, "cannot handle unexpected argument '%s'", args[i]);
    return parse_target(args[1], t, err);
}

/* "log global": appends copies of the global targets not copied yet (HAProxy copies them
 * when the line is read). */
static int log_global(struct cfg_ctx *ctx, struct log_px_conf *c, char **err)
{
    if (!global_targets)
        return str_printf(err, "no 'log' line in the global section so far: nothing to "
                          "copy"), 1;
    for (const struct log_target *g = global_targets; g; g = g->next) {
        struct log_target *t;
        int dup = 0;

        for (t = c->targets; t && !dup; t = t->next)
            dup = t->ref == g;
        if (dup)
            continue;
        t = target_dup(g);
        t->ref = g;
        cfg_where_here(ctx, &t->where);
        targets_append(&c->targets, t);
    }
    return 0;
}

static int kw_log(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                  char **err)
{
    int global_sec = in_global(ctx);
    struct log_target **list, *t;
    struct log_px_conf *c = global_sec ? NULL : conf_get(ctx->obj);

    list = global_sec ? &global_targets : &c->targets;
    if (ctx->negated) {
        if (nargs > 1)
            return str_printf(err, "'no log' does not expect arguments");
        targets_free(*list);
        *list = NULL;
        return 0;
    }
    if (nargs == 2 && !strcmp(args[1], "global")) {
        if (global_sec)
            return str_printf(err, "'global' is not supported for a global syslog server");
        return log_global(ctx, c, err);
    }
    t = str_zalloc(sizeof(*t));
    t->_fd = -1;
    if (parse_log_line(args, nargs, global_sec, t, err) < 0) {
        free(t);
        return -1;
    }
    cfg_where_here(ctx, &t->where);
    targets_append(list, t);
    return 0;
}

static int kw_log_tag(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                      char **err)
{
    char **dst = in_global(ctx) ? &global_tag : &conf_get(ctx->obj)->tag;

    if (!*args[1])
        return str_printf(err, "expects a tag for use in syslog");
    free(*dst);
    *dst = str_dup(args[1]);
    return 0;
}

static int kw_send_hostname(char **args, int nargs, struct cfg_ctx *ctx,
                            const struct cfg_kw *kw, char **err)
{
    free(send_hostname);
    send_hostname = str_dup(nargs > 1 ? args[1] : log_hostname());
    return 0;
}

/* ---- formats ------------------------------------------------------------------------------- */

#define WHERE_ALL (SMP_USE_L4 | SMP_USE_REQ | SMP_USE_RES | SMP_USE_BE)

static void set_format(struct cfg_ctx *ctx, struct log_px_conf *c, enum log_pxfmt kind,
                       const char *str)
{
    free(c->fmt_str);
    c->fmt_str = str ? str_dup(str) : NULL;
    c->fmt_kind = kind;
    cfg_where_here(ctx, &c->fmt_where);
}

static int kw_log_format(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                         char **err)
{
    struct logfmt *f;

    if (nargs > 2)
        return str_printf(err, "expects only one argument, don't forget to escape spaces!");
    if (!*args[1])
        return str_printf(err, "expects a format string");
    if (backend_warning(ctx, err))
        return 1;
    /* Syntax errors now; what depends on the frontend's mode is checked after parsing. */
    f = logfmt_parse(args[1], WHERE_ALL, err);
    if (!f)
        return -1;
    logfmt_free(f);
    set_format(ctx, conf_get(ctx->obj), LOG_PXFMT_CUSTOM, args[1]);
    return 0;
}

static int kw_httplog(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                      char **err)
{
    int clf = nargs > 2;

    if (clf && strcmp(args[2], "clf") != 0)
        return str_printf(err, "only supports option 'clf' (got '%s')", args[2]);
    if (backend_warning(ctx, err))
        return 1;
    set_format(ctx, conf_get(ctx->obj), clf ? LOG_PXFMT_CLF : LOG_PXFMT_HTTP, NULL);
    return 0;
}

static int kw_httpslog(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                       char **err)
{
    if (backend_warning(ctx, err))
        return 1;
    set_format(ctx, conf_get(ctx->obj), LOG_PXFMT_HTTPS, NULL);
    return 0;
}

static int kw_tcplog(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                     char **err)
{
    if (backend_warning(ctx, err))
        return 1;
    set_format(ctx, conf_get(ctx->obj), LOG_PXFMT_TCP, NULL);
    return 0;
}

/* option dontlognull / option log-separate-errors, with "no" */
static int kw_log_option(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                         char **err)
{
    struct log_px_conf *c;

    if (backend_warning(ctx, err))
        return 1;
    c = conf_get(ctx->obj);
    *(int *)((char *)c + kw->offset) = !ctx->negated;
    return 0;
}

#define PX_SECTIONS "defaults frontend backend listen"
#define ALL_SECTIONS "global " PX_SECTIONS

static struct cfg_kw log_kws[] = {
    {.name = "log", .sections = ALL_SECTIONS, .min_args = 0, .max_args = -1, .parse = kw_log,
     .flags = CFG_KW_F_NO,
     .usage = "log global | log <address> [len <n>] [format <fmt>] <facility> [<level> "
              "[<minlevel>]] | no log"},
    {.name = "log-tag", .sections = ALL_SECTIONS, .min_args = 1, .max_args = 1,
     .parse = kw_log_tag, .usage = "log-tag <string>"},
    {.name = "log-send-hostname", .sections = "global", .min_args = 0, .max_args = 1,
     .parse = kw_send_hostname, .usage = "log-send-hostname [<name>]"},
    {.name = "log-format", .sections = PX_SECTIONS, .min_args = 1, .max_args = -1,
     .parse = kw_log_format, .usage = "log-format <format>"},
    {.name = "option httplog", .sections = PX_SECTIONS, .min_args = 0, .max_args = 1,
     .parse = kw_httplog, .usage = "option httplog [clf]"},
    {.name = "option httpslog", .sections = PX_SECTIONS, .min_args = 0, .max_args = 0,
     .parse = kw_httpslog, .usage = "option httpslog"},
    {.name = "option tcplog", .sections = PX_SECTIONS, .min_args = 0, .max_args = 0,
     .parse = kw_tcplog, .usage = "option tcplog"},
    {.name = "option dontlognull", .sections = PX_SECTIONS, .min_args = 0, .max_args = 0,
     .parse = kw_log_option, .offset = offsetof(struct log_px_conf, dontlognull),
     .flags = CFG_KW_F_NO, .usage = "[no] option dontlognull"},
    {.name = "option log-separate-errors", .sections = PX_SECTIONS, .min_args = 0,
     .max_args = 0, .parse = kw_log_option,
     .offset = offsetof(struct log_px_conf, separate_errors), .flags = CFG_KW_F_NO,
     .usage = "[no] option log-separate-errors"},
    {0},
};

/* ---- checks after parsing ------------------------------------------------------------------ */

/* Compiles each frontend's format for its mode (HTTP variables need mode http). */
static int check_frontend_format(struct proxy *px, struct log_px_conf *c)
{
    int http = px->conf.mode == PX_MODE_HTTP;
    enum log_pxfmt kind = c->fmt_kind;
    const char *str, *kw;
    char *err = NULL;

    if (kind == LOG_PXFMT_NONE)
        return 0;
    if ((kind == LOG_PXFMT_HTTP || kind == LOG_PXFMT_CLF || kind == LOG_PXFMT_HTTPS) && !http) {
        cfg_warn_at(&c->fmt_where, "option httplog", "not usable with %s '%s' (needs 'mode "
                    "http'); falling back to 'option tcplog'", px->kind, px->id);
        kind = LOG_PXFMT_TCP;
    }
    str = kind == LOG_PXFMT_TCP ? fmt_tcplog : kind == LOG_PXFMT_HTTP ? fmt_httplog
        : kind == LOG_PXFMT_HTTPS ? fmt_httpslog : kind == LOG_PXFMT_CLF ? fmt_clf
        : c->fmt_str;
    kw = kind == LOG_PXFMT_CUSTOM ? "log-format" : kind == LOG_PXFMT_TCP ? "option tcplog"
         : kind == LOG_PXFMT_HTTPS ? "option httpslog" : "option httplog";
    logfmt_free(c->fmt);
    c->fmt = logfmt_parse(str, SMP_USE_L4 | SMP_USE_BE | (http ? SMP_USE_REQ | SMP_USE_RES : 0),
                          &err);
    if (!c->fmt) {
        cfg_alert_at(&c->fmt_where, kw, "%s (used by %s '%s')", err, px->kind, px->id);
        free(err);
        return 1;
    }
    if (!c->targets)
        cfg_warn_at(&px->where, NULL, "a log format is set but no 'log' target: nothing will "
                    "be logged (add 'log global' or a 'log' line)");
    return 0;
}

static int check_logs(void)
{
    int errs = 0;

    for (struct proxy *px = proxies; px; px = px->next) {
        struct log_px_conf *c = conf_get(px);

        for (struct log_target *t = c->targets; t; t = t->next)
            if (t->maxlen > log_max_len)
                log_max_len = t->maxlen;
        if (px->cap & PX_CAP_FE)
            errs += check_frontend_format(px, c);
    }
    for (struct log_target *t = global_targets; t; t = t->next)
        if (t->maxlen > log_max_len)
            log_max_len = t->maxlen;
    return errs;
}

static void log_register(void)
{
    cfg_register_keywords(log_kws);
    cfg_register_check(30, check_logs);
}
INITCALL(log_register)

/* ---- worker runtime: sockets --------------------------------------------------------------- */

static int sock_inet = -1, sock_inet6 = -1, sock_unix = -1; /* this worker's datagram sockets */
static pid_t ready_pid;                                    /* process that opened them */

/* stdout/stderr/fd@N opened for non-blocking writes, shared by the targets naming them */
static struct fd_map {
    int orig;     /* descriptor named in the configuration */
    int fd;       /* descriptor to write to */
    int is_sock;  /* fd is a socket */
} fd_maps[16];
static int n_fd_maps;

static int dgram_socket(int family, char **err)
{
    int zero = 0, fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return str_printf(err, "cannot create a %s socket for logs: %s",
                          family == AF_UNIX ? "UNIX" : family == AF_INET ? "UDP" : "UDP/IPv6",
                          strerror(errno));
    /* nothing is ever read from it */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &zero, sizeof(zero));
    shutdown(fd, SHUT_RD);
    return fd;
}

/* A non-blocking way to write to descriptor orig without changing the flags of its open file
 * description, which other processes share: sockets take MSG_DONTWAIT; pipes and terminals
 * are opened again through /proc with O_NONBLOCK; regular files do not block anyway. */
static struct fd_map *fd_open(int orig)
{
    struct fd_map *m;
    struct stat st;
    char path[64];

    for (int i = 0; i < n_fd_maps; i++)
        if (fd_maps[i].orig == orig)
            return &fd_maps[i];
    if (n_fd_maps == (int)(sizeof(fd_maps) / sizeof(fd_maps[0])))
        return NULL;
    m = &fd_maps[n_fd_maps++];
    m->orig = orig;
    m->fd = orig;
    m->is_sock = 0;
    if (fstat(orig, &st) < 0)
        return m; /* sends will fail and be counted as drops */
    if (S_ISSOCK(st.st_mode)) {
        m->is_sock = 1;
    } else if (S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode)) {
        int fd;

        snprintf(path, sizeof(path), "/proc/self/fd/%d", orig);
        fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (fd >= 0)
            m->fd = fd;
    }
    return m;
}

static void targets_open(struct log_target *t)
{
    for (; t; t = t->next) {
        if (t->kind == LOG_TGT_FD) {
            struct fd_map *m = fd_open(t->fd);

            t->_fd = m ? m->fd : t->fd;
            t->_is_sock = m ? m->is_sock : 0;
        } else {
            t->_fd = t->kind == LOG_TGT_UNIX ? sock_unix
                   : t->addr.ss_family == AF_INET ? sock_inet : sock_inet6;
        }
        t->_alerted = 0;
    }
}

static void families_needed(const struct log_target *t, int *in4, int *in6, int *un)
{
    for (; t; t = t->next) {
        *un |= t->kind == LOG_TGT_UNIX;
        *in4 |= t->kind == LOG_TGT_UDP && t->addr.ss_family == AF_INET;
        *in6 |= t->kind == LOG_TGT_UDP && t->addr.ss_family == AF_INET6;
    }
}

int log_init_worker(char **err)
{
    int in4 = 0, in6 = 0, un = 0;

    if (ready_pid == getpid())
        return 0;
    /* Sockets inherited from a parent that logged before forking us: this worker makes its
     * own (closing our copies leaves the parent's untouched). */
    if (sock_inet >= 0)
        close(sock_inet);
    if (sock_inet6 >= 0)
        close(sock_inet6);
    if (sock_unix >= 0)
        close(sock_unix);
    sock_inet = sock_inet6 = sock_unix = -1;
    for (int i = 0; i < n_fd_maps; i++)
        if (fd_maps[i].fd != fd_maps[i].orig)
            close(fd_maps[i].fd);
    n_fd_maps = 0;
    tzset(); /* read the time zone now, before a chroot hides it */
    families_needed(global_targets, &in4, &in6, &un);
    for (struct proxy *px = proxies; px; px = px->next)
        if (px->log_conf)
            families_needed(((struct log_px_conf *)px->log_conf)->targets, &in4, &in6, &un);
    if ((in4 && (sock_inet = dgram_socket(AF_INET, err)) < 0) ||
        (in6 && (sock_inet6 = dgram_socket(AF_INET6, err)) < 0) ||
        (un && (sock_unix = dgram_socket(AF_UNIX, err)) < 0))
        return -1;
    targets_open(global_targets);
    for (struct proxy *px = proxies; px; px = px->next)
        if (px->log_conf)
            targets_open(((struct log_px_conf *)px->log_conf)->targets);
    ready_pid = getpid();
    return 0;
}

/* ---- worker runtime: lines ----------------------------------------------------------------- */

static const char month_names[12][4] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* "2026-11-26T18:47:50.786901+00:00" (local time, microseconds, offset) */
static int iso_date(const struct timeval *tv, const struct tm *tm, char *b, size_t size)
{
    long off = tm->tm_gmtoff;
    int oh = (int)(labs(off) / 3600 % 24), om = (int)(labs(off) / 60 % 60);

    return snprintf(b, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06d%c%02d:%02d",
                    (tm->tm_year + 1900) % 10000, (tm->tm_mon + 1) % 100, tm->tm_mday % 100,
                    tm->tm_hour % 100, tm->tm_min % 100, tm->tm_sec % 100,
                    (int)(tv->tv_usec % 1000000), off < 0 ? '-' : '+', oh, om);
}

/* What the headers of one line share: computed once, whatever the number of targets. */
struct hdr_time {
    struct tm tm;       /* local time of sending */
    char iso[64];       /* the same as "2026-11-26T18:47:50.786901+00:00" */
    int pid;            /* this process */
};

static void hdr_time_now(struct hdr_time *h)
{
    struct timeval tv;

    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &h->tm);
    iso_date(&tv, &h->tm, h->iso, sizeof(h->iso));
    h->pid = (int)getpid();
}

/* Writes the syslog header of target t for a line at `level` into b; returns its length. */
static size_t build_header(const struct log_target *t, int level, const char *tag,
                           const struct hdr_time *h, char *b, size_t size)
{
    enum log_hdr_fmt f = t->format ? t->format : send_hostname ? LOG_HDR_RFC3164 : LOG_HDR_LOCAL;
    int pri = t->facility * 8 + level;
    const char *host = send_hostname && *send_hostname ? send_hostname : NULL;
    const struct tm *tm = &h->tm;
    struct strbuf sb;

    /* A header cut short (a very long hostname or tag) is still sent: the line that follows
     * stays readable, and the builder guarantees nothing is written past b. */
    strbuf_init_fixed(&sb, b, size);
    switch (f) {
    case LOG_HDR_RFC3164:
    case LOG_HDR_LOCAL:
        strbuf_printf(&sb, "<%d>%s %2d %02d:%02d:%02d ", pri, month_names[tm->tm_mon % 12],
                      tm->tm_mday, tm->tm_hour, tm->tm_min, tm->tm_sec);
        if (f == LOG_HDR_RFC3164)
            strbuf_printf(&sb, "%s ", host ? host : "localhost");
        if (*tag)
            strbuf_printf(&sb, "%s[%d]: ", tag, h->pid);
        break;
    case LOG_HDR_RFC5424:
        strbuf_printf(&sb, "<%d>1 %s %s %s %d - - ", pri, h->iso, host ? host : "-",
                      *tag ? tag : "-", h->pid);
        break;
    case LOG_HDR_PRIORITY:
        strbuf_printf(&sb, "<%d>", pri);
        break;
    case LOG_HDR_SHORT:
        strbuf_printf(&sb, "<%d>", level);
        break;
    case LOG_HDR_TIMED:
        strbuf_printf(&sb, "<%d>%s ", level, h->iso);
        break;
    case LOG_HDR_ISO:
        strbuf_printf(&sb, "%s ", h->iso);
        break;
    default: /* LOG_HDR_RAW */
        break;
    }
    return sb.len;
}

static void send_failed(struct log_target *t, int err)
{
    char addr[160];

    log_dropped++;
    if (err == EAGAIN || err == EWOULDBLOCK || err == ENOBUFS || t->_alerted)
        return;
    /* Other errors (no syslog daemon, bad descriptor) are reported once per target. */
    t->_alerted = 1;
    if (t->kind == LOG_TGT_FD)
        snprintf(addr, sizeof(addr), "fd@%d", t->fd);
    else
        parse_addr_str(&t->addr, addr, sizeof(addr));
    log_alert("cannot send logs to %s (declared at %s:%d): %s; dropping them", addr,
              t->ref ? t->ref->where.file : t->where.file,
              t->ref ? t->ref->where.line : t->where.line, strerror(err));
}

/* Sends header + msg (cut to the target's "len") + LF with one non-blocking call. */
static void send_line(struct log_target *t, int level, const char *tag,
                      const struct hdr_time *h, const char *msg, size_t len)
{
    char hdr[512];
    /* As HAProxy 2.6: header and message are cut to "len" bytes, then LF is added. */
    size_t hl = build_header(t, level, tag, h, hdr, sizeof(hdr)), room = (size_t)t->maxlen;
    struct iovec iov[3];
    struct msghdr mh = {.msg_iov = iov, .msg_iovlen = 3};
    ssize_t rc;

    if (hl > room)
        hl = room;
    if (len > room - hl)
        len = room - hl;
    iov[0] = (struct iovec){.iov_base = hdr, .iov_len = hl};
    iov[1] = (struct iovec){.iov_base = (void *)msg, .iov_len = len};
    iov[2] = (struct iovec){.iov_base = "\n", .iov_len = 1};
    if (t->_fd < 0) {
        send_failed(t, EBADF);
        return;
    }
    if (t->kind == LOG_TGT_FD && !t->_is_sock) {
        rc = writev(t->_fd, iov, 3);
    } else {
        if (t->kind != LOG_TGT_FD) {
            mh.msg_name = &t->addr;
            mh.msg_namelen = t->addrlen;
        }
        rc = sendmsg(t->_fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
    }
    if (rc < 0)
        send_failed(t, errno);
}

/* Sends msg to every target of c that accepts `level`. */
static void send_all(struct log_px_conf *c, int level, const char *msg, size_t len)
{
    const char *tag = c->tag ? c->tag : global_tag ? global_tag
                    : program_invocation_short_name;
    struct hdr_time h;

    hdr_time_now(&h);
    if (ready_pid != h.pid)
        log_init_worker(NULL); /* failures show up as drops */
    for (struct log_target *t = c->targets; t; t = t->next) {
        if (level > t->level)
            continue;
        send_line(t, level < t->minlevel ? t->minlevel : level, tag, &h, msg, len);
    }
}

/* HAProxy's idea of a stream that went wrong (strm_log: err). */
static int ended_in_error(const struct smp_env *env, const struct strm_info *i)
{
    char cause = i->term[0];
    int status = i->status > 0 ? i->status : env->txn ? env->txn->status : 0;

    return i->error || i->redispatched || (cause && cause != '-' && cause != 'L') ||
           ((!cause || cause == '-') && i->retries > 0) || (env->txn && status >= 500);
}

void log_traffic(struct smp_env *env)
{
    static char line[65536];
    static const struct strm_info none = {.term = "----", .status = -1};
    const struct strm_info *i = env->info ? env->info : &none;
    struct log_px_conf *c = env->fe ? env->fe->log_conf : NULL;
    int level = LOG_LVL_INFO;
    size_t len;

    if (!c || !c->targets || !c->fmt)
        return;
    if (c->dontlognull && !i->bytes_in && !(env->txn && env->txn->req.present))
        return;
    if (env->txn && env->txn->log_level >= 0) {
        if (env->txn->log_level > LOG_LVL_DEBUG)
            return; /* set-log-level silent */
        level = env->txn->log_level;
    } else if (c->separate_errors && ended_in_error(env, i)) {
        level = LOG_LVL_ERR;
    }
    len = logfmt_render(c->fmt, env, line, (size_t)log_max_len);
    if (!len)
        return;
    send_all(c, level, line, len);
    c->log_count++;
}

static const char *addr_ip(const struct sockaddr_storage *ss, char *b, size_t size, int *port)
{
    *port = 0;
    if (!ss || (ss->ss_family != AF_INET && ss->ss_family != AF_INET6))
        return NULL;
    if (ss->ss_family == AF_INET) {
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, b, (socklen_t)size);
        *port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
    } else {
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, b, (socklen_t)size);
        *port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
    }
    return b;
}

void log_conn_error(struct smp_env *env, const char *msg)
{
    struct log_px_conf *c = env->fe ? env->fe->log_conf : NULL;
    char src[64], line[512], date[64];
    struct timeval tv;
    struct tm tm;
    int sp = 0, n;

    if (!c || !c->targets || c->dontlognull)
        return;
    gettimeofday(&tv, NULL);
    localtime_r(&tv.tv_sec, &tm);
    strftime(date, sizeof(date), "%d/%b/%Y:%H:%M:%S", &tm);
    if (!addr_ip(env->src, src, sizeof(src), &sp))
        strcpy(src, "unix");
    /* HAProxy's default error line: "<ip>:<port> [<date>] <frontend>/<bind>: <message>" */
    n = snprintf(line, sizeof(line), "%s:%d [%s.%03d] %s/%s: %s", src, sp, date,
                 (int)(tv.tv_usec / 1000), env->fe->id, env->bind_name ? env->bind_name : "-",
                 msg);
    if (n <= 0)
        return;
    send_all(c, c->separate_errors ? LOG_LVL_ERR : LOG_LVL_INFO, line,
             (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    c->log_count++;
}

void log_accept(struct smp_env *env)
{
    struct log_px_conf *c = env->fe ? env->fe->log_conf : NULL;
    char src[64], dst[64], line[512];
    int sp, dp = 0, n;
    const char *mode;

    if (!c || !c->targets || c->fmt || c->fmt_kind != LOG_PXFMT_NONE)
        return;
    mode = env->fe->conf.mode == PX_MODE_HTTP ? "HTTP" : "TCP";
    if (!addr_ip(env->dst, dst, sizeof(dst), &dp))
        strcpy(dst, "-");
    if (addr_ip(env->src, src, sizeof(src), &sp))
        n = snprintf(line, sizeof(line), "Connect from %s:%d to %s:%d (%s/%s)", src, sp, dst,
                     dp, env->fe->id, mode);
    else
        n = snprintf(line, sizeof(line), "Connect from unix:0 to unix:0 (%s/%s)", env->fe->id,
                     mode);
    if (n <= 0)
        return;
    send_all(c, LOG_LVL_INFO, line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
    c->log_count++;
}
