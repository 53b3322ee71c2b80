/* TLS configuration keywords: bind options, server options, the global ssl-default-* and
 * crt-base/ca-base, HSTS, and the client/server authentication settings of contexts. */
#include "tls-conf.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "cfg.h"
#include "listener.h"
#include "parse.h"
#include "proxy.h"
#include "sample.h"
#include "server.h"
#include "str.h"
#include "tls-cert.h"
#include "tls-ticket.h"

/* ssl-default-bind-* and ssl-default-server-*: applied to lines that do not say otherwise */
static struct tls_bind bind_defaults;
static struct tls_srv srv_defaults;
static char *crt_base, *ca_base;
static int server_verify_default = SSL_VERIFY_PEER; /* ssl-server-verify (required) */

/* ---- helpers ----------------------------------------------------------------------------- */

static struct tls_bind *bind_of(struct listener *l)
{
    if (!l->tls)
        l->tls = str_zalloc(sizeof(struct tls_bind));
    return l->tls;
}

static struct tls_srv *srv_of(struct server *s)
{
    if (!s->tls)
        s->tls = str_zalloc(sizeof(struct tls_srv));
    return s->tls;
}

/* A path relative to base (crt-base, ca-base) unless absolute. */
static char *based(const char *base, const char *path)
{
    char *out;

    if (!base || path[0] == '/')
        return str_dup(path);
    if (asprintf(&out, "%s/%s", base, path) < 0)
        abort();
    return out;
}

static int parse_version(const char *v, int *out, char **err)
{
    static const struct {
        const char *name;
        int ver;
    } vers[] = {
        {"SSLv3", SSL3_VERSION},     {"TLSv1.0", TLS1_VERSION},   {"TLSv1.1", TLS1_1_VERSION},
        {"TLSv1.2", TLS1_2_VERSION}, {"TLSv1.3", TLS1_3_VERSION},
    };

    for (size_t i = 0; i < sizeof(vers) / sizeof(vers[0]); i++)
        if (!strcmp(vers[i].name, v)) {
            if (vers[i].ver == SSL3_VERSION)
                return str_printf(err, "SSLv3 is not supported (BoringSSL has no SSLv3)");
            *out = vers[i].ver;
            return 0;
        }
    return str_printf(err, "unknown version '%s' (expected TLSv1.0, TLSv1.1, TLSv1.2 or "
                           "TLSv1.3)", v);
}

/* "h2,http/1.1" -> wire format. h2 is accepted in the list but never negotiated yet. */
static int parse_alpn(const char *list, uint8_t **out, size_t *len, int *has_h2, char **err)
{
    size_t n = strlen(list), o = 0;
    uint8_t *w = str_zalloc(n + 2);
    const char *p = list;

    *has_h2 = 0;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);

        if (!l || l > 255) {
            free(w);
            return str_printf(err, "invalid ALPN list '%s'", list);
        }
        if (l == 2 && !memcmp(p, "h2", 2)) {
            *has_h2 = 1;
        } else {
            w[o++] = (uint8_t)l;
            memcpy(w + o, p, l);
            o += l;
        }
        p += l + (e ? 1 : 0);
    }
    free(*out);
    *out = o ? w : NULL;
    *len = o;
    if (!o)
        free(w);
    return 0;
}

/* TLS 1.3 suites: BoringSSL always offers its three and has no way to restrict them. A list
 * naming all three (in any order: BoringSSL's preference applies) is accepted; a subset is
 * refused at load rather than silently not enforced. */
static int check_ciphersuites(const char *list, char **err)
{
    int seen = 0;

    static const char *const ok[] = {"TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384",
                                     "TLS_CHACHA20_POLY1305_SHA256", NULL};
    char *copy = str_dup(list), *save = NULL;
    int ret = 0;

    for (char *t = strtok_r(copy, ":", &save); t; t = strtok_r(NULL, ":", &save))
        if (!cfg_in_list(t, ok)) {
            ret = str_printf(err, "TLS 1.3 suite '%s' is not available: BoringSSL offers "
                                  "TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384 and "
                                  "TLS_CHACHA20_POLY1305_SHA256 only", t);
            break;
        } else {
            for (int k = 0; ok[k]; k++)
                if (!strcmp(ok[k], t))
                    seen |= 1 << k;
        }
    free(copy);
    if (!ret && seen != 7)
        ret = str_printf(err, "BoringSSL cannot restrict TLS 1.3 cipher suites: all three "
                              "(TLS_AES_128_GCM_SHA256, TLS_AES_256_GCM_SHA384, "
                              "TLS_CHACHA20_POLY1305_SHA256) are always offered; list all "
                              "three or remove the setting (use ssl-max-ver TLSv1.2 to avoid "
                              "TLS 1.3)");
    return ret;
}

/* "no-X": the range only ever shrinks. X at or below the effective minimum raises it; X at
 * or above the effective maximum lowers it; a version strictly inside cannot be removed (a
 * range has no holes) and changes nothing. */
