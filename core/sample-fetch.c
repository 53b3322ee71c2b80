/* Sample fetches: connection addresses, the HTTP request and response (line, headers,
 * cookies, URL parts), backend state, variables and constants. HAProxy 2.6 semantics
 * (configuration.txt section 7.3). Results point into the message or the configuration
 * (SMP_F_CONST) whenever possible; only "base" builds new bytes, in env->arena. */
#include "sample.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "proxy.h"
#include "sample-kw.h"
#include "server.h"
#include "str.h"

/* ---------------------------------------------------------------------------------------- */
/* Helpers */

static int set_sint(struct sample *out, long long v)
{
    out->type = SMP_T_SINT;
    out->flags = 0;
    out->data.sint = v;
    return 1;
}

static int set_bool(struct sample *out, int v)
{
    out->type = SMP_T_BOOL;
    out->flags = 0;
    out->data.sint = v != 0;
    return 1;
}

static int set_cstr(struct sample *out, const char *p, size_t len)
{
    out->type = SMP_T_STR;
    out->flags = SMP_F_CONST;
    out->data.str.ptr = p ? p : ""; /* an empty header value may have no storage */
    out->data.str.len = len;
    return 1;
}

static const struct http_msg *req_msg(const struct smp_env *env)
{
    return env->txn && env->txn->req.present ? &env->txn->req : NULL;
}

static const struct http_msg *res_msg(const struct smp_env *env)
{
    return env->txn && env->txn->res.present ? &env->txn->res : NULL;
}

static int is_spht(char c)
{
    return c == ' ' || c == '\t';
}

/* Optional name argument: NULL when omitted or empty (meaning "every one"). */
static const struct smp_arg *name_arg(const struct smp_arg *a)
{
    return a->type == SMP_ARG_STR && a->data.str.len ? a : NULL;
}

/* Leading signed decimal integer of a string, 0 when none (HAProxy's strl2ic). */
static long long str_lead_int(const char *p, size_t len)
{
    const char *end = p + len;
    unsigned long long v = 0;
    int neg = 0;

    if (p < end && (*p == '-' || *p == '+'))
        neg = *p++ == '-';
    for (; p < end && *p >= '0' && *p <= '9'; p++)
        v = v > (1ULL << 62) ? v : v * 10 + (unsigned)(*p - '0');
    if (v > (unsigned long long)LLONG_MAX)
        v = (unsigned long long)LLONG_MAX;
    return neg ? -(long long)v : (long long)v;
}

/* ---------------------------------------------------------------------------------------- */
/* Layer 4 */

static int fetch_addr(const struct sockaddr_storage *ss, struct sample *out)
{
    if (!ss)
        return 0;
    out->flags = 0;
    if (ss->ss_family == AF_INET) {
        out->type = SMP_T_IPV4;
        out->data.ipv4 = ((const struct sockaddr_in *)ss)->sin_addr;
        return 1;
    }
    if (ss->ss_family == AF_INET6) {
        out->type = SMP_T_IPV6;
        out->data.ipv6 = ((const struct sockaddr_in6 *)ss)->sin6_addr;
        return 1;
    }
    return 0;
}

static int fetch_port(const struct sockaddr_storage *ss, struct sample *out)
{
    if (!ss)
        return 0;
    if (ss->ss_family == AF_INET)
        return set_sint(out, ntohs(((const struct sockaddr_in *)ss)->sin_port));
    if (ss->ss_family == AF_INET6)
        return set_sint(out, ntohs(((const struct sockaddr_in6 *)ss)->sin6_port));
    return 0;
}

static int f_src(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *out, struct smp_ctx *ctx)
{
    return fetch_addr(env->src, out);
}

static int f_dst(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *out, struct smp_ctx *ctx)
{
    return fetch_addr(env->dst, out);
}

static int f_src_port(const struct smp_arg *args, void *priv, struct smp_env *env,
                      struct sample *out, struct smp_ctx *ctx)
{
    return fetch_port(env->src, out);
}

static int f_dst_port(const struct smp_arg *args, void *priv, struct smp_env *env,
                      struct sample *out, struct smp_ctx *ctx)
{
    return fetch_port(env->dst, out);
}

/* ---------------------------------------------------------------------------------------- */
/* Request line */

static int f_method(const struct smp_arg *args, void *priv, struct smp_env *env,
                    struct sample *out, struct smp_ctx *ctx)
{
    const struct http_msg *m = req_msg(env);

    return m && m->meth ? set_cstr(out, m->meth, m->meth_len) : 0;
}

static int f_url(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *out, struct smp_ctx *ctx)
{
    const struct http_msg *m = req_msg(env);

    return m && m->uri ? set_cstr(out, m->uri, m->uri_len) : 0;
}

/* The path of a request-target with its query, as HAProxy's http_get_path(): origin-form
 * "/p?q" as is, absolute-form "scheme://authority/p?q" from the first slash after the
 * authority. "*", authority-form and URIs without a path have none: returns 0. */
