/* Servers: the "server" keyword and its options. */
#ifndef SLUICE_LB_SERVER_H
#define SLUICE_LB_SERVER_H

#include "server-t.h"

/* Registers a NULL-name-terminated table of server options. */
void srv_register_kws(struct srv_kw *kws);

/* Returns 1 when the server may receive new connections (not in maintenance). */
static inline int srv_usable(const struct server *srv)
{
    return !(srv->flags & SRV_F_DISABLED);
}

#endif
