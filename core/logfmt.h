/* Log-format strings (HAProxy's syntax: %ci %Tr %{+Q}r %[expr] ...): parsed at configuration
 * time, rendered at run time into a caller's buffer without allocating. Used for log lines
 * and for header values written by rules ("http-request set-header X %[src]"). */
#ifndef SLUICE_CORE_LOGFMT_H
#define SLUICE_CORE_LOGFMT_H

#include <stddef.h>

#include "sample-t.h"

struct logfmt; /* opaque */

/* Parses fmt. `where` is SMP_USE_* available where it will be rendered (an expression or
 * variable needing more is an error). Returns NULL with *err set. */
struct logfmt *logfmt_parse(const char *fmt, unsigned where, char **err);

/* Renders f into out (never more than size-1 bytes, always NUL-terminated). Returns the
 * length written. Missing values render as "-" as in HAProxy. */
size_t logfmt_render(const struct logfmt *f, struct smp_env *env, char *out, size_t size);

/* Appends f rendered to sb (see str.h). Returns 0, or -1 when it did not fit (sb then holds
 * a truncated text and is marked overflowed): callers that must not act on a cut value (a
 * header, a URI, a redirect) treat -1 as an error. */
struct strbuf;
int logfmt_render_sb(const struct logfmt *f, struct smp_env *env, struct strbuf *sb);

/* Returns 1 when f renders to a constant string (no variable part). */
int logfmt_is_const(const struct logfmt *f);

#endif
