/* BoringSSL version shims: the one place where sluice's TLS code differs between the
 * BoringSSL APIs it builds with during the move to the pinned library: BORINGSSL_API_VERSION
 * 17 (Debian's android-libboringssl, the default build) and 43 (mk/boringssl.pin, built with
 * BSSL=pinned). Only ssl/ includes it, after the BoringSSL headers. */
#ifndef SLUICE_SSL_TLS_COMPAT_H
#define SLUICE_SSL_TLS_COMPAT_H

#include <openssl/base.h>
#include <openssl/crypto.h>
#include <openssl/ssl.h>

/* Key-exchange groups from a colon-separated list ("X25519:P-256"). Returns 1, or 0 when a
 * name is unknown. API 43 calls them groups and keeps SSL_*_set1_curves_list only as
 * deprecated aliases; API 17 has only the curves spelling. The threshold is the pin's API:
 * a version in between takes the alias, which every version has. */
static inline int tls_ctx_set_groups(SSL_CTX *ctx, const char *list)
{
#if BORINGSSL_API_VERSION >= 43
    return SSL_CTX_set1_groups_list(ctx, list);
#else
    return SSL_CTX_set1_curves_list(ctx, list);
#endif
}

/* The same for one connection (a crt-list line's own groups). */
static inline int tls_ssl_set_groups(SSL *ssl, const char *list)
{
#if BORINGSSL_API_VERSION >= 43
    return SSL_set1_groups_list(ssl, list);
#else
    return SSL_set1_curves_list(ssl, list);
#endif
}

/* The group the handshake negotiated (0: none yet) and its name (NULL: unknown id). API 43
 * calls them groups; the curve spellings are deprecated aliases there and the only ones in 17. */
static inline uint16_t tls_group_id(const SSL *ssl)
{
#if BORINGSSL_API_VERSION >= 43
    return SSL_get_group_id(ssl);
#else
    return SSL_get_curve_id(ssl);
#endif
}

static inline const char *tls_group_name(uint16_t id)
{
#if BORINGSSL_API_VERSION >= 43
    return SSL_get_group_name(id);
#else
    return SSL_get_curve_name(id);
#endif
}

/* Library start-up, once per process before any other call. API 17 needs
 * CRYPTO_library_init() when the library was built with BORINGSSL_NO_STATIC_INITIALIZER
 * (nothing says Debian's was not); in API 43 it does nothing and is listed as deprecated. */
static inline void tls_lib_init(void)
{
#if BORINGSSL_API_VERSION < 43
    CRYPTO_library_init();
#endif
}

#endif /* SLUICE_SSL_TLS_COMPAT_H */
