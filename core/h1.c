/* The HTTP/1.x parser (RFC 9112): request and status lines, header fields, the header
 * semantics that decide how the body is delimited (Content-Length, Transfer-Encoding) and the
 * incremental chunked-body scanner. Everything works on offsets into the caller's buffer:
 * nothing is copied, allocated or printed. The contracts are in h1.h.
 *
 * The head parser makes one forward pass and is restarted from the start of the buffer when
 * more bytes arrive (a head is bounded by the buffer size, so this stays cheap). Every byte is
 * judged as soon as it is seen, so a bad byte is reported even when the head is incomplete;
 * only the checks that need a whole header line (Content-Length value, duplicate Host) or the
 * whole head (missing Host, Transfer-Encoding not ending with chunked) wait for them.
 */
#include "h1.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>

/* Character classes, one lookup per byte on the hot paths */
#define C_TCHAR 0x01 /* tchar (RFC 9110 5.6.2): method and field-name bytes */
#define C_URI   0x02 /* visible ASCII 0x21-0x7E: request-target bytes */
#define C_VAL   0x04 /* field-value, reason and trailer bytes: VCHAR, obs-text, SP, HTAB */
#define C_WS    0x08 /* SP or HTAB (OWS, BWS) */
#define C_DIGIT 0x10 /* 0-9 */
#define C_HEX   0x20 /* 0-9 a-f A-F */

#define IS_ALPHA(c) (((c) >= 'a' && (c) <= 'z') || ((c) >= 'A' && (c) <= 'Z'))
#define IS_DIGIT(c) ((c) >= '0' && (c) <= '9')
#define IS_TSYM(c)                                                                              \
    ((c) == '!' || (c) == '#' || (c) == '$' || (c) == '%' || (c) == '&' || (c) == '\'' ||      \
     (c) == '*' || (c) == '+' || (c) == '-' || (c) == '.' || (c) == '^' || (c) == '_' ||       \
     (c) == '`' || (c) == '|' || (c) == '~')
#define IS_HEX(c) (IS_DIGIT(c) || ((c) >= 'a' && (c) <= 'f') || ((c) >= 'A' && (c) <= 'F'))
#define CLS(c)                                                                                  \
    ((IS_ALPHA(c) || IS_DIGIT(c) || IS_TSYM(c) ? C_TCHAR : 0) |                                 \
     ((c) >= 0x21 && (c) <= 0x7e ? C_URI : 0) |                                                 \
     (((c) >= 0x20 && (c) != 0x7f) || (c) == '\t' ? C_VAL : 0) |                                \
     ((c) == ' ' || (c) == '\t' ? C_WS : 0) | (IS_DIGIT(c) ? C_DIGIT : 0) |                     \
     (IS_HEX(c) ? C_HEX : 0))
#define CLS4(c)  CLS(c), CLS((c) + 1), CLS((c) + 2), CLS((c) + 3)
#define CLS16(c) CLS4(c), CLS4((c) + 4), CLS4((c) + 8), CLS4((c) + 12)
#define CLS64(c) CLS16(c), CLS16((c) + 16), CLS16((c) + 32), CLS16((c) + 48)

static const unsigned char h1_cls[256] = { CLS64(0), CLS64(64), CLS64(128), CLS64(192) };

#define HAS(c, cls) (h1_cls[(unsigned char)(c)] & (cls))

/* Empty lines tolerated before a request line (RFC 9112 2.2 asks for at least one) */
#define H1_MAX_EMPTY_LINES 4

/* Largest Content-Length accepted: far beyond any real body, and leaves headroom in the
 * 64-bit counters of the callers. */
#define H1_CLEN_MAX (1ULL << 62)

/* chunk-size: 16 hex digits at most (leading zeros included, as Go's net/http), and a value
 * below 2^31 (HAProxy 2.6 forwards larger ones, re-encoded): chunk lines are forwarded as
 * written, and a server that keeps the size in 32 bits must not read 0x100000005 as 5. */
