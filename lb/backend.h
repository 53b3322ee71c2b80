/* Backends: the "balance" keyword and server selection. */
#ifndef SLUICE_LB_BACKEND_H
#define SLUICE_LB_BACKEND_H

#include "lb-t.h"

/* Registers an algorithm (from its own file's INITCALL). */
void be_register_lb(struct lb_ops *ops);

/* Worker start: prepares every backend's algorithm. Returns 0, or -1 with *err set. */
int be_init_all(char **err);

/* Picks a server for a new connection on backend be, avoiding `avoid` when another server is
 * usable (retries go to the next server). Returns NULL when no server is usable. */
struct server *be_pick_server(struct proxy *be, const struct server *avoid);

#endif
