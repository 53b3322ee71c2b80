/* The HTTP/1.x parser (RFC 9112): strict, in place, allocation-free.
 *
 * Return contract of h1_parse_request()/h1_parse_response():
 *   > 0  the head is complete; the value is its length (== m->head_len), blank line included;
 *     0  the head is incomplete: call again with more bytes (same buffer start);
 *    -1  the head is malformed: m->err_pos and m->err_msg tell where and why;
 *    -2  a limit was hit (more than m->max_hdrs headers): m->err_msg tells which.
 * Lines end with CRLF; in a head a bare LF is accepted as a line end (RFC 9112 section 2.2:
 * heads are rebuilt before they are forwarded), never in chunk framing (forwarded as it is,
 * see h1_chunk_scan()); a bare CR anywhere is an error. Everything that enables request
 * smuggling is refused: both Content-Length and Transfer-Encoding, differing Content-Length
 * values, a Transfer-Encoding whose last coding is not chunked (or chunked twice, or any
 * Transfer-Encoding in HTTP/1.0), obs-fold continuation lines, whitespace before the colon,
 * NUL/CTL bytes in names or values, non-token bytes in names or methods, an HTTP/1.1 request
 * without exactly one Host header.
 */
#ifndef SLUICE_CORE_H1_H
#define SLUICE_CORE_H1_H

#include <stddef.h>

#include "h1-t.h"

int h1_parse_request(const char *buf, uint32_t len, struct h1_msg *m);
int h1_parse_response(const char *buf, uint32_t len, struct h1_msg *m);

/* Scans len bytes of a chunked body (chunk sizes, extensions, data, CRLFs, trailers),
 * continuing from the state in c. Returns the number of bytes that belong to the body
 * (<= len; fewer than len only when the body ends inside buf, c->state == H1_CHK_DONE),
 * or -1 when the encoding is invalid (c->err_msg; the error is sticky).
 * The framing is checked strictly because callers forward it byte for byte: a server reading
 * it must see the same chunks. Accepted: chunk-size = 1*16HEXDIG (leading zeros included)
 * below 2^31, extensions `;name` or `;name=token` or `;name="quoted-string"` (RFC 9110 5.6.4)
 * repeated, at most max_trailers bytes per line, CRLF after the size line and after the data,
 * trailer field lines (token name, colon, field-value) ending with CRLF, at most max_trailers
 * bytes in all, then CRLF. Refused: any bare LF or bare CR in the framing, whitespace after
 * the size or anywhere in the extensions (BWS, which a sender MUST NOT generate), CTL bytes,
 * an overflowing size, obs-fold or whitespace before the colon in trailers, framing and
 * routing fields (Content-Length, Transfer-Encoding, Host, Connection, Trailer) in trailers. */
long h1_chunk_scan(struct h1_chunk *c, const char *buf, size_t len, uint32_t max_trailers);

/* Index of the first header named `name` (case-insensitive) at or after index `from`,
 * or -1. */
int h1_hdr_find(const char *buf, const struct h1_msg *m, const char *name, int from);

/* Returns 1 when the n bytes at s equal the NUL-terminated lit, ignoring ASCII case. */
int h1_ieq(const char *s, uint32_t n, const char *lit);

#endif