#define H1_CHK_MAX_DIGITS 16
#define H1_CHK_SIZE_MAX   ((1ULL << 31) - 1)

/* State of one head parse; lives on the stack of h1_parse_request()/h1_parse_response(). */
struct h1_ctx {
    const unsigned char *buf; /* start of the parsed buffer */
    uint32_t len;             /* bytes available in buf (at most INT_MAX) */
    uint32_t pos;             /* next byte to look at */
    struct h1_msg *m;         /* message being filled */
    int is_req;               /* parsing a request (else a response) */
    int te_seen;              /* a Transfer-Encoding header was seen */
    int te_chunked;           /* chunked was seen (it must remain the last coding) */
    uint32_t te_pos;          /* offset of the first Transfer-Encoding name, for errors */
};

static inline unsigned char lower(unsigned char c)
{
    return (unsigned char)((unsigned)(c - 'A') < 26u ? c | 0x20 : c);
}

/* Records a malformation at pos and returns -1. */
static int fail(struct h1_msg *m, uint32_t pos, const char *msg)
{
    m->err_pos = pos;
    m->err_msg = msg;
    return -1;
}

/* At a CR or LF that ends a line: moves past the line end and returns 1, returns 0 when the
 * byte after a CR has not arrived, or -1 for a CR not followed by LF. */
static int eat_eol(struct h1_ctx *x)
{
    if (x->buf[x->pos] == '\n') {
        x->pos++;
        return 1;
    }
    if (x->pos + 1 >= x->len)
        return 0;
    if (x->buf[x->pos + 1] != '\n')
        return fail(x->m, x->pos, "CR not followed by LF");
    x->pos += 2;
    return 1;
}

/* Ends a start line at x->pos: a line end must be there. Returns like eat_eol(). */
static int start_line_eol(struct h1_ctx *x, const char *msg)
{
    unsigned char c;

    if (x->pos >= x->len)
        return 0;
    c = x->buf[x->pos];
    if (c != '\r' && c != '\n')
        return fail(x->m, x->pos, msg);
    return eat_eol(x);
}

/* Parses "HTTP/x.y" at x->pos and sets H1_F_VER_11. Each byte is checked as it arrives;
 * a well-formed version other than 1.0 and 1.1 is reported at its first byte. Returns 1, 0
 * (incomplete) or -1. */
static int parse_version(struct h1_ctx *x)
{
    static const char tmpl[] = "HTTP/0.0"; /* '0' stands for any digit */
    const unsigned char *v = x->buf + x->pos;
    uint32_t i;

    for (i = 0; i < sizeof(tmpl) - 1; i++) {
        if (x->pos + i >= x->len)
            return 0;
        if (tmpl[i] == '0' ? !HAS(v[i], C_DIGIT) : v[i] != (unsigned char)tmpl[i])
            return fail(x->m, x->pos + i, "invalid HTTP version");
    }
    if (v[5] != '1' || (v[7] != '0' && v[7] != '1'))
        return fail(x->m, x->pos, "unsupported HTTP version");
    if (v[7] == '1')
        x->m->flags |= H1_F_VER_11;
    x->pos += i;
    return 1;
}

/* Skips the few empty lines tolerated before a request line. Returns 1 at the first byte of
 * something else, 0 (incomplete) or -1. */
static int skip_empty_lines(struct h1_ctx *x)
{
    int lines, ret;

    for (lines = 0; x->pos < x->len; lines++) {
        if (x->buf[x->pos] != '\r' && x->buf[x->pos] != '\n')
            return 1;
        if (lines == H1_MAX_EMPTY_LINES)
            return fail(x->m, x->pos, "too many empty lines before the request line");
        ret = eat_eol(x);
        if (ret <= 0)
            return ret;
    }
    return 0;
}

/* request-line = method SP request-target SP HTTP-version CRLF, with exactly one SP as each
 * separator (no HTTP/0.9). Returns 1, 0 (incomplete) or -1. */
