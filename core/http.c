/* The HTTP/1.1 engine. A stream in mode http alternates between a request side and a
 * response side, each a small state machine:
 *
 *   request:  IDLE -> (HEAD) -> BODY -> DONE        (TUNNEL after an upgrade)
 *   response: WAIT -> BODY -> DONE                  (TUNNEL after 101)
 *
 * A head is parsed in place in the receive buffer (h1.c), copied into the transaction's
 * arena as an editable header list, run through the rules, and written once into a new head
 * that is sent with the body bytes that follow it in the buffer (one sendmsg for both).
 * Bodies are never held whole: they are scanned (Content-Length or chunked) as they arrive
 * and forwarded from the receive buffer. When both sides are done the transaction is logged
 * and the connection either waits for the next request or closes; the server connection
 * stays attached, goes to the idle pool (http-reuse) or is closed. */
#include "http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "backend.h"
#include "buf.h"
#include "cfg.h"
#include "conn.h"
#include "global.h"
#include "h1.h"
#include "http-err.h"
#include "http-msg.h"
#include "http-rules.h"
#include "listener.h"
#include "log.h"
#include "parse.h"
#include "proxy.h"
#include "reuse.h"
#include "server.h"
#include "shm.h"
#include "str.h"
#include "stream.h"
#include "tls.h"

#define MAX_TRAILERS 16384 /* bytes of chunked trailers accepted */


static struct h1_hdr *h1_scratch; /* headers of the head being parsed (one at a time) */

static void http_process(struct stream *s);

/* tune.http.maxhdr counts the start line, as HAProxy documents it. */
static int max_hdrs(void)
{
    return global.maxhdr > 1 ? global.maxhdr - 1 : 1;
}

static ev_tstamp ms_since(ev_tstamp t)
{
    return (loop_now() - t) * 1000.0;
}

/* ---- transactions ------------------------------------------------------------------------ */

static void txn_init(struct stream *s)
{
    memset(&s->txn, 0, sizeof(s->txn));
    s->txn.arena = &s->arena;
    s->txn.log_level = -1;
    memset(&s->rqb, 0, sizeof(s->rqb));
    memset(&s->rsb, 0, sizeof(s->rsb));
    s->hq = s->hs = NULL;
    s->hq_len = s->hq_off = s->hs_len = s->hs_off = 0;
    s->srv_head = NULL;
    s->srv_head_len = 0;
    s->res_bytes = 0;
    s->hd_seen = 0;
    s->flags &= ~(SF_GENERATED | SF_HEAD_REQ | SF_UPGRADE | SF_LOGGED | SF_SRV_KA |
                  SF_REQ_SENT | SF_REUSED | SF_NO_AFTER);
    s->env.err = NULL; /* an undecided evaluation belongs to the transaction that had it */
    s->rq = RQ_IDLE;
    s->rs = RS_WAIT;
    s->req_start = loop_now();
    /* per-transaction log fields */
    s->info.t.Ti = s->info.t.TR = s->info.t.Tw = s->info.t.Tc = -1;
    s->info.t.Tr = s->info.t.Td = s->info.t.Ta = s->info.t.Tt = s->info.t.Tq = -1;
    s->info.status = -1;
    s->info.bytes_in = s->info.bytes_out = 0;
    s->info.retries = 0;
    s->info.error = 0;
    s->info.captured_req_line = NULL;
    memcpy(s->info.term, "----", 5);
    gettimeofday(&s->info.req_date, NULL);
    s->vars[VAR_SCOPE_TXN].head = s->vars[VAR_SCOPE_REQ].head = NULL;
    s->vars[VAR_SCOPE_RES].head = NULL;
    s->env.be = s->be = NULL;
    s->env.srv = NULL;
    s->env.avail = SMP_USE_L4;
}

/* Sets the termination state's first two characters (who/what, and at which step). */
static void set_term(struct stream *s, char who, char step)
{
    if (s->info.term[0] == '-')
        s->info.term[0] = who;
    if (s->info.term[1] == '-')
        s->info.term[1] = step;
}

static void txn_log(struct stream *s)
{
    if (s->flags & SF_LOGGED)
        return;
    s->flags |= SF_LOGGED;
    s->info.t.Ta = (long)ms_since(s->rq == RQ_IDLE ? s->req_start : s->req_first_byte);
    s->info.t.Tt = (long)ms_since(s->req_start);
    if (s->info.t.TR >= 0)
        s->info.t.Tq = s->info.t.Th + (s->info.t.Ti > 0 ? s->info.t.Ti : 0) + s->info.t.TR;
    s->info.status = s->txn.status ? s->txn.status : s->info.status;
    s->info.actconn = strm_count;
    s->info.feconn = s->fe->feconn;
    s->info.srvconn = s->target ? s->target->cur_conns : 0;
    s->env.info = &s->info;
    log_traffic(&s->env);
    s->env.err = NULL; /* a log-format regsub at its limit decides nothing after the fact */
}

/* An evaluation outside the rules could not be decided (s->env.err: a use_backend condition
 * or a server's sni at a regex's match limit): the request fails closed with a 500 logged
 * "IR", and the reason is logged once. */
static void refuse_undecided(struct stream *s)
{
    log_warning("%s: request refused: %s", s->fe->id, s->env.err);
    s->env.err = NULL;
    set_term(s, 'I', 'R');
    http_answer_status(s, 500);
}

/* http-after-response rules of the backend, then of the frontend, on the answer about to be
 * sent. Returns 0, or -1 when a rule failed (an undecided evaluation, a value too long): the
 * caller then replaces the answer with a 500 that runs no after-response rule, as HAProxy
 * does, rather than send an answer some of the rules were not applied to. */
static int after_rules(struct stream *s)
{
    if (s->flags & SF_NO_AFTER)
        return 0;
    if (s->be && s->be != s->fe && http_rules_after(s, s->be) == HTTP_RULE_ERROR)
        return -1;
    return http_rules_after(s, s->fe) == HTTP_RULE_ERROR ? -1 : 0;
}

/* ---- connection modes -------------------------------------------------------------------- */

/* The effective mode: the most closing of the frontend's and the backend's. */
static enum px_http_mode conn_mode(const struct stream *s)
{
    enum px_http_mode m = s->fe->conf.http.conn_mode;

    if (s->be && s->be != s->fe && s->be->conf.http.conn_mode > m)
        m = s->be->conf.http.conn_mode;
    return m;
}

int http_may_reuse(const struct stream *s)
{
    switch (s->be->conf.http.reuse) {
    case PX_REUSE_ALWAYS:
        return 1;
    case PX_REUSE_SAFE:
        /* The first request of a connection gets its own server connection. */
        return s->nreq > 1;
    default:
        return 0;
    }
}

/* Gives the server connection back. A connection that may carry another request (the
 * server agreed to keep it, the answer was read whole, nothing is pending, neither in the
 * buffer nor in the transport) stays attached to the stream when keep_attached, else goes
 * to the idle pool (unless http-reuse never); anything else is closed. strm_srv_release()
 * does the releasing and the counting. */
static void release_server(struct stream *s, int reusable, int keep_attached)
{
    struct proxy *be = s->srv_be;

    if (s->srv.fd < 0) {
        strm_srv_release(s, 0);
        return;
    }
    if (reusable && be && (s->srv.flags & CONN_F_CONNECTED) &&
        !(s->srv.flags & (CONN_F_EOF | CONN_F_ERROR | CONN_F_SHUTW)) && !s->res &&
        !conn_holds_bytes(&s->srv) &&
        s->fe->conf.http.conn_mode == PX_HTTP_KAL && be->conf.http.conn_mode == PX_HTTP_KAL) {
        if (keep_attached) {
            s->flags |= SF_SRV_ATTACHED;
            return;
        }
        strm_srv_release(s, be->conf.http.reuse != PX_REUSE_NEVER);
        return;
    }
    strm_srv_release(s, 0);
    buf_put(s->res);
    s->res = NULL;
}

