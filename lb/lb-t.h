/* Balancing algorithms: one file each in lb/, behind this ops table. */
#ifndef SLUICE_LB_LB_T_H
#define SLUICE_LB_LB_T_H

struct proxy;
struct server;

struct lb_ops {
    const char *name;          /* the "balance" argument, e.g. "roundrobin" */
    /* Prepares the backend's state (px->lb_ctx) in a worker. Returns 0 or -1 with *err. */
    int (*init)(struct proxy *be, char **err);
    /* Returns a usable server other than `avoid` when one exists (avoid may be NULL, or
     * returned when it is the only one), or NULL when none is usable. Never blocks. */
    struct server *(*pick)(struct proxy *be, const struct server *avoid);
    struct lb_ops *next;       /* registration list */
};

#endif
