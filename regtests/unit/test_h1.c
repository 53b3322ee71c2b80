/* Unit tests: the HTTP/1.x parser (request and status lines, headers, the smuggling rules),
 * the chunked-body scanner split at every byte boundary, h1_hdr_find() and h1_ieq(). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "h1.h"
#include "tap.h"

#define MAX_HDRS 16

static struct h1_hdr hdrs[MAX_HDRS];

static int parse(int is_req, const char *s, size_t len, int max_hdrs, struct h1_msg *m)
{
    *m = (struct h1_msg){ .hdrs = hdrs, .max_hdrs = max_hdrs };
    return is_req ? h1_parse_request(s, (uint32_t)len, m) : h1_parse_response(s, (uint32_t)len, m);
}

/* The bytes [off, off + len) of s equal want. */
static int span_is(const char *s, uint32_t off, uint32_t len, const char *want)
{
    return len == strlen(want) && !memcmp(s + off, want, len);
}

/* A complete head of s (a NUL-terminated string): every shorter prefix is incomplete, the
 * whole returns its length, and bytes appended after the head change nothing. */
static void head_ok(int is_req, const char *s, const char *desc, struct h1_msg *m)
{
    size_t len = strlen(s), i;
    char *more;
    int rc, bad = -1;

    for (i = 0; i < len && bad < 0; i++)
        if (parse(is_req, s, i, MAX_HDRS, m) != 0)
            bad = (int)i;
    ok(bad < 0, "%s: every prefix is incomplete (first failure at %d: %s)", desc, bad,
       m->err_msg ? m->err_msg : "complete");

    more = malloc(len + 8);
    memcpy(more, s, len);
    memcpy(more + len, "\0\r\x01 xx\n", 8);
    rc = parse(is_req, more, len + 8, MAX_HDRS, m);
    is_int(rc, len, "%s: trailing bytes are not looked at", desc);
    free(more);

    rc = parse(is_req, s, len, MAX_HDRS, m);
    is_int(rc, len, "%s: complete (%s)", desc, m->err_msg ? m->err_msg : "no error");
    is_int(m->head_len, len, "%s: head_len", desc);
}

/* A head refused with rc (-1 or -2) at err_pos with a message containing msg. When the error
 * can be seen from the `early` bytes that start at err_pos (1 for a bad byte, 2 for a CR and
 * the byte after it, 8 for a version), every prefix that holds them already fails the same
 * way; early = 0 skips that check (errors that need a whole line or the whole head). */
static void head_bad(int is_req, const char *s, int rc_want, long pos, const char *msg,
                     int early, const char *desc)
{
    struct h1_msg m;
    size_t len = strlen(s), i;
    int rc, bad = -1;

    rc = parse(is_req, s, len, MAX_HDRS, &m);
    ok(rc == rc_want && m.err_msg && strstr(m.err_msg, msg), "%s: refused with '%s' (got %d '%s')",
       desc, msg, rc, m.err_msg ? m.err_msg : "");
    if (pos >= 0)
        is_int(m.err_pos, pos, "%s: error position", desc);
    ok(m.err_pos < len, "%s: err_pos within the buffer", desc);
    if (!early)
        return;
    for (i = m.err_pos + (size_t)early; i < len && bad < 0; i++) {
        struct h1_msg p;

        if (parse(is_req, s, i, MAX_HDRS, &p) != rc_want || p.err_pos != m.err_pos)
            bad = (int)i;
    }
    ok(bad < 0, "%s: reported as soon as the byte arrives (prefix %d differs)", desc, bad);
}

#define REQ_BAD(s, pos, msg, desc) head_bad(1, s, -1, pos, msg, 1, desc)
#define REQ_BAD_CR(s, pos, msg, desc) head_bad(1, s, -1, pos, msg, 2, desc)
#define REQ_BAD_VER(s, pos, msg, desc) head_bad(1, s, -1, pos, msg, 8, desc)
#define REQ_BAD_LATE(s, pos, msg, desc) head_bad(1, s, -1, pos, msg, 0, desc)
#define RESP_BAD(s, pos, msg, desc) head_bad(0, s, -1, pos, msg, 1, desc)
#define RESP_BAD_CR(s, pos, msg, desc) head_bad(0, s, -1, pos, msg, 2, desc)
#define RESP_BAD_VER(s, pos, msg, desc) head_bad(0, s, -1, pos, msg, 8, desc)
#define RESP_BAD_LATE(s, pos, msg, desc) head_bad(0, s, -1, pos, msg, 0, desc)

