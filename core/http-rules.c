/* HTTP rules: http-request, http-response, http-after-response, redirect and use_backend.
 * Each rule is an action with its arguments compiled at load time (log-format strings,
 * sample expressions, regexes, prebuilt answers) and an optional if/unless condition. */
#include "http-rules.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "global.h"
#include "h1.h"
#include "http-err.h"
#include "http-msg.h"
#include "http.h"
#include "log.h"
#include "logfmt.h"
#include "parse.h"
#include "proxy.h"
#include "regex.h"
#include "sample.h"
#include "str.h"

#define RULE_BUF 8192 /* bytes a rendered value may take (one header value, one URI) */

struct http_rule;
typedef enum http_rule_ret (*act_fn)(struct http_rule *r, struct stream *s, struct http_msg *m);

enum del_match { DEL_STR = 0, DEL_BEG, DEL_END, DEL_SUB, DEL_REG };

struct http_rule {
    act_fn fn;                 /* the action */
    const char *name;          /* action name, for messages */
    struct acl_cond *cond;     /* if/unless, NULL: always */
    struct cfg_where where;    /* the rule's line */
    /* arguments, as the action needs them */
    char *hname;               /* header name */
    uint32_t hlen;
    struct logfmt *fmt;        /* value, path, URI, location... */
    struct regex re;           /* replace-header/value, del-header -m reg */
    int has_re;
    enum del_match match;      /* del-header -m */
    int status;                /* deny/return/set-status/redirect code */
    char *reason;              /* set-status reason */
    struct sample_expr *expr;  /* set-var */
    enum var_scope scope;      /* set-var/unset-var */
    unsigned var_conds;        /* set-var: VAR_C_* conditions */
    const char *var;           /* variable name (interned) */
    int level;                 /* set-log-level: -1 silent */
    /* answers (deny, return, redirect) */
    char *ctype;               /* content-type, or NULL */
    char *body;                /* literal body (string/file) */
    uint32_t body_len;
    struct logfmt *lf_body;    /* lf-string body */
    char *raw;                 /* "errorfile": a whole response sent as it is */
    uint32_t raw_len;
    struct ahdr {
        char *name;
        struct logfmt *fmt;
    } *hdrs;                   /* "hdr" arguments */
    int nhdrs;
    int redir_type;            /* 0 location, 1 prefix, 2 scheme */
    char *literal;             /* the "redirect" keyword's target, used as written */
    int drop_query, append_slash;
    char *set_cookie, *clear_cookie;
    struct http_rule *next;
};

struct use_be {
    struct acl_cond *cond;     /* NULL: always */
    char *name;                /* static backend name, or NULL */
    struct logfmt *dyn;        /* "%[...]" dynamic name */
    struct proxy *be;          /* resolved static backend */
    struct cfg_where where;
    struct use_be *next;
};

struct px_rules {
    struct http_rule *req, *res, *after; /* in declaration order */
    struct http_rule *redirects;         /* "redirect" lines, run after the http-request rules */
    struct use_be *use_be;
};

static struct px_rules *px_rules(struct proxy *px)
{
    if (!px->rules)
        px->rules = str_zalloc(sizeof(struct px_rules));
    return px->rules;
}

/* ---- rendering helpers ------------------------------------------------------------------- */

/* Renders f into the arena; NULL when out of memory. */
/* Renders f for stream s into its arena. Returns the value (length in *len), or NULL when it
 * does not fit in RULE_BUF bytes or the arena: a header or URI is never silently cut, the
 * rule fails instead (a 500 for the request) and the debug log says why. */
static char *render(struct logfmt *f, struct stream *s, uint32_t *len)
{
    char tmp[RULE_BUF];
    struct strbuf sb;

    strbuf_init_fixed(&sb, tmp, sizeof(tmp));
    if (logfmt_render_sb(f, &s->env, &sb) < 0) {
        log_debug("%s: a rendered value is longer than %d bytes", s->fe->id, RULE_BUF - 1);
        return NULL;
    }
    if (s->env.err)
        return NULL; /* a part could not be decided (env.err): the rule fails, nothing sent */
    *len = (uint32_t)sb.len;
    return arena_strndup(&s->arena, tmp, sb.len);
}

/* ---- header actions ---------------------------------------------------------------------- */

static enum http_rule_ret act_set_header(struct http_rule *r, struct stream *s, struct http_msg *m)
{
    uint32_t vl;
    char *v = render(r->fmt, s, &vl);

    if (!v)
        return HTTP_RULE_ERROR;
    if (r->name[0] == 's')
        http_hdr_del(m, r->hname, r->hlen);
    return http_hdr_add(m, r->hname, r->hlen, v, vl) < 0 ? HTTP_RULE_ERROR : HTTP_RULE_CONT;
}

static int name_matches(const struct http_rule *r, struct stream *s, const char *n, uint32_t nl)
{
    switch (r->match) {
    case DEL_STR:
        return nl == r->hlen && !strncasecmp(n, r->hname, nl);
    case DEL_BEG:
        return nl >= r->hlen && !strncasecmp(n, r->hname, r->hlen);
    case DEL_END:
        return nl >= r->hlen && !strncasecmp(n + nl - r->hlen, r->hname, r->hlen);
    case DEL_SUB:
        for (uint32_t i = 0; i + r->hlen <= nl; i++)
            if (!strncasecmp(n + i, r->hname, r->hlen))
                return 1;
        return 0;
    case DEL_REG: {
        int ret = rx_match(&r->re, n, nl, 0, NULL, 0);

        if (ret < 0)
            s->env.err = "regex match limit reached on a header name";
        return ret > 0;
    }
    }
    return 0;
}

static enum http_rule_ret act_del_header(struct http_rule *r, struct stream *s, struct http_msg *m)
{
    for (int i = 0; i < m->nhdrs; i++)
        if (m->hdrs[i].name && name_matches(r, s, m->hdrs[i].name, m->hdrs[i].name_len))
            m->hdrs[i].name = NULL;
    return HTTP_RULE_CONT;
}

