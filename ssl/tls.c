/* TLS with BoringSSL: contexts built from bind and server lines, certificate selection by
 * SNI (exact names before wildcards, ECDSA before RSA when the client can use it,
 * strict-sni), ALPN, and the TLS transport the connections use (handshakes driven by
 * readiness, never blocking).
 *
 * Defaults when nothing is said: TLS 1.2 minimum, forward-secret AEAD suites only (ECDHE with
 * AES-GCM or ChaCha20-Poly1305), groups X25519 then P-256, tickets with keys shared by every
 * worker (tls-ticket.c), a session cache shared by every worker for clients without tickets
 * (tls-sess.c). */
#include "tls.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/base.h>
#include <openssl/base64.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include "buf.h"
#include "cfg.h"
#include "conn.h"
#include "listener.h"
#include "log.h"
#include "proxy.h"
#include "sample.h"
#include "server.h"
#include "str.h"
#include "tls-cert.h"
#include "tls-compat.h"
#include "tls-conf.h"
#include "tls-sess.h"
#include "tls-t.h"
#include "tls-ticket.h"

#define TLS_DEFAULT_CIPHERS                                                                \
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"                           \
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"                           \
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
/* Post-quantum hybrid first where the library has it (the pin, API 43): a client offering only
 * classical groups still gets X25519 or P-256. */
#if BORINGSSL_API_VERSION >= 43
#define TLS_DEFAULT_CURVES "X25519MLKEM768:X25519:P-256"
#else
#define TLS_DEFAULT_CURVES "X25519:P-256"
#endif

const char *tls_lib_version(void)
{
    static char v[96];
    struct strbuf sb;

    strbuf_init_fixed(&sb, v, sizeof(v));
#ifdef SLUICE_BSSL_TAG
    /* the pin of mk/boringssl.pin, built with the project (BSSL=pinned) */
    strbuf_printf(&sb, "BoringSSL %s (%.8s, API %d)", SLUICE_BSSL_TAG, SLUICE_BSSL_COMMIT,
                  BORINGSSL_API_VERSION);
#else
    strbuf_printf(&sb, "BoringSSL (API %d)", BORINGSSL_API_VERSION);
#endif
    return v;
}

int tls_listener_has(const struct listener *l)
{
    const struct tls_bind *b = l->tls;

    return b && b->ssl;
}

int tls_server_has(const struct server *srv)
{
    const struct tls_srv *t = srv->tls;

    return t && t->ssl;
}

/* ---- certificate selection ---------------------------------------------------------------- */

/* 2 for an exact match, 1 for a wildcard match, 0 otherwise; -1 when a negative crt-list
 * filter excludes the name. */
static int bcert_match(const struct tls_bcert *bc, const char *sni)
{
    int best = 0;

    if (bc->nfilters) {
        for (int i = 0; i < bc->nfilters; i++) {
            const char *f = bc->filters[i];

            if (f[0] == '!') {
                if (tls_name_match(f + 1, sni))
                    return -1;
                continue;
            }
            if (tls_name_match(f, sni) && best < (f[0] == '*' ? 1 : 2))
                best = f[0] == '*' ? 1 : 2;
        }
        return best;
    }
    for (int i = 0; i < bc->cert->nnames; i++) {
        const char *n = bc->cert->names[i];

        if (tls_name_match(n, sni) && best < (n[0] == '*' ? 1 : 2))
            best = n[0] == '*' ? 1 : 2;
    }
    return best;
}

/* Whether the client can use an ECDSA certificate: an ECDSA signature algorithm offered and,
 * below TLS 1.3, an ECDHE-ECDSA cipher suite. */
static int client_ecdsa(const SSL_CLIENT_HELLO *h)
{
    const uint8_t *d;
    size_t len;
    int sig = 0, tls13 = 0, suite = 0;

    if (SSL_early_callback_ctx_extension_get(h, TLSEXT_TYPE_signature_algorithms, &d, &len) &&
        len >= 2) {
        for (size_t i = 2; i + 1 < len; i += 2)
            if (d[i + 1] == 0x03) /* ECDSA: 0x0403, 0x0503, 0x0603 */
                sig = 1;
    }
    if (SSL_early_callback_ctx_extension_get(h, TLSEXT_TYPE_supported_versions, &d, &len) &&
        len >= 1) {
        for (size_t i = 1; i + 1 < len; i += 2)
            if (d[i] == 0x03 && d[i + 1] == 0x04)
                tls13 = 1;
    }
    for (size_t i = 0; i + 1 < h->cipher_suites_len; i += 2) {
        uint16_t c = (uint16_t)(h->cipher_suites[i] << 8 | h->cipher_suites[i + 1]);

        if (c == 0xC02B || c == 0xC02C || c == 0xCCA9 || c == 0xC009 || c == 0xC00A ||
            c == 0xC023 || c == 0xC024)
            suite = 1;
    }
    return sig && (tls13 || suite);
}