static void test_request_ok(void)
{
    const char *s = "GET /index.html?a=b HTTP/1.1\r\n"
                    "Host: example.com\r\n"
                    "X-Empty:\r\n"
                    "X-Pad: \t spaced value \t \r\n"
                    "Connection: Keep-Alive, Upgrade\r\n"
                    "Upgrade: websocket\r\n"
                    "X-8bit: caf\xc3\xa9\r\n"
                    "\r\n";
    struct h1_msg m;

    head_ok(1, s, "request with headers", &m);
    ok(span_is(s, m.meth, m.meth_len, "GET"), "method");
    ok(span_is(s, m.uri, m.uri_len, "/index.html?a=b"), "request-target");
    is_int(m.nhdrs, 6, "6 headers");
    ok(span_is(s, hdrs[0].name, hdrs[0].name_len, "Host"), "name 0");
    ok(span_is(s, hdrs[0].value, hdrs[0].value_len, "example.com"), "value 0");
    ok(span_is(s, hdrs[1].name, hdrs[1].name_len, "X-Empty"), "name 1");
    is_int(hdrs[1].value_len, 0, "empty value");
    ok(span_is(s, hdrs[2].value, hdrs[2].value_len, "spaced value"), "OWS trimmed, inner kept");
    ok(span_is(s, hdrs[5].value, hdrs[5].value_len, "caf\xc3\xa9"), "obs-text in a value");
    is_int(m.flags, H1_F_VER_11 | H1_F_HOST | H1_F_CONN_KA | H1_F_CONN_UPG | H1_F_UPGRADE,
           "flags");
    is_int(m.body_len, 0, "no body length");

    s = "POST /up HTTP/1.1\nhost: h\ncontent-length: 42\nexpect: 100-CONTINUE\n"
        "connection: close\n\n";
    head_ok(1, s, "bare LF line ends", &m);
    is_int(m.flags, H1_F_VER_11 | H1_F_HOST | H1_F_CLEN | H1_F_CONN_CLOSE,
           "flags with bare LF (Expect is forwarded, not interpreted)");
    is_int(m.body_len, 42, "body_len");

    s = "GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n";
    head_ok(1, s, "HTTP/1.0 without Host, Expect ignored", &m);
    is_int(m.flags, 0, "HTTP/1.0 flags");
    is_int(m.nhdrs, 1, "one header");

    s = "\r\n\n\r\nOPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n";
    head_ok(1, s, "leading empty lines", &m);
    ok(span_is(s, m.meth, m.meth_len, "OPTIONS") && m.meth == 5, "method after empty lines");
    ok(span_is(s, m.uri, m.uri_len, "*"), "asterisk-form");

    s = "M-SEARCH! http://a/b%20c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\n"
        "Transfer-Encoding: CHUNKED\r\n\r\n";
    head_ok(1, s, "TE over two headers", &m);
    ok(span_is(s, m.meth, m.meth_len, "M-SEARCH!"), "token method");
    is_int(m.flags, H1_F_VER_11 | H1_F_HOST | H1_F_CHUNKED, "chunked flag");

    s = "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 7 , 7,7\r\nContent-Length: 007\r\n\r\n";
    head_ok(1, s, "identical Content-Length list and repeat", &m);
    is_int(m.body_len, 7, "list value");

    s = "PUT / HTTP/1.1\r\nHost: a\r\nContent-Length: 4611686018427387904\r\n\r\n";
    head_ok(1, s, "Content-Length 2^62", &m);
    ok(m.body_len == 1ULL << 62, "2^62 accepted");

    s = "GET / HTTP/1.1\r\nHost:\r\nTransfer-Encoding: ,chunked,\r\n\r\n";
    head_ok(1, s, "empty Host, empty TE list elements", &m);
    is_int(m.flags, H1_F_VER_11 | H1_F_HOST | H1_F_CHUNKED, "flags");
    s = "GET / HTTP/1.1\r\nHost: a\r\nConnection: foo,,CLOSE , bar\r\nExpect: 100-continuex\r\n"
        "\r\n";
    head_ok(1, s, "connection tokens", &m);
    is_int(m.flags, H1_F_VER_11 | H1_F_HOST | H1_F_CONN_CLOSE, "only close, no Expect");
}

static void test_response_ok(void)
{
    const char *s = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nHost: a\r\nHost: b\r\n"
                    "Expect: 100-continue\r\n\r\n";
    struct h1_msg m;

    head_ok(0, s, "response", &m);
    is_int(m.status, 200, "status");
    ok(span_is(s, m.reason, m.reason_len, "OK"), "reason");
    is_int(m.flags, H1_F_VER_11 | H1_F_CLEN, "Host and Expect mean nothing in responses");
    is_int(m.nhdrs, 4, "headers");

    s = "HTTP/1.0 404 \r\n\r\n";
    head_ok(0, s, "empty reason", &m);
    is_int(m.status, 404, "404");
    is_int(m.reason_len, 0, "reason empty");
    is_int(m.flags, 0, "1.0");

    s = "HTTP/1.1 200\r\n\r\n";
    head_ok(0, s, "no SP before an empty reason", &m);
    is_int(m.status, 200, "200");
    is_int(m.reason_len, 0, "no reason");

    s = "HTTP/1.1 999 Odd\t reason \x80\xff\nTransfer-Encoding: gzip, chunked\n\n";
    head_ok(0, s, "odd reason", &m);
    ok(span_is(s, m.reason, m.reason_len, "Odd\t reason \x80\xff"), "reason kept as is");
    is_int(m.flags, H1_F_VER_11 | H1_F_CHUNKED, "chunked response");

    s = "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\n";
    head_ok(0, s, "101", &m);
    is_int(m.flags, H1_F_VER_11 | H1_F_CONN_UPG | H1_F_UPGRADE, "upgrade flags");
}

