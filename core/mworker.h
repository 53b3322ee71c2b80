/* The master process. */
#ifndef SLUICE_CORE_MWORKER_H
#define SLUICE_CORE_MWORKER_H

/* Maps shared memory, forks global.nbproc workers and runs the master loop (signals,
 * respawns, CLI). Returns an exit code only on failure to start; otherwise the process
 * ends from a signal handler. */
int mw_run(void);

#endif
