/* Connections and the raw TCP transport. */
#include "conn.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
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

static void held_del(struct conn *c);

void conn_init(struct conn *c, int fd, void (*cb)(struct ev_loop *, ev_io *, int), void *owner)
{
    c->fd = fd;
    c->flags = 0;
    c->want = 0;
    c->xprt = &conn_raw_xprt;
    c->xprt_ctx = NULL;
    c->xwant = 0;
    c->_held = 0;
    ev_io_init(&c->io, cb, fd, 0);
    c->io.data = owner;
}

void conn_move(struct conn *dst, struct conn *src, void (*cb)(struct ev_loop *, ev_io *, int),
               void *owner)
{
    ev_io_stop(loop, &src->io); /* also drops an event fed and not yet delivered */
    held_del(src);
    *dst = *src;
    dst->want = 0;
    dst->_held = 0;
    ev_io_init(&dst->io, cb, dst->fd, 0);
    dst->io.data = owner;
    src->fd = -1;
    src->flags = 0;
    src->want = 0;
    src->xwant = 0;
    src->xprt = &conn_raw_xprt;
    src->xprt_ctx = NULL;
}

/* FNV-1a, 64 bits: a quick filter only, equal keys are confirmed field by field. */
static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;

    for (size_t i = 0; i < n; i++)
        h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

void conn_key_seal(struct conn_key *k)
{
    uint64_t h = 0xcbf29ce484222325ULL;

    h = fnv(h, &k->target, sizeof(k->target));
    h = fnv(h, &k->alpn_len, sizeof(k->alpn_len));
    if (k->alpn_len)
        h = fnv(h, k->alpn, k->alpn_len);
    h = fnv(h, &k->sni_len, sizeof(k->sni_len));
    k->hash = fnv(h, k->sni, k->sni_len);
}

int conn_key_eq(const struct conn_key *a, const struct conn_key *b)
{
    return a->hash == b->hash && a->target == b->target && a->alpn_len == b->alpn_len &&
           a->sni_len == b->sni_len && (!a->alpn_len || !memcmp(a->alpn, b->alpn, a->alpn_len)) &&
           !memcmp(a->sni, b->sni, a->sni_len);
}

/* ---- bytes the transport holds ------------------------------------------------------------
 * TLS plaintext of a record read in part, or records read ahead, wake nobody: the socket may
 * stay empty for good. Such connections are listed here and given one read event per turn
 * of the loop, from a check watcher (after the events of the turn), while an idle watcher
 * keeps the loop from blocking in epoll. Feeding the event from the owner's own callback
 * would run it again at once, over and over, and starve every other connection.
 * The list holds addresses of struct conn owned by others (streams, idle pool entries): a
 * connection is taken off it when it is closed (conn_close) and when it changes address
 * (conn_move), so every listed pointer is a live connection of its current owner. Each
 * listed connection knows its slot (c->_held) so that both are O(1). */
#define HELD_MAX 1024

static struct conn *held[HELD_MAX];
static int nheld;
static ev_check held_check;
static ev_idle held_idle;

int conn_holds_bytes(const struct conn *c)
{
    return c->fd >= 0 && c->xprt->pending && c->xprt->pending(c);
}

static void held_del(struct conn *c)
{
    int i = c->_held - 1;

    if (i < 0)
        return;
    c->_held = 0;
    if (i != --nheld) {
        held[i] = held[nheld];
        held[i]->_held = i + 1;
    }
}

static void held_check_cb(struct ev_loop *l, ev_check *w, int revents)
{
    struct conn *list[HELD_MAX];
    int n = nheld;

    /* Events are only queued here; no owner runs before the loop is over, so every listed
     * connection stays valid through it. A fed event that is still pending when its
     * connection is closed is dropped by ev_io_stop() in conn_close(). */
    memcpy(list, held, sizeof(*list) * (size_t)n);
    nheld = 0;
    for (int i = 0; i < n; i++)
        list[i]->_held = 0;
    for (int i = 0; i < n; i++)
        if ((list[i]->want & CONN_EV_READ) && conn_holds_bytes(list[i]))
            ev_feed_event(l, &list[i]->io, EV_READ);
    if (!nheld) {
        ev_check_stop(l, &held_check);
        ev_idle_stop(l, &held_idle);
    }
}

static void held_idle_cb(struct ev_loop *l, ev_idle *w, int revents)
{
    /* nothing: being active keeps the loop from blocking while connections wait above */
}

static void held_add(struct conn *c)
{
    if (c->_held)
        return;
    if (nheld == HELD_MAX) {
        ev_feed_event(loop, &c->io, EV_READ); /* a full list: deliver at once */
        return;
    }
    held[nheld++] = c;
    c->_held = nheld;
    if (!ev_is_active(&held_check)) {
        ev_check_init(&held_check, held_check_cb);
        ev_idle_init(&held_idle, held_idle_cb);
        ev_check_start(loop, &held_check);
        ev_idle_start(loop, &held_idle);
    }
}

void conn_want(struct conn *c, unsigned want)
{
    unsigned asked = want;
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
    /* the owner wants to read (not only the transport) and bytes are held: see above */
    if ((asked & CONN_EV_READ) && conn_holds_bytes(c))
        held_add(c);
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
    held_del(c);
    c->xprt->close(c);
    close(c->fd);
    c->fd = -1;
    c->want = 0;
}
