/* Unit tests: connections listed in conn.c's held[] (a transport holding bytes) and their
 * hand-over between owners (core/conn.c, core/reuse.c). A fake transport claims to hold
 * bytes; its close() counts. The regression: a connection released to the idle pool while
 * listed, then taken back by a stream, stayed listed under the pool entry's address; the
 * next turn of the loop ran the freed entry's watcher, which closed the stream's
 * connection (transport and socket) and freed the entry again. */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "conn.h"
#include "loop.h"
#include "reuse.h"
#include "server.h"
#include "tap.h"

static int pending_bytes = 1; /* what the fake transport reports */
static int closes;            /* xprt close() calls */
static int reads;             /* read events delivered to the owner */

static ssize_t f_recv(struct conn *c, void *buf, size_t len) { return CONN_AGAIN; }
static ssize_t f_send(struct conn *c, const void *buf, size_t len) { return (ssize_t)len; }
static ssize_t f_sendv(struct conn *c, const struct iovec *iov, int n) { return 0; }
static int f_shutw(struct conn *c) { return 0; }
static void f_close(struct conn *c) { closes++; }
static int f_pending(const struct conn *c) { return pending_bytes; }

static const struct xprt_ops fake = {
    .name = "fake", .recv = f_recv, .send = f_send, .sendv = f_sendv, .shutw = f_shutw,
    .close = f_close, .pending = f_pending,
};

static void owner_cb(struct ev_loop *l, ev_io *w, int revents)
{
    reads++;
}

static int fd_open(int fd)
{
    return fcntl(fd, F_GETFD) >= 0;
}

/* one turn of the loop: the held check runs and fed events are delivered */
static void turn(void)
{
    ev_run(loop, EVRUN_NOWAIT);
    ev_run(loop, EVRUN_NOWAIT);
}

int main(void)
{
    struct server srv = {.id = "s"};
    struct conn_key key = {.target = &srv}, other = {.target = &srv, .sni_len = 1, .sni = "b"};
    struct conn a, b, taken;
    int sv[2];

    loop_init();
    conn_key_seal(&key);
    conn_key_seal(&other);
    ok(!conn_key_eq(&key, &other), "keys differing by SNI are not equal");
    ok(conn_key_eq(&key, &key), "a key equals itself");

    /* a listed connection that is closed is not listed any more */
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    conn_init(&a, sv[0], owner_cb, NULL);
    a.xprt = &fake;
    a.flags = CONN_F_CONNECTED;
    conn_want(&a, CONN_EV_READ);
    ok(a._held != 0, "a connection whose transport holds bytes is listed");
    conn_close(&a);
    is_int(a._held, 0, "closing it takes it off the list");
    reads = 0;
    turn();
    is_int(reads, 0, "no event for a closed connection");
    close(sv[1]);

    /* a listed connection moved to another address: the event goes to the new owner only */
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    conn_init(&a, sv[0], owner_cb, NULL);
    a.xprt = &fake;
    a.flags = CONN_F_CONNECTED;
    conn_want(&a, CONN_EV_READ);
    conn_move(&b, &a, owner_cb, NULL);
    is_int(a.fd, -1, "the old address is left closed");
    is_int(a._held, 0, "and off the list");
    conn_want(&b, CONN_EV_READ);
    reads = 0;
    turn();
    ok(reads >= 1, "the new owner gets the read event for the held bytes");
    closes = 0;
    conn_close(&b);
    is_int(closes, 1, "closed once");
    close(sv[1]);

    /* the pool never keeps a connection whose transport holds bytes */
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    conn_init(&a, sv[0], owner_cb, NULL);
    a.xprt = &fake;
    a.flags = CONN_F_CONNECTED;
    conn_want(&a, CONN_EV_READ);
    closes = 0;
    reuse_put(&key, &a);
    is_int(closes, 1, "released with bytes held: closed, not pooled");
    is_int(srv.nb_idle, 0, "nothing idle");
    is_int(reuse_get(&key, &taken, owner_cb, NULL), 0, "nothing to take");
    close(sv[1]);

    /* pooled quiet, then taken back and made to hold bytes: the stream's connection is the
     * only one listed, the pool entry (freed) never runs */
    pending_bytes = 0;
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv);
    conn_init(&a, sv[0], owner_cb, NULL);
    a.xprt = &fake;
    a.flags = CONN_F_CONNECTED;
    reuse_put(&key, &a);
    is_int(srv.nb_idle, 1, "a quiet connection is pooled");
    is_int(reuse_get(&other, &taken, owner_cb, NULL), 0, "not for another SNI");
    is_int(reuse_get(&key, &taken, owner_cb, NULL), 1, "taken back with its own key");
    is_int(srv.nb_idle, 0, "the pool is empty");
    pending_bytes = 1;
    conn_want(&taken, CONN_EV_READ);
    closes = reads = 0;
    turn();
    is_int(closes, 0, "nothing closed the stream's connection");
    ok(fd_open(taken.fd), "its socket is still open");
    ok(reads >= 1, "its owner got the read event");
    is_int(srv.nb_idle, 0, "the pool count is intact");
    conn_close(&taken);
    close(sv[1]);
    return done_testing();
}