static int uri_path(const struct http_msg *m, const char **p, size_t *len)
{
    const char *s, *end;

    if (!m || !m->uri || !m->uri_len || *m->uri == '*')
        return 0;
    s = m->uri;
    end = s + m->uri_len;
    if (isalpha((unsigned char)*s)) {
        for (s++; s < end && (isalnum((unsigned char)*s) || strchr("+-.", *s)); s++)
            ;
        if (end - s < 3 || s[0] != ':' || s[1] != '/' || s[2] != '/')
            return 0;
        s += 3;
    }
    while (s < end && *s != '/')
        s++;
    if (s == end)
        return 0;
    *p = s;
    *len = (size_t)(end - s);
    return 1;
}

static int f_path(const struct smp_arg *args, void *priv, struct smp_env *env,
                  struct sample *out, struct smp_ctx *ctx)
{
    const char *p, *q;
    size_t len;

    if (!uri_path(req_msg(env), &p, &len))
        return 0;
    q = memchr(p, '?', len);
    return set_cstr(out, p, q ? (size_t)(q - p) : len);
}

static int f_pathq(const struct smp_arg *args, void *priv, struct smp_env *env,
                   struct sample *out, struct smp_ctx *ctx)
{
    const char *p;
    size_t len;

    return uri_path(req_msg(env), &p, &len) ? set_cstr(out, p, len) : 0;
}

static int f_query(const struct smp_arg *args, void *priv, struct smp_env *env,
                   struct sample *out, struct smp_ctx *ctx)
{
    const struct http_msg *m = req_msg(env);
    const char *q;

    if (!m || !m->uri)
        return 0;
    q = memchr(m->uri, '?', m->uri_len);
    return q ? set_cstr(out, q + 1, (size_t)(m->uri + m->uri_len - q - 1)) : 0;
}

static int f_req_ver(const struct smp_arg *args, void *priv, struct smp_env *env,
                     struct sample *out, struct smp_ctx *ctx)
{
    const struct http_msg *m = req_msg(env);

    return m ? set_cstr(out, m->vers == 10 ? "1.0" : "1.1", 3) : 0;
}

static int f_res_ver(const struct smp_arg *args, void *priv, struct smp_env *env,
                     struct sample *out, struct smp_ctx *ctx)
{
    const struct http_msg *m = res_msg(env);

    return m ? set_cstr(out, m->vers == 10 ? "1.0" : "1.1", 3) : 0;
}

static int f_proto_http(const struct smp_arg *args, void *priv, struct smp_env *env,
                        struct sample *out, struct smp_ctx *ctx)
{
    return set_bool(out, req_msg(env) != NULL);
}

static int f_status(const struct smp_arg *args, void *priv, struct smp_env *env,
                    struct sample *out, struct smp_ctx *ctx)
{
    const struct http_msg *m = res_msg(env);

    return m ? set_sint(out, m->status) : 0;
}

/* url_param([NAME[,DELIM]]): the parameters start after the first DELIM ('?' by default) and
 * are separated by '&', ';' or DELIM; a parameter matches when NAME is followed by '='. With
 * no name, any parameter with a '=' matches. Cursor: pos[0] is 1 + where to search next. */
static int url_param_next(const char *qs, const char *end, const char *name, size_t nlen,
                          char delim, const char **v, const char **vend)
{
#define PARAM_DELIM(c) ((c) == '&' || (c) == ';' || (c) == delim)
    const char *p = qs;

    if (!nlen) {
        p = memchr(qs, '=', (size_t)(end - qs));
        if (!p)
            return 0;
        p++;
    } else {
        for (;;) {
            if (p + nlen >= end)
                return 0;
            if (p[nlen] == '=' && !memcmp(p, name, nlen))
                break;
            while (p < end && !PARAM_DELIM(*p))
                p++;
            if (p == end)
                return 0;
            p++;
        }
        p += nlen + 1;
    }
    *v = p;
    while (p < end && !PARAM_DELIM(*p))
        p++;
    *vend = p;
    return 1;
#undef PARAM_DELIM
}

static int f_url_param(const struct smp_arg *args, void *priv, struct smp_env *env,
                       struct sample *out, struct smp_ctx *ctx)
{
    const struct http_msg *m = req_msg(env);
    const struct smp_arg *name = name_arg(&args[0]);
    char delim = args[1].type == SMP_ARG_STR && args[1].data.str.len ? *args[1].data.str.ptr
                                                                    : '?';
    const char *qs, *end, *v, *vend;

