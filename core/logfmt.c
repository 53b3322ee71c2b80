/* Log-format strings, HAProxy's syntax: literal text, '%%', spaces (merged into one
 * separator), variables ("%ci", "%{+Q}r", "%{+Q}o" for every following variable) and sample
 * expressions ("%[src,ipmask(24)]"). Parsed once at configuration time into a node array;
 * rendered into the caller's buffer without allocating.
 *
 * Rendering follows HAProxy 2.6 (src/log.c, sess_build_logline): a separator writes one space
 * only when something was written since the previous one, a missing value writes "-" (or ""
 * when quoted), request parts coming from the network are written with the non-printable
 * bytes, '"' and '#' as "#XX", and output that does not fit is cut at a byte boundary (never
 * inside an escape sequence). */
#include "logfmt.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "http-t.h"
#include "log-t.h"
#include "log.h"
#include "proxy-t.h"
#include "sample.h"
#include "server-t.h"
#include "str.h"

/* The sample engine (sample.c) is written at the same time as this file: until it is linked
 * in, these resolve to NULL and "%[...]" is refused with a clear message. */
#pragma weak smp_expr_parse
#pragma weak smp_expr_eval
#pragma weak smp_to_str

/* ---- variables ----------------------------------------------------------------------------- */

enum lf_var {
    LV_o = 0, LV_B, LV_CC, LV_CS, LV_H, LV_HM, LV_HP, LV_HPO, LV_HQ, LV_HU, LV_HV, LV_ID,
    LV_ST, LV_T, LV_Ta, LV_Tc, LV_Td, LV_Th, LV_Ti, LV_Tl, LV_Tq, LV_TR, LV_Tr, LV_Ts, LV_Tt,
    LV_Tu, LV_Tw, LV_U, LV_ac, LV_b, LV_bc, LV_bi, LV_bp, LV_bq, LV_ci, LV_cp, LV_f, LV_fc,
    LV_fi, LV_fp, LV_ft, LV_hr, LV_hrl, LV_hs, LV_hsl, LV_lc, LV_ms, LV_pid, LV_r, LV_rc,
    LV_rt, LV_s, LV_sc, LV_si, LV_sp, LV_sq, LV_sslc, LV_sslv, LV_t, LV_tr, LV_trg, LV_trl,
    LV_ts, LV_tsc,
};

/* Variables marked HTTP need the request (SMP_USE_REQ) where the format is used: HAProxy
 * reserves them for mode http. */
#define LV_HTTP 0x1

static const struct lf_var_def {
    const char *name;  /* after '%', case-sensitive */
    enum lf_var id;
    unsigned flags;    /* LV_HTTP */
} lf_vars[] = {
    {"o", LV_o, 0},        {"B", LV_B, 0},         {"CC", LV_CC, LV_HTTP},
    {"CS", LV_CS, LV_HTTP}, {"H", LV_H, 0},        {"HM", LV_HM, LV_HTTP},
    {"HP", LV_HP, LV_HTTP}, {"HPO", LV_HPO, LV_HTTP}, {"HQ", LV_HQ, LV_HTTP},
    {"HU", LV_HU, LV_HTTP}, {"HV", LV_HV, LV_HTTP}, {"ID", LV_ID, 0},
    {"ST", LV_ST, 0},      {"T", LV_T, 0},         {"Ta", LV_Ta, LV_HTTP},
    {"Tc", LV_Tc, 0},      {"Td", LV_Td, 0},       {"Th", LV_Th, 0},
    {"Ti", LV_Ti, LV_HTTP}, {"Tl", LV_Tl, 0},      {"Tq", LV_Tq, LV_HTTP},
    {"TR", LV_TR, LV_HTTP}, {"Tr", LV_Tr, LV_HTTP}, {"Ts", LV_Ts, 0},
    {"Tt", LV_Tt, 0},      {"Tu", LV_Tu, 0},       {"Tw", LV_Tw, 0},
    {"U", LV_U, 0},        {"ac", LV_ac, 0},       {"b", LV_b, 0},
    {"bc", LV_bc, 0},      {"bi", LV_bi, 0},       {"bp", LV_bp, 0},
    {"bq", LV_bq, 0},      {"ci", LV_ci, 0},       {"cp", LV_cp, 0},
    {"f", LV_f, 0},        {"fc", LV_fc, 0},       {"fi", LV_fi, 0},
    {"fp", LV_fp, 0},      {"ft", LV_ft, 0},       {"hr", LV_hr, 0},
    {"hrl", LV_hrl, 0},    {"hs", LV_hs, 0},       {"hsl", LV_hsl, 0},
    {"lc", LV_lc, 0},      {"ms", LV_ms, 0},       {"pid", LV_pid, 0},
    {"r", LV_r, LV_HTTP},  {"rc", LV_rc, 0},       {"rt", LV_rt, 0},
    {"s", LV_s, 0},        {"sc", LV_sc, 0},       {"si", LV_si, 0},
    {"sp", LV_sp, 0},      {"sq", LV_sq, 0},       {"sslc", LV_sslc, 0},
    {"sslv", LV_sslv, 0},  {"t", LV_t, 0},         {"tr", LV_tr, LV_HTTP},
    {"trg", LV_trg, LV_HTTP}, {"trl", LV_trl, LV_HTTP}, {"ts", LV_ts, 0},
    {"tsc", LV_tsc, 0},
    {NULL, 0, 0},
};

