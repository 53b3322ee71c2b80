/* Sample expressions: the fetch/converter registry, the "fetch(args),conv(args),..." parser
 * with HAProxy's argument syntax, type casts, and evaluation.
 *
 * Arguments follow HAProxy 2.6 (make_arg_list): they are separated by commas and end at ')';
 * double and single quotes protect commas and parentheses; outside single quotes a backslash
 * escapes '\', ' ', '"' and '\'' and writes \r \n \t; any other backslash is kept as is.
 * Everything is resolved and compiled here, at configuration time; evaluation only reads. */
#include "sample.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "arena.h"
#include "cfg.h"
#include "proxy.h"
#include "sample-kw.h"
#include "str.h"

/* One fetch or converter with its parsed arguments. */
struct smp_step {
    union {
        const struct smp_fetch_kw *fetch;
        const struct smp_conv_kw *conv;
    } kw;
    struct smp_arg args[SMP_MAX_ARGS]; /* type SMP_ARG_NONE when not given */
    void *priv;                        /* what the keyword's check function compiled */
};

struct sample_expr {
    struct smp_step fetch;   /* the fetch */
    int out_type;            /* SMP_T_* or SMP_T_ANY produced by the last step */
    int nconv;               /* converters used */
    int capconv;             /* converters allocated */
    struct smp_step *convs;  /* converters, applied in order */
};

/* ---------------------------------------------------------------------------------------- */
/* Registry */

static struct fetch_tab {
    struct smp_fetch_kw *kws;
    struct fetch_tab *next;
} *fetch_tabs, **fetch_tabs_tail = &fetch_tabs;

static struct conv_tab {
    struct smp_conv_kw *kws;
    struct conv_tab *next;
} *conv_tabs, **conv_tabs_tail = &conv_tabs;

void smp_register_fetches(struct smp_fetch_kw *kws)
{
    struct fetch_tab *t = str_zalloc(sizeof(*t));

    t->kws = kws;
    *fetch_tabs_tail = t;
    fetch_tabs_tail = &t->next;
}

void smp_register_convs(struct smp_conv_kw *kws)
{
    struct conv_tab *t = str_zalloc(sizeof(*t));

    t->kws = kws;
    *conv_tabs_tail = t;
    conv_tabs_tail = &t->next;
}

const struct smp_fetch_kw *smp_find_fetch(const char *name)
{
    for (struct fetch_tab *t = fetch_tabs; t; t = t->next)
        for (struct smp_fetch_kw *kw = t->kws; kw->name; kw++)
            if (!strcmp(kw->name, name))
                return kw;
    return NULL;
}

const struct smp_conv_kw *smp_find_conv(const char *name)
{
    for (struct conv_tab *t = conv_tabs; t; t = t->next)
        for (struct smp_conv_kw *kw = t->kws; kw->name; kw++)
            if (!strcmp(kw->name, name))
                return kw;
    return NULL;
}

/* Returns the closest registered fetch (conv = 0) or converter name to word, also looking at
 * extra (may be NULL). */
static const char *suggest(const char *word, int conv, const char *const *extra)
{
    const char **names, *best;
    size_t n = 0, i = 0;

    for (struct fetch_tab *t = fetch_tabs; !conv && t; t = t->next)
        for (struct smp_fetch_kw *kw = t->kws; kw->name; kw++)
            n++;
    for (struct conv_tab *t = conv_tabs; conv && t; t = t->next)
        for (struct smp_conv_kw *kw = t->kws; kw->name; kw++)
            n++;
    for (const char *const *x = extra; x && *x; x++)
        n++;
    names = str_zalloc((n + 1) * sizeof(*names));
    for (struct fetch_tab *t = fetch_tabs; !conv && t; t = t->next)
        for (struct smp_fetch_kw *kw = t->kws; kw->name; kw++)
            names[i++] = kw->name;
    for (struct conv_tab *t = conv_tabs; conv && t; t = t->next)
        for (struct smp_conv_kw *kw = t->kws; kw->name; kw++)
            names[i++] = kw->name;
    for (const char *const *x = extra; x && *x; x++)
        names[i++] = *x;
    best = cfg_suggest_list(word, names);
    free(names);
    return best;
}