    if (!m || !m->uri)
        return 0;
    end = m->uri + m->uri_len;
    if (!ctx->pos[0]) {
        qs = memchr(m->uri, delim, m->uri_len);
        if (!qs)
            return 0;
        qs++;
    } else {
        qs = m->uri + ctx->pos[0] - 1;
        if (qs > end)
            return 0;
    }
    if (!url_param_next(qs, end, name ? name->data.str.ptr : "", name ? name->data.str.len : 0,
                        delim, &v, &vend))
        return 0;
    ctx->pos[0] = vend - m->uri + 1;
    ctx->more = (ctx->opt & SMP_OPT_ITERATE) && vend < end;
    return set_cstr(out, v, (size_t)(vend - v));
}

/* ---------------------------------------------------------------------------------------- */
/* Headers */

static int hdr_name_match(const struct http_hdr *h, const struct smp_arg *name)
{
    return !name || (h->name_len == name->data.str.len &&
                     !strncasecmp(h->name, name->data.str.ptr, h->name_len));
}

/* End of the comma-separated item starting at off: commas inside double-quoted strings
 * (with backslash escapes) do not separate. */
static size_t item_end(const char *v, size_t len, size_t off)
{
    int q = 0;

    for (; off < len; off++) {
        if (q) {
            if (v[off] == '\\' && off + 1 < len)
                off++;
            else if (v[off] == '"')
                q = 0;
        } else if (v[off] == '"') {
            q = 1;
        } else if (v[off] == ',') {
            break;
        }
    }
    return off;
}

/* Next value of header `name` (NULL: any header) at cursor pos (slot index, offset in the
 * value). full: whole lines; otherwise comma-separated items with blanks trimmed (empty items
 * count). Deleted slots are skipped. Returns 1 with the value in v, vl and the cursor
 * advanced, 0 at the end. */
static int hdr_next(const struct http_msg *m, const struct smp_arg *name, int full,
                    long long *pos, const char **v, size_t *vl)
{
    while (pos[0] < m->nhdrs) {
        const struct http_hdr *h = &m->hdrs[pos[0]];
        const char *val = h->value ? h->value : ""; /* an empty value may have no storage */
        size_t s = (size_t)pos[1], e;

        if (!h->name || !hdr_name_match(h, name) || s > h->value_len) {
            pos[0]++;
            pos[1] = 0;
            continue;
        }
        e = full ? h->value_len : item_end(val, h->value_len, s);
        if (e < h->value_len) {
            pos[1] = (long long)e + 1;
        } else {
            pos[0]++;
            pos[1] = 0;
        }
        while (s < e && is_spht(val[s]))
            s++;
        while (e > s && is_spht(val[e - 1]))
            e--;
        *v = val + s;
        *vl = e - s;
        return 1;
    }
    return 0;
}

static long long hdr_count(const struct http_msg *m, const struct smp_arg *name, int full)
{
    long long pos[2] = {0, 0}, n = 0;
    const char *v;
    size_t vl;

    while (hdr_next(m, name, full, pos, &v, &vl))
        n++;
    return n;
}

/* Fetches occurrence occ of a header as HAProxy does: in an ACL without occ every value in
 * turn; otherwise the occ-th (from the end when negative, the last one when 0). */
static int hdr_fetch(const struct http_msg *m, const struct smp_arg *args, int full,
                     struct sample *out, struct smp_ctx *ctx)
{
    const struct smp_arg *name = name_arg(&args[0]);
    long long occ = args[1].type == SMP_ARG_SINT ? args[1].data.sint : 0;
    long long pos[2] = {0, 0}, n = 0;
    const char *v = NULL;
    size_t vl = 0;

    if (!m)
        return 0;
    if (occ == 0 && (ctx->opt & SMP_OPT_ITERATE)) {
        if (!hdr_next(m, name, full, ctx->pos, &v, &vl))
            return 0;
        ctx->more = 1;
        return set_cstr(out, v, vl);
    }
    if (occ <= 0) {
        occ = hdr_count(m, name, full) + (occ ? occ : -1) + 1;
        if (occ <= 0)
            return 0;
    }
    while (n < occ && hdr_next(m, name, full, pos, &v, &vl))
        n++;
    return n == occ ? set_cstr(out, v, vl) : 0;
}

static int f_req_hdr(const struct smp_arg *args, void *priv, struct smp_env *env,
                     struct sample *out, struct smp_ctx *ctx)
{
    return hdr_fetch(req_msg(env), args, 0, out, ctx);
}

static int f_req_fhdr(const struct smp_arg *args, void *priv, struct smp_env *env,
                      struct sample *out, struct smp_ctx *ctx)
{
    return hdr_fetch(req_msg(env), args, 1, out, ctx);
}

static int f_res_hdr(const struct smp_arg *args, void *priv, struct smp_env *env,
                     struct sample *out, struct smp_ctx *ctx)
{
    return hdr_fetch(res_msg(env), args, 0, out, ctx);
}

static int f_res_fhdr(const struct smp_arg *args, void *priv, struct smp_env *env,
                      struct sample *out, struct smp_ctx *ctx)
{
    return hdr_fetch(res_msg(env), args, 1, out, ctx);
}