/* Switches the handshake to the chosen certificate's context. A context switch carries the
 * certificate, the cipher list, ALPN and the client CA list; crt-list lines with their own
 * options also set what BoringSSL copies into the session when it is created (versions,
 * groups, verification), so the line's settings hold whichever context the session began
 * with. */
static enum ssl_select_cert_result_t use_cert(SSL *ssl, struct tls_bind *b,
                                              struct tls_bcert *bc)
{
    struct tls_conn *tc = SSL_get_app_data(ssl);
    const struct tls_bind *e = bc->eff;

    if (bc->ctx != SSL_get_SSL_CTX(ssl))
        SSL_set_SSL_CTX(ssl, bc->ctx);
    tc->eff = e;
    if (!b->line_opts)
        return ssl_select_cert_success;
    if (!SSL_set_min_proto_version(ssl, (uint16_t)(e->min_ver ? e->min_ver : TLS1_2_VERSION)) ||
        !SSL_set_max_proto_version(ssl, (uint16_t)(e->max_ver ? e->max_ver : TLS1_3_VERSION)) ||
        !tls_ssl_set_groups(ssl, e->curves ? e->curves : TLS_DEFAULT_CURVES) ||
        !SSL_set1_verify_cert_store(ssl, SSL_CTX_get_cert_store(bc->ctx)))
        return ssl_select_cert_error;
    SSL_set_verify(ssl, e->verify, NULL);
    return ssl_select_cert_success;
}

/* No name matched (or none was sent): the first certificate of the line, unless the client
 * cannot use its key type and another certificate of the other type exists. */
static enum ssl_select_cert_result_t default_cert(const SSL_CLIENT_HELLO *h, struct tls_bind *b)
{
    struct tls_bcert *def = &b->certs[0];

    if (def->cert->key_type == EVP_PKEY_EC && !client_ecdsa(h))
        for (int i = 1; i < b->ncerts; i++)
            if (b->certs[i].cert->key_type == EVP_PKEY_RSA) {
                def = &b->certs[i];
                break;
            }
    return use_cert(h->ssl, b, def);
}

static enum ssl_select_cert_result_t select_cert(const SSL_CLIENT_HELLO *h)
{
    SSL *ssl = h->ssl;
    struct tls_conn *tc = SSL_get_app_data(ssl);
    struct tls_bind *b = tc->bind;
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
    struct tls_bcert *ec = NULL, *rsa = NULL, *pick;
    int ec_score = 0, rsa_score = 0;

    if (!sni)
        return b->strict_sni ? ssl_select_cert_error : default_cert(h, b);
    for (int i = 0; i < b->ncerts; i++) {
        struct tls_bcert *bc = &b->certs[i];
        int m = bcert_match(bc, sni);

        if (m <= 0)
            continue;
        if (bc->cert->key_type == EVP_PKEY_EC && m > ec_score) {
            ec = bc;
            ec_score = m;
        } else if (bc->cert->key_type != EVP_PKEY_EC && m > rsa_score) {
            rsa = bc;
            rsa_score = m;
        }
    }
    /* ECDSA when the client can use it and its name is at least as precise as the RSA
     * certificate's; otherwise RSA when there is one */
    if (ec && !client_ecdsa(h) && rsa)
        ec = NULL;
    if (ec && rsa)
        pick = ec_score >= rsa_score ? ec : rsa;
    else
        pick = ec ? ec : rsa;
    if (!pick)
        return b->strict_sni ? ssl_select_cert_error : default_cert(h, b);
    return use_cert(ssl, b, pick);
}

