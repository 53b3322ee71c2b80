/* HTTP transactions as the rules, samples and logs see them: the parsed request and
 * response heads as editable header lists. The parser (h1.c) fills them from the receive
 * buffer; rules edit them (new strings live in the request's arena); the engine (http.c)
 * writes the final head once into the outgoing buffer. */
#ifndef SLUICE_CORE_HTTP_T_H
#define SLUICE_CORE_HTTP_T_H

#include <stdint.h>

#include "arena.h"

/* One header field. http_hdr_del() keeps a deleted field's slot (name == NULL), so it moves
 * no other field; http_hdr_add() appends, but when every slot is taken it first compacts a
 * deleted slot away, which shifts the fields after it down by one. An index (from
 * http_hdr_find()) is therefore valid only until the next http_hdr_add()/http_hdr_set():
 * find it again after adding. name/value point into the receive buffer or into the
 * transaction's arena; they are not NUL-terminated. */
struct http_hdr {
    const char *name;      /* field name, NULL when deleted */
    uint32_t name_len;
    const char *value;     /* field value (no leading/trailing whitespace) */
    uint32_t value_len;
};

/* A request or response head. */
struct http_msg {
    /* request line */
    const char *meth;      /* method */
    uint32_t meth_len;
    const char *uri;       /* request-target as received or rewritten */
    uint32_t uri_len;
    /* status line */
    int status;            /* response status (0 for requests) */
    const char *reason;    /* reason phrase */
    uint32_t reason_len;
    /* both */
    int vers;              /* 10 (HTTP/1.0) or 11 (HTTP/1.1) */
    unsigned flags;        /* H1_F_* as parsed (h1-t.h) */
    struct http_hdr *hdrs; /* header slots (owned by the transaction) */
    int nhdrs;             /* slots used, deleted ones included */
    int max_hdrs;          /* slots available (tune.http.maxhdr plus room for rules) */
    int present;           /* 1 once the head was received and parsed */
};

/* One HTTP transaction (request + response). Lives in the stream; reset between requests
 * of a keep-alive connection. */
struct http_txn {
    struct http_msg req;        /* the request head */
    struct http_msg res;        /* the response head (present once received or generated) */
    struct arena *arena;        /* storage for this transaction's new strings (reset at end) */
    int status;                 /* status sent to the client (for logs), 0 before */
    uint64_t req_clen;          /* the request's Content-Length as parsed (req.flags H1_F_CLEN) */
    int log_level;              /* set-log-level override, -1: unset */
};

#endif
