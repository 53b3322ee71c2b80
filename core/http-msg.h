/* HTTP heads as editable header lists: built from the parser's offsets, edited by rules,
 * written once into the outgoing head. */
#ifndef SLUICE_CORE_HTTP_MSG_H
#define SLUICE_CORE_HTTP_MSG_H

#include "h1-t.h"
#include "http-t.h"

/* Room for headers added by rules beyond those received. */
#define HTTP_EXTRA_HDRS 32

/* Fills m from a parsed head. The head bytes are copied into arena a first (so m outlives
 * the receive buffer); slots for the received headers plus HTTP_EXTRA_HDRS are allocated in
 * a. Returns 0, or -1 when out of memory. */
int http_msg_init(struct http_msg *m, const char *buf, const struct h1_msg *h1, int request,
                  struct arena *a);

/* Returns the index of the first live header named n (case-insensitive) at or after from,
 * or -1. */
int http_hdr_find(const struct http_msg *m, const char *n, uint32_t nl, int from);

/* Appends a header (strings must live as long as the transaction). Returns 0, or -1 when
 * every slot is used (the caller answers 500/502, as HAProxy does on a failed rewrite). */
int http_hdr_add(struct http_msg *m, const char *n, uint32_t nl, const char *v, uint32_t vl);

/* Deletes every header named n. Returns how many were deleted. */
int http_hdr_del(struct http_msg *m, const char *n, uint32_t nl);

/* Deletes every header named n then adds one with value v. Returns 0 or -1. */
int http_hdr_set(struct http_msg *m, const char *n, uint32_t nl, const char *v, uint32_t vl);

/* Returns 1 when the comma-separated value list of header n contains token tok. */
int http_hdr_has_token(const struct http_msg *m, const char *n, const char *tok);

/* Writes the head (start line, live headers, blank line) into arena a. Returns the head and
 * its length in *len, or NULL when out of memory. */
char *http_msg_build(const struct http_msg *m, int request, struct arena *a, uint32_t *len);

/* Path part of a request URI (between the authority and '?'), and query (after '?', without
 * it). For "*" or an authority-form target the path is the whole target. */
void http_uri_parts(const char *uri, uint32_t len, const char **path, uint32_t *plen,
                    const char **query, uint32_t *qlen);

#endif