static void test_request_bad(void)
{
    /* request line */
    REQ_BAD("G(T / HTTP/1.1\r\n", 1, "method", "non-token in method");
    REQ_BAD(" GET / HTTP/1.1\r\n", 0, "method", "empty method");
    REQ_BAD("GET\t/ HTTP/1.1\r\n", 3, "method", "HTAB after method");
    REQ_BAD("GET  / HTTP/1.1\r\n", 4, "more than one space", "two spaces after the method");
    REQ_BAD("GET /a\x7f HTTP/1.1\r\n", 6, "request-target", "DEL in target");
    REQ_BAD("GET /\xc3\xa9 HTTP/1.1\r\n", 5, "request-target", "8-bit target");
    REQ_BAD("GET /\r\n\r\n", 5, "missing HTTP version", "HTTP/0.9");
    REQ_BAD("GET / HTTP/1.1 \r\n", 14, "after the HTTP version", "SP after version");
    REQ_BAD("GET /  HTTP/1.1\r\n", 6, "invalid HTTP version", "two spaces after target");
    REQ_BAD("GET / http/1.1\r\n", 6, "invalid HTTP version", "lower-case version");
    REQ_BAD("GET / HTTP/1.x\r\n", 13, "invalid HTTP version", "non-digit minor");
    REQ_BAD_VER("GET / HTTP/2.0\r\nHost: a\r\n\r\n", 6, "unsupported HTTP version", "HTTP/2.0");
    REQ_BAD_VER("GET / HTTP/1.2\r\n", 6, "unsupported HTTP version", "HTTP/1.2");
    REQ_BAD_VER("GET / HTTP/0.9\r\n", 6, "unsupported HTTP version", "HTTP/0.9 version");
    REQ_BAD("GET / HTTP/1.10\r\n", 14, "after the HTTP version", "HTTP/1.10");
    REQ_BAD_CR("GET / HTTP/1.1\rX\n", 14, "CR not followed by LF", "bare CR ending request line");
    REQ_BAD("\r\n\r\n\r\n\r\n\r\nGET / HTTP/1.1\r\n", 8, "too many empty lines",
            "five leading empty lines");

    /* header syntax */
    REQ_BAD("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n", 25, "obs-fold", "obs-fold SP");
    REQ_BAD("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n", 31, "obs-fold", "obs-fold HTAB");
    REQ_BAD("GET / HTTP/1.1\r\n Host: a\r\n\r\n", 16, "obs-fold", "SP before first header");
    REQ_BAD("GET / HTTP/1.1\r\nHost : a\r\n\r\n", 20, "whitespace before the colon",
            "space before colon");
    REQ_BAD("GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 20, "whitespace before the colon",
            "HTAB before colon");
    REQ_BAD("GET / HTTP/1.1\r\n: a\r\n\r\n", 16, "header name", "empty name");
    REQ_BAD("GET / HTTP/1.1\r\nHo(st: a\r\n\r\n", 18, "header name", "non-token in name");
    REQ_BAD("GET / HTTP/1.1\r\nHost\r\n\r\n", 20, "header name", "no colon");
    REQ_BAD("GET / HTTP/1.1\r\nX-\xc3\xa9: a\r\n\r\n", 18, "header name", "8-bit name");
    REQ_BAD_CR("GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 23, "CR not followed by LF",
               "bare CR in value");
    REQ_BAD_CR("GET / HTTP/1.1\r\nHost: a\r\r\n\r\n", 23, "CR not followed by LF", "CR CR LF");
    REQ_BAD_CR("GET / HTTP/1.1\r\nHost: a\r\n\rx", 25, "CR not followed by LF",
               "bare CR in the blank line");
    REQ_BAD("GET / HTTP/1.1\r\nX: a\x01\x62\r\nHost: a\r\n\r\n", 20, "header value",
            "CTL in value");
    REQ_BAD("GET / HTTP/1.1\r\nX: a\x7f\r\n\r\n", 20, "header value", "DEL in value");
    REQ_BAD("GET / HTTP/1.1\r\nX: \x0b\r\n\r\n", 19, "header value", "VT in value");

    /* NUL bytes cannot be in string literals' middle with strlen(): build them */
    {
        static const char nul[] = "GET / HTTP/1.1\r\nX: a\0b\r\nHost: a\r\n\r\n";
        static const char nul_name[] = "GET / HTTP/1.1\r\nX\0: a\r\n\r\n";
        static const char nul_first[] = "\0GET / HTTP/1.1\r\n";
        struct h1_msg m;
        int rc;

        rc = parse(1, nul, sizeof(nul) - 1, MAX_HDRS, &m);
        ok(rc == -1 && m.err_pos == 20 && strstr(m.err_msg, "NUL"), "NUL in value refused");
        rc = parse(1, nul, 21, MAX_HDRS, &m);
        ok(rc == -1 && m.err_pos == 20, "NUL in value refused as soon as it arrives");
        rc = parse(1, nul_name, sizeof(nul_name) - 1, MAX_HDRS, &m);
        ok(rc == -1 && m.err_pos == 17 && strstr(m.err_msg, "header name"),
           "NUL in name refused");
        rc = parse(1, nul_first, 1, MAX_HDRS, &m);
        ok(rc == -1 && m.err_pos == 0 && strstr(m.err_msg, "method"), "NUL first refused");
    }

    /* Host */
    REQ_BAD_LATE("GET / HTTP/1.1\r\nX: a\r\n\r\n", 22, "missing Host", "HTTP/1.1 without Host");
    REQ_BAD_LATE("GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", 25, "more than one Host",
                 "two Host headers");
    REQ_BAD_LATE("GET / HTTP/1.0\r\nHost: a\r\nHOST: b\r\n\r\n", 25, "more than one Host",
                 "two Host headers in HTTP/1.0");

    /* Content-Length */
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
                 61, "differing Content-Length", "differing Content-Length headers");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\n", 45,
                 "differing Content-Length", "differing values in a list");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5,\r\n\r\n", 44,
                 "invalid Content-Length", "trailing comma");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nContent-Length:\r\n\r\n", 41,
                 "invalid Content-Length", "empty Content-Length");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 42,
                 "invalid Content-Length", "negative Content-Length");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1 2\r\n\r\n", 44,
                 "invalid Content-Length", "two numbers without a comma");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x10\r\n\r\n", 43,
                 "invalid Content-Length", "hex Content-Length");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +1\r\n\r\n", 42,
                 "invalid Content-Length", "signed Content-Length");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 4611686018427387905\r\n\r\n", 60,
                 "too large", "Content-Length 2^62 + 1");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                 60, "too large", "Content-Length beyond 2^64");

    /* Transfer-Encoding */
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n",
                 45, "both Content-Length and Transfer-Encoding", "CL then TE");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                 "Content-Length: 5\r\n\r\n",
                 54, "both Content-Length and Transfer-Encoding", "TE then CL");
    /* a request carries no coding but chunked (sluice decodes no other; HAProxy: 422) */
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", 54,
                 "other than chunked", "chunked, gzip");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                 "Transfer-Encoding: gzip\r\n\r\n",
                 73, "other than chunked", "chunked then gzip over two headers");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n", 45,
                 "other than chunked", "gzip alone in a request");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", 45,
                 "other than chunked", "gzip, chunked in a request");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n"
                 "Transfer-Encoding: chunked\r\n\r\n",
                 45, "other than chunked", "identity then chunked over two headers");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\r\n\r\n", 26,
                 "does not end with chunked", "empty Transfer-Encoding");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n", 54,
                 "more than once", "chunked twice in a list");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
                 "Transfer-Encoding: Chunked\r\n\r\n",
                 73, "more than once", "chunked twice over two headers");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n", 45,
                 "other than chunked", "xchunked");
    REQ_BAD_LATE("POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked;a=b\r\n\r\n", 45,
                 "other than chunked", "chunked with a parameter");
    REQ_BAD_LATE("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 17, "HTTP/1.0",
                 "TE in HTTP/1.0");
}