/* Node options, from "%{+Q,-M}" and "%o" */
#define LF_O_M 0x01 /* mandatory: a missing value writes "-" (on by default) */
#define LF_O_Q 0x02 /* quote strings */
#define LF_O_X 0x04 /* hexadecimal addresses, ports and a few numbers */
#define LF_O_E 0x08 /* escape '"', '\' and ']' with '\' (RFC 5424 structured data) */

enum lf_node_type {
    LF_N_TEXT = 0, /* literal bytes */
    LF_N_SEP,      /* one or more spaces */
    LF_N_VAR,      /* %xx */
    LF_N_EXPR,     /* %[expr] */
};

struct lf_node {
    unsigned char type;        /* LF_N_* */
    unsigned char var;         /* LF_N_VAR: enum lf_var */
    unsigned short opts;       /* LF_O_* */
    unsigned len;              /* LF_N_TEXT: bytes in text */
    char *text;                /* LF_N_TEXT: owned copy */
    struct sample_expr *expr;  /* LF_N_EXPR: owned by the sample engine (never released) */
};

struct logfmt {
    struct lf_node *nodes;     /* owned */
    int n;                     /* nodes used */
    int cap;                   /* nodes allocated */
    unsigned flags;            /* LOGFMT_F_HTTP_HDR */
};

/* ---- parsing ------------------------------------------------------------------------------- */

static struct lf_node *add_node(struct logfmt *f, int type)
{
    struct lf_node *n;

    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 16;
        f->nodes = realloc(f->nodes, sizeof(*f->nodes) * (size_t)f->cap);
        if (!f->nodes)
            abort(); /* configuration time: out of memory is fatal */
    }
    n = &f->nodes[f->n++];
    memset(n, 0, sizeof(*n));
    n->type = (unsigned char)type;
    return n;
}

/* Appends literal bytes, merged with a text node just before. */
static void add_text(struct logfmt *f, const char *s, size_t len)
{
    struct lf_node *n;

    if (!len)
        return;
    if (f->n && f->nodes[f->n - 1].type == LF_N_TEXT) {
        n = &f->nodes[f->n - 1];
        n->text = realloc(n->text, n->len + len + 1);
        if (!n->text)
            abort();
    } else {
        n = add_node(f, LF_N_TEXT);
        n->text = malloc(len + 1);
        if (!n->text)
            abort();
    }
    memcpy(n->text + n->len, s, len);
    n->len += (unsigned)len;
    n->text[n->len] = 0;
}

/* Applies "+Q,-M,..." to *opts. Unknown names are ignored, as HAProxy does. */
static void parse_flags(const char *s, size_t len, unsigned short *opts)
{
    static const struct { const char *name; unsigned short bit; } names[] = {
        {"M", LF_O_M}, {"Q", LF_O_Q}, {"X", LF_O_X}, {"E", LF_O_E},
    };
    const char *end = s + len;

    while (s < end) {
        const char *comma = memchr(s, ',', (size_t)(end - s));
        const char *e = comma ? comma : end;

        if (e - s >= 2 && (*s == '+' || *s == '-'))
            for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
                if ((size_t)(e - s - 1) == strlen(names[i].name) &&
                    !memcmp(s + 1, names[i].name, (size_t)(e - s - 1))) {
                    if (*s == '+')
                        *opts |= names[i].bit;
                    else
                        *opts &= (unsigned short)~names[i].bit;
                }
        s = comma ? comma + 1 : end;
    }
}

/* Finds the ']' closing a sample expression starting at p (just after "%["): the first one
 * outside parentheses and quotes. Returns NULL when there is none. */
static const char *expr_end(const char *p)
{
    int depth = 0;
    char quote = 0;

    for (; *p; p++) {
        if (quote) {
            if (*p == '\\' && p[1])
                p++;
            else if (*p == quote)
                quote = 0;
        } else if (*p == '"' || *p == '\'') {
            quote = *p;
        } else if (*p == '(') {
            depth++;
        } else if (*p == ')') {
            if (depth)
                depth--;
        } else if (*p == ']' && !depth) {
            return p;
        }
    }
    return NULL;
}

