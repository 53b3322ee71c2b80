/* Typed pools of fixed-size objects. */
#include "pool.h"

#include <stdlib.h>
#include <string.h>

/* Under AddressSanitizer, an object is poisoned while it sits in its pool: any use after
 * pool_free() (a stale pointer kept somewhere) is reported at once, and so is a second
 * pool_free() of the same object, instead of silently sharing memory with the next user. */
#if defined(__SANITIZE_ADDRESS__)
#define POOL_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOL_ASAN 1
#endif
#endif
#ifdef POOL_ASAN
#include <sanitizer/asan_interface.h>
#include <stdio.h>
#define POOL_POISON(p, n)   ASAN_POISON_MEMORY_REGION(p, n)
#define POOL_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
/* LeakSanitizer ignores pointers kept in poisoned memory: the free list's links and what a
 * pooled object still owns (a recycled stream's arena blocks) would be reported as leaks at
 * exit. Pooled objects are reachable: tell it to scan poisoned memory too. */
const char *__lsan_default_options(void);
const char *__lsan_default_options(void)
{
    return "use_poisoned=1";
}
#else
#define POOL_POISON(p, n)   ((void)(p), (void)(n))
#define POOL_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

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
        POOL_UNPOISON(obj, p->size);
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
#ifdef POOL_ASAN
    if (__asan_address_is_poisoned(obj)) {
        fprintf(stderr, "pool '%s': object %p freed twice\n", p->name, obj);
        *(volatile char *)obj = 0; /* ASan reports the use-after-poison with both stacks */
        abort();
    }
#endif
#ifdef DEBUG_POOLS
    memset(obj, 0xa5, p->size);
#endif
    *(void **)obj = p->free_list;
    p->free_list = obj;
    p->used--;
    POOL_POISON(obj, p->size);
}
