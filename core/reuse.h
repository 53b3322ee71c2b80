/* Idle server connections kept by a worker for later requests (http-reuse). */
#ifndef SLUICE_CORE_REUSE_H
#define SLUICE_CORE_REUSE_H

#include "conn.h"

struct server;

/* Keeps the established, quiet connection c to srv for reuse; the pool takes over its
 * socket (c is left closed, fd -1). Connections the server closes, or idle for longer than
 * the purge delay, are closed. When the pool is full, c is closed. */
void reuse_put(struct server *srv, struct conn *c);

/* Takes an idle connection to srv into c, watched by cb with owner as data. Returns 1 when
 * one was found, 0 otherwise. */
int reuse_get(struct server *srv, struct conn *c, void (*cb)(struct ev_loop *, ev_io *, int),
              void *owner);

/* Idle connections in this worker (all servers). */
extern int reuse_idle_count;

#endif
