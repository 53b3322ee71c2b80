/* libFuzzer target for the HTTP/1.x parser: runs h1_parse_request() and h1_parse_response() on
 * the input and checks the offsets and the return contract, then runs h1_chunk_scan() on the
 * input (and on what follows a parsed head) in one call, split in two and byte by byte, which
 * must all agree, and agree with ref_chunked(), a strict decoder written apart from the
 * scanner. Any violation traps.
 *
 *   clang -std=gnu11 -D_GNU_SOURCE -Icore -g -O1 -fsanitize=fuzzer,address,undefined \
 *         -o fuzz_h1 regtests/fuzz/fuzz_h1.c core/h1.c
 *   ./fuzz_h1 -max_total_time=300 regtests/fuzz/corpus_h1
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "h1.h"

#define MAX_HDRS 8     /* small, so that the -2 limit is reached */
#define MAX_TRAILERS 32

#define CHECK(cond)                                                                             \
    do {                                                                                        \
        if (!(cond))                                                                            \
            __builtin_trap();                                                                   \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int parse(int is_req, const uint8_t *data, size_t len, struct h1_msg *m,
                 struct h1_hdr *hdrs, int max_hdrs)
{
    *m = (struct h1_msg){ .hdrs = hdrs, .max_hdrs = max_hdrs };
    if (is_req)
        return h1_parse_request((const char *)data, (uint32_t)len, m);
    return h1_parse_response((const char *)data, (uint32_t)len, m);
}

/* The offsets of a complete head all lie inside it, and h1_hdr_find() finds every header
 * by its own name at or before its index. */
static void check_complete(int is_req, const uint8_t *data, int rc, const struct h1_msg *m)
{
    uint32_t end = (uint32_t)rc;
    char name[64];
    int i;

    CHECK(m->head_len == end && data[end - 1] == '\n');
    CHECK(m->nhdrs >= 0 && m->nhdrs <= MAX_HDRS);
    CHECK(m->err_msg == NULL);
    if (is_req) {
        CHECK(m->meth_len > 0 && m->meth + m->meth_len < end);
        CHECK(m->uri_len > 0 && m->uri > m->meth && m->uri + m->uri_len < end);
    } else {
        CHECK(m->status >= 100 && m->status <= 999);
        CHECK(m->reason + m->reason_len < end);
    }
    CHECK(!((m->flags & H1_F_CLEN) && (m->flags & H1_F_CHUNKED)));
    CHECK(m->body_len <= 1ULL << 62);
    CHECK(!(m->flags & H1_F_CHUNKED) || (m->flags & H1_F_VER_11));
    CHECK(!is_req || !(m->flags & H1_F_VER_11) || (m->flags & H1_F_HOST));
    for (i = 0; i < m->nhdrs; i++) {
        const struct h1_hdr *h = &m->hdrs[i];

        CHECK(h->name_len > 0 && h->value > h->name + h->name_len);
        CHECK(data[h->name + h->name_len] == ':');
        CHECK(h->value + h->value_len < end);
        if (i > 0)
            CHECK(h->name > m->hdrs[i - 1].value + m->hdrs[i - 1].value_len);
        if (h->name_len < sizeof(name)) {
            memcpy(name, data + h->name, h->name_len);
            name[h->name_len] = '\0';
            if (!memchr(name, '\0', h->name_len)) {
                int j = h1_hdr_find((const char *)data, m, name, 0);

                CHECK(j >= 0 && j <= i);
                CHECK(h1_hdr_find((const char *)data, m, name, i) == i);
            }
        }
    }
}

static void check_head(int is_req, const uint8_t *data, size_t size)
{
    struct h1_hdr hdrs[MAX_HDRS], phdrs[MAX_HDRS];
    struct h1_msg m, p;
    size_t cut;
    int rc, prc;

    rc = parse(is_req, data, size, &m, hdrs, MAX_HDRS);
    CHECK(rc >= -2);
    if (rc > 0) {
        CHECK((size_t)rc <= size);
        check_complete(is_req, data, rc, &m);
        /* one byte less is incomplete, and the bytes after the head are not looked at */
        CHECK(parse(is_req, data, (size_t)rc - 1, &p, phdrs, MAX_HDRS) == 0);
    } else if (rc < 0) {
        CHECK(m.err_msg != NULL && m.err_pos < size);
    }

    /* bytes are judged as they arrive: a prefix is incomplete or gives the same verdict */
    cut = size ? data[0] % size : 0;
    prc = parse(is_req, data, cut, &p, phdrs, MAX_HDRS);
    CHECK(prc == 0 || prc == rc);
    if (prc < 0)
        CHECK(p.err_pos == m.err_pos && !strcmp(p.err_msg, m.err_msg));
    if (prc > 0)
        CHECK(p.head_len == m.head_len && p.flags == m.flags && p.nhdrs == m.nhdrs);

    /* fewer header slots: the same verdict until the limit is hit */
    prc = parse(is_req, data, size, &p, phdrs, 1);
    CHECK(prc == rc || prc == -2);
    if (prc == -2)
        CHECK(p.err_pos < size);
}

/* ---- an independent strict decoder, written as RFC 9112 7.1 reads ------------------------ */

static int is_tchar(uint8_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c && strchr("!#$%&'*+-.^_`|~", c));
}

