/* TLS with BoringSSL. Nothing outside ssl/ includes a BoringSSL header: the rest of sluice
 * sees listeners' and servers' `void *tls` handles and these functions. */
#ifndef SLUICE_SSL_TLS_H
#define SLUICE_SSL_TLS_H

#include <stddef.h>

struct conn;
struct listener;
struct server;

/* The library sluice is built with: "BoringSSL (API 17)" (Debian's), or with BSSL=pinned
 * "BoringSSL 0.20260813.0 (7c1efd8d, API 43)" (tag, commit, API of mk/boringssl.pin). */
const char *tls_lib_version(void);

/* 1 when the listener terminates TLS. */
int tls_listener_has(const struct listener *l);

/* Listening side: turns an accepted connection into a TLS server connection (the handshake
 * is driven by tls_handshake()). Returns 0, or -1 when out of memory. */
int tls_conn_accept(struct conn *c, struct listener *l);

struct smp_env;
struct conn_key;

/* Server side: fills the TLS part of a server connection's reuse key (key->target is the
 * caller's): the ALPN list srv offers and the SNI its "sni" expression gives in env (none
 * when it cannot be evaluated or does not fit). Plain servers get an empty TLS part. */
void tls_server_key(const struct server *srv, struct smp_env *env, struct conn_key *key);

/* Server side: makes c (connecting or connected) a TLS client connection to srv sending
 * exactly the SNI and ALPN of key (built by tls_server_key()). Returns 0 or -1. */
int tls_conn_connect(struct conn *c, struct server *srv, const struct conn_key *key);

/* 1 when srv speaks TLS. */
int tls_server_has(const struct server *srv);

/* Drives the handshake. Returns 1 when complete, 0 when it waits (c->want tells for what),
 * -1 when it failed (the reason is logged in debug mode). */
int tls_handshake(struct conn *c);

/* 1 when c is a TLS connection. */
int tls_conn_is(const struct conn *c);

/* Protocol ("TLSv1.3") and cipher names of a connection, NULL when not TLS. */
const char *tls_conn_version(const struct conn *c);
const char *tls_conn_cipher(const struct conn *c);

/* The Sec-WebSocket-Accept value a server must answer to key (RFC 6455 4.2.2: base64 of
 * the SHA-1 of key and the protocol's GUID), NUL-terminated in out (29 bytes). */
void tls_ws_accept(const char *key, size_t klen, char out[29]);

#endif
