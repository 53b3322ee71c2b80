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
