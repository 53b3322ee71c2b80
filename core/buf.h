/* I/O buffers: one size (tune.bufsize), one pool. A connection takes a buffer when data
 * arrives and gives it back once empty, so idle connections hold none. */
#ifndef SLUICE_CORE_BUF_H
#define SLUICE_CORE_BUF_H

#include <stdint.h>
#include <string.h>

struct buf {
    uint32_t head;   /* offset of the first byte of data */
    uint32_t data;   /* bytes of data */
    uint32_t size;   /* bytes in area */
    char area[];     /* storage */
};

/* Sets the size of every buffer (once, before the first buf_get()). */
void buf_setup(uint32_t size);
/* Returns an empty buffer, or NULL when out of memory. */
struct buf *buf_get(void);
/* Returns b (may be NULL) to the pool. */
void buf_put(struct buf *b);

/* Free room after the data, moving the data to the front first when that makes room. */
static inline uint32_t buf_room(struct buf *b)
{
    if (b->data == 0)
        b->head = 0;
    else if (b->head + b->data == b->size && b->head) {
        memmove(b->area, b->area + b->head, b->data);
        b->head = 0;
    }
    return b->size - b->head - b->data;
}

static inline char *buf_tail(struct buf *b)
{
    return b->area + b->head + b->data;
}

static inline char *buf_peek(struct buf *b)
{
    return b->area + b->head;
}

static inline void buf_consume(struct buf *b, uint32_t n)
{
    b->head += n;
    b->data -= n;
    if (!b->data)
        b->head = 0;
}

#endif
