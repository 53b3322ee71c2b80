/* The master/worker channel: see chan.h. Frames are length-prefixed, so a message of any size
 * arrives whole or not at all (a pipe write larger than PIPE_BUF could be cut, which is why
 * the pipe this replaces had a size limit and a worker was killed when a write fell short).
 * Nothing here blocks: a peer that reads slowly only makes the output queue grow, up to
 * CHAN_MAX_QUEUE, and the sender learns it from chan_send(). */
#include "chan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"

struct chan_out {
    struct chan_out *next;
    size_t len, off;           /* frame bytes, bytes sent */
    int nfds;                  /* descriptors to pass with the first byte */
    int fds[CHAN_MAX_FDS];     /* our duplicates, closed once sent */
    unsigned char data[];
};

static void chan_want_write(struct chan *c, int on)
{
    int ev = EV_READ | (on ? EV_WRITE : 0);

    if (c->io.events == ev)
        return;
    ev_io_stop(loop, &c->io);
    ev_io_set(&c->io, c->fd, ev);
    ev_io_start(loop, &c->io);
}

static void out_free(struct chan_out *o)
{
    for (int i = 0; i < o->nfds; i++)
        close(o->fds[i]);
    free(o);
}

/* Sends what the socket takes. Returns 0, or -1 when the socket failed. */
static int chan_flush(struct chan *c)
{
    while (c->outq) {
        struct chan_out *o = c->outq;
        ssize_t n;

        if (o->off == 0 && o->nfds) {
            char cbuf[CMSG_SPACE(sizeof(int) * CHAN_MAX_FDS)];
            struct iovec iov = {o->data, o->len};
            struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                                .msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)o->nfds)};
            struct cmsghdr *cm;

            memset(cbuf, 0, sizeof(cbuf));
            cm = CMSG_FIRSTHDR(&mh);
            cm->cmsg_level = SOL_SOCKET;
            cm->cmsg_type = SCM_RIGHTS;
            cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)o->nfds);
            memcpy(CMSG_DATA(cm), o->fds, sizeof(int) * (size_t)o->nfds);
            n = sendmsg(c->fd, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0) {
                for (int i = 0; i < o->nfds; i++)
                    close(o->fds[i]);
                o->nfds = 0;
            }
        } else {
            n = send(c->fd, o->data + o->off, o->len - o->off, MSG_DONTWAIT | MSG_NOSIGNAL);
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
                break;
            return -1;
        }
        o->off += (size_t)n;
        c->outbytes -= (size_t)n;
        if (o->off < o->len)
            break;
        c->outq = o->next;
        if (!c->outq)
            c->outtail = &c->outq;
        out_free(o);
    }
    chan_want_write(c, c->outq != NULL);
    return 0;
}

static void chan_fail(struct chan *c)
{
    chan_close(c);
    if (c->on_close)
        c->on_close(c);
}

/* Dispatches every complete frame of the input buffer. Returns 0, or -1 when the channel
 * was closed meanwhile (by a handler) or the peer broke the framing. */
static int chan_dispatch(struct chan *c)
{
    size_t off = 0;
    uint64_t base = c->rpos - c->inlen; /* stream position of c->in[0] */

    while (c->inlen - off >= CHAN_HDR) {
        const unsigned char *h = c->in + off;
        uint32_t len = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
        uint32_t seq = (uint32_t)h[5] << 24 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 8 | h[8];

        if (len > CHAN_MAX_FRAME)
            return -1;
        if (c->inlen - off - CHAN_HDR < len)
            break;
        c->frame_end = base + off + CHAN_HDR + len;
        c->on_msg(c, h[4], seq, h + CHAN_HDR, len);
        if (c->fd < 0)
            return -1;
        /* descriptors of this frame its handler did not take: never given to the next */
        while (c->nrfds && c->rfdpos[0] <= c->frame_end) {
            int fd = chan_take_fd(c);

            close(fd);
        }
        c->frame_end = 0;
        off += CHAN_HDR + len;
    }
    memmove(c->in, c->in + off, c->inlen - off);
    c->inlen -= off;
    return 0;
}

/* Room for the frame being received (its header tells its size), at least 16 kB. */
static int chan_room(struct chan *c)
{
    size_t need = c->inlen + 16384;

    if (c->inlen >= CHAN_HDR) {
        uint32_t len = (uint32_t)c->in[0] << 24 | (uint32_t)c->in[1] << 16 |
                       (uint32_t)c->in[2] << 8 | c->in[3];

        if (len > CHAN_MAX_FRAME)
            return -1;
        if (need < CHAN_HDR + (size_t)len)
            need = CHAN_HDR + (size_t)len;
    }
    if (need > c->incap) {
        unsigned char *n = realloc(c->in, need);

        if (!n)
            return -1;
        c->in = n;
        c->incap = need;
    }
    return 0;
}

