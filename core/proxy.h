/* Proxies: the defaults/frontend/backend/listen sections and their common keywords. */
#ifndef SLUICE_CORE_PROXY_H
#define SLUICE_CORE_PROXY_H

#include "proxy-t.h"

/* All frontend/backend/listen proxies in declaration order (defaults are not listed). */
extern struct proxy *proxies;

/* Returns the proxy with that name having at least one of the capabilities in cap, or NULL. */
struct proxy *px_find(const char *name, unsigned cap);

/* Returns "tcp" or "http". */
const char *px_mode_str(enum px_mode mode);

#endif
