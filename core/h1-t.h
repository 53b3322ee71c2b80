/* Types of the HTTP/1.x parser (RFC 9112), which works in place on a connection's buffer
 * and records offsets: nothing is copied or allocated. */
#ifndef SLUICE_CORE_H1_T_H
#define SLUICE_CORE_H1_T_H

#include <stdint.h>

/* One header line: offsets are relative to the start of the parsed buffer. The value has
 * its leading and trailing whitespace (OWS) removed. */
struct h1_hdr {
    uint32_t name;        /* offset of the field name */
    uint32_t name_len;    /* its length (never 0) */
    uint32_t value;       /* offset of the field value */
    uint32_t value_len;   /* its length (may be 0) */
};

/* Message flags */
#define H1_F_CLEN        0x0001 /* a valid Content-Length is present (body_len) */
#define H1_F_CHUNKED     0x0002 /* Transfer-Encoding ends with chunked */
#define H1_F_CONN_CLOSE  0x0004 /* Connection: close */
#define H1_F_CONN_KA     0x0008 /* Connection: keep-alive */
#define H1_F_CONN_UPG    0x0010 /* Connection: upgrade */
#define H1_F_UPGRADE     0x0020 /* an Upgrade header is present */
#define H1_F_HOST        0x0080 /* a Host header is present (requests) */
#define H1_F_VER_11      0x0100 /* HTTP/1.1 (else HTTP/1.0) */

/* A parsed request or response head. The caller provides hdrs[max_hdrs]. */
struct h1_msg {
    /* request line (requests) */
    uint32_t meth, meth_len;       /* method */
    uint32_t uri, uri_len;         /* request-target */
    /* status line (responses) */
    int status;                    /* 100..999 */
    uint32_t reason, reason_len;   /* reason phrase (may be empty) */
    /* both */
    uint32_t head_len;             /* bytes of the head, the blank line included */
    uint64_t body_len;             /* Content-Length value when H1_F_CLEN */
    unsigned flags;                /* H1_F_* */
    struct h1_hdr *hdrs;           /* caller's array */
    int max_hdrs;                  /* its size (tune.http.maxhdr) */
    int nhdrs;                     /* headers found */
    /* error report (return value < 0) */
    uint32_t err_pos;              /* offset of the offending byte */
    const char *err_msg;           /* static description */
};

/* Incremental chunked-body scanner states. The framing is checked strictly (see h1.h): sluice
 * forwards chunk lines as they are, so it accepts only what it would emit itself. */
enum h1_chunk_state {
    H1_CHK_SIZE = 0,    /* reading the chunk-size hex digits */
    H1_CHK_EXT_NAME0,   /* after ';': the first byte of a chunk-ext-name */
    H1_CHK_EXT_NAME,    /* inside a chunk-ext-name */
    H1_CHK_EXT_VAL0,    /* after '=': the first byte of a token or a quoted-string */
    H1_CHK_EXT_TOKEN,   /* inside a token chunk-ext-val */
    H1_CHK_EXT_QS,      /* inside a quoted-string chunk-ext-val */
    H1_CHK_EXT_QP,      /* after a backslash in a quoted-string */
    H1_CHK_EXT_QEND,    /* after the closing quote: ';' or the CR ending the line */
    H1_CHK_SIZE_LF,     /* CR seen after the size line, expecting LF */
    H1_CHK_DATA,        /* chunk data (left bytes remain) */
    H1_CHK_DATA_CR,     /* expecting the CR after chunk data */
    H1_CHK_DATA_LF,     /* expecting the LF after chunk data */
    H1_CHK_TRL_START,   /* at the start of a trailer line (or the final CRLF) */
    H1_CHK_TRL_LINE,    /* inside a trailer field line */
    H1_CHK_TRL_LF,      /* CR seen at the end of a trailer line, expecting LF */
    H1_CHK_END_LF,      /* CR of the final empty line seen, expecting LF */
    H1_CHK_DONE,        /* the whole body, trailers included, was scanned */
};

/* State of a chunked body being streamed through. Zero-initialise before the first call. */
struct h1_chunk {
    enum h1_chunk_state state;  /* where the scanner is */
    uint64_t left;              /* bytes of chunk data left in the current chunk */
    uint64_t size;              /* the chunk size being read */
    int ndigits;                /* hex digits read for the current size; in a trailer line,
                                 * 1 once the colon was seen */
    uint32_t ext_len;           /* bytes of extensions on the current size line (bounded) */
    int last;                   /* the current chunk is the last one (size 0) */
    uint32_t trl_len;           /* bytes of trailers seen (bounded) */
    unsigned char tname_len;    /* bytes of the current trailer name kept in tname (> size:
                                 * longer than any refused name) */
    char tname[18];             /* the current trailer name, lower case (refused names) */
    const char *err_msg;        /* static description when the scan fails */
};

#endif
