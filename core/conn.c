/* Connections and the raw TCP transport. */
#include "conn.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

static ssize_t raw_recv(struct conn *c, void *buf, size_t len)
{
    ssize_t n;

    do
        n = recv(c->fd, buf, len, 0);
    while (n < 0 && errno == EINTR);
    if (n >= 0)
        return n;
    return errno == EAGAIN || errno == EWOULDBLOCK ? CONN_AGAIN : CONN_ERROR;
}

static ssize_t raw_send(struct conn *c, const void *buf, size_t len)
{
    ssize_t n;

    do
        n = send(c->fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    if (n >= 0)
        return n;
    return errno == EAGAIN || errno == EWOULDBLOCK ? CONN_AGAIN : CONN_ERROR;
}

static ssize_t raw_sendv(struct conn *c, const struct iovec *iov, int n)
{
    struct msghdr mh = {.msg_iov = (struct iovec *)iov, .msg_iovlen = (size_t)n};
    ssize_t r;

    do
        r = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
    while (r < 0 && errno == EINTR);
    if (r >= 0)
        return r;
    return errno == EAGAIN || errno == EWOULDBLOCK ? CONN_AGAIN : CONN_ERROR;
}

static int raw_shutw(struct conn *c)
{
    return shutdown(c->fd, SHUT_WR);
}

static void raw_close(struct conn *c)
{
}

const struct xprt_ops conn_raw_xprt = {
    .name = "raw",
    .recv = raw_recv,
    .send = raw_send,
    .sendv = raw_sendv,
    .shutw = raw_shutw,
    .close = raw_close,
};

void conn_init(struct conn *c, int fd, void (*cb)(struct ev_loop *, ev_io *, int), void *owner)
{
    c->fd = fd;
    c->flags = 0;
    c->want = 0;
    c->xprt = &conn_raw_xprt;
    c->xprt_ctx = NULL;
    c->xwant = 0;
    ev_io_init(&c->io, cb, fd, 0);
    c->io.data = owner;
}

void conn_want(struct conn *c, unsigned want)
{
    int ev;

    /* TLS may need the other direction to progress (a handshake message, a key update);
     * during a client handshake it needs exactly what it asked for */
    if ((c->flags & CONN_F_XPRT_HS) && c->xwant)
        want = c->xwant;
    else if (want && c->xwant)
        want |= c->xwant;
    ev = (want & CONN_EV_READ ? EV_READ : 0) | (want & CONN_EV_WRITE ? EV_WRITE : 0);

    if (c->fd < 0)
        return;
    if (want != c->want) {
        c->want = want;
        ev_io_stop(loop, &c->io); /* also drops an event fed below and not yet delivered */
        ev_io_set(&c->io, c->fd, ev);
        if (ev)
            ev_io_start(loop, &c->io);
    }
    /* Bytes the transport holds wake nobody: the socket may stay empty for good (the end of
     * an upload whose last record was read in part while the buffer was full). Deliver the
     * read event ourselves; the owner reads them on its next turn through the loop. */
    if ((want & CONN_EV_READ) && c->xprt->pending && c->xprt->pending(c))
        ev_feed_event(loop, &c->io, EV_READ);
}

int conn_connect(struct conn *c, const struct sockaddr *addr, socklen_t len,
                 void (*cb)(struct ev_loop *, ev_io *, int), void *owner)
{
    int one = 1;
    int fd = socket(addr->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);

    if (fd < 0)
        return -1;
    if (addr->sa_family != AF_UNIX)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    conn_init(c, fd, cb, owner);
    if (connect(fd, addr, len) == 0) {
        c->flags |= CONN_F_CONNECTED;
        return 0;
    }
    if (errno == EINPROGRESS) {
        c->flags |= CONN_F_CONNECTING;
        return 0;
    }
    {
        int e = errno;

        close(fd);
        c->fd = -1;
        errno = e;
    }
    return -1;
}

int conn_connect_progress(struct conn *c)
{
    int r;

    if (!(c->flags & CONN_F_XPRT_HS)) {
        int err = 0;
        socklen_t len = sizeof(err);

        if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
            err = errno;
        if (err) {
            errno = err;
            return -1;
        }
        if (!c->xprt->handshake) {
            c->flags &= ~CONN_F_CONNECTING;
            c->flags |= CONN_F_CONNECTED;
            return 1;
        }
        c->flags |= CONN_F_XPRT_HS;
    }
    r = c->xprt->handshake(c);
    if (r < 0) {
        errno = EPROTO;
        return -1;
    }
    if (r == 0)
        return 0;
    c->flags &= ~(CONN_F_CONNECTING | CONN_F_XPRT_HS);
    c->flags |= CONN_F_CONNECTED;
    return 1;
}

void conn_shutw(struct conn *c)
{
    if (c->fd < 0 || (c->flags & CONN_F_SHUTW))
        return;
    c->flags |= CONN_F_SHUTW;
    if (!(c->flags & CONN_F_ERROR))
        c->xprt->shutw(c);
}

void conn_close(struct conn *c)
{
    if (c->fd < 0)
        return;
    ev_io_stop(loop, &c->io);
    c->xprt->close(c);
    close(c->fd);
    c->fd = -1;
    c->want = 0;
}
