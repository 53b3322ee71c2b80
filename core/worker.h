/* Worker processes: accept connections on their slot's sockets and run streams. */
#ifndef SLUICE_CORE_WORKER_H
#define SLUICE_CORE_WORKER_H

#include <stdint.h>

struct listener;

/* Runs a worker in slot `slot` of the master; master_fd is the read end of the pipe whose
 * end-of-file means the master is gone. Never returns. */
void wrk_run(int slot, int master_fd) __attribute__((noreturn));

/* Handler of a message the master broadcast (mw_broadcast): payload and length. */
typedef void (*wrk_msg_fn)(const void *data, uint32_t len);

/* Registers the handler of one message type (from an INITCALL). */
void wrk_register_msg(char type, wrk_msg_fn fn);

/* Called by a stream when it ends: updates counters, resumes paused listeners, and exits
 * the process when soft-stopping and nothing is left. */
void wrk_stream_ended(struct listener *l);

#endif
