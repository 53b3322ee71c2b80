/* Responses sluice writes itself: HAProxy's default error pages and "errorfile". */
#ifndef SLUICE_CORE_HTTP_ERR_H
#define SLUICE_CORE_HTTP_ERR_H

#include <stdint.h>

struct proxy;

/* Returns the full response (status line, headers, body) to send for status: the errorfile
 * of px (the backend), else of fe (the frontend), else HAProxy's default text. *len gets its
 * size. Unknown statuses get the 500 page. */
const char *http_err_msg(const struct proxy *px, const struct proxy *fe, int status,
                         uint32_t *len);

/* 1 when status has an error page (and may be used with deny_status or errorfile). */
int http_err_has_page(int status);

/* Returns the reason phrase HAProxy uses for status ("Service Unavailable"), or "Unknown". */
const char *http_reason(int status);

#endif
