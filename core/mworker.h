/* The master process. */
#ifndef SLUICE_CORE_MWORKER_H
#define SLUICE_CORE_MWORKER_H

#include <stdint.h>

/* Maps shared memory, forks global.nbproc workers and runs the master loop (signals,
 * respawns, CLI). Returns an exit code only on failure to start; otherwise the process
 * ends from a signal handler. */
int mw_run(void);

typedef void (*mw_hook_fn)(void);

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