/* Expands \0..\9 of the replacement with the regex matches of subject. */
static char *substitute(struct stream *s, const char *repl, uint32_t rl, const char *subj,
                        const struct rx_span *pm, uint32_t *outlen)
{
    char tmp[RULE_BUF];
    struct strbuf sb;

    strbuf_init_fixed(&sb, tmp, sizeof(tmp));
    for (uint32_t i = 0; i < rl; i++) {
        if (repl[i] == '\\' && i + 1 < rl && repl[i + 1] >= '0' && repl[i + 1] <= '9') {
            const struct rx_span *g = &pm[repl[i + 1] - '0'];

            if (g->so >= 0 && g->eo > g->so)
                strbuf_add(&sb, subj + g->so, (size_t)(g->eo - g->so));
            i++;
            continue;
        }
        strbuf_putc(&sb, repl[i]);
    }
    if (!strbuf_ok(&sb))
        return NULL; /* too long: the rule fails rather than cut the value */
    *outlen = (uint32_t)sb.len;
    return arena_strndup(&s->arena, tmp, sb.len);
}

/* replace-header: the whole value; replace-value: each comma-separated value, trimmed of
 * surrounding blanks for matching. A matching element is replaced whole (blanks included);
 * every other byte of the header stays as it was (HAProxy's behaviour). */
static enum http_rule_ret act_replace(struct http_rule *r, struct stream *s, struct http_msg *m)
{
    int per_value = r->name[8] == 'v';
    uint32_t rl;
    char *repl = render(r->fmt, s, &rl);

    if (!repl)
        return HTTP_RULE_ERROR;
    for (int i = http_hdr_find(m, r->hname, r->hlen, 0); i >= 0;
         i = http_hdr_find(m, r->hname, r->hlen, i + 1)) {
        struct http_hdr *h = &m->hdrs[i];
        const char *p = h->value, *end = h->value + h->value_len, *done = p;
        char out[RULE_BUF], subj[RULE_BUF];
        size_t o = 0;
        int changed = 0;

        while (p <= end) {
            const char *e = per_value ? memchr(p, ',', (size_t)(end - p)) : NULL;
            const char *vs = p, *ve = e ? e : end;
            struct rx_span pm[RX_GROUPS];
            size_t vl;

            while (vs < ve && (*vs == ' ' || *vs == '\t'))
                vs++;
            while (ve > vs && (ve[-1] == ' ' || ve[-1] == '\t'))
                ve--;
            vl = (size_t)(ve - vs);
            if (vl >= sizeof(subj))
                return HTTP_RULE_ERROR;
            memcpy(subj, vs, vl);
            subj[vl] = 0;
            int mr = rx_match(&r->re, subj, vl, 0, pm, RX_GROUPS);

            if (mr < 0) {
                s->env.err = "regex match limit reached in a header replacement";
                return HTTP_RULE_ERROR;
            }
            if (mr) {
                uint32_t sl;
                char *sub = substitute(s, repl, rl, subj, pm, &sl);
                /* the whole element is replaced, its surrounding blanks included */
                size_t keep = (size_t)((per_value ? p : vs) - done);

                if (!sub || o + keep + sl >= sizeof(out))
                    return HTTP_RULE_ERROR;
                memcpy(out + o, done, keep);
                o += keep;
                memcpy(out + o, sub, sl);
                o += sl;
                done = per_value ? (e ? e : end) : ve;
                changed = 1;
            }
            if (!e)
                break;
            p = e + 1;
        }
        if (!changed)
            continue;
        if (o + (size_t)(end - done) >= sizeof(out))
            return HTTP_RULE_ERROR;
        memcpy(out + o, done, (size_t)(end - done));
        o += (size_t)(end - done);
        h->value = arena_strndup(&s->arena, out, o);
        if (!h->value)
            return HTTP_RULE_ERROR;
        h->value_len = (uint32_t)o;
    }
    return HTTP_RULE_CONT;
}

/* ---- request line actions ---------------------------------------------------------------- */

static enum http_rule_ret act_set_uri_part(struct http_rule *r, struct stream *s,
                                           struct http_msg *m)
{
    const char *path, *query, *uri = m->uri;
    uint32_t plen, qlen, vl, ulen = m->uri_len;
    char *v = render(r->fmt, s, &vl), *nu;
    size_t pre, n;

    if (!v)
        return HTTP_RULE_ERROR;
    if (!strcmp(r->name, "set-method")) {
        m->meth = v;
        m->meth_len = vl;
        return HTTP_RULE_CONT;
    }
    if (!strcmp(r->name, "set-uri")) {
        m->uri = v;
        m->uri_len = vl;
        return HTTP_RULE_CONT;
    }
    http_uri_parts(uri, ulen, &path, &plen, &query, &qlen);
    pre = (size_t)(path - uri);
    nu = arena_alloc(&s->arena, ulen + vl + 2);
    if (!nu)
        return HTTP_RULE_ERROR;
    memcpy(nu, uri, pre);
    n = pre;
    if (!strcmp(r->name, "set-path")) {
        memcpy(nu + n, v, vl);
        n += vl;
        if (query < uri + ulen || (qlen == 0 && memchr(uri, '?', ulen))) {
            nu[n++] = '?';
            memcpy(nu + n, query, qlen);
            n += qlen;
        }
    } else { /* set-query: an empty query keeps its '?', as in HAProxy */
        memcpy(nu + n, path, plen);
        n += plen;
        nu[n++] = '?';
        memcpy(nu + n, v, vl);
        n += vl;
    }
    m->uri = nu;
    m->uri_len = (uint32_t)n;
    return HTTP_RULE_CONT;
}

static enum http_rule_ret act_set_status(struct http_rule *r, struct stream *s, struct http_msg *m)
{
    m->status = r->status;
    m->reason = r->reason ? r->reason : http_reason(r->status);
    m->reason_len = (uint32_t)strlen(m->reason);
    s->txn.status = r->status;
    return HTTP_RULE_CONT;
}

/* ---- variables, log level, allow --------------------------------------------------------- */

static enum http_rule_ret act_set_var(struct http_rule *r, struct stream *s, struct http_msg *m)
{
    struct sample smp;

