/* Streams: a client connection joined to a server connection, in mode tcp or http. */
#ifndef SLUICE_CORE_STREAM_T_H
#define SLUICE_CORE_STREAM_T_H

#include <sys/socket.h>

#include "arena.h"
#include "conn.h"
#include "h1-t.h"
#include "http-t.h"
#include "log-t.h"
#include "sample-t.h"

struct buf;
struct listener;
struct proxy;
struct server;

/* How the bytes of one message body are delimited, and how far they were scanned. */
enum body_mode {
    BODY_NONE = 0,   /* no body */
    BODY_CLEN,       /* Content-Length */
    BODY_CHUNKED,    /* chunked transfer-coding */
    BODY_EOF,        /* until the sender closes (responses only) */
    BODY_TUNNEL,     /* after an upgrade: bytes both ways until close */
};

struct body {
    enum body_mode mode;   /* delimitation */
    uint64_t left;         /* CLEN: bytes not yet scanned */
    struct h1_chunk chk;   /* CHUNKED: scanner state */
    uint32_t fwd;          /* bytes at the head of the buffer known to be body, not sent yet */
    int done;              /* every byte of the body has been scanned */
};

/* HTTP request-side states */
enum rq_state {
    RQ_IDLE = 0,   /* waiting for a request (first or next keep-alive one) */
    RQ_HEAD,       /* part of a request head received */
    RQ_BODY,       /* forwarding the request body */
    RQ_DONE,       /* the whole request was forwarded (or answered by sluice) */
    RQ_TUNNEL,     /* upgraded: raw bytes */
    RQ_CLOSED,     /* client closed or failed */
};

/* HTTP response-side states */
enum rs_state {
    RS_WAIT = 0,   /* no response yet */
    RS_BODY,       /* forwarding the response body */
    RS_DONE,       /* the whole response was forwarded */
    RS_TUNNEL,     /* upgraded */
};

struct stream {
    /* connections and buffers (both modes) */
    struct conn cli;               /* client side */
    struct conn srv;               /* server side (fd -1 when none) */
    struct conn_key srv_key;       /* what srv was made with (SNI...): valid while srv is open */
    struct buf *req;               /* client -> server bytes, NULL when empty */
    struct buf *res;               /* server -> client bytes, NULL when empty */
    struct listener *lsn;          /* where the client came in */
    struct proxy *fe;              /* frontend */
    struct proxy *be;              /* backend, NULL before one is chosen */
    struct server *target;         /* server being connected to or connected */
    struct proxy *srv_be;          /* backend of the server connection (kept across requests) */
    int retries_left;              /* connection attempts left after the current one */
    ev_timer timer;                /* the earliest deadline of the stream */
    ev_tstamp cli_last;            /* last I/O with the client (loop time) */
    ev_tstamp srv_last;            /* last I/O with the server */
    ev_tstamp conn_start;          /* when the current connect() started */
    ev_tstamp req_start;           /* HTTP: when the current request started */
    ev_tstamp cli_last_accept;     /* when the client connection was accepted */
    struct sockaddr_storage cli_addr; /* client address */
    struct sockaddr_storage dst_addr; /* local address the client reached */
    struct stream *prev, *next;    /* the worker's live streams */
    unsigned flags;                /* SF_* */

    /* HTTP */
    enum rq_state rq;              /* request side */
    enum rs_state rs;              /* response side */
    struct body rqb, rsb;          /* request and response bodies */
    struct http_txn txn;           /* the current transaction */
    struct arena arena;            /* the transaction's strings (reset per request) */
    struct arena sess_arena;       /* session-scope variables (whole connection) */
    struct var_store vars[VAR_SCOPE_COUNT]; /* variables by scope (PROC unused: global) */
    const char *hq;                /* request head being sent to the server, or NULL */
    uint32_t hq_len, hq_off;       /* its length and what was sent */
    const char *hs;                /* response head (or whole generated answer) to the client */
    uint32_t hs_len, hs_off;       /* its length and what was sent */
    ev_tstamp req_first_byte;      /* when the first byte of the current request arrived */
    ev_tstamp req_sent;            /* when the request head was fully sent to the server */
    const char *srv_head;          /* the request head sent to the server (kept to resend) */
    uint32_t srv_head_len;
    unsigned nreq;                 /* requests received on this connection */
    uint32_t hd_seen;              /* bytes of the head being received already looked at */
    uint64_t res_bytes;            /* response bytes received for this request (retry test) */
    struct strm_info info;         /* what the log line needs */
    struct smp_env env;            /* what rules and logs may read */
};

/* Stream flags */
#define SF_HTTP        0x0001 /* mode http */
#define SF_CLI_KA      0x0002 /* keep the client connection after this transaction */
#define SF_SRV_KA      0x0004 /* the server connection may be reused after the response */
#define SF_REUSED      0x0008 /* the server connection came from a previous request or pool */
#define SF_GENERATED   0x0010 /* the answer is sluice's own (error, redirect, return) */
#define SF_HEAD_REQ    0x0020 /* the request method is HEAD */
#define SF_UPGRADE     0x0040 /* the request asked for a protocol upgrade */
#define SF_LOGGED      0x0080 /* the current transaction was logged */
#define SF_CLOSE_AFTER 0x0100 /* close the client connection once the answer is sent */
#define SF_REQ_SENT    0x0200 /* the request head was fully sent to the server */
#define SF_SRV_ATTACHED 0x0400 /* srv is an idle connection kept from the previous request */
#define SF_HANDSHAKE   0x0800 /* the client's TLS handshake is in progress */
#define SF_HS_FAILED   0x1000 /* the client's TLS handshake failed or timed out */
#define SF_SRV_COUNTED 0x2000 /* srv is counted in target->cur_conns (strm_srv_release uncounts) */
#define SF_ABORT_CLI   0x4000 /* a close-delimited answer was cut: reset the client connection */
#define SF_NO_AFTER    0x8000 /* an http-after-response rule failed: the 500 that replaces the
                               * answer runs none (as HAProxy) */

#endif