static int parse_request_line(struct h1_ctx *x)
{
    const unsigned char *b = x->buf;
    struct h1_msg *m = x->m;
    uint32_t p = x->pos, n = x->len, start = p;
    int ret;

    while (p < n && HAS(b[p], C_TCHAR))
        p++;
    if (p >= n)
        return 0;
    if (p == start || b[p] != ' ')
        return fail(m, p, "invalid character in method");
    m->meth = start;
    m->meth_len = p - start;

    start = ++p;
    while (p < n && HAS(b[p], C_URI))
        p++;
    if (p >= n)
        return 0;
    if (p == start)
        return fail(m, p, b[p] == ' ' ? "more than one space after the method"
                                      : "missing request-target");
    if (b[p] != ' ')
        return fail(m, p, b[p] == '\r' || b[p] == '\n' ? "missing HTTP version"
                                                       : "invalid character in request-target");
    m->uri = start;
    m->uri_len = p - start;

    x->pos = p + 1;
    ret = parse_version(x);
    if (ret <= 0)
        return ret;
    return start_line_eol(x, "invalid character after the HTTP version");
}

/* status-line = HTTP-version SP 3DIGIT SP reason-phrase CRLF; the SP before an empty reason
 * may be missing. Returns 1, 0 (incomplete) or -1. */
static int parse_status_line(struct h1_ctx *x)
{
    const unsigned char *b = x->buf;
    struct h1_msg *m = x->m;
    uint32_t p, n = x->len, i;
    int ret;

    ret = parse_version(x);
    if (ret <= 0)
        return ret;
    p = x->pos;
    if (p >= n)
        return 0;
    if (b[p] != ' ')
        return fail(m, p, "invalid character after the HTTP version");
    p++;
    for (i = 0; i < 3; i++, p++) {
        if (p >= n)
            return 0;
        if (!HAS(b[p], C_DIGIT) || (i == 0 && b[p] == '0'))
            return fail(m, p, "invalid status code");
        m->status = m->status * 10 + (b[p] - '0');
    }
    if (p >= n)
        return 0;
    if (b[p] == ' ')
        p++;
    else if (b[p] != '\r' && b[p] != '\n')
        return fail(m, p, "invalid status code");

    m->reason = p;
    while (p < n && HAS(b[p], C_VAL))
        p++;
    m->reason_len = p - m->reason;
    x->pos = p;
    return start_line_eol(x, "invalid character in reason phrase");
}

/* Next element of the comma-separated list in [*pp, e), OWS trimmed, stored as *s and *l; *pp
 * moves past the comma. An empty list yields one empty element. Returns 0 past the end. */
static int list_next(const unsigned char *b, uint32_t *pp, uint32_t e, uint32_t *s, uint32_t *l)
{
    uint32_t p = *pp, end;

    if (p > e)
        return 0;
    while (p < e && HAS(b[p], C_WS))
        p++;
    *s = p;
    while (p < e && b[p] != ',')
        p++;
    for (end = p; end > *s && HAS(b[end - 1], C_WS); end--)
        ;
    *l = end - *s;
    *pp = p + 1; /* past the comma, or e + 1 at the end */
    return 1;
}

/* Content-Length = 1*DIGIT, or a list of identical values; repeated headers must agree and
 * Transfer-Encoding must be absent. Returns 1 or -1. */
static int on_content_length(struct h1_ctx *x, const struct h1_hdr *h)
{
    const unsigned char *b = x->buf;
    struct h1_msg *m = x->m;
    uint32_t p = h->value, e = h->value + h->value_len, start;
    uint64_t v;
    unsigned d;

    if (x->te_seen)
        return fail(m, h->name, "both Content-Length and Transfer-Encoding");
    for (;;) {
        while (p < e && HAS(b[p], C_WS))
            p++;
        for (start = p, v = 0; p < e && HAS(b[p], C_DIGIT); p++) {
            d = b[p] - '0';
            if (v > (H1_CLEN_MAX - d) / 10)
                return fail(m, p, "Content-Length too large");
            v = v * 10 + d;
        }
        if (p == start)
            return fail(m, p, "invalid Content-Length value");
        while (p < e && HAS(b[p], C_WS))
            p++;
        if (p < e && b[p] != ',')
            return fail(m, p, "invalid Content-Length value");
        if ((m->flags & H1_F_CLEN) && v != m->body_len)
            return fail(m, start, "differing Content-Length values");
        m->flags |= H1_F_CLEN;
        m->body_len = v;
        if (p >= e)
            return 1;
        p++; /* the comma */
    }
}

