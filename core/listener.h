/* Listeners: the "bind" keyword, its options, and the listening sockets. */
#ifndef SLUICE_CORE_LISTENER_H
#define SLUICE_CORE_LISTENER_H

#include "cfg-t.h"
#include "listener-t.h"

/* Every listener of every frontend, in declaration order. */
extern struct listener *listeners;

/* The options of "bind" lines: modules register theirs with cfg_optset_register(); each
 * option's parse() gets the struct listener *. */
extern struct cfg_optset lsn_bind_opts;

/* Master, before forking: creates the listening sockets, one per worker slot with
 * SO_REUSEPORT for TCP addresses, one shared socket for UNIX paths and inherited fd@N.
 * Reports each failure with the bind line's file:line. Returns the number of errors. */
int lsn_bind_all(int nslots);

/* Worker: keeps slot's sockets (l->fd) and closes those of every other slot. */
void lsn_keep_slot(int slot);
/* Closes every listening socket this process holds (all slots). */
void lsn_close_all(void);

#endif