static void chan_read(struct chan *c)
{
    char cbuf[CMSG_SPACE(sizeof(int) * CHAN_MAX_FDS)];
    struct iovec iov;
    struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n;

    if (chan_room(c) < 0) {
        chan_fail(c);
        return;
    }
    iov.iov_base = c->in + c->inlen;
    iov.iov_len = c->incap - c->inlen;
    mh.msg_control = cbuf;
    mh.msg_controllen = sizeof(cbuf);
    n = recvmsg(c->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
        return;
    /* Descriptors are matched to frames by position: one lost or in excess would hand a
     * frame's handler another frame's socket. The channel fails instead. */
    for (struct cmsghdr *cm = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; cm; cm = CMSG_NXTHDR(&mh, cm)) {
        int nf = (int)((cm->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int fds[CHAN_MAX_FDS];

        if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
            continue;
        if (nf > CHAN_MAX_FDS)
            nf = CHAN_MAX_FDS; /* cannot be: cbuf holds no more */
        memcpy(fds, CMSG_DATA(cm), sizeof(int) * (size_t)nf);
        for (int i = 0; i < nf; i++) {
            if (c->nrfds < (int)(sizeof(c->rfds) / sizeof(c->rfds[0]))) {
                c->rfdpos[c->nrfds] = c->rpos + (uint64_t)n;
                c->rfds[c->nrfds++] = fds[i];
            } else {
                close(fds[i]);
                mh.msg_flags |= MSG_CTRUNC; /* as lost as if the kernel had cut them */
            }
        }
    }
    if (n > 0 && (mh.msg_flags & MSG_CTRUNC)) {
        log_alert("master/worker channel: descriptors received were cut (more than %d per "
                  "frame, or more than the channel holds): closing it", CHAN_MAX_FDS);
        chan_fail(c);
        return;
    }
    if (n <= 0) {
        chan_fail(c);
        return;
    }
    c->rpos += (uint64_t)n;
    c->inlen += (size_t)n;
    if (chan_dispatch(c) < 0 && c->fd >= 0)
        chan_fail(c);
}

static void chan_cb(struct ev_loop *lp, ev_io *w, int revents)
{
    struct chan *c = w->data;

    if ((revents & EV_WRITE) && chan_flush(c) < 0) {
        chan_fail(c);
        return;
    }
    if (revents & EV_READ)
        chan_read(c);
}

void chan_init(struct chan *c, int fd, chan_msg_fn on_msg, chan_close_fn on_close, void *owner)
{
    memset(c, 0, sizeof(*c));
    c->fd = fd;
    c->outtail = &c->outq;
    c->on_msg = on_msg;
    c->on_close = on_close;
    c->owner = owner;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    ev_io_init(&c->io, chan_cb, fd, EV_READ);
    c->io.data = c;
    ev_io_start(loop, &c->io);
}

int chan_send(struct chan *c, uint8_t type, uint32_t seq, const struct iovec *iov, int n,
              const int *fds, int nfds)
{
    size_t len = 0;
    struct chan_out *o;
    unsigned char *p;

    if (c->fd < 0 || nfds < 0 || nfds > CHAN_MAX_FDS)
        return -1;
    for (int i = 0; i < n; i++)
        len += iov[i].iov_len;
    if (len > CHAN_MAX_FRAME || c->outbytes + len + CHAN_HDR > CHAN_MAX_QUEUE)
        return -1;
    o = malloc(sizeof(*o) + CHAN_HDR + len);
    if (!o)
        return -1;
    o->next = NULL;
    o->len = CHAN_HDR + len;
    o->off = 0;
    o->nfds = 0;
    for (int i = 0; i < nfds; i++) {
        int d = fcntl(fds[i], F_DUPFD_CLOEXEC, 0);

        if (d < 0) {
            out_free(o);
            return -1;
        }
        o->fds[o->nfds++] = d;
    }
    p = o->data;
    *p++ = (unsigned char)(len >> 24);
    *p++ = (unsigned char)(len >> 16);
    *p++ = (unsigned char)(len >> 8);
    *p++ = (unsigned char)len;
    *p++ = type;
    *p++ = (unsigned char)(seq >> 24);
    *p++ = (unsigned char)(seq >> 16);
    *p++ = (unsigned char)(seq >> 8);
    *p++ = (unsigned char)seq;
    for (int i = 0; i < n; i++) {
        if (iov[i].iov_len)
            memcpy(p, iov[i].iov_base, iov[i].iov_len);
        p += iov[i].iov_len;
    }
    *c->outtail = o;
    c->outtail = &o->next;
    c->outbytes += o->len;
    if (c->outq == o && chan_flush(c) < 0) {
        /* the peer is gone: its end-of-file will be seen by the reader */
        return 0;
    }
    return 0;
}

int chan_take_fd(struct chan *c)
{
    int fd;

    if (!c->nrfds || c->rfdpos[0] > c->frame_end)
        return -1;
    fd = c->rfds[0];
    --c->nrfds;
    memmove(c->rfds, c->rfds + 1, sizeof(int) * (size_t)c->nrfds);
    memmove(c->rfdpos, c->rfdpos + 1, sizeof(uint64_t) * (size_t)c->nrfds);
    return fd;
}

void chan_close(struct chan *c)
{
    if (c->fd < 0)
        return;
    ev_io_stop(loop, &c->io);
    close(c->fd);
    c->fd = -1;
    while (c->outq) {
        struct chan_out *o = c->outq;

        c->outq = o->next;
        out_free(o);
    }
    c->outtail = &c->outq;
    c->outbytes = 0;
    while (c->nrfds)
        close(c->rfds[--c->nrfds]);
    free(c->in);
    c->in = NULL;
    c->inlen = c->incap = 0;
}
