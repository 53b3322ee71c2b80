/* TLS configuration: keywords and the authentication settings of contexts. */
#ifndef SLUICE_SSL_TLS_CONF_H
#define SLUICE_SSL_TLS_CONF_H

#include <openssl/ssl.h>

#include "tls-t.h"

/* The settings of a crt-list line with its own options: the bind line's with the line's on
 * top (a new block; the strings are shared with both). */
struct tls_bind *tls_conf_line_settings(const struct tls_bind *b, const struct tls_bind *o);

/* Client certificate settings of a bind line (ca-file, crl-file, verify) on ctx. Returns 0
 * or -1 with *err. */
int tls_conf_client_auth(SSL_CTX *ctx, const struct tls_bind *b, char **err);

/* Server verification (ca-file, verify) and client certificate (crt) on a server's ctx. */
int tls_conf_server_auth(SSL_CTX *ctx, const struct tls_srv *t, char **err);

#endif
