/* TLS with BoringSSL. Nothing outside ssl/ includes a BoringSSL header. */
#ifndef SLUICE_SSL_TLS_H
#define SLUICE_SSL_TLS_H

/* "BoringSSL (API 17)": the library sluice is running with. */
const char *tls_lib_version(void);

#endif