static void test_response_bad(void)
{
    RESP_BAD("HTTP/1.1 20 OK\r\n\r\n", 11, "status", "two-digit status");
    RESP_BAD("HTTP/1.1 2000 OK\r\n\r\n", 12, "status", "four-digit status");
    RESP_BAD("HTTP/1.1 099 OK\r\n\r\n", 9, "status", "status below 100");
    RESP_BAD("HTTP/1.1 2x0 OK\r\n\r\n", 10, "status", "non-digit status");
    RESP_BAD("HTTP/1.1  200 OK\r\n\r\n", 9, "status", "two spaces before status");
    RESP_BAD("HTTP/1.1\t200 OK\r\n\r\n", 8, "after the HTTP version", "HTAB after version");
    RESP_BAD("HTTP/2 200 OK\r\n\r\n", 6, "invalid HTTP version", "HTTP/2");
    RESP_BAD_VER("HTTP/3.0 200 OK\r\n\r\n", 0, "unsupported HTTP version", "HTTP/3.0");
    RESP_BAD("\r\nHTTP/1.1 200 OK\r\n\r\n", 0, "invalid HTTP version", "empty line first");
    RESP_BAD("HTTP/1.1 200 O\x01K\r\n\r\n", 14, "reason", "CTL in reason");
    RESP_BAD_CR("HTTP/1.1 200 OK\rX\r\n\r\n", 15, "CR not followed by LF", "bare CR in reason");
    RESP_BAD("HTTP/1.1 200 OK\r\nX: a\r\n b\r\n\r\n", 23, "obs-fold", "obs-fold in response");
    RESP_BAD_LATE("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 52,
                  "differing", "differing CL in response");
    RESP_BAD_LATE("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
                  45, "both", "TE and CL in response");
    RESP_BAD_LATE("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", 17,
                  "does not end with chunked", "gzip alone in a response");
    RESP_BAD_LATE("HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", 17, "HTTP/1.0",
                  "TE in an HTTP/1.0 response");
}

