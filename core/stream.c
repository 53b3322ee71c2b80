/* Streams: one client connection joined to one server connection. This file owns their life
 * cycle, server connections (with retries) and mode tcp, where the bytes are forwarded both
 * ways through two pooled buffers with half-close and the client/server/connect/tunnel/fin
 * timeouts. Mode http is driven by http.c through the same callbacks.
 *
 * Directions: "req" carries client -> server bytes, "res" server -> client. A buffer is taken
 * when bytes arrive and given back as soon as it is empty. */
#include "stream.h"

#include <errno.h>
#include <sys/time.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>
#include <unistd.h>

#include "backend.h"
#include "buf.h"
#include "conn.h"
#include "global.h"
#include "http-rules.h"
#include "http.h"
#include "listener.h"
#include "log.h"
#include "parse.h"
#include "pool.h"
#include "proxy.h"
#include "reuse.h"
#include "server.h"
#include "shm.h"
#include "tls.h"
#include "worker.h"


static struct pool strm_pool = {.name = "stream", .size = sizeof(struct stream)};
static struct stream *live_streams;
int strm_count;

static void cli_io_cb(struct ev_loop *l, ev_io *w, int revents);
static void srv_io_cb(struct ev_loop *l, ev_io *w, int revents);
static void strm_update(struct stream *s);
static void tcp_log(struct stream *s);
static void strm_start(struct stream *s);
static void strm_handshake(struct stream *s);
void strm_srv_connected(struct stream *s);

void strm_init(void)
{
    pool_register(&strm_pool);
}

const char *strm_addr(const struct stream *s, char *buf, int len)
{
    return parse_addr_str(&s->cli_addr, buf, len);
}

void strm_free(struct stream *s)
{
    char a[128];

    log_debug("%s: closing connection from %s (server %s)", s->fe->id,
              strm_addr(s, a, sizeof(a)), s->target ? s->target->id : "-");
    if (s->flags & SF_HS_FAILED)
        ; /* reported by log_conn_error() */
    else if (s->flags & SF_HTTP)
        http_end(s);
    else
        tcp_log(s);
    ev_timer_stop(loop, &s->timer);
    conn_close(&s->cli);
    strm_srv_release(s, 0);
    buf_put(s->req);
    buf_put(s->res);
    s->req = s->res = NULL;
    /* Arenas keep their first block with the pooled stream: no allocation per connection
     * once the pool is warm. */
    arena_reset(&s->arena);
    arena_reset(&s->sess_arena);
    if (s->prev)
        s->prev->next = s->next;
    else
        live_streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    strm_count--;
    wrk_stream_ended(s->lsn);
    pool_free(&strm_pool, s);
}

/* ---- timeouts ---------------------------------------------------------------------------- */

#define tmo strm_tmo

void strm_set_timer(struct stream *s, ev_tstamp d)
{
    ev_timer_stop(loop, &s->timer);
    if (d) {
        ev_tstamp delay = d - loop_now();

        ev_timer_set(&s->timer, delay > 0 ? delay : 0, 0);
        ev_timer_start(loop, &s->timer);
    }
}

/* The deadline of each side: returns 0 when that side has no timeout running. Once the
 * server is connected, "timeout tunnel" (when set) replaces both sides' timeouts; once one
 * direction is closed, client-fin/server-fin (when set) replace client/server. */
static ev_tstamp cli_deadline(const struct stream *s)
{
    const struct px_timeouts *t = &s->fe->conf.timeout;
    int ms = t->client;

    if (s->be && s->be->conf.timeout.tunnel && (s->srv.flags & CONN_F_CONNECTED)) {
        ev_tstamp last = s->cli_last > s->srv_last ? s->cli_last : s->srv_last;

        return last + tmo(s->be->conf.timeout.tunnel);
    }
    if ((s->cli.flags & (CONN_F_EOF | CONN_F_SHUTW)) && t->client_fin)
        ms = t->client_fin;
    return ms ? s->cli_last + tmo(ms) : 0;
}

