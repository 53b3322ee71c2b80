/* Samples: values fetched from a stream (addresses, request parts, headers, variables) and
 * transformed by converters, as HAProxy's sample fetches and converters. */
#ifndef SLUICE_CORE_SAMPLE_T_H
#define SLUICE_CORE_SAMPLE_T_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct proxy;
struct server;
struct http_txn;
struct arena;
struct strm_info;

enum smp_type {
    SMP_T_BOOL = 0, /* data.sint is 0 or 1 */
    SMP_T_SINT,     /* data.sint */
    SMP_T_IPV4,     /* data.ipv4 */
    SMP_T_IPV6,     /* data.ipv6 */
    SMP_T_STR,      /* data.str (not NUL-terminated) */
    SMP_T_BIN,      /* data.str, binary */
};

/* Sample flags */
#define SMP_F_CONST 0x01 /* data.str points into a message or config: copy before changing */

struct sample {
    enum smp_type type;
    unsigned flags;                 /* SMP_F_* */
    union {
        long long sint;
        struct in_addr ipv4;
        struct in6_addr ipv6;
        struct {
            const char *ptr;
            size_t len;
        } str;
    } data;
};

/* Where a rule runs: what a fetch may look at. */
#define SMP_USE_L4      0x01 /* connection: addresses, ports */
#define SMP_USE_REQ     0x02 /* request line and headers */
#define SMP_USE_RES     0x04 /* response status and headers */
#define SMP_USE_BE      0x08 /* backend chosen */

/* Variable scopes, as HAProxy's set-var(<scope>.<name>) */
enum var_scope {
    VAR_SCOPE_PROC = 0,  /* the whole worker process */
    VAR_SCOPE_SESS,      /* the client connection (survives keep-alive requests) */
    VAR_SCOPE_TXN,       /* one request/response */
    VAR_SCOPE_REQ,       /* the request processing only */
    VAR_SCOPE_RES,       /* the response processing only */
    VAR_SCOPE_COUNT,
};

struct var;              /* defined by the variables code */

/* The variables of one scope. The stream resets `head` (and the arena) when the scope ends. */
struct var_store {
    struct var *head;    /* variables set in this scope */
    struct arena *arena; /* where they are stored; NULL: malloc (proc scope only) */
};

/* Everything a fetch, converter, ACL or log-format may read. Filled by the stream. */
struct smp_env {
    const struct sockaddr_storage *src;  /* client address */
    const struct sockaddr_storage *dst;  /* local address the client connected to */
    struct proxy *fe;                    /* frontend */
    struct proxy *be;                    /* backend, NULL before one is chosen */
    struct server *srv;                  /* server, NULL before one is chosen */
    struct http_txn *txn;                /* HTTP transaction, NULL in mode tcp */
    struct arena *arena;                 /* scratch memory for results (per request) */
    struct strm_info *info;              /* timings and counters for logs, may be NULL */
    unsigned avail;                      /* SMP_USE_* available right now */
    struct var_store *vars[VAR_SCOPE_COUNT]; /* variable storage by scope (NULL: none) */
    void *tls;                           /* TLS connection info (ssl/), NULL for plain */
    const char *bind_name;               /* the listener's "name", or NULL */
    const char *err;                     /* set when an evaluation could not be decided (a
                                          * regex at its match limit): the rule engine then
                                          * fails closed; static text, cleared per request */
};

#endif