/* ALPN: the first protocol of the bind line's list that the client offers. */
static int alpn_select(SSL *ssl, const uint8_t **out, uint8_t *out_len, const uint8_t *in,
                       unsigned in_len, void *arg)
{
    struct tls_conn *tc = SSL_get_app_data(ssl);
    const struct tls_bind *b = tc->eff ? tc->eff : tc->bind;

    for (size_t i = 0; b->alpn && i < b->alpn_len; i += 1 + b->alpn[i]) {
        for (unsigned k = 0; k < in_len; k += 1u + in[k]) {
            if (in[k] == b->alpn[i] && k + 1 + in[k] <= in_len &&
                !memcmp(in + k + 1, b->alpn + i + 1, in[k])) {
                *out = in + k + 1;
                *out_len = in[k];
                return SSL_TLSEXT_ERR_OK;
            }
        }
    }
    return SSL_TLSEXT_ERR_NOACK;
}

/* ---- contexts ----------------------------------------------------------------------------- */

static int version_ok(SSL_CTX *ctx, int min, int max, char **err)
{
    if (!SSL_CTX_set_min_proto_version(ctx, (uint16_t)(min ? min : TLS1_2_VERSION)) ||
        !SSL_CTX_set_max_proto_version(ctx, (uint16_t)(max ? max : TLS1_3_VERSION)))
        return str_printf(err, "invalid TLS version range");
    return 0;
}

static SSL_CTX *bind_ctx(struct tls_bind *b, struct tls_cert *c, const char *sid, char **err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_server_method());

    if (!ctx) {
        str_printf(err, "cannot create a TLS context: %s", tls_lib_error());
        return NULL;
    }
    if (version_ok(ctx, b->min_ver, b->max_ver, err) < 0)
        goto fail;
    if (!SSL_CTX_set_strict_cipher_list(ctx, b->ciphers ? b->ciphers : TLS_DEFAULT_CIPHERS)) {
        str_printf(err, "invalid cipher list '%s': %s", b->ciphers, tls_lib_error());
        goto fail;
    }
    if (!tls_ctx_set_groups(ctx, b->curves ? b->curves : TLS_DEFAULT_CURVES)) {
        str_printf(err, "invalid curves '%s'", b->curves);
        goto fail;
    }
    if (!b->prefer_client)
        SSL_CTX_set_options(ctx, SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (!SSL_CTX_use_certificate(ctx, c->leaf) || !SSL_CTX_use_PrivateKey(ctx, c->key)) {
        str_printf(err, "cannot use certificate '%s': %s", c->path, tls_lib_error());
        goto fail;
    }
    for (size_t i = 0; i < sk_X509_num(c->chain); i++)
        SSL_CTX_add1_chain_cert(ctx, sk_X509_value(c->chain, i));
    if (c->ocsp)
        SSL_CTX_set_ocsp_response(ctx, c->ocsp, c->ocsp_len);
    tls_sess_setup(ctx);
    SSL_CTX_set_session_id_context(ctx, (const uint8_t *)sid, (unsigned)strlen(sid));
    if (b->no_tickets)
        SSL_CTX_set_options(ctx, SSL_OP_NO_TICKET);
    else
        tls_tickets_setup(ctx);
    SSL_CTX_set_select_certificate_cb(ctx, select_cert);
    SSL_CTX_set_alpn_select_cb(ctx, alpn_select, NULL);
    if (tls_conf_client_auth(ctx, b, err) < 0)
        goto fail;
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

/* The checks of a bind line, for the settings of a crt-list line with its own options. */
static int line_check(const struct tls_bcert *bc, char **err)
{
    const struct tls_bind *e = bc->eff;

    if (e->min_ver && e->max_ver && e->min_ver > e->max_ver)
        return str_printf(err, "crt-list line of '%s': invalid TLS version range: ssl-min-ver "
                               "is above ssl-max-ver", bc->cert->path);
    if (e->verify && !e->ca_file)
        return str_printf(err, "crt-list line of '%s': 'verify %s' needs a 'ca-file' to check "
                               "client certificates with", bc->cert->path,
                          e->verify & SSL_VERIFY_FAIL_IF_NO_PEER_CERT ? "required" : "optional");
    return 0;
}

/* Builds the contexts of every TLS bind line once the configuration is read. */
static int check_bind_contexts(void)
{
    int errs = 0, n = 0;

    for (struct listener *l = listeners; l; l = l->gnext) {
        struct tls_bind *b = l->tls;
        char sid[64], *err = NULL;

        n++;
        if (!b || !b->ssl || l->failed)
            continue;
        if (!b->ncerts) {
            cfg_alert_at(&l->where, "bind", "'ssl' needs at least one certificate ('crt' or "
                         "'crt-list')");
            errs++;
            continue;
        }
        /* one session id context per bind line: sessions resume on the line that made them */
        snprintf(sid, sizeof(sid), "sluice:%s:%d", l->px->id, n);
        for (int i = 0; i < b->ncerts; i++) {
            struct tls_bcert *bc = &b->certs[i];

            if (bc->ctx)
                continue;
            bc->eff = bc->opts ? tls_conf_line_settings(b, bc->opts) : b;
            if (bc->opts && line_check(bc, &err) < 0) {
                cfg_alert_at(&l->where, "bind", "%s", err);
                free(err);
                err = NULL;
                errs++;
                break;
            }
            if (bc->opts) {
                /* a session of another line must not resume here: it was made under other
                 * settings (a client certificate this line requires, for one) */
                char lsid[80];

                snprintf(lsid, sizeof(lsid), "%s:%d", sid, i);
                bc->ctx = bind_ctx(bc->eff, bc->cert, lsid, &err);
            } else {
                bc->ctx = bind_ctx(bc->eff, bc->cert, sid, &err);
            }
            if (!bc->ctx) {
                cfg_alert_at(&l->where, "bind", "%s", err);
                free(err);
                err = NULL;
                errs++;
                break;
            }
        }
    }
    return errs;
}

/* ---- server side -------------------------------------------------------------------------- */

static int new_session_cb(SSL *ssl, SSL_SESSION *sess)
{
    struct tls_conn *tc = SSL_get_app_data(ssl);
    const char *sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);

    if (!tc || !tc->srv)
        return 0;
    if (tc->srv->sess)
        SSL_SESSION_free(tc->srv->sess);
    tc->srv->sess = sess; /* we keep the reference */
    /* a session is only offered again for the same name: resuming it for another one would
     * skip that name's certificate verification */
    snprintf(tc->srv->sess_sni, sizeof(tc->srv->sess_sni), "%s", sni ? sni : "");
    return 1;
}

