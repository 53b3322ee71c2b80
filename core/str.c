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

static int strbuf_grow(struct strbuf *sb, size_t need)
{
    size_t cap = sb->cap ? sb->cap : 256;
    char *nb;

    if (sb->len + need + 1 <= sb->cap)
        return 0;
    while (cap < sb->len + need + 1)
        cap *= 2;
    nb = realloc(sb->buf, cap);
    if (!nb)
        return -1;
    sb->buf = nb;
    sb->cap = cap;
    return 0;
}

int strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
    va_list aq;
    int n;

    va_copy(aq, ap);
    n = vsnprintf(NULL, 0, fmt, aq);
    va_end(aq);
    if (n < 0 || strbuf_grow(sb, (size_t)n) < 0)
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
    if (strbuf_grow(sb, n) < 0)
        return -1;
    memcpy(sb->buf + sb->len, s, n);
    sb->len += n;
    sb->buf[sb->len] = 0;
    return 0;
}

void strbuf_free(struct strbuf *sb)
{
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