/* Transfer-Encoding: HTTP/1.1 only, never with Content-Length, chunked at most once and last
 * (possibly across several headers; that chunked is present at all is checked at the end of
 * the head). Empty list elements are ignored (RFC 9110 5.6.1). In a request, chunked is the
 * only coding accepted (as HAProxy, which answers 422 to others): sluice does not decode
 * another coding, and a server that expects exactly "chunked" would otherwise read the body
 * as the next request; the server gets one "transfer-encoding: chunked" header rebuilt by
 * the caller. Returns 1 or -1. */
static int on_transfer_encoding(struct h1_ctx *x, const struct h1_hdr *h)
{
    struct h1_msg *m = x->m;
    uint32_t p = h->value, s, l;
    int chunked;

    if (!(m->flags & H1_F_VER_11))
        return fail(m, h->name, "Transfer-Encoding in an HTTP/1.0 message");
    if (m->flags & H1_F_CLEN)
        return fail(m, h->name, "both Content-Length and Transfer-Encoding");
    if (!x->te_seen)
        x->te_pos = h->name;
    x->te_seen = 1;
    while (list_next(x->buf, &p, h->value + h->value_len, &s, &l)) {
        if (!l)
            continue;
        chunked = h1_ieq((const char *)x->buf + s, l, "chunked");
        if (x->is_req && !chunked)
            return fail(m, s, "transfer coding other than chunked in a request");
        if (x->te_chunked)
            return fail(m, s, chunked ? "chunked applied more than once"
                                      : "chunked is not the last transfer coding");
        if (chunked) {
            x->te_chunked = 1;
            m->flags |= H1_F_CHUNKED;
        }
    }
    return 1;
}

static void on_connection(struct h1_ctx *x, const struct h1_hdr *h)
{
    const char *b = (const char *)x->buf;
    uint32_t p = h->value, s, l;

    while (list_next(x->buf, &p, h->value + h->value_len, &s, &l)) {
        if (h1_ieq(b + s, l, "close"))
            x->m->flags |= H1_F_CONN_CLOSE;
        else if (h1_ieq(b + s, l, "keep-alive"))
            x->m->flags |= H1_F_CONN_KA;
        else if (h1_ieq(b + s, l, "upgrade"))
            x->m->flags |= H1_F_CONN_UPG;
    }
}

/* Applies the meaning of one complete header line. Returns 1 or -1. */
static int hdr_semantics(struct h1_ctx *x, const struct h1_hdr *h)
{
    const char *name = (const char *)x->buf + h->name;
    struct h1_msg *m = x->m;

    switch (h->name_len) { /* the length sorts out nearly every other header */
    case 4:
        if (x->is_req && h1_ieq(name, 4, "host")) {
            if (m->flags & H1_F_HOST)
                return fail(m, h->name, "more than one Host header");
            m->flags |= H1_F_HOST;
        }
        break;
    case 7:
        if (h1_ieq(name, 7, "upgrade"))
            m->flags |= H1_F_UPGRADE;
        break;
    case 10:
        if (h1_ieq(name, 10, "connection"))
            on_connection(x, h);
        break;
    case 14:
        if (h1_ieq(name, 14, "content-length"))
            return on_content_length(x, h);
        break;
    case 17:
        if (h1_ieq(name, 17, "transfer-encoding"))
            return on_transfer_encoding(x, h);
        break;
    }
    return 1;
}

/* One header line, or the blank line ending the head. Returns 1 after a header line, 2 after
 * the blank line, 0 (incomplete), -1 (malformed) or -2 (more than max_hdrs headers). */