    if (r->expr) {
        if (smp_expr_eval(r->expr, &s->env, &smp))
            vars_set_cond(&s->env, r->scope, r->var, &smp, r->var_conds);
    } else {
        uint32_t vl;
        char *v = render(r->fmt, s, &vl);

        if (!v)
            return HTTP_RULE_ERROR;
        smp = (struct sample){.type = SMP_T_STR};
        smp.data.str.ptr = v;
        smp.data.str.len = vl;
        vars_set_cond(&s->env, r->scope, r->var, &smp, r->var_conds);
    }
    return HTTP_RULE_CONT;
}

static enum http_rule_ret act_unset_var(struct http_rule *r, struct stream *s, struct http_msg *m)
{
    vars_unset(&s->env, r->scope, r->var);
    return HTTP_RULE_CONT;
}

static enum http_rule_ret act_log_level(struct http_rule *r, struct stream *s, struct http_msg *m)
{
    s->txn.log_level = r->level;
    return HTTP_RULE_CONT;
}

static enum http_rule_ret act_allow(struct http_rule *r, struct stream *s, struct http_msg *m)
{
    return HTTP_RULE_STOP;
}

/* ---- answers: deny, return, redirect ----------------------------------------------------- */

/* Builds "HTTP/1.1 <status> <reason>" + headers + body into the arena and sends it. The
 * header values are rendered first, so that the answer is laid out once in one arena block
 * of the exact size (no allocation outside the request's arena). */
static enum http_rule_ret answer(struct http_rule *r, struct stream *s, int status,
                                 const char *body, uint32_t blen, const char *extra_hdrs)
{
    const char *reason = http_reason(status);
    char **vals = NULL;
    uint32_t *lens = NULL;
    size_t need;
    struct strbuf sb;
    char *raw;

    if (status < 200 || status == 204 || status == 304)
        blen = 0; /* 1xx, 204 and 304 carry no body (RFC 9110) */
    /* status line, content-length line and final CRLF, with room to spare */
    need = 64 + strlen(reason) + blen + (extra_hdrs ? strlen(extra_hdrs) : 0) +
           (r->ctype ? strlen(r->ctype) + 18 : 0);
    if (r->nhdrs) {
        vals = arena_alloc(&s->arena, sizeof(*vals) * (size_t)r->nhdrs);
        lens = arena_alloc(&s->arena, sizeof(*lens) * (size_t)r->nhdrs);
        if (!vals || !lens)
            return HTTP_RULE_ERROR;
    }
    for (int i = 0; i < r->nhdrs; i++) {
        vals[i] = render(r->hdrs[i].fmt, s, &lens[i]);
        if (!vals[i])
            return HTTP_RULE_ERROR;
        need += strlen(r->hdrs[i].name) + lens[i] + 4;
    }
    raw = arena_alloc(&s->arena, need);
    if (!raw)
        return HTTP_RULE_ERROR;
    strbuf_init_fixed(&sb, raw, need);
    strbuf_printf(&sb, "HTTP/1.1 %d %s\r\n", status, reason);
    if (r->ctype)
        strbuf_printf(&sb, "content-type: %s\r\n", r->ctype);
    for (int i = 0; i < r->nhdrs; i++) {
        strbuf_printf(&sb, "%s: ", r->hdrs[i].name);
        strbuf_add(&sb, vals[i], lens[i]);
        strbuf_puts(&sb, "\r\n");
    }
    if (extra_hdrs)
        strbuf_puts(&sb, extra_hdrs);
    if (status >= 200 && status != 204 && status != 304)
        strbuf_printf(&sb, "content-length: %u\r\n", blen);
    strbuf_puts(&sb, "\r\n");
    if (blen)
        strbuf_add(&sb, body, blen);
    if (!strbuf_ok(&sb))
        return HTTP_RULE_ERROR; /* the size computed above was wrong: never send a cut answer */
    http_answer_raw(s, raw, (uint32_t)sb.len);
    return HTTP_RULE_DONE;
}

static enum http_rule_ret act_return(struct http_rule *r, struct stream *s, struct http_msg *m)
{
    int status = r->status;

    /* termination state as HAProxy logs it: denied by the proxy (PR), or answered locally */
    memcpy(s->info.term, strcmp(r->name, "return") ? "PR" : "LR", 2);
    if (r->raw) {
        http_answer_raw(s, r->raw, r->raw_len);
        return HTTP_RULE_DONE;
    }
    if (!r->body && !r->lf_body && !r->ctype && !r->nhdrs && strcmp(r->name, "return")) {
        /* deny without payload: the proxy's error page for that status */
        http_answer_status(s, status);
        return HTTP_RULE_DONE;
    }
    if (r->lf_body) {
        uint32_t bl;
        char *b = render(r->lf_body, s, &bl);

        return b ? answer(r, s, status, b, bl, NULL) : HTTP_RULE_ERROR;
    }
    return answer(r, s, status, r->body, r->body_len, NULL);
}

static enum http_rule_ret act_redirect(struct http_rule *r, struct stream *s, struct http_msg *m)
{
    const struct http_msg *rq = &s->txn.req;
    char hdrs[RULE_BUF];
    uint32_t fl = 0;
    char *f = r->literal ? r->literal : render(r->fmt, s, &fl);
    const char *path, *query;
    uint32_t plen, qlen;
    struct strbuf sb;

