/* Listeners: the "bind" keyword, its options, and the listening sockets (one per worker slot
 * with SO_REUSEPORT, so the kernel spreads connections over the workers). */
#include "listener.h"

#include <errno.h>
#include <grp.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cfg.h"
#include "global.h"
#include "parse.h"
#include "proxy.h"
#include "sock.h"
#include "str.h"

struct listener *listeners;
static struct listener **listeners_tail = &listeners;

struct cfg_optset lsn_bind_opts = {.what = "bind option", .haproxy = cfg_haproxy_bind_kws};

/* ---- core bind options ------------------------------------------------------------------- */

static int bo_name(char **args, void *obj, char **err)
{
    struct listener *l = obj;

    l->name = cfg_intern(args[1]);
    return 0;
}

static int bo_int(const char *kw, const char *val, long long min, long long max, int *out,
                  char **err)
{
    long long v;
    char *e = NULL;

    if (parse_int(val, min, max, &v, &e) < 0) {
        str_printf(err, "%s: %s", kw, e);
        free(e);
        return -1;
    }
    *out = (int)v;
    return 0;
}

static int bo_backlog(char **args, void *obj, char **err)
{
    struct listener *l = obj;

    return bo_int(args[0], args[1], 1, 1 << 20, &l->backlog, err);
}

static int bo_maxconn(char **args, void *obj, char **err)
{
    struct listener *l = obj;

    return bo_int(args[0], args[1], 1, 10000000, &l->maxconn, err);
}

static int bo_mode(char **args, void *obj, char **err)
{
    struct listener *l = obj;

    char *end;
    long m = strtol(args[1], &end, 8);

    if (!*args[1] || *end || m < 0 || m > 07777)
        return str_printf(err, "mode: '%s' is not an octal file mode", args[1]);
    l->unix_mode = (int)m;
    return 0;
}

static int bo_uid(char **args, void *obj, char **err)
{
    struct listener *l = obj;

    return bo_int(args[0], args[1], 0, 0x7fffffff, !strcmp(args[0], "uid") ? &l->unix_uid
                                                                          : &l->unix_gid, err);
}

static int bo_user(char **args, void *obj, char **err)
{
    struct listener *l = obj;

    struct passwd *pw = getpwnam(args[1]);

    if (!pw)
        return str_printf(err, "user: unknown user '%s'", args[1]);
    l->unix_uid = (int)pw->pw_uid;
    return 0;
}

static int bo_group(char **args, void *obj, char **err)
{
    struct listener *l = obj;

    struct group *gr = getgrnam(args[1]);

    if (!gr)
        return str_printf(err, "group: unknown group '%s'", args[1]);
    l->unix_gid = (int)gr->gr_gid;
    return 0;
}

static int bo_v6(char **args, void *obj, char **err)
{
    struct listener *l = obj;

    l->v6only = !strcmp(args[0], "v6only") ? 1 : 2;
    return 0;
}

static int bo_interface(char **args, void *obj, char **err)
{
    struct listener *l = obj;

    free(l->interface);
    l->interface = str_dup(args[1]);
    return 0;
}

static struct cfg_opt core_bind_kws[] = {
    {"name", 1, bo_name},       {"backlog", 1, bo_backlog}, {"maxconn", 1, bo_maxconn},
    {"mode", 1, bo_mode},       {"uid", 1, bo_uid},         {"gid", 1, bo_uid},
    {"user", 1, bo_user},       {"group", 1, bo_group},     {"v6only", 0, bo_v6},
    {"v4v6", 0, bo_v6},         {"interface", 1, bo_interface},
    {NULL, 0, NULL},
};

/* ---- the bind keyword -------------------------------------------------------------------- */

static struct listener *new_listener(struct proxy *px, struct cfg_ctx *ctx, const char *str,
                                     const struct parse_addr *addr)
{
    struct listener *l = str_zalloc(sizeof(*l)), **p;

    l->px = px;
    cfg_where_here(ctx, &l->where);
    l->addr_str = str_dup(str);
    l->addr = *addr;
    l->unix_mode = l->unix_uid = l->unix_gid = -1;
    l->fd = -1;
    for (p = &px->listeners; *p; p = &(*p)->next)
        ;
    *p = l;
    *listeners_tail = l;
    listeners_tail = &l->gnext;
    return l;
}

/* Applies the options args[first..nargs-1] to the listeners [from, end of px list). */
static int bind_options(char **args, int first, int nargs, struct listener *from, char **err)
{
    int warn = 0;

    for (struct listener *l = from; l; l = l->next) {
        int rc = cfg_optset_apply(&lsn_bind_opts, args, first, nargs, l, err);

        if (rc < 0)
            return -1;
        warn |= rc > 0;
    }
    return warn;
}

