/* TLS configuration: keywords and the authentication settings of contexts. */
#ifndef SLUICE_SSL_TLS_CONF_H
#define SLUICE_SSL_TLS_CONF_H

#include <openssl/ssl.h>

#include "tls-t.h"

/* Client certificate settings of a bind line (ca-file, crl-file, verify) on ctx. Returns 0
 * or -1 with *err. */
int tls_conf_client_auth(SSL_CTX *ctx, const struct tls_bind *b, char **err);

/* Server verification (ca-file, verify) and client certificate (crt) on a server's ctx. */
int tls_conf_server_auth(SSL_CTX *ctx, const struct tls_srv *t, char **err);

#endif