static int hdr_cnt(const struct http_msg *m, const struct smp_arg *args, int full,
                   struct sample *out)
{
    return m ? set_sint(out, hdr_count(m, name_arg(&args[0]), full)) : 0;
}

static int f_req_hdr_cnt(const struct smp_arg *args, void *priv, struct smp_env *env,
                         struct sample *out, struct smp_ctx *ctx)
{
    return hdr_cnt(req_msg(env), args, 0, out);
}

static int f_req_fhdr_cnt(const struct smp_arg *args, void *priv, struct smp_env *env,
                          struct sample *out, struct smp_ctx *ctx)
{
    return hdr_cnt(req_msg(env), args, 1, out);
}

static int f_res_hdr_cnt(const struct smp_arg *args, void *priv, struct smp_env *env,
                         struct sample *out, struct smp_ctx *ctx)
{
    return hdr_cnt(res_msg(env), args, 0, out);
}

static int f_res_fhdr_cnt(const struct smp_arg *args, void *priv, struct smp_env *env,
                          struct sample *out, struct smp_ctx *ctx)
{
    return hdr_cnt(res_msg(env), args, 1, out);
}

/* An address as found in X-Forwarded-For-like headers: IPv4 optionally followed by
 * ":port", or IPv6. Returns 1 and fills out. */
static int hdr_value_ip(const char *v, size_t vl, struct sample *out)
{
    const char *colon = memchr(v, ':', vl);
    char buf[INET6_ADDRSTRLEN];

    if (colon && !memchr(colon + 1, ':', vl - (size_t)(colon + 1 - v))) {
        /* a single colon: IPv4 and a port */
        long long port = 0;
        const char *p = colon + 1;

        if (p == v + vl)
            return 0;
        for (; p < v + vl; p++) {
            if (*p < '0' || *p > '9' || (port = port * 10 + (*p - '0')) > 65535)
                return 0;
        }
        vl = (size_t)(colon - v);
    }
    out->flags = 0;
    if (smp_parse_ipv4(v, vl, &out->data.ipv4) == 0) {
        out->type = SMP_T_IPV4;
        return 1;
    }
    if (colon && vl < sizeof(buf) && memchr(v, ':', vl)) {
        memcpy(buf, v, vl);
        buf[vl] = 0;
        if (inet_pton(AF_INET6, buf, &out->data.ipv6) == 1) {
            out->type = SMP_T_IPV6;
            return 1;
        }
    }
    return 0;
}

/* req.hdr_ip: as req.hdr, skipping values that are not addresses while more may follow. */
static int hdr_ip(const struct http_msg *m, const struct smp_arg *args, struct sample *out,
                  struct smp_ctx *ctx)
{
    while (hdr_fetch(m, args, 0, out, ctx)) {
        if (hdr_value_ip(out->data.str.ptr, out->data.str.len, out))
            return 1;
        if (!ctx->more)
            return 0;
    }
    return 0;
}

static int f_req_hdr_ip(const struct smp_arg *args, void *priv, struct smp_env *env,
                        struct sample *out, struct smp_ctx *ctx)
{
    return hdr_ip(req_msg(env), args, out, ctx);
}

static int f_res_hdr_ip(const struct smp_arg *args, void *priv, struct smp_env *env,
                        struct sample *out, struct smp_ctx *ctx)
{
    return hdr_ip(res_msg(env), args, out, ctx);
}

static int f_req_hdr_val(const struct smp_arg *args, void *priv, struct smp_env *env,
                         struct sample *out, struct smp_ctx *ctx)
{
    if (!hdr_fetch(req_msg(env), args, 0, out, ctx))
        return 0;
    return set_sint(out, str_lead_int(out->data.str.ptr, out->data.str.len));
}

static int f_res_hdr_val(const struct smp_arg *args, void *priv, struct smp_env *env,
                         struct sample *out, struct smp_ctx *ctx)
{
    if (!hdr_fetch(res_msg(env), args, 0, out, ctx))
        return 0;
    return set_sint(out, str_lead_int(out->data.str.ptr, out->data.str.len));
}

/* "base": the first Host header followed by the path (or the path alone). */
static int f_base(const struct smp_arg *args, void *priv, struct smp_env *env,
                  struct sample *out, struct smp_ctx *ctx)
{
    static const struct smp_arg host[2] = {
        {.type = SMP_ARG_STR, .data.str = {.ptr = "host", .len = 4}},
    };
    const struct http_msg *m = req_msg(env);
    long long pos[2] = {0, 0};
    const char *h, *p;
    size_t hl, pl;
    char *b;