static void test_limits(void)
{
    const char *s = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n";
    struct h1_msg m;
    int rc;

    rc = parse(1, s, strlen(s), 3, &m);
    is_int(rc, strlen(s), "exactly max_hdrs headers fit");
    rc = parse(1, s, strlen(s), 2, &m);
    ok(rc == -2 && m.err_pos == 31 && strstr(m.err_msg, "too many headers"),
       "max_hdrs + 1 headers: -2 at the extra line (%d, %u)", rc, m.err_pos);
    rc = parse(1, s, 33, 2, &m);
    is_int(rc, -2, "too many headers reported as soon as the line starts");
    rc = parse(1, "GET / HTTP/1.0\r\n\r\n", 18, 0, &m);
    is_int(rc, 18, "no headers with max_hdrs 0");
    m = (struct h1_msg){ .hdrs = NULL, .max_hdrs = 0 };
    rc = h1_parse_request("GET / HTTP/1.0\r\nA: b\r\n\r\n", 24, &m);
    is_int(rc, -2, "a header with max_hdrs 0 and no array");
    rc = parse(0, "", 0, MAX_HDRS, &m);
    is_int(rc, 0, "empty response buffer");
    rc = parse(1, "", 0, MAX_HDRS, &m);
    is_int(rc, 0, "empty request buffer");
}

static void test_find(void)
{
    const char *s = "GET / HTTP/1.1\r\nHost: a\r\nX-A: 1\r\nx-a: 2\r\nX-AB: 3\r\n\r\n";
    struct h1_msg m;
    int i;

    is_int(parse(1, s, strlen(s), MAX_HDRS, &m), strlen(s), "parsed");
    is_int(h1_hdr_find(s, &m, "host", 0), 0, "find host");
    is_int(h1_hdr_find(s, &m, "HOST", 1), -1, "find host from 1");
    i = h1_hdr_find(s, &m, "x-a", 0);
    is_int(i, 1, "first X-A");
    i = h1_hdr_find(s, &m, "x-a", i + 1);
    is_int(i, 2, "second X-A");
    is_int(h1_hdr_find(s, &m, "x-a", i + 1), -1, "no third X-A");
    is_int(h1_hdr_find(s, &m, "X-AB", -5), 3, "negative from");
    is_int(h1_hdr_find(s, &m, "X", 0), -1, "prefix is not a match");
    is_int(h1_hdr_find(s, &m, "x-abc", 0), -1, "longer is not a match");
    is_int(h1_hdr_find(s, &m, "host", 99), -1, "from past the end");

    ok(h1_ieq("Chunked", 7, "chunked"), "ieq case");
    ok(h1_ieq("", 0, ""), "ieq empty");
    ok(!h1_ieq("chunke", 6, "chunked"), "ieq shorter");
    ok(!h1_ieq("chunkedx", 8, "chunked"), "ieq longer");
    ok(h1_ieq("chunkedx", 7, "chunked"), "ieq counts only n bytes");
    ok(!h1_ieq("@", 1, "`"), "ieq only folds letters");
    ok(!h1_ieq("[", 1, "{"), "ieq [ is not {");
    ok(h1_ieq("K\xc3\xa9", 3, "k\xc3\xa9"), "ieq 8-bit bytes compared exactly");
}

/* ---- chunked bodies ---- */

#define MAX_TRL 64

static long scan_once(const char *s, size_t len, uint32_t max_trl, struct h1_chunk *c)
{
    *c = (struct h1_chunk){ 0 };
    return h1_chunk_scan(c, s, len, max_trl);
}

/* Feeds s in pieces cut at the offsets in cuts[] (sorted), like bytes arriving one read at a
 * time. Returns what a one-shot scan would: -1 or the bytes of the body. */
static long scan_split(const char *s, size_t len, const size_t *cuts, int ncuts,
                       uint32_t max_trl, struct h1_chunk *c)
{
    size_t from = 0, to;
    long total = 0, rc;
    int i;

    *c = (struct h1_chunk){ 0 };
    for (i = 0; i <= ncuts; i++) {
        to = i < ncuts ? cuts[i] : len;
        rc = h1_chunk_scan(c, s + from, to - from, max_trl);
        if (rc < 0)
            return -1;
        total += rc;
        if (c->state == H1_CHK_DONE)
            return total;
        if ((size_t)rc != to - from)
            return -2; /* fewer bytes than given without being done: contract broken */
        from = to;
    }
    return total;
}

static int chunk_same(const struct h1_chunk *a, const struct h1_chunk *b)
{
    return a->state == b->state && a->left == b->left && a->size == b->size &&
           a->ndigits == b->ndigits && a->last == b->last && a->trl_len == b->trl_len &&
           a->ext_len == b->ext_len &&
           (a->err_msg && b->err_msg ? !strcmp(a->err_msg, b->err_msg) : a->err_msg == b->err_msg);
}

/* Scans s in one call, then split at every boundary into two and into three pieces and one
 * byte at a time: every way must agree with the one-shot result. */
