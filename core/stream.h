/* Streams: a client connection joined to a server connection. stream.c owns their life
 * cycle, server connections and the tcp mode; http.c drives them in mode http. */
#ifndef SLUICE_CORE_STREAM_H
#define SLUICE_CORE_STREAM_H

#include <sys/socket.h>

#include "stream-t.h"

struct listener;

/* Buffers relayed per wakeup in one direction of a stream at most: while each read fills the
 * buffer and the other side takes it whole, the stream reads again at once (as HAProxy
 * does) instead of going back to the poller for each buffer; bounded so that one fast
 * transfer cannot hold the loop. */
#define STRM_BULK_ROUNDS 32

/* Live streams in this worker. */
extern int strm_count;

/* Worker start: registers the stream pool. */
void strm_init(void);

/* Takes over an accepted client socket: picks the frontend's backend and a server and
 * starts forwarding (tcp) or waits for a request (http). Returns 0 when the socket is now
 * owned by a stream (which may already have ended), -1 when no stream could be made (out of
 * memory; the caller closes fd). */
int strm_accept(struct listener *l, int fd, const struct sockaddr_storage *addr);

/* ---- for http.c ---- */

/* Ends the stream: closes both connections, releases buffers, returns it to the pool. */
void strm_free(struct stream *s);

/* Picks a server of s->be (avoiding s->target on retries) and starts connecting, or takes
 * an idle connection to it. Returns 0 when a connection is ready or in progress, -1 when no
 * server could be tried (none usable, or every attempt failed at once). */
int strm_connect(struct stream *s);

/* Fills key with what a connection to srv must be made with for the current request
 * (server, SNI evaluated now, ALPN): an attached or idle connection may carry the request
 * only when its key is equal. */
void strm_srv_key(struct stream *s, struct server *srv, struct conn_key *key);

/* Ends the stream's use of its server connection: the one place where a server connection
 * is given up and where target->cur_conns is decremented. With to_pool, an established
 * connection goes to the idle pool under its key (reuse_put() may still close it), else it
 * is closed. Clears SF_SRV_ATTACHED; s->srv is left closed (fd -1, no flags). */
void strm_srv_release(struct stream *s, int to_pool);

/* Same with the server already chosen (srv may be NULL: none usable). */
int strm_connect_srv(struct stream *s, struct server *srv);

/* The current connection attempt failed: closes it and tries again while retries are left.
 * Returns as strm_connect(). */
int strm_retry(struct stream *s);

/* Readiness on a connecting server socket: 1 when the connection (and its TLS handshake)
 * is now established, 0 when nothing more is to be done now (still connecting, or a retry
 * started), -1 when every attempt failed. */
int strm_srv_connect_event(struct stream *s, int revents);

/* The server connection just became established: counts it, records Tc. */
void strm_srv_connected(struct stream *s);

/* Reads what conn `from` has into *bufp (taking a buffer when needed). Sets CONN_F_EOF /
 * CONN_F_ERROR on the connection. Returns bytes read, or -1 when out of memory. */
long strm_pull(struct stream *s, struct conn *from, struct buf **bufp, ev_tstamp *last,
               uint64_t *ctr);

/* Arms the stream's timer for loop time `deadline` (0: none). */
void strm_set_timer(struct stream *s, ev_tstamp deadline);

/* Milliseconds to seconds. */
static inline ev_tstamp strm_tmo(int ms)
{
    return ms / 1000.0;
}

/* Printable client address. */
const char *strm_addr(const struct stream *s, char *buf, int len);

#endif