static void narrow(int v, int *min, int *max)
{
    int lo = *min ? *min : TLS1_2_VERSION, hi = *max ? *max : TLS1_3_VERSION;

    if (v < lo)
        return; /* already excluded */
    if (v == lo)
        *min = v + 1;
    else if (v == hi)
        *max = v - 1;
    else if (v > hi)
        return;
}

/* 1 when the cipher string part p (len bytes) names finite-field Diffie-Hellman suites: a
 * suite of that family (DHE-*, EDH-*, ADH-*) or one of OpenSSL's aliases for them. */
static int dh_part(const char *p, size_t len)
{
    static const char *const dh_aliases[] = {"DH", "DHE", "EDH", "ADH", "kDHE", "kEDH", "kDH",
                                             "aDH", NULL};

    if (len > 4 && (!strncmp(p, "DHE-", 4) || !strncmp(p, "EDH-", 4) || !strncmp(p, "ADH-", 4)))
        return 1;
    for (int k = 0; dh_aliases[k]; k++)
        if (strlen(dh_aliases[k]) == len && !strncmp(p, dh_aliases[k], len))
            return 1;
    return 0;
}

/* What BoringSSL cannot do in a TLS 1.2 cipher list that OpenSSL (so HAProxy) accepts, and
 * which configurations generated for HAProxy name (Mozilla's "intermediate" and "old"
 * profiles, cipherli.st's "EECDH+AESGCM:EDH+AESGCM"): finite-field Diffie-Hellman suites,
 * and the CBC suites with SHA-256/384 MACs. Returns the reason for a name of that kind, NULL
 * for another. A token is a selection, behind an optional operator ('!', '-', '+': exclude,
 * remove, move): parts joined by '+' select the suites that match every part, so a token
 * with one DH part (DHE-RSA-AES128-GCM-SHA256, DHE, EDH+AESGCM, kEDH+AESGCM, !aDH...) only
 * ever concerns DH suites, which BoringSSL does not have: it is dropped. */
static const char *cipher_missing(const char *e)
{
    static const char *const cbc_sha2[] = {
        "ECDHE-ECDSA-AES128-SHA256", "ECDHE-RSA-AES128-SHA256", "ECDHE-ECDSA-AES256-SHA384",
        "ECDHE-RSA-AES256-SHA384",   "AES128-SHA256",           "AES256-SHA256",
        NULL,
    };
    int op = e[0] == '!' || e[0] == '-' || e[0] == '+';
    const char *n = e + op;

    for (const char *p = n;;) {
        size_t k = strcspn(p, "+");

        if (dh_part(p, k))
            return "finite-field DHE";
        if (!p[k])
            break;
        p += k + 1;
    }
    if (!op && cfg_in_list(n, cbc_sha2))
        return "CBC with a SHA-256/384 MAC";
    return NULL;
}

/* A TLS 1.2 cipher list as HAProxy takes it, for BoringSSL: the suites BoringSSL does not
 * have (cipher_missing()) are dropped and named in one warning, the rest is kept in order
 * (and checked strictly when the context is built). Returns 0 with *out set (the list as
 * given), 1 with *out set and the warning in *err, or -1 with *err when no suite is left. */
static int filter_ciphers(const char *list, char **out, char **err)
{
    struct strbuf kept = {0}, dh = {0}, cbc = {0}, why = {0};
    char *copy = str_dup(list), *save = NULL;
    int left = 0, ndrop = 0, ret = 0;

    for (char *t = strtok_r(copy, ":, ", &save); t; t = strtok_r(NULL, ":, ", &save)) {
        const char *miss = cipher_missing(t);

        if (miss) {
            struct strbuf *sb = miss[0] == 'f' ? &dh : &cbc;

            strbuf_printf(sb, "%s%s", sb->len ? ", " : "", t);
            ndrop++;
            continue;
        }
        strbuf_printf(&kept, "%s%s", kept.len ? ":" : "", t);
        left += t[0] != '!' && t[0] != '-' && t[0] != '+' && t[0] != '@';
    }
    if (dh.len)
        strbuf_printf(&why, "%s (finite-field DHE)", dh.buf);
    if (cbc.len)
        strbuf_printf(&why, "%s%s (CBC with SHA-256/384 MACs)", dh.len ? "; " : "", cbc.buf);
    if (!left) {
        ret = ndrop ? str_printf(err, "no cipher suite left in '%s': BoringSSL does not have %s",
                                 list, why.buf)
                    : str_printf(err, "no cipher suite in '%s'", list);
        free(kept.buf);
        goto out;
    }
    *out = kept.buf;
    if (ndrop) {
        str_printf(err, "BoringSSL does not have %s: dropped from the cipher list (%d kept)",
                   why.buf, left);
        ret = 1;
    }
out:
    free(why.buf);
    free(dh.buf);
    free(cbc.buf);
    free(copy);
    return ret;
}

/* ---- bind options -------------------------------------------------------------------------- */