static int parse_expr(struct logfmt *f, const char *fmt, const char **pp, unsigned short opts,
                      unsigned where, char **err)
{
    const char *start = *pp, *end = expr_end(start);
    char *text, *serr = NULL;
    struct sample_expr *expr;
    struct lf_node *n;

    if (!end)
        return str_printf(err, "missing ']' after '%s'", start);
    text = strndup(start, (size_t)(end - start));
    if (!text)
        abort();
    if (!smp_expr_parse) {
        str_printf(err, "sample expression <%s>: sample fetches are not available in this "
                   "build yet", text);
        free(text);
        return -1;
    }
    expr = smp_expr_parse(text, where & (SMP_USE_L4 | SMP_USE_REQ | SMP_USE_RES | SMP_USE_BE),
                          &serr);
    if (!expr) {
        str_printf(err, "failed to parse sample expression <%s> : %s", text,
                   serr ? serr : "invalid expression");
        free(serr);
        free(text);
        return -1;
    }
    free(text);
    n = add_node(f, LF_N_EXPR);
    n->expr = expr;
    n->opts = opts;
    *pp = end + 1;
    return 0;
}

static int parse_var(struct logfmt *f, const char *fmt, const char **pp, unsigned short *defopts,
                     const char *flags, size_t flen, unsigned where, char **err)
{
    const char *p = *pp, *name = p;
    const struct lf_var_def *d;
    unsigned short opts = *defopts;
    struct lf_node *n;
    size_t len;

    while (isalnum((unsigned char)*p))
        p++;
    len = (size_t)(p - name);
    for (d = lf_vars; d->name; d++)
        if (strlen(d->name) == len && !memcmp(d->name, name, len))
            break;
    if (!d->name)
        return str_printf(err, "no such format variable '%.*s'. If you wanted to emit the '%%' "
                          "character verbatim, you need to use '%%%%'", (int)len, name);
    if ((d->flags & LV_HTTP) && !(where & SMP_USE_REQ))
        return str_printf(err, "format variable '%s' is reserved for HTTP mode", d->name);
    if (flags)
        parse_flags(flags, flen, &opts);
    *pp = p;
    if (d->id == LV_o) {
        /* "%o" gives its flags to every following variable */
        *defopts = opts;
        return 0;
    }
    n = add_node(f, LF_N_VAR);
    n->var = (unsigned char)d->id;
    n->opts = opts;
    return 0;
}

/* Parses what follows a '%' at *pp (which points after it). */
static int parse_percent(struct logfmt *f, const char *fmt, const char **pp,
                         unsigned short *defopts, unsigned where, char **err)
{
    const char *p = *pp, *flags = NULL;
    size_t flen = 0;

    if (!*p)
        return str_printf(err, "truncated line after '%%'");
    if (*p == '%') {
        add_text(f, "%", 1);
        *pp = p + 1;
        return 0;
    }
    if (*p == '{') {
        const char *close = strchr(p + 1, '}');

        if (!close)
            return str_printf(err, "truncated line after '%s'", p + 1);
        flags = p + 1;
        flen = (size_t)(close - flags);
        p = close + 1;
        if (*p != '[' && !isalnum((unsigned char)*p))
            return str_printf(err, "parse argument modifier without variable name near "
                              "'%%{%.*s}'", (int)flen, flags);
    }
    if (*p == '[') {
        unsigned short opts = *defopts;

        if (flags)
            parse_flags(flags, flen, &opts);
        *pp = p + 1;
        return parse_expr(f, fmt, pp, opts, where, err);
    }
    if (isalpha((unsigned char)*p) || (flags && isalnum((unsigned char)*p))) {
        *pp = p;
        return parse_var(f, fmt, pp, defopts, flags, flen, where, err);
    }
    if (isdigit((unsigned char)*p) || *p == ' ' || *p == '\t')
        return str_printf(err, "unexpected variable name near '%c' at position %d line : '%s'. "
                          "Maybe you want to write a single '%%', use the syntax '%%%%'", *p,
                          (int)(p - fmt), fmt);
    /* Any other character: HAProxy drops the '%' and keeps the character as text. */
    *pp = p;
    return 0;
}

struct logfmt *logfmt_parse(const char *fmt, unsigned where, char **err)
{
    struct logfmt *f = str_zalloc(sizeof(*f));
    unsigned short defopts = LF_O_M;
    const char *p = fmt ? fmt : "";

    f->flags = where & LOGFMT_F_HTTP_HDR;
    if (f->flags)
        defopts = 0; /* header values: a missing value is empty, not "-" */
    while (*p) {
        if (*p == ' ' && f->flags) {
            /* outside logs (header values, bodies) spaces are kept as written */
            add_text(f, p, 1);
            p++;
        } else if (*p == ' ') {
            if (!f->n || f->nodes[f->n - 1].type != LF_N_SEP)
                add_node(f, LF_N_SEP);
            p++;
        } else if (*p == '%') {
            p++;
            if (parse_percent(f, fmt, &p, &defopts, where, err) < 0) {
                logfmt_free(f);
                return NULL;
            }
        } else {
            const char *s = p;

            while (*p && *p != ' ' && *p != '%')
                p++;
            add_text(f, s, (size_t)(p - s));
        }
    }
    return f;
}