/* ---------------------------------------------------------------------------------------- */
/* Backend names resolved after the configuration is read (nbsrv(be) may name a backend
 * declared further down, as HAProxy allows). */

static struct unresolved {
    struct smp_arg *arg;
    struct cfg_where where;
    int has_where;
    struct unresolved *next;
} *unresolved;

static struct cfg_where cur_where;
static int have_where;

void smp_set_where(const struct cfg_where *w)
{
    have_where = w != NULL;
    if (w)
        cur_where = *w;
}

static void unresolved_add(struct smp_arg *arg)
{
    struct unresolved *u = str_zalloc(sizeof(*u));

    u->arg = arg;
    u->where = cur_where;
    u->has_where = have_where;
    u->next = unresolved;
    unresolved = u;
}

static void unresolved_del(struct smp_arg *arg)
{
    for (struct unresolved **pu = &unresolved; *pu; pu = &(*pu)->next)
        if ((*pu)->arg == arg) {
            struct unresolved *u = *pu;

            *pu = u->next;
            free(u);
            return;
        }
}

/* Check hook: every backend name must exist once all files are read. */
static int check_backend_args(void)
{
    static const struct cfg_where nowhere = {.file = "(configuration)"};
    int errs = 0;

    while (unresolved) {
        struct unresolved *u = unresolved;

        u->arg->data.be.px = px_find(u->arg->data.be.name, PX_CAP_BE);
        if (!u->arg->data.be.px) {
            cfg_alert_at(u->has_where ? &u->where : &nowhere, NULL,
                         "unable to find backend '%s' referenced in a sample expression",
                         u->arg->data.be.name);
            errs++;
        }
        unresolved = u->next;
        free(u);
    }
    return errs;
}

/* ---------------------------------------------------------------------------------------- */
/* Arguments */

static const char *arg_type_name(enum smp_arg_type t)
{
    switch (t) {
    case SMP_ARG_STR: return "string";
    case SMP_ARG_SINT: return "integer";
    case SMP_ARG_BE: return "backend";
    case SMP_ARG_VAR: return "variable";
    case SMP_ARG_MSK4: return "IPv4 mask";
    case SMP_ARG_MSK6: return "IPv6 mask";
    case SMP_ARG_SINTVAR: return "integer or variable";
    default: return "end of arguments";
    }
}

/* Parses a whole signed decimal integer. Returns 0 or -1. */
static int parse_sint(const char *s, long long *out)
{
    char *end;

    if (!*s || isspace((unsigned char)*s))
        return -1;
    errno = 0;
    *out = strtoll(s, &end, 10);
    return errno || *end ? -1 : 0;
}

static int parse_msk4(const char *s, struct in_addr *out)
{
    long long bits;

    if (strchr(s, '.'))
        return inet_pton(AF_INET, s, out) == 1 ? 0 : -1;
    if (parse_sint(s, &bits) < 0 || bits < 0 || bits > 32)
        return -1;
    out->s_addr = bits ? htonl(~0U << (32 - bits)) : 0;
    return 0;
}

static int parse_msk6(const char *s, struct in6_addr *out)
{
    long long bits;

    if (strchr(s, ':'))
        return inet_pton(AF_INET6, s, out) == 1 ? 0 : -1;
    if (parse_sint(s, &bits) < 0 || bits < 0 || bits > 128)
        return -1;
    memset(out, 0, sizeof(*out));
    for (int i = 0; i < 16 && bits > 0; i++, bits -= 8)
        out->s6_addr[i] = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
    return 0;
}