struct add_ctx {
    struct tls_bind *b;
    char **filters;
    int nfilters;
    struct tls_bind *opts;      /* crt-list per-line options */
};

static int add_cert(struct tls_cert *c, void *arg)
{
    struct add_ctx *a = arg;
    struct tls_bind *b = a->b;

    b->certs = realloc(b->certs, sizeof(*b->certs) * (size_t)(b->ncerts + 1));
    if (!b->certs)
        abort();
    b->certs[b->ncerts++] = (struct tls_bcert){.cert = c, .filters = a->filters,
                                               .nfilters = a->nfilters, .opts = a->opts};
    b->line_opts |= a->opts != NULL;
    return 0;
}

static int bo_ssl(char **args, void *obj, char **err)
{
    struct listener *l = obj;
    bind_of(l)->ssl = 1;
    return 0;
}

static int bo_crt(char **args, void *obj, char **err)
{
    struct listener *l = obj;
    struct tls_bind *b = bind_of(l);
    struct add_ctx a = {.b = b};
    char *path = based(crt_base, args[1]);
    int rc = tls_cert_load_path(path, &l->where, add_cert, &a, err);

    if (rc < 0 && *err) {
        char *inner = *err;

        *err = NULL;
        str_printf(err, "crt: %s", inner);
        free(inner);
    }
    free(path);
    return rc;
}

/* crt-list per-line options ("[alpn h2 verify required ...]"), as HAProxy's "ssl bind
 * configuration" of a crt-list line; filled once the bind options are defined below. */
static struct cfg_optset crtlist_opts = {
    .what = "crt-list option",
    .haproxy = (const char *const[]){"allow-0rtt", "client-sigalgs", "no-ca-names", "npn",
                                     "ocsp-update", "sigalgs", NULL},
};

/* Parses the options of a crt-list line (words[0] starts with '[') into a fresh settings
 * block: only what the line says is set. Returns the number of words used, or -1. */
static int line_options(char **words, int n, struct tls_bind **out, int *warned, char **err)
{
    char *args[64];
    int nargs = 0, used = 0, closed = 0, rc;
    struct listener fake = {0};

    for (int i = 0; i < n && !closed; i++) {
        char *w = words[i];
        size_t len;

        used++;
        if (i == 0)
            w++; /* the '[' */
        len = strlen(w);
        if (len && w[len - 1] == ']') {
            w[--len] = 0;
            closed = 1;
        }
        if (len && nargs < 64)
            args[nargs++] = w;
    }
    if (!closed)
        return str_printf(err, "per-line options: missing ']'");
    fake.tls = str_zalloc(sizeof(struct tls_bind));
    rc = cfg_optset_apply(&crtlist_opts, args, 0, nargs, &fake, err);
    if (rc < 0) {
        free(fake.tls);
        return -1;
    }
    *warned = rc > 0;
    *out = fake.tls;
    return used;
}

/* crt-list: "<cert> [<options>] [[!]<sni filter> ...]" per line. */
static int bo_crt_list(char **args, void *obj, char **err)
{
    struct listener *l = obj;
    /* as in HAProxy, crt-base applies to the certificates the list names, not to the list */
    char *path = str_dup(args[1]);
    FILE *f = fopen(path, "r");
    char line[4096];
    int lineno = 0, ret = 0, count = 0, warn = 0;

    if (!f) {
        str_printf(err, "cannot open crt-list '%s': %s", path, strerror(errno));
        free(path);
        return -1;
    }
    while (ret == 0 && fgets(line, sizeof(line), f)) {
        struct add_ctx a = {.b = bind_of(l)};
        char *words[64], *save = NULL, *cert;
        int n = 0, first = 1, w = 0;

        lineno++;
        line[strcspn(line, "#\r\n")] = 0;
        for (char *t = strtok_r(line, " \t", &save); t && n < 64; t = strtok_r(NULL, " \t", &save))
            words[n++] = t;
        if (!n)
            continue;
        if (n > 1 && words[1][0] == '[') {
            int used = line_options(words + 1, n - 1, &a.opts, &w, err);

            if (used < 0) {
                ret = -1;
            } else if (w) {
                cfg_warn_at(&l->where, "bind", "crt-list '%s' line %d: %s", path, lineno,
                            *err);
                free(*err);
                *err = NULL;
                warn = 1;
            }
            first += used > 0 ? used : 0;
        }
        if (ret < 0) {
            char *inner = *err;

            *err = NULL;
            str_printf(err, "crt-list '%s' line %d: %s", path, lineno, inner);
            free(inner);
            break;
        }
        a.filters = n > first ? calloc((size_t)(n - first), sizeof(char *)) : NULL;
        for (int i = first; i < n; i++) {
            for (char *p = words[i]; *p; p++)
                *p = (char)tolower((unsigned char)*p);
            a.filters[a.nfilters++] = str_dup(words[i]);
        }
        cert = based(crt_base, words[0]);
        ret = tls_cert_load_path(cert, &l->where, add_cert, &a, err);
        if (ret < 0) {
            char *inner = *err;

            *err = NULL;
            str_printf(err, "crt-list '%s' line %d: %s", path, lineno, inner);
            free(inner);
        }
        free(cert);
        count++;
    }
    fclose(f);
    if (!ret && !count)
        ret = str_printf(err, "crt-list '%s' names no certificate", path);
    free(path);
    return ret < 0 ? ret : warn;
}