static void chunk_case(const char *s, size_t len, long want, enum h1_chunk_state st,
                       const char *msg, const char *desc)
{
    struct h1_chunk one, c;
    size_t cuts[2], i, j;
    size_t *bytes;
    long rc;
    int bad = 0;

    rc = scan_once(s, len, MAX_TRL, &one);
    ok(rc == want && (rc < 0 || one.state == st), "%s: one shot = %ld (got %ld, state %d, %s)",
       desc, want, rc, one.state, one.err_msg ? one.err_msg : "no error");
    if (msg)
        ok(one.err_msg && strstr(one.err_msg, msg), "%s: error '%s' (got '%s')", desc, msg,
           one.err_msg ? one.err_msg : "");
    for (i = 0; i <= len && !bad; i++) {
        cuts[0] = i;
        if (scan_split(s, len, cuts, 1, MAX_TRL, &c) != rc || !chunk_same(&c, &one))
            bad = 1;
        for (j = i; j <= len && !bad; j++) {
            cuts[1] = j;
            if (scan_split(s, len, cuts, 2, MAX_TRL, &c) != rc || !chunk_same(&c, &one))
                bad = 2;
        }
    }
    ok(!bad, "%s: same result split in %d pieces at every boundary (first cut %zu)", desc,
       bad + 1, i ? i - 1 : 0);

    bytes = malloc((len ? len : 1) * sizeof(*bytes));
    for (i = 0; i < len; i++)
        bytes[i] = i;
    ok(scan_split(s, len, bytes, (int)len, MAX_TRL, &c) == rc && chunk_same(&c, &one),
       "%s: same result byte by byte", desc);
    free(bytes);
}

#define CHUNK_OK(s, desc) chunk_case(s, strlen(s), (long)strlen(s), H1_CHK_DONE, NULL, desc)
#define CHUNK_BAD(s, msg, desc) chunk_case(s, strlen(s), -1, 0, msg, desc)