/* Converts one unquoted argument word (w, len bytes) to type t. Returns 0 or -1. */
static int convert_arg(struct smp_arg *a, enum smp_arg_type t, const char *w, size_t len,
                       int pos, char **err)
{
    char *verr = NULL;
    const char *vname;

    switch (t) {
    case SMP_ARG_STR:
        a->data.str.ptr = str_zalloc(len + 1);
        memcpy(a->data.str.ptr, w, len);
        a->data.str.len = len;
        break;
    case SMP_ARG_SINT:
        if (strlen(w) != len || parse_sint(w, &a->data.sint) < 0)
            goto parse_err;
        break;
    case SMP_ARG_SINTVAR:
        if (strlen(w) == len && parse_sint(w, &a->data.sint) == 0) {
            t = SMP_ARG_SINT;
            break;
        }
        if (vars_parse_name(w, &a->data.var.scope, &vname, &verr) < 0) {
            free(verr);
            return str_printf(err, "'%s' is neither an integer nor a variable name at "
                                   "position %d", w, pos + 1);
        }
        a->data.var.name = str_dup(vname);
        t = SMP_ARG_VAR;
        break;
    case SMP_ARG_VAR:
        if (vars_parse_name(w, &a->data.var.scope, &vname, &verr) < 0) {
            str_printf(err, "failed to parse '%s' as type 'variable' at position %d: %s", w,
                       pos + 1, verr ? verr : "invalid name");
            free(verr);
            return -1;
        }
        a->data.var.name = str_dup(vname);
        break;
    case SMP_ARG_BE:
        a->data.be.name = str_dup(w);
        a->data.be.px = px_find(w, PX_CAP_BE);
        if (!a->data.be.px)
            unresolved_add(a);
        break;
    case SMP_ARG_MSK4:
        if (parse_msk4(w, &a->data.msk4) < 0)
            goto parse_err;
        break;
    case SMP_ARG_MSK6:
        if (parse_msk6(w, &a->data.msk6) < 0)
            goto parse_err;
        break;
    default:
        return str_printf(err, "unexpected argument '%s' at position %d", w, pos + 1);
    }
    a->type = t;
    return 0;
parse_err:
    return str_printf(err, "failed to parse '%s' as type '%s' at position %d", w,
                      arg_type_name(t), pos + 1);
}

static void free_arg(struct smp_arg *a)
{
    switch (a->type) {
    case SMP_ARG_STR:
        free(a->data.str.ptr);
        break;
    case SMP_ARG_VAR:
        free(a->data.var.name);
        break;
    case SMP_ARG_BE:
        unresolved_del(a);
        free(a->data.be.name);
        break;
    default:
        break;
    }
    a->type = SMP_ARG_NONE;
}

/* Reads one argument at in (HAProxy's quoting rules) into w. Returns where it stopped: at
 * ',', ')' or the end of the text. */
static const char *read_arg(const char *in, struct strbuf *w)
{
    int sq = 0, dq = 0;

    w->len = 0;
    strbuf_add(w, "", 0);
    while (*in) {
        if (*in == '"' && !sq) {
            dq = !dq;
            in++;
        } else if (*in == '\'' && !dq) {
            sq = !sq;
            in++;
        } else if (*in == '\\' && !sq && in[1]) {
            const char *esc = strchr("\\ \"'", in[1]) ? in + 1
                              : in[1] == 'r' ? "\r" : in[1] == 'n' ? "\n"
                              : in[1] == 't' ? "\t" : NULL;

            strbuf_add(w, esc ? esc : in, 1);
            in += esc ? 2 : 1;
        } else if (!sq && !dq && (*in == ',' || *in == ')')) {
            break;
        } else {
            strbuf_add(w, in++, 1);
        }
    }
    return in;
}

/* Parses the optional "(args)" of a keyword at *pp, which is advanced past it. Returns 0 or
 * -1 with *err set (without the keyword's name, which the caller adds). */
static int parse_args(const char **pp, int min_args, const enum smp_arg_type *types,
                      struct smp_arg *args, char **err)
{
    const char *in = *pp;
    struct strbuf w = {0};
    int nbarg = 0, pos = 0, paren = *in == '(';
    int ret = -1;