static int parse_header_line(struct h1_ctx *x)
{
    const unsigned char *b = x->buf;
    struct h1_msg *m = x->m;
    uint32_t p = x->pos, n = x->len, name, colon, vstart, vend;
    struct h1_hdr *h;
    int ret;

    if (p >= n)
        return 0;
    if (b[p] == '\r' || b[p] == '\n') {
        ret = eat_eol(x);
        return ret > 0 ? 2 : ret;
    }
    if (HAS(b[p], C_WS))
        return fail(m, p, "obs-fold not allowed");
    if (!HAS(b[p], C_TCHAR))
        return fail(m, p, "invalid character in header name");
    if (m->nhdrs >= m->max_hdrs) {
        m->err_pos = p;
        m->err_msg = "too many headers";
        return -2;
    }

    for (name = p; p < n && HAS(b[p], C_TCHAR); p++)
        ;
    if (p >= n)
        return 0;
    if (b[p] != ':')
        return fail(m, p, HAS(b[p], C_WS) ? "whitespace before the colon"
                                          : "invalid character in header name");
    colon = p;
    for (p++; p < n && HAS(b[p], C_WS); p++)
        ;
    for (vstart = p; p < n && HAS(b[p], C_VAL); p++)
        ;
    if (p >= n)
        return 0;
    if (b[p] != '\r' && b[p] != '\n')
        return fail(m, p, b[p] ? "invalid character in header value"
                               : "NUL character in header value");
    for (vend = p; vend > vstart && HAS(b[vend - 1], C_WS); vend--)
        ;
    x->pos = p;
    ret = eat_eol(x);
    if (ret <= 0)
        return ret;

    h = &m->hdrs[m->nhdrs++];
    h->name = name;
    h->name_len = colon - name;
    h->value = vstart;
    h->value_len = vend - vstart;
    return hdr_semantics(x, h);
}

/* Header lines until the blank line, then the checks that need the whole head. Returns the
 * head length, 0, -1 or -2. */
static int parse_headers(struct h1_ctx *x)
{
    struct h1_msg *m = x->m;
    uint32_t eoh;
    int ret;

    do {
        eoh = x->pos;
        ret = parse_header_line(x);
    } while (ret == 1);
    if (ret <= 0)
        return ret;

    if (x->te_seen && !x->te_chunked)
        return fail(m, x->te_pos, "Transfer-Encoding does not end with chunked");
    if (x->is_req && (m->flags & H1_F_VER_11) && !(m->flags & H1_F_HOST))
        return fail(m, eoh, "missing Host header in an HTTP/1.1 request");
    m->head_len = x->pos;
    return (int)x->pos;
}

/* Resets the results in m (not hdrs/max_hdrs) and prepares a parse of buf. */
static void ctx_init(struct h1_ctx *x, const char *buf, uint32_t len, struct h1_msg *m,
                     int is_req)
{
    *x = (struct h1_ctx){
        .buf = (const unsigned char *)buf,
        .len = len > INT_MAX ? INT_MAX : len, /* the return value is an int */
        .m = m,
        .is_req = is_req,
    };
    m->meth = m->meth_len = m->uri = m->uri_len = 0;
    m->status = 0;
    m->reason = m->reason_len = 0;
    m->head_len = 0;
    m->body_len = 0;
    m->flags = 0;
    m->nhdrs = 0;
    m->err_pos = 0;
    m->err_msg = NULL;
}

/* A head that needs more than INT_MAX bytes cannot be reported: it is a limit. */
static int incomplete(struct h1_ctx *x, uint32_t len)
{
    if (x->len == len)
        return 0;
    x->m->err_pos = x->len - 1;
    x->m->err_msg = "message head too large";
    return -2;
}