/* ---- sending ----------------------------------------------------------------------------- */

/* Sends the pending head (if any) and forwardable body bytes of buf to c. Returns bytes of
 * the body sent. */
static uint32_t flush(struct conn *c, const char *hd, uint32_t *hd_off, uint32_t hd_len,
                      struct buf **bufp, struct body *b, ev_tstamp *last, uint64_t *ctr)
{
    struct iovec iov[2];
    uint32_t body_sent = 0;
    int n;

    while (!(c->flags & (CONN_F_ERROR | CONN_F_SHUTW))) {
        uint32_t hl = hd ? hd_len - *hd_off : 0, bl = *bufp ? b->fwd : 0;
        ssize_t r;

        n = 0;
        if (hl)
            iov[n++] = (struct iovec){.iov_base = (char *)hd + *hd_off, .iov_len = hl};
        if (bl)
            iov[n++] = (struct iovec){.iov_base = buf_peek(*bufp), .iov_len = bl};
        if (!n)
            break;
        r = conn_sendv(c, iov, n);
        if (r == CONN_AGAIN)
            break;
        if (r <= 0) { /* 0 for bytes to send breaks the transport contract: no progress */
            c->flags |= CONN_F_ERROR | CONN_F_SHUTW;
            break;
        }
        *last = loop_now();
        if (ctr)
            shm_add(ctr, (uint64_t)r);
        if ((uint32_t)r <= hl) {
            *hd_off += (uint32_t)r;
            continue;
        }
        *hd_off += hl;
        r -= hl;
        buf_consume(*bufp, (uint32_t)r);
        b->fwd -= (uint32_t)r;
        body_sent += (uint32_t)r;
        if (!(*bufp)->data) {
            buf_put(*bufp);
            *bufp = NULL;
        }
    }
    return body_sent;
}

static void flush_srv(struct stream *s)
{
    if (!(s->srv.flags & CONN_F_CONNECTED))
        return;
    flush(&s->srv, s->hq, &s->hq_off, s->hq_len, &s->req, &s->rqb, &s->srv_last, NULL);
    if (s->hq && s->hq_off == s->hq_len && !(s->flags & SF_REQ_SENT)) {
        s->flags |= SF_REQ_SENT;
        s->req_sent = loop_now();
    }
}

static void flush_cli(struct stream *s)
{
    uint32_t before = s->hs_off;
    uint32_t body = flush(&s->cli, s->hs, &s->hs_off, s->hs_len, &s->res, &s->rsb,
                          &s->cli_last, shm_self ? &shm_self->bytes_out : NULL);

    s->info.bytes_out += s->hs_off - before + body;
}

/* ---- bodies ------------------------------------------------------------------------------ */

static int body_scan(struct body *b, struct buf *buf);

/* Scans the request body and counts what belongs to this request in %U (head bytes were
 * counted when the head was parsed; bytes of a pipelined next request are not). */
static int req_body_scan(struct stream *s)
{
    uint32_t before = s->rqb.fwd;
    int r = body_scan(&s->rqb, s->req);

    if (s->rqb.fwd > before)
        s->info.bytes_in += s->rqb.fwd - before;
    return r;
}

/* Accounts the bytes of buf beyond b->fwd that belong to the body. Returns -1 when the body
 * encoding is invalid. */
static int body_scan(struct body *b, struct buf *buf)
{
    uint32_t avail;
    long n;

    if (!buf || b->done)
        return 0;
    avail = buf->data - b->fwd;
    if (!avail)
        return 0;
    switch (b->mode) {
    case BODY_NONE:
        b->done = 1;
        break;
    case BODY_CLEN:
        n = avail < b->left ? (long)avail : (long)b->left;
        b->fwd += (uint32_t)n;
        b->left -= (uint64_t)n;
        b->done = b->left == 0;
        break;
    case BODY_CHUNKED:
        n = h1_chunk_scan(&b->chk, buf_peek(buf) + b->fwd, avail, MAX_TRAILERS);
        if (n < 0)
            return -1;
        b->fwd += (uint32_t)n;
        b->done = b->chk.state == H1_CHK_DONE;
        break;
    case BODY_EOF:
    case BODY_TUNNEL:
        b->fwd += avail;
        break;
    }
    return 0;
}

/* ---- answers generated by sluice ---------------------------------------------------------- */

/* Adjusts the connection headers of the response sent to the client and decides whether
 * the client connection stays open after it. */
static void client_conn_headers(struct stream *s, struct http_msg *res)
{
    int close = !(s->flags & SF_CLI_KA) || (s->flags & SF_CLOSE_AFTER) ||
                s->rsb.mode == BODY_EOF || conn_mode(s) == PX_HTTP_CLO;

    /* hsts: over TLS, every answer carries Strict-Transport-Security */
    if (s->fe->conf.http.hsts && tls_conn_is(&s->cli))
        http_hdr_set(res, "strict-transport-security", 25, s->fe->conf.http.hsts,
                     (uint32_t)strlen(s->fe->conf.http.hsts));
    if (s->rs == RS_TUNNEL)
        return; /* 101: Connection: upgrade and Upgrade go through as they are */
    http_hdr_del(res, "connection", 10);
    http_hdr_del(res, "keep-alive", 10);
    http_hdr_del(res, "proxy-connection", 16);
    if (close) {
        s->flags |= SF_CLOSE_AFTER;
        http_hdr_add(res, "connection", 10, "close", 5); /* to HTTP/1.0 clients too, as HAProxy */
    } else if (s->txn.req.vers == 10) {
        http_hdr_add(res, "connection", 10, "keep-alive", 10);
    }
}

void http_answer_raw(struct stream *s, const char *raw, uint32_t len)
{
    struct h1_msg m = {.hdrs = h1_scratch, .max_hdrs = max_hdrs()};
    uint32_t head_len, body_len;
    char *head, *all;
    int r = h1_parse_response(raw, len, &m);

    s->flags |= SF_GENERATED;
    /* A request body already received is skipped; one still arriving cannot be skipped
     * reliably, so the connection closes after the answer. */
    if (s->rq == RQ_BODY && !(s->flags & SF_REQ_SENT) && req_body_scan(s) == 0 &&
        s->rqb.done) {
        if (s->req && s->rqb.fwd)
            buf_consume(s->req, s->rqb.fwd);
        s->rqb.fwd = 0;
    }
    if (s->rq == RQ_HEAD || s->rq == RQ_IDLE || (s->rq == RQ_BODY && !s->rqb.done) ||
        (s->rq == RQ_BODY && (s->flags & SF_REQ_SENT) && s->rqb.fwd))
        s->flags |= SF_CLOSE_AFTER;
    if (s->req && !s->req->data) {
        buf_put(s->req);
        s->req = NULL;
    }
    strm_srv_release(s, 0);
    buf_put(s->res);
    s->res = NULL;
    if (r <= 0 || http_msg_init(&s->txn.res, raw, &m, 0, &s->arena) < 0) {
        /* Only our own pages come here; a broken errorfile was refused at load time. */
        static const char fallback[] = "HTTP/1.1 500 Internal Server Error\r\n"
                                       "content-length: 0\r\nconnection: close\r\n\r\n";

        s->flags |= SF_CLOSE_AFTER;
        s->hs = fallback;
        s->hs_len = sizeof(fallback) - 1;
        s->hs_off = 0;
        s->txn.status = 500;
        s->rs = RS_BODY;
        s->rsb.mode = BODY_NONE;
        s->rsb.done = 1;
        return;
    }
    head_len = (uint32_t)r;
    body_len = len - head_len;
    /* a page without Content-Length (an errorfile) can only end with the connection */
    if (!(m.flags & (H1_F_CLEN | H1_F_CHUNKED)) && m.status >= 200 && m.status != 204 &&
        m.status != 304)
        s->flags |= SF_CLOSE_AFTER;
    s->txn.status = s->txn.res.status;
    s->vars[VAR_SCOPE_REQ].head = NULL;
    s->env.avail |= SMP_USE_RES;
    s->rsb = (struct body){.mode = BODY_NONE, .done = 1};
    s->rs = RS_BODY;
    if (after_rules(s) < 0) {
        s->flags |= SF_NO_AFTER;
        set_term(s, 'P', 'H');
        http_answer_status(s, 500);
        return;
    }
    client_conn_headers(s, &s->txn.res);
    head = http_msg_build(&s->txn.res, 0, &s->arena, &head_len);
    all = head ? arena_alloc(&s->arena, head_len + body_len) : NULL;
    if (!all) {
        s->flags |= SF_CLOSE_AFTER;
        s->hs = raw;
        s->hs_len = len;
    } else {
        memcpy(all, head, head_len);
        if (!(s->flags & SF_HEAD_REQ))
            memcpy(all + head_len, raw + (len - body_len), body_len);
        else
            body_len = 0;
        s->hs = all;
        s->hs_len = head_len + body_len;
    }
    s->hs_off = 0;
}

