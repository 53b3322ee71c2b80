/* The channel between the master and one worker: a UNIX stream socketpair carrying framed
 * messages of any size (up to CHAN_MAX_FRAME), in both directions, with descriptors passed
 * alongside when needed. Writes never block: what the socket does not take waits in the
 * channel's output queue and goes out when the socket is writable again. */
#ifndef SLUICE_CORE_CHAN_H
#define SLUICE_CORE_CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "loop.h"

#define CHAN_HDR        9               /* length (4, big endian), type (1), sequence (4) */
#define CHAN_MAX_FRAME  (16u << 20)     /* payload bytes of one frame */
#define CHAN_MAX_QUEUE  (64u << 20)     /* bytes waiting in one output queue */
#define CHAN_MAX_FDS    64              /* descriptors passed with one frame */

struct chan;

/* A complete frame arrived: its type, sequence number and payload (valid during the call). */
typedef void (*chan_msg_fn)(struct chan *c, uint8_t type, uint32_t seq, const uint8_t *data,
                            uint32_t len);
/* The peer closed the channel, or it failed (broken framing, descriptors cut by the kernel
 * (MSG_CTRUNC) or more than it can hold): the channel is already closed when called. */
typedef void (*chan_close_fn)(struct chan *c);

struct chan_out;

struct chan {
    int fd;                    /* socket, -1 when closed */
    ev_io io;                  /* readiness */
    unsigned char *in;         /* bytes received, not dispatched yet */
    size_t inlen, incap;
    int rfds[CHAN_MAX_FDS * 2];/* descriptors received and not taken yet (chan_take_fd) */
    uint64_t rfdpos[CHAN_MAX_FDS * 2]; /* of each: the stream position (rpos) after the read
                                        * that brought it: it belongs to the frame holding the
                                        * byte just before */
    int nrfds;
    uint64_t rpos;             /* bytes received since chan_init() */
    uint64_t frame_end;        /* stream position after the frame being dispatched, 0 when
                                * none: chan_take_fd() gives only that frame's descriptors */
    struct chan_out *outq;     /* frames not fully sent, oldest first */
    struct chan_out **outtail;
    size_t outbytes;           /* bytes waiting in outq */
    chan_msg_fn on_msg;
    chan_close_fn on_close;
    void *owner;               /* the caller's */
};

/* Starts serving fd (made non-blocking) on the loop. */
void chan_init(struct chan *c, int fd, chan_msg_fn on_msg, chan_close_fn on_close, void *owner);

/* Queues a frame made of the n parts of iov (the payload) and sends what the socket takes
 * now. fds (nfds <= CHAN_MAX_FDS, may be 0) travel with the frame: the channel sends
 * duplicates, the caller's descriptors stay its own. Returns 0, or -1
 * when the channel is closed, the frame too large, the queue full or memory short. */
struct iovec;
int chan_send(struct chan *c, uint8_t type, uint32_t seq, const struct iovec *iov, int n,
              const int *fds, int nfds);

/* From a frame's handler: returns the oldest descriptor that came with this frame and is not
 * taken yet, or -1. The caller owns it. Those the handler does not take are closed when it
 * returns. */
int chan_take_fd(struct chan *c);

/* Closes the socket, drops the queue and every descriptor not taken. Idempotent. */
void chan_close(struct chan *c);

#endif