static ev_tstamp srv_deadline(const struct stream *s)
{
    const struct px_timeouts *t;
    int ms;

    if (!s->be)
        return 0;
    t = &s->be->conf.timeout;
    if (s->srv.flags & CONN_F_CONNECTING)
        return t->connect ? s->conn_start + tmo(t->connect) : 0;
    if (!(s->srv.flags & CONN_F_CONNECTED) || t->tunnel)
        return 0; /* not connected yet, or covered by the tunnel deadline */
    ms = t->server;
    if ((s->srv.flags & (CONN_F_EOF | CONN_F_SHUTW)) && t->server_fin)
        ms = t->server_fin;
    return ms ? s->srv_last + tmo(ms) : 0;
}

static void arm_timer(struct stream *s)
{
    ev_tstamp c = cli_deadline(s), v = srv_deadline(s), d;

    d = !c ? v : !v ? c : c < v ? c : v;
    strm_set_timer(s, d);
}

/* ---- server connection ------------------------------------------------------------------- */

/* Fills addr with the server's address; port 0 means "the port the client connected to". */
static void target_addr(struct stream *s, struct sockaddr_storage *addr, socklen_t *len)
{
    *addr = s->target->addr.ss;
    *len = s->target->addr.sslen;
    if (s->target->addr.kind == PARSE_ADDR_INET && s->target->addr.port == 0) {
        struct sockaddr_storage dst;
        socklen_t dl = sizeof(dst);
        unsigned short port = 0;

        if (getsockname(s->cli.fd, (struct sockaddr *)&dst, &dl) == 0)
            port = dst.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&dst)->sin6_port
                                             : ((struct sockaddr_in *)&dst)->sin_port;
        if (addr->ss_family == AF_INET6)
            ((struct sockaddr_in6 *)addr)->sin6_port = port;
        else
            ((struct sockaddr_in *)addr)->sin_port = port;
    }
}

void strm_srv_key(struct stream *s, struct server *srv, struct conn_key *key)
{
    key->target = srv;
    tls_server_key(srv, &s->env, key);
    conn_key_seal(key);
}

void strm_srv_release(struct stream *s, int to_pool)
{
    if (s->flags & SF_SRV_COUNTED) {
        s->target->cur_conns--;
        s->flags &= ~SF_SRV_COUNTED;
    }
    s->flags &= ~SF_SRV_ATTACHED;
    if (s->srv.fd >= 0) {
        if (to_pool && (s->srv.flags & CONN_F_CONNECTED))
            reuse_put(&s->srv_key, &s->srv); /* leaves s->srv closed */
        else
            conn_close(&s->srv);
    }
    s->srv.flags = 0;
}

/* Counts the stream's server connection in its server's cur_conns, once. */
static void srv_count(struct stream *s)
{
    if (!(s->flags & SF_SRV_COUNTED)) {
        s->target->cur_conns++;
        s->flags |= SF_SRV_COUNTED;
    }
}

/* Connects to srv for the current request: an idle connection with the request's key when
 * http-reuse allows, else a new one made with that key. Returns 0 when a connection is ready
 * or in progress, -1 when none could be started at once (errno tells why); the caller
 * decides whether to try again. */
static int connect_to(struct stream *s, struct server *srv)
{
    struct sockaddr_storage addr;
    socklen_t len;

    s->target = srv;
    s->srv_be = s->be;
    s->info.t.Tw = 0;
    strm_srv_key(s, srv, &s->srv_key);
    if (s->env.err) {
        /* the sni expression could not be decided (a regex at its limit): never connect
         * without the name, or with another one; no retry either (strm_connect_srv) */
        errno = EINVAL;
        return -1;
    }
    if ((s->flags & SF_HTTP) && http_may_reuse(s) &&
        reuse_get(&s->srv_key, &s->srv, srv_io_cb, s)) {
        s->flags |= SF_REUSED;
        srv_count(s);
        s->srv_last = loop_now();
        return 0;
    }
    s->flags &= ~SF_REUSED;
    target_addr(s, &addr, &len);
    s->conn_start = loop_now();
    if (conn_connect(&s->srv, (struct sockaddr *)&addr, len, srv_io_cb, s) == 0) {
        if (tls_server_has(srv) && tls_conn_connect(&s->srv, srv, &s->srv_key) < 0) {
            conn_close(&s->srv);
            errno = ENOMEM;
            return -1;
        }
        if (s->srv.flags & CONN_F_CONNECTED)
            strm_srv_connected(s);
        return 0;
    }
    log_debug("%s: cannot connect to server %s/%s: %s", s->fe->id, s->be->id, srv->id,
              strerror(errno));
    return -1;
}

