/* The HTTP/1.1 engine: drives a stream in mode http (parse, rules, server selection and
 * reuse, body streaming, keep-alive, errors, logs). */
#ifndef SLUICE_CORE_HTTP_H
#define SLUICE_CORE_HTTP_H

#include <stdint.h>

#include "stream-t.h"

/* A new client connection in mode http: waits for the first request. */
void http_start(struct stream *s);
/* Readiness on the client or server connection, and the stream's timer. */
void http_cli_io(struct stream *s, int revents);
void http_srv_io(struct stream *s, int revents);
void http_timer(struct stream *s);
/* The stream is being freed: logs an unfinished transaction, releases the server side. */
void http_end(struct stream *s);
/* 1 when the request being connected may take an idle connection (http-reuse). */
int http_may_reuse(const struct stream *s);

/* Answers the current request with a response sluice builds: `raw` is a whole HTTP/1.x
 * response (status line, headers, body) living at least until the transaction ends. The
 * server side is released; http-after-response rules run on it. */
void http_answer_raw(struct stream *s, const char *raw, uint32_t len);
/* Answers with the proxy's page for status (errorfile or HAProxy's default). */
void http_answer_status(struct stream *s, int status);

#endif