    if (!f)
        return HTTP_RULE_ERROR;
    if (r->literal)
        fl = (uint32_t)strlen(r->literal);
    http_uri_parts(rq->uri, rq->uri_len, &path, &plen, &query, &qlen);
    /* The location header is built in one bounded buffer: a request whose path (or Host)
     * makes it longer than RULE_BUF gets a 500 (HTTP_RULE_ERROR), never a cut location. */
    strbuf_init_fixed(&sb, hdrs, sizeof(hdrs));
    strbuf_puts(&sb, "location: ");
    if (r->redir_type == 0) {
        strbuf_add(&sb, f, fl);
    } else {
        if (r->redir_type == 2) {
            int h = http_hdr_find(rq, "host", 4, 0);

            strbuf_add(&sb, f, fl);
            strbuf_puts(&sb, "://");
            if (h >= 0)
                strbuf_add(&sb, rq->hdrs[h].value, rq->hdrs[h].value_len);
        } else if (!(fl == 1 && f[0] == '/')) {
            /* prefix "/" keeps the location relative, as in HAProxy */
            strbuf_add(&sb, f, fl);
        }
        strbuf_add(&sb, path, plen);
        if (r->append_slash && plen && path[plen - 1] != '/')
            strbuf_putc(&sb, '/');
        if (!r->drop_query && (qlen || memchr(rq->uri, '?', rq->uri_len))) {
            strbuf_putc(&sb, '?');
            strbuf_add(&sb, query, qlen);
        }
    }
    strbuf_puts(&sb, "\r\n");
    /* temporary redirects must not be cached, as HAProxy writes them */
    if (r->status == 302 || r->status == 303 || r->status == 307)
        strbuf_puts(&sb, "cache-control: no-cache\r\n");
    if (r->set_cookie)
        strbuf_printf(&sb, "set-cookie: %s; path=/;\r\n", r->set_cookie);
    if (r->clear_cookie)
        strbuf_printf(&sb, "set-cookie: %s; path=/; Max-Age=0;\r\n", r->clear_cookie);
    if (!strbuf_ok(&sb)) {
        log_debug("%s: redirect location longer than %d bytes", s->fe->id, RULE_BUF - 1);
        return HTTP_RULE_ERROR;
    }
    memcpy(s->info.term, "LR", 2);
    {
        struct http_rule plain = {.nhdrs = 0};

        return answer(&plain, s, r->status, NULL, 0, hdrs);
    }
}

/* ---- running rules ----------------------------------------------------------------------- */

/* An evaluation that could not be decided (s->env.err: a regex at its match limit) fails
 * closed: whatever the rule was (a deny that would not match, an allow that would), the
 * transaction gets an error, and the reason is logged once per request. */
static enum http_rule_ret eval_failed(struct stream *s, const struct http_msg *m)
{
    log_warning("%s: %s refused: %s", s->fe->id, m == &s->txn.req ? "request" : "response",
                s->env.err);
    s->env.err = NULL; /* handled: the error answer and its after-response rules run clean */
    return HTTP_RULE_ERROR;
}

static enum http_rule_ret run(struct http_rule *list, struct stream *s, struct http_msg *m)
{
    for (struct http_rule *r = list; r; r = r->next) {
        enum http_rule_ret ret;

        if (r->cond) {
            int match = acl_cond_exec(r->cond, &s->env);

            if (s->env.err)
                return eval_failed(s, m);
            if (!match)
                continue;
        }
        ret = r->fn(r, s, m);
        if (s->env.err)
            return eval_failed(s, m);
        if (ret != HTTP_RULE_CONT)
            return ret;
    }
    return HTTP_RULE_CONT;
}

enum http_rule_ret http_rules_request(struct stream *s, struct proxy *px)
{
    struct px_rules *pr = px->rules;
    enum http_rule_ret r;

    if (!pr)
        return HTTP_RULE_CONT;
    r = run(pr->req, s, &s->txn.req);
    if (r == HTTP_RULE_STOP || r == HTTP_RULE_CONT)
        r = run(pr->redirects, s, &s->txn.req); /* HAProxy's order: redirect after http-request */
    return r == HTTP_RULE_STOP ? HTTP_RULE_CONT : r;
}

enum http_rule_ret http_rules_response(struct stream *s, struct proxy *px)
{
    struct px_rules *pr = px->rules;
    enum http_rule_ret r;

    if (!pr || !pr->res)
        return HTTP_RULE_CONT;
    r = run(pr->res, s, &s->txn.res);
    return r == HTTP_RULE_STOP ? HTTP_RULE_CONT : r;
}

enum http_rule_ret http_rules_after(struct stream *s, struct proxy *px)
{
    struct px_rules *pr = px->rules;
    enum http_rule_ret r;

    if (!pr || !pr->after)
        return HTTP_RULE_CONT;
    r = run(pr->after, s, &s->txn.res);
    return r == HTTP_RULE_STOP ? HTTP_RULE_CONT : r;
}

struct proxy *http_rules_backend(struct stream *s, struct proxy *fe)
{
    struct px_rules *pr = fe->rules;

    for (struct use_be *u = pr ? pr->use_be : NULL; u; u = u->next) {
        if (u->cond) {
            int match = acl_cond_exec(u->cond, &s->env);

            if (s->env.err) /* undecided: no backend; the caller answers 500 (env.err set) */
                return NULL;
            if (!match)
                continue;
        }
        if (u->be)
            return u->be;
        if (u->dyn) {
            char name[256];
            struct proxy *be;
            struct strbuf sb;

            /* a name cut short must not pick another backend: longer names match none */
            strbuf_init_fixed(&sb, name, sizeof(name));
            be = logfmt_render_sb(u->dyn, &s->env, &sb) < 0 ? NULL : px_find(name, PX_CAP_BE);
            /* An unknown dynamic name falls through to the default backend, as in HAProxy. */
            if (be && be->conf.mode == fe->conf.mode)
                return be;
            return NULL;
        }
    }
    return NULL;
}

/* ---- parsing ----------------------------------------------------------------------------- */

enum rule_set { SET_REQ, SET_RES, SET_AFTER };

static const char *const set_kw[] = {"http-request", "http-response", "http-after-response"};

/* Finds where the condition starts: the index of "if"/"unless", or nargs. */
static int cond_start(char **args, int nargs, int from)
{
    for (int i = from; i < nargs; i++)
        if (!strcmp(args[i], "if") || !strcmp(args[i], "unless"))
            return i;
    return nargs;
}

static unsigned where_of(enum rule_set set, const struct proxy *px)
{
    unsigned w = SMP_USE_L4 | SMP_USE_REQ;

    if (set != SET_REQ)
        w |= SMP_USE_RES | SMP_USE_BE;
    if (!(px->cap & PX_CAP_FE))
        w |= SMP_USE_BE;
    return w;
}