static int kw_bind(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                   char **err)
{
    struct proxy *px = ctx->obj;
    struct listener *first = NULL;
    char *list = str_dup(args[1]), *save = NULL, *tok;
    int ret = 0;

    if (!(px->cap & PX_CAP_FE)) {
        free(list);
        return str_printf(err, "a %s cannot accept connections", px->kind);
    }
    px->bind_lines++;
    /* "bind addr1,addr2 opts" declares one listener per address sharing the options. */
    for (tok = strtok_r(list, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        struct parse_addr a;
        struct listener *l;

        if (parse_addr(tok, PARSE_ADDR_F_NEED_PORT | PARSE_ADDR_F_UNIX | PARSE_ADDR_F_FD |
                       PARSE_ADDR_F_WILDCARD | PARSE_ADDR_F_RESOLVE, &a, err) < 0) {
            ret = -1;
            goto out;
        }
        if (a.kind == PARSE_ADDR_INET && a.port == 0) {
            ret = str_printf(err, "port 0 is not supported in '%s' (each worker slot binds "
                                  "the same port)", tok);
            goto out;
        }
        l = new_listener(px, ctx, tok, &a);
        if (!first)
            first = l;
    }
    if (!first) {
        ret = str_printf(err, "missing address");
        goto out;
    }
    ret = bind_options(args, 2, nargs, first, err);
    if (ret < 0)
        for (struct listener *l = first; l; l = l->next)
            l->failed = 1;
out:
    free(list);
    return ret;
}

static struct cfg_kw listener_kws[] = {
    {.name = "bind", .sections = "frontend listen", .min_args = 1, .max_args = -1,
     .parse = kw_bind, .usage = "bind <address>[,<address>...] [options]"},
    {0},
};

static void listener_register(void)
{
    cfg_register_keywords(listener_kws);
    cfg_optset_register(&lsn_bind_opts, core_bind_kws);
}
INITCALL(listener_register)

/* ---- sockets ----------------------------------------------------------------------------- */

/* Fails like bind() would if something else already listens on the address: a socket
 * without SO_REUSEPORT cannot share a port, so this probe sees any other listener, even
 * another SO_REUSEPORT process of the same user. */
static int probe_addr_free(const struct listener *l, char **err)
{
    int one = 1, fd = socket(l->addr.ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    char buf[128];

    if (fd < 0)
        return str_printf(err, "cannot create socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (l->addr.ss.ss_family == AF_INET6 && l->v6only)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){l->v6only == 1}, sizeof(int));
    if (bind(fd, (const struct sockaddr *)&l->addr.ss, l->addr.sslen) < 0) {
        int e = errno;

        close(fd);
        return str_printf(err, "cannot bind %s: %s",
                          parse_addr_str(&l->addr.ss, buf, sizeof(buf)), strerror(e));
    }
    close(fd);
    return 0;
}

static int bind_inet(const struct listener *l, int backlog, char **err)
{
    int one = 1, fd = socket(l->addr.ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    char buf[128];

    if (fd < 0)
        return str_printf(err, "cannot create socket: %s", strerror(errno));
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    /* accepted sockets inherit it: no setsockopt() per connection */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0)
        goto fail;
    if (l->addr.ss.ss_family == AF_INET6 && l->v6only)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int){l->v6only == 1}, sizeof(int));
    if (l->interface && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, l->interface,
                                   (socklen_t)strlen(l->interface) + 1) < 0)
        goto fail;
    if (bind(fd, (const struct sockaddr *)&l->addr.ss, l->addr.sslen) < 0 ||
        listen(fd, backlog) < 0)
        goto fail;
    return fd;
fail:
    str_printf(err, "cannot bind %s: %s", parse_addr_str(&l->addr.ss, buf, sizeof(buf)),
               strerror(errno));
    close(fd);
    return -1;
}

static int bind_one(struct listener *l, int nslots, char **err)
{
    int backlog = l->backlog ? l->backlog
                  : l->px->conf.maxconn ? l->px->conf.maxconn : 1024;

    l->fds = str_zalloc(sizeof(int) * (size_t)nslots);
    l->nfds = nslots;
    for (int i = 0; i < nslots; i++)
        l->fds[i] = -1;
    if (l->addr.kind != PARSE_ADDR_INET) {
        int fd = l->addr.kind == PARSE_ADDR_FD
                 ? sock_adopt_listener(l->addr.fd, backlog, err)
                 : sock_bind_unix(((const struct sockaddr_un *)&l->addr.ss)->sun_path, backlog,
                                  l->unix_mode, l->unix_uid, l->unix_gid, err);

        if (fd < 0)
            return -1;
        if (l->addr.kind == PARSE_ADDR_FD) /* fails harmlessly on a UNIX socket */
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){1}, sizeof(int));
        l->shared = 1;
        for (int i = 0; i < nslots; i++)
            l->fds[i] = fd;
        return 0;
    }
    if (probe_addr_free(l, err) < 0)
        return -1;
    for (int i = 0; i < nslots; i++) {
        l->fds[i] = bind_inet(l, backlog, err);
        if (l->fds[i] < 0)
            return -1;
    }
    return 0;
}

int lsn_bind_all(int nslots)
{
    int errs = 0;

    for (struct listener *l = listeners; l; l = l->gnext) {
        char *err = NULL;

        if (bind_one(l, nslots, &err) < 0) {
            cfg_alert_at(&l->where, "bind", "%s", err ? err : "cannot bind");
            errs++;
        }
        free(err);
    }
    return errs;
}

void lsn_keep_slot(int slot)
{
    for (struct listener *l = listeners; l; l = l->gnext) {
        for (int i = 0; i < l->nfds; i++)
            if (i != slot && !l->shared && l->fds[i] >= 0)
                close(l->fds[i]);
        l->fd = l->nfds > slot ? l->fds[slot] : -1;
    }
}

void lsn_close_all(void)
{
    for (struct listener *l = listeners; l; l = l->gnext) {
        for (int i = 0; i < l->nfds; i++) {
            if (l->fds[i] >= 0 && (!l->shared || i == 0))
                close(l->fds[i]);
            l->fds[i] = -1;
        }
        l->fd = -1;
    }
}
