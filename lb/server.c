/* Servers: the "server" keyword and its core options (weight, disabled, enabled, backup). */
#include "server.h"

#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "parse.h"
#include "proxy.h"
#include "str.h"

static struct srv_kw_tab {
    struct srv_kw *kws;
    struct srv_kw_tab *next;
} *srv_kw_tabs;

void srv_register_kws(struct srv_kw *kws)
{
    struct srv_kw_tab *t = str_zalloc(sizeof(*t));

    t->kws = kws;
    t->next = srv_kw_tabs;
    srv_kw_tabs = t;
}

static const struct srv_kw *find_srv_kw(const char *name)
{
    for (struct srv_kw_tab *t = srv_kw_tabs; t; t = t->next)
        for (const struct srv_kw *k = t->kws; k->name; k++)
            if (!strcmp(k->name, name))
                return k;
    return NULL;
}

static const char *suggest_srv_kw(const char *word)
{
    const char *names[128];
    int n = 0;

    for (struct srv_kw_tab *t = srv_kw_tabs; t; t = t->next)
        for (const struct srv_kw *k = t->kws; k->name && n < 127; k++)
            names[n++] = k->name;
    names[n] = NULL;
    return cfg_suggest_list(word, names);
}

/* ---- core server options ----------------------------------------------------------------- */

static int so_weight(char **args, struct server *srv, char **err)
{
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

static int so_flag(char **args, struct server *srv, char **err)
{
    if (!strcmp(args[0], "disabled"))
        srv->flags |= SRV_F_DISABLED;
    else if (!strcmp(args[0], "enabled"))
        srv->flags &= ~SRV_F_DISABLED;
    else if (!strcmp(args[0], "backup"))
        srv->flags |= SRV_F_BACKUP;
    return 0;
}

static struct srv_kw core_srv_kws[] = {
    {"weight", 1, so_weight}, {"disabled", 0, so_flag}, {"enabled", 0, so_flag},
    {"backup", 0, so_flag},   {NULL, 0, NULL},
};

/* ---- the server keyword ------------------------------------------------------------------ */

static int srv_options(char **args, int first, int nargs, struct server *srv, char **err)
{
    int warn = 0;

    for (int i = first; i < nargs;) {
        const struct srv_kw *k = find_srv_kw(args[i]);
        int rc;

        if (!k) {
            const char *sugg = suggest_srv_kw(args[i]);

            if (cfg_in_list(args[i], cfg_haproxy_server_kws))
                return str_printf(err, "HAProxy server option '%s' is not supported by sluice "
                                       "yet", args[i]);
            return str_printf(err, "unknown option '%s'%s%s%s", args[i],
                              sugg ? "; did you mean '" : "", sugg ? sugg : "",
                              sugg ? "'?" : "");
        }
        if (i + k->nargs >= nargs && k->nargs > 0)
            return str_printf(err, "option '%s' expects %d argument%s", k->name, k->nargs,
                              k->nargs > 1 ? "s" : "");
        rc = k->parse(args + i, srv, err);
        if (rc < 0)
            return -1;
        warn |= rc > 0;
        i += 1 + k->nargs;
    }
    return warn;
}

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
    return srv_options(args, 3, nargs, srv, err);
}

static struct cfg_kw server_kws[] = {
    {.name = "server", .sections = "backend listen", .min_args = 2, .max_args = -1,
     .parse = kw_server, .usage = "server <name> <address>[:<port>] [options]"},
    {0},
};

static void server_register(void)
{
    cfg_register_keywords(server_kws);
    srv_register_kws(core_srv_kws);
}
INITCALL(server_register)