static int need(int have, int want, const char *usage, char **err)
{
    if (have != want)
        return str_printf(err, "%s (usage: %s)",
                          have < want ? "missing argument" : "too many arguments", usage);
    return 0;
}

/* Formats in rules render a missing sample as nothing (HAProxy's behaviour outside logs). */
static int parse_fmt(const char *text, unsigned where, struct logfmt **out, char **err)
{
    *out = logfmt_parse(text, where | LOGFMT_F_HTTP_HDR, err);
    return *out ? 0 : -1;
}

static int parse_regex(const char *text, struct regex *re, int icase, char **err)
{
    return rx_compile(re, text, icase ? RX_ICASE : 0, err);
}

static int parse_status(const char *v, int min, int max, int *out, char **err)
{
    long long n;

    if (parse_int(v, min, max, &n, err) < 0)
        return -1;
    *out = (int)n;
    return 0;
}

static int read_file(const char *path, char **data, uint32_t *len, char **err)
{
    FILE *f = fopen(path, "r");
    long sz;

    if (!f)
        return str_printf(err, "cannot open '%s': %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (sz < 0 || sz > global.bufsize) {
        fclose(f);
        return str_printf(err, "'%s' is larger than tune.bufsize (%d)", path, global.bufsize);
    }
    *data = str_zalloc((size_t)sz + 1);
    if (fread(*data, 1, (size_t)sz, f) != (size_t)sz) {
        fclose(f);
        return str_printf(err, "cannot read '%s'", path);
    }
    fclose(f);
    *len = (uint32_t)sz;
    return 0;
}

/* deny/return payload arguments: [status N | deny_status N] [content-type T]
 * [string S | lf-string S | file F | lf-file F | errorfile F | default-errorfile] [hdr N F]* */
static int parse_payload(char **a, int n, struct http_rule *r, unsigned where, char **err)
{
    for (int i = 0; i < n; i++) {
        const char *k = a[i], *v = i + 1 < n ? a[i + 1] : NULL;

        if (!strcmp(k, "default-errorfile"))
            continue;
        if (!v)
            return str_printf(err, "'%s' expects a value", k);
        if (!strcmp(k, "status") || !strcmp(k, "deny_status")) {
            if (parse_status(v, 200, 599, &r->status, err) < 0)
                return -1;
        } else if (!strcmp(k, "content-type")) {
            r->ctype = str_dup(v);
        } else if (!strcmp(k, "string")) {
            r->body = str_dup(v);
            r->body_len = (uint32_t)strlen(v);
        } else if (!strcmp(k, "lf-string")) {
            if (parse_fmt(v, where, &r->lf_body, err) < 0)
                return -1;
        } else if (!strcmp(k, "file") || !strcmp(k, "lf-file") || !strcmp(k, "errorfile")) {
            char *data = NULL;
            uint32_t len = 0;

            if (read_file(v, &data, &len, err) < 0)
                return -1;
            if (!strcmp(k, "lf-file")) {
                int rc = parse_fmt(data, where, &r->lf_body, err);

                free(data);
                if (rc < 0)
                    return -1;
            } else if (!strcmp(k, "errorfile")) {
                /* a whole HTTP response, sent as it is (HAProxy's errorfile format) */
                struct h1_hdr hh[101];
                struct h1_msg m = {.hdrs = hh, .max_hdrs = 101};

                if (h1_parse_response(data, len, &m) <= 0) {
                    free(data);
                    return str_printf(err, "'%s' is not a valid HTTP response", v);
                }
                r->raw = data;
                r->raw_len = len;
            } else {
                r->body = data;
                r->body_len = len;
            }
        } else if (!strcmp(k, "hdr")) {
            if (i + 2 >= n)
                return str_printf(err, "'hdr' expects a name and a value");
            r->hdrs = realloc(r->hdrs, sizeof(*r->hdrs) * (size_t)(r->nhdrs + 1));
            if (!r->hdrs)
                return str_printf(err, "out of memory");
            r->hdrs[r->nhdrs].name = str_dup(v);
            if (parse_fmt(a[i + 2], where | LOGFMT_F_HTTP_HDR, &r->hdrs[r->nhdrs].fmt, err) < 0)
                return -1;
            r->nhdrs++;
            i++;
        } else {
            return str_printf(err, "unexpected '%s' (expected status, content-type, string, "
                                   "lf-string, file, lf-file, errorfile or hdr)", k);
        }
        i++;
    }
    if ((r->body || r->lf_body) && !r->ctype)
        return str_printf(err, "a body needs a 'content-type'");
    return 0;
}

/* deny without a payload answers with the error page of its status: there must be one */
static int check_deny_status(const struct http_rule *r, char **err)
{
    if (strcmp(r->name, "deny") || r->body || r->lf_body || r->raw || r->ctype || r->nhdrs)
        return 0;
    if (!http_err_has_page(r->status))
        return str_printf(err, "no error page for status %d (use one of the statuses "
                               "errorfile accepts, or give a payload)", r->status);
    return 0;
}

/* redirect location|prefix|scheme <to> [code N] [drop-query] [append-slash]
 * [set-cookie NAME[=V]] [clear-cookie NAME] */
