/* The TLS session cache shared by every worker (tune.ssl.cachesize, tune.ssl.lifetime). */
#ifndef SLUICE_SSL_TLS_SESS_H
#define SLUICE_SSL_TLS_SESS_H

#include <openssl/ssl.h>

/* Session lifetime, and the shared cache (or none with tune.ssl.cachesize 0), on a
 * listening context. */
void tls_sess_setup(SSL_CTX *ctx);

#endif
