/* TLS sample fetches for ACLs, rules and logs: what the client connection negotiated. */
#include <string.h>

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "arena.h"
#include "cfg.h"
#include "sample-kw.h"
#include "tls-compat.h"
#include "tls-t.h"

static SSL *client_ssl(const struct smp_env *env)
{
    const struct tls_conn *tc = env->tls;

    return tc && tc->ssl ? tc->ssl : NULL;
}

static int set_bool(struct sample *out, int v)
{
    out->type = SMP_T_BOOL;
    out->flags = 0;
    out->data.sint = v != 0;
    return 1;
}

static int set_str(struct sample *out, const char *s, size_t len)
{
    if (!s)
        return 0;
    out->type = SMP_T_STR;
    out->flags = SMP_F_CONST;
    out->data.str.ptr = s;
    out->data.str.len = len;
    return 1;
}

static int f_ssl_fc(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                    struct smp_ctx *ctx)
{
    return set_bool(out, client_ssl(env) != NULL);
}

static int f_sni(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                 struct smp_ctx *ctx)
{
    SSL *ssl = client_ssl(env);
    const char *n = ssl ? SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) : NULL;

    return n ? set_str(out, n, strlen(n)) : 0;
}

static int f_protocol(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                      struct smp_ctx *ctx)
{
    SSL *ssl = client_ssl(env);
    const char *v = ssl ? SSL_get_version(ssl) : NULL;

    return v ? set_str(out, v, strlen(v)) : 0;
}

static int f_cipher(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                    struct smp_ctx *ctx)
{
    SSL *ssl = client_ssl(env);
    const SSL_CIPHER *c = ssl ? SSL_get_current_cipher(ssl) : NULL;
    const char *n = c ? SSL_CIPHER_get_name(c) : NULL;

    return n ? set_str(out, n, strlen(n)) : 0;
}

/* ssl_fc_curve: the key-exchange group the handshake used ("X25519MLKEM768", "X25519",
 * "P-256"...); no value before the handshake or when none was used (a resumption without one). */
static int f_curve(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                   struct smp_ctx *ctx)
{
    SSL *ssl = client_ssl(env);
    uint16_t id = ssl ? tls_group_id(ssl) : 0;
    const char *n = id ? tls_group_name(id) : NULL;

    return n ? set_str(out, n, strlen(n)) : 0;
}

static int f_alpn(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                  struct smp_ctx *ctx)
{
    SSL *ssl = client_ssl(env);
    const uint8_t *d = NULL;
    unsigned l = 0;

    if (!ssl)
        return 0;
    SSL_get0_alpn_selected(ssl, &d, &l);
    return l ? set_str(out, (const char *)d, l) : 0;
}

static int f_reused(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                    struct smp_ctx *ctx)
{
    SSL *ssl = client_ssl(env);

    /* 0 over plain connections too, as in HAProxy */
    return set_bool(out, ssl && SSL_session_reused(ssl));
}

/* Whether the session has a client certificate; with sent_now, whether it was sent on this
 * connection (a resumed session carries the one of its first handshake, but none is sent:
 * HAProxy's ssl_fc_has_crt against ssl_c_used). No value over a plain connection. */
static size_t peer_chain_len(const SSL *ssl)
{
    const STACK_OF(CRYPTO_BUFFER) *chain = SSL_get0_peer_certificates(ssl);

    return chain ? sk_CRYPTO_BUFFER_num(chain) : 0;
}

static int peer_cert(struct smp_env *env, struct sample *out, int sent_now)
{
    SSL *ssl = client_ssl(env);

    if (!ssl)
        return 0;
    return set_bool(out, (!sent_now || !SSL_session_reused(ssl)) &&
                             peer_chain_len(ssl) > 0);
}

static int f_c_used(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                    struct smp_ctx *ctx)
{
    return peer_cert(env, out, 0);
}

static int f_has_crt(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                     struct smp_ctx *ctx)
{
    return peer_cert(env, out, 1);
}

static int f_c_verify(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                      struct smp_ctx *ctx)
{
    SSL *ssl = client_ssl(env);

    if (!ssl)
        return 0;
    out->type = SMP_T_SINT;
    out->flags = 0;
    out->data.sint = SSL_get_verify_result(ssl);
    return 1;
}

