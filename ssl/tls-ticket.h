/* Session ticket keys shared by every worker (made and rotated by the master). */
#ifndef SLUICE_SSL_TLS_TICKET_H
#define SLUICE_SSL_TLS_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "cfg-t.h"

struct ssl_ctx_st; /* BoringSSL's SSL_CTX: this header is also read without its headers */

/* Installs the shared-key ticket callback on a context. */
void tls_tickets_setup(struct ssl_ctx_st *ctx);

/* tls-ticket-keys <file>: reads and checks the file now. Returns 0 or -1 with *err. */
int tls_tickets_set_file(const char *path, const struct cfg_where *w, char **err);

/* Master: adds a new encrypting key, keeping the previous two for decryption. */
void tls_tickets_rotate(void);

/* Worker: refreshes this worker's copy of the keys if the shared ones changed (keeping the
 * previous copy when no whole copy can be made) and gives the name of the key that
 * encrypts. Returns 0, or -1 when this worker has no keys. */
int tls_tickets_current(uint8_t name[16]);

/* For the unit tests: the keys live at p (tls_tickets_area_size() bytes of shared memory,
 * zeroed) instead of the shared memory region. */
void tls_tickets_use_area(void *p);
size_t tls_tickets_area_size(void);

#endif