static int check_server_contexts(void)
{
    int errs = 0;

    for (struct proxy *px = proxies; px; px = px->next)
        for (struct server *srv = px->servers; srv; srv = srv->next) {
            struct tls_srv *t = srv->tls;
            char *err = NULL;

            if (!t || !t->ssl)
                continue;
            t->ctx = SSL_CTX_new(TLS_client_method());
            if (!t->ctx || version_ok(t->ctx, t->min_ver, t->max_ver, &err) < 0 ||
                (t->ciphers && !SSL_CTX_set_strict_cipher_list(t->ctx, t->ciphers) &&
                 str_printf(&err, "invalid cipher list '%s'", t->ciphers)) ||
                (!tls_ctx_set_groups(t->ctx, t->curves ? t->curves : TLS_DEFAULT_CURVES) &&
                 str_printf(&err, "invalid curves '%s'",
                            t->curves ? t->curves : TLS_DEFAULT_CURVES)) ||
                tls_conf_server_auth(t->ctx, t, &err) < 0) {
                cfg_alert_at(&srv->where, "server", "%s", err ? err : tls_lib_error());
                free(err);
                errs++;
                continue;
            }
            SSL_CTX_set_mode(t->ctx, SSL_MODE_ENABLE_PARTIAL_WRITE |
                                         SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
            SSL_CTX_set_session_cache_mode(t->ctx, SSL_SESS_CACHE_CLIENT);
            SSL_CTX_sess_set_new_cb(t->ctx, new_session_cb);
            if (t->alpn)
                SSL_CTX_set_alpn_protos(t->ctx, t->alpn, t->alpn_len);
        }
    return errs;
}

/* ---- read-ahead BIO ------------------------------------------------------------------------
 * The library asks for a record header (5 bytes), then its body: two reads per record on a
 * socket BIO, and a handshake flight holds several records. This BIO reads whatever the
 * socket has into a pooled buffer and serves the asks from it, so a flight or a request costs
 * one read. It reports "retry" only once its buffer is empty and the socket said EAGAIN:
 * when the library waits for data, nothing is held here. Bytes held after a successful read
 * are reported by tls_pending(), and conn_want() delivers them. Writes stay on the socket BIO. */

static BIO_METHOD *ra_method;

static void ra_release(struct tls_conn *tc)
{
    buf_put(tc->ra);
    tc->ra = NULL;
}

static int ra_read(BIO *bio, char *out, int len)
{
    struct tls_conn *tc = BIO_get_data(bio);
    struct buf *b = tc->ra;
    uint32_t k;

    BIO_clear_retry_flags(bio);
    if (len <= 0)
        return 0;
    if (!b) {
        ssize_t n;

        b = tc->ra = buf_get();
        if (!b) {
            errno = ENOMEM;
            return -1;
        }
        do
            n = recv(tc->fd, buf_tail(b), buf_room(b), 0);
        while (n < 0 && errno == EINTR);
        if (n <= 0) {
            int e = errno;

            ra_release(tc);
            errno = e;
            /* recorded here, where they are true: by the time SSL_get_error() says
             * SSL_ERROR_SYSCALL, errno may hold anything */
            if (n == 0)
                tc->rd_eof = 1;
            else if (e == EAGAIN || e == EWOULDBLOCK)
                BIO_set_retry_read(bio);
            else
                tc->rd_errno = e;
            return (int)n;
        }
        b->data = (uint32_t)n;
    }
    k = b->data < (uint32_t)len ? b->data : (uint32_t)len;
    memcpy(out, buf_peek(b), k);
    buf_consume(b, k);
    if (!b->data)
        ra_release(tc);
    return (int)k;
}

static long ra_ctrl(BIO *bio, int cmd, long larg, void *parg)
{
    return cmd == BIO_CTRL_FLUSH; /* nothing is written through this BIO */
}

static int ra_setup(void)
{
    ra_method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK, "sluice read-ahead");
    return ra_method && BIO_meth_set_read(ra_method, ra_read) &&
                   BIO_meth_set_ctrl(ra_method, ra_ctrl)
               ? 0
               : -1;
}