/* The settings a crt-list line with options runs with: the bind line's (its defaults already
 * applied), with what the line says on top. */
struct tls_bind *tls_conf_line_settings(const struct tls_bind *b, const struct tls_bind *o)
{
    struct tls_bind *e = str_zalloc(sizeof(*e));

    *e = *b;
    e->certs = NULL;
    e->ncerts = 0;
    if (o->min_ver)
        e->min_ver = o->min_ver;
    if (o->max_ver)
        e->max_ver = o->max_ver;
    if (o->ciphers)
        e->ciphers = o->ciphers;
    if (o->ciphersuites)
        e->ciphersuites = o->ciphersuites;
    if (o->curves)
        e->curves = o->curves;
    if (o->alpn) {
        e->alpn = o->alpn;
        e->alpn_len = o->alpn_len;
    }
    if (o->verify_set) {
        e->verify = o->verify;
        e->verify_set = 1;
    }
    if (o->ca_file)
        e->ca_file = o->ca_file;
    if (o->crl_file)
        e->crl_file = o->crl_file;
    return e;
}

static int bo_ca_file(char **args, void *obj, char **err)
{
    struct listener *l = obj;
    struct tls_bind *b = bind_of(l);
    char *path = based(ca_base, args[1]);

    if (access(path, R_OK) < 0) {
        str_printf(err, "%s: cannot read '%s': %s", args[0], path, strerror(errno));
        free(path);
        return -1;
    }
    if (!strcmp(args[0], "ca-file")) {
        free(b->ca_file);
        b->ca_file = path;
    } else {
        free(b->crl_file);
        b->crl_file = path;
    }
    return 0;
}

static int bo_verify(char **args, void *obj, char **err)
{
    struct listener *l = obj;
    struct tls_bind *b = bind_of(l);

    if (!strcmp(args[1], "none"))
        b->verify = SSL_VERIFY_NONE;
    else if (!strcmp(args[1], "optional"))
        b->verify = SSL_VERIFY_PEER;
    else if (!strcmp(args[1], "required"))
        b->verify = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT;
    else
        return str_printf(err, "verify: unknown mode '%s' (expected none, optional or "
                               "required)", args[1]);
    b->verify_set = 1;
    return 0;
}

static int bo_alpn(char **args, void *obj, char **err)
{
    struct listener *l = obj;
    struct tls_bind *b = bind_of(l);
    int h2;

    if (parse_alpn(args[1], &b->alpn, &b->alpn_len, &h2, err) < 0)
        return -1;
    if (h2)
        return str_printf(err, "alpn: 'h2' is not supported by sluice yet and will not be "
                               "negotiated"), 1;
    return 0;
}

static int bo_version(char **args, void *obj, char **err)
{
    struct listener *l = obj;
    struct tls_bind *b = bind_of(l);

    return parse_version(args[1], !strcmp(args[0], "ssl-min-ver") ? &b->min_ver : &b->max_ver,
                         err);
}

/* no-tlsv10 ... no-tlsv13, force-tlsv1x: narrow the version range */
static int bo_no_version(char **args, void *obj, char **err)
{
    struct listener *l = obj;
    struct tls_bind *b = bind_of(l);
    const char *k = args[0];
    int v = strstr(k, "10") ? TLS1_VERSION : strstr(k, "11") ? TLS1_1_VERSION
            : strstr(k, "12") ? TLS1_2_VERSION : TLS1_3_VERSION;

    if (!strcmp(k, "no-sslv3"))
        return 0;
    if (!strncmp(k, "force-", 6)) {
        b->min_ver = b->max_ver = v;
        return 0;
    }
    narrow(v, &b->min_ver, &b->max_ver);
    return 0;
}

static int bo_string(char **args, void *obj, char **err)
{
    struct listener *l = obj;
    struct tls_bind *b = bind_of(l);
    char **field = !strcmp(args[0], "ciphers") ? &b->ciphers
                   : !strcmp(args[0], "ciphersuites") ? &b->ciphersuites : &b->curves;

    char *val = NULL;
    int rc = 0;

    if (field == &b->ciphersuites && check_ciphersuites(args[1], err) < 0)
        return -1;
    if (field == &b->ciphers && (rc = filter_ciphers(args[1], &val, err)) != 0) {
        char *inner = *err;

        *err = NULL;
        str_printf(err, "%s: %s", args[0], inner);
        free(inner);
        if (rc < 0)
            return -1;
    }
    free(*field);
    *field = val ? val : str_dup(args[1]);
    return rc; /* 1: a warning names the suites dropped */
}

