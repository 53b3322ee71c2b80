/* Process messages: alerts, warnings and notices on stderr, tagged like HAProxy's
 * ("[ALERT]    (pid) : message"). Traffic logs (log-format, syslog) come with mode http. */
#ifndef SLUICE_CORE_LOG_H
#define SLUICE_CORE_LOG_H

#include <stdarg.h>

enum log_level {
    LOG_LVL_EMERG, LOG_LVL_ALERT, LOG_LVL_CRIT, LOG_LVL_ERR,
    LOG_LVL_WARNING, LOG_LVL_NOTICE, LOG_LVL_INFO, LOG_LVL_DEBUG,
};

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

#endif