int logfmt_is_const(const struct logfmt *f)
{
    for (int i = 0; i < f->n; i++)
        if (f->nodes[i].type == LF_N_VAR || f->nodes[i].type == LF_N_EXPR)
            return 0;
    return 1;
}

void logfmt_free(struct logfmt *f)
{
    if (!f)
        return;
    for (int i = 0; i < f->n; i++)
        free(f->nodes[i].text);
    /* Sample expressions have no release function in sample.h: they live until exit. */
    free(f->nodes);
    free(f);
}

/* ---- output helpers ------------------------------------------------------------------------ */

/* The output buffer: bytes go to [p, end); once a byte does not fit, `full` is set and
 * nothing more is written, so an escape sequence is never cut. */
struct lf_out {
    struct strbuf sb; /* fixed storage: the caller's; once overflowed, rendering stops */
};

enum lf_esc {
    ESC_NONE = 0, /* configuration text (names): as is */
    ESC_URL,      /* request parts: bytes < 0x20 or >= 0x7f, '"' and '#' as #XX */
    ESC_SMP,      /* sample results: bytes < 0x20 or >= 0x7f as #XX */
    ESC_HDR,      /* sample results in a header value: CTLs but HTAB as %XX */
};

static const char hextab[] = "0123456789ABCDEF";

static void out_c(struct lf_out *o, char c)
{
    strbuf_putc(&o->sb, c);
}

static void out_mem(struct lf_out *o, const char *s, size_t n)
{
    strbuf_add(&o->sb, s, n);
}

/* Formatted text, through the builder (never a length taken from snprintf's return). */
static void out_fmt(struct lf_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void out_fmt(struct lf_out *o, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    strbuf_vprintf(&o->sb, fmt, ap);
    va_end(ap);
}

static void out_s(struct lf_out *o, const char *s)
{
    out_mem(o, s, strlen(s));
}

static int must_escape(enum lf_esc esc, unsigned char c)
{
    switch (esc) {
    case ESC_URL:
        return c < 0x20 || c >= 0x7f || c == '"' || c == '#';
    case ESC_SMP:
        return c < 0x20 || c >= 0x7f;
    case ESC_HDR:
        return (c < 0x20 && c != '\t') || c == 0x7f;
    default:
        return 0;
    }
}

/* Writes s with the escaping of esc, and '\' before '"', '\' and ']' with the E option. */
static void out_esc(struct lf_out *o, const char *s, size_t n, enum lf_esc esc, unsigned opts)
{
    for (size_t i = 0; i < n && strbuf_ok(&o->sb); i++) {
        unsigned char c = (unsigned char)s[i];

        if (must_escape(esc, c)) {
            char e[3] = {esc == ESC_HDR ? '%' : '#', hextab[c >> 4], hextab[c & 15]};

            /* an escape is written whole or not at all */
            if (strbuf_room(&o->sb) < sizeof(e)) {
                o->sb.overflow = 1;
                break;
            }
            out_mem(o, e, sizeof(e));
        } else if ((opts & LF_O_E) && (c == '"' || c == '\\' || c == ']')) {
            char e[2] = {'\\', (char)c};

            if (strbuf_room(&o->sb) < sizeof(e)) {
                o->sb.overflow = 1;
                break;
            }
            out_mem(o, e, sizeof(e));
        } else {
            out_c(o, (char)c);
        }
    }
}

/* A string value: quoted with Q, "-" when missing (or empty) with M. */
static void out_str(struct lf_out *o, unsigned opts, const char *s, size_t n, enum lf_esc esc)
{
    if (opts & LF_O_Q)
        out_c(o, '"');
    if (s && n)
        out_esc(o, s, n, esc, opts);
    else if ((opts & (LF_O_Q | LF_O_M)) == LF_O_M)
        out_c(o, '-');
    if (opts & LF_O_Q)
        out_c(o, '"');
}

static void out_cstr(struct lf_out *o, unsigned opts, const char *s, enum lf_esc esc)
{
    out_str(o, opts, s, s ? strlen(s) : 0, esc);
}

static void out_int(struct lf_out *o, long long v)
{
    char b[24];
    int n = snprintf(b, sizeof(b), "%lld", v);

    out_mem(o, b, (size_t)n);
}

/* Numbers with a hexadecimal form under X (%Ts %pid %rt %lc: "%04X"). */
static void out_num_x(struct lf_out *o, unsigned opts, long long v, const char *xfmt)
{
    if (opts & LF_O_X) {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
        out_fmt(o, xfmt, (unsigned)v); /* xfmt: one of the constant "%04X" of the callers */
#pragma GCC diagnostic pop
    } else {
        out_int(o, v);
    }
}

static void out_ip(struct lf_out *o, unsigned opts, const struct sockaddr_storage *ss)
{
    char b[INET6_ADDRSTRLEN + 1];
    const unsigned char *a;
    int n = 0;

    if (!ss || (ss->ss_family != AF_INET && ss->ss_family != AF_INET6)) {
        out_cstr(o, opts, ss && ss->ss_family == AF_UNIX ? "unix" : NULL, ESC_NONE);
        return;
    }
    if (opts & LF_O_X) {
        if (ss->ss_family == AF_INET) {
            a = (const unsigned char *)&((const struct sockaddr_in *)ss)->sin_addr;
            n = 4;
        } else {
            a = ((const struct sockaddr_in6 *)ss)->sin6_addr.s6_addr;
            n = 16;
        }
        /* two hex digits per byte: 32 characters at most, b is larger */
        for (int i = 0; i < n; i++) {
            b[2 * i] = "0123456789ABCDEF"[a[i] >> 4];
            b[2 * i + 1] = "0123456789ABCDEF"[a[i] & 15];
        }
        out_mem(o, b, 2 * (size_t)n);
        return;
    }
    if (ss->ss_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, b, sizeof(b));
    else
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, b, sizeof(b));
    out_cstr(o, opts, b, ESC_NONE);
}

