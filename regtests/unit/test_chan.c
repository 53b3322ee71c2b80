/* The master/worker channel (core/chan.c): frames of any size arrive whole and in order
 * whatever the socket takes per call, sending never blocks (the rest waits in the output
 * queue, bounded), descriptors travel with their frame, and a peer that closes or breaks the
 * framing is reported. */
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "chan.h"
#include "loop.h"
#include "tap.h"

struct rx {
    int frames;            /* frames received */
    int closed;            /* on_close calls */
    int bad;               /* frames whose content was not the expected pattern */
    uint32_t lens[16];
    uint8_t types[16];
    uint32_t seqs[16];
    int want;              /* stop the loop after this many frames */
    int take[16];          /* descriptors the handler of frame i takes (at most) */
    int fds[16][4];        /* those it took, -1 when none */
};

static struct rx rx;

static uint8_t pattern(uint32_t seq, size_t i)
{
    return (uint8_t)(seq * 31 + i * 7 + (i >> 9));
}

static void on_msg(struct chan *c, uint8_t type, uint32_t seq, const uint8_t *data, uint32_t len)
{
    for (uint32_t i = 0; i < len; i++)
        if (data[i] != pattern(seq, i)) {
            rx.bad++;
            break;
        }
    if (rx.frames < 16) {
        for (int i = 0; i < 4; i++)
            rx.fds[rx.frames][i] = i < rx.take[rx.frames] ? chan_take_fd(c) : -1;
        rx.lens[rx.frames] = len;
        rx.types[rx.frames] = type;
        rx.seqs[rx.frames] = seq;
    }
    if (++rx.frames == rx.want)
        ev_break(loop, EVBREAK_ALL);
}

static void on_close(struct chan *c)
{
    rx.closed++;
    ev_break(loop, EVBREAK_ALL);
}

static void guard_cb(struct ev_loop *lp, ev_timer *w, int revents)
{
    ev_break(loop, EVBREAK_ALL);
}

/* Runs the loop until a handler breaks it, 5 s at most. */
static void run(void)
{
    ev_timer guard;

    ev_timer_init(&guard, guard_cb, 5.0, 0);
    ev_timer_start(loop, &guard);
    ev_run(loop, 0);
    ev_timer_stop(loop, &guard);
}

static int send_pattern(struct chan *c, uint8_t type, uint32_t seq, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    struct iovec iov[2];
    int ret;

    for (size_t i = 0; i < len; i++)
        p[i] = pattern(seq, i);
    /* in two parts, as the callers do (header, payload) */
    iov[0].iov_base = p;
    iov[0].iov_len = len / 3;
    iov[1].iov_base = p + len / 3;
    iov[1].iov_len = len - len / 3;
    ret = chan_send(c, type, seq, iov, 2, NULL, 0);
    free(p);
    return ret;
}

static void pair(struct chan *a, struct chan *b)
{
    int sp[2];

    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp);
    chan_init(a, sp[0], on_msg, on_close, NULL);
    chan_init(b, sp[1], on_msg, on_close, NULL);
    memset(&rx, 0, sizeof(rx));
}

