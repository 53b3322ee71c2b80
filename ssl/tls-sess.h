/* The TLS session cache shared by every worker (tune.ssl.cachesize, tune.ssl.lifetime). */
#ifndef SLUICE_SSL_TLS_SESS_H
#define SLUICE_SSL_TLS_SESS_H

#include <stddef.h>
#include <stdint.h>

#include "tls-slot-t.h"

struct ssl_ctx_st; /* BoringSSL's SSL_CTX: this header is also read without its headers */

/* Session lifetime, and the shared cache (or none with tune.ssl.cachesize 0), on a
 * listening context. */
void tls_sess_setup(struct ssl_ctx_st *ctx);

/* The raw cache under the callbacks (and for the unit tests). */

/* Maps the shared arrays for `entries` small slots (0: no cache). Master, before forking.
 * Returns 0, or -1 (logged) when the memory cannot be mapped. */
int tls_sess_map(long long entries);

/* Stores a serialized session (len bytes at most 4096) under its ID, with its expiry (unix
 * time). Returns 0, or -1 when it is not cached (no cache, too large, or another live writer
 * holds its slot). */
int tls_sess_store(const uint8_t *id, size_t id_len, const uint8_t *data, size_t len,
                   uint64_t expire);

/* Copies the session stored under id into data (4096 bytes). Returns its length, or -1 for
 * a miss (absent, expired, being written or left by a writer that died). */
int tls_sess_lookup(const uint8_t *id, size_t id_len, uint8_t *data);

/* The claim guarding the slot id goes to (large: the array of large slots), NULL without a
 * cache. For the unit tests, which play a writer that dies mid-write. */
struct tls_slot_lock *tls_sess_slot_lock(const uint8_t *id, size_t id_len, int large);

#endif