static int ss_port(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)ss)->sin_port);
    return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

static void out_port(struct lf_out *o, unsigned opts, const struct sockaddr_storage *ss, int port)
{

    if (port < 0 && (!ss || (ss->ss_family != AF_INET && ss->ss_family != AF_INET6))) {
        out_cstr(o, opts, NULL, ESC_NONE);
        return;
    }
    if (port < 0)
        port = ss_port(ss);
    if (opts & LF_O_X)
        out_fmt(o, "%04X", (unsigned)port & 0xffff);
    else
        out_int(o, port);
}

/* ---- dates --------------------------------------------------------------------------------- */

static const char month_names[12][4] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

/* localtime_r()/gmtime_r() with a one-second cache: logs of one second share the work. */
static void get_tm(time_t t, int local, struct tm *tm)
{
    static time_t last[2] = {-1, -1};
    static struct tm cache[2];

    if (last[local] != t) {
        if (local)
            localtime_r(&t, &cache[local]);
        else
            gmtime_r(&t, &cache[local]);
        last[local] = t;
    }
    *tm = cache[local];
}

/* %t %tr: "26/Nov/2026:18:47:42.409" in local time. */
static void out_date_ms(struct lf_out *o, const struct timeval *tv)
{
    struct tm tm;

    get_tm(tv->tv_sec, 1, &tm);
    out_fmt(o, "%02d/%s/%04d:%02d:%02d:%02d.%03d", tm.tm_mday, month_names[tm.tm_mon % 12],
            tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(tv->tv_usec / 1000));
}

/* %T %trg (GMT, "+0000") and %Tl %trl (local, with the offset). */
static void out_date_zone(struct lf_out *o, time_t t, int local)
{
    struct tm tm;
    long off;

    get_tm(t, local, &tm);
    off = local ? tm.tm_gmtoff : 0;
    out_fmt(o, "%02d/%s/%04d:%02d:%02d:%02d %c%02d%02d", tm.tm_mday, month_names[tm.tm_mon % 12],
            tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec, off < 0 ? '-' : '+',
            (int)(labs(off) / 3600 % 24), (int)(labs(off) / 60 % 60));
}

/* ---- the request line ---------------------------------------------------------------------- */

/* The parts of the request line: from the captured line (as HAProxy parses txn->uri) or from
 * the transaction's head. Missing parts have a NULL pointer. */
struct req_parts {
    const char *line; size_t line_len;  /* captured line, or NULL (then use the parts) */
    const char *m, *u, *v;              /* method, URI, version */
    size_t ml, ul, vl;
    int have_uri;                       /* a space followed the method */
};

static int is_spht(char c)
{
    return c == ' ' || c == '\t';
}

static int get_req(const struct smp_env *env, struct req_parts *r)
{
    const struct strm_info *info = env->info;
    const struct http_txn *txn = env->txn;

    memset(r, 0, sizeof(*r));
    if (info && info->captured_req_line) {
        const char *p = info->captured_req_line, *end = p + strlen(p);

        r->line = p;
        r->line_len = (size_t)(end - p);
        r->m = p;
        while (p < end && !is_spht(*p))
            p++;
        r->ml = (size_t)(p - r->m);
        if (p == end)
            return 1;
        while (p < end && is_spht(*p))
            p++;
        r->have_uri = 1;
        r->u = p;
        while (p < end && !is_spht(*p))
            p++;
        r->ul = (size_t)(p - r->u);
        while (p < end && is_spht(*p))
            p++;
        r->v = p;
        r->vl = (size_t)(end - p);
        return 1;
    }
    if (!txn || !txn->req.meth || !txn->req.uri)
        return 0;
    r->m = txn->req.meth;
    r->ml = txn->req.meth_len;
    r->u = txn->req.uri;
    r->ul = txn->req.uri_len;
    r->have_uri = 1;
    r->v = txn->req.vers == 10 ? "HTTP/1.0" : "HTTP/1.1";
    r->vl = 8;
    return 1;
}