    while (nbarg < SMP_MAX_ARGS && types[nbarg] != SMP_ARG_NONE)
        nbarg++;
    if (paren)
        in++;
    while (paren && pos < nbarg) {
        in = read_arg(in, &w);
        if (w.len == 0 && types[pos] != SMP_ARG_STR) {
            /* an empty optional argument is an omitted one */
            if (pos < min_args) {
                str_printf(err, "expected type '%s' at position %d, but got nothing",
                           arg_type_name(types[pos]), pos + 1);
                goto out;
            }
        } else if (convert_arg(&args[pos], types[pos], w.buf, w.len, pos, err) < 0) {
            goto out;
        }
        pos++;
        if (!*in || *in == ')' || pos >= nbarg)
            break;
        in++; /* the comma */
    }
    if (pos < min_args) {
        str_printf(err, "missing arguments (got %d/%d), type '%s' expected", pos, min_args,
                   arg_type_name(types[pos]));
        goto out;
    }
    if (paren) {
        if (*in != ')') {
            if (*in)
                str_printf(err, "expected ')' before '%s'", in);
            else
                str_printf(err, "expected ')'");
            goto out;
        }
        in++;
    }
    *pp = in;
    ret = 0;
out:
    strbuf_free(&w);
    return ret;
}

/* ---------------------------------------------------------------------------------------- */
/* Expressions */

static void step_free(struct smp_step *s, smp_release_fn release)
{
    if (release && s->priv)
        release(s->priv);
    for (int i = 0; i < SMP_MAX_ARGS; i++)
        free_arg(&s->args[i]);
}

void smp_expr_free(struct sample_expr *e)
{
    if (!e)
        return;
    if (e->fetch.kw.fetch)
        step_free(&e->fetch, e->fetch.kw.fetch->release);
    for (int i = 0; i < e->nconv; i++)
        step_free(&e->convs[i], e->convs[i].kw.conv->release);
    free(e->convs);
    free(e);
}

/* Names of what SMP_USE_* bits give access to, for "not available here" errors. */
static const char *use_name(unsigned bit)
{
    switch (bit) {
    case SMP_USE_L4: return "connection addresses and ports";
    case SMP_USE_REQ: return "HTTP request headers";
    case SMP_USE_RES: return "HTTP response headers";
    case SMP_USE_BE: return "the backend";
    default: return "unknown data";
    }
}

/* Copies the keyword name at p (up to '(' or ',') into a new string; *end is set past it. */
static char *kw_name(const char *p, const char **end)
{
    size_t n = strcspn(p, "(,");
    char *name = str_zalloc(n + 1);

    memcpy(name, p, n);
    *end = p + n;
    return name;
}

static int parse_fetch(struct sample_expr *e, const char **pp, unsigned where,
                       const char *fetch_name, const char *const *extra, char **err)
{
    char *name = kw_name(*pp, pp), *aerr = NULL;
    const struct smp_fetch_kw *kw;
    int ret = -1;

    if (!*name) {
        str_printf(err, "missing fetch method");
        goto out;
    }
    kw = smp_find_fetch(fetch_name ? fetch_name : name);
    if (!kw) {
        const char *sugg = suggest(name, 0, extra);

        str_printf(err, "unknown fetch method '%s'%s%s%s", name, sugg ? "; did you mean '" : "",
                   sugg ? sugg : "", sugg ? "'?" : "");
        goto out;
    }
    for (unsigned bit = 1; bit <= SMP_USE_BE; bit <<= 1)
        if ((kw->use & bit) && !(where & bit)) {
            str_printf(err, "fetch method '%s' extracts information from '%s', none of which "
                            "is available here", name, use_name(bit));
            goto out;
        }
    e->fetch.kw.fetch = kw;
    if (parse_args(pp, kw->min_args, kw->arg_types, e->fetch.args, &aerr) < 0) {
        str_printf(err, "fetch method '%s': %s", name, aerr);
        goto out;
    }
    if (kw->check && kw->check(name, e->fetch.args, &e->fetch.priv, &aerr) < 0) {
        str_printf(err, "invalid args in fetch method '%s': %s", name, aerr);
        goto out;
    }
    e->out_type = kw->out_type;
    ret = 0;
out:
    free(aerr);
    free(name);
    return ret;
}