    if (!f_path(args, priv, env, out, ctx)) {
        /* no path ("OPTIONS *", authority-form): base is the Host alone, as HAProxy */
        if (!hdr_next(m, &host[0], 1, pos, &h, &hl) || !hl)
            return 0;
        return set_cstr(out, h, hl);
    }
    if (!hdr_next(m, &host[0], 1, pos, &h, &hl) || !hl)
        return 1;
    p = out->data.str.ptr;
    pl = out->data.str.len;
    b = smp_alloc(env, hl + pl);
    if (!b)
        return 0;
    memcpy(b, h, hl);
    memcpy(b + hl, p, pl);
    out->data.str.ptr = b;
    out->data.str.len = hl + pl;
    out->flags = 0;
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Cookies */

/* Next "name=value" pair of a Cookie header value from *off: pairs end at ';' (and at ',' for
 * request cookies, as HAProxy) outside double quotes, blanks around names and values are
 * ignored, pairs without '=' are skipped. */
static int cookie_next(const char *v, size_t len, size_t *off, int comma, const char **n,
                       size_t *nl, const char **val, size_t *vl)
{
    while (*off < len) {
        size_t s = *off, e = s, eq;

        for (int q = 0; e < len && (q || (v[e] != ';' && !(comma && v[e] == ','))); e++)
            q ^= v[e] == '"'; /* a quoted value may hold delimiters */
        *off = e < len ? e + 1 : len;
        for (eq = s; eq < e && v[eq] != '='; eq++)
            ;
        if (eq == e)
            continue;
        while (s < eq && is_spht(v[s]))
            s++;
        *n = v + s;
        for (*nl = eq - s; *nl && is_spht(v[s + *nl - 1]); (*nl)--)
            ;
        for (s = eq + 1; s < e && is_spht(v[s]); s++)
            ;
        while (e > s && is_spht(v[e - 1]))
            e--;
        *val = v + s;
        *vl = e - s;
        return 1;
    }
    return 0;
}

/* Next cookie named `name` (NULL: any) in the Cookie (req) or Set-Cookie (res: the first pair
 * of each header only) headers, from cursor pos (slot, offset). */
static int cook_next(const struct http_msg *m, int res, const struct smp_arg *name,
                     long long *pos, const char **val, size_t *vl)
{
    const char *hname = res ? "set-cookie" : "cookie";
    size_t hlen = res ? 10 : 6;

    for (; pos[0] < m->nhdrs; pos[0]++, pos[1] = 0) {
        const struct http_hdr *h = &m->hdrs[pos[0]];
        size_t off = (size_t)pos[1];
        const char *n;
        size_t nl;

        if (!h->name || h->name_len != hlen || strncasecmp(h->name, hname, hlen))
            continue;
        if (res) {
            size_t e = 0;

            if (off)
                continue;
            while (e < h->value_len && h->value[e] != ';')
                e++;
            if (!cookie_next(h->value, e, &off, 0, &n, &nl, val, vl) ||
                (name && (nl != name->data.str.len || memcmp(n, name->data.str.ptr, nl))))
                continue;
            pos[1] = 1;
            return 1;
        }
        while (cookie_next(h->value, h->value_len, &off, 1, &n, &nl, val, vl)) {
            if (name && (nl != name->data.str.len || memcmp(n, name->data.str.ptr, nl)))
                continue;
            pos[1] = (long long)off;
            if (off >= h->value_len) {
                pos[0]++;
                pos[1] = 0;
            }
            return 1;
        }
    }
    return 0;
}

/* As a sample: the last occurrence of a named cookie, or the first cookie when no name is
 * given; in ACLs every occurrence. */
static int cook_fetch(const struct http_msg *m, int res, const struct smp_arg *args,
                      struct sample *out, struct smp_ctx *ctx)
{
    const struct smp_arg *name = name_arg(&args[0]);
    long long pos[2] = {0, 0};
    const char *v = NULL, *last = NULL;
    size_t vl = 0, lastl = 0;

    if (!m)
        return 0;
    if (ctx->opt & SMP_OPT_ITERATE) {
        if (!cook_next(m, res, name, ctx->pos, &v, &vl))
            return 0;
        ctx->more = 1;
        return set_cstr(out, v, vl);
    }
    while (cook_next(m, res, name, pos, &v, &vl)) {
        last = v;
        lastl = vl;
        if (!name)
            break;
    }
    return last ? set_cstr(out, last, lastl) : 0;
}

static int f_req_cook(const struct smp_arg *args, void *priv, struct smp_env *env,
                      struct sample *out, struct smp_ctx *ctx)
{
    return cook_fetch(req_msg(env), 0, args, out, ctx);
}

static int f_res_cook(const struct smp_arg *args, void *priv, struct smp_env *env,
                      struct sample *out, struct smp_ctx *ctx)
{
    return cook_fetch(res_msg(env), 1, args, out, ctx);
}

static int cook_cnt(const struct http_msg *m, int res, const struct smp_arg *args,
                    struct sample *out)
{
    long long pos[2] = {0, 0}, n = 0;
    const char *v;
    size_t vl;