void http_answer_status(struct stream *s, int status)
{
    uint32_t len;
    const char *raw = http_err_msg(s->be, s->fe, status, &len);

    if (status >= 500 || status == 400 || status == 408)
        s->info.error = 1;
    http_answer_raw(s, raw, len);
}

/* ---- requests ---------------------------------------------------------------------------- */

/* X-Forwarded-For (option forwardfor in the frontend or the backend). */
static void add_forwardfor(struct stream *s)
{
    const struct px_http_conf *c = s->be->conf.http.fwdfor ? &s->be->conf.http
                                   : s->fe->conf.http.fwdfor ? &s->fe->conf.http : NULL;
    const char *name;
    char ip[64];
    uint32_t nl;

    if (!c)
        return;
    name = c->fwdfor_hdr ? c->fwdfor_hdr : "x-forwarded-for";
    nl = (uint32_t)strlen(name);
    if (c->fwdfor_ifnone && http_hdr_find(&s->txn.req, name, nl, 0) >= 0)
        return;
    if (s->cli_addr.ss_family == AF_INET) {
        const unsigned char *a = (const void *)&((struct sockaddr_in *)&s->cli_addr)->sin_addr;

        if (c->fwdfor_except && !c->fwdfor_except_v6) {
            int in = 1;

            for (int i = 0; i < 4; i++)
                in &= (a[i] & c->fwdfor_mask[i]) == c->fwdfor_net[i];
            if (in)
                return;
        }
    } else if (s->cli_addr.ss_family == AF_INET6) {
        const unsigned char *a =
            (const void *)&((struct sockaddr_in6 *)&s->cli_addr)->sin6_addr;

        if (c->fwdfor_except && c->fwdfor_except_v6) {
            int in = 1;

            for (int i = 0; i < 16; i++)
                in &= (a[i] & c->fwdfor_mask[i]) == c->fwdfor_net[i];
            if (in)
                return;
        }
    } else {
        return; /* UNIX socket clients have no address to forward */
    }
    parse_addr_str(&s->cli_addr, ip, sizeof(ip));
    /* "1.2.3.4:5678" or "[::1]:5678": keep only the address */
    {
        char *colon = strrchr(ip, ':');
        const char *v = ip;

        if (colon)
            *colon = 0;
        if (ip[0] == '[') {
            v = ip + 1;
            ip[strlen(ip) - 1] = 0;
        }
        v = arena_strndup(&s->arena, v, strlen(v));
        if (v)
            http_hdr_add(&s->txn.req, name, nl, v, (uint32_t)strlen(v));
    }
}

/* Prepares the head sent to the server: hop-by-hop headers, forwardfor, connection mode. */
static int build_server_request(struct stream *s)
{
    struct http_msg *rq = &s->txn.req;
    int upgrade = s->flags & SF_UPGRADE;
    char *head;

    add_forwardfor(s);
    if (!upgrade) {
        http_hdr_del(rq, "connection", 10);
        http_hdr_del(rq, "upgrade", 7);
    }
    http_hdr_del(rq, "keep-alive", 10);
    http_hdr_del(rq, "proxy-connection", 16);
    /* Non keep-alive modes close the server side after the answer. In keep-alive mode an
     * HTTP/1.0 request asks the server to keep the connection, as HAProxy does, so that it can
     * serve other requests (an HTTP/1.0 answer without keep-alive still closes it). */
    if (!upgrade && conn_mode(s) != PX_HTTP_KAL) {
        if (rq->vers == 11 && http_hdr_add(rq, "connection", 10, "close", 5) < 0)
            return -1;
    } else {
        if (!upgrade && rq->vers == 10 &&
            http_hdr_add(rq, "connection", 10, "keep-alive", 10) < 0)
            return -1;
        s->flags |= SF_SRV_KA;
    }
    /* The framing headers are rebuilt from what sluice parsed, whatever the client wrote
     * (empty list elements, several lines, letter case) and whatever the rules did (a
     * Content-Length deleted or set on a chunked request): the server must read the body
     * exactly as sluice forwards it, or it reads part of it as the next request. */
    http_hdr_del(rq, "transfer-encoding", 17);
    http_hdr_del(rq, "content-length", 14);
    if (s->rqb.mode == BODY_CHUNKED) {
        if (http_hdr_add(rq, "transfer-encoding", 17, "chunked", 7) < 0)
            return -1;
    } else if (rq->flags & H1_F_CLEN) {
        /* in the arena: the header keeps the pointer (logs read it after the request) */
        char *cl = arena_alloc(&s->arena, 24);
        int n = cl ? snprintf(cl, 24, "%llu", (unsigned long long)s->txn.req_clen) : -1;

        if (n < 0 || http_hdr_add(rq, "content-length", 14, cl, (uint32_t)n) < 0)
            return -1;
    }
    head = http_msg_build(rq, 1, &s->arena, &s->srv_head_len);
    if (!head)
        return -1;
    s->srv_head = head;
    s->hq = head;
    s->hq_len = s->srv_head_len;
    s->hq_off = 0;
    return 0;
}

/* Picks a server and gets a connection to it: the one attached from the previous request
 * when it goes to the same server with the same key (SNI...), an idle one with that key
 * (http-reuse), or a new one. */
static int connect_server(struct stream *s)
{
    struct server *next;

    s->retries_left = s->be->conf.retries;
    next = be_pick_server(s->be, NULL);
    if (s->flags & SF_SRV_ATTACHED) {
        struct conn_key key;

        if (next)
            strm_srv_key(s, next, &key);
        s->flags &= ~SF_SRV_ATTACHED;
        if (s->env.err) { /* an undecided sni: no connection at all (the caller answers) */
            release_server(s, 1, 0);
            return -1;
        }
        if (next && next == s->target && conn_key_eq(&key, &s->srv_key) &&
            (s->srv.flags & CONN_F_CONNECTED) &&
            !(s->srv.flags & (CONN_F_EOF | CONN_F_ERROR))) {
            s->flags |= SF_REUSED;
            s->info.t.Tc = 0;
            s->info.t.Tw = 0;
            s->env.srv = s->target;
            return 0;
        }
        /* another server or key (or the same one gone): the kept connection goes to the pool,
         * where a request with its key may take it */
        release_server(s, 1, 0);
    }
    if (strm_connect_srv(s, next) < 0)
        return -1;
    s->env.srv = s->target;
    if (s->flags & SF_REUSED) {
        s->info.t.Tc = 0;
        s->info.t.Tw = 0;
    }
    return 0;
}