static int parse_redirect(char **a, int n, struct http_rule *r, unsigned where, int literal,
                          char **err)
{
    if (n < 2)
        return str_printf(err, "usage: redirect location|prefix|scheme <to> [code <n>] "
                               "[drop-query] [append-slash] [set-cookie <c>] [clear-cookie <c>]");
    if (!strcmp(a[0], "location"))
        r->redir_type = 0;
    else if (!strcmp(a[0], "prefix"))
        r->redir_type = 1;
    else if (!strcmp(a[0], "scheme"))
        r->redir_type = 2;
    else
        return str_printf(err, "unknown redirect type '%s' (expected location, prefix or "
                               "scheme)", a[0]);
    /* "http-request redirect" takes a log-format; the "redirect" keyword a literal */
    if (literal)
        r->literal = str_dup(a[1]);
    else if (parse_fmt(a[1], where, &r->fmt, err) < 0)
        return -1;
    r->status = 302;
    for (int i = 2; i < n; i++) {
        if (!strcmp(a[i], "code") && i + 1 < n) {
            if (parse_status(a[++i], 301, 308, &r->status, err) < 0)
                return -1;
            if (r->status > 303 && r->status < 307)
                return str_printf(err, "redirect code must be 301, 302, 303, 307 or 308");
        } else if (!strcmp(a[i], "drop-query")) {
            r->drop_query = 1;
        } else if (!strcmp(a[i], "append-slash")) {
            r->append_slash = 1;
        } else if (!strcmp(a[i], "set-cookie") && i + 1 < n) {
            r->set_cookie = str_dup(a[++i]);
        } else if (!strcmp(a[i], "clear-cookie") && i + 1 < n) {
            r->clear_cookie = str_dup(a[++i]);
        } else {
            return str_printf(err, "unexpected '%s' in redirect", a[i]);
        }
    }
    r->fn = act_redirect;
    return 0;
}

/* "set-var(txn.name[,<cond>...])" -> scope, name and conditions (HAProxy 2.6's; unset-var
 * takes none) */
static int parse_var_action(const char *act, struct http_rule *r, char **err)
{
    const char *open = strchr(act, '('), *close = open ? strrchr(act, ')') : NULL;
    const char *comma, *c;
    char name[256];

    if (!open || !close || close[1] || close <= open + 1)
        return str_printf(err, "expects a variable name: %.*s(<scope>.<name>)",
                          (int)(open ? open - act : (long)strlen(act)), act);
    comma = memchr(open + 1, ',', (size_t)(close - open - 1));
    if (comma && !strncmp(act, "unset-var", 9))
        return str_printf(err, "unset-var does not expect parameters after the variable name. "
                               "Only \"set-var\" and \"set-var-fmt\" manage conditions");
    for (c = comma; c && c < close;) {
        const char *next = memchr(c + 1, ',', (size_t)(close - c - 1));
        const char *end = next ? next : close;

        if (vars_parse_cond(c + 1, (size_t)(end - c - 1), &r->var_conds, err) < 0)
            return -1;
        c = next;
    }
    if (!comma)
        comma = close;
    if ((size_t)(comma - open - 1) >= sizeof(name))
        return str_printf(err, "variable name too long in '%s'", act);
    memcpy(name, open + 1, (size_t)(comma - open - 1));
    name[comma - open - 1] = 0;
    /* vars_parse_name() points into its argument: give it storage that lives on */
    return vars_parse_name(cfg_intern(name), &r->scope, &r->var, err);
}

static int parse_level(const char *v, int *level, char **err)
{
    *level = log_level_parse(v);
    if (*level < 0)
        return str_printf(err, "unknown log level '%s' (expected emerg, alert, crit, err, "
                               "warning, notice, info, debug or silent)", v);
    return 0;
}

static const char *const actions_of[3][24] = {
    {"set-header", "add-header", "del-header", "replace-header", "replace-value", "set-path",
     "set-query", "set-uri", "set-method", "set-var", "set-var-fmt", "unset-var", "deny",
     "allow", "redirect", "return", "set-log-level", NULL},
    {"set-header", "add-header", "del-header", "replace-header", "replace-value", "set-status",
     "set-var", "set-var-fmt", "unset-var", "deny", "allow", "redirect", "return",
     "set-log-level", NULL},
    {"set-header", "add-header", "del-header", "replace-header", "replace-value", "set-status",
     "set-var", "set-var-fmt", "unset-var", "allow", "set-log-level", NULL},
};

/* HAProxy actions not supported yet, named in the error instead of "unknown". */
static const char *const haproxy_actions[] = {
    "auth", "cache-use", "cache-store", "capture", "del-acl", "del-map", "disable-l7-retry",
    "do-resolve", "early-hint", "normalize-uri", "reject", "replace-path", "replace-pathq",
    "replace-uri", "sc-inc-gpc", "sc-inc-gpc0", "sc-inc-gpc1", "sc-set-gpt0", "send-spoe-group",
    "set-bandwidth-limit", "set-dst", "set-dst-port", "set-map", "set-mark", "set-nice",
    "set-pathq", "set-priority-class", "set-priority-offset", "set-src", "set-src-port",
    "set-timeout", "set-tos", "silent-drop", "strict-mode", "tarpit", "track-sc0",
    "track-sc1", "track-sc2", "use-service", "wait-for-body", "wait-for-handshake", "add-acl",
    "lua", "set-fc-mark", "set-fc-tos", NULL,
};

static int action_allowed(enum rule_set set, const char *base)
{
    for (int i = 0; actions_of[set][i]; i++)
        if (!strcmp(actions_of[set][i], base))
            return 1;
    return 0;
}

/* Parses "<action> <args...>" (args[0] is the action, n words before the condition). */
static int parse_action(char **a, int n, enum rule_set set, struct proxy *px,
                        struct http_rule *r, char **err)
{
    unsigned where = where_of(set, px);
    char base[64];
    const char *paren = strchr(a[0], '(');
    int nargs = n - 1;

