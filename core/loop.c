/* The event loop (libev). */
#include "loop.h"

#include <stdio.h>
#include <stdlib.h>

#include "log.h"

struct ev_loop *loop;

static void loop_syserr(const char *msg)
{
    log_alert("event loop: %s: fatal system error, exiting", msg);
    abort();
}

static void *loop_realloc(void *ptr, long size)
{
    void *p;

    if (size == 0) {
        free(ptr);
        return NULL;
    }
    p = realloc(ptr, (size_t)size);
    if (!p)
        log_alert("event loop: out of memory allocating %ld bytes", size);
    return p;
}

void loop_init(void)
{
    ev_set_syserr_cb(loop_syserr);
    ev_set_allocator(loop_realloc);
    loop = ev_default_loop(EVFLAG_AUTO);
    if (!loop) {
        log_alert("event loop: cannot initialise libev (bad $LIBEV_FLAGS?)");
        exit(1);
    }
}

void loop_after_fork(void)
{
    ev_loop_fork(loop);
}

const char *loop_lib_version(void)
{
    static char v[32];

    snprintf(v, sizeof(v), "libev %d.%d", ev_version_major(), ev_version_minor());
    return v;
}