int strm_connect_srv(struct stream *s, struct server *srv)
{
    while (srv) {
        if (connect_to(s, srv) == 0)
            return 0;
        if (s->env.err)
            return -1; /* an evaluation error is not a connection failure: no retry */
        if (s->retries_left-- <= 0)
            return -1;
        s->info.retries++;
        srv = be_pick_server(s->be, srv);
    }
    log_debug("%s: no server available in backend '%s'", s->fe->id, s->be->id);
    return -1;
}

int strm_connect(struct stream *s)
{
    return strm_connect_srv(s, be_pick_server(s->be, s->target));
}

/* The current attempt failed: try again on another server while retries are left. */
int strm_retry(struct stream *s)
{
    log_debug("%s: connection to server %s/%s failed: %s", s->fe->id, s->be->id,
              s->target->id, strerror(errno));
    strm_srv_release(s, 0);
    if (s->retries_left-- <= 0)
        return -1;
    s->info.retries++;
    return strm_connect(s);
}

/* ---- data transfer ----------------------------------------------------------------------- */

long strm_pull(struct stream *s, struct conn *from, struct buf **bufp, ev_tstamp *last,
               uint64_t *ctr)
{
    struct buf *b = *bufp;
    long total = 0;
    ssize_t n;

    if (!b) {
        b = *bufp = buf_get();
        if (!b)
            return -1; /* out of memory: drop this stream, keep the others */
    }
    while (buf_room(b)) {
        n = conn_recv(from, buf_tail(b), buf_room(b));
        if (n > 0) {
            b->data += (uint32_t)n;
            total += n;
            *last = loop_now();
            if (ctr)
                shm_add(ctr, (uint64_t)n);
            if ((size_t)n < 4096)
                break; /* a short read: the socket is likely drained */
            continue;
        }
        if (n == 0) {
            from->flags |= CONN_F_EOF;
            *last = loop_now();
        } else if (n == CONN_ERROR) {
            from->flags |= CONN_F_EOF | CONN_F_ERROR;
        }
        break;
    }
    if (!b->data) {
        buf_put(b);
        *bufp = NULL;
    }
    return total;
}

/* Sends bytes of *bufp to conn `to`. Returns the number of bytes sent. */
static uint64_t push(struct conn *to, struct buf **bufp, ev_tstamp *last, uint64_t *ctr)
{
    struct buf *b = *bufp;
    uint64_t sent = 0;
    ssize_t n;

    while (b && b->data) {
        n = conn_send(to, buf_peek(b), b->data);
        if (n > 0) {
            buf_consume(b, (uint32_t)n);
            sent += (uint64_t)n;
            *last = loop_now();
            if (ctr)
                shm_add(ctr, (uint64_t)n);
            continue;
        }
        if (n == CONN_ERROR || n == 0) { /* 0 for bytes to send: see conn_send() */
            /* The peer is gone: what it has not taken can never reach it. */
            to->flags |= CONN_F_ERROR | CONN_F_SHUTW;
            b->data = 0;
        }
        break;
    }
    if (b && !b->data) {
        buf_put(b);
        *bufp = NULL;
    }
    return sent;
}

static void cli_io_cb(struct ev_loop *l, ev_io *w, int revents)
{
    struct stream *s = w->data;

    if (s->flags & SF_HANDSHAKE) {
        strm_handshake(s);
        return;
    }
    /* TLS may wait for the other direction: try both */
    if (s->cli.xwant)
        revents |= EV_READ | EV_WRITE;
    if (s->flags & SF_HTTP) {
        http_cli_io(s, revents);
        return;
    }
    if ((revents & EV_WRITE) && s->res)
        s->info.bytes_out += push(&s->cli, &s->res, &s->cli_last,
                                  shm_self ? &shm_self->bytes_out : NULL);
    for (int round = 1; (revents & EV_READ) && !(s->cli.flags & CONN_F_EOF); round++) {
        long n = strm_pull(s, &s->cli, &s->req, &s->cli_last,
                           shm_self ? &shm_self->bytes_in : NULL);
        int full;

        if (n < 0) {
            strm_free(s);
            return;
        }
        s->info.bytes_in += (uint64_t)n;
        if (!s->req || !(s->srv.flags & CONN_F_CONNECTED))
            break;
        full = s->req->data == s->req->size;
        push(&s->srv, &s->req, &s->srv_last, NULL);
        if (!full || s->req || round == STRM_BULK_ROUNDS || (s->srv.flags & CONN_F_ERROR))
            break;
    }
    strm_update(s);
}

