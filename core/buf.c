/* I/O buffers from one pool. */
#include "buf.h"

#include "pool.h"

static struct pool buf_pool = {.name = "buffer"};
static uint32_t buf_size = 16384;

void buf_setup(uint32_t size)
{
    buf_size = size;
    buf_pool.size = sizeof(struct buf) + size;
    pool_register(&buf_pool);
}

struct buf *buf_get(void)
{
    struct buf *b = pool_alloc(&buf_pool);

    if (b) {
        b->head = b->data = 0;
        b->size = buf_size;
    }
    return b;
}

void buf_put(struct buf *b)
{
    pool_free(&buf_pool, b);
}
