/* Responses sluice writes itself: HAProxy's default error pages and "errorfile". */
#ifndef SLUICE_CORE_HTTP_ERR_H
#define SLUICE_CORE_HTTP_ERR_H

#include <stdint.h>

struct proxy;

/* Returns the full response (status line, headers, body) to send for status, as px (or its
 * defaults) configured it with errorfile, else HAProxy's default text. *len gets its size.
 * Unknown statuses get the 500 page. */
const char *http_err_msg(const struct proxy *px, int status, uint32_t *len);

/* Returns the reason phrase HAProxy uses for status ("Service Unavailable"), or "Unknown". */
const char *http_reason(int status);

#endif