static void srv_io_cb(struct ev_loop *l, ev_io *w, int revents)
{
    struct stream *s = w->data;

    if (s->srv.xwant && !(s->srv.flags & CONN_F_CONNECTING))
        revents |= EV_READ | EV_WRITE;
    if (s->flags & SF_HTTP) {
        http_srv_io(s, revents);
        return;
    }
    if (s->srv.flags & CONN_F_CONNECTING) {
        int r = strm_srv_connect_event(s, revents);

        if (r < 0) {
            memcpy(s->info.term, "SC", 2);
            strm_free(s);
            return;
        }
        if (r == 0) {
            strm_update(s);
            return;
        }
        log_debug("%s: connected to server %s/%s", s->fe->id, s->be->id, s->target->id);
    }
    if ((revents & EV_WRITE) && s->req)
        push(&s->srv, &s->req, &s->srv_last, NULL);
    for (int round = 1; (revents & EV_READ) && !(s->srv.flags & CONN_F_EOF); round++) {
        int full;

        if (strm_pull(s, &s->srv, &s->res, &s->srv_last, NULL) < 0) {
            strm_free(s);
            return;
        }
        if (!s->res)
            break;
        full = s->res->data == s->res->size;
        s->info.bytes_out += push(&s->cli, &s->res, &s->cli_last,
                                  shm_self ? &shm_self->bytes_out : NULL);
        if (!full || s->res || round == STRM_BULK_ROUNDS || (s->cli.flags & CONN_F_ERROR))
            break;
    }
    strm_update(s);
}

/* Propagates closes, decides which events each side waits for, and ends the stream when
 * both directions are over. */
static void strm_update(struct stream *s)
{
    struct conn *c = &s->cli, *v = &s->srv;
    unsigned cw = 0, vw = 0;

    /* A client that failed is gone: nothing of the exchange can reach it any more. */
    if (c->flags & CONN_F_ERROR) {
        memcpy(s->info.term, "CD", 2);
        strm_free(s);
        return;
    }
    if ((v->flags & CONN_F_ERROR) && s->info.term[0] == '-')
        memcpy(s->info.term, "SD", 2);
    /* Client done sending and everything forwarded: pass the half-close on. */
    if ((c->flags & CONN_F_EOF) && !s->req && (v->flags & CONN_F_CONNECTED))
        conn_shutw(v);
    /* Server done sending (or failed) and everything forwarded: pass it on. */
    if ((v->flags & CONN_F_EOF) && !s->res)
        conn_shutw(c);
    if (v->flags & CONN_F_ERROR) {
        buf_put(s->req);
        s->req = NULL;
    }
    if ((v->flags & CONN_F_EOF) && (c->flags & CONN_F_SHUTW) &&
        (((c->flags & CONN_F_EOF) && (v->flags & CONN_F_SHUTW)) || (v->flags & CONN_F_ERROR))) {
        strm_free(s);
        return;
    }
    if (!(c->flags & CONN_F_EOF) && (!s->req || s->req->data < s->req->size) &&
        !(v->flags & CONN_F_SHUTW))
        cw |= CONN_EV_READ;
    if (s->res)
        cw |= CONN_EV_WRITE;
    if (v->flags & CONN_F_CONNECTING) {
        vw = CONN_EV_WRITE;
    } else if (v->flags & CONN_F_CONNECTED) {
        if (!(v->flags & CONN_F_EOF) && (!s->res || s->res->data < s->res->size))
            vw |= CONN_EV_READ;
        if (s->req)
            vw |= CONN_EV_WRITE;
    }
    conn_want(c, cw);
    conn_want(v, vw);
    arm_timer(s);
}

