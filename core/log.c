/* Process messages on stderr. */
#include "log.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int log_quiet;
int log_debug_on;

static const char *const log_tags[] = {
    "[EMERG]  ", "[ALERT]  ", "[CRIT]   ", "[ERR]    ",
    "[WARNING]", "[NOTICE] ", "[INFO]   ", "[DEBUG]  ",
};

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
    char line[2048];
    int n;

    if (log_quiet && lvl > LOG_LVL_ERR)
        return;
    n = snprintf(line, sizeof(line), "%s (%d) : ", log_tags[lvl], (int)getpid());
    n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
    if (n >= (int)sizeof(line) - 1)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    /* One write per line so lines of concurrent processes do not interleave. */
    if (write(STDERR_FILENO, line, (size_t)n) < 0) {
        /* nothing sensible to do: stderr is gone */
    }
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    log_vmsg(lvl, fmt, ap);
    va_end(ap);
}
