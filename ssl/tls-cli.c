/* TLS on the stats socket (served by worker 1): "show ssl cert [<file>]" with each
 * certificate's expiry in seconds, and "set ssl ocsp-response <base64>" which replaces a
 * staple in this worker and, relayed by the master, in every other one; it answers once they
 * all applied it. Certificate expiries are also logged when the master starts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/base64.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cfg.h"
#include "cli.h"
#include "listener.h"
#include "log.h"
#include "mworker.h"
#include "str.h"
#include "tls-cert.h"
#include "tls-t.h"
#include "worker.h"

#define MSG_OCSP 'O' /* payload: uint32 certificate index (big endian), then the DER bytes */

/* Certificates are loaded before the first fork, in the same order in every process: an
 * index into the list names one across processes. */
static int cert_index(const struct tls_cert *c)
{
    int i = 0;

    for (const struct tls_cert *x = tls_certs; x; x = x->next, i++)
        if (x == c)
            return i;
    return -1;
}

static struct tls_cert *cert_at(int idx)
{
    struct tls_cert *c = tls_certs;

    while (c && idx-- > 0)
        c = c->next;
    return c;
}

static void asn1_time_str(const ASN1_TIME *t, char *buf, size_t len)
{
    BIO *b = BIO_new(BIO_s_mem());
    const char *data;
    size_t n = 0;

    buf[0] = 0;
    if (!b)
        return;
    if (ASN1_TIME_print(b, t) && BIO_mem_contents(b, (const uint8_t **)&data, &n))
        snprintf(buf, len, "%.*s", (int)n, data);
    BIO_free(b);
}

static int path_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The DNS names of the certificate's subjectAltName, as written, comma-separated. */
static void san_line(X509 *x, struct strbuf *out)
{
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    int n = 0;

    for (size_t i = 0; gens && i < sk_GENERAL_NAME_num(gens); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);

        if (g->type == GEN_DNS)
            strbuf_printf(out, "%sDNS:%.*s", n++ ? ", " : "", ASN1_STRING_length(g->d.dNSName),
                          (const char *)ASN1_STRING_get0_data(g->d.dNSName));
    }
    if (gens)
        GENERAL_NAMES_free(gens);
}

static int cmd_show_cert(char **args, int nargs, struct cli_session *s, struct strbuf *out)
{
    if (nargs < 4) {
        /* sorted by name, as HAProxy lists them */
        const char **paths;
        size_t n = 0;

        for (const struct tls_cert *c = tls_certs; c; c = c->next)
            n++;
        paths = malloc((n ? n : 1) * sizeof(*paths));
        if (!paths)
            return 0;
        n = 0;
        for (const struct tls_cert *c = tls_certs; c; c = c->next)
            paths[n++] = c->path;
        qsort(paths, n, sizeof(*paths), path_cmp);
        strbuf_printf(out, "# filename\n");
        for (size_t i = 0; i < n; i++)
            strbuf_printf(out, "%s\n", paths[i]);
        free(paths);
        return 0;
    }
    for (const struct tls_cert *c = tls_certs; c; c = c->next) {
        char nb[64], na[64];
        const ASN1_INTEGER *ser;

        if (strcmp(c->path, args[3]))
            continue;
        asn1_time_str(X509_get0_notBefore(c->leaf), nb, sizeof(nb));
        asn1_time_str(X509_get0_notAfter(c->leaf), na, sizeof(na));
        ser = X509_get0_serialNumber(c->leaf);
        strbuf_printf(out, "Filename: %s\nStatus: Used\nSerial: ", c->path);
        for (int i = 0; i < ASN1_STRING_length(ser); i++)
            strbuf_printf(out, "%02X", ASN1_STRING_get0_data(ser)[i]);
        strbuf_printf(out, "\nnotBefore: %s\nnotAfter: %s\nExpires in (seconds): %ld\n", nb,
                      na, tls_cert_seconds_left(c));
        strbuf_printf(out, "Subject Alternative Name: ");
        san_line(c->leaf, out);
        strbuf_printf(out, "\nAlgorithm: %s%d\nSubject: %s\n",
                      c->key_type == EVP_PKEY_EC ? "EC" : c->key_type == EVP_PKEY_RSA ? "RSA"
                      : "ED", c->key_bits, c->subject);
        {
            char iss[512];

            X509_NAME_oneline(X509_get_issuer_name(c->leaf), iss, sizeof(iss));
            strbuf_printf(out, "Issuer: %s\nOCSP Response: %s\n", iss,
                          c->ocsp ? "present" : "none");
        }
        return 0;
    }
    strbuf_printf(out, "Can't display the certificate: Not found or the certificate is a "
                       "bundle!\n");
    return 0;
}