static int bo_flag(char **args, void *obj, char **err)
{
    struct listener *l = obj;
    struct tls_bind *b = bind_of(l);

    if (!strcmp(args[0], "strict-sni"))
        b->strict_sni = 1;
    else if (!strcmp(args[0], "prefer-client-ciphers"))
        b->prefer_client = 1;
    else
        b->no_tickets = 1;
    return 0;
}

static int bo_ticket_keys(char **args, void *obj, char **err)
{
    struct listener *l = obj;

    /* as in HAProxy, the path is used as written (crt-base does not apply) */
    return tls_tickets_set_file(args[1], &l->where, err);
}

static struct cfg_opt tls_bind_kws[] = {
    {"ssl", 0, bo_ssl},
    {"crt", 1, bo_crt},
    {"crt-list", 1, bo_crt_list},
    {"ca-file", 1, bo_ca_file},
    {"crl-file", 1, bo_ca_file},
    {"verify", 1, bo_verify},
    {"alpn", 1, bo_alpn},
    {"ssl-min-ver", 1, bo_version},
    {"ssl-max-ver", 1, bo_version},
    {"no-sslv3", 0, bo_no_version},
    {"no-tlsv10", 0, bo_no_version},
    {"no-tlsv11", 0, bo_no_version},
    {"no-tlsv12", 0, bo_no_version},
    {"no-tlsv13", 0, bo_no_version},
    {"force-tlsv10", 0, bo_no_version},
    {"force-tlsv11", 0, bo_no_version},
    {"force-tlsv12", 0, bo_no_version},
    {"force-tlsv13", 0, bo_no_version},
    {"ciphers", 1, bo_string},
    {"ciphersuites", 1, bo_string},
    {"curves", 1, bo_string},
    {"ecdhe", 1, bo_string},
    {"strict-sni", 0, bo_flag},
    {"no-tls-tickets", 0, bo_flag},
    {"prefer-client-ciphers", 0, bo_flag},
    {"tls-ticket-keys", 1, bo_ticket_keys},
    {NULL, 0, NULL},
};

/* what a crt-list line may say between brackets (HAProxy's "ssl bind configuration") */
static struct cfg_opt tls_crtlist_kws[] = {
    {"alpn", 1, bo_alpn},
    {"ca-file", 1, bo_ca_file},
    {"crl-file", 1, bo_ca_file},
    {"verify", 1, bo_verify},
    {"ssl-min-ver", 1, bo_version},
    {"ssl-max-ver", 1, bo_version},
    {"ciphers", 1, bo_string},
    {"ciphersuites", 1, bo_string},
    {"curves", 1, bo_string},
    {"ecdhe", 1, bo_string},
    {NULL, 0, NULL},
};

/* ---- server options ------------------------------------------------------------------------ */

static int so_ssl(char **args, void *obj, char **err)
{
    struct server *s = obj;
    srv_of(s)->ssl = 1;
    return 0;
}

static int so_verify(char **args, void *obj, char **err)
{
    struct server *s = obj;
    struct tls_srv *t = srv_of(s);

    if (!strcmp(args[1], "none"))
        t->verify = SSL_VERIFY_NONE;
    else if (!strcmp(args[1], "required"))
        t->verify = SSL_VERIFY_PEER;
    else
        return str_printf(err, "verify: unknown mode '%s' (expected none or required)",
                          args[1]);
    t->verify_set = 1;
    return 0;
}

static int so_file(char **args, void *obj, char **err)
{
    struct server *s = obj;
    struct tls_srv *t = srv_of(s);
    int is_ca = !strcmp(args[0], "ca-file");
    char *path = based(is_ca ? ca_base : crt_base, args[1]);

    if (access(path, R_OK) < 0) {
        str_printf(err, "%s: cannot read '%s': %s", args[0], path, strerror(errno));
        free(path);
        return -1;
    }
    if (is_ca) {
        free(t->ca_file);
        t->ca_file = path;
    } else {
        free(t->crt);
        t->crt = path;
    }
    return 0;
}

static int so_sni(char **args, void *obj, char **err)
{
    struct server *s = obj;
    struct tls_srv *t = srv_of(s);

    free(t->sni);
    t->sni = str_dup(args[1]);
    t->sni_expr = smp_expr_parse(args[1], SMP_USE_L4 | SMP_USE_REQ | SMP_USE_BE, err);
    return t->sni_expr ? 0 : -1;
}

static int so_alpn(char **args, void *obj, char **err)
{
    struct server *s = obj;
    struct tls_srv *t = srv_of(s);
    int h2;

    if (parse_alpn(args[1], &t->alpn, &t->alpn_len, &h2, err) < 0)
        return -1;
    if (h2)
        return str_printf(err, "alpn: 'h2' toward servers is not supported by sluice yet"), 1;
    return 0;
}

static int so_version(char **args, void *obj, char **err)
{
    struct server *s = obj;
    struct tls_srv *t = srv_of(s);

    return parse_version(args[1], !strcmp(args[0], "ssl-min-ver") ? &t->min_ver : &t->max_ver,
                         err);
}