/* ---- transport ---------------------------------------------------------------------------- */

/* The peer closed TCP without close_notify. From a client, that is the end of its stream as
 * HAProxy takes it (HTTP framing tells whether a request was cut). From a server, it is a
 * truncation (RFC 8446 6.1, RFC 5246 7.2.1): whoever reads it may lose the end of a message,
 * and a close-delimited response must not pass for complete; it is an error (the stream logs
 * SD and aborts the client side). The error is reported on the next call: this one says
 * "again" (the closed socket stays readable, so the owner reads again at once), which lets
 * the owner handle the bytes it read before it in the same pass, as a socket returns data
 * before an ECONNRESET. Returns 0, CONN_AGAIN or CONN_ERROR (errno EPROTO). */
static ssize_t truncated(struct conn *c, struct tls_conn *tc)
{
    if (!tc->srv)
        return 0;
    if (!tc->trunc) {
        tc->trunc = 1;
        tc->want = CONN_EV_READ;
        c->xwant = CONN_EV_READ;
        return CONN_AGAIN;
    }
    errno = EPROTO;
    return CONN_ERROR;
}

/* What a failed library call was: the outcome of an SSL_ERROR_SYSCALL depends on it. */
enum io_op { IO_READ, IO_WRITE, IO_HANDSHAKE };

/* Maps a failed library call to the transport contract and records what it waits for.
 * Only a read may end a stream: a write never returns 0 (see struct xprt_ops), so every
 * failure of SSL_write but "again" is CONN_ERROR with the write's errno. The peer's EOF
 * (rd_eof) decides only what a read or a handshake returns: once a client has half-closed,
 * a write toward it that meets a reset is an error, not an end of stream. */
static ssize_t io_result(struct conn *c, struct tls_conn *tc, int r, enum io_op op)
{
    int err = errno; /* the write's, still fresh: nothing ran since the library's socket call */
    int e = SSL_get_error(tc->ssl, r);

    switch (e) {
    case SSL_ERROR_WANT_READ:
        tc->want = CONN_EV_READ;
        c->xwant = CONN_EV_READ;
        return CONN_AGAIN;
    case SSL_ERROR_WANT_WRITE:
        tc->want = CONN_EV_WRITE;
        c->xwant = CONN_EV_WRITE;
        return CONN_AGAIN;
    case SSL_ERROR_ZERO_RETURN:
        if (op == IO_WRITE) {
            ERR_clear_error();
            errno = EPIPE;
            return CONN_ERROR;
        }
        return 0;
    case SSL_ERROR_SYSCALL:
        ERR_clear_error();
        if (op == IO_WRITE) {
            errno = err ? err : EPIPE;
            return CONN_ERROR;
        }
        if (tc->rd_eof)
            return truncated(c, tc);
        /* a failed socket read: its own errno */
        errno = tc->rd_errno ? tc->rd_errno : err ? err : EIO;
        return CONN_ERROR;
    default:
        if (log_debug_on)
            log_debug("TLS error: %s", tls_lib_error());
        ERR_clear_error();
        errno = EPROTO;
        return CONN_ERROR;
    }
}