static void out_badreq(struct lf_out *o)
{
    out_s(o, "<BADREQ>");
}

/* %r %HM %HU %HP %HPO %HQ %HV: quoted with Q, network bytes escaped. */
static void out_req(struct lf_out *o, const struct lf_node *n, const struct smp_env *env)
{
    struct req_parts r;
    int ok = get_req(env, &r);
    const char *q;

    if (n->opts & LF_O_Q)
        out_c(o, '"');
    if (!ok) {
        out_badreq(o);
        goto end;
    }
    switch (n->var) {
    case LV_r:
        if (r.line) {
            out_esc(o, r.line, r.line_len, ESC_URL, n->opts);
        } else {
            out_esc(o, r.m, r.ml, ESC_URL, n->opts);
            out_c(o, ' ');
            out_esc(o, r.u, r.ul, ESC_URL, n->opts);
            out_c(o, ' ');
            out_esc(o, r.v, r.vl, ESC_URL, n->opts);
        }
        break;
    case LV_HM:
        if (!r.have_uri)
            out_badreq(o);
        else
            out_esc(o, r.m, r.ml, ESC_URL, n->opts);
        break;
    case LV_HU:
    case LV_HP:
    case LV_HPO:
        if (!r.have_uri) {
            out_badreq(o);
            break;
        }
        if (n->var == LV_HU) {
            out_esc(o, r.u, r.ul, ESC_URL, n->opts);
            break;
        }
        q = memchr(r.u, '?', r.ul);
        if (n->var == LV_HP) {
            out_esc(o, r.u, q ? (size_t)(q - r.u) : r.ul, ESC_URL, n->opts);
        } else {
            /* path only: skip "scheme://authority" of an absolute URI */
            const char *p = r.u, *end = q ? q : r.u + r.ul, *s;

            if (*p != '/') {
                s = memchr(p, ':', (size_t)(end - p));
                if (s && end - s >= 3 && s[1] == '/' && s[2] == '/') {
                    p = memchr(s + 3, '/', (size_t)(end - s - 3));
                    if (!p)
                        p = end;
                } else {
                    p = end;
                }
            }
            out_esc(o, p, (size_t)(end - p), ESC_URL, n->opts);
        }
        break;
    case LV_HQ:
        /* from the first '?' of the line (or URI) to the end of the URI */
        q = r.line ? memchr(r.line, '?', r.line_len) : memchr(r.u, '?', r.ul);
        if (q) {
            const char *end = r.line ? r.line + r.line_len : r.u + r.ul, *e = q;

            while (e < end && !is_spht(*e))
                e++;
            out_esc(o, q, (size_t)(e - q), ESC_URL, n->opts);
        }
        break;
    default: /* LV_HV */
        if (!r.have_uri)
            out_badreq(o);
        else if (!r.vl)
            out_s(o, "HTTP/0.9");
        else
            out_esc(o, r.v, r.vl, ESC_URL, n->opts);
        break;
    }
end:
    if (n->opts & LF_O_Q)
        out_c(o, '"');
}

/* ---- rendering ----------------------------------------------------------------------------- */

static const struct strm_info no_info = {
    .t = {.Th = -1, .Ti = -1, .TR = -1, .Tw = -1, .Tc = -1, .Tr = -1, .Td = -1, .Ta = -1,
          .Tt = -1, .Tq = -1},
    .status = -1,
    .term = "----",
};

static long nonneg(long v)
{
    return v > 0 ? v : 0;
}

/* Tq = Th + Ti + TR, -1 until the request was complete */
static long timer_tq(const struct strm_info *i)
{
    if (i->t.Tq >= 0)
        return i->t.Tq;
    return i->t.TR >= 0 ? nonneg(i->t.Th) + nonneg(i->t.Ti) + i->t.TR : -1;
}

/* Td: HAProxy counts it from the response (http) or the connection (tcp) */
static long timer_td(const struct strm_info *i, int http)
{
    if (i->t.Td >= 0)
        return i->t.Td;
    if (i->t.Tt < 0 || (http ? i->t.Tr : i->t.Tc) < 0)
        return -1;
    return i->t.Tt - (nonneg(i->t.Th) + nonneg(i->t.Ti) + nonneg(i->t.TR) + nonneg(i->t.Tw) +
                      nonneg(i->t.Tc) + nonneg(i->t.Tr));
}

/* Ta = Tt - (Th + Ti) */
static long timer_ta(const struct strm_info *i)
{
    if (i->t.Ta >= 0)
        return i->t.Ta;
    return i->t.Tt >= 0 ? i->t.Tt - nonneg(i->t.Th) - nonneg(i->t.Ti) : -1;
}

