/* roundrobin balancing. */
#ifndef SLUICE_LB_RR_H
#define SLUICE_LB_RR_H

struct proxy;
struct server;

/* Picks the next server by smooth weighted round-robin (exposed for unit tests). */
struct server *lb_rr_pick(struct proxy *be, const struct server *avoid);

#endif
