/* Typed pools of fixed-size objects. */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

struct pool *pools;

void pool_register(struct pool *p)
{
    if (p->size < sizeof(void *))
        p->size = sizeof(void *);
    p->next = pools;
    pools = p;
}

void *pool_alloc(struct pool *p)
{
    int fresh;

    return pool_alloc_ex(p, &fresh);
}

void *pool_alloc_ex(struct pool *p, int *fresh)
{
    void *obj = p->free_list;

    *fresh = !obj;
    if (obj) {
        p->free_list = *(void **)obj;
    } else {
        obj = malloc(p->size);
        if (!obj) {
            p->failed++;
            return NULL;
        }
        p->allocated++;
    }
    p->used++;
#ifdef DEBUG_POOLS
    memset(obj, 0x5a, p->size);
#endif
    return obj;
}

void pool_free(struct pool *p, void *obj)
{
    if (!obj)
        return;
#ifdef DEBUG_POOLS
    memset(obj, 0xa5, p->size);
#endif
    *(void **)obj = p->free_list;
    p->free_list = obj;
    p->used--;
}
