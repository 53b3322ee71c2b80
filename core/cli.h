/* The command-line interface (stats sockets and master socket). */
#ifndef SLUICE_CORE_CLI_H
#define SLUICE_CORE_CLI_H

#include "cli-t.h"

/* Registers a table of commands ending with a zeroed entry (from an INITCALL). */
void cli_register(struct cli_cmd *cmds);

/* Declares the master socket from "-S <addr>[,<option>,<value>...]". Returns 0, or -1 with
 * *err set. */
int cli_add_master_socket(const char *spec, char **err);

/* Master, before forking: binds every stats and master socket. Reports errors itself and
 * returns their number. */
int cli_bind_all(void);

/* Master: starts serving the master socket on the loop. The stats sockets stay open in the
 * master (a connection waits in their queue while worker 1 is being replaced) but are never
 * read there. */
void cli_start(void);

/* In a freshly forked worker: forgets the master socket and the master's sessions; worker 1
 * (slot 0) keeps the stats sockets, the others close them. */
void cli_child_init(int slot);

/* Worker 1: serves the stats sockets on its loop, once the master says that every worker
 * exists (so that "show info" never counts a worker not forked yet). */
void cli_serve_stats(void);

/* Master: the stats sockets' descriptors, in declaration order (at most max). */
int cli_stats_fds(int *fds, int max);

/* Worker other than 1: serves the stats sockets whose descriptors the master lent while slot
 * 1 has no worker (fds as cli_stats_fds() gave them, ours to close), or stops serving them
 * (sessions already open go on). */
void cli_adopt(const int *fds, int n);
void cli_release(void);

/* A command that returned CLI_CMD_WAIT: where its answer goes, and the call that sends it and
 * lets the session go on. */
struct strbuf *cli_session_out(struct cli_session *s);
void cli_session_resume(struct cli_session *s);
/* The session was closed while its command waited (the client left, or a send failed): its
 * answer goes nowhere, the handler should not write it. cli_session_resume() is still due. */
int cli_session_gone(const struct cli_session *s);

/* The level of a session (CLI_LVL_*) and whether it is on the master socket. */
int cli_session_level(const struct cli_session *s);
int cli_session_is_master(const struct cli_session *s);

/* Number of stats sockets configured (for tests and show info). */
int cli_nb_sockets(void);

#endif