int h1_parse_request(const char *buf, uint32_t len, struct h1_msg *m)
{
    struct h1_ctx x;
    int ret;

    ctx_init(&x, buf, len, m, 1);
    ret = skip_empty_lines(&x);
    if (ret > 0)
        ret = parse_request_line(&x);
    if (ret > 0)
        ret = parse_headers(&x);
    return ret ? ret : incomplete(&x, len);
}

int h1_parse_response(const char *buf, uint32_t len, struct h1_msg *m)
{
    struct h1_ctx x;
    int ret;

    ctx_init(&x, buf, len, m, 0);
    ret = parse_status_line(&x);
    if (ret > 0)
        ret = parse_headers(&x);
    return ret ? ret : incomplete(&x, len);
}

int h1_hdr_find(const char *buf, const struct h1_msg *m, const char *name, int from)
{
    int i;

    for (i = from < 0 ? 0 : from; i < m->nhdrs; i++)
        if (h1_ieq(buf + m->hdrs[i].name, m->hdrs[i].name_len, name))
            return i;
    return -1;
}

int h1_ieq(const char *s, uint32_t n, const char *lit)
{
    uint32_t i;

    for (i = 0; i < n; i++)
        if (!lit[i] || lower((unsigned char)s[i]) != lower((unsigned char)lit[i]))
            return 0;
    return lit[n] == '\0';
}

/* ---- chunked bodies -------------------------------------------------------------------- */

/* chunk          = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 * chunk-ext      = *( ";" chunk-ext-name [ "=" chunk-ext-val ] )
 * chunk-ext-val  = token / quoted-string
 * last-chunk     = 1*("0") [ chunk-ext ] CRLF
 * trailer-section = *( field-line CRLF ), then CRLF
 * RFC 9112 7.1 without the BWS (a sender MUST NOT generate it, RFC 9110 5.6.3) and without
 * bare LF line ends: sluice forwards these bytes as they are, so it takes only what it would
 * send itself, and a server cannot read them another way. */

static int chk_fail(struct h1_chunk *c, const char *msg)
{
    c->err_msg = msg;
    return -1;
}

/* The size line is complete: start the data, or the trailers after the last chunk. */
static void chk_size_done(struct h1_chunk *c)
{
    c->last = c->size == 0;
    c->state = c->last ? H1_CHK_TRL_START : H1_CHK_DATA;
    c->left = c->size;
    c->size = 0;
    c->ndigits = 0;
    c->ext_len = 0;
}

/* A byte that may end a chunk-ext-name, a token value or a quoted value: ';' starts another
 * extension, CR ends the line. Returns 0 or -1 with a message naming what it follows. */
static int chk_ext_end(struct h1_chunk *c, unsigned char ch, const char *msg)
{
    if (ch == ';')
        c->state = H1_CHK_EXT_NAME0;
    else if (ch == '\r')
        c->state = H1_CHK_SIZE_LF;
    else
        return chk_fail(c, ch == '\n' ? "bare LF in chunk size line" : msg);
    return 0;
}

/* One byte of the chunk-size line: 1*HEXDIG then ';' or CR. Returns 0 or -1. */
static int chk_size_byte(struct h1_chunk *c, unsigned char ch)
{
    if (HAS(ch, C_HEX)) {
        if (c->ndigits == H1_CHK_MAX_DIGITS || c->size > H1_CHK_SIZE_MAX >> 4)
            return chk_fail(c, "chunk size too large");
        c->size = c->size << 4 | (unsigned)(ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10);
        if (c->size > H1_CHK_SIZE_MAX)
            return chk_fail(c, "chunk size too large");
        c->ndigits++;
        return 0;
    }
    if (!c->ndigits)
        return chk_fail(c, ch == '\r' || ch == '\n' ? "empty chunk size"
                                                    : "invalid character in chunk size");
    if (HAS(ch, C_WS))
        return chk_fail(c, "whitespace after chunk size");
    return chk_ext_end(c, ch, "invalid character in chunk size");
}

