/* Worker processes: accept connections on their slot's sockets and run streams. */
#ifndef SLUICE_CORE_WORKER_H
#define SLUICE_CORE_WORKER_H

struct listener;

/* Runs a worker in slot `slot` of the master; master_fd is the read end of the pipe whose
 * end-of-file means the master is gone. Never returns. */
void wrk_run(int slot, int master_fd) __attribute__((noreturn));

/* Called by a stream when it ends: updates counters, resumes paused listeners, and exits
 * the process when soft-stopping and nothing is left. */
void wrk_stream_ended(struct listener *l);

#endif
