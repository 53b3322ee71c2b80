/* The master process. */
#ifndef SLUICE_CORE_MWORKER_H
#define SLUICE_CORE_MWORKER_H

#include <stdint.h>

/* Maps shared memory, forks global.nbproc workers and runs the master loop (signals,
 * respawns, CLI). Returns an exit code only on failure to start; otherwise the process
 * ends from a signal handler. */
int mw_run(void);

typedef void (*mw_hook_fn)(void);

/* Frames (chan.h) between the master and a worker; the sequence number is the frame's. */
/* worker -> master */
#define MWF_READY   'R'  /* the worker's loop runs (its listeners accept) */
#define MWF_RELAY   'B'  /* type (1), key (4, big endian), data: apply in every other worker */
#define MWF_ACK     'A'  /* status (1, 0: applied): answer to an MWF_APPLY of the same seq */
/* master -> worker */
#define MWF_APPLY   'M'  /* type (1), data: apply it, then answer MWF_ACK */
#define MWF_DONE    'D'  /* answer to an MWF_RELAY of the same seq: empty when every worker
                          * applied it, else the text naming those that did not */
#define MWF_ADOPT   'L'  /* slot, first, count (4 each), with count listening sockets */
#define MWF_RELEASE 'U'  /* slot (4): stop accepting on its sockets, close them */
#define MWF_ADOPT_CLI 'C' /* count (4) with as many stats sockets, lent with slot 1's */
#define MWF_SERVE_CLI 'S' /* to worker 1: every worker is forked, serve the stats sockets */

/* In a freshly forked worker: calls fn for every change relayed by a worker so far
 * (wrk_broadcast), oldest first, so that a worker forked after a change applies it before
 * serving. */
void mw_replay_each(void (*fn)(uint8_t type, const void *data, uint32_t len));

/* Runs fn in the master once shared memory exists, before the first fork (modules fill
 * their part of it and may start master-only watchers on the loop). */
void mw_register_master_start(mw_hook_fn fn);

/* Runs fn in each new worker right after fork, to stop the master-only watchers a module
 * started. */
void mw_register_child_init(mw_hook_fn fn);

#endif