int main(void)
{
    static const size_t sizes[] = {0, 1, 4096, 100000, 3u << 20, 17};
    struct chan a, b;
    int n = (int)(sizeof(sizes) / sizeof(sizes[0]));

    signal(SIGPIPE, SIG_IGN);
    loop_init();

    /* ---- sizes from 0 to 3 MB, queued while the reader does not read ---- */
    pair(&a, &b);
    for (int i = 0; i < n; i++)
        is_int(send_pattern(&a, (uint8_t)('a' + i), 1000u + (uint32_t)i, sizes[i]), 0,
               "frame of %zu bytes queued without blocking", sizes[i]);
    ok(a.outbytes > 0, "what the socket did not take waits in the queue (%zu bytes)",
       a.outbytes);
    rx.want = n;
    run();
    is_int(rx.frames, n, "every frame arrived");
    is_int(rx.bad, 0, "with its bytes intact");
    for (int i = 0; i < n && i < rx.frames; i++) {
        is_int(rx.lens[i], sizes[i], "frame %d: its length", i);
        ok(rx.types[i] == 'a' + i && rx.seqs[i] == 1000u + (uint32_t)i,
           "frame %d: its type and sequence, in order", i);
    }
    is_int(a.outbytes, 0, "the queue is empty once sent");

    /* ---- limits: one frame, and the queue (back-pressure) ---- */
    is_int(send_pattern(&a, 'x', 1, CHAN_MAX_FRAME + 1), -1,
           "a frame over CHAN_MAX_FRAME is refused");
    {
        int sent = 0, refused = 0;

        for (int i = 0; i < 6; i++) {
            if (send_pattern(&a, 'q', 2000u + (uint32_t)i, CHAN_MAX_FRAME) == 0)
                sent++;
            else
                refused++;
        }
        ok(refused > 0 && a.outbytes <= CHAN_MAX_QUEUE,
           "a reader that does not read: the queue stops at CHAN_MAX_QUEUE (%d sent, %d refused)",
           sent, refused);
        rx.frames = 0;
        rx.want = sent;
        run();
        is_int(rx.frames, sent, "then every queued frame arrives once the reader reads");
        is_int(rx.bad, 0, "intact");
    }

    /* ---- a descriptor travels with its frame ---- */
    {
        int p[2], fd;
        char buf[8] = "";
        struct iovec iov = {"fd", 2};

        pipe(p);
        rx.frames = 0;
        rx.want = 1;
        rx.take[0] = 2;
        is_int(chan_send(&a, 'L', 7, &iov, 1, &p[1], 1), 0, "a frame with a descriptor");
        close(p[1]); /* the channel sent its own duplicate */
        run();
        is_int(rx.frames, 1, "its frame arrived");
        fd = rx.fds[0][0];
        ok(fd >= 0, "the descriptor was received");
        is_int(rx.fds[0][1], -1, "its handler got no other descriptor");
        ok(fd >= 0 && (fcntl(fd, F_GETFD) & FD_CLOEXEC), "close-on-exec");
        is_int(write(fd, "hi", 2), 2, "it is the pipe's write end");
        close(fd);
        is_int(read(p[0], buf, sizeof(buf)), 2, "what was written arrives on the read end");
        is_int(chan_take_fd(&b), -1, "none outside a handler");
        close(p[0]);
    }

    /* ---- descriptors belong to their frame: those not taken are closed, never given to
     * the next frame's handler ---- */
    {
        int p1[2], p2[2], fds[2];
        struct iovec iov = {"fd", 2};
        struct stat st1, st2;
        char c;

        pipe(p1);
        pipe(p2);
        fcntl(p1[0], F_SETFL, O_NONBLOCK);
        memset(&rx, 0, sizeof(rx));
        rx.want = 3;
        rx.take[0] = 0; /* takes nothing of its two */
        rx.take[1] = 2; /* takes its one descriptor, and would take a leftover */
        rx.take[2] = 1; /* has none */
        fds[0] = fds[1] = p1[1];
        is_int(chan_send(&a, 'A', 1, &iov, 1, fds, 2), 0, "frame 1 with two descriptors");
        is_int(chan_send(&a, 'B', 2, &iov, 1, &p2[1], 1), 0, "frame 2 with one");
        is_int(chan_send(&a, 'C', 3, &iov, 1, NULL, 0), 0, "frame 3 with none");
        close(p1[1]);
        close(p2[1]);
        run();
        is_int(rx.frames, 3, "the three frames arrived");
        ok(rx.fds[1][0] >= 0 && fstat(rx.fds[1][0], &st1) == 0 && fstat(p2[0], &st2) == 0 &&
           st1.st_ino == st2.st_ino, "frame 2's handler got frame 2's descriptor");
        is_int(rx.fds[1][1], -1, "and no other");
        is_int(rx.fds[2][0], -1, "frame 3's handler got none");
        is_int((int)read(p1[0], &c, 1), 0, "frame 1's descriptors, not taken, were closed");
        is_int(b.nrfds, 0, "none is left in the channel");
        if (rx.fds[1][0] >= 0)
            close(rx.fds[1][0]);
        close(p1[0]);
        close(p2[0]);
    }

    /* ---- the peer closes ---- */
    chan_close(&b);
    rx.closed = 0;
    run();
    is_int(rx.closed, 1, "the other side's end-of-file is reported once");
    is_int(a.fd, -1, "and the channel is closed");

    /* ---- descriptors cut by the kernel (MSG_CTRUNC): the channel fails ---- */
    {
        int sp[2], p[2], nfd = CHAN_MAX_FDS + 8, fds[CHAN_MAX_FDS + 8];
        unsigned char frame[CHAN_HDR] = {0, 0, 0, 0, 'x', 0, 0, 0, 1};
        char cbuf[CMSG_SPACE(sizeof(int) * (CHAN_MAX_FDS + 8))], c;
        struct iovec iov = {frame, sizeof(frame)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
                            .msg_controllen = sizeof(cbuf)};
        struct cmsghdr *cm;

        pipe(p);
        fcntl(p[0], F_SETFL, O_NONBLOCK);
        for (int i = 0; i < nfd; i++)
            fds[i] = p[1];
        memset(cbuf, 0, sizeof(cbuf));
        cm = CMSG_FIRSTHDR(&mh);
        cm->cmsg_level = SOL_SOCKET;
        cm->cmsg_type = SCM_RIGHTS;
        cm->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)nfd);
        memcpy(CMSG_DATA(cm), fds, sizeof(int) * (size_t)nfd);
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp);
        chan_init(&a, sp[0], on_msg, on_close, NULL);
        memset(&rx, 0, sizeof(rx));
        rx.take[0] = 4;
        is_int((int)sendmsg(sp[1], &mh, 0), CHAN_HDR,
               "a frame with %d descriptors (more than CHAN_MAX_FDS)", nfd);
        close(p[1]);
        run();
        is_int(rx.closed, 1, "the descriptors were cut: the channel is closed");
        is_int(rx.frames, 0, "nothing dispatched");
        is_int((int)read(p[0], &c, 1), 0, "and none of the descriptors is left open");
        close(sp[1]);
        close(p[0]);
    }

    /* ---- a peer that breaks the framing ---- */
    {
        int sp[2];
        unsigned char hdr[CHAN_HDR] = {0xff, 0xff, 0xff, 0xff, 'x', 0, 0, 0, 1};

        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp);
        chan_init(&a, sp[0], on_msg, on_close, NULL);
        memset(&rx, 0, sizeof(rx));
        is_int(write(sp[1], hdr, sizeof(hdr)), CHAN_HDR, "a header announcing 4 GB");
        run();
        is_int(rx.closed, 1, "is refused: the channel is closed");
        is_int(rx.frames, 0, "nothing dispatched");
        close(sp[1]);
    }
    return done_testing();
}
