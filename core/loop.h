/* The event loop: libev, one loop per process (the default loop). Only runtime modules that
 * own watchers include this header; configuration code never does. */
#ifndef SLUICE_CORE_LOOP_H
#define SLUICE_CORE_LOOP_H

#include <ev.h>

/* The process's loop (EV_DEFAULT), valid after loop_init(). */
extern struct ev_loop *loop;

/* Creates the loop and installs libev's error and allocation hooks so that a failing system
 * call or allocation inside libev is logged before the process gives up. */
void loop_init(void);

/* In a child right after fork(): makes libev rebuild its kernel state for this process. */
void loop_after_fork(void);

/* "libev 4.33" */
const char *loop_lib_version(void);

/* Current loop time (seconds, cached once per iteration). */
static inline ev_tstamp loop_now(void)
{
    return ev_now(loop);
}

#endif