static void timer_cb(struct ev_loop *l, ev_timer *w, int revents)
{
    struct stream *s = w->data;

    if (s->flags & SF_HANDSHAKE) {
        log_debug("%s: client timeout during the TLS handshake", s->fe->id);
        memcpy(s->info.term, "cR", 2);
        s->flags |= SF_HS_FAILED;
        log_conn_error(&s->env, "Timeout during SSL handshake");
        strm_free(s);
        return;
    }
    if (s->flags & SF_HTTP) {
        http_timer(s);
        return;
    }
    {
    ev_tstamp now = loop_now(), c = cli_deadline(s), v = srv_deadline(s);

    if (v && now >= v && (s->srv.flags & CONN_F_CONNECTING)) {
        errno = ETIMEDOUT;
        if (strm_retry(s) < 0) {
            memcpy(s->info.term, "sC", 2);
            strm_free(s);
            return;
        }
        strm_update(s);
        return;
    }
    if ((c && now >= c) || (v && now >= v)) {
        char a[128];

        log_debug("%s: %s timeout on connection from %s", s->fe->id,
                  c && now >= c ? "client" : "server", strm_addr(s, a, sizeof(a)));
        memcpy(s->info.term, c && now >= c ? "cD" : "sD", 2);
        strm_free(s);
        return;
    }
    arm_timer(s);
    }
}

int strm_srv_connect_event(struct stream *s, int revents)
{
    int cr;

    if (!(revents & EV_WRITE) && !(s->srv.flags & CONN_F_XPRT_HS))
        return 0;
    cr = conn_connect_progress(&s->srv);
    if (cr > 0) {
        strm_srv_connected(s);
        return 1;
    }
    if (cr == 0)
        return 0;
    return strm_retry(s) < 0 ? -1 : 0;
}

void strm_srv_connected(struct stream *s)
{
    srv_count(s);
    s->target->cum_conns++;
    s->srv_last = loop_now();
    s->info.t.Tc = (long)((loop_now() - s->conn_start) * 1000);
}

static struct var_store proc_vars; /* proc-scope variables of this worker */

/* What rules, samples and logs may read about this stream. */
static void strm_env_init(struct stream *s)
{
    s->env = (struct smp_env){
        .src = &s->cli_addr,
        .dst = &s->dst_addr,
        .fe = s->fe,
        .txn = (s->flags & SF_HTTP) ? &s->txn : NULL,
        .arena = &s->arena,
        .info = &s->info,
        .avail = SMP_USE_L4,
        .bind_name = s->lsn->name,
    };
    s->vars[VAR_SCOPE_SESS] = (struct var_store){.arena = &s->sess_arena};
    for (int i = VAR_SCOPE_TXN; i < VAR_SCOPE_COUNT; i++)
        s->vars[i] = (struct var_store){.arena = &s->arena};
    s->env.vars[VAR_SCOPE_PROC] = &proc_vars;
    for (int i = VAR_SCOPE_SESS; i < VAR_SCOPE_COUNT; i++)
        s->env.vars[i] = &s->vars[i];
}

/* mode tcp: the connection's log line, once, when it ends. */
static void tcp_log(struct stream *s)
{
    struct strm_info *i = &s->info;

    i->t.Tt = (long)((loop_now() - s->cli_last_accept) * 1000.0);
    i->t.Td = i->t.Tt - (i->t.Tc > 0 ? i->t.Tc : 0);
    i->actconn = strm_count;
    i->feconn = s->fe->feconn;
    i->srvconn = s->target ? s->target->cur_conns : 0;
    s->env.be = s->be;
    s->env.srv = s->target;
    log_traffic(&s->env);
}

static void strm_info_init(struct strm_info *i)
{
    i->t.Th = 0;
    i->t.Ti = i->t.TR = i->t.Tw = i->t.Tc = i->t.Tr = i->t.Td = i->t.Ta = i->t.Tt = -1;
    i->t.Tq = -1;
    i->status = -1;
    memcpy(i->term, "----", 5);
}

/* ---- accept ------------------------------------------------------------------------------ */

