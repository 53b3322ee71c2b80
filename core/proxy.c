/* Proxies: defaults, frontend, backend and listen sections, and their common keywords
 * (mode, timeout, maxconn, retries, default_backend). Listeners (bind) live in listener.c,
 * servers and balancing in lb/. */
#include "proxy.h"

#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "parse.h"
#include "str.h"

struct proxy *proxies;
static struct proxy **proxies_tail = &proxies;

/* defaults sections: the last one applies to the proxies that follow it, unless a proxy
 * names another with "from". */
static struct defaults {
    struct proxy px;
    struct defaults *next;
} *defaults_list;
static struct proxy *last_defaults; /* NULL: built-in defaults */
static const struct px_conf builtin_conf = {.mode = PX_MODE_TCP, .retries = 3};
static int next_uuid = 1;

const char *px_mode_str(enum px_mode mode)
{
    return mode == PX_MODE_HTTP ? "http" : "tcp";
}

struct proxy *px_find(const char *name, unsigned cap)
{
    for (struct proxy *px = proxies; px; px = px->next)
        if ((px->cap & cap) && !strcmp(px->id, name))
            return px;
    return NULL;
}

static struct proxy *find_defaults(const char *name)
{
    for (struct defaults *d = defaults_list; d; d = d->next)
        if (!strcmp(d->px.id, name))
            return &d->px;
    return NULL;
}

static void px_conf_copy(struct px_conf *dst, const struct px_conf *src)
{
    *dst = *src;
    if (src->defbe_name)
        dst->defbe_name = str_dup(src->defbe_name);
    if (src->http.fwdfor_hdr)
        dst->http.fwdfor_hdr = str_dup(src->http.fwdfor_hdr);
    if (src->http.hsts)
        dst->http.hsts = str_dup(src->http.hsts);
}

/* Parses "NAME [from DEFAULTS]" after the section keyword and returns the defaults to
 * inherit from (possibly the built-in ones). */
static int parse_from(char **args, int nargs, int name_optional, struct proxy **from, char **err)
{
    int i = 1;

    *from = last_defaults;
    if (!name_optional && (nargs < 2 || !strcmp(args[1], "from")))
        return str_printf(err, "missing name (usage: %s <name> [from <defaults>])", args[0]);
    if (nargs > i && strcmp(args[i], "from") != 0)
        i++;
    if (nargs > i) {
        if (strcmp(args[i], "from") != 0 || nargs != i + 2)
            return str_printf(err, "unexpected '%s' (usage: %s <name> [from <defaults>])",
                              args[i], args[0]);
        *from = find_defaults(args[i + 1]);
        if (!*from)
            return str_printf(err, "no defaults section named '%s'", args[i + 1]);
    }
    return 0;
}

static int cfg_has_from(char **args, int nargs)
{
    for (int i = 1; i < nargs; i++)
        if (!strcmp(args[i], "from"))
            return 1;
    return 0;
}

static int valid_name(const char *name, char **err)
{
    if (!*name)
        return str_printf(err, "empty name");
    for (const char *p = name; *p; p++)
        if (!(isalnum((unsigned char)*p) || strchr("-_.:", *p)))
            return str_printf(err, "invalid character '%c' in name '%s' (allowed: letters, "
                                   "digits, '-', '_', '.', ':')", *p, name);
    return 0;
}