static int parse_conv(struct sample_expr *e, const char **pp, char **err)
{
    char *name = kw_name(*pp, pp), *aerr = NULL;
    const struct smp_conv_kw *kw = smp_find_conv(name);
    struct smp_step *s;
    int ret = -1;

    if (!kw) {
        const char *sugg = suggest(name, 1, NULL);

        str_printf(err, "unknown converter '%s'%s%s%s", name, sugg ? "; did you mean '" : "",
                   sugg ? sugg : "", sugg ? "'?" : "");
        goto out;
    }
    if (e->out_type != SMP_T_ANY && !smp_can_cast(e->out_type, kw->in_type)) {
        str_printf(err, "converter '%s' cannot be applied: it expects %s input, but receives "
                        "%s", name, smp_type_name(kw->in_type), smp_type_name(e->out_type));
        goto out;
    }
    if (e->nconv == e->capconv) {
        e->capconv = e->capconv ? e->capconv * 2 : 4;
        e->convs = realloc(e->convs, (size_t)e->capconv * sizeof(*e->convs));
        if (!e->convs)
            abort();
    }
    s = &e->convs[e->nconv++];
    *s = (struct smp_step){.kw.conv = kw};
    if (parse_args(pp, kw->min_args, kw->arg_types, s->args, &aerr) < 0) {
        str_printf(err, "converter '%s': %s", name, aerr);
        goto out;
    }
    if (kw->check && kw->check(name, s->args, &s->priv, &aerr) < 0) {
        str_printf(err, "invalid args in converter '%s': %s", name, aerr);
        goto out;
    }
    e->out_type = kw->out_type == SMP_T_ANY ? e->out_type : kw->out_type;
    ret = 0;
out:
    free(aerr);
    free(name);
    return ret;
}

struct sample_expr *smp_expr_parse_ex(const char *text, unsigned where, const char *fetch_name,
                                      const char *const *extra_names, char **err)
{
    struct sample_expr *e = str_zalloc(sizeof(*e));
    const char *p = text;

    if (parse_fetch(e, &p, where, fetch_name, extra_names, err) < 0)
        goto fail;
    while (*p) {
        if (*p != ',') {
            if (e->nconv)
                str_printf(err, "missing comma after converter '%s'",
                           e->convs[e->nconv - 1].kw.conv->name);
            else
                str_printf(err, "missing comma after fetch method '%s'",
                           e->fetch.kw.fetch->name);
            goto fail;
        }
        p++;
        if (!*p || *p == ',')
            continue; /* empty converter, accepted by HAProxy */
        if (parse_conv(e, &p, err) < 0)
            goto fail;
    }
    return e;
fail:
    smp_expr_free(e);
    return NULL;
}

struct sample_expr *smp_expr_parse(const char *text, unsigned where, char **err)
{
    return smp_expr_parse_ex(text, where, NULL, NULL, err);
}

int smp_expr_out_type(const struct sample_expr *e)
{
    return e->out_type;
}

int smp_expr_has_convs(const struct sample_expr *e)
{
    return e->nconv > 0;
}

unsigned smp_expr_use(const struct sample_expr *e)
{
    return e->fetch.kw.fetch->use;
}

const char *smp_expr_fetch_name(const struct sample_expr *e)
{
    return e->fetch.kw.fetch->name;
}

int smp_expr_eval_ctx(const struct sample_expr *e, struct smp_env *env, struct sample *out,
                      struct smp_ctx *ctx)
{
    const struct smp_step *f = &e->fetch;

    ctx->more = 0;
    *out = (struct sample){.type = SMP_T_BOOL};
    if (!f->kw.fetch->fn(f->args, f->priv, env, out, ctx)) {
        ctx->more = 0;
        return 0;
    }
    if ((out->type == SMP_T_STR || out->type == SMP_T_BIN) && !out->data.str.ptr)
        out->data.str.ptr = ""; /* converters and matches may pass it to memcmp() & co */
    for (int i = 0; i < e->nconv; i++) {
        const struct smp_step *c = &e->convs[i];

        if (!smp_cast(out, c->kw.conv->in_type, env) ||
            !c->kw.conv->fn(c->args, c->priv, env, out))
            return 0;
    }
    return 1;
}