    snprintf(base, sizeof(base), "%.*s", (int)(paren ? paren - a[0] : (long)strlen(a[0])), a[0]);
    if (!action_allowed(set, base)) {
        const char *sugg = cfg_suggest_list(base, actions_of[set]);

        if (cfg_in_list(base, haproxy_actions) || cfg_in_list(base, actions_of[0]) ||
            cfg_in_list(base, actions_of[1]))
            return str_printf(err, "action '%s' is not supported by sluice in %s rules%s", base,
                              set_kw[set], cfg_in_list(base, haproxy_actions) ? " yet" : "");
        return str_printf(err, "unknown action '%s'%s%s%s", base, sugg ? "; did you mean '" : "",
                          sugg ? sugg : "", sugg ? "'?" : "");
    }
    r->name = cfg_intern(base);
    if (!strcmp(base, "set-header") || !strcmp(base, "add-header")) {
        if (need(nargs, 2, "set-header|add-header <name> <fmt>", err) < 0)
            return -1;
        r->hname = str_dup(a[1]);
        r->hlen = (uint32_t)strlen(a[1]);
        r->fn = act_set_header;
        return parse_fmt(a[2], where | LOGFMT_F_HTTP_HDR, &r->fmt, err);
    }
    if (!strcmp(base, "del-header")) {
        if (nargs != 1 && nargs != 3)
            return need(nargs, 1, "del-header <name> [-m str|beg|end|sub|reg]", err);
        r->hname = str_dup(a[1]);
        r->hlen = (uint32_t)strlen(a[1]);
        r->fn = act_del_header;
        if (nargs == 3) {
            static const char *const m[] = {"str", "beg", "end", "sub", "reg", NULL};
            int k;

            if (strcmp(a[2], "-m"))
                return str_printf(err, "unexpected '%s' (usage: del-header <name> [-m <meth>])",
                                  a[2]);
            for (k = 0; m[k] && strcmp(m[k], a[3]); k++)
                ;
            if (!m[k])
                return str_printf(err, "unknown match method '%s' (expected str, beg, end, "
                                       "sub or reg)", a[3]);
            r->match = (enum del_match)k;
            if (r->match == DEL_REG) {
                r->has_re = 1;
                return parse_regex(a[1], &r->re, 1, err);
            }
        }
        return 0;
    }
    if (!strcmp(base, "replace-header") || !strcmp(base, "replace-value")) {
        if (need(nargs, 3, "replace-header|replace-value <name> <regex> <fmt>", err) < 0)
            return -1;
        r->hname = str_dup(a[1]);
        r->hlen = (uint32_t)strlen(a[1]);
        r->fn = act_replace;
        r->has_re = 1;
        if (parse_regex(a[2], &r->re, 0, err) < 0)
            return -1;
        return parse_fmt(a[3], where, &r->fmt, err);
    }
    if (!strcmp(base, "set-path") || !strcmp(base, "set-query") || !strcmp(base, "set-uri") ||
        !strcmp(base, "set-method")) {
        if (need(nargs, 1, "set-path|set-query|set-uri|set-method <fmt>", err) < 0)
            return -1;
        r->fn = act_set_uri_part;
        return parse_fmt(a[1], where, &r->fmt, err);
    }
    if (!strcmp(base, "set-status")) {
        if (nargs != 1 && !(nargs == 3 && !strcmp(a[2], "reason")))
            return need(nargs, 1, "set-status <status> [reason <str>]", err);
        if (parse_status(a[1], 100, 999, &r->status, err) < 0)
            return -1;
        if (nargs == 3)
            r->reason = str_dup(a[3]);
        r->fn = act_set_status;
        return 0;
    }
    if (!strcmp(base, "set-var") || !strcmp(base, "set-var-fmt")) {
        if (parse_var_action(a[0], r, err) < 0)
            return -1;
        if (need(nargs, 1, "set-var(<scope>.<name>[,<cond>...]) <expr>", err) < 0)
            return -1;
        r->fn = act_set_var;
        if (!strcmp(base, "set-var")) {
            r->expr = smp_expr_parse(a[1], where, err);
            return r->expr ? 0 : -1;
        }
        return parse_fmt(a[1], where, &r->fmt, err);
    }
    if (!strcmp(base, "unset-var")) {
        if (parse_var_action(a[0], r, err) < 0 || need(nargs, 0, "unset-var(<scope>.<name>)",
                                                       err) < 0)
            return -1;
        r->fn = act_unset_var;
        return 0;
    }
    if (!strcmp(base, "set-log-level")) {
        if (need(nargs, 1, "set-log-level <level>", err) < 0)
            return -1;
        r->fn = act_log_level;
        return parse_level(a[1], &r->level, err);
    }
    if (!strcmp(base, "allow")) {
        r->fn = act_allow;
        return need(nargs, 0, "allow", err);
    }
    if (!strcmp(base, "deny") || !strcmp(base, "return")) {
        r->status = !strcmp(base, "return") ? 200 : set == SET_REQ ? 403 : 502;
        r->fn = act_return;
        if (parse_payload(a + 1, nargs, r, where, err) < 0)
            return -1;
        return check_deny_status(r, err);
    }
    if (!strcmp(base, "redirect"))
        return parse_redirect(a + 1, nargs, r, where, 0, err);
    return str_printf(err, "unknown action '%s'", base);
}

static void append_rule(struct http_rule **list, struct http_rule *r)
{
    while (*list)
        list = &(*list)->next;
    *list = r;
}

static int parse_cond(char **args, int nargs, int at, struct proxy *px, unsigned where,
                      struct acl_cond **out, char **err)
{
    if (at >= nargs)
        return 0;
    if (at + 1 >= nargs)
        return str_printf(err, "missing condition after '%s'", args[at]);
    *out = acl_cond_parse(args + at, nargs - at, px, where, err);
    /* a condition may come with a warning (an ACL that can never match here) */
    return *out ? (*err ? 1 : 0) : -1;
}

static int kw_http_rule(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                        char **err)
{
    struct proxy *px = ctx->obj;
    enum rule_set set = !strcmp(args[0], "http-request") ? SET_REQ
                        : !strcmp(args[0], "http-response") ? SET_RES : SET_AFTER;
    struct http_rule *r = str_zalloc(sizeof(*r));
    int at = cond_start(args, nargs, 2), warn;
    struct px_rules *pr = px_rules(px);

    cfg_where_here(ctx, &r->where);
    if (parse_action(args + 1, at - 1, set, px, r, err) < 0 ||
        (warn = parse_cond(args, nargs, at, px, where_of(set, px), &r->cond, err)) < 0) {
        free(r);
        return -1;
    }
    /* kept whatever the mode seen so far: 'mode http' may come later in the section (a
     * proxy's mode is known only at its end); check_http_mode() warns about tcp proxies */
    append_rule(set == SET_REQ ? &pr->req : set == SET_RES ? &pr->res : &pr->after, r);
    return warn;
}

