/* Listeners: one per address of a "bind" line. */
#ifndef SLUICE_CORE_LISTENER_T_H
#define SLUICE_CORE_LISTENER_T_H

#include "cfg-t.h"
#include "parse-t.h"

struct proxy;

struct listener {
    /* config time */
    struct proxy *px;          /* frontend owning the bind line */
    struct cfg_where where;    /* the bind line */
    char *addr_str;            /* the address as written */
    struct parse_addr addr;    /* parsed address */
    const char *name;          /* "name" option, or NULL */
    int backlog;               /* listen() backlog; 0: derived from maxconn */
    int maxconn;               /* "maxconn" option: concurrent connections per worker; 0: none */
    int unix_mode;             /* "mode" for UNIX sockets (octal), -1: unset */
    int unix_uid, unix_gid;    /* "uid"/"gid" (or user/group) for UNIX sockets, -1: unset */
    int v6only;                /* 1: "v6only", 2: "v4v6", 0: system default */
    char *interface;           /* "interface": SO_BINDTODEVICE, or NULL */
    void *tls;                 /* TLS settings owned by ssl/, NULL for plain TCP */
    int failed;                /* its bind line had an error (reported once, not rechecked) */
    struct listener *next;     /* next listener of the same proxy */
    struct listener *gnext;    /* next listener of any proxy */

    /* master, after binding */
    int nfds;                  /* entries in fds */
    int *fds;                  /* socket for each worker slot (all equal when shared) */
    int shared;                /* one socket for every slot (fd@N and UNIX sockets) */

    /* worker runtime */
    int fd;                    /* the socket this worker accepts on, -1 when closed */
    int curconn;               /* connections accepted here and still open */
    int paused;                /* not accepting because a maxconn is reached */
    void *rt;                  /* the worker's watcher (worker.c) */
};


#endif