static int defaults_begin(char **args, int nargs, struct cfg_ctx *ctx, char **err)
{
    struct proxy *from;
    struct defaults *d;
    const char *name = nargs > 1 && strcmp(args[1], "from") ? args[1] : "";

    if (parse_from(args, nargs, 1, &from, err) < 0)
        return -1;
    /* A defaults section starts from the built-in values unless it names one with "from":
     * the previous defaults section stops applying here, as in HAProxy. */
    if (!cfg_has_from(args, nargs))
        from = NULL;
    if (*name && valid_name(name, err) < 0)
        return -1;
    if (*name && find_defaults(name))
        return str_printf(err, "a defaults section named '%s' already exists", name);
    d = str_zalloc(sizeof(*d));
    d->px.id = cfg_intern(name);
    d->px.cap = PX_CAP_DEF;
    d->px.kind = "defaults";
    px_conf_copy(&d->px.conf, from ? &from->conf : &builtin_conf);
    d->px.from = from;
    d->next = defaults_list;
    defaults_list = d;
    last_defaults = &d->px;
    ctx->obj = &d->px;
    ctx->sec_name = d->px.id;
    cfg_where_here(ctx, &d->px.where);
    return 0;
}

/* Two proxies may share a name only when their capabilities do not overlap (a frontend and
 * a backend named alike, as HAProxy allows). */
static int name_clash(const char *name, unsigned cap, char **err)
{
    for (struct proxy *px = proxies; px; px = px->next)
        if (!strcmp(px->id, name) && (px->cap & cap))
            return str_printf(err, "%s '%s' has the same name as the %s declared at %s:%d",
                              cap == (PX_CAP_FE | PX_CAP_BE) ? "listen"
                              : cap == PX_CAP_FE ? "frontend" : "backend",
                              name, px->kind, px->where.file, px->where.line);
    return 0;
}

static int proxy_begin(char **args, int nargs, struct cfg_ctx *ctx, char **err)
{
    struct proxy *from, *px;
    unsigned cap = !strcmp(args[0], "frontend") ? PX_CAP_FE
                   : !strcmp(args[0], "backend") ? PX_CAP_BE : PX_CAP_FE | PX_CAP_BE;

    if (parse_from(args, nargs, 0, &from, err) < 0)
        return -1;
    if (valid_name(args[1], err) < 0 || name_clash(args[1], cap, err) < 0)
        return -1;
    px = str_zalloc(sizeof(*px));
    px->id = cfg_intern(args[1]);
    px->cap = cap;
    px->kind = cap == PX_CAP_FE ? "frontend" : cap == PX_CAP_BE ? "backend" : "listen";
    px->uuid = next_uuid++;
    px_conf_copy(&px->conf, from ? &from->conf : &builtin_conf);
    px->from = from;
    ctx->obj = px;
    ctx->sec_name = px->id;
    cfg_where_here(ctx, &px->where);
    *proxies_tail = px;
    proxies_tail = &px->next;
    return 0;
}

/* Keywords that only make sense on one side warn when written on the other, as HAProxy
 * does ("ignored because ... has no frontend capability"). */
static int cap_warning(struct cfg_ctx *ctx, const char *kw, unsigned need, char **err)
{
    const struct proxy *px = ctx->obj;

    if (px->cap & (need | PX_CAP_DEF))
        return 0;
    return str_printf(err, "ignored: a %s has no %s side", px->kind,
                      need == PX_CAP_FE ? "frontend" : "backend"), 1;
}

static int kw_mode(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                   char **err)
{
    struct proxy *px = ctx->obj;

    if (!strcmp(args[1], "tcp"))
        px->conf.mode = PX_MODE_TCP;
    else if (!strcmp(args[1], "http"))
        px->conf.mode = PX_MODE_HTTP;
    else if (!strcmp(args[1], "health") || !strcmp(args[1], "log") || !strcmp(args[1], "spop"))
        return str_printf(err, "HAProxy mode '%s' is not supported by sluice", args[1]);
    else
        return str_printf(err, "unknown mode '%s' (expected 'tcp' or 'http')", args[1]);
    return 0;
}