/* One byte of the chunk extensions (any H1_CHK_EXT_* state). Returns 0 or -1. */
static int chk_ext_byte(struct h1_chunk *c, unsigned char ch)
{
    switch (c->state) {
    case H1_CHK_EXT_NAME0:
    case H1_CHK_EXT_VAL0:
        if (HAS(ch, C_TCHAR))
            c->state = c->state == H1_CHK_EXT_NAME0 ? H1_CHK_EXT_NAME : H1_CHK_EXT_TOKEN;
        else if (ch == '"' && c->state == H1_CHK_EXT_VAL0)
            c->state = H1_CHK_EXT_QS;
        else
            return chk_fail(c, ch == '\n' ? "bare LF in chunk size line"
                               : HAS(ch, C_WS) ? "whitespace in chunk extension"
                                               : "invalid character in chunk extension");
        return 0;
    case H1_CHK_EXT_NAME:
        if (ch == '=') {
            c->state = H1_CHK_EXT_VAL0;
            return 0;
        }
        /* fall through */
    case H1_CHK_EXT_TOKEN:
        if (HAS(ch, C_TCHAR))
            return 0;
        return chk_ext_end(c, ch, HAS(ch, C_WS) ? "whitespace in chunk extension"
                                                : "invalid character in chunk extension");
    case H1_CHK_EXT_QS:
        /* qdtext = HTAB / SP / %x21 / %x23-5B / %x5D-7E / obs-text */
        if (ch == '"')
            c->state = H1_CHK_EXT_QEND;
        else if (ch == '\\')
            c->state = H1_CHK_EXT_QP;
        else if (!HAS(ch, C_VAL))
            return chk_fail(c, ch == '\r' || ch == '\n' ? "unterminated quoted chunk extension"
                                                        : "invalid character in chunk extension");
        return 0;
    case H1_CHK_EXT_QP:
        /* quoted-pair = "\" ( HTAB / SP / VCHAR / obs-text ) */
        if (!HAS(ch, C_VAL))
            return chk_fail(c, "invalid character in chunk extension");
        c->state = H1_CHK_EXT_QS;
        return 0;
    default: /* H1_CHK_EXT_QEND */
        return chk_ext_end(c, ch, "invalid character after quoted chunk extension");
    }
}

/* Trailer fields that change how a message is framed or routed (RFC 9110 6.5.1): sluice
 * forwards trailers as they are, and a server that merges trailers into the header section
 * would act on values sluice's rules never saw. Refused (HAProxy 2.6 drops Content-Length
 * and forwards the others). */
static int chk_trailer_forbidden(const struct h1_chunk *c)
{
    static const char *const names[] = {"content-length", "transfer-encoding", "host",
                                         "connection", "trailer"};

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (c->tname_len == strlen(names[i]) && !memcmp(c->tname, names[i], c->tname_len))
            return 1;
    return 0;
}

/* Keeps one byte of the current trailer name (lower case) while it may still be a refused one. */
static void chk_trailer_name_byte(struct h1_chunk *c, unsigned char ch)
{
    if (c->tname_len < sizeof(c->tname))
        c->tname[c->tname_len] = (char)lower(ch);
    if (c->tname_len <= sizeof(c->tname))
        c->tname_len++;
}

/* One byte of a trailer field line; ndigits, unused after the last chunk, tells whether the
 * colon was seen (0: in the name, 1: in the value). Returns 0 or -1. */
static int chk_trailer_byte(struct h1_chunk *c, unsigned char ch)
{
    if (!c->ndigits) {
        if (ch == ':') {
            if (chk_trailer_forbidden(c))
                return chk_fail(c, "framing or routing field in trailers");
            c->ndigits = 1;
        } else if (HAS(ch, C_TCHAR)) {
            chk_trailer_name_byte(c, ch);
        } else {
            return chk_fail(c, ch == '\n'      ? "bare LF in trailer"
                               : HAS(ch, C_WS) ? "whitespace before the colon in trailer"
                                               : "invalid character in trailer name");
        }
    } else if (ch == '\r') {
        c->state = H1_CHK_TRL_LF;
    } else if (!HAS(ch, C_VAL)) {
        return chk_fail(c, ch == '\n' ? "bare LF in trailer"
                                      : "invalid character in trailer value");
    }
    return 0;
}