    if (!m)
        return 0;
    while (cook_next(m, res, name_arg(&args[0]), pos, &v, &vl))
        n++;
    return set_sint(out, n);
}

static int f_req_cook_cnt(const struct smp_arg *args, void *priv, struct smp_env *env,
                          struct sample *out, struct smp_ctx *ctx)
{
    return cook_cnt(req_msg(env), 0, args, out);
}

static int f_res_cook_cnt(const struct smp_arg *args, void *priv, struct smp_env *env,
                          struct sample *out, struct smp_ctx *ctx)
{
    return cook_cnt(res_msg(env), 1, args, out);
}

static int f_req_cook_val(const struct smp_arg *args, void *priv, struct smp_env *env,
                          struct sample *out, struct smp_ctx *ctx)
{
    if (!cook_fetch(req_msg(env), 0, args, out, ctx))
        return 0;
    return set_sint(out, str_lead_int(out->data.str.ptr, out->data.str.len));
}

static int f_res_cook_val(const struct smp_arg *args, void *priv, struct smp_env *env,
                          struct sample *out, struct smp_ctx *ctx)
{
    if (!cook_fetch(res_msg(env), 1, args, out, ctx))
        return 0;
    return set_sint(out, str_lead_int(out->data.str.ptr, out->data.str.len));
}

/* ---------------------------------------------------------------------------------------- */
/* Internal state, variables, constants */

/* The current backend: the chosen one, else the proxy itself when it has a backend side. */
static struct proxy *cur_backend(const struct smp_env *env)
{
    if (env->be)
        return env->be;
    return env->fe && (env->fe->cap & PX_CAP_BE) ? env->fe : NULL;
}

/* nbsrv: usable active servers, or usable backup servers when no active one is (HAProxy
 * counts backups only when every active server is down). */
static int f_nbsrv(const struct smp_arg *args, void *priv, struct smp_env *env,
                   struct sample *out, struct smp_ctx *ctx)
{
    struct proxy *px = cur_backend(env);
    long long act = 0, bck = 0;

    if (args[0].type == SMP_ARG_BE) {
        px = args[0].data.be.px;
        if (!px) /* unresolved: only when the check phase did not run (unit tests) */
            px = px_find(args[0].data.be.name, PX_CAP_BE);
    }
    if (!px)
        return 0;
    for (struct server *s = px->servers; s; s = s->next) {
        if (!srv_usable(s))
            continue;
        if (s->flags & SRV_F_BACKUP)
            bck++;
        else
            act++;
    }
    return set_sint(out, act ? act : bck);
}

static int f_var(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *out, struct smp_ctx *ctx)
{
    if (vars_get(env, args[0].data.var.scope, args[0].data.var.name, out))
        return 1;
    if (args[1].type == SMP_ARG_STR)
        return set_cstr(out, args[1].data.str.ptr, args[1].data.str.len);
    return 0;
}

static int f_str(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *out, struct smp_ctx *ctx)
{
    return set_cstr(out, args[0].data.str.ptr, args[0].data.str.len);
}

static int f_int(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *out, struct smp_ctx *ctx)
{
    return set_sint(out, args[0].data.sint);
}

/* ipv4(), ipv6(), bin(): the constant is built by the check function into priv. */
static int f_const(const struct smp_arg *args, void *priv, struct smp_env *env,
                   struct sample *out, struct smp_ctx *ctx)
{
    *out = *(const struct sample *)priv;
    return 1;
}

static int hexval(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

static int check_const(const char *kw, struct smp_arg *args, void **priv, char **err)
{
    const char *s = args[0].data.str.ptr;
    size_t len = args[0].data.str.len;
    struct sample *smp = str_zalloc(sizeof(*smp) + len / 2 + 1);

    if (!strcmp(kw, "ipv4")) {
        smp->type = SMP_T_IPV4;
        if (smp_parse_ipv4(s, len, &smp->data.ipv4) < 0)
            goto bad;
    } else if (!strcmp(kw, "ipv6")) {
        smp->type = SMP_T_IPV6;
        if (inet_pton(AF_INET6, s, &smp->data.ipv6) != 1)
            goto bad;
    } else {
        unsigned char *b = (unsigned char *)(smp + 1);

        if (len % 2)
            goto bad;
        for (size_t i = 0; i < len; i += 2) {
            if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]))
                goto bad;
            b[i / 2] = (unsigned char)(hexval(s[i]) << 4 | hexval(s[i + 1]));
        }
        smp->type = SMP_T_BIN;
        smp->flags = SMP_F_CONST;
        smp->data.str.ptr = (const char *)b;
        smp->data.str.len = len / 2;
    }
    *priv = smp;
    return 0;
bad:
    free(smp);
    return str_printf(err, "invalid %s value '%s'", !strcmp(kw, "bin") ? "hex" : kw, s);
}

static int f_env(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *out, struct smp_ctx *ctx)
{
    const char *v = getenv(args[0].data.str.ptr);

    return v ? set_cstr(out, v, strlen(v)) : 0;
}