static const struct timeout_kw {
    const char *name;
    size_t offset;
    unsigned cap; /* side the timeout applies to */
} timeout_kws[] = {
    {"connect", offsetof(struct px_timeouts, connect), PX_CAP_BE},
    {"client", offsetof(struct px_timeouts, client), PX_CAP_FE},
    {"server", offsetof(struct px_timeouts, server), PX_CAP_BE},
    {"tunnel", offsetof(struct px_timeouts, tunnel), PX_CAP_BE},
    {"client-fin", offsetof(struct px_timeouts, client_fin), PX_CAP_FE},
    {"server-fin", offsetof(struct px_timeouts, server_fin), PX_CAP_BE},
    {"http-request", offsetof(struct px_timeouts, http_request), PX_CAP_FE | PX_CAP_BE},
    {"http-keep-alive", offsetof(struct px_timeouts, http_keep_alive),
     PX_CAP_FE | PX_CAP_BE},
    {NULL, 0, 0},
};

static int kw_timeout(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                      char **err)
{
    struct proxy *px = ctx->obj;
    const char *names[sizeof(timeout_kws) / sizeof(timeout_kws[0])];
    const struct timeout_kw *t;
    char key[64];
    int ms, prev;

    for (t = timeout_kws; t->name; t++)
        if (!strcmp(t->name, args[1]))
            break;
    if (!t->name) {
        const char *sugg;

        if (cfg_in_list(args[1], cfg_haproxy_timeout_kws))
            return str_printf(err, "HAProxy timeout '%s' is not supported by sluice yet",
                              args[1]);
        for (int i = 0; timeout_kws[i].name; i++)
            names[i] = timeout_kws[i].name;
        names[sizeof(names) / sizeof(names[0]) - 1] = NULL;
        sugg = cfg_suggest_list(args[1], names);
        return str_printf(err, "unknown timeout '%s'%s%s%s", args[1],
                          sugg ? "; did you mean '" : "", sugg ? sugg : "", sugg ? "'?" : "");
    }
    if (nargs != 3)
        return str_printf(err, "expects exactly one value (usage: timeout %s <time>)", t->name);
    if (parse_time(args[2], &ms, err) < 0)
        return -1;
    *(int *)((char *)&px->conf.timeout + t->offset) = ms;
    snprintf(key, sizeof(key), "timeout %s", t->name);
    prev = cfg_seen(ctx, key);
    if (prev)
        return str_printf(err, "overrides the value set at line %d", prev), 1;
    return cap_warning(ctx, "timeout", t->cap, err);
}

static int kw_default_backend(char **args, int nargs, struct cfg_ctx *ctx,
                              const struct cfg_kw *kw, char **err)
{
    struct proxy *px = ctx->obj;

    free(px->conf.defbe_name);
    px->conf.defbe_name = str_dup(args[1]);
    cfg_where_here(ctx, &px->conf.defbe_where);
    return cap_warning(ctx, args[0], PX_CAP_FE, err);
}

static int kw_maxconn(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                      char **err)
{
    int ret = cfg_set_int(args, nargs, ctx, kw, err);

    return ret ? ret : cap_warning(ctx, args[0], PX_CAP_FE, err);
}

static int kw_retries(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                      char **err)
{
    int ret = cfg_set_int(args, nargs, ctx, kw, err);

    return ret ? ret : cap_warning(ctx, args[0], PX_CAP_BE, err);
}

#define PX_SECTIONS "defaults frontend backend listen"

static struct cfg_kw proxy_kws[] = {
    {.name = "mode", .sections = PX_SECTIONS, .min_args = 1, .max_args = 1, .parse = kw_mode,
     .usage = "mode tcp|http"},
    {.name = "timeout", .sections = PX_SECTIONS, .min_args = 2, .max_args = 2,
     .parse = kw_timeout, .usage = "timeout <name> <time>"},
    {.name = "maxconn", .sections = PX_SECTIONS, .min_args = 1, .max_args = 1,
     .parse = kw_maxconn, .offset = offsetof(struct proxy, conf.maxconn), .min = 0,
     .max = 10000000, .usage = "maxconn <number>"},
    {.name = "retries", .sections = PX_SECTIONS, .min_args = 1, .max_args = 1,
     .parse = kw_retries, .offset = offsetof(struct proxy, conf.retries), .min = 0,
     .max = 100, .usage = "retries <number>"},
    {.name = "default_backend", .sections = PX_SECTIONS, .min_args = 1,
     .max_args = 1, .parse = kw_default_backend, .usage = "default_backend <backend>"},
    {0},
};