/* ssl_c_s_dn / ssl_c_i_dn: the client certificate's subject or issuer, "/C=../CN=.." form */
static int dn(struct smp_env *env, struct sample *out, int issuer)
{
    SSL *ssl = client_ssl(env);
    X509 *x = ssl ? SSL_get_peer_certificate(ssl) : NULL;
    char buf[512], *copy;

    if (!x)
        return 0;
    X509_NAME_oneline(issuer ? X509_get_issuer_name(x) : X509_get_subject_name(x), buf,
                      sizeof(buf));
    X509_free(x);
    copy = arena_strndup(env->arena, buf, strlen(buf));
    if (!copy)
        return 0;
    out->type = SMP_T_STR;
    out->flags = 0;
    out->data.str.ptr = copy;
    out->data.str.len = strlen(copy);
    return 1;
}

static int f_s_dn(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                  struct smp_ctx *ctx)
{
    return dn(env, out, 0);
}

static int f_i_dn(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                  struct smp_ctx *ctx)
{
    return dn(env, out, 1);
}

/* Error codes of a connection that is logged: its handshake succeeded, so the front
 * connection and TLS errors are 0; the client certificate errors are the verification
 * result (0 when it verified or none was presented). */
static int f_zero(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                  struct smp_ctx *ctx)
{
    out->type = SMP_T_SINT;
    out->flags = 0;
    out->data.sint = 0;
    return 1;
}

/* The same for the TLS errors, which have no value over a plain connection (HAProxy). */
static int f_tls_zero(const struct smp_arg *a, void *p, struct smp_env *env, struct sample *out,
                      struct smp_ctx *ctx)
{
    return client_ssl(env) ? f_zero(a, p, env, out, ctx) : 0;
}

static struct smp_fetch_kw tls_fetches[] = {
    {.name = "fc_err", .fn = f_zero, .out_type = SMP_T_SINT, .use = SMP_USE_L4},
    {.name = "ssl_fc_err", .fn = f_tls_zero, .out_type = SMP_T_SINT, .use = SMP_USE_L4},
    {.name = "ssl_c_err", .fn = f_c_verify, .out_type = SMP_T_SINT, .use = SMP_USE_L4},
    {.name = "ssl_c_ca_err", .fn = f_tls_zero, .out_type = SMP_T_SINT, .use = SMP_USE_L4},
    {.name = "ssl_fc", .fn = f_ssl_fc, .out_type = SMP_T_BOOL, .use = SMP_USE_L4},
    {.name = "ssl_fc_sni", .fn = f_sni, .out_type = SMP_T_STR, .use = SMP_USE_L4},
    {.name = "ssl_fc_protocol", .fn = f_protocol, .out_type = SMP_T_STR, .use = SMP_USE_L4},
    {.name = "ssl_fc_cipher", .fn = f_cipher, .out_type = SMP_T_STR, .use = SMP_USE_L4},
    {.name = "ssl_fc_curve", .fn = f_curve, .out_type = SMP_T_STR, .use = SMP_USE_L4},
    {.name = "ssl_fc_alpn", .fn = f_alpn, .out_type = SMP_T_STR, .use = SMP_USE_L4},
    {.name = "ssl_fc_session_reused", .fn = f_reused, .out_type = SMP_T_BOOL,
     .use = SMP_USE_L4},
    {.name = "ssl_fc_is_resumed", .fn = f_reused, .out_type = SMP_T_BOOL, .use = SMP_USE_L4},
    {.name = "ssl_c_used", .fn = f_c_used, .out_type = SMP_T_BOOL, .use = SMP_USE_L4},
    {.name = "ssl_fc_has_crt", .fn = f_has_crt, .out_type = SMP_T_BOOL, .use = SMP_USE_L4},
    {.name = "ssl_c_verify", .fn = f_c_verify, .out_type = SMP_T_SINT, .use = SMP_USE_L4},
    {.name = "ssl_c_s_dn", .fn = f_s_dn, .out_type = SMP_T_STR, .use = SMP_USE_L4},
    {.name = "ssl_c_i_dn", .fn = f_i_dn, .out_type = SMP_T_STR, .use = SMP_USE_L4},
    {0},
};

static void tls_fetch_register(void)
{
    smp_register_fetches(tls_fetches);
}
INITCALL(tls_fetch_register)