static int f_true(const struct smp_arg *args, void *priv, struct smp_env *env,
                  struct sample *out, struct smp_ctx *ctx)
{
    return set_bool(out, 1);
}

static int f_false(const struct smp_arg *args, void *priv, struct smp_env *env,
                   struct sample *out, struct smp_ctx *ctx)
{
    return set_bool(out, 0);
}

static int f_fe_name(const struct smp_arg *args, void *priv, struct smp_env *env,
                     struct sample *out, struct smp_ctx *ctx)
{
    return env->fe ? set_cstr(out, env->fe->id, strlen(env->fe->id)) : 0;
}

static int f_fe_id(const struct smp_arg *args, void *priv, struct smp_env *env,
                   struct sample *out, struct smp_ctx *ctx)
{
    return env->fe ? set_sint(out, env->fe->uuid) : 0;
}

static int f_be_name(const struct smp_arg *args, void *priv, struct smp_env *env,
                     struct sample *out, struct smp_ctx *ctx)
{
    return env->be ? set_cstr(out, env->be->id, strlen(env->be->id)) : 0;
}

static int f_be_id(const struct smp_arg *args, void *priv, struct smp_env *env,
                   struct sample *out, struct smp_ctx *ctx)
{
    return env->be ? set_sint(out, env->be->uuid) : 0;
}

static int f_srv_name(const struct smp_arg *args, void *priv, struct smp_env *env,
                      struct sample *out, struct smp_ctx *ctx)
{
    return env->srv ? set_cstr(out, env->srv->id, strlen(env->srv->id)) : 0;
}