static struct cfg_section px_sections[] = {
    {.name = "defaults", .begin = defaults_begin, .haproxy_kws = cfg_haproxy_proxy_kws},
    {.name = "frontend", .begin = proxy_begin, .haproxy_kws = cfg_haproxy_proxy_kws},
    {.name = "backend", .begin = proxy_begin, .haproxy_kws = cfg_haproxy_proxy_kws},
    {.name = "listen", .begin = proxy_begin, .haproxy_kws = cfg_haproxy_proxy_kws},
};

/* ---- checks after parsing ---------------------------------------------------------------- */

static int check_default_backends(void)
{
    int errs = 0;

    for (struct proxy *px = proxies; px; px = px->next) {
        struct proxy *be;

        if (!(px->cap & PX_CAP_FE))
            continue;
        if (!px->conf.defbe_name) {
            /* A listen section is its own backend. */
            if (px->cap & PX_CAP_BE)
                px->defbe = px;
            continue;
        }
        be = px_find(px->conf.defbe_name, PX_CAP_BE);
        if (!be) {
            const char *names[256];
            int n = 0;

            for (struct proxy *p = proxies; p && n < 255; p = p->next)
                if (p->cap & PX_CAP_BE)
                    names[n++] = p->id;
            names[n] = NULL;
            const char *sugg = cfg_suggest_list(px->conf.defbe_name, names);

            cfg_alert_at(&px->conf.defbe_where, "default_backend",
                         "no backend named '%s'%s%s%s", px->conf.defbe_name,
                         sugg ? "; did you mean '" : "", sugg ? sugg : "", sugg ? "'?" : "");
            errs++;
            continue;
        }
        if (be->conf.mode != px->conf.mode) {
            cfg_alert_at(&px->conf.defbe_where, "default_backend",
                         "backend '%s' is in mode %s but %s '%s' is in mode %s", be->id,
                         px_mode_str(be->conf.mode), px->kind, px->id,
                         px_mode_str(px->conf.mode));
            errs++;
            continue;
        }
        px->defbe = be;
    }
    return errs;
}

static int check_frontends(void)
{
    int errs = 0;

    for (struct proxy *px = proxies; px; px = px->next) {
        if (!(px->cap & PX_CAP_FE))
            continue;
        if (!px->listeners && !px->bind_lines) {
            cfg_alert_at(&px->where, NULL, "no 'bind' line (declare it as a backend if this "
                         "was intended)");
            errs++;
        }
        if (!px->defbe && !px->rules)
            cfg_warn_at(&px->where, NULL, px->conf.mode == PX_MODE_HTTP
                        ? "no backend (default_backend): its requests will get a 503"
                        : "no backend (default_backend): its connections will be closed at "
                          "once");
        if (!px->conf.timeout.client)
            cfg_warn_at(&px->where, NULL, "missing 'timeout client': idle clients are never "
                        "closed");
    }
    for (struct proxy *px = proxies; px; px = px->next) {
        if (!(px->cap & PX_CAP_BE))
            continue;
        if (!px->conf.timeout.connect || !px->conf.timeout.server)
            cfg_warn_at(&px->where, NULL, "missing 'timeout connect' or 'timeout server': "
                        "stalled servers are never given up");
    }
    return errs;
}

static void proxy_register(void)
{
    for (size_t i = 0; i < sizeof(px_sections) / sizeof(px_sections[0]); i++)
        cfg_register_section(&px_sections[i]);
    cfg_register_keywords(proxy_kws);
    cfg_register_check(10, check_default_backends);
    cfg_register_check(50, check_frontends);
}
INITCALL(proxy_register)