/* A complete request head was parsed: rules, backend, server. */
static void process_request(struct stream *s, const struct h1_msg *m)
{
    struct http_txn *txn = &s->txn;
    struct proxy *be;
    enum http_rule_ret r;
    char *line;

    if (http_msg_init(&txn->req, buf_peek(s->req), m, 1, &s->arena) < 0) {
        buf_consume(s->req, m->head_len);
        http_answer_status(s, 500);
        return;
    }
    buf_consume(s->req, m->head_len);
    s->hd_seen = 0;
    if (!s->req->data) {
        buf_put(s->req);
        s->req = NULL;
    }
    s->nreq++;
    s->info.t.TR = (long)ms_since(s->req_first_byte);
    s->info.bytes_in += m->head_len;
    line = arena_alloc(&s->arena, txn->req.meth_len + txn->req.uri_len + 12);
    if (line) {
        sprintf(line, "%.*s %.*s HTTP/1.%d", (int)txn->req.meth_len, txn->req.meth,
                (int)txn->req.uri_len, txn->req.uri, txn->req.vers == 10 ? 0 : 1);
        s->info.captured_req_line = line;
    }
    if (h1_ieq(txn->req.meth, txn->req.meth_len, "HEAD"))
        s->flags |= SF_HEAD_REQ;
    if ((m->flags & H1_F_CONN_UPG) && (m->flags & H1_F_UPGRADE))
        s->flags |= SF_UPGRADE;
    if ((txn->req.vers == 11 && !(m->flags & H1_F_CONN_CLOSE)) ||
        (txn->req.vers == 10 && (m->flags & H1_F_CONN_KA)))
        s->flags |= SF_CLI_KA;
    else
        s->flags &= ~SF_CLI_KA;
    txn->req_clen = m->body_len;
    if (m->flags & H1_F_CHUNKED)
        s->rqb = (struct body){.mode = BODY_CHUNKED};
    else if ((m->flags & H1_F_CLEN) && m->body_len)
        s->rqb = (struct body){.mode = BODY_CLEN, .left = m->body_len};
    else
        s->rqb = (struct body){.mode = BODY_NONE, .done = 1};
    s->rq = RQ_BODY;
    s->env.avail = SMP_USE_L4 | SMP_USE_REQ;
    /* Body bytes that came with the head are checked before anything is forwarded: a bad
     * chunk size is refused without the server ever seeing the request. */
    if (req_body_scan(s) < 0) {
        set_term(s, 'P', 'R');
        http_answer_status(s, 400);
        return;
    }
    /* A WebSocket upgrade without its key is refused, as HAProxy 2.6 does (RFC 6455 4.1) */
    if ((s->flags & SF_UPGRADE) && http_hdr_has_token(&txn->req, "upgrade", "websocket") &&
        http_hdr_find(&txn->req, "sec-websocket-key", 17, 0) < 0) {
        set_term(s, 'P', 'R');
        s->flags |= SF_CLOSE_AFTER; /* an invalid request: closed after the answer */
        http_answer_status(s, 400);
        return;
    }

    r = http_rules_request(s, s->fe);
    if (r == HTTP_RULE_DONE)
        return;
    if (r == HTTP_RULE_ERROR) {
        set_term(s, 'I', 'R'); /* logged as an internal error, as HAProxy's "IR" */
        http_answer_status(s, 500);
        return;
    }
    be = http_rules_backend(s, s->fe);
    if (s->env.err) { /* a use_backend condition could not be decided: fail closed */
        refuse_undecided(s);
        return;
    }
    if (!be)
        be = s->fe->defbe;
    if (!be) {
        set_term(s, 'P', 'R');
        http_answer_status(s, 503);
        return;
    }
    s->be = s->env.be = be;
    s->env.avail |= SMP_USE_BE;
    if (be != s->fe) {
        r = http_rules_request(s, be);
        if (r == HTTP_RULE_DONE)
            return;
        if (r == HTTP_RULE_ERROR) {
            set_term(s, 'I', 'R');
            http_answer_status(s, 500);
            return;
        }
    }
    if (build_server_request(s) < 0) {
        http_answer_status(s, 500);
        return;
    }
    if (connect_server(s) < 0) {
        if (s->env.err) { /* the server's sni expression could not be decided */
            refuse_undecided(s);
            return;
        }
        set_term(s, 's', 'C');
        http_answer_status(s, 503);
        return;
    }
}

/* Parses what the client sent while no request is in progress. */
static void request_head(struct stream *s)
{
    struct h1_msg m = {.hdrs = h1_scratch, .max_hdrs = max_hdrs()};
    int r;

    if (!s->req || !s->req->data)
        return;
    if (s->rq == RQ_IDLE) {
        s->rq = RQ_HEAD;
        s->req_first_byte = loop_now();
        s->info.t.Ti = (long)ms_since(s->req_start);
        gettimeofday(&s->info.req_date, NULL);
    }
    /* Parse again only when a new line ended: a client sending one byte at a time must not
     * make parsing quadratic. */
    if (s->req->data > s->hd_seen &&
        !memchr(buf_peek(s->req) + s->hd_seen, '\n', s->req->data - s->hd_seen)) {
        s->hd_seen = s->req->data;
        r = 0;
    } else {
        s->hd_seen = s->req->data;
        r = h1_parse_request(buf_peek(s->req), s->req->data, &m);
    }
    if (r == 0) {
        if (s->req->data >= (uint32_t)(global.bufsize - global.maxrewrite)) {
            log_debug("%s: request head too large", s->fe->id);
            set_term(s, 'P', 'R');
            http_answer_status(s, 400);
        }
        return;
    }
    if (r > global.bufsize - global.maxrewrite) {
        /* a head must leave tune.maxrewrite bytes of the buffer free, as in HAProxy */
        log_debug("%s: request head too large (%d bytes)", s->fe->id, r);
        set_term(s, 'P', 'R');
        http_answer_status(s, 400);
        return;
    }
    if (r < 0) {
        log_debug("%s: invalid request at offset %u: %s", s->fe->id, m.err_pos, m.err_msg);
        set_term(s, 'P', 'R');
        s->info.t.TR = (long)ms_since(s->req_first_byte);
        http_answer_status(s, 400);
        return;
    }
    process_request(s, &m);
}

/* ---- responses --------------------------------------------------------------------------- */

/* A 101 to a WebSocket upgrade proves the server read the key (RFC 6455 4.2.2); HAProxy
 * 2.6 refuses one that does not (502). Other upgrades pass. */
static int ws_accept_ok(struct stream *s)
{
    const struct http_msg *rq = &s->txn.req, *rs = &s->txn.res;
    int k = http_hdr_find(rq, "sec-websocket-key", 17, 0);
    int a = http_hdr_find(rs, "sec-websocket-accept", 20, 0);
    char want[29];

    if (!http_hdr_has_token(rq, "upgrade", "websocket") || k < 0)
        return 1;
    if (a < 0)
        return 0;
    tls_ws_accept(rq->hdrs[k].value, rq->hdrs[k].value_len, want);
    return rs->hdrs[a].value_len == 28 && !memcmp(rs->hdrs[a].value, want, 28);
}

