/* Idle server connections kept by a worker for later requests (http-reuse). Each one is
 * watched: a server that closes it (or sends anything) gets it closed at once, so a request
 * is never sent on a connection known to be dead. */
#include "reuse.h"

#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#include "loop.h"
#include "pool.h"
#include "proxy.h"
#include "server.h"

#define REUSE_PURGE_DELAY    5.0   /* seconds an idle connection may wait (pool-purge-delay) */

struct idle_conn {
    struct conn c;             /* the connection, watched for close */
    struct server *srv;        /* its server (key.target) */
    struct conn_key key;       /* what it was made with: only an equal key may take it */
    ev_tstamp since;           /* when it became idle */
    struct idle_conn *next, *prev; /* in srv->idle, most recent first */
};

static struct pool idle_pool = {.name = "idle_conn", .size = sizeof(struct idle_conn)};
static int reuse_ready;
int reuse_idle_count;
int reuse_max_idle = INT_MAX;

static void idle_unlink(struct idle_conn *ic)
{
    if (ic->prev)
        ic->prev->next = ic->next;
    else
        ic->srv->idle = ic->next;
    if (ic->next)
        ic->next->prev = ic->prev;
    ic->srv->nb_idle--;
    reuse_idle_count--;
}

static void idle_drop(struct idle_conn *ic)
{
    idle_unlink(ic);
    conn_close(&ic->c);
    pool_free(&idle_pool, ic);
}

/* Readable while idle: the server closed (or misbehaved). Either way the connection is done. */
static void idle_io_cb(struct ev_loop *lp, ev_io *w, int revents)
{
    idle_drop(w->data);
}

/* Every REUSE_PURGE_DELAY: closes the connections idle for longer, on every server. Without
 * it, connections no request takes (http-reuse safe never gives one to a client's first
 * request) would pile up and hold the servers' connection slots. */
static ev_timer purge_timer;

static void purge_cb(struct ev_loop *l, ev_timer *w, int revents)
{
    ev_tstamp now = loop_now();

    for (struct proxy *px = proxies; px; px = px->next)
        for (struct server *srv = px->servers; srv; srv = srv->next) {
            struct idle_conn *ic = srv->idle;

            /* most recent first: from the first one too old, all are */
            while (ic && now - ic->since <= REUSE_PURGE_DELAY)
                ic = ic->next;
            while (ic) {
                struct idle_conn *next = ic->next;

                idle_drop(ic);
                ic = next;
            }
        }
}

static void reuse_setup(void)
{
    pool_register(&idle_pool);
    reuse_ready = 1;
    ev_timer_init(&purge_timer, purge_cb, REUSE_PURGE_DELAY, REUSE_PURGE_DELAY);
    ev_timer_start(loop, &purge_timer);
    ev_unref(loop); /* the purge alone does not keep a stopping worker alive */
}

void reuse_put(const struct conn_key *key, struct conn *c)
{
    struct server *srv = (struct server *)key->target;
    struct idle_conn *ic;

    if (!reuse_ready)
        reuse_setup();
    /* Bytes the transport still holds were sent by the server after its answer: such a
     * connection is out of step and is never given to another request. */
    if (srv->nb_idle >= REUSE_MAX_PER_SERVER || reuse_idle_count >= reuse_max_idle ||
        conn_holds_bytes(c) || !(ic = pool_alloc(&idle_pool))) {
        conn_close(c);
        return;
    }
    conn_move(&ic->c, c, idle_io_cb, ic);
    ic->srv = srv;
    ic->key = *key;
    ic->since = loop_now();
    conn_want(&ic->c, CONN_EV_READ);
    ic->prev = NULL;
    ic->next = srv->idle;
    if (srv->idle)
        srv->idle->prev = ic;
    srv->idle = ic;
    srv->nb_idle++;
    reuse_idle_count++;
}

int reuse_get(const struct conn_key *key, struct conn *c,
              void (*cb)(struct ev_loop *, ev_io *, int), void *owner)
{
    struct server *srv = (struct server *)key->target;
    ev_tstamp now = loop_now();
    struct idle_conn *ic;

    /* Most recently used first: it is the least likely to have been closed by the server.
     * The list is ordered by age: from the first one too old, all are (dropped here rather
     * than waiting for the purge). Connections with other keys (another SNI) are skipped;
     * the scan is bounded by REUSE_MAX_PER_SERVER and compares hashes first. */
    for (ic = srv->idle; ic; ic = ic->next) {
        if (now - ic->since > REUSE_PURGE_DELAY) {
            while (ic) {
                struct idle_conn *next = ic->next;

                idle_drop(ic);
                ic = next;
            }
            return 0;
        }
        if (conn_key_eq(&ic->key, key))
            break;
    }
    if (!ic)
        return 0;
    idle_unlink(ic);
    conn_move(c, &ic->c, cb, owner);
    pool_free(&idle_pool, ic);
    return 1;
}
