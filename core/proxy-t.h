/* Proxies: frontends, backends, listens and defaults sections. */
#ifndef SLUICE_CORE_PROXY_T_H
#define SLUICE_CORE_PROXY_T_H

#include "cfg-t.h"

enum px_mode {
    PX_MODE_TCP = 0,  /* bytes forwarded both ways */
    PX_MODE_HTTP,     /* HTTP/1.1 reverse proxy */
};

/* Capabilities of a proxy section */
#define PX_CAP_FE  0x01 /* accepts connections: frontend, listen */
#define PX_CAP_BE  0x02 /* has servers: backend, listen */
#define PX_CAP_DEF 0x04 /* a defaults section */

struct listener;
struct server;
struct lb_ops;

/* Timeouts in milliseconds; 0 means "not set" (no timeout). */
struct px_timeouts {
    int connect;     /* establishing a server connection */
    int client;      /* client-side inactivity */
    int server;      /* server-side inactivity */
    int tunnel;      /* inactivity in both directions once a tunnel is established */
    int client_fin;  /* client-side inactivity once one direction is closed */
    int server_fin;  /* server-side inactivity once one direction is closed */
    int http_request;    /* HTTP: receiving a complete request head */
    int http_keep_alive; /* HTTP: waiting for the next request on a kept-alive connection */
};

/* HTTP connection modes ("option http-keep-alive" and friends) */
enum px_http_mode {
    PX_HTTP_KAL = 0, /* keep-alive on both sides (default) */
    PX_HTTP_SCL,     /* http-server-close: close the server side after each response */
    PX_HTTP_CLO,     /* httpclose: close both sides after each response */
};

/* "http-reuse" */
enum px_reuse {
    PX_REUSE_SAFE = 0, /* a connection's first request never takes another's idle connection */
    PX_REUSE_NEVER,    /* idle server connections are never shared between clients */
    PX_REUSE_ALWAYS,   /* any request may take an idle connection to its server */
};

#define PX_ERRFILES 17   /* statuses errorfile may replace (http-err.c lists them) */

/* HTTP settings inherited from defaults. */
struct px_http_conf {
    enum px_http_mode conn_mode;  /* connection mode; the frontend's and backend's combine */
    int conn_mode_set;            /* the mode was set in this section or its defaults */
    enum px_reuse reuse;          /* http-reuse */
    int fwdfor;                   /* option forwardfor */
    char *fwdfor_hdr;             /* its header name (default x-forwarded-for) */
    int fwdfor_ifnone;            /* only when the header is absent */
    int fwdfor_except;            /* an "except" network is set */
    int fwdfor_except_v6;         /* the network is IPv6 */
    unsigned char fwdfor_net[16], fwdfor_mask[16]; /* network and mask, network byte order */
    char *hsts;                   /* "hsts": Strict-Transport-Security value, NULL: none */
    const char *errfile[PX_ERRFILES];   /* errorfile contents (full responses), NULL: default */
    unsigned errfile_len[PX_ERRFILES];
};

/* Settings a proxy inherits from its defaults section, copied as a whole. Strings are
 * duplicated on copy (px_conf_copy). */
struct px_conf {
    enum px_mode mode;          /* "mode" */
    struct px_timeouts timeout; /* "timeout ..." */
    int maxconn;                /* "maxconn": frontend concurrent connections per worker; 0 = none */
    int retries;                /* "retries": connection attempts after the first (default 3) */
    char *defbe_name;           /* "default_backend" name, resolved by the check phase */
    struct cfg_where defbe_where; /* where default_backend was written */
    const struct lb_ops *lb;    /* "balance" algorithm (roundrobin when not set) */
    struct cfg_where lb_where;  /* where balance was written */
    struct px_http_conf http;   /* HTTP options */
};

struct proxy {
    /* identity, set when the section opens */
    const char *id;             /* name (interned) */
    unsigned cap;               /* PX_CAP_* */
    const char *kind;           /* "frontend", "backend", "listen", "defaults" */
    struct cfg_where where;     /* the section line */
    int uuid;                   /* 1-based, in declaration order */
    struct proxy *next;         /* all proxies in declaration order (defaults excluded) */

    struct px_conf conf;        /* inheritable settings */
    struct proxy *from;         /* defaults section it inherited from, NULL: built-in */
    void *log_conf;             /* traffic logging settings, owned by log.c */
    void *acls;                 /* named ACLs ("acl" lines), owned by acl.c */
    void *rules;                /* http-request/response rules, use_backend, owned by
                                 * http-rules.c */

    /* resolved by the check phase */
    struct proxy *defbe;        /* default backend, or NULL */

    /* frontend side */
    struct listener *listeners; /* "bind" lines, in order */
    int bind_lines;             /* "bind" lines written, failed ones included */

    /* backend side */
    struct server *servers;     /* "server" lines, in order */
    int nsrv;                   /* number of servers */
    void *lb_ctx;               /* the algorithm's state (per worker) */

    /* per-worker runtime (each worker has its own copy after fork) */
    int feconn;                 /* current frontend connections in this worker */
    unsigned long long cum_conn; /* connections accepted by this frontend in this worker */
    int lsn_paused;             /* listeners stopped because feconn reached maxconn */
};

#endif