static int so_ciphers(char **args, void *obj, char **err)
{
    struct server *s = obj;
    struct tls_srv *t = srv_of(s);

    char *val = NULL;
    int rc = filter_ciphers(args[1], &val, err);

    if (rc != 0) {
        char *inner = *err;

        *err = NULL;
        str_printf(err, "%s: %s", args[0], inner);
        free(inner);
        if (rc < 0)
            return -1;
    }
    free(t->ciphers);
    t->ciphers = val;
    return rc; /* 1: a warning names the suites dropped */
}

static struct cfg_opt tls_srv_kws[] = {
    {"ssl", 0, so_ssl},         {"verify", 1, so_verify},       {"ca-file", 1, so_file},
    {"crt", 1, so_file},        {"sni", 1, so_sni},             {"alpn", 1, so_alpn},
    {"ssl-min-ver", 1, so_version}, {"ssl-max-ver", 1, so_version},
    {"ciphers", 1, so_ciphers}, {NULL, 0, NULL},
};

/* ---- contexts: authentication settings ----------------------------------------------------- */

int tls_conf_client_auth(SSL_CTX *ctx, const struct tls_bind *b, char **err)
{
    if (b->ca_file) {
        STACK_OF(X509_NAME) *names = SSL_load_client_CA_file(b->ca_file);

        if (!SSL_CTX_load_verify_locations(ctx, b->ca_file, NULL) || !names) {
            ERR_clear_error();
            return str_printf(err, "cannot load CA file '%s'", b->ca_file);
        }
        SSL_CTX_set_client_CA_list(ctx, names);
    }
    if (b->crl_file) {
        X509_STORE *st = SSL_CTX_get_cert_store(ctx);

        if (!X509_STORE_load_locations(st, b->crl_file, NULL)) {
            ERR_clear_error();
            return str_printf(err, "cannot load CRL file '%s'", b->crl_file);
        }
        X509_STORE_set_flags(st, X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL);
    }
    SSL_CTX_set_verify(ctx, b->verify, NULL);
    return 0;
}

int tls_conf_server_auth(SSL_CTX *ctx, const struct tls_srv *t, char **err)
{
    if (t->ca_file && !SSL_CTX_load_verify_locations(ctx, t->ca_file, NULL)) {
        ERR_clear_error();
        return str_printf(err, "cannot load CA file '%s'", t->ca_file);
    }
    SSL_CTX_set_verify(ctx, t->verify, NULL);
    if (t->crt) {
        char *cerr = NULL;
        struct cfg_where w = {.file = "server", .line = 0};
        struct tls_cert *c = tls_cert_load(t->crt, &w, &cerr);

        if (!c) {
            str_printf(err, "%s", cerr);
            free(cerr);
            return -1;
        }
        if (!SSL_CTX_use_certificate(ctx, c->leaf) || !SSL_CTX_use_PrivateKey(ctx, c->key)) {
            ERR_clear_error();
            return str_printf(err, "cannot use certificate '%s'", t->crt);
        }
        for (size_t i = 0; i < sk_X509_num(c->chain); i++)
            SSL_CTX_add1_chain_cert(ctx, sk_X509_value(c->chain, i));
    }
    return 0;
}

/* ---- defaults applied after parsing -------------------------------------------------------- */

static int check_defaults(void)
{
    int errs = 0;

    for (struct listener *l = listeners; l; l = l->gnext) {
        struct tls_bind *b = l->tls;

        if (!b || !b->ssl)
            continue;
        if (!b->ciphers && bind_defaults.ciphers)
            b->ciphers = str_dup(bind_defaults.ciphers);
        if (!b->ciphersuites && bind_defaults.ciphersuites)
            b->ciphersuites = str_dup(bind_defaults.ciphersuites);
        if (!b->curves && bind_defaults.curves)
            b->curves = str_dup(bind_defaults.curves);
        if (!b->min_ver)
            b->min_ver = bind_defaults.min_ver;
        if (!b->max_ver)
            b->max_ver = bind_defaults.max_ver;
        b->no_tickets |= bind_defaults.no_tickets;
        b->strict_sni |= bind_defaults.strict_sni;
        b->prefer_client |= bind_defaults.prefer_client;
        if (!b->alpn && bind_defaults.alpn) {
            b->alpn = malloc(bind_defaults.alpn_len);
            memcpy(b->alpn, bind_defaults.alpn, bind_defaults.alpn_len);
            b->alpn_len = bind_defaults.alpn_len;
        }
        if (b->min_ver && b->max_ver && b->min_ver > b->max_ver) {
            cfg_alert_at(&l->where, "bind", "invalid TLS version range: ssl-min-ver is above "
                         "ssl-max-ver");
            errs++;
        }
        if (b->verify && !b->ca_file) {
            cfg_alert_at(&l->where, "bind", "'verify %s' needs a 'ca-file' to check client "
                         "certificates with", b->verify & SSL_VERIFY_FAIL_IF_NO_PEER_CERT
                         ? "required" : "optional");
            errs++;
        }
    }
    for (struct proxy *px = proxies; px; px = px->next)
        for (struct server *s = px->servers; s; s = s->next) {
            struct tls_srv *t = s->tls;

            if (!t || !t->ssl)
                continue;
            if (!t->ciphers && srv_defaults.ciphers)
                t->ciphers = str_dup(srv_defaults.ciphers);
            if (!t->curves && srv_defaults.curves)
                t->curves = str_dup(srv_defaults.curves);
            if (!t->min_ver)
                t->min_ver = srv_defaults.min_ver;
            if (!t->max_ver)
                t->max_ver = srv_defaults.max_ver;
            if (!t->verify_set)
                t->verify = server_verify_default;
            if (t->min_ver && t->max_ver && t->min_ver > t->max_ver) {
                cfg_alert_at(&s->where, "server", "invalid TLS version range: ssl-min-ver is "
                             "above ssl-max-ver");
                errs++;
            }
            if ((t->verify & SSL_VERIFY_PEER) && !t->ca_file) {
                cfg_alert_at(&s->where, "server", t->verify_set
                             ? "'verify required' needs a 'ca-file' to check the server with"
                             : "verify is enabled by default but no CA file is given: add "
                               "'ca-file <file>', or 'verify none' when the server's "
                               "certificate need not be checked");
                errs++;
            }
        }
    return errs;
}