static ssize_t tls_recv(struct conn *c, void *buf, size_t len)
{
    struct tls_conn *tc = c->xprt_ctx;
    int r;

    if (tc->trunc) {
        errno = EPROTO; /* reported: see truncated() */
        return CONN_ERROR;
    }
    r = SSL_read(tc->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
    if (r > 0) {
        c->xwant = 0;
        return r;
    }
    return io_result(c, tc, r, IO_READ);
}

static ssize_t tls_send(struct conn *c, const void *buf, size_t len)
{
    struct tls_conn *tc = c->xprt_ctx;
    int r;

    if (!len)
        return 0;
    r = SSL_write(tc->ssl, buf, len > INT_MAX ? INT_MAX : (int)len);
    if (r > 0) {
        c->xwant = 0;
        return r;
    }
    return io_result(c, tc, r, IO_WRITE);
}

/* A head and a body in one record: copied into one staging buffer (a retry after
 * WANT_WRITE passes the same bytes again, which SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER allows). */
static ssize_t tls_sendv(struct conn *c, const struct iovec *iov, int n)
{
    static char stage[16384];
    size_t off = 0;

    if (n == 1)
        return tls_send(c, iov[0].iov_base, iov[0].iov_len);
    for (int i = 0; i < n && off < sizeof(stage); i++) {
        size_t k = iov[i].iov_len < sizeof(stage) - off ? iov[i].iov_len : sizeof(stage) - off;

        memcpy(stage + off, iov[i].iov_base, k);
        off += k;
    }
    return tls_send(c, stage, off);
}

static int tls_shutw(struct conn *c)
{
    struct tls_conn *tc = c->xprt_ctx;

    if (tc->handshake_done)
        SSL_shutdown(tc->ssl); /* close_notify, without waiting for the peer's */
    ERR_clear_error();
    return shutdown(c->fd, SHUT_WR);
}

static void tls_close(struct conn *c)
{
    struct tls_conn *tc = c->xprt_ctx;

    if (!tc)
        return;
    SSL_free(tc->ssl);
    ra_release(tc);
    free(tc);
    c->xprt_ctx = NULL;
}

/* Plaintext of a record the owner read in part, or bytes the read-ahead BIO holds (only ever
 * after a successful read: a read that waits has taken them all). SSL_has_pending() would
 * also count a record still incomplete, which no read can return yet. */
static int tls_pending(const struct conn *c)
{
    const struct tls_conn *tc = c->xprt_ctx;

    return tc && tc->handshake_done && (tc->ra || SSL_pending(tc->ssl) > 0);
}

static const struct xprt_ops tls_xprt = {
    .name = "tls",
    .recv = tls_recv,
    .send = tls_send,
    .sendv = tls_sendv,
    .shutw = tls_shutw,
    .close = tls_close,
    .handshake = tls_handshake,
    .pending = tls_pending,
};

int tls_conn_is(const struct conn *c)
{
    return c->xprt == &tls_xprt;
}

static struct tls_conn *attach(struct conn *c, SSL_CTX *ctx)
{
    struct tls_conn *tc = calloc(1, sizeof(*tc));
    BIO *rbio = NULL;

    if (!tc)
        return NULL;
    tc->fd = c->fd;
    tc->ssl = SSL_new(ctx);
    if (!ra_method && ra_setup() < 0)
        goto fail;
    /* the socket BIO writes; the read-ahead BIO replaces it for reads */
    if (!tc->ssl || !SSL_set_fd(tc->ssl, c->fd) || !(rbio = BIO_new(ra_method)))
        goto fail;
    BIO_set_data(rbio, tc);
    BIO_set_init(rbio, 1);
    SSL_set0_rbio(tc->ssl, rbio);
    SSL_set_app_data(tc->ssl, tc);
    c->xprt = &tls_xprt;
    c->xprt_ctx = tc;
    return tc;
fail:
    if (tc->ssl)
        SSL_free(tc->ssl);
    free(tc);
    ERR_clear_error();
    return NULL;
}

int tls_conn_accept(struct conn *c, struct listener *l)
{
    struct tls_bind *b = l->tls;
    struct tls_conn *tc = attach(c, b->certs[0].ctx);

    if (!tc)
        return -1;
    tc->bind = b;
    tc->eff = b->certs[0].eff;
    SSL_set_accept_state(tc->ssl);
    return 0;
}

void tls_server_key(const struct server *srv, struct smp_env *env, struct conn_key *key)
{
    const struct tls_srv *t = srv->tls;

    key->alpn = NULL;
    key->alpn_len = 0;
    key->sni_len = 0;
    key->sni[0] = 0;
    if (!t || !t->ssl)
        return;
    if (t->alpn) {
        key->alpn = t->alpn;
        key->alpn_len = (uint32_t)t->alpn_len;
    }
    if (t->sni_expr) {
        struct sample smp;

        /* a name that cannot be evaluated, or too long for one, is not sent, as before */
        if (smp_expr_eval(t->sni_expr, env, &smp) && smp_to_str(&smp, env) == 0 &&
            smp.data.str.len <= CONN_SNI_MAX && !memchr(smp.data.str.ptr, 0, smp.data.str.len)) {
            memcpy(key->sni, smp.data.str.ptr, smp.data.str.len);
            key->sni[smp.data.str.len] = 0;
            key->sni_len = (uint32_t)smp.data.str.len;
        }
    }
}

int tls_conn_connect(struct conn *c, struct server *srv, const struct conn_key *key)
{
    struct tls_srv *t = srv->tls;
    struct tls_conn *tc = attach(c, t->ctx);
    const char *sni = key->sni;

    if (!tc)
        return -1;
    tc->srv = t;
    SSL_set_connect_state(tc->ssl);
    /* the SNI and ALPN of the connection are exactly those of its reuse key: a request
     * is later given this connection only when its own key is equal */
    if (key->alpn_len)
        SSL_set_alpn_protos(tc->ssl, key->alpn, key->alpn_len);
    if (*sni) {
        SSL_set_tlsext_host_name(tc->ssl, sni);
        if (t->verify & SSL_VERIFY_PEER)
            X509_VERIFY_PARAM_set1_host(SSL_get0_param(tc->ssl), sni, strlen(sni));
    }
    if (t->sess && !strcmp(t->sess_sni, sni))
        SSL_set_session(tc->ssl, t->sess);
    /* the TLS handshake is part of connecting: retries and timeout connect cover it */
    if (c->flags & CONN_F_CONNECTED)
        c->flags = (c->flags & ~CONN_F_CONNECTED) | CONN_F_CONNECTING;
    return 0;
}


int tls_handshake(struct conn *c)
{
    struct tls_conn *tc = c->xprt_ctx;
    int r;

    if (tc->handshake_done)
        return 1;
    r = SSL_do_handshake(tc->ssl);
    if (r == 1) {
        tc->handshake_done = 1;
        c->xwant = 0;
        return 1;
    }
    return io_result(c, tc, r, IO_HANDSHAKE) == CONN_AGAIN ? 0 : -1;
}

const char *tls_conn_version(const struct conn *c)
{
    const struct tls_conn *tc = tls_conn_is(c) ? c->xprt_ctx : NULL;

    return tc ? SSL_get_version(tc->ssl) : NULL;
}

const char *tls_conn_cipher(const struct conn *c)
{
    const struct tls_conn *tc = tls_conn_is(c) ? c->xprt_ctx : NULL;
    const SSL_CIPHER *ci = tc ? SSL_get_current_cipher(tc->ssl) : NULL;

    return ci ? SSL_CIPHER_get_name(ci) : NULL;
}

void tls_ws_accept(const char *key, size_t klen, char out[29])
{
    static const char guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    uint8_t md[SHA_DIGEST_LENGTH];
    SHA_CTX c;

    SHA1_Init(&c);
    SHA1_Update(&c, key, klen);
    SHA1_Update(&c, guid, sizeof(guid) - 1);
    SHA1_Final(md, &c);
    EVP_EncodeBlock((uint8_t *)out, md, sizeof(md)); /* 28 characters and a NUL */
}

static void tls_register(void)
{
    tls_lib_init();
    cfg_register_check(30, check_bind_contexts);
    cfg_register_check(31, check_server_contexts);
}
INITCALL(tls_register)
