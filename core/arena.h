/* Per-request arenas: short-lived variable-sized data (rewritten header values, sample
 * results, variables) is carved from blocks that are kept between requests and reset in one
 * call when a request ends. Nothing in an arena may outlive the reset. */
#ifndef SLUICE_CORE_ARENA_H
#define SLUICE_CORE_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
    struct arena_block *first;  /* kept across resets; NULL until the first allocation */
    struct arena_block *cur;    /* block allocations come from */
    size_t limit;               /* total bytes this arena may hold (0: 1 MiB) */
    size_t total;               /* bytes of blocks held */
};

/* Returns n bytes aligned for any type, or NULL when out of memory or over the limit. */
void *arena_alloc(struct arena *a, size_t n);
/* Copies n bytes of s and a NUL; returns NULL when out of memory. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Forgets every allocation; keeps the first block for the next request. */
void arena_reset(struct arena *a);
/* Frees every block. */
void arena_free(struct arena *a);

#endif