static int status_of(const struct smp_env *env, const struct strm_info *i)
{
    if (!env->txn)
        return i->status > 0 ? i->status : 0;
    if (i->status > 0)
        return i->status;
    return env->txn->status > 0 ? env->txn->status : -1;
}

static const struct sockaddr_storage *srv_dst(const struct smp_env *env,
                                              const struct strm_info *i, int *port)
{
    *port = -1;
    if (i->srv_dst)
        return i->srv_dst;
    if (!env->srv || env->srv->addr.kind == PARSE_ADDR_FD)
        return NULL;
    if (env->srv->addr.kind == PARSE_ADDR_INET && !env->srv->addr.port)
        *port = env->dst && (env->dst->ss_family == AF_INET || env->dst->ss_family == AF_INET6)
                    ? ss_port(env->dst) : 0;
    return &env->srv->addr.ss;
}

static void out_term(struct lf_out *o, const struct strm_info *i, int n)
{
    for (int k = 0; k < n; k++)
        out_c(o, i->term[k] ? i->term[k] : '-');
}

/* Renders the time and counter variables. Returns 0 when v is not one of them. */
static int render_num(struct lf_out *o, const struct lf_node *n, const struct smp_env *env,
                      const struct strm_info *i)
{
    const struct log_px_conf *lc = env->fe ? env->fe->log_conf : NULL;

    switch (n->var) {
    case LV_Th: out_int(o, i->t.Th); break;
    case LV_Ti: out_int(o, i->t.Ti); break;
    case LV_TR: out_int(o, i->t.TR); break;
    case LV_Tq: out_int(o, timer_tq(i)); break;
    case LV_Tw: out_int(o, i->t.Tw); break;
    case LV_Tc: out_int(o, i->t.Tc); break;
    case LV_Tr: out_int(o, i->t.Tr); break;
    case LV_Td: out_int(o, timer_td(i, env->txn != NULL)); break;
    case LV_Ta: out_int(o, timer_ta(i)); break;
    case LV_Tt: out_int(o, i->t.Tt); break;
    case LV_Tu: out_int(o, i->t.Tt >= 0 ? i->t.Tt - nonneg(i->t.Ti) : -1); break;
    case LV_B: out_int(o, (long long)i->bytes_out); break;
    case LV_U: out_int(o, (long long)i->bytes_in); break;
    case LV_ST: out_int(o, status_of(env, i)); break;
    case LV_ac: out_int(o, i->actconn); break;
    case LV_fc: out_int(o, i->feconn); break;
    case LV_bc: out_int(o, i->beconn); break;
    case LV_sc: out_int(o, i->srvconn); break;
    case LV_sq: out_int(o, i->srv_queue); break;
    case LV_bq: out_int(o, i->be_queue); break;
    case LV_rc:
        if (i->redispatched)
            out_c(o, '+');
        out_int(o, i->retries);
        break;
    case LV_Ts: out_num_x(o, n->opts, (long long)i->accept_date.tv_sec, "%04X"); break;
    case LV_ms:
        if (n->opts & LF_O_X)
            out_num_x(o, n->opts, i->accept_date.tv_usec / 1000, "%02X");
        else
            out_fmt(o, "%03d", (int)(i->accept_date.tv_usec / 1000) % 1000);
        break;
    case LV_pid: out_num_x(o, n->opts, (long long)getpid(), "%04X"); break;
    case LV_rt: out_num_x(o, n->opts, (long long)i->req_id, "%04X"); break;
    case LV_lc: out_num_x(o, n->opts, lc ? (long long)lc->log_count : 0, "%04X"); break;
    default:
        return 0;
    }
    return 1;
}

