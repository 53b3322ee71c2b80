/* Typed pools of fixed-size objects: a free list per type, grown on demand, never shrunk
 * while the process serves traffic. Taking and returning an object costs a pointer swap. */
#ifndef SLUICE_CORE_POOL_H
#define SLUICE_CORE_POOL_H

#include <stddef.h>

struct pool {
    const char *name;      /* shown by "show pools" */
    size_t size;           /* object size in bytes (>= sizeof(void *)) */
    void *free_list;       /* returned objects, linked through their first word */
    unsigned allocated;    /* objects obtained from malloc */
    unsigned used;         /* objects handed out and not returned */
    unsigned failed;       /* allocations that failed */
    struct pool *next;     /* all pools */
};

/* Every registered pool (for statistics). */
extern struct pool *pools;

/* Registers a pool for statistics; call once before use. */
void pool_register(struct pool *p);

/* Returns an object of p->size bytes (contents undefined), or NULL when out of memory: the
 * caller drops the connection it was for and keeps serving the others. */
void *pool_alloc(struct pool *p);

/* Same, and tells in *fresh whether the object is new (never handed out before) or recycled
 * (its contents are what the previous user left). */
void *pool_alloc_ex(struct pool *p, int *fresh);

/* Returns obj (may be NULL) to its pool. */
void pool_free(struct pool *p, void *obj);

#endif