static int is_vchar_obs(uint8_t c) /* VCHAR / obs-text / SP / HTAB */
{
    return (c >= 0x20 && c != 0x7f) || c == '\t';
}

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decides a whole chunked body in one pass over d[0..n): returns -1 (invalid), 0 (a valid
 * prefix, more needed) or 1 with *used = the body's length. A non-incremental twin of
 * h1_chunk_scan() sharing no code with it: the two must agree on every input, so what sluice
 * forwards as valid is what a strict peer decodes. Limits as the scanner's: 16 digits and
 * below 2^31, max extension bytes per line and of trailers; no framing or routing field
 * (Content-Length, Transfer-Encoding, Host, Connection, Trailer) in trailers. */
static int ref_forbidden_trailer(const uint8_t *name, size_t len)
{
    static const char *const names[] = {"content-length", "transfer-encoding", "host",
                                         "connection", "trailer"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (len == strlen(names[i]) && !strncasecmp((const char *)name, names[i], len))
            return 1;
    return 0;
}

static int ref_chunked(const uint8_t *d, size_t n, size_t max, size_t *used)
{
    size_t p = 0, trl = 0, ext0;
    uint64_t size;
    int nd;

#define MORE()                                                                                  \
    do {                                                                                        \
        if (p >= n)                                                                             \
            return 0;                                                                           \
    } while (0)
#define EXT_BYTE()                                                                              \
    do {                                                                                        \
        MORE();                                                                                 \
        if (p - ext0 > max)                                                                     \
            return -1;                                                                          \
    } while (0)
    for (;;) {
        /* chunk-size */
        for (size = 0, nd = 0;; p++) {
            MORE();
            if (hexval(d[p]) < 0)
                break;
            if (nd == 16)
                return -1;
            size = size << 4 | (uint64_t)hexval(d[p]);
            if (size > (1ULL << 31) - 1)
                return -1;
            nd++;
        }
        if (!nd)
            return -1;
        /* *( ";" token [ "=" ( token / quoted-string ) ] ) */
        ext0 = p;
        while (d[p] == ';') {
            p++;
            EXT_BYTE();
            if (!is_tchar(d[p]))
                return -1;
            for (;; p++) {
                EXT_BYTE();
                if (!is_tchar(d[p]))
                    break;
            }
            if (d[p] != '=')
                continue;
            p++;
            EXT_BYTE();
            if (is_tchar(d[p])) {
                for (;; p++) {
                    EXT_BYTE();
                    if (!is_tchar(d[p]))
                        break;
                }
            } else if (d[p] == '"') {
                for (p++;; p++) {
                    EXT_BYTE();
                    if (d[p] == '"')
                        break;
                    if (d[p] == '\\') {
                        p++;
                        EXT_BYTE();
                    } else if (d[p] == '\r' || d[p] == '\n') {
                        return -1;
                    }
                    if (!is_vchar_obs(d[p]))
                        return -1;
                }
                p++;
                EXT_BYTE();
            } else {
                return -1;
            }
        }
        if (d[p] != '\r')
            return -1;
        p++;
        MORE();
        if (d[p++] != '\n')
            return -1;
        if (!size)
            break;
        /* chunk-data CRLF */
        if (n - p < size)
            return 0;
        p += size;
        MORE();
        if (d[p++] != '\r')
            return -1;
        MORE();
        if (d[p++] != '\n')
            return -1;
    }
    /* trailer-section CRLF */
    for (;;) {
        size_t start = p;

        MORE();
        if (d[p] == '\r') {
            p++;
            MORE();
            if (d[p] != '\n')
                return -1;
            *used = p + 1;
            return 1;
        }
        for (;; p++) {
            MORE();
            if (trl + (p - start) >= max)
                return -1;
            if (d[p] == ':' && p > start) {
                if (ref_forbidden_trailer(d + start, p - start))
                    return -1;
                break;
            }
            if (!is_tchar(d[p]))
                return -1;
        }
        for (p++;; p++) {
            MORE();
            if (trl + (p - start) >= max)
                return -1;
            if (d[p] == '\r')
                break;
            if (!is_vchar_obs(d[p]))
                return -1;
        }
        p++;
        MORE();
        if (trl + (p - start) >= max || d[p] != '\n')
            return -1;
        p++;
        trl += p - start;
    }
#undef MORE
#undef EXT_BYTE
}

/* Scans len bytes in pieces of `step` bytes (0: one call). Returns the body bytes, or -1. */
static long scan(const uint8_t *data, size_t len, size_t step, struct h1_chunk *c)
{
    size_t off = 0, n;
    long rc, total = 0;

    *c = (struct h1_chunk){ 0 };
    if (!step)
        step = len;
    do {
        n = len - off < step ? len - off : step;
        rc = h1_chunk_scan(c, (const char *)data + off, n, MAX_TRAILERS);
        if (rc < 0)
            return -1;
        CHECK((size_t)rc <= n);
        CHECK((size_t)rc == n || c->state == H1_CHK_DONE);
        total += rc;
        off += n;
    } while (off < len && c->state != H1_CHK_DONE);
    return total;
}

static int chunk_same(const struct h1_chunk *a, const struct h1_chunk *b)
{
    if (a->err_msg || b->err_msg)
        return a->err_msg && b->err_msg && !strcmp(a->err_msg, b->err_msg);
    return a->state == b->state && a->left == b->left && a->size == b->size &&
           a->ndigits == b->ndigits && a->last == b->last && a->trl_len == b->trl_len &&
           a->ext_len == b->ext_len;
}

static void check_chunks(const uint8_t *data, size_t size, size_t split)
{
    struct h1_chunk one, c;
    long rc, rc2;
    size_t n, used = 0;
    int ref;

    rc = scan(data, size, 0, &one);
    CHECK(rc >= -1 && (rc < 0 || (size_t)rc <= size));
    CHECK(rc < 0 || (size_t)rc == size || one.state == H1_CHK_DONE);
    CHECK(rc >= 0 || one.err_msg != NULL);
    CHECK(one.trl_len <= MAX_TRAILERS && one.ext_len <= MAX_TRAILERS);

    CHECK(scan(data, size, 1, &c) == rc && chunk_same(&c, &one));

    /* the independent decoder agrees: same verdict, same body length */
    ref = ref_chunked(data, size, MAX_TRAILERS, &used);
    CHECK(ref == (rc < 0 ? -1 : one.state == H1_CHK_DONE ? 1 : 0));
    CHECK(ref != 1 || used == (size_t)rc);

    /* two pieces, cut where the input says */
    c = (struct h1_chunk){ 0 };
    split = size ? split % (size + 1) : 0;
    rc2 = h1_chunk_scan(&c, (const char *)data, split, MAX_TRAILERS);
    if (rc2 >= 0 && c.state != H1_CHK_DONE) {
        n = (size_t)rc2;
        rc2 = h1_chunk_scan(&c, (const char *)data + split, size - split, MAX_TRAILERS);
        if (rc2 >= 0)
            rc2 += (long)n;
    }
    CHECK(rc2 == rc && chunk_same(&c, &one));

    /* once finished or failed, nothing more is taken */
    if (rc >= 0 && one.state == H1_CHK_DONE)
        CHECK(h1_chunk_scan(&one, (const char *)data, size, MAX_TRAILERS) == 0);
    if (rc < 0)
        CHECK(h1_chunk_scan(&one, (const char *)data, size, MAX_TRAILERS) == -1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct h1_hdr hdrs[MAX_HDRS];
    struct h1_msg m;
    int rc;

    if (size > 1 << 20)
        return 0;
    check_head(1, data, size);
    check_head(0, data, size);
    check_chunks(data, size, size ? data[size - 1] : 0);

    /* what follows a head is its body: scan it too, to reach deep chunked states */
    rc = parse(1, data, size, &m, hdrs, MAX_HDRS);
    if (rc <= 0)
        rc = parse(0, data, size, &m, hdrs, MAX_HDRS);
    if (rc > 0)
        check_chunks(data + rc, size - (size_t)rc, (size_t)rc);
    return 0;
}