int smp_expr_eval(const struct sample_expr *e, struct smp_env *env, struct sample *out)
{
    struct smp_ctx ctx = {0};

    return smp_expr_eval_ctx(e, env, out, &ctx);
}

/* ---------------------------------------------------------------------------------------- */
/* Types and casts */

const char *smp_type_name(int type)
{
    static const char *const names[] = {"boolean", "integer", "ipv4", "ipv6", "string",
                                        "binary", "any", "address"};

    return type >= 0 && type <= SMP_T_ADDR ? names[type] : "?";
}

/* from x to: which casts exist (HAProxy's sample_casts table). Some may fail at run time
 * (a string that is not an address, an IPv6 address that embeds no IPv4 one). */
static const unsigned char cast_ok[6][8] = {
    /*            BOOL SINT IPV4 IPV6 STR BIN ANY ADDR */
    [SMP_T_BOOL] = {1, 1, 0, 0, 1, 1, 1, 0},
    [SMP_T_SINT] = {1, 1, 1, 1, 1, 1, 1, 1},
    [SMP_T_IPV4] = {0, 1, 1, 1, 1, 1, 1, 1},
    [SMP_T_IPV6] = {0, 0, 1, 1, 1, 1, 1, 1},
    [SMP_T_STR] = {1, 1, 1, 1, 1, 1, 1, 1},
    [SMP_T_BIN] = {0, 0, 0, 0, 1, 1, 1, 0},
};

int smp_can_cast(int from, int to)
{
    if (from == SMP_T_ANY || to == SMP_T_ANY)
        return 1;
    if (from < 0 || from > SMP_T_BIN || to < 0 || to > SMP_T_ADDR)
        return 0;
    return cast_ok[from][to];
}

char *smp_alloc(struct smp_env *env, size_t n)
{
    return env && env->arena ? arena_alloc(env->arena, n) : NULL;
}

int smp_make_rw(struct sample *s, struct smp_env *env)
{
    char *p;

    if (!(s->flags & SMP_F_CONST))
        return 0;
    p = smp_alloc(env, s->data.str.len + 1);
    if (!p)
        return -1;
    memcpy(p, s->data.str.ptr, s->data.str.len);
    p[s->data.str.len] = 0;
    s->data.str.ptr = p;
    s->flags &= ~SMP_F_CONST;
    return 0;
}

int smp_parse_ipv4(const char *s, size_t len, struct in_addr *out)
{
    char buf[INET_ADDRSTRLEN];

    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    return inet_pton(AF_INET, buf, out) == 1 ? 0 : -1;
}

static int parse_ipv6(const char *s, size_t len, struct in6_addr *out)
{
    char buf[INET6_ADDRSTRLEN];

    if (len == 0 || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    return inet_pton(AF_INET6, buf, out) == 1 ? 0 : -1;
}

int smp_v6_to_v4(const struct in6_addr *in, struct in_addr *out)
{
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t compat[12] = {0};
    const uint8_t *a = in->s6_addr;

    if (!memcmp(a, mapped, 12) || !memcmp(a, compat, 12)) {
        memcpy(&out->s_addr, a + 12, 4);
        return 1;
    }
    if (a[0] == 0x20 && a[1] == 0x02) { /* 6to4: 2002:AABB:CCDD::/48 */
        memcpy(&out->s_addr, a + 2, 4);
        return 1;
    }
    return 0;
}

void smp_v4_to_v6(const struct in_addr *in, struct in6_addr *out)
{
    memset(out, 0, sizeof(*out));
    out->s6_addr[10] = out->s6_addr[11] = 0xff;
    memcpy(out->s6_addr + 12, &in->s_addr, 4);
}

/* Leading signed decimal digits of a string, as HAProxy's c_str2int: "12ab" is 12, "ab" is 0,
 * an empty string fails. Saturates instead of overflowing. */
static int str_to_sint(const struct sample *s, long long *out)
{
    const char *p = s->data.str.ptr, *end = p + s->data.str.len;
    unsigned long long v = 0, lim;
    int neg = 0;

    if (p == end)
        return 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    lim = neg ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
    for (; p < end && *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned)(*p - '0');
        if (v > lim)
            v = lim;
    }
    *out = neg ? (v > (unsigned long long)LLONG_MAX ? LLONG_MIN : -(long long)v)
               : (long long)v;
    return 1;
}

