/* Servers of a backend. */
#ifndef SLUICE_LB_SERVER_T_H
#define SLUICE_LB_SERVER_T_H

#include "cfg-t.h"
#include "parse-t.h"

struct proxy;
struct idle_conn;

#define SRV_F_DISABLED 0x01 /* "disabled": in maintenance, never picked */
#define SRV_F_BACKUP   0x02 /* "backup": used only when no active server is usable */

struct server {
    /* config time */
    struct proxy *be;          /* backend owning the server */
    const char *id;            /* name (interned) */
    struct cfg_where where;    /* the server line */
    char *addr_str;            /* the address as written */
    struct parse_addr addr;    /* resolved address; port 0: the client's destination port */
    int weight;                /* 0..256, default 1; 0 never picked by weighted algorithms */
    unsigned flags;            /* SRV_F_* */
    int puid;                  /* 1-based position in the backend */
    void *tls;                 /* TLS settings owned by ssl/, NULL for plain TCP */
    struct server *next;       /* next server of the same backend */

    /* per-worker runtime */
    int cur_conns;             /* connections open to this server from this worker */
    unsigned long long cum_conns; /* connections established from this worker */
    int lb_cur;                /* balancing algorithm state (smooth round-robin weight) */
    struct idle_conn *idle;    /* idle connections kept for reuse (reuse.c) */
    int nb_idle;               /* how many */
};


#endif
