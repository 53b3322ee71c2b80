/* Types of traffic logging: what a stream records for its log line. */
#ifndef SLUICE_CORE_LOG_T_H
#define SLUICE_CORE_LOG_T_H

#include <stdint.h>
#include <sys/time.h>

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
};

#endif