static void bad_response(struct stream *s, const char *why)
{
    if (log_debug_on && s->res) {
        char dump[256];
        uint32_t n = s->res->data < 200 ? s->res->data : 200;
        struct strbuf sb;

        /* a dump cut at 255 bytes is fine for a debug line */
        strbuf_init_fixed(&sb, dump, sizeof(dump));
        for (uint32_t i = 0; i < n && strbuf_ok(&sb); i++) {
            unsigned char c = (unsigned char)buf_peek(s->res)[i];

            if (c >= 32 && c < 127)
                strbuf_putc(&sb, (char)c);
            else
                strbuf_printf(&sb, "\\x%02x", c);
        }
        log_debug("%s: invalid response (%s): %s", s->fe->id, why, dump);
    }
    log_debug("%s: invalid response from %s/%s: %s", s->fe->id, s->be->id, s->target->id, why);
    set_term(s, 'P', 'H');
    s->flags &= ~SF_SRV_KA;
    http_answer_status(s, 502);
}

/* Parses the server's answer head; forwards interim 1xx answers. */
static void server_failed(struct stream *s);

static void response_head(struct stream *s)
{
    struct h1_msg m = {.hdrs = h1_scratch, .max_hdrs = max_hdrs()};
    struct http_msg *rs = &s->txn.res;
    enum http_rule_ret r;
    char *head;
    int n;

    if (!s->res || !s->res->data || s->hs)
        return; /* nothing yet, or an interim answer is still being sent */
    if (s->res->data > s->hd_seen &&
        !memchr(buf_peek(s->res) + s->hd_seen, '\n', s->res->data - s->hd_seen)) {
        s->hd_seen = s->res->data;
        n = 0;
    } else {
        s->hd_seen = s->res->data;
        n = h1_parse_response(buf_peek(s->res), s->res->data, &m);
    }
    if (n == 0) {
        if (s->res->data >= (uint32_t)(global.bufsize - global.maxrewrite))
            bad_response(s, "response head too large");
        else if ((s->srv.flags & (CONN_F_EOF | CONN_F_ERROR)) && !(s->flags & SF_SRV_ATTACHED))
            server_failed(s); /* the server closed in the middle of the head: 502 at once */
        return;
    }
    if (n < 0) {
        bad_response(s, m.err_msg);
        return;
    }
    if (n > global.bufsize - global.maxrewrite) {
        bad_response(s, "response head too large");
        return;
    }
    if (m.status < 200 && !(m.status == 101 && (s->flags & SF_UPGRADE))) {
        /* 1xx interim answer (100 Continue, 103 Early Hints): forwarded rebuilt with CRLF line
         * ends, without framing headers (a 1xx has no body). A 101 the request did not ask
         * for would leave the client in a tunnel sluice is not in: refused, as HAProxy. */
        struct http_msg im;
        uint32_t len = 0;
        char *copy = NULL;

        if (m.status == 101) {
            bad_response(s, "101 Switching Protocols to a request that asked for no upgrade");
            return;
        }
        if (http_msg_init(&im, buf_peek(s->res), &m, 0, &s->arena) == 0) {
            http_hdr_del(&im, "transfer-encoding", 17);
            http_hdr_del(&im, "content-length", 14);
            copy = http_msg_build(&im, 0, &s->arena, &len);
        }
        if (!copy) {
            bad_response(s, "out of memory");
            return;
        }
        buf_consume(s->res, (uint32_t)n);
        s->hd_seen = 0;
        if (!s->res->data) {
            buf_put(s->res);
            s->res = NULL;
        }
        s->hs = copy;
        s->hs_len = len;
        s->hs_off = 0;
        return;
    }
    if (http_msg_init(rs, buf_peek(s->res), &m, 0, &s->arena) < 0) {
        bad_response(s, "out of memory");
        return;
    }
    if (m.status == 101 && !ws_accept_ok(s)) {
        bad_response(s, "wrong or missing Sec-WebSocket-Accept in a WebSocket upgrade");
        return;
    }
    buf_consume(s->res, (uint32_t)n);
    s->hd_seen = 0;
    if (!s->res->data) {
        buf_put(s->res);
        s->res = NULL;
    }
    s->info.t.Tr = (long)ms_since(s->flags & SF_REQ_SENT ? s->req_sent : s->req_start);
    s->txn.status = rs->status;
    s->env.avail |= SMP_USE_RES;
    /* the request processing is over: its req.* variables end with it */
    s->vars[VAR_SCOPE_REQ].head = NULL;
    if (rs->status == 101) {
        s->rsb = (struct body){.mode = BODY_TUNNEL};
        s->rs = RS_TUNNEL;
    } else if ((s->flags & SF_HEAD_REQ) || rs->status == 204 || rs->status == 304) {
        s->rsb = (struct body){.mode = BODY_NONE, .done = 1};
        /* a 204 has no body, hence no framing (HAProxy strips both too); a 304 keeps the
         * headers of the representation it stands for */
        if (rs->status == 204) {
            http_hdr_del(rs, "transfer-encoding", 17);
            http_hdr_del(rs, "content-length", 14);
        }
    } else if (m.flags & H1_F_CHUNKED) {
        s->rsb = (struct body){.mode = BODY_CHUNKED};
    } else if (m.flags & H1_F_CLEN) {
        s->rsb = (struct body){.mode = m.body_len ? BODY_CLEN : BODY_NONE, .left = m.body_len,
                               .done = !m.body_len};
    } else {
        s->rsb = (struct body){.mode = BODY_EOF};
    }
    if (!((rs->vers == 11 && !(m.flags & H1_F_CONN_CLOSE)) ||
          (rs->vers == 10 && (m.flags & H1_F_CONN_KA))) || s->rsb.mode == BODY_EOF)
        s->flags &= ~SF_SRV_KA;
    /* as for requests: a broken body that arrived with the head gives a 502, not a head
     * followed by a cut */
    if (s->rsb.mode != BODY_TUNNEL && body_scan(&s->rsb, s->res) < 0) {
        bad_response(s, s->rsb.chk.err_msg ? s->rsb.chk.err_msg : "invalid chunked body");
        return;
    }

    r = http_rules_response(s, s->be);
    if (r == HTTP_RULE_CONT && s->be != s->fe)
        r = http_rules_response(s, s->fe);
    if (r == HTTP_RULE_DONE)
        return;
    if (r == HTTP_RULE_ERROR) {
        bad_response(s, "response rewrite failed");
        return;
    }
    if (after_rules(s) < 0) {
        log_debug("%s: http-after-response rule failed: 500", s->fe->id);
        s->flags |= SF_NO_AFTER;
        set_term(s, 'P', 'H');
        s->flags &= ~SF_SRV_KA;
        http_answer_status(s, 500);
        return;
    }
    if (s->rs != RS_TUNNEL)
        s->rs = RS_BODY;
    client_conn_headers(s, rs);
    head = http_msg_build(rs, 0, &s->arena, &s->hs_len);
    if (!head) {
        bad_response(s, "out of memory");
        return;
    }
    s->hs = head;
    s->hs_off = 0;
    if (s->rs == RS_TUNNEL) {
        s->rq = RQ_TUNNEL;
        s->rqb = (struct body){.mode = BODY_TUNNEL};
    }
}

/* ---- end of transaction ------------------------------------------------------------------ */

