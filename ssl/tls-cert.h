/* Certificates: loading, load-time checks, SNI names. */
#ifndef SLUICE_SSL_TLS_CERT_H
#define SLUICE_SSL_TLS_CERT_H

#include "tls-t.h"

/* Every certificate loaded, most recent first. */
extern struct tls_cert *tls_certs;

/* Loads the PEM file at path (once: a second call returns the same certificate), checks it
 * and warns (with w's file:line) about expiry and an incomplete chain. Returns NULL with
 * *err set when the file cannot be used. Start-up only (reads files). */
struct tls_cert *tls_cert_load(const char *path, const struct cfg_where *w, char **err);

/* Loads a file, or every certificate file of a directory in name order, calling add() on
 * each. Returns 0, or -1 with *err set (a failing add() sets it too). */
int tls_cert_load_path(const char *path, const struct cfg_where *w,
                       int (*add)(struct tls_cert *, void *), void *arg, char **err);

/* 1 when name matches pattern ("www.example.com", or "*.example.com" for one label). */
int tls_name_match(const char *pattern, const char *name);

/* The library's last error as text, clearing the error queue (for messages). */
const char *tls_lib_error(void);

/* Seconds until the certificate expires (negative once expired). */
long tls_cert_seconds_left(const struct tls_cert *c);

/* Checks a DER OCSP response (RFC 6960) before it is stapled, as HAProxy does: a successful
 * basic response with one SingleResponse, whose CertID names a certificate of ours (c, or
 * any loaded one when c is NULL: serial number, and issuer name and key hashes when the
 * issuer is in the certificate's chain), says "good" or "revoked", and is current
 * (thisUpdate not ahead, a nextUpdate not past, 5 minutes of clock skew allowed). Returns the certificate, or NULL
 * with *why set to HAProxy's message; *stale is set (and NULL returned) when the only fault
 * is that the response is no longer valid. */
struct tls_cert *tls_ocsp_check(const uint8_t *der, size_t len, struct tls_cert *c,
                                const char **why, int *stale);

#endif
