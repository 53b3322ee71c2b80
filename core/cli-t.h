/* The command-line interface: stats sockets (served by worker 1) and the master socket
 * (served by the master). */
#ifndef SLUICE_CORE_CLI_T_H
#define SLUICE_CORE_CLI_T_H

struct strbuf;
struct cli_session;

/* Access levels, as HAProxy's "level" */
#define CLI_LVL_USER     1
#define CLI_LVL_OPERATOR 2
#define CLI_LVL_ADMIN    3

/* Sockets a command is offered on */
#define CLI_W_STATS  0x01 /* "stats socket" */
#define CLI_W_MASTER 0x02 /* the master socket (-S) */

#define CLI_MAX_WORDS 32

/* A command handler: args[0..nargs-1] are the command's words, the matched keyword words
 * included. Appends its answer to out (each line ending with '\n'). Returns 0, or -1 when
 * the session must be closed after the answer, or CLI_CMD_WAIT when the answer comes later:
 * the handler then appends it to cli_session_out(s) and calls cli_session_resume(s), exactly
 * once, from the loop (the session reads no further command meanwhile). */
#define CLI_CMD_WAIT 1
typedef int (*cli_cmd_fn)(char **args, int nargs, struct cli_session *s, struct strbuf *out);

struct cli_cmd {
    const char *words[5];  /* keyword words, NULL-terminated: {"show", "info", NULL} */
    const char *args;      /* argument synopsis for help, e.g. "[<command>]", or NULL */
    const char *help;      /* one-line description */
    unsigned where;        /* CLI_W_* */
    int level;             /* minimal CLI_LVL_* */
    cli_cmd_fn fn;
};

#endif