/* One byte in any state but H1_CHK_DATA and H1_CHK_DONE. Returns 0 or -1. */
static int chk_byte(struct h1_chunk *c, unsigned char ch, uint32_t max_trailers)
{
    switch (c->state) {
    case H1_CHK_SIZE:
        return chk_size_byte(c, ch);
    case H1_CHK_EXT_NAME0:
    case H1_CHK_EXT_NAME:
    case H1_CHK_EXT_VAL0:
    case H1_CHK_EXT_TOKEN:
    case H1_CHK_EXT_QS:
    case H1_CHK_EXT_QP:
    case H1_CHK_EXT_QEND:
        /* the extensions of one line are bounded like the trailers: never buffered, but a
         * server may hold the whole line */
        if (c->ext_len >= max_trailers)
            return chk_fail(c, "chunk extensions too large");
        c->ext_len++;
        return chk_ext_byte(c, ch);
    case H1_CHK_SIZE_LF:
        if (ch != '\n')
            return chk_fail(c, "CR not followed by LF in chunk size line");
        chk_size_done(c);
        return 0;
    case H1_CHK_DATA_CR:
        if (ch != '\r')
            return chk_fail(c, ch == '\n' ? "bare LF after chunk data"
                                          : "missing CRLF after chunk data");
        c->state = H1_CHK_DATA_LF;
        return 0;
    case H1_CHK_DATA_LF:
        if (ch != '\n')
            return chk_fail(c, "missing CRLF after chunk data");
        c->state = H1_CHK_SIZE;
        return 0;
    case H1_CHK_TRL_START:
        if (ch == '\r') {
            c->state = H1_CHK_END_LF;
            return 0;
        }
        if (!HAS(ch, C_TCHAR))
            return chk_fail(c, ch == '\n'      ? "bare LF ending the chunked body"
                               : HAS(ch, C_WS) ? "obs-fold not allowed in trailers"
                                               : "invalid character in trailer name");
        c->state = H1_CHK_TRL_LINE;
        c->ndigits = 0;
        c->tname_len = 0;
        chk_trailer_name_byte(c, ch);
        break;
    case H1_CHK_TRL_LINE:
        if (chk_trailer_byte(c, ch) < 0)
            return -1;
        break;
    case H1_CHK_TRL_LF:
        if (ch != '\n')
            return chk_fail(c, "CR not followed by LF in trailer");
        c->state = H1_CHK_TRL_START;
        c->ndigits = 0;
        break;
    case H1_CHK_END_LF:
        if (ch != '\n')
            return chk_fail(c, "CR not followed by LF after trailers");
        c->state = H1_CHK_DONE;
        return 0;
    default: /* H1_CHK_DATA and H1_CHK_DONE are handled by the caller */
        return chk_fail(c, "invalid chunk scanner state");
    }
    /* a byte of a trailer line */
    if (c->trl_len >= max_trailers)
        return chk_fail(c, "trailers too large");
    c->trl_len++;
    return 0;
}

long h1_chunk_scan(struct h1_chunk *c, const char *buf, size_t len, uint32_t max_trailers)
{
    const unsigned char *p = (const unsigned char *)buf, *end = p + len;
    size_t n;

    if (c->err_msg)
        return -1; /* errors are sticky */
    if (c->state == H1_CHK_DONE)
        return 0;
    while (p < end) {
        if (c->state == H1_CHK_DATA) {
            /* the bulk of the body: skipped without looking at it */
            n = (size_t)(end - p);
            if (n > c->left)
                n = (size_t)c->left;
            p += n;
            c->left -= n;
            if (!c->left)
                c->state = H1_CHK_DATA_CR;
            continue;
        }
        if (chk_byte(c, *p++, max_trailers) < 0)
            return -1;
        if (c->state == H1_CHK_DONE)
            break;
    }
    return (long)(p - (const unsigned char *)buf);
}