/* ---- global keywords ----------------------------------------------------------------------- */

/* ssl-default-bind-options (b: the bind defaults) / ssl-default-server-options (b NULL): the
 * version, ticket and cipher-order options */
static int apply_options(char **args, int nargs, int *min, int *max, struct tls_bind *b,
                         char **err)
{
    for (int i = 1; i < nargs; i++) {
        const char *o = args[i];
        int v;

        if ((!strcmp(o, "ssl-min-ver") || !strcmp(o, "ssl-max-ver")) && i + 1 < nargs) {
            if (parse_version(args[++i], !strcmp(o, "ssl-min-ver") ? min : max, err) < 0)
                return -1;
        } else if (!strcmp(o, "no-tls-tickets") && b) {
            b->no_tickets = 1;
        } else if (!strcmp(o, "strict-sni") && b) {
            b->strict_sni = 1;
        } else if (!strcmp(o, "prefer-client-ciphers") && b) {
            b->prefer_client = 1;
        } else if (!strcmp(o, "no-sslv3")) {
            continue;
        } else if (!strncmp(o, "no-tlsv1", 8) || !strncmp(o, "force-tlsv1", 11)) {
            v = strstr(o, "10") ? TLS1_VERSION : strstr(o, "11") ? TLS1_1_VERSION
                : strstr(o, "12") ? TLS1_2_VERSION : TLS1_3_VERSION;
            if (o[0] == 'f')
                *min = *max = v;
            else
                narrow(v, min, max);
        } else {
            return str_printf(err, "unsupported option '%s'", o);
        }
    }
    return 0;
}

static int kw_ssl_default(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                          char **err)
{
    const char *k = args[0];
    int bind = !strncmp(k, "ssl-default-bind-", 17);
    const char *what = k + (bind ? 17 : 19);

    if (!strcmp(what, "options"))
        return bind ? apply_options(args, nargs, &bind_defaults.min_ver, &bind_defaults.max_ver,
                                    &bind_defaults, err)
                    : apply_options(args, nargs, &srv_defaults.min_ver, &srv_defaults.max_ver,
                                    NULL, err);
    if (nargs != 2)
        return str_printf(err, "expects one argument");
    if (!strcmp(what, "ciphers")) {
        char *val = NULL;
        int rc = filter_ciphers(args[1], &val, err);

        if (rc < 0)
            return -1;
        free(bind ? bind_defaults.ciphers : srv_defaults.ciphers);
        *(bind ? &bind_defaults.ciphers : &srv_defaults.ciphers) = val;
        return rc; /* 1: a warning names the suites dropped */
    }
    if (!strcmp(what, "ciphersuites")) {
        if (check_ciphersuites(args[1], err) < 0)
            return -1;
        if (bind)
            bind_defaults.ciphersuites = str_dup(args[1]);
        return 0;
    }
    if (!strcmp(what, "curves")) {
        char **field = bind ? &bind_defaults.curves : &srv_defaults.curves;

        free(*field);
        *field = str_dup(args[1]);
        return 0;
    }
    if (!strcmp(what, "alpn") && bind) {
        int h2;

        return parse_alpn(args[1], &bind_defaults.alpn, &bind_defaults.alpn_len, &h2, err);
    }
    return str_printf(err, "not supported by sluice yet");
}

static int kw_base(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                   char **err)
{
    char **field = !strcmp(args[0], "crt-base") ? &crt_base : &ca_base;

    if (*field)
        return str_printf(err, "'%s' already specified.", args[0]); /* HAProxy's refusal */
    *field = str_dup(args[1]);
    return 0;
}

