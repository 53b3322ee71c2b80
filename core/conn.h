/* Connections: a socket, its transport and its readiness watcher. */
#ifndef SLUICE_CORE_CONN_H
#define SLUICE_CORE_CONN_H

#include <sys/socket.h>

#include "conn-t.h"
#include "loop.h"

struct conn {
    int fd;                         /* socket, -1 when closed */
    unsigned flags;                 /* CONN_F_* */
    unsigned want;                  /* CONN_EV_* currently registered with the loop */
    unsigned xwant;                 /* CONN_EV_* the transport needs to make progress (TLS) */
    const struct xprt_ops *xprt;    /* transport */
    void *xprt_ctx;                 /* transport state (TLS), NULL for raw */
    ev_io io;                       /* readiness watcher; io.data is the owner */
    int _held;                      /* 1 + index in conn.c's held[] list, 0: not listed */
};

extern const struct xprt_ops conn_raw_xprt;

/* Prepares c for socket fd with the raw transport; cb is called on readiness with the
 * watcher, whose data field is owner. Registers nothing yet. */
void conn_init(struct conn *c, int fd, void (*cb)(struct ev_loop *, ev_io *, int), void *owner);

/* Registers interest in CONN_EV_READ/WRITE; touches the loop only when it changes. */
void conn_want(struct conn *c, unsigned want);

/* Starts a non-blocking connect to addr. Returns 0 (in progress or done: c->flags tells) or
 * -1 with errno set. */
int conn_connect(struct conn *c, const struct sockaddr *addr, socklen_t len,
                 void (*cb)(struct ev_loop *, ev_io *, int), void *owner);

/* After readiness on a connecting socket: 1 when established (TCP and the transport's
 * handshake), 0 while in progress, -1 with errno set when it failed. */
int conn_connect_progress(struct conn *c);

static inline ssize_t conn_recv(struct conn *c, void *buf, size_t len)
{
    return c->xprt->recv(c, buf, len);
}

/* Sending (struct xprt_ops): bytes written (> 0), CONN_AGAIN (wait for the event c->xwant
 * or CONN_EV_WRITE) or CONN_ERROR (errno set). 0 is returned only for nothing to send: a
 * transport never returns 0 for bytes it was given. A caller that gets 0 for a non-empty
 * buffer takes it as CONN_ERROR: counted as progress, it would loop forever, and waited on,
 * it could wait for an event that never comes. */
static inline ssize_t conn_send(struct conn *c, const void *buf, size_t len)
{
    return c->xprt->send(c, buf, len);
}

static inline ssize_t conn_sendv(struct conn *c, const struct iovec *iov, int n)
{
    return c->xprt->sendv(c, iov, n);
}

/* Hands the open connection src over to dst (another owner, e.g. a stream and the idle
 * pool): dst gets the socket and the transport, watched by cb with owner as data, and
 * registers nothing yet; src is left closed (fd -1, raw, no transport state). Every
 * reference conn.c keeps to src (the held[] list) is dropped: nothing refers to the old
 * address afterwards, so its memory may be reused at once. The only way a connection
 * changes address. */
void conn_move(struct conn *dst, struct conn *src, void (*cb)(struct ev_loop *, ev_io *, int),
               void *owner);

/* 1 when the transport holds bytes already received that no read has taken yet (TLS
 * records read ahead, plaintext of a record read in part). */
int conn_holds_bytes(const struct conn *c);

/* Builds the hash of a filled key. */
void conn_key_seal(struct conn_key *k);

/* 1 when a connection made with key a may carry a request needing key b. */
int conn_key_eq(const struct conn_key *a, const struct conn_key *b);

/* Ends our direction once (idempotent). */
void conn_shutw(struct conn *c);
/* Unregisters, releases the transport and closes the socket (idempotent). */
void conn_close(struct conn *c);

#endif