static int set_str(struct sample *s, char *p, size_t len)
{
    if (!p)
        return 0;
    s->type = SMP_T_STR;
    s->flags &= ~SMP_F_CONST;
    s->data.str.ptr = p;
    s->data.str.len = len;
    return 1;
}

static int cast_to_str(struct sample *s, struct smp_env *env)
{
    char *p;
    size_t i;

    switch (s->type) {
    case SMP_T_BOOL:
        s->type = SMP_T_STR;
        s->flags |= SMP_F_CONST;
        s->data.str.ptr = s->data.sint ? "1" : "0";
        s->data.str.len = 1;
        return 1;
    case SMP_T_SINT:
        p = smp_alloc(env, 24);
        return p && set_str(s, p, (size_t)snprintf(p, 24, "%lld", s->data.sint));
    case SMP_T_IPV4:
        p = smp_alloc(env, INET_ADDRSTRLEN);
        return p && inet_ntop(AF_INET, &s->data.ipv4, p, INET_ADDRSTRLEN) &&
               set_str(s, p, strlen(p));
    case SMP_T_IPV6:
        p = smp_alloc(env, INET6_ADDRSTRLEN);
        return p && inet_ntop(AF_INET6, &s->data.ipv6, p, INET6_ADDRSTRLEN) &&
               set_str(s, p, strlen(p));
    case SMP_T_BIN:
        /* a NUL ends the string, as in HAProxy */
        for (i = 0; i < s->data.str.len && s->data.str.ptr[i]; i++)
            ;
        s->data.str.len = i;
        s->type = SMP_T_STR;
        return 1;
    default:
        return 1;
    }
}

static int cast_to_bin(struct sample *s, struct smp_env *env)
{
    unsigned long long v;
    char *p;

    switch (s->type) {
    case SMP_T_BOOL:
    case SMP_T_SINT:
        p = smp_alloc(env, 8);
        if (!p)
            return 0;
        v = (unsigned long long)s->data.sint;
        for (int i = 7; i >= 0; i--, v >>= 8)
            p[i] = (char)(v & 0xff);
        s->data.str.ptr = p;
        s->data.str.len = 8;
        break;
    case SMP_T_IPV4:
    case SMP_T_IPV6: {
        size_t n = s->type == SMP_T_IPV4 ? 4 : 16;

        p = smp_alloc(env, n);
        if (!p)
            return 0;
        memcpy(p, s->type == SMP_T_IPV4 ? (void *)&s->data.ipv4 : (void *)&s->data.ipv6, n);
        s->data.str.ptr = p;
        s->data.str.len = n;
        break;
    }
    case SMP_T_STR:
        break;
    default:
        return 0;
    }
    s->flags &= s->type == SMP_T_STR ? ~0U : ~(unsigned)SMP_F_CONST;
    s->type = SMP_T_BIN;
    return 1;
}

