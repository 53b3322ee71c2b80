/* Backends: the "balance" keyword, the algorithm registry and server selection. */
#include "backend.h"

#include <string.h>

#include "cfg.h"
#include "proxy.h"
#include "server.h"
#include "str.h"

static struct lb_ops *lb_algos;

void be_register_lb(struct lb_ops *ops)
{
    ops->next = lb_algos;
    lb_algos = ops;
}

static const struct lb_ops *find_lb(const char *name)
{
    for (const struct lb_ops *o = lb_algos; o; o = o->next)
        if (!strcmp(o->name, name))
            return o;
    return NULL;
}

/* HAProxy algorithms not implemented yet, named in the error instead of "unknown". */
static const char *const haproxy_algos[] = {
    "static-rr", "leastconn", "first", "source", "uri", "url_param", "hdr", "random",
    "rdp-cookie", "hash", NULL,
};

static int kw_balance(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                      char **err)
{
    struct proxy *px = ctx->obj;
    const struct lb_ops *ops = find_lb(args[1]);

    if (!ops) {
        const char *names[32];
        int n = 0;

        if (cfg_in_list(args[1], haproxy_algos))
            return str_printf(err, "HAProxy algorithm '%s' is not supported by sluice yet",
                              args[1]);
        for (const struct lb_ops *o = lb_algos; o && n < 31; o = o->next)
            names[n++] = o->name;
        names[n] = NULL;
        const char *sugg = cfg_suggest_list(args[1], names);

        return str_printf(err, "unknown algorithm '%s'%s%s%s", args[1],
                          sugg ? "; did you mean '" : "", sugg ? sugg : "", sugg ? "'?" : "");
    }
    if (nargs > 2)
        return str_printf(err, "algorithm '%s' takes no argument", args[1]);
    px->conf.lb = ops;
    cfg_where_here(ctx, &px->conf.lb_where);
    if (!(px->cap & (PX_CAP_BE | PX_CAP_DEF)))
        return str_printf(err, "ignored: a %s has no backend side", px->kind), 1;
    return 0;
}

static struct cfg_kw backend_kws[] = {
    {.name = "balance", .sections = "defaults backend listen", .min_args = 1, .max_args = -1,
     .parse = kw_balance, .usage = "balance <algorithm> [arguments]"},
    {0},
};

/* Backends without "balance" use roundrobin, as in HAProxy. */
static int check_balance(void)
{
    const struct lb_ops *rr = find_lb("roundrobin");

    for (struct proxy *px = proxies; px; px = px->next)
        if ((px->cap & PX_CAP_BE) && !px->conf.lb)
            px->conf.lb = rr;
    return 0;
}

int be_init_all(char **err)
{
    for (struct proxy *px = proxies; px; px = px->next)
        if ((px->cap & PX_CAP_BE) && px->conf.lb && px->conf.lb->init(px, err) < 0)
            return -1;
    return 0;
}

struct server *be_pick_server(struct proxy *be, const struct server *avoid)
{
    if (!be->conf.lb || !be->servers)
        return NULL;
    return be->conf.lb->pick(be, avoid);
}

static void backend_register(void)
{
    cfg_register_keywords(backend_kws);
    cfg_register_check(20, check_balance);
}
INITCALL(backend_register)
