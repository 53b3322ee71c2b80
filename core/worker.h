/* Worker processes: accept connections on their slot's sockets and run streams. */
#ifndef SLUICE_CORE_WORKER_H
#define SLUICE_CORE_WORKER_H

#include <stdint.h>

struct listener;

/* Runs a worker in slot `slot` of the master; master_fd is the worker's end of its channel
 * to the master (chan.h), whose end-of-file means the master is gone. Never returns. */
void wrk_run(int slot, int master_fd) __attribute__((noreturn));

/* Handler of a change relayed by another worker (wrk_broadcast), or replayed in a worker
 * forked after it: payload and length. */
typedef void (*wrk_msg_fn)(const void *data, uint32_t len);

/* Registers the handler of one message type (from an INITCALL). */
void wrk_register_msg(char type, wrk_msg_fn fn);

/* Called once a relayed change was applied by every other worker (err NULL), or not: err
 * names the workers that did not apply it or did not acknowledge it in time. */
typedef void (*wrk_done_fn)(void *ctx, const char *err);

/* Worker: asks the master to have every other worker apply a change (the handler of `type`
 * runs there with data) and to keep it for the workers it forks later, replacing an earlier
 * change of the same type and key. The caller applies the change itself. done(ctx, ...) is
 * called exactly once, later, from the loop. Returns 0, or -1 (not in a worker, the master
 * is gone, or no memory) and done is never called. */
int wrk_broadcast(char type, uint32_t key, const void *data, uint32_t len, wrk_done_fn done,
                  void *ctx);

/* Called by a stream when it ends: updates counters, resumes paused listeners, and exits
 * the process when soft-stopping and nothing is left. */
void wrk_stream_ended(struct listener *l);

#endif