/* "redirect ..." as a proxy keyword: an http-request redirect rule. */
static int kw_redirect(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                       char **err)
{
    struct proxy *px = ctx->obj;
    struct http_rule *r = str_zalloc(sizeof(*r));
    int at = cond_start(args, nargs, 2);

    cfg_where_here(ctx, &r->where);
    r->name = "redirect";
    if (parse_redirect(args + 1, at - 1, r, where_of(SET_REQ, px), 1, err) < 0 ||
        parse_cond(args, nargs, at, px, where_of(SET_REQ, px), &r->cond, err) < 0) {
        free(r);
        return -1;
    }
    append_rule(&px_rules(px)->redirects, r);
    return 0;
}

static int kw_use_backend(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                          char **err)
{
    struct proxy *px = ctx->obj;
    struct use_be *u = str_zalloc(sizeof(*u)), **p;
    int warn;
    /* Parsed for HTTP whatever the mode seen so far ('mode http' may come later in the
     * section), as HAProxy does: in a tcp frontend, HTTP fetches simply find nothing. */
    unsigned where = SMP_USE_L4 | SMP_USE_REQ;

    cfg_where_here(ctx, &u->where);
    if (nargs > 2 && strcmp(args[2], "if") && strcmp(args[2], "unless")) {
        free(u);
        return str_printf(err, "unexpected '%s' (usage: use_backend <name> [if|unless <cond>])",
                          args[2]);
    }
    if (strchr(args[1], '%')) {
        if (parse_fmt(args[1], where, &u->dyn, err) < 0) {
            free(u);
            return -1;
        }
    } else {
        u->name = str_dup(args[1]);
    }
    warn = parse_cond(args, nargs, 2, px, where, &u->cond, err);
    if (warn < 0) {
        free(u);
        return -1;
    }
    for (p = &px_rules(px)->use_be; *p; p = &(*p)->next)
        ;
    *p = u;
    return warn;
}

static struct cfg_kw rule_kws[] = {
    {.name = "http-request", .sections = "frontend backend listen", .min_args = 1,
     .max_args = -1, .parse = kw_http_rule, .usage = "http-request <action> [args] [if|unless "
                                                    "<cond>]"},
    {.name = "http-response", .sections = "frontend backend listen", .min_args = 1,
     .max_args = -1, .parse = kw_http_rule, .usage = "http-response <action> [args] "
                                                    "[if|unless <cond>]"},
    {.name = "http-after-response", .sections = "frontend backend listen", .min_args = 1,
     .max_args = -1, .parse = kw_http_rule, .usage = "http-after-response <action> [args] "
                                                    "[if|unless <cond>]"},
    {.name = "redirect", .sections = "frontend backend listen", .min_args = 2, .max_args = -1,
     .parse = kw_redirect, .usage = "redirect location|prefix|scheme <to> [options] "
                                    "[if|unless <cond>]"},
    {.name = "use_backend", .sections = "frontend listen", .min_args = 1, .max_args = -1,
     .parse = kw_use_backend, .usage = "use_backend <backend> [if|unless <cond>]"},
    {0},
};

/* Static use_backend names must exist, be backends, and be in the same mode. */
static int check_use_backend(void)
{
    int errs = 0;

    for (struct proxy *px = proxies; px; px = px->next) {
        struct px_rules *pr = px->rules;

        for (struct use_be *u = pr ? pr->use_be : NULL; u; u = u->next) {
            if (!u->name)
                continue;
            u->be = px_find(u->name, PX_CAP_BE);
            if (!u->be) {
                const char *names[256];
                int n = 0;

                for (struct proxy *q = proxies; q && n < 255; q = q->next)
                    if (q->cap & PX_CAP_BE)
                        names[n++] = q->id;
                names[n] = NULL;
                const char *sugg = cfg_suggest_list(u->name, names);

                cfg_alert_at(&u->where, "use_backend", "no backend named '%s'%s%s%s", u->name,
                             sugg ? "; did you mean '" : "", sugg ? sugg : "", sugg ? "'?" : "");
                errs++;
            } else if (u->be->conf.mode != px->conf.mode) {
                cfg_alert_at(&u->where, "use_backend", "backend '%s' is in mode %s but %s '%s' "
                             "is in mode %s", u->be->id, px_mode_str(u->be->conf.mode),
                             px->kind, px->id, px_mode_str(px->conf.mode));
                errs++;
            }
        }
    }
    return errs;
}

/* A proxy's mode is known only once its section has ended: HTTP rules of a proxy that ends
 * up in mode tcp are ignored, with HAProxy's warning, one per kind of rule. */
static int check_http_mode(void)
{
    for (struct proxy *px = proxies; px; px = px->next) {
        const struct px_rules *pr = px->rules;
        const struct {
            const struct http_rule *list;
            const char *kw;
        } kinds[] = {
            {pr ? pr->req : NULL, "http-request"},
            {pr ? pr->res : NULL, "http-response"},
            {pr ? pr->after : NULL, "http-after-response"},
            {pr ? pr->redirects : NULL, "redirect"},
        };

        if (!pr || px->conf.mode == PX_MODE_HTTP)
            continue;
        for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
            if (kinds[i].list)
                cfg_warn_at(&px->where, NULL, "'%s' rules ignored as they require HTTP mode "
                            "(this %s is in mode tcp; first one at line %d)", kinds[i].kw,
                            px->kind, kinds[i].list->where.line);
        /* sluice evaluates a tcp proxy's use_backend conditions on the connection only
         * (HAProxy 2.6 would look into a buffered request): say so rather than never match */
        for (const struct use_be *u = pr->use_be; u; u = u->next) {
            const char *f = u->cond ? acl_cond_unusable(u->cond, SMP_USE_L4) : NULL;

            if (f)
                cfg_warn_at(&u->where, NULL, "use_backend condition uses keyword '%s', which "
                            "needs an HTTP request: in this %s, which is in mode tcp, it finds "
                            "nothing (sluice does not inspect the content of tcp connections)",
                            f, px->kind);
        }
    }
    return 0;
}

static void rules_register(void)
{
    cfg_register_keywords(rule_kws);
    cfg_register_check(15, check_use_backend);
    cfg_register_check(15, check_http_mode);
}
INITCALL(rules_register)
