/* Idle server connections kept by a worker for later requests (http-reuse). */
#ifndef SLUICE_CORE_REUSE_H
#define SLUICE_CORE_REUSE_H

#include "conn.h"

#define REUSE_MAX_PER_SERVER 1000  /* idle connections kept per server and worker */

/* Keeps the established, quiet connection c, made with key (whose target is its server),
 * for reuse; the pool takes it over (c is left closed, fd -1). Connections the server
 * closes, or idle for longer than the purge delay, are closed. c is closed instead when its
 * server's list or the worker's budget (reuse_max_idle) is full, or when its transport
 * still holds bytes (the server sent something nobody asked for). */
void reuse_put(const struct conn_key *key, struct conn *c);

/* Takes into c an idle connection whose key equals key, watched by cb with owner as data
 * (nothing registered yet). Returns 1 when one was found, 0 otherwise. */
int reuse_get(const struct conn_key *key, struct conn *c,
              void (*cb)(struct ev_loop *, ev_io *, int), void *owner);

/* Idle connections in this worker (all servers). */
extern int reuse_idle_count;

/* Idle connections a worker may keep in all (each holds a file descriptor): set from the
 * file-descriptor budget at configuration check (global.c), 0: none kept. */
extern int reuse_max_idle;

#endif
