/* Connections: a socket plus its transport (raw TCP now, TLS later). */
#ifndef SLUICE_CORE_CONN_T_H
#define SLUICE_CORE_CONN_T_H

#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct conn;

/* Results of xprt recv/send besides byte counts */
#define CONN_AGAIN (-1) /* nothing can be done now: wait for readiness */
#define CONN_ERROR (-2) /* the connection failed (errno tells why) */

/* A transport. Everything above it (streams, HTTP) only calls these. */
struct xprt_ops {
    const char *name;                                        /* "raw", "tls" */
    /* Returns bytes read (> 0), 0 at end of stream, CONN_AGAIN or CONN_ERROR. */
    ssize_t (*recv)(struct conn *c, void *buf, size_t len);
    /* Returns bytes written (> 0), CONN_AGAIN or CONN_ERROR; 0 only when len is 0. A send
     * never reports an end of stream: a peer gone is CONN_ERROR (errno EPIPE, ECONNRESET).
     * Callers take a 0 for bytes to send as CONN_ERROR, never as progress (see conn_send). */
    ssize_t (*send)(struct conn *c, const void *buf, size_t len);
    /* Same for a vector of n buffers (a head and a body in one call); 0 only when they are
     * all empty. */
    ssize_t (*sendv)(struct conn *c, const struct iovec *iov, int n);
    /* Closes the write direction. Returns 0 or -1. */
    int (*shutw)(struct conn *c);
    /* Releases the transport's state (not the fd). */
    void (*close)(struct conn *c);
    /* Nonzero when recv would return bytes the transport already holds (TLS plaintext of a
     * record read in part): the loop cannot see those in the socket. NULL: never. */
    int (*pending)(const struct conn *c);
    /* Client side handshake once TCP is connected: 1 done, 0 in progress (c->xwant tells
     * what it waits for), -1 failed. NULL when the transport has none. */
    int (*handshake)(struct conn *c);
};

#define CONN_F_CONNECTING 0x01 /* outgoing connect() in progress */
#define CONN_F_CONNECTED  0x02 /* established */
#define CONN_F_EOF        0x04 /* the peer ended its direction (read returned 0) */
#define CONN_F_SHUTW      0x08 /* we ended our direction */
#define CONN_F_ERROR      0x10 /* an I/O error happened: no more I/O */
#define CONN_F_XPRT_HS    0x20 /* connecting: TCP is up, the transport's handshake is running */

#define CONN_EV_READ  0x01
#define CONN_EV_WRITE 0x02

#define CONN_SNI_MAX 255 /* bytes of a server name (RFC 6066: a DNS name, at most 255) */

/* Everything that makes a server connection what it is, as HAProxy 2.6's connection hash:
 * a connection may carry a request only when the request's key equals the connection's.
 * Today: the server, the SNI sent in its TLS handshake (evaluated per request, e.g. from
 * req.hdr(host)) and the ALPN list offered. A source address or a PROXY header, when sluice
 * gets them, go here too. Compared by conn_key_eq(): the hash first, then every field
 * exactly (a hash collision must never hand a connection verified for one name to a request
 * for another). Lives in the stream (its server connection's key) and in each idle pool
 * entry. */
struct conn_key {
    const void *target;         /* the server (struct server *), never NULL once built */
    uint64_t hash;              /* of every field below, set by conn_key_seal() */
    const uint8_t *alpn;        /* ALPN offered (wire format, config-time storage), or NULL */
    uint32_t alpn_len;          /* its length, 0: none */
    uint32_t sni_len;           /* length of sni, 0: no SNI sent */
    char sni[CONN_SNI_MAX + 1]; /* server name sent, NUL-terminated */
};

#endif