static int f_srv_id(const struct smp_arg *args, void *priv, struct smp_env *env,
                    struct sample *out, struct smp_ctx *ctx)
{
    return env->srv ? set_sint(out, env->srv->puid) : 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Registration */

#define A_NONE {SMP_ARG_NONE}
#define A_SINT {SMP_ARG_SINT}
#define A_BE {SMP_ARG_BE}
#define A_VAR_STR {SMP_ARG_VAR, SMP_ARG_STR}
#define A_STR {SMP_ARG_STR}
#define A_STR_SINT {SMP_ARG_STR, SMP_ARG_SINT}
#define A_STR_STR {SMP_ARG_STR, SMP_ARG_STR}
#define L4 SMP_USE_L4
#define REQ SMP_USE_REQ
#define RES SMP_USE_RES
#define FETCH(n, f, min, types, out, u) \
    {.name = n, .fn = f, .min_args = min, .arg_types = types, .out_type = out, .use = u}
/* constants built by check_const() */
#define FETCH_CHK(n, out, chk) \
    {.name = n, .fn = f_const, .min_args = 1, .arg_types = A_STR, .out_type = out, \
     .check = chk, .release = free}

static struct smp_fetch_kw fetch_kws[] = {
    /* layer 4 */
    FETCH("src", f_src, 0, A_NONE, SMP_T_IPV4, L4),
    FETCH("src_port", f_src_port, 0, A_NONE, SMP_T_SINT, L4),
    FETCH("dst", f_dst, 0, A_NONE, SMP_T_IPV4, L4),
    FETCH("dst_port", f_dst_port, 0, A_NONE, SMP_T_SINT, L4),
    /* request */
    FETCH("method", f_method, 0, A_NONE, SMP_T_STR, REQ),
    FETCH("path", f_path, 0, A_NONE, SMP_T_STR, REQ),
    FETCH("pathq", f_pathq, 0, A_NONE, SMP_T_STR, REQ),
    FETCH("url", f_url, 0, A_NONE, SMP_T_STR, REQ),
    FETCH("query", f_query, 0, A_NONE, SMP_T_STR, REQ),
    FETCH("base", f_base, 0, A_NONE, SMP_T_STR, REQ),
    FETCH("url_param", f_url_param, 0, A_STR_STR, SMP_T_STR, REQ),
    FETCH("urlp", f_url_param, 0, A_STR_STR, SMP_T_STR, REQ),
    FETCH("req.ver", f_req_ver, 0, A_NONE, SMP_T_STR, REQ),
    FETCH("req_ver", f_req_ver, 0, A_NONE, SMP_T_STR, REQ),
    FETCH("req.proto_http", f_proto_http, 0, A_NONE, SMP_T_BOOL, 0),
    FETCH("hdr", f_req_hdr, 0, A_STR_SINT, SMP_T_STR, REQ),
    FETCH("req.hdr", f_req_hdr, 0, A_STR_SINT, SMP_T_STR, REQ),
    FETCH("req.fhdr", f_req_fhdr, 0, A_STR_SINT, SMP_T_STR, REQ),
    FETCH("hdr_cnt", f_req_hdr_cnt, 0, A_STR, SMP_T_SINT, REQ),
    FETCH("req.hdr_cnt", f_req_hdr_cnt, 0, A_STR, SMP_T_SINT, REQ),
    FETCH("req.fhdr_cnt", f_req_fhdr_cnt, 0, A_STR, SMP_T_SINT, REQ),
    FETCH("hdr_ip", f_req_hdr_ip, 0, A_STR_SINT, SMP_T_IPV4, REQ),
    FETCH("req.hdr_ip", f_req_hdr_ip, 0, A_STR_SINT, SMP_T_IPV4, REQ),
    FETCH("hdr_val", f_req_hdr_val, 0, A_STR_SINT, SMP_T_SINT, REQ),
    FETCH("req.hdr_val", f_req_hdr_val, 0, A_STR_SINT, SMP_T_SINT, REQ),
    FETCH("cook", f_req_cook, 0, A_STR, SMP_T_STR, REQ),
    FETCH("req.cook", f_req_cook, 0, A_STR, SMP_T_STR, REQ),
    FETCH("cook_cnt", f_req_cook_cnt, 0, A_STR, SMP_T_SINT, REQ),
    FETCH("req.cook_cnt", f_req_cook_cnt, 0, A_STR, SMP_T_SINT, REQ),
    FETCH("cook_val", f_req_cook_val, 0, A_STR, SMP_T_SINT, REQ),
    FETCH("req.cook_val", f_req_cook_val, 0, A_STR, SMP_T_SINT, REQ),
    /* response */
    FETCH("status", f_status, 0, A_NONE, SMP_T_SINT, RES),
    FETCH("res.ver", f_res_ver, 0, A_NONE, SMP_T_STR, RES),
    FETCH("resp_ver", f_res_ver, 0, A_NONE, SMP_T_STR, RES),
    FETCH("shdr", f_res_hdr, 0, A_STR_SINT, SMP_T_STR, RES),
    FETCH("res.hdr", f_res_hdr, 0, A_STR_SINT, SMP_T_STR, RES),
    FETCH("res.fhdr", f_res_fhdr, 0, A_STR_SINT, SMP_T_STR, RES),
    FETCH("shdr_cnt", f_res_hdr_cnt, 0, A_STR, SMP_T_SINT, RES),
    FETCH("res.hdr_cnt", f_res_hdr_cnt, 0, A_STR, SMP_T_SINT, RES),
    FETCH("res.fhdr_cnt", f_res_fhdr_cnt, 0, A_STR, SMP_T_SINT, RES),
    FETCH("res.hdr_ip", f_res_hdr_ip, 0, A_STR_SINT, SMP_T_IPV4, RES),
    FETCH("res.hdr_val", f_res_hdr_val, 0, A_STR_SINT, SMP_T_SINT, RES),
    FETCH("scook", f_res_cook, 0, A_STR, SMP_T_STR, RES),
    FETCH("res.cook", f_res_cook, 0, A_STR, SMP_T_STR, RES),
    FETCH("scook_cnt", f_res_cook_cnt, 0, A_STR, SMP_T_SINT, RES),
    FETCH("res.cook_cnt", f_res_cook_cnt, 0, A_STR, SMP_T_SINT, RES),
    FETCH("scook_val", f_res_cook_val, 0, A_STR, SMP_T_SINT, RES),
    FETCH("res.cook_val", f_res_cook_val, 0, A_STR, SMP_T_SINT, RES),
    /* internal state and constants */
    FETCH("nbsrv", f_nbsrv, 0, A_BE, SMP_T_SINT, 0),
    FETCH("var", f_var, 1, A_VAR_STR, SMP_T_ANY, 0),
    FETCH("str", f_str, 1, A_STR, SMP_T_STR, 0),
    FETCH("int", f_int, 1, A_SINT, SMP_T_SINT, 0),
    FETCH_CHK("ipv4", SMP_T_IPV4, check_const),
    FETCH_CHK("ipv6", SMP_T_IPV6, check_const),
    FETCH_CHK("bin", SMP_T_BIN, check_const),
    FETCH("env", f_env, 1, A_STR, SMP_T_STR, 0),
    FETCH("always_true", f_true, 0, A_NONE, SMP_T_BOOL, 0),
    FETCH("always_false", f_false, 0, A_NONE, SMP_T_BOOL, 0),
    FETCH("fe_name", f_fe_name, 0, A_NONE, SMP_T_STR, 0),
    FETCH("fe_id", f_fe_id, 0, A_NONE, SMP_T_SINT, 0),
    FETCH("be_name", f_be_name, 0, A_NONE, SMP_T_STR, 0),
    FETCH("be_id", f_be_id, 0, A_NONE, SMP_T_SINT, 0),
    FETCH("srv_name", f_srv_name, 0, A_NONE, SMP_T_STR, 0),
    FETCH("srv_id", f_srv_id, 0, A_NONE, SMP_T_SINT, 0),
    {0},
};

static void fetch_register(void)
{
    smp_register_fetches(fetch_kws);
}
INITCALL(fetch_register)