static int kw_server_verify(char **args, int nargs, struct cfg_ctx *ctx,
                            const struct cfg_kw *kw, char **err)
{
    if (!strcmp(args[1], "none"))
        server_verify_default = SSL_VERIFY_NONE;
    else if (!strcmp(args[1], "required"))
        server_verify_default = SSL_VERIFY_PEER;
    else
        return str_printf(err, "expected 'none' or 'required'");
    return 0;
}

/* tune.ssl.default-dh-param <bits> and ssl-dh-param-file <file>: HAProxy's settings of the
 * finite-field DHE suites. BoringSSL has none (those suites are dropped from cipher lists,
 * see filter_ciphers()), so there is nothing to set: the value is checked as HAProxy checks
 * it, then ignored with a warning, and a configuration written for HAProxy loads. */
static int kw_dh(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                 char **err)
{
    if (!strcmp(args[0], "tune.ssl.default-dh-param")) {
        long long bits;

        if (parse_int(args[1], 1024, 16384, &bits, err) < 0)
            return -1;
    } else if (access(args[1], R_OK) < 0) {
        return str_printf(err, "cannot read '%s': %s", args[1], strerror(errno));
    }
    str_printf(err, "ignored: BoringSSL has no finite-field Diffie-Hellman (DHE); sluice "
                    "offers ECDHE key exchanges only, so there are no DH parameters to set");
    return 1;
}

/* hsts max-age=<seconds> [includeSubDomains] [preload]: Strict-Transport-Security on every
 * response sent over TLS by this frontend. */
static int kw_hsts(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                   char **err)
{
    struct proxy *px = ctx->obj;
    long long age = -1;
    int sub = 0, preload = 0;
    struct strbuf sb = {0};

    for (int i = 1; i < nargs; i++) {
        if (!strncasecmp(args[i], "max-age=", 8)) {
            if (parse_int(args[i] + 8, 0, 0x7fffffff, &age, err) < 0)
                return -1;
        } else if (!strcasecmp(args[i], "includeSubDomains")) {
            sub = 1;
        } else if (!strcasecmp(args[i], "preload")) {
            preload = 1;
        } else {
            return str_printf(err, "unexpected '%s' (usage: hsts max-age=<seconds> "
                                   "[includeSubDomains] [preload])", args[i]);
        }
    }
    if (age < 0)
        return str_printf(err, "missing max-age=<seconds>");
    if (preload && !sub)
        return str_printf(err, "'preload' requires 'includeSubDomains' (hstspreload.org "
                               "refuses it otherwise)");
    if (preload && age < 31536000)
        return str_printf(err, "'preload' requires a max-age of one year (31536000) at least");
    strbuf_printf(&sb, "max-age=%lld%s%s", age, sub ? "; includeSubDomains" : "",
                  preload ? "; preload" : "");
    free(px->conf.http.hsts);
    px->conf.http.hsts = sb.buf;
    return 0;
}

static struct cfg_kw tls_kws[] = {
    {.name = "ssl-default-bind-ciphers", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_ssl_default},
    {.name = "ssl-default-bind-ciphersuites", .sections = "global", .min_args = 1,
     .max_args = 1, .parse = kw_ssl_default},
    {.name = "ssl-default-bind-curves", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_ssl_default},
    {.name = "ssl-default-bind-options", .sections = "global", .min_args = 1, .max_args = -1,
     .parse = kw_ssl_default},
    {.name = "ssl-default-bind-alpn", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_ssl_default},
    {.name = "ssl-default-server-ciphers", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_ssl_default},
    {.name = "ssl-default-server-ciphersuites", .sections = "global", .min_args = 1,
     .max_args = 1, .parse = kw_ssl_default},
    {.name = "ssl-default-server-curves", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_ssl_default},
    {.name = "ssl-default-server-options", .sections = "global", .min_args = 1, .max_args = -1,
     .parse = kw_ssl_default},
    {.name = "ssl-server-verify", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_server_verify, .usage = "ssl-server-verify none|required"},
    {.name = "crt-base", .sections = "global", .min_args = 1, .max_args = 1, .parse = kw_base},
    {.name = "ca-base", .sections = "global", .min_args = 1, .max_args = 1, .parse = kw_base},
    {.name = "tune.ssl.default-dh-param", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_dh},
    {.name = "ssl-dh-param-file", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_dh},
    {.name = "hsts", .sections = "defaults frontend listen", .min_args = 1, .max_args = 3,
     .parse = kw_hsts, .usage = "hsts max-age=<seconds> [includeSubDomains] [preload]"},
    {0},
};

static void tls_conf_register(void)
{
    cfg_register_keywords(tls_kws);
    cfg_optset_register(&lsn_bind_opts, tls_bind_kws);
    cfg_optset_register(&crtlist_opts, tls_crtlist_kws);
    cfg_optset_register(&srv_opts, tls_srv_kws);
    cfg_register_check(29, check_defaults);
}
INITCALL(tls_conf_register)