/* Renders the address, name and date variables. Returns 0 when v is not one of them. */
static int render_other(struct lf_out *o, const struct lf_node *n, const struct smp_env *env,
                        const struct strm_info *i)
{
    const struct timeval *rq = i->req_date.tv_sec ? &i->req_date : &i->accept_date;
    const struct sockaddr_storage *ss;
    const char *fe = env->fe ? env->fe->id : NULL;
    int port;

    switch (n->var) {
    case LV_ci: out_ip(o, n->opts, env->src); break;
    case LV_cp: out_port(o, n->opts, env->src, -1); break;
    case LV_fi: out_ip(o, n->opts, env->dst); break;
    case LV_fp: out_port(o, n->opts, env->dst, -1); break;
    case LV_bi: out_ip(o, n->opts, i->srv_src); break;
    case LV_bp: out_port(o, n->opts, i->srv_src, -1); break;
    case LV_si: out_ip(o, n->opts, srv_dst(env, i, &port)); break;
    case LV_sp:
        ss = srv_dst(env, i, &port);
        out_port(o, n->opts, ss, port);
        break;
    case LV_f: out_cstr(o, n->opts, fe, ESC_NONE); break;
    case LV_ft:
        if (n->opts & LF_O_Q)
            out_c(o, '"');
        if (fe)
            out_s(o, fe);
        if (env->tls)
            out_c(o, '~');
        if (n->opts & LF_O_Q)
            out_c(o, '"');
        break;
    case LV_b: out_cstr(o, n->opts, env->be ? env->be->id : fe, ESC_NONE); break;
    case LV_s: out_cstr(o, n->opts, env->srv ? env->srv->id : "<NOSRV>", ESC_NONE); break;
    case LV_H: out_cstr(o, n->opts, log_hostname(), ESC_NONE); break;
    case LV_ID: out_cstr(o, n->opts, i->unique_id, ESC_SMP); break;
    case LV_sslv: out_cstr(o, n->opts, i->ssl_version, ESC_NONE); break;
    case LV_sslc: out_cstr(o, n->opts, i->ssl_cipher, ESC_NONE); break;
    case LV_CC: case LV_CS: out_cstr(o, n->opts, NULL, ESC_NONE); break;
    case LV_hr: case LV_hs: case LV_hrl: case LV_hsl:
        break; /* no header captures: HAProxy writes nothing */
    case LV_ts: out_term(o, i, 2); break;
    case LV_tsc: out_term(o, i, 4); break;
    case LV_t: out_date_ms(o, &i->accept_date); break;
    case LV_tr: out_date_ms(o, rq); break;
    case LV_T: out_date_zone(o, i->accept_date.tv_sec, 0); break;
    case LV_Tl: out_date_zone(o, i->accept_date.tv_sec, 1); break;
    case LV_trg: out_date_zone(o, rq->tv_sec, 0); break;
    case LV_trl: out_date_zone(o, rq->tv_sec, 1); break;
    case LV_r: case LV_HM: case LV_HU: case LV_HP: case LV_HPO: case LV_HQ: case LV_HV:
        out_req(o, n, env);
        break;
    default:
        return 0;
    }
    return 1;
}

/* %[expr]: numbers and addresses are formatted here (no arena needed), strings escaped. */
static void render_expr(struct lf_out *o, const struct lf_node *n, struct smp_env *env,
                        unsigned flags)
{
    enum lf_esc esc = (flags & LOGFMT_F_HTTP_HDR) ? ESC_HDR : ESC_SMP;
    struct sample smp;
    char b[INET6_ADDRSTRLEN + 1];
    const char *s = NULL;
    size_t len = 0;

    if (smp_expr_eval && smp_expr_eval(n->expr, env, &smp)) {
        switch (smp.type) {
        case SMP_T_BOOL:
        case SMP_T_SINT:
            len = (size_t)snprintf(b, sizeof(b), "%lld", smp.data.sint);
            s = b;
            break;
        case SMP_T_IPV4:
        case SMP_T_IPV6:
            s = smp.type == SMP_T_IPV4 ? inet_ntop(AF_INET, &smp.data.ipv4, b, sizeof(b))
                                         : inet_ntop(AF_INET6, &smp.data.ipv6, b, sizeof(b));
            len = s ? strlen(s) : 0;
            break;
        default:
            if (smp.type == SMP_T_STR || (smp_to_str && smp_to_str(&smp, env) == 0)) {
                s = smp.data.str.ptr;
                len = smp.data.str.len;
            }
            break;
        }
    }
    out_str(o, n->opts, s, len, esc);
}

int logfmt_render_sb(const struct logfmt *f, struct smp_env *env, struct strbuf *sb)
{
    const struct strm_info *info = env && env->info ? env->info : &no_info;
    struct smp_env empty = {0};
    struct lf_out o = {.sb = *sb};
    int last_isspace = 1;

    if (!env)
        env = &empty;
    for (int k = 0; k < f->n && strbuf_ok(&o.sb); k++) {
        const struct lf_node *n = &f->nodes[k];
        size_t before = o.sb.len;

        switch (n->type) {
        case LF_N_SEP:
            if (!last_isspace) {
                out_c(&o, ' ');
                last_isspace = 1;
            }
            continue;
        case LF_N_TEXT:
            out_mem(&o, n->text, n->len);
            break;
        case LF_N_EXPR:
            render_expr(&o, n, env, f->flags);
            break;
        default:
            if (!render_num(&o, n, env, info))
                render_other(&o, n, env, info);
            break;
        }
        if (o.sb.len != before)
            last_isspace = 0;
    }
    *sb = o.sb;
    return strbuf_ok(sb) ? 0 : -1;
}

size_t logfmt_render(const struct logfmt *f, struct smp_env *env, char *out, size_t size)
{
    struct strbuf sb;

    if (!size)
        return 0;
    strbuf_init_fixed(&sb, out, size);
    logfmt_render_sb(f, env, &sb); /* a log line too long is cut, as HAProxy does */
    return sb.len;
}
