/* Small string helpers: allocated error messages and growable text buffers. */
#ifndef SLUICE_CORE_STR_H
#define SLUICE_CORE_STR_H

#include <stdarg.h>
#include <stddef.h>

/* A growable, always NUL-terminated text buffer (config time and CLI only; never on the
 * data path). Zero-initialise with `struct strbuf sb = {0};`. */
struct strbuf {
    char *buf;  /* NULL until the first append; owned */
    size_t len; /* bytes used, excluding the NUL */
    size_t cap; /* bytes allocated */
};

/* Replaces *err (freed if set) by a newly allocated formatted message. Does nothing when err
 * is NULL. Returns -1 so callers can write `return str_printf(err, ...);`. */
int str_printf(char **err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Appends formatted text to sb. Returns 0, or -1 when out of memory (sb is left as it was). */
int strbuf_printf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap);
/* Appends n bytes of s. Returns 0, or -1 when out of memory. */
int strbuf_add(struct strbuf *sb, const char *s, size_t n);
/* Frees the buffer and zeroes sb. */
void strbuf_free(struct strbuf *sb);

/* Levenshtein distance between a and b, capped at 255. Used for "did you mean" hints. */
int str_distance(const char *a, const char *b);

/* Returns a malloc'd copy of s, aborting the process when out of memory. Only for start-up
 * (config parsing), where running out of memory is fatal anyway. */
char *str_dup(const char *s);
/* calloc that aborts when out of memory; start-up only. */
void *str_zalloc(size_t size);

#endif
