/* Servers: the "server" keyword and its core options (weight, disabled, enabled, backup). */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "parse.h"
#include "proxy.h"
#include "str.h"

struct cfg_optset srv_opts = {.what = "server option", .haproxy = cfg_haproxy_server_kws};

/* ---- core server options ----------------------------------------------------------------- */

static int so_weight(char **args, void *obj, char **err)
{
    struct server *srv = obj;
    long long w;
    char *e = NULL;

    if (parse_int(args[1], 0, 256, &w, &e) < 0) {
        str_printf(err, "weight: %s", e);
        free(e);
        return -1;
    }
    srv->weight = (int)w;
    return 0;
}

static int so_flag(char **args, void *obj, char **err)
{
    struct server *srv = obj;
    if (!strcmp(args[0], "disabled"))
        srv->flags |= SRV_F_DISABLED;
    else if (!strcmp(args[0], "enabled"))
        srv->flags &= ~SRV_F_DISABLED;
    else if (!strcmp(args[0], "backup"))
        srv->flags |= SRV_F_BACKUP;
    return 0;
}

static struct cfg_opt core_srv_kws[] = {
    {"weight", 1, so_weight}, {"disabled", 0, so_flag}, {"enabled", 0, so_flag},
    {"backup", 0, so_flag},   {NULL, 0, NULL},
};

/* ---- the server keyword ------------------------------------------------------------------ */

static int kw_server(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                     char **err)
{
    struct proxy *px = ctx->obj;
    struct server *srv, **p;
    struct parse_addr a;
    int puid = 1;

    if (!(px->cap & PX_CAP_BE))
        return str_printf(err, "a %s has no servers", px->kind);
    for (p = &px->servers; *p; p = &(*p)->next, puid++)
        if (!strcmp((*p)->id, args[1]))
            return str_printf(err, "a server named '%s' already exists in this %s (line %d)",
                              args[1], px->kind, (*p)->where.line);
    /* Names resolve here, before any worker exists: workers never make DNS queries. */
    if (parse_addr(args[2], PARSE_ADDR_F_RESOLVE, &a, err) < 0)
        return -1;
    srv = str_zalloc(sizeof(*srv));
    srv->be = px;
    srv->id = cfg_intern(args[1]);
    cfg_where_here(ctx, &srv->where);
    srv->addr_str = str_dup(args[2]);
    srv->addr = a;
    srv->weight = 1;
    srv->puid = puid;
    *p = srv;
    px->nsrv++;
    return cfg_optset_apply(&srv_opts, args, 3, nargs, srv, err);
}

static struct cfg_kw server_kws[] = {
    {.name = "server", .sections = "backend listen", .min_args = 2, .max_args = -1,
     .parse = kw_server, .usage = "server <name> <address>[:<port>] [options]"},
    {0},
};

static void server_register(void)
{
    cfg_register_keywords(server_kws);
    cfg_optset_register(&srv_opts, core_srv_kws);
}
INITCALL(server_register)