static int cast_to_ip(struct sample *s, int to)
{
    struct in_addr a4;
    struct in6_addr a6;

    switch (s->type) {
    case SMP_T_SINT:
        a4.s_addr = htonl((uint32_t)s->data.sint);
        break;
    case SMP_T_IPV4:
        a4 = s->data.ipv4;
        break;
    case SMP_T_IPV6:
        if (to == SMP_T_IPV6 || to == SMP_T_ADDR)
            return 1;
        if (!smp_v6_to_v4(&s->data.ipv6, &a4))
            return 0;
        break;
    case SMP_T_STR:
        if (smp_parse_ipv4(s->data.str.ptr, s->data.str.len, &a4) == 0)
            break;
        if (to == SMP_T_IPV4 || parse_ipv6(s->data.str.ptr, s->data.str.len, &a6) < 0)
            return 0;
        s->type = SMP_T_IPV6;
        s->flags &= ~SMP_F_CONST;
        s->data.ipv6 = a6;
        return 1;
    default:
        return 0;
    }
    s->flags &= ~SMP_F_CONST;
    if (to == SMP_T_IPV6) {
        smp_v4_to_v6(&a4, &a6);
        s->type = SMP_T_IPV6;
        s->data.ipv6 = a6;
    } else {
        s->type = SMP_T_IPV4;
        s->data.ipv4 = a4;
    }
    return 1;
}

int smp_cast(struct sample *s, int to, struct smp_env *env)
{
    long long v;

    if ((int)s->type == to || to == SMP_T_ANY)
        return 1;
    if (!smp_can_cast((int)s->type, to))
        return 0;
    switch (to) {
    case SMP_T_BOOL:
    case SMP_T_SINT:
        if (s->type == SMP_T_STR) {
            if (!str_to_sint(s, &v))
                return 0;
        } else if (s->type == SMP_T_IPV4) {
            v = ntohl(s->data.ipv4.s_addr);
        } else {
            v = s->data.sint;
        }
        s->flags &= ~SMP_F_CONST;
        s->data.sint = to == SMP_T_BOOL ? v != 0 : v;
        s->type = to;
        return 1;
    case SMP_T_STR:
        return cast_to_str(s, env);
    case SMP_T_BIN:
        return cast_to_bin(s, env);
    case SMP_T_ADDR:
        if (s->type == SMP_T_IPV4 || s->type == SMP_T_IPV6)
            return 1;
        return cast_to_ip(s, SMP_T_ADDR);
    default:
        return cast_to_ip(s, to);
    }
}

int smp_to_str(struct sample *s, struct smp_env *env)
{
    return smp_cast(s, SMP_T_STR, env) ? 0 : -1;
}

/* ---------------------------------------------------------------------------------------- */
/* Helpers for converters and pattern files */

char *smp_scratch(void)
{
    /* workers run one thread: the area is used by one converter at a time, which copies its
     * result into the arena before returning */
    static char scratch[SMP_SCRATCH_SIZE];

    return scratch;
}

int smp_read_lines(const char *path, smp_line_fn fn, void *arg, char **err)
{
    FILE *f = fopen(path, "r");
    char *line = NULL, *lerr = NULL;
    size_t cap = 0;
    ssize_t n;
    struct stat st;
    int lineno = 0, ret = -1;

    if (!f)
        return str_printf(err, "failed to open pattern file '%s': %s", path, strerror(errno));
    if (fstat(fileno(f), &st) < 0 || !S_ISREG(st.st_mode)) {
        str_printf(err, "pattern file '%s' is not a regular file", path);
        goto out;
    }
    while ((n = getline(&line, &cap, f)) >= 0) {
        char *p = line;
        size_t len = (size_t)n;

        lineno++;
        while (len && (p[len - 1] == '\n' || p[len - 1] == '\r'))
            len--;
        while (len && (*p == ' ' || *p == '\t')) {
            p++;
            len--;
        }
        p[len] = 0;
        if (!len || *p == '#')
            continue;
        if (fn(arg, p, len, &lerr) < 0) {
            str_printf(err, "%s at line %d of file '%s'", lerr ? lerr : "invalid line", lineno,
                       path);
            goto out;
        }
    }
    if (ferror(f)) {
        str_printf(err, "failed to read pattern file '%s': %s", path, strerror(errno));
        goto out;
    }
    ret = 0;
out:
    free(lerr);
    free(line);
    fclose(f);
    return ret;
}

static void sample_register(void)
{
    cfg_register_check(15, check_backend_args);
}
INITCALL(sample_register)
