/* Logging. Process messages: alerts, warnings and notices on stderr, tagged like HAProxy's
 * ("[ALERT]    (pid) : message"). Traffic logs: the "log", "log-format", "option httplog"...
 * keywords, and one syslog line per HTTP transaction or TCP connection, sent without ever
 * blocking to UDP syslog servers, UNIX datagram sockets, stdout or stderr. */
#ifndef SLUICE_CORE_LOG_H
#define SLUICE_CORE_LOG_H

#include <stdarg.h>
#include <stddef.h>

#include "log-t.h"
#include "sample-t.h"

enum log_level {
    LOG_LVL_EMERG, LOG_LVL_ALERT, LOG_LVL_CRIT, LOG_LVL_ERR,
    LOG_LVL_WARNING, LOG_LVL_NOTICE, LOG_LVL_INFO, LOG_LVL_DEBUG,
};

/* http_txn.log_level value for "set-log-level silent": the transaction is not logged. */
#define LOG_LVL_SILENT 8

extern int log_quiet;   /* -q: only alerts are printed */
extern int log_debug_on; /* -d: debug messages are printed */

/* Prints one message line on stderr with the level tag and the process id. Never blocks for
 * long: stderr is written with a single write(2). */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap);

#define log_alert(...)   log_msg(LOG_LVL_ALERT, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LVL_WARNING, __VA_ARGS__)
#define log_notice(...)  log_msg(LOG_LVL_NOTICE, __VA_ARGS__)
#define log_debug(...)   do { if (log_debug_on) log_msg(LOG_LVL_DEBUG, __VA_ARGS__); } while (0)

/* ---- traffic logs ------------------------------------------------------------------------ */

/* Lines dropped by this process because a target would have blocked (or failed). */
extern unsigned long long log_dropped;

/* Opens this worker's own non-blocking sockets (one UDP socket per address family, one UNIX
 * datagram socket) and non-blocking handles on stdout/stderr targets. Called once in each
 * worker after fork, before any chroot (stdout/stderr are reopened through /proc). Returns 0,
 * or -1 with *err set (allocated) when a socket cannot be made. Calling it again in the same
 * process does nothing. log_traffic() calls it itself when nobody did. */
int log_init_worker(char **err);

/* Logs one HTTP transaction or TCP connection that ended, with the frontend's format
 * (env->fe: option httplog/tcplog/httplog clf/log-format), to every target of the frontend
 * whose level allows it. Level: env->txn->log_level when >= 0 (set-log-level; LOG_LVL_SILENT
 * logs nothing), else "info", raised to "err" by option log-separate-errors when the stream
 * ended in error (env->info->error, a termination cause other than '-'/'L', retries,
 * redispatch, or a status >= 500). Nothing is logged under option dontlognull when the
 * client sent no byte and no request. Frontends without a format log at accept instead (see
 * log_accept()). Never blocks, never allocates: a target that would block drops the line and
 * counts it in log_dropped. env->info may be NULL (timers and counters then print -1/0). */
void log_traffic(struct smp_env *env);

/* HAProxy's default log line for frontends with no format ("Connect from A:P to B:Q (fe/TCP)"),
 * to call when a connection is accepted. Does nothing for frontends that have a format or no
 * target. Never blocks. */
void log_accept(struct smp_env *env);

/* A connection that failed before any request (a TLS handshake that failed or timed out):
 * "<ip>:<port> [<date>] <frontend>/<bind>: <msg>" to the frontend's targets, as HAProxy logs
 * it; nothing under option dontlognull. Never blocks. */
void log_conn_error(struct smp_env *env, const char *msg);

/* Level name ("emerg" .. "debug", or "silent") to LOG_LVL_* (LOG_LVL_SILENT for "silent").
 * Returns -1 for an unknown name. For "set-log-level". */
int log_level_parse(const char *name);

/* Name of a level 0..7 ("emerg" .. "debug"), "silent" for LOG_LVL_SILENT, "?" otherwise. */
const char *log_level_name(int level);

/* The host name for %H and log-send-hostname (gethostname() at start-up). Never NULL. */
const char *log_hostname(void);

/* Releases a format made by logfmt_parse() (config time; NULL is ignored). Declared here
 * because logfmt.h is frozen. */
void logfmt_free(struct logfmt *f);

/* Extra bit for logfmt_parse()'s `where`: the format builds an HTTP header value
 * ("http-request set-header X %[src]") rather than a log line. Missing values then render
 * as nothing instead of "-", and control characters coming from samples are written as %XX
 * (HAProxy's LOG_OPT_HTTP) instead of #XX, so a value can never end the header line. */
#define LOGFMT_F_HTTP_HDR 0x1000

#endif
