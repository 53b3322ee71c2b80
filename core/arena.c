/* Per-request arenas. */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK 4096
#define ARENA_DEFAULT_LIMIT (1 << 20)

struct arena_block {
    struct arena_block *next;
    size_t size;   /* bytes of data */
    size_t used;   /* bytes handed out */
    max_align_t data[];
};

static struct arena_block *block_new(struct arena *a, size_t need)
{
    size_t size = need > ARENA_BLOCK ? need : ARENA_BLOCK;
    struct arena_block *b;

    if (a->total + size > (a->limit ? a->limit : ARENA_DEFAULT_LIMIT))
        return NULL;
    b = malloc(sizeof(*b) + size);
    if (!b)
        return NULL;
    b->next = NULL;
    b->size = size;
    b->used = 0;
    a->total += size;
    return b;
}

void *arena_alloc(struct arena *a, size_t n)
{
    struct arena_block *b = a->cur;
    void *p;

    n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
    if (!b) {
        b = a->first;
        if (!b)
            b = a->first = block_new(a, n);
        if (!b)
            return NULL;
        a->cur = b;
    }
    while (b->used + n > b->size) {
        if (!b->next) {
            b->next = block_new(a, n);
            if (!b->next)
                return NULL;
        }
        b = a->cur = b->next;
        b->used = 0;
    }
    p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

char *arena_strndup(struct arena *a, const char *s, size_t n)
{
    char *p = arena_alloc(a, n + 1);

    if (p) {
        memcpy(p, s, n);
        p[n] = 0;
    }
    return p;
}

void arena_reset(struct arena *a)
{
    struct arena_block *b, *next;

    if (!a->first)
        return;
    /* Keep the first block; give the extra ones back so one large request does not pin
     * memory for the rest of a keep-alive connection. */
    for (b = a->first->next; b; b = next) {
        next = b->next;
        a->total -= b->size;
        free(b);
    }
    a->first->next = NULL;
    a->first->used = 0;
    a->cur = a->first;
}

void arena_free(struct arena *a)
{
    struct arena_block *b, *next;

    for (b = a->first; b; b = next) {
        next = b->next;
        free(b);
    }
    a->first = a->cur = NULL;
    a->total = 0;
}
