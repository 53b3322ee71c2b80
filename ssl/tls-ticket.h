/* Session ticket keys shared by every worker (made and rotated by the master). */
#ifndef SLUICE_SSL_TLS_TICKET_H
#define SLUICE_SSL_TLS_TICKET_H

#include <openssl/ssl.h>

#include "cfg-t.h"

/* Installs the shared-key ticket callback on a context. */
void tls_tickets_setup(SSL_CTX *ctx);

/* tls-ticket-keys <file>: reads and checks the file now. Returns 0 or -1 with *err. */
int tls_tickets_set_file(const char *path, const struct cfg_where *w, char **err);

/* Master: adds a new encrypting key, keeping the previous two for decryption. */
void tls_tickets_rotate(void);

#endif
