/* Servers: the "server" keyword and its options. */
#ifndef SLUICE_LB_SERVER_H
#define SLUICE_LB_SERVER_H

#include "cfg-t.h"
#include "server-t.h"

/* The options of "server" lines: modules register theirs with cfg_optset_register(); each
 * option's parse() gets the struct server *. */
extern struct cfg_optset srv_opts;

/* Returns 1 when the server may receive new connections (not in maintenance). */
static inline int srv_usable(const struct server *srv)
{
    return !(srv->flags & SRV_F_DISABLED);
}

#endif
