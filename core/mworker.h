/* The master process. */
#ifndef SLUICE_CORE_MWORKER_H
#define SLUICE_CORE_MWORKER_H

#include <stdint.h>

/* Maps shared memory, forks global.nbproc workers and runs the master loop (signals,
 * respawns, CLI). Returns an exit code only on failure to start; otherwise the process
 * ends from a signal handler. */
int mw_run(void);

typedef void (*mw_hook_fn)(void);

#define MW_MSG_MAX (60 * 1024) /* bytes of one message to the workers */

/* Master: sends a message (type, payload) to every live worker through its pipe; workers
 * hand it to the handler registered for type (wrk_register_msg). A worker that cannot take
 * it is restarted (it will fork from the master's updated state). Returns 0, or -1 when a
 * worker had to be restarted. */
int mw_broadcast(char type, const void *data, uint32_t len);

/* Runs fn in the master once shared memory exists, before the first fork (modules fill
 * their part of it and may start master-only watchers on the loop). */
void mw_register_master_start(mw_hook_fn fn);

/* Runs fn in each new worker right after fork, to stop the master-only watchers a module
 * started. */
void mw_register_child_init(mw_hook_fn fn);

#endif