/* Applies a staple to every context built on c (this process). */
static void apply_ocsp(struct tls_cert *c, const uint8_t *der, size_t len)
{
    uint8_t *copy = malloc(len);

    if (!copy)
        return;
    memcpy(copy, der, len);
    free(c->ocsp);
    c->ocsp = copy;
    c->ocsp_len = len;
    c->ocsp_gen++;
    for (struct listener *l = listeners; l; l = l->gnext) {
        struct tls_bind *b = l->tls;

        for (int i = 0; b && i < b->ncerts; i++)
            if (b->certs[i].cert == c && b->certs[i].ctx)
                SSL_CTX_set_ocsp_response(b->certs[i].ctx, der, len);
    }
}

static void ocsp_msg(const void *data, uint32_t len)
{
    const uint8_t *p = data;
    struct tls_cert *c;

    if (len < 4)
        return;
    c = cert_at((int)((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3]));
    if (c)
        apply_ocsp(c, p + 4, len - 4);
}

/* Every other worker applied the staple (err NULL), or not. */
static void ocsp_relayed(void *ctx, const char *err)
{
    struct cli_session *s = ctx;

    if (cli_session_gone(s))
        ; /* nobody to tell */
    else if (err)
        strbuf_printf(cli_session_out(s), "OCSP Response updated in this worker but not "
                      "everywhere: %s.\n", err);
    else
        strbuf_printf(cli_session_out(s), "OCSP Response updated!\n");
    cli_session_resume(s);
}

static int cmd_set_ocsp(char **args, int nargs, struct cli_session *s, struct strbuf *out)
{
    size_t inlen, maxlen, derlen = 0;
    uint8_t *der, *msg;
    const char *why;
    struct tls_cert *c;
    int idx, stale, rc;

    if (nargs < 4) {
        strbuf_printf(out, "'set ssl ocsp-response' expects an OCSP response in base64.\n");
        return 0;
    }
    inlen = strlen(args[3]);
    if (!EVP_DecodedLength(&maxlen, inlen)) {
        strbuf_printf(out, "'set ssl ocsp-response' received invalid base64 encoded "
                           "response.\n");
        return 0;
    }
    der = malloc(maxlen ? maxlen : 1);
    if (!der || !EVP_DecodeBase64(der, &derlen, maxlen, (const uint8_t *)args[3], inlen)) {
        free(der);
        strbuf_printf(out, "'set ssl ocsp-response' received invalid base64 encoded "
                           "response.\n");
        return 0;
    }
    c = tls_ocsp_check(der, derlen, NULL, &why, &stale);
    if (!c) {
        free(der);
        strbuf_printf(out, "%s\n", why);
        return 0;
    }
    idx = cert_index(c);
    apply_ocsp(c, der, derlen);
    msg = malloc(derlen + 4);
    if (!msg) {
        free(der);
        strbuf_printf(out, "OCSP Response updated in this worker only: out of memory.\n");
        return 0;
    }
    msg[0] = (uint8_t)(idx >> 24);
    msg[1] = (uint8_t)(idx >> 16);
    msg[2] = (uint8_t)(idx >> 8);
    msg[3] = (uint8_t)idx;
    memcpy(msg + 4, der, derlen);
    /* keyed by certificate: a later response for it replaces this one for new workers */
    rc = wrk_broadcast(MSG_OCSP, (uint32_t)idx, msg, (uint32_t)derlen + 4, ocsp_relayed, s);
    free(msg);
    free(der);
    if (rc < 0) {
        strbuf_printf(out, "OCSP Response updated in this worker only: the master cannot "
                      "relay it.\n");
        return 0;
    }
    return CLI_CMD_WAIT;
}

static struct cli_cmd tls_cmds[] = {
    {{"show", "ssl", "cert", NULL}, "[<certfile>]", "display the SSL certificates used in "
     "memory, or the details of a file, with the seconds left before expiry", CLI_W_STATS,
     CLI_LVL_OPERATOR, cmd_show_cert},
    {{"set", "ssl", "ocsp-response", NULL}, "<resp|payload>", "update a certificate's OCSP "
     "Response from a base64-encoded DER encoded response", CLI_W_STATS, CLI_LVL_ADMIN,
     cmd_set_ocsp},
    {.fn = NULL},
};

/* At start: one line per certificate with the time left, so logs show what expires when. */
static void log_expiries(void)
{
    for (const struct tls_cert *c = tls_certs; c; c = c->next) {
        long left = tls_cert_seconds_left(c);

        if (left <= 0)
            log_warning("certificate '%s' (%s) EXPIRED %ld seconds (%ld days) ago", c->path,
                        c->nnames ? c->names[0] : c->subject, -left, -left / 86400);
        else
            log_msg(left < 30 * 86400 ? LOG_LVL_WARNING : LOG_LVL_NOTICE,
                    "certificate '%s' (%s) expires in %ld seconds (%ld days)", c->path,
                    c->nnames ? c->names[0] : c->subject, left, left / 86400);
    }
}

static void tls_cli_register(void)
{
    cli_register(tls_cmds);
    wrk_register_msg(MSG_OCSP, ocsp_msg);
    mw_register_master_start(log_expiries);
}
INITCALL(tls_cli_register)
