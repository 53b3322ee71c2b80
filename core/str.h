/* Small string helpers: allocated error messages and growable text buffers. */
#ifndef SLUICE_CORE_STR_H
#define SLUICE_CORE_STR_H

#include <stdarg.h>
#include <stddef.h>

/* The one string builder of sluice: every text assembled piece by piece goes through it.
 *
 * Why it exists: chains of `n += snprintf(buf + n, sizeof(buf) - n, ...)` are how a one-line
 * request overflowed a stack buffer (snprintf returns the length it *would* have written, so
 * after one truncation n passes the end of buf and the next size argument wraps around to a
 * huge value). Here every append is bounded and checked:
 *  - fixed storage (strbuf_init_fixed(), no allocation: the data path, logs, the CLI): an
 *    append that does not fit copies what fits, marks the builder overflowed, and every later
 *    append does nothing;
 *  - growable storage (`struct strbuf sb = {0};`, config time only): the buffer grows; an
 *    allocation failure marks it overflowed the same way.
 * The text is always NUL-terminated and never passes its storage. An overflowed builder holds
 * a truncated text: the caller must decide (a 500 for a request, an error line on the CLI, a
 * log line marked truncated), which is why every append returns -1 and strbuf_ok() exists. */
struct strbuf {
    char *buf;        /* NULL until the first append (growable); caller's storage (fixed) */
    size_t len;       /* bytes used, excluding the NUL */
    size_t cap;       /* bytes of storage, the NUL included */
    unsigned fixed;   /* 1: storage is the caller's, never grown nor freed */
    unsigned overflow; /* 1 once an append did not fit (or could not allocate) */
};

/* Replaces *err (freed if set) by a newly allocated formatted message. Does nothing when err
 * is NULL. Returns -1 so callers can write `return str_printf(err, ...);`. */
int str_printf(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Makes sb a builder over the caller's storage buf of size bytes (size >= 1): empty text. */
void strbuf_init_fixed(struct strbuf *sb, char *buf, size_t size);

/* Appends formatted text to sb. Returns 0, or -1 when it did not fit (fixed: truncated and
 * marked overflowed) or could not allocate (growable: left as it was, marked overflowed). */
int strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* Appends n bytes of s (any bytes). Returns 0 or -1 as strbuf_printf(). */
int strbuf_add(struct strbuf *sb, const char *s, size_t n);
/* Appends the NUL-terminated string s. Returns 0 or -1 as strbuf_printf(). */
int strbuf_puts(struct strbuf *sb, const char *s);
/* Appends one byte. Returns 0 or -1 as strbuf_printf(). */
int strbuf_putc(struct strbuf *sb, char c);
/* Returns 1 while no append has failed, 0 once one has. */
static inline int strbuf_ok(const struct strbuf *sb)
{
    return !sb->overflow;
}
/* Bytes an append may still take without overflowing (fixed storage; growable: unbounded). */
static inline size_t strbuf_room(const struct strbuf *sb)
{
    return sb->fixed ? sb->cap - 1 - sb->len : (size_t)-1;
}
/* Empties sb (keeps its storage) and clears its overflow mark. */
void strbuf_reset(struct strbuf *sb);
/* Frees a growable buffer and zeroes sb; a fixed one is only emptied. */
void strbuf_free(struct strbuf *sb);

/* Levenshtein distance between a and b, capped at 255. Used for "did you mean" hints. */
int str_distance(const char *a, const char *b);

/* Returns a malloc'd copy of s, aborting the process when out of memory. Only for start-up
 * (config parsing), where running out of memory is fatal anyway. */
char *str_dup(const char *s);
/* calloc that aborts when out of memory; start-up only. */
void *str_zalloc(size_t size);

#endif