static void test_chunks(void)
{
    static const char body[] = "5\r\nhello\r\n1A;name=value;q=\"x y\"\r\n"
                               "abcdefghijklmnopqrstuvwxyz\r\n"
                               "000a\r\n0123456789\r\n0\r\n\r\n";
    static const char next[] = "3\r\nabc\r\n0\r\n\r\nGET / HTTP/1.1\r\n";
    struct h1_chunk c;
    long rc;

    CHUNK_OK(body, "valid chunked body");
    CHUNK_OK("0\r\n\r\n", "last chunk only");
    CHUNK_OK("000\r\n\r\n", "last chunk with leading zeros");
    CHUNK_OK("A\r\n0123456789\r\nb\r\n0123456789a\r\n0\r\n\r\n", "upper and lower case hex");
    CHUNK_OK("2;a\r\nab\r\n2;a=b;c;d=\"\"\r\nab\r\n0;last\r\n\r\n", "extensions");
    CHUNK_OK("2;n=\"a \\\" \\\\ \t\x80\\\xff;=\"\r\nab\r\n0\r\n\r\n",
             "quoted-string extension: SP, HTAB, obs-text, quoted-pairs, ';' and '='");
    CHUNK_OK("2;!#$%&'*+-.^_`|~09AZaz=!#$%&'*+-.^_`|~\r\nab\r\n0\r\n\r\n", "tchar extension");
    CHUNK_OK("1\r\n\r\r\n0\r\n\r\n", "data may hold any byte");
    CHUNK_OK("1\r\n\n\r\n0\r\n\r\n", "data may hold a LF");
    chunk_case("00000007fffffff\r\n", 17, 17, H1_CHK_DATA, NULL, "15 hex digits");
    chunk_case("000000007fffffff\r\n", 18, 18, H1_CHK_DATA, NULL, "16 hex digits, zeros first");
    CHUNK_OK("0000000000000001\r\nx\r\n0\r\n\r\n", "16 digits with leading zeros");
    CHUNK_OK("1\r\nx\r\n0\r\nX-Sum: abc\r\nY:\r\nZ: a \x80 b\r\n\r\n", "trailers");
    CHUNK_OK("1\r\nx\r\n0\r\nContent-Lengths: 1\r\nHostx: a\r\nHos: a\r\n"
             "Transfer-Encoding-X: a\r\n\r\n", "trailers named like framing fields");
    /* framing and routing fields in trailers (RFC 9110 6.5.1): a server merging trailers
     * into the head would act on what the rules never saw */
    CHUNK_BAD("0\r\nContent-Length: 5\r\n\r\n", "framing or routing", "Content-Length trailer");
    CHUNK_BAD("0\r\nX: a\r\ntransfer-encoding: chunked\r\n\r\n", "framing or routing",
              "Transfer-Encoding trailer");
    CHUNK_BAD("0\r\nHOST: b\r\n\r\n", "framing or routing", "Host trailer");
    CHUNK_BAD("0\r\nConnection: close\r\n\r\n", "framing or routing", "Connection trailer");
    CHUNK_BAD("0\r\nTrailer: x\r\n\r\n", "framing or routing", "Trailer trailer");
    chunk_case(next, strlen(next), 13, H1_CHK_DONE, NULL, "stops after the final CRLF");
    chunk_case("4\r\nab", 5, 5, H1_CHK_DATA, NULL, "inside data");
    chunk_case("0\r\nX: y\r", 8, 8, H1_CHK_TRL_LF, NULL, "inside trailers");
    chunk_case("1;a=\"x", 6, 6, H1_CHK_EXT_QS, NULL, "inside a quoted extension");
    chunk_case("", 0, 0, H1_CHK_SIZE, NULL, "nothing");

    rc = scan_once("7fffffff\r\n", 10, 0, &c);
    ok(rc == 10 && c.left == 0x7fffffffULL && c.state == H1_CHK_DATA, "size 2^31 - 1");

    CHUNK_BAD("\r\n", "empty chunk size", "empty size");
    CHUNK_BAD(";ext\r\n", "chunk size", "extension without a size");
    CHUNK_BAD("g\r\n", "chunk size", "non-hex size");
    CHUNK_BAD("5g\r\nhello\r\n", "chunk size", "non-hex after digits");
    CHUNK_BAD("-1\r\n", "chunk size", "negative size");
    CHUNK_BAD("+1\r\nx\r\n", "chunk size", "plus sign");
    CHUNK_BAD("0x5\r\nhello\r\n", "chunk size", "0x prefix");
    CHUNK_BAD(" 5\r\nhello\r\n", "chunk size", "leading SP");
    CHUNK_BAD("5 5\r\nhello\r\n", "whitespace after chunk size", "digits after SP");
    /* 2^31 and more: as HAProxy; a server keeping sizes in 32 bits would read 0x100000005
     * as 5 (sluice forwards size lines as they are) */
    CHUNK_BAD("80000000\r\n", "too large", "2^31");
    CHUNK_BAD("100000005\r\nhello\r\n", "too large", "2^32 + 5");
    CHUNK_BAD("0000000080000000\r\n", "too large", "2^31 with leading zeros");
    CHUNK_BAD("1000000000000000\r\n", "too large", "16 hex digits: 2^60");
    CHUNK_BAD("ffffffffffffffff\r\n", "too large", "16 hex digits: 2^64 - 1");
    CHUNK_BAD("10000000000000005\r\n", "too large", "17 hex digits: 2^64 + 5 wraps to 5");
    CHUNK_BAD("00000000000000001\r\n", "too large", "17 digits with leading zeros");
    CHUNK_BAD("5\rhello\r\n", "CR not followed by LF", "bare CR after size");
    CHUNK_BAD("5\x01\r\nhello\r\n", "chunk size", "CTL after size");

    /* leniencies that were accepted and forwarded as they were: a server reading them
     * another way is desynchronised */
    CHUNK_BAD("0\n\n", "bare LF", "bare LF everywhere");
    CHUNK_BAD("3\nabc\r\n0\r\n\r\n", "bare LF in chunk size line", "bare LF after size");
    CHUNK_BAD("3\r\nabc\n0\r\n\r\n", "bare LF after chunk data", "bare LF after data");
    CHUNK_BAD("3;a\nabc\r\n0\r\n\r\n", "bare LF in chunk size line", "bare LF after ext");
    CHUNK_BAD("3;a=b\nabc\r\n0\r\n\r\n", "bare LF in chunk size line", "bare LF after value");
    CHUNK_BAD("3;a=\"b\"\nabc\r\n0\r\n\r\n", "bare LF in chunk size line",
              "bare LF after a quoted value");
    CHUNK_BAD("3;\nabc\r\n0\r\n\r\n", "bare LF in chunk size line", "bare LF after ';'");
    CHUNK_BAD("0\nX: y\r\n\r\n", "bare LF in chunk size line", "bare LF after the last chunk");
    CHUNK_BAD("0\r\nX: y\n\r\n", "bare LF in trailer", "bare LF after a trailer");
    CHUNK_BAD("0\r\nX\n\r\n", "bare LF in trailer", "bare LF in a trailer name");
    CHUNK_BAD("0\r\n\n", "bare LF ending the chunked body", "bare LF as the final line");
    CHUNK_BAD("0\r\nX: y\r\n\n", "bare LF ending the chunked body", "bare LF after trailers");
    CHUNK_BAD("5 \r\nhello\r\n0\r\n\r\n", "whitespace after chunk size", "SP after the size");
    CHUNK_BAD("5\t\r\nhello\r\n0\r\n\r\n", "whitespace after chunk size", "HTAB after size");
    CHUNK_BAD("0 \r\n\r\n", "whitespace after chunk size", "SP after the last chunk size");
    CHUNK_BAD("5 ;a\r\nhello\r\n0\r\n\r\n", "whitespace after chunk size", "BWS before ';'");
    CHUNK_BAD("5; a\r\nhello\r\n0\r\n\r\n", "whitespace in chunk extension", "BWS after ';'");
    CHUNK_BAD("5;a =b\r\nhello\r\n", "whitespace in chunk extension", "BWS before '='");
    CHUNK_BAD("5;a= b\r\nhello\r\n", "whitespace in chunk extension", "BWS after '='");
    CHUNK_BAD("5;a=b \r\nhello\r\n", "whitespace in chunk extension", "SP after a value");
    CHUNK_BAD("5;a \r\nhello\r\n", "whitespace in chunk extension", "SP after a name");
    CHUNK_BAD("5;a=\"b\" \r\nhello\r\n", "after quoted", "SP after a quoted value");

    /* extensions: only ;name[=token|quoted-string] */
    CHUNK_BAD("2;\xff\t\x80\r\nab\r\n0\r\n\r\n", "extension", "obs-text in an extension name");
    CHUNK_BAD("5;a\x01\r\nhello\r\n", "extension", "CTL in extension");
    CHUNK_BAD("5;a\x7f\r\nhello\r\n", "extension", "DEL in extension");
    chunk_case("5;a\0\r\n", 6, -1, 0, "extension", "NUL in extension");
    CHUNK_BAD("5;a\rb\r\nhello\r\n", "CR not followed by LF", "bare CR in extension");
    CHUNK_BAD("5;\r\nhello\r\n", "extension", "empty extension");
    CHUNK_BAD("5;;a\r\nhello\r\n", "extension", "empty extension between ';'");
    CHUNK_BAD("5;=b\r\nhello\r\n", "extension", "extension without a name");
    CHUNK_BAD("5;a=\r\nhello\r\n", "extension", "'=' without a value");
    CHUNK_BAD("5;a=b=c\r\nhello\r\n", "extension", "two '='");
    CHUNK_BAD("5;a=b\"c\"\r\nhello\r\n", "extension", "quote inside a token");
    CHUNK_BAD("5;a=\"b\"c\r\nhello\r\n", "after quoted", "token after a quoted value");
    CHUNK_BAD("5;a=\"b\r\nhello\r\n", "unterminated quoted", "CR inside a quoted value");
    CHUNK_BAD("5;a=\"b\n\"\r\nhello\r\n", "unterminated quoted", "LF inside a quoted value");
    CHUNK_BAD("5;a=\"b\\\r\nhello\r\n", "extension", "quoted-pair of a CR");
    CHUNK_BAD("5;a=\"\x01\"\r\nhello\r\n", "extension", "CTL in a quoted value");
    CHUNK_BAD("5;a\"b\"\r\nhello\r\n", "extension", "quote in a name");

    CHUNK_BAD("5\r\nhelloX\r\n0\r\n\r\n", "missing CRLF after chunk data", "data too long");
    CHUNK_BAD("5\r\nhello\rX0\r\n\r\n", "missing CRLF after chunk data", "CR then garbage");
    CHUNK_BAD("5\r\nhello0\r\n\r\n", "missing CRLF after chunk data", "no CRLF after data");
    CHUNK_BAD("0\r\n\rX", "CR not followed by LF", "bare CR in final line");
    CHUNK_BAD("0\r\n folded\r\n\r\n", "obs-fold", "obs-fold in trailers");
    CHUNK_BAD("0\r\nX : y\r\n\r\n", "whitespace before the colon", "SP before colon in trailer");
    CHUNK_BAD("0\r\nX\r\n\r\n", "trailer name", "trailer without a colon");
    CHUNK_BAD("0\r\n:y\r\n\r\n", "trailer name", "empty trailer name");
    CHUNK_BAD("0\r\nX: a\x01\r\n\r\n", "trailer value", "CTL in trailer value");
    CHUNK_BAD("0\r\nX: a\rb\r\n\r\n", "CR not followed by LF", "bare CR in trailer");

    /* extension size bound, per size line: ";a=0123456789" is 13 bytes */
    rc = scan_once("1;a=0123456789\r\nx\r\n1;a=0123456789\r\n", 35, 13, &c);
    ok(rc == 35 && c.state == H1_CHK_DATA && c.ext_len == 0, "extensions at the bound (%ld)",
       rc);
    rc = scan_once("1;a=0123456789\r\n", 16, 12, &c);
    ok(rc == -1 && c.err_msg && strstr(c.err_msg, "chunk extensions too large"),
       "extensions over the bound");

    /* trailer size bound: "X: 0123456789\r\n" is 15 bytes */
    rc = scan_once("0\r\nX: 0123456789\r\n\r\n", 20, 15, &c);
    ok(rc == 20 && c.state == H1_CHK_DONE && c.trl_len == 15, "trailers at the bound (%ld)",
       rc);
    rc = scan_once("0\r\nX: 0123456789\r\n\r\n", 20, 14, &c);
    ok(rc == -1 && c.err_msg && strstr(c.err_msg, "trailers too large"),
       "trailers over the bound");
    rc = scan_once("0\r\nX: 1\r\n\r\n", 11, 0, &c);
    ok(rc == -1 && c.err_msg && strstr(c.err_msg, "trailers too large"), "no trailers allowed");
    rc = scan_once("0\r\n\r\n", 5, 0, &c);
    is_int(rc, 5, "max_trailers 0 allows the final CRLF");

    /* sticky error and done state */
    rc = scan_once("x", 1, 0, &c);
    rc = h1_chunk_scan(&c, "0\r\n\r\n", 5, 0);
    is_int(rc, -1, "an error is sticky");
    rc = scan_once("0\r\n\r\n", 5, 0, &c);
    rc = h1_chunk_scan(&c, "1\r\n", 3, 0);
    ok(rc == 0 && c.state == H1_CHK_DONE, "nothing more is taken once done");
}

int main(void)
{
    test_request_ok();
    test_response_ok();
    test_request_bad();
    test_response_bad();
    test_limits();
    test_find();
    test_chunks();
    return done_testing();
}