static void txn_end(struct stream *s)
{
    int keep = (s->flags & SF_CLI_KA) && !(s->flags & SF_CLOSE_AFTER) &&
               !(s->cli.flags & (CONN_F_EOF | CONN_F_ERROR));

    txn_log(s);
    release_server(s, (s->flags & SF_SRV_KA) != 0, keep);
    if (!keep) {
        if (s->flags & SF_ABORT_CLI) {
            /* The answer was cut and its end is the close: a FIN (or close_notify) would
             * make it look complete. Abort instead: no shutdown, and SO_LINGER 0 makes the
             * close send a reset. */
            struct linger lg = {.l_onoff = 1, .l_linger = 0};

            setsockopt(s->cli.fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
            s->cli.flags |= CONN_F_ERROR;
        }
        /* Close after the answer: stop sending, drain what the client may still send so the
         * kernel does not reset the connection under the answer in flight. */
        conn_shutw(&s->cli);
        s->rq = RQ_CLOSED;
        return;
    }
    arena_reset(&s->arena);
    txn_init(s);
}

/* ---- the state machine ------------------------------------------------------------------- */

/* RFC 9110 9.2.2: the methods whose repetition has the effect of one request. */
static int method_idempotent(const struct http_msg *rq)
{
    static const char *const idem[] = {"GET", "HEAD", "OPTIONS", "TRACE", "PUT", "DELETE"};

    for (size_t i = 0; i < sizeof(idem) / sizeof(idem[0]); i++)
        if (rq->meth_len == strlen(idem[i]) && !memcmp(rq->meth, idem[i], rq->meth_len))
            return 1;
    return 0;
}

/* A reused connection died before any byte of the answer: may the request be sent again on
 * a new connection (possibly to another server)? Only a request sluice still holds whole
 * (no body: body bytes are forwarded, not kept), and, once any byte of it may have reached
 * the server, only an idempotent one: a server may have acted on a POST and died before
 * answering, and replaying it could make a payment twice. Nothing sent: always. (HAProxy's
 * retry-on, which would name other cases, is not supported: sluice refuses it.) */
static int may_replay(const struct stream *s)
{
    if (!(s->flags & SF_REUSED) || s->rqb.mode != BODY_NONE || !s->srv_head)
        return 0;
    return s->hq_off == 0 || method_idempotent(&s->txn.req);
}

/* The server side failed before a complete answer. */
static void server_failed(struct stream *s)
{
    int nothing = s->rs == RS_WAIT && s->res_bytes == 0;

    /* A reused idle connection the server closed as we sent: try a fresh one once. */
    if (nothing && may_replay(s)) {
        log_debug("%s: reused connection to %s/%s closed, retrying on a new one", s->fe->id,
                  s->be->id, s->target->id);
        strm_srv_release(s, 0);
        buf_put(s->res);
        s->res = NULL;
        s->flags &= ~(SF_REUSED | SF_REQ_SENT);
        s->hq = s->srv_head;
        s->hq_len = s->srv_head_len;
        s->hq_off = 0;
        s->retries_left = s->be->conf.retries;
        if (strm_connect(s) == 0)
            return;
        if (s->env.err) { /* the sni could not be decided this time: no replay */
            log_warning("%s: request not replayed: %s", s->fe->id, s->env.err);
            s->env.err = NULL;
        }
    }
    if (s->rs == RS_WAIT) {
        set_term(s, 'S', 'H');
        s->flags &= ~SF_SRV_KA;
        http_answer_status(s, 502);
        return;
    }
    /* Truncated answer body: what was received goes to the client, then it is closed. */
    if (s->rsb.mode == BODY_EOF || s->rsb.mode == BODY_CLEN)
        body_scan(&s->rsb, s->res);
    if (s->rsb.mode == BODY_EOF)
        s->flags |= SF_ABORT_CLI; /* the client could not tell the cut from the end */
    set_term(s, 'S', 'D');
    s->flags |= SF_CLOSE_AFTER;
    s->flags &= ~SF_SRV_KA;
    s->rsb.done = 1;
    s->info.error = 1;
}

/* One pass over both sides; returns 1 when something changed and another pass may help. */
static int step(struct stream *s)
{
    enum rq_state rq0 = s->rq;
    enum rs_state rs0 = s->rs;
    uint32_t hs0 = s->hs_off, hq0 = s->hq_off;

    /* request side */
    if (s->rq == RQ_IDLE || s->rq == RQ_HEAD) {
        request_head(s);
    } else if (s->rq == RQ_BODY || s->rq == RQ_TUNNEL) {
        if (req_body_scan(s) < 0) {
            set_term(s, 'P', 'R');
            http_answer_status(s, 400);
        }
    }
    if (s->rq == RQ_BODY || s->rq == RQ_TUNNEL)
        flush_srv(s);
    if (s->rq == RQ_BODY && s->rqb.done && !s->rqb.fwd && s->hq && s->hq_off == s->hq_len)
        s->rq = RQ_DONE;

    /* response side */
    if (s->rs == RS_WAIT && s->srv.fd >= 0)
        response_head(s);
    if (s->rs == RS_BODY || s->rs == RS_TUNNEL) {
        if (!(s->flags & SF_GENERATED) && body_scan(&s->rsb, s->res) < 0) {
            set_term(s, 'P', 'D');
            s->flags |= SF_CLOSE_AFTER;
            s->flags &= ~SF_SRV_KA;
            s->rsb.done = 1;
            buf_put(s->res);
            s->res = NULL;
            s->rsb.fwd = 0;
        }
    }
    if (s->hs || s->res)
        flush_cli(s);
    if (s->hs && s->hs_off == s->hs_len && s->rs == RS_WAIT)
        s->hs = NULL; /* an interim answer was sent; the final one is still to come */
    if (s->rs == RS_BODY && s->rsb.done && !s->rsb.fwd && s->hs && s->hs_off == s->hs_len)
        s->rs = RS_DONE;

    /* an answer generated while the request is still arriving: skip the request */
    if ((s->flags & SF_GENERATED) && s->rs == RS_DONE && s->rq != RQ_CLOSED)
        s->rq = RQ_DONE;
    if (s->rq == RQ_DONE && s->rs == RS_DONE) {
        txn_end(s);
        return 1;
    }
    return s->rq != rq0 || s->rs != rs0 || s->hs_off != hs0 || s->hq_off != hq0;
}

/* Decides what each side waits for and arms the timer. */
static void update(struct stream *s)
{
    const struct px_timeouts *ft = &s->fe->conf.timeout;
    const struct px_timeouts *bt = s->be ? &s->be->conf.timeout : ft;
    unsigned cw = 0, vw = 0;
    ev_tstamp dc = 0, dv = 0, d;
    int room_req = !s->req || s->req->data < s->req->size;
    int room_res = !s->res || s->res->data < s->res->size;

    /* client side */
    if (!(s->cli.flags & CONN_F_EOF) && room_req)
        cw |= CONN_EV_READ;
    if ((s->hs && s->hs_off < s->hs_len) || (s->res && s->rsb.fwd))
        cw |= CONN_EV_WRITE;
    if (s->rq == RQ_TUNNEL && bt->tunnel) {
        ev_tstamp last = s->cli_last > s->srv_last ? s->cli_last : s->srv_last;

        dc = last + strm_tmo(bt->tunnel);
    } else if (s->rq == RQ_TUNNEL) {
        /* no tunnel timeout: each side keeps its own inactivity timeout, as in HAProxy */
        dc = ft->client ? s->cli_last + strm_tmo(ft->client) : 0;
        dv = bt->server && s->srv.fd >= 0 ? s->srv_last + strm_tmo(bt->server) : 0;
    } else if (s->rq == RQ_IDLE && s->nreq && !s->req) {
        int ms = ft->http_keep_alive ? ft->http_keep_alive
                 : ft->http_request ? ft->http_request : ft->client;

        dc = ms ? s->req_start + strm_tmo(ms) : 0;
    } else if (s->rq == RQ_IDLE || s->rq == RQ_HEAD) {
        /* the first request counts from the accept, later ones from their first byte */
        ev_tstamp from = s->rq == RQ_HEAD && s->nreq ? s->req_first_byte : s->req_start;

        if (ft->http_request)
            dc = from + strm_tmo(ft->http_request);
        else if (ft->client)
            dc = s->cli_last + strm_tmo(ft->client);
    } else if (s->rq == RQ_CLOSED) {
        int ms = ft->client_fin ? ft->client_fin : ft->client ? ft->client : 1000;

        dc = s->cli_last + strm_tmo(ms < 1000 ? ms : 1000);
    } else if ((cw & CONN_EV_WRITE) || (s->rq == RQ_BODY && !s->rqb.done)) {
        dc = ft->client ? s->cli_last + strm_tmo(ft->client) : 0;
    }

    /* server side */
    if (s->srv.fd >= 0) {
        if (s->srv.flags & CONN_F_CONNECTING) {
            vw = CONN_EV_WRITE;
            dv = bt->connect ? s->conn_start + strm_tmo(bt->connect) : 0;
        } else {
            if (!(s->srv.flags & CONN_F_EOF) && room_res && s->rs != RS_DONE)
                vw |= CONN_EV_READ;
            if ((s->hq && s->hq_off < s->hq_len) || (s->req && s->rqb.fwd &&
                                                     s->rq != RQ_IDLE && s->rq != RQ_HEAD))
                vw |= CONN_EV_WRITE;
            if (s->rq != RQ_TUNNEL && !(s->flags & SF_SRV_ATTACHED) &&
                (s->rs == RS_WAIT || s->rs == RS_BODY) && bt->server)
                dv = s->srv_last + strm_tmo(bt->server);
        }
    }
    conn_want(&s->cli, cw);
    if (s->srv.fd >= 0)
        conn_want(&s->srv, vw);
    d = !dc ? dv : !dv ? dc : dc < dv ? dc : dv;
    strm_set_timer(s, d);
}

static void http_process(struct stream *s)
{
    for (int i = 0; i < 8; i++) {
        /* client gone while idle: nothing to answer */
        if ((s->cli.flags & (CONN_F_EOF | CONN_F_ERROR)) &&
            (s->rq == RQ_IDLE || s->rq == RQ_CLOSED) && !s->req) {
            if (s->rq == RQ_IDLE && !s->nreq) {
                set_term(s, 'C', 'R');
                txn_log(s);
            }
            strm_free(s);
            return;
        }
        if (s->cli.flags & CONN_F_ERROR) {
            set_term(s, 'C', 'D');
            txn_log(s);
            strm_free(s);
            return;
        }
        if ((s->cli.flags & CONN_F_EOF) && (s->rq == RQ_HEAD ||
                                            (s->rq == RQ_BODY && !s->rqb.done))) {
            /* client aborted while sending its request */
            set_term(s, 'C', s->rq == RQ_HEAD ? 'R' : 'D');
            s->info.error = 1;
            txn_log(s);
            strm_free(s);
            return;
        }
        if (s->rq == RQ_TUNNEL && (s->cli.flags & CONN_F_EOF) && !s->req)
            conn_shutw(&s->srv);
        if (s->rs == RS_TUNNEL && (s->srv.flags & CONN_F_EOF) && !s->res)
            conn_shutw(&s->cli);
        if (s->rq == RQ_TUNNEL && (s->cli.flags & CONN_F_EOF) && (s->srv.flags & CONN_F_EOF) &&
            !s->req && !s->res) {
            txn_log(s);
            strm_free(s);
            return;
        }
        if (s->rq == RQ_CLOSED && (s->cli.flags & CONN_F_EOF)) {
            strm_free(s);
            return;
        }
        if ((s->flags & SF_SRV_ATTACHED) && ((s->srv.flags & (CONN_F_EOF | CONN_F_ERROR)) ||
                                             s->res)) {
            /* the server closed the connection kept from the previous request, or sent
             * bytes no request asked for: either way it is done (as in the idle pool), and
             * the bytes are dropped with it, never parsed as an answer */
            release_server(s, 0, 0);
        }
        if (s->srv.fd >= 0 && (s->srv.flags & (CONN_F_EOF | CONN_F_ERROR)) &&
            !(s->flags & SF_SRV_ATTACHED) && s->rs != RS_TUNNEL && !(s->flags & SF_GENERATED)) {
            if (s->rs == RS_BODY && s->rsb.mode == BODY_EOF && !(s->srv.flags & CONN_F_ERROR)) {
                /* the end of a close-delimited body: account what arrived with the close */
                body_scan(&s->rsb, s->res);
                s->rsb.done = 1;
            }
            else if (s->rs == RS_WAIT && s->res && s->res->data && !(s->srv.flags & CONN_F_ERROR))
                ; /* the head may be complete in the buffer: parse it first */
            else if (s->rs == RS_WAIT || (s->rs == RS_BODY && !s->rsb.done))
                server_failed(s);
        }
        if (!step(s))
            break;
        if (s->cli.fd < 0)
            return;
    }
    if (s->rq == RQ_CLOSED && !s->hs && !s->res && (s->cli.flags & CONN_F_SHUTW) &&
        (s->cli.flags & CONN_F_ERROR)) {
        strm_free(s);
        return;
    }
    update(s);
}

/* ---- events ------------------------------------------------------------------------------ */

/* A response body streaming through: when the read filled the buffer and the client takes all
 * of it at once, the server likely has more ready; forwards it so that the caller reads
 * again in the same wakeup rather than going back to the poller for each buffer. Returns 1
 * when the buffer was forwarded whole and the body goes on. Anything else (the head not yet
 * sent, an invalid body, the end of the body, a client that cannot take more) is left to
 * http_process(). */
static int body_pump(struct stream *s)
{
    if (s->rs != RS_BODY || (s->flags & SF_GENERATED) || !s->res || s->rsb.done ||
        s->res->data < s->res->size || (s->hs && s->hs_off < s->hs_len) ||
        (s->srv.flags & (CONN_F_EOF | CONN_F_ERROR)) ||
        (s->cli.flags & (CONN_F_ERROR | CONN_F_SHUTW)))
        return 0;
    if (body_scan(&s->rsb, s->res) < 0)
        return 0; /* errors are sticky: step() reports it */
    flush_cli(s);
    return !s->res && !s->rsb.done;
}

void http_start(struct stream *s)
{
    if (!h1_scratch) {
        h1_scratch = calloc((size_t)global.maxhdr, sizeof(*h1_scratch));
        if (!h1_scratch) {
            strm_free(s);
            return;
        }
    }
    txn_init(s);
    s->req_first_byte = s->req_start;
    s->flags |= SF_CLI_KA;
    update(s);
}

void http_cli_io(struct stream *s, int revents)
{
    if (revents & EV_WRITE)
        flush_cli(s);
    if ((revents & EV_READ) && !(s->cli.flags & CONN_F_EOF)) {
        long n = strm_pull(s, &s->cli, &s->req, &s->cli_last,
                           shm_self ? &shm_self->bytes_in : NULL);

        if (n < 0) {
            strm_free(s);
            return;
        }
        if (s->rq == RQ_CLOSED && s->req) {
            /* closing: what the client still sends is discarded */
            buf_put(s->req);
            s->req = NULL;
        }
    }
    http_process(s);
}

void http_srv_io(struct stream *s, int revents)
{
    if (s->srv.flags & CONN_F_CONNECTING) {
        int r = strm_srv_connect_event(s, revents);

        if (r < 0) {
            set_term(s, 'S', 'C');
            http_answer_status(s, 503);
        }
        if (r <= 0) {
            http_process(s);
            return;
        }
    }
    if (revents & EV_WRITE)
        flush_srv(s);
    if (revents & EV_READ) {
        for (int round = 1;; round++) {
            long n = strm_pull(s, &s->srv, &s->res, &s->srv_last, NULL);

            if (n < 0) {
                strm_free(s);
                return;
            }
            s->res_bytes += (uint64_t)n;
            if (round == STRM_BULK_ROUNDS || !body_pump(s))
                break;
        }
    }
    http_process(s);
}

void http_timer(struct stream *s)
{
    const struct px_timeouts *ft = &s->fe->conf.timeout;
    const struct px_timeouts *bt = s->be ? &s->be->conf.timeout : ft;
    ev_tstamp now = loop_now();

    if (s->srv.fd >= 0 && (s->srv.flags & CONN_F_CONNECTING) && bt->connect &&
        now >= s->conn_start + strm_tmo(bt->connect)) {
        errno = ETIMEDOUT;
        if (strm_retry(s) < 0) {
            set_term(s, 's', 'C');
            http_answer_status(s, 503);
        }
        http_process(s);
        return;
    }
    switch (s->rq) {
    case RQ_IDLE:
        if (s->nreq && !s->req) {
            strm_free(s); /* keep-alive idle timeout: silent close */
            return;
        }
        /* fall through */
    case RQ_HEAD:
        set_term(s, 'c', 'R');
        http_answer_status(s, 408);
        http_process(s);
        return;
    case RQ_CLOSED:
        strm_free(s);
        return;
    case RQ_TUNNEL:
        set_term(s, 'c', 'D');
        txn_log(s);
        strm_free(s);
        return;
    default:
        break;
    }
    if (s->rs == RS_WAIT && s->srv.fd >= 0 && !(s->flags & SF_SRV_ATTACHED) && bt->server &&
        now >= s->srv_last + strm_tmo(bt->server)) {
        set_term(s, 's', 'H');
        s->flags &= ~SF_SRV_KA;
        http_answer_status(s, 504);
        http_process(s);
        return;
    }
    if (s->rs == RS_BODY && s->srv.fd >= 0 && bt->server &&
        now >= s->srv_last + strm_tmo(bt->server) && !s->rsb.done) {
        set_term(s, 's', 'D');
    } else if (ft->client && now >= s->cli_last + strm_tmo(ft->client)) {
        set_term(s, 'c', 'D');
    } else {
        update(s);
        return;
    }
    s->info.error = 1;
    txn_log(s);
    strm_free(s);
}

void http_end(struct stream *s)
{
    /* a server connection kept for this client's next request serves others instead */
    if (s->flags & SF_SRV_ATTACHED)
        release_server(s, 1, 0);
    /* A transaction cut short (timeouts, aborts) is logged once, as HAProxy does. */
    if (s->nreq && !(s->flags & SF_LOGGED) && s->rq != RQ_IDLE && s->rq != RQ_CLOSED)
        txn_log(s);
}

/* ---- configuration: connection modes, forwardfor, http-reuse ----------------------------- */

static int kw_conn_mode(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                        char **err)
{
    struct proxy *px = ctx->obj;
    const char *o = args[1];
    enum px_http_mode m = !strcmp(o, "http-keep-alive") ? PX_HTTP_KAL
                          : !strcmp(o, "http-server-close") ? PX_HTTP_SCL : PX_HTTP_CLO;

    if (ctx->negated) {
        /* "no option X" returns to the default keep-alive mode when X was the one set */
        if (px->conf.http.conn_mode == m)
            px->conf.http.conn_mode = PX_HTTP_KAL;
        return 0;
    }
    px->conf.http.conn_mode = m;
    px->conf.http.conn_mode_set = 1;
    return 0;
}

/* option forwardfor [except <network>] [header <name>] [if-none] */
static int kw_forwardfor(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                         char **err)
{
    struct px_http_conf *c = &((struct proxy *)ctx->obj)->conf.http;

    if (ctx->negated) {
        c->fwdfor = 0;
        return 0;
    }
    c->fwdfor = 1;
    for (int i = 2; i < nargs; i++) {
        if (!strcmp(args[i], "if-none")) {
            c->fwdfor_ifnone = 1;
        } else if (!strcmp(args[i], "header") && i + 1 < nargs) {
            free(c->fwdfor_hdr);
            c->fwdfor_hdr = str_dup(args[++i]);
        } else if (!strcmp(args[i], "except") && i + 1 < nargs) {
            char net[64], *slash;
            int bits, v6, max;

            snprintf(net, sizeof(net), "%s", args[++i]);
            slash = strchr(net, '/');
            if (slash)
                *slash++ = 0;
            v6 = strchr(net, ':') != NULL;
            max = v6 ? 128 : 32;
            memset(c->fwdfor_net, 0, sizeof(c->fwdfor_net));
            if (inet_pton(v6 ? AF_INET6 : AF_INET, net, c->fwdfor_net) != 1)
                return str_printf(err, "except: invalid network '%s'", args[i]);
            bits = slash ? atoi(slash) : max;
            if (bits < 0 || bits > max || (slash && !*slash))
                return str_printf(err, "except: invalid mask in '%s'", args[i]);
            memset(c->fwdfor_mask, 0, sizeof(c->fwdfor_mask));
            for (int b = 0; b < bits; b++)
                c->fwdfor_mask[b / 8] |= (unsigned char)(0x80 >> (b % 8));
            for (int k = 0; k < 16; k++)
                c->fwdfor_net[k] &= c->fwdfor_mask[k];
            c->fwdfor_except = 1;
            c->fwdfor_except_v6 = v6;
        } else {
            return str_printf(err, "unexpected '%s' (usage: option forwardfor [except <net>] "
                                   "[header <name>] [if-none])", args[i]);
        }
    }
    return 0;
}

static int kw_http_reuse(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                         char **err)
{
    struct px_http_conf *c = &((struct proxy *)ctx->obj)->conf.http;

    if (!strcmp(args[1], "never"))
        c->reuse = PX_REUSE_NEVER;
    else if (!strcmp(args[1], "safe"))
        c->reuse = PX_REUSE_SAFE;
    else if (!strcmp(args[1], "always") || !strcmp(args[1], "aggressive"))
        c->reuse = PX_REUSE_ALWAYS;
    else
        return str_printf(err, "unknown mode '%s' (expected never, safe, aggressive or always)",
                          args[1]);
    return 0;
}

static struct cfg_kw http_kws[] = {
    {.name = "option http-keep-alive", .sections = "defaults frontend backend listen",
     .max_args = 0, .parse = kw_conn_mode, .flags = CFG_KW_F_NO},
    {.name = "option http-server-close", .sections = "defaults frontend backend listen",
     .max_args = 0, .parse = kw_conn_mode, .flags = CFG_KW_F_NO},
    {.name = "option httpclose", .sections = "defaults frontend backend listen",
     .max_args = 0, .parse = kw_conn_mode, .flags = CFG_KW_F_NO},
    {.name = "option forwardfor", .sections = "defaults frontend backend listen",
     .max_args = 5, .parse = kw_forwardfor, .flags = CFG_KW_F_NO,
     .usage = "option forwardfor [except <network>] [header <name>] [if-none]"},
    {.name = "http-reuse", .sections = "defaults backend listen", .min_args = 1, .max_args = 1,
     .parse = kw_http_reuse, .usage = "http-reuse never|safe|aggressive|always"},
    {0},
};

static void http_register(void)
{
    cfg_register_keywords(http_kws);
}
INITCALL(http_register)