int strm_accept(struct listener *l, int fd, const struct sockaddr_storage *addr)
{
    int fresh;
    struct stream *s = pool_alloc_ex(&strm_pool, &fresh);
    struct arena keep, keep_sess;
    socklen_t dl = sizeof(struct sockaddr_storage);
    char a[128];

    if (!s)
        return -1;
    /* A recycled stream keeps its arenas' first blocks; a new one starts with none. */
    keep = fresh ? (struct arena){0} : s->arena;
    keep_sess = fresh ? (struct arena){0} : s->sess_arena;
    memset(s, 0, sizeof(*s));
    s->arena = keep;
    s->sess_arena = keep_sess;
    s->lsn = l;
    s->fe = l->px;
    s->be = l->px->defbe;
    s->cli_addr = *addr;
    if (getsockname(fd, (struct sockaddr *)&s->dst_addr, &dl) < 0)
        s->dst_addr.ss_family = AF_UNSPEC;
    s->cli_last = s->srv_last = loop_now();
    conn_init(&s->cli, fd, cli_io_cb, s);
    s->srv.fd = -1;
    ev_init(&s->timer, timer_cb);
    s->timer.data = s;
    gettimeofday(&s->info.accept_date, NULL);
    strm_info_init(&s->info);
    /* TCP_NODELAY comes from the listening socket */
    s->next = live_streams;
    if (live_streams)
        live_streams->prev = s;
    live_streams = s;
    strm_count++;
    log_debug("%s: accepted connection from %s", s->fe->id, strm_addr(s, a, sizeof(a)));
    s->cli_last_accept = loop_now();
    if (s->fe->conf.mode == PX_MODE_HTTP)
        s->flags |= SF_HTTP;
    strm_env_init(s);
    log_accept(&s->env);
    if (tls_listener_has(l)) {
        if (tls_conn_accept(&s->cli, l) < 0) {
            strm_free(s);
            return 0;
        }
        s->flags |= SF_HANDSHAKE;
        s->env.tls = s->cli.xprt_ctx;
        conn_want(&s->cli, CONN_EV_READ);
        /* a client that stalls mid-handshake is cut by timeout client */
        strm_set_timer(s, s->fe->conf.timeout.client
                              ? loop_now() + tmo(s->fe->conf.timeout.client) : 0);
        return 0;
    }
    strm_start(s);
    return 0;
}

/* mode tcp: an evaluation could not be decided (s->env.err, a regex at its match limit): the
 * connection is closed, logged "PR" with the reason, instead of going anywhere. */
static void close_undecided(struct stream *s)
{
    log_warning("%s: connection refused: %s", s->fe->id, s->env.err);
    s->env.err = NULL;
    memcpy(s->info.term, "PR", 2);
    strm_free(s);
}

/* The client connection is ready (accepted, TLS handshake done): start the mode's work. */
static void strm_start(struct stream *s)
{
    if (s->flags & SF_HTTP) {
        http_start(s);
        return;
    }
    /* mode tcp: use_backend rules see the connection (addresses, ports) */
    s->env.err = NULL;
    s->be = http_rules_backend(s, s->fe);
    if (s->env.err) {
        /* a condition could not be decided (a regex at its limit): fail closed, never fall
         * through to the default backend */
        close_undecided(s);
        return;
    }
    if (!s->be)
        s->be = s->fe->defbe;
    s->env.be = s->be;
    if (!s->be) {
        memcpy(s->info.term, "PC", 2);
        strm_free(s);
        return;
    }
    s->retries_left = s->be->conf.retries;
    if (strm_connect(s) < 0) {
        if (s->env.err) { /* the server's sni could not be decided */
            close_undecided(s);
            return;
        }
        memcpy(s->info.term, "SC", 2);
        strm_free(s);
        return;
    }
    strm_update(s);
}

/* Drives the client's TLS handshake; starts the stream once it is complete. */
static void strm_handshake(struct stream *s)
{
    int r = tls_handshake(&s->cli);

    if (r < 0) {
        log_debug("%s: TLS handshake failed", s->fe->id);
        memcpy(s->info.term, "CR", 2);
        s->flags |= SF_HS_FAILED;
        log_conn_error(&s->env, "SSL handshake failure");
        strm_free(s);
        return;
    }
    if (r == 0) {
        conn_want(&s->cli, CONN_EV_READ);
        return;
    }
    s->flags &= ~SF_HANDSHAKE;
    s->info.t.Th = (long)((loop_now() - s->cli_last_accept) * 1000.0);
    s->info.ssl_version = tls_conn_version(&s->cli);
    s->info.ssl_cipher = tls_conn_cipher(&s->cli);
    s->cli_last = loop_now();
    strm_start(s);
}
