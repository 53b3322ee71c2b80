/* Streams: a client connection joined to a server connection. */
#ifndef SLUICE_CORE_STREAM_H
#define SLUICE_CORE_STREAM_H

#include <sys/socket.h>

struct listener;

/* Live streams in this worker. */
extern int strm_count;

/* Worker start: registers the stream pool. */
void strm_init(void);

/* Takes over an accepted client socket: picks the frontend's backend and a server and
 * starts forwarding. Returns 0 when the socket is now owned by a stream (which may already
 * have ended), -1 when no stream could be made (out of memory; the caller closes fd). */
int strm_accept(struct listener *l, int fd, const struct sockaddr_storage *addr);

#endif
