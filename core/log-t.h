/* Types of traffic logging: what a stream records for its log line, and the logging
 * configuration (syslog targets, per-proxy formats) owned by log.c. */
#ifndef SLUICE_CORE_LOG_T_H
#define SLUICE_CORE_LOG_T_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/time.h>

#include "cfg-t.h"

/* Timers in milliseconds, HAProxy's meaning; -1 when the step was not reached. */
struct strm_timers {
    long Th;   /* handshake: accept to first byte ready (TLS handshake; 0 for plain) */
    long Ti;   /* idle time before the first byte of the request (keep-alive wait) */
    long TR;   /* first byte to complete request head */
    long Tw;   /* time in queues */
    long Tc;   /* connect to the server */
    long Tr;   /* server response time: request sent to response head received */
    long Td;   /* data transfer time (Tt - (Tq + Tw + Tc + Tr)) */
    long Ta;   /* active time: request start to end of transfer */
    long Tt;   /* total session time: accept to close */
    long Tq;   /* Th + Ti + TR */
};

/* Everything a stream knows for its log line, filled by the stream as it goes. */
struct strm_info {
    struct timeval accept_date;  /* %t %T %Ts %ms: when the connection was accepted */
    struct timeval req_date;     /* %tr %trg %trl: when the request started */
    struct strm_timers t;        /* timers */
    uint64_t bytes_in;           /* %U: bytes received from the client */
    uint64_t bytes_out;          /* %B: bytes sent to the client */
    int status;                  /* %ST: HTTP status sent to the client (-1 in tcp / none) */
    char term[5];                /* %ts/%tsc: termination state, e.g. "----", "CD--", "sH--" */
    int retries;                 /* %rc: connection retries (a "+" prefix on redispatch) */
    int actconn;                 /* %ac: connections in this worker */
    int feconn;                  /* %fc: connections on the frontend */
    int beconn;                  /* %bc: connections on the backend */
    int srvconn;                 /* %sc: connections on the server */
    int srv_queue;               /* %sq: position in the server queue */
    int be_queue;                /* %bq: position in the backend queue */
    const char *unique_id;       /* %ID, NULL when none */
    int error;                   /* the transaction ended in error (for log-separate-errors) */
    const char *captured_req_line; /* %r: request line as received (NUL-terminated) or NULL */
    /* added for the log-format variables below; zero/NULL when unknown */
    int redispatched;            /* %rc gets a "+" prefix: the stream was redispatched */
    uint64_t req_id;             /* %rt: request counter of the worker (HTTP request or TCP
                                  * connection), 0 when not counted */
    const struct sockaddr_storage *srv_src; /* %bi %bp: local address of the server
                                  * connection, NULL when none */
    const struct sockaddr_storage *srv_dst; /* %si %sp: address the server connection went
                                  * to, NULL: taken from env->srv (its port 0 meaning the
                                  * client's destination port) */
    const char *ssl_version;     /* %sslv: TLS version of the client connection, or NULL */
    const char *ssl_cipher;      /* %sslc: TLS cipher of the client connection, or NULL */
};

/* ---- logging configuration (log.c) --------------------------------------------------------- */

/* Where a "log" line sends to. */
enum log_tgt_kind {
    LOG_TGT_UDP = 0,  /* syslog over UDP, IPv4 or IPv6 */
    LOG_TGT_UNIX,     /* UNIX datagram socket (/dev/log) */
    LOG_TGT_FD,       /* an inherited descriptor: stdout, stderr, fd@N */
};

/* Header formats ("format" option of "log"), HAProxy's names. */
enum log_hdr_fmt {
    LOG_HDR_UNSPEC = 0, /* not given: "local", or "rfc3164" when log-send-hostname is set */
    LOG_HDR_LOCAL,      /* <PRI>Mmm dd hh:mm:ss tag[pid]: */
    LOG_HDR_RFC3164,    /* <PRI>Mmm dd hh:mm:ss host tag[pid]: */
    LOG_HDR_RFC5424,    /* <PRI>1 ISO-DATE host tag pid - - */
    LOG_HDR_PRIORITY,   /* <PRI> */
    LOG_HDR_SHORT,      /* <LEVEL> */
    LOG_HDR_TIMED,      /* <LEVEL>ISO-DATE */
    LOG_HDR_ISO,        /* ISO-DATE */
    LOG_HDR_RAW,        /* nothing */
};

/* One "log" line (global or proxy). Proxies own copies; "log global" copies the global ones
 * and points at them in `ref`. */
struct log_target {
    /* config time */
    enum log_tgt_kind kind;        /* UDP, UNIX or FD */
    struct sockaddr_storage addr;  /* UDP and UNIX: destination (UDP port 514 by default) */
    socklen_t addrlen;             /* length of addr for sendmsg() */
    int fd;                        /* FD: the descriptor named (1 stdout, 2 stderr) */
    int maxlen;                    /* "len": header + message bytes per line, LF not counted
                                    * (80..65535, 1024) */
    enum log_hdr_fmt format;       /* "format", LOG_HDR_UNSPEC when not given */
    int facility;                  /* 0 (kern) .. 23 (local7) */
    int level;                     /* lines less severe than this are not sent (0..7, 7) */
    int minlevel;                  /* lines more severe are sent with this level (0..7, 0) */
    const struct log_target *ref;  /* the global target this copies ("log global"), or NULL */
    struct cfg_where where;        /* the "log" line */
    struct log_target *next;       /* next target of the same list */
    /* worker runtime (log_init_worker) */
    int _fd;                       /* socket or descriptor to send with, -1 until opened */
    int _is_sock;                  /* FD: _fd is a socket (sendmsg with MSG_DONTWAIT) */
    int _alerted;                  /* a send error other than "would block" was reported */
};

/* What a proxy's "option httplog/tcplog", "log-format" lines selected. */
enum log_pxfmt {
    LOG_PXFMT_NONE = 0,  /* no format: the "Connect from" line is sent at accept */
    LOG_PXFMT_TCP,       /* option tcplog */
    LOG_PXFMT_HTTP,      /* option httplog */
    LOG_PXFMT_CLF,       /* option httplog clf */
    LOG_PXFMT_HTTPS,     /* option httpslog */
    LOG_PXFMT_CUSTOM,    /* log-format */
};

struct logfmt;

/* Logging settings of one proxy (struct proxy.log_conf). Inherited as a whole from the
 * defaults section when the proxy does not touch them, copied then changed otherwise. */
struct log_px_conf {
    /* config time */
    struct log_target *targets;    /* "log" lines, owned copies, in order */
    enum log_pxfmt fmt_kind;       /* the format selected last */
    char *fmt_str;                 /* LOG_PXFMT_CUSTOM: the log-format string; owned */
    struct cfg_where fmt_where;    /* the line that selected the format */
    int dontlognull;               /* option dontlognull */
    int separate_errors;           /* option log-separate-errors */
    char *tag;                     /* proxy "log-tag", NULL: the global one; owned */
    /* resolved by the check phase (frontends only) */
    struct logfmt *fmt;            /* compiled format, NULL with LOG_PXFMT_NONE */
    /* worker runtime */
    unsigned long long log_count;  /* %lc: lines logged by this frontend */
};

#endif
