/* Small string helpers: allocated error messages, growable buffers, edit distance. */
#include "str.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int str_printf(char **err, const char *fmt, ...)
{
    va_list ap;
    char *msg = NULL;

    if (!err)
        return -1;
    va_start(ap, fmt);
    if (vasprintf(&msg, fmt, ap) < 0)
        msg = NULL;
    va_end(ap);
    free(*err);
    *err = msg;
    return -1;
}

void strbuf_init_fixed(struct strbuf *sb, char *buf, size_t size)
{
    *sb = (struct strbuf){.buf = buf, .cap = size, .fixed = 1};
    if (size)
        buf[0] = 0;
    else
        sb->overflow = 1; /* no room even for the NUL: nothing can be appended */
}

/* Makes room for need more bytes plus the NUL. Returns 0, or -1 when the builder is (now)
 * overflowed: a fixed one that lacks the room, a growable one that could not allocate. */
static int strbuf_grow(struct strbuf *sb, size_t need)
{
    size_t cap;
    char *nb;

    if (sb->overflow)
        return -1;
    if (sb->cap && need < sb->cap - sb->len)
        return 0;
    if (sb->fixed || need > ((size_t)-1 >> 2) - sb->len) {
        sb->overflow = 1;
        return -1;
    }
    cap = sb->cap ? sb->cap : 256;
    while (cap < sb->len + need + 1)
        cap *= 2;
    nb = realloc(sb->buf, cap);
    if (!nb) {
        sb->overflow = 1;
        return -1;
    }
    sb->buf = nb;
    sb->cap = cap;
    return 0;
}

/* Fixed storage that overflowed keeps the longest prefix that fits. */
static void strbuf_truncate_into(struct strbuf *sb, const char *s, size_t n)
{
    size_t room;

    if (!sb->fixed || !sb->cap || sb->len >= sb->cap - 1)
        return;
    room = sb->cap - 1 - sb->len;
    if (n > room)
        n = room;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = 0;
}

int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list aq;
    int n;

    if (sb->overflow)
        return -1;
    if (sb->fixed) {
        size_t room = sb->cap - sb->len; /* includes the NUL: cap > len always holds here */

        n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
        if (n < 0) {
            sb->buf[sb->len] = 0;
            sb->overflow = 1;
            return -1;
        }
        if ((size_t)n >= room) {
            /* vsnprintf wrote room - 1 bytes and the NUL: keep that prefix */
            sb->len = sb->cap - 1;
            sb->overflow = 1;
            return -1;
        }
        sb->len += (size_t)n;
        return 0;
    }
    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0) {
        sb->overflow = 1;
        return -1;
    }
    if (strbuf_grow(sb, (size_t)n) < 0)
        return -1;
    vsnprintf(sb->buf + sb->len, (size_t)n + 1, fmt, ap);
    sb->len += (size_t)n;
    return 0;
}

int strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    int ret;

    va_start(ap, fmt);
    ret = strbuf_vprintf(sb, fmt, ap);
    va_end(ap);
    return ret;
}

int strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
    if (sb->overflow)
        return -1;
    if (strbuf_grow(sb, n) < 0) {
        strbuf_truncate_into(sb, s, n);
        return -1;
    }
    if (n)
        memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = 0;
    return 0;
}

int strbuf_puts(struct strbuf *sb, const char *s)
{
    return strbuf_add(sb, s, strlen(s));
}

int strbuf_putc(struct strbuf *sb, char c)
{
    return strbuf_add(sb, &c, 1);
}

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    sb->overflow = !sb->cap && sb->fixed;
    if (sb->buf && sb->cap)
        sb->buf[0] = 0;
}

void strbuf_free(struct strbuf *sb)
{
    if (sb->fixed) {
        strbuf_reset(sb);
        return;
    }
    free(sb->buf);
    *sb = (struct strbuf){0};
}

int str_distance(const char *a, const char *b)
{
    /* Optimal string alignment (Levenshtein plus adjacent transpositions, so "bnid" is one
     * step from "bind"); three rows. Words are compared on their first 63 characters. */
    int pp[64], prev[64], cur[64];
    size_t la = strlen(a), lb = strlen(b), i, j;

    if (la > 63)
        la = 63;
    if (lb > 63)
        lb = 63;
    for (j = 0; j <= lb; j++)
        prev[j] = pp[j] = (int)j;
    for (i = 1; i <= la; i++) {
        cur[0] = (int)i;
        for (j = 1; j <= lb; j++) {
            int sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
            int del = prev[j] + 1, ins = cur[j - 1] + 1;
            int m = sub < del ? sub : del;

            m = m < ins ? m : ins;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                pp[j - 2] + 1 < m)
                m = pp[j - 2] + 1;
            cur[j] = m;
        }
        memcpy(pp, prev, sizeof(prev));
        memcpy(prev, cur, sizeof(cur));
    }
    return prev[lb] > 255 ? 255 : prev[lb];
}

char *str_dup(const char *s)
{
    char *d = strdup(s ? s : "");

    if (!d) {
        fputs("[ALERT] out of memory\n", stderr);
        abort();
    }
    return d;
}

void *str_zalloc(size_t size)
{
    void *p = calloc(1, size);

    if (!p) {
        fputs("[ALERT] out of memory\n", stderr);
        abort();
    }
    return p;
}
