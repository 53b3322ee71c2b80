/* HTTP heads as editable header lists. */
#include "http-msg.h"

#include <stdio.h>
#include <string.h>

#include "arena.h"
#include "h1.h"

int http_msg_init(struct http_msg *m, const char *buf, const struct h1_msg *h1, int request,
                  struct arena *a)
{
    char *copy = arena_alloc(a, h1->head_len);

    if (!copy)
        return -1;
    memcpy(copy, buf, h1->head_len);
    memset(m, 0, sizeof(*m));
    m->max_hdrs = h1->nhdrs + HTTP_EXTRA_HDRS;
    m->hdrs = arena_alloc(a, sizeof(*m->hdrs) * (size_t)m->max_hdrs);
    if (!m->hdrs)
        return -1;
    if (request) {
        m->meth = copy + h1->meth;
        m->meth_len = h1->meth_len;
        m->uri = copy + h1->uri;
        m->uri_len = h1->uri_len;
    } else {
        m->status = h1->status;
        m->reason = copy + h1->reason;
        m->reason_len = h1->reason_len;
    }
    m->vers = (h1->flags & H1_F_VER_11) ? 11 : 10;
    m->flags = h1->flags;
    for (int i = 0; i < h1->nhdrs; i++) {
        m->hdrs[i].name = copy + h1->hdrs[i].name;
        m->hdrs[i].name_len = h1->hdrs[i].name_len;
        m->hdrs[i].value = copy + h1->hdrs[i].value;
        m->hdrs[i].value_len = h1->hdrs[i].value_len;
    }
    m->nhdrs = h1->nhdrs;
    m->present = 1;
    return 0;
}

int http_hdr_find(const struct http_msg *m, const char *n, uint32_t nl, int from)
{
    for (int i = from < 0 ? 0 : from; i < m->nhdrs; i++) {
        const struct http_hdr *h = &m->hdrs[i];

        if (h->name && h->name_len == nl && !strncasecmp(h->name, n, nl))
            return i;
    }
    return -1;
}

int http_hdr_add(struct http_msg *m, const char *n, uint32_t nl, const char *v, uint32_t vl)
{
    struct http_hdr *h;

    if (m->nhdrs >= m->max_hdrs) {
        /* Reuse a deleted slot before giving up. */
        for (int i = 0; i < m->nhdrs; i++)
            if (!m->hdrs[i].name) {
                memmove(&m->hdrs[i], &m->hdrs[i + 1],
                        sizeof(*m->hdrs) * (size_t)(m->nhdrs - i - 1));
                m->nhdrs--;
                break;
            }
        if (m->nhdrs >= m->max_hdrs)
            return -1;
    }
    h = &m->hdrs[m->nhdrs++];
    h->name = n;
    h->name_len = nl;
    h->value = v;
    h->value_len = vl;
    return 0;
}

int http_hdr_del(struct http_msg *m, const char *n, uint32_t nl)
{
    int count = 0;

    for (int i = http_hdr_find(m, n, nl, 0); i >= 0; i = http_hdr_find(m, n, nl, i + 1)) {
        m->hdrs[i].name = NULL;
        count++;
    }
    return count;
}

int http_hdr_set(struct http_msg *m, const char *n, uint32_t nl, const char *v, uint32_t vl)
{
    http_hdr_del(m, n, nl);
    return http_hdr_add(m, n, nl, v, vl);
}

int http_hdr_has_token(const struct http_msg *m, const char *n, const char *tok)
{
    size_t tl = strlen(tok);

    for (int i = http_hdr_find(m, n, (uint32_t)strlen(n), 0); i >= 0;
         i = http_hdr_find(m, n, (uint32_t)strlen(n), i + 1)) {
        const char *p = m->hdrs[i].value, *end = p + m->hdrs[i].value_len;

        while (p < end) {
            const char *s, *e;

            while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
                p++;
            s = p;
            while (p < end && *p != ',')
                p++;
            e = p;
            while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
                e--;
            if ((size_t)(e - s) == tl && !strncasecmp(s, tok, tl))
                return 1;
        }
    }
    return 0;
}

char *http_msg_build(const struct http_msg *m, int request, struct arena *a, uint32_t *len)
{
    size_t need = 64, off;
    char *out;

    need += request ? m->meth_len + m->uri_len : m->reason_len;
    for (int i = 0; i < m->nhdrs; i++)
        if (m->hdrs[i].name)
            need += m->hdrs[i].name_len + m->hdrs[i].value_len + 4;
    out = arena_alloc(a, need);
    if (!out)
        return NULL;
    if (request) {
        memcpy(out, m->meth, m->meth_len);
        off = m->meth_len;
        out[off++] = ' ';
        memcpy(out + off, m->uri, m->uri_len);
        off += m->uri_len;
        memcpy(out + off, m->vers == 10 ? " HTTP/1.0\r\n" : " HTTP/1.1\r\n", 11);
        off += 11;
    } else {
        /* Responses always go out as HTTP/1.1, as HAProxy writes them. */
        off = (size_t)sprintf(out, "HTTP/1.1 %03d", m->status);
        if (m->reason_len) {
            out[off++] = ' ';
            memcpy(out + off, m->reason, m->reason_len);
            off += m->reason_len;
        }
        out[off++] = '\r';
        out[off++] = '\n';
    }
    for (int i = 0; i < m->nhdrs; i++) {
        const struct http_hdr *h = &m->hdrs[i];

        if (!h->name)
            continue;
        memcpy(out + off, h->name, h->name_len);
        off += h->name_len;
        out[off++] = ':';
        out[off++] = ' ';
        memcpy(out + off, h->value, h->value_len);
        off += h->value_len;
        out[off++] = '\r';
        out[off++] = '\n';
    }
    out[off++] = '\r';
    out[off++] = '\n';
    *len = (uint32_t)off;
    return out;
}

void http_uri_parts(const char *uri, uint32_t len, const char **path, uint32_t *plen,
                    const char **query, uint32_t *qlen)
{
    const char *p = uri, *end = uri + len, *q;

    /* absolute-form: skip "scheme://authority" */
    if (len && uri[0] != '/') {
        const char *s = memchr(uri, ':', len);

        if (s && s + 2 < end && s[1] == '/' && s[2] == '/') {
            p = s + 3;
            while (p < end && *p != '/' && *p != '?')
                p++;
        }
    }
    q = memchr(p, '?', (size_t)(end - p));
    *path = p;
    *plen = (uint32_t)((q ? q : end) - p);
    *query = q ? q + 1 : end;
    *qlen = q ? (uint32_t)(end - q - 1) : 0;
}
