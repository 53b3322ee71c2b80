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

static inline ssize_t conn_send(struct conn *c, const void *buf, size_t len)
{
    return c->xprt->send(c, buf, len);
}

static inline ssize_t conn_sendv(struct conn *c, const struct iovec *iov, int n)
{
    return c->xprt->sendv(c, iov, n);
}

/* Ends our direction once (idempotent). */
void conn_shutw(struct conn *c);
/* Unregisters, releases the transport and closes the socket (idempotent). */
void conn_close(struct conn *c);

#endif
