/* The TLS session cache shared by every worker, for TLS 1.2 clients that resume by session
 * ID rather than with a ticket (with SO_REUSEPORT their next connection usually lands on
 * another worker). HAProxy's tune.ssl.cachesize (entries, 20000 by default, 0 disables the
 * cache) and tune.ssl.lifetime (300 s by default, also the lifetime of tickets).
 *
 * The master maps the arrays of fixed-size slots (MAP_SHARED) before forking; a session goes
 * to the slot its (random) ID hashes to, replacing what was there. Each slot is guarded by a
 * writer claim (tls-slot.c): a writer takes the slot with one compare-and-swap (or gives up
 * when a live writer holds it), copies, and releases it; a reader copies and keeps the copy
 * only if no writer touched the slot meanwhile. Nothing waits and nothing blocks. A worker
 * killed in the middle of a write leaves its claim, with its pid: the next writer of that
 * slot sees the process is gone and takes the slot over; until then, readers take the slot
 * for a miss, never a half-written session.
 *
 * "show info" reports SslCacheLookups and SslCacheMisses, as HAProxy does.
 *
 * Two arrays: small slots (512 bytes of session, most sessions) and, for sessions that
 * carry a client certificate chain, one large slot (4 kB) per 16 small ones. A session
 * larger than that is not cached: that client makes a full handshake next time. */
#include "tls-sess.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include <openssl/mem.h>
#include <openssl/ssl.h>

#include "cfg.h"
#include "log.h"
#include "mworker.h"
#include "parse.h"
#include "stats.h"
#include "str.h"
#include "tls-slot.h"

#define SESS_SMALL 512    /* serialized session bytes a small slot holds */
#define SESS_LARGE 4096   /* ... and a large one */
#define SESS_LARGE_RATIO 16 /* small slots per large one */

struct sess_slot {
    struct tls_slot_lock lock; /* writer claim, checked by readers (tls-slot.c) */
    uint16_t id_len;       /* 0: empty */
    uint16_t len;          /* bytes of data */
    uint64_t expire;       /* unix time after which the session is useless */
    uint8_t id[SSL_MAX_SSL_SESSION_ID_LENGTH];
    uint8_t data[];        /* SESS_SMALL or SESS_LARGE bytes */
};

/* One array of slots of one size, in the shared mapping. */
struct sess_table {
    char *base;            /* first slot */
    size_t stride;         /* bytes from one slot to the next */
    uint64_t count;        /* slots */
    uint32_t data_max;     /* session bytes a slot holds */
};

/* counters, in the mapping after the slots */
struct sess_stats {
    uint64_t lookups;      /* sessions asked for by ID */
    uint64_t misses;       /* not found (or expired, or being written) */
    uint64_t stored;       /* sessions written */
    uint64_t too_big;      /* sessions too large for a slot, not cached */
};

static long long cache_size = 20000; /* tune.ssl.cachesize */
static int lifetime_s = 300;         /* tune.ssl.lifetime */
static struct sess_table tabs[2];    /* small and large slots; base NULL: no cache */
static struct sess_stats *stats;

static struct sess_slot *slot_of(const struct sess_table *t, const uint8_t *id, size_t len)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a: IDs are random, any mix will do */

    for (size_t i = 0; i < len; i++)
        h = (h ^ id[i]) * 1099511628211ULL;
    return (struct sess_slot *)(t->base + (h % t->count) * t->stride);
}

int tls_sess_store(const uint8_t *id, size_t id_len, const uint8_t *data, size_t len,
                   uint64_t expire)
{
    struct sess_slot *s;
    uint64_t claim;

    if (!tabs[0].base || !id_len || id_len > SSL_MAX_SSL_SESSION_ID_LENGTH || len > SESS_LARGE)
        return -1;
    s = slot_of(&tabs[len > SESS_SMALL], id, id_len);
    if (tls_slot_claim(&s->lock, &claim) < 0)
        return -1; /* another worker is writing this slot: this session is not cached */
    s->id_len = (uint16_t)id_len;
    memcpy(s->id, id, id_len);
    s->len = (uint16_t)len;
    memcpy(s->data, data, len);
    s->expire = expire;
    tls_slot_release(&s->lock, claim);
    return 0;
}

static int new_cb(SSL *ssl, SSL_SESSION *sess)
{
    unsigned id_len;
    const uint8_t *id = SSL_SESSION_get_id(sess, &id_len);
    uint8_t *der = NULL;
    size_t len = 0;

    if (!id_len || !SSL_SESSION_to_bytes(sess, &der, &len))
        return 0;
    if (len > SESS_LARGE) {
        __atomic_add_fetch(&stats->too_big, 1, __ATOMIC_RELAXED);
        OPENSSL_free(der);
        return 0;
    }
    if (tls_sess_store(id, id_len, der, len,
                       (uint64_t)time(NULL) + SSL_SESSION_get_timeout(sess)) == 0)
        __atomic_add_fetch(&stats->stored, 1, __ATOMIC_RELAXED);
    OPENSSL_free(der);
    return 0; /* serialized: BoringSSL keeps its reference */
}

/* Copies the session stored under id in table t into data (SESS_LARGE bytes). Returns its
 * length, or -1 when the slot holds another session, an expired one, or one being written
 * (or whose writer died): never a copy a writer touched. */
static int slot_read(const struct sess_table *t, const uint8_t *id, int id_len, uint8_t *data)
{
    struct sess_slot *s = slot_of(t, id, (size_t)id_len);
    uint64_t w = tls_slot_read_begin(&s->lock);
    uint16_t len;
    int match;

    if (tls_slot_busy(w))
        return -1;
    match = s->id_len == (uint16_t)id_len && !memcmp(s->id, id, (size_t)id_len) &&
            s->expire > (uint64_t)time(NULL);
    len = s->len;
    if (match && len <= t->data_max)
        memcpy(data, s->data, len);
    return match && len <= t->data_max && tls_slot_read_ok(&s->lock, w) ? len : -1;
}

int tls_sess_lookup(const uint8_t *id, size_t id_len, uint8_t *data)
{
    int len;

    if (!tabs[0].base || !id_len || id_len > SSL_MAX_SSL_SESSION_ID_LENGTH)
        return -1;
    len = slot_read(&tabs[0], id, (int)id_len, data);
    return len >= 0 ? len : slot_read(&tabs[1], id, (int)id_len, data);
}

struct tls_slot_lock *tls_sess_slot_lock(const uint8_t *id, size_t id_len, int large)
{
    return tabs[0].base ? &slot_of(&tabs[large != 0], id, id_len)->lock : NULL;
}

static SSL_SESSION *get_cb(SSL *ssl, const uint8_t *id, int id_len, int *out_copy)
{
    static uint8_t data[SESS_LARGE]; /* one thread per worker */
    int len;

    *out_copy = 0; /* the session returned is a new one: its reference is the caller's */
    __atomic_add_fetch(&stats->lookups, 1, __ATOMIC_RELAXED);
    len = id_len > 0 ? tls_sess_lookup(id, (size_t)id_len, data) : -1;
    if (len < 0) {
        __atomic_add_fetch(&stats->misses, 1, __ATOMIC_RELAXED);
        return NULL;
    }
    return SSL_SESSION_from_bytes(data, (size_t)len, SSL_get_SSL_CTX(ssl));
}

static void remove_cb(SSL_CTX *ctx, SSL_SESSION *sess)
{
    unsigned id_len;
    const uint8_t *id = SSL_SESSION_get_id(sess, &id_len);
    struct sess_slot *s;
    uint64_t claim;
    int rc;

    if (!id_len)
        return;
    for (int t = 0; t < 2; t++) {
        s = slot_of(&tabs[t], id, id_len);
        rc = tls_slot_claim(&s->lock, &claim);
        if (rc < 0)
            continue;
        /* a slot taken over from a dead writer holds garbage: empty it */
        if (rc > 0 || (s->id_len == id_len && !memcmp(s->id, id, id_len)))
            s->id_len = 0;
        tls_slot_release(&s->lock, claim);
    }
}

void tls_sess_setup(SSL_CTX *ctx)
{
    SSL_CTX_set_timeout(ctx, (uint32_t)lifetime_s);
    SSL_CTX_set_session_psk_dhe_timeout(ctx, (uint32_t)lifetime_s);
    if (!cache_size) {
        SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
        return;
    }
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_SERVER | SSL_SESS_CACHE_NO_INTERNAL);
    SSL_CTX_sess_set_new_cb(ctx, new_cb);
    SSL_CTX_sess_set_get_cb(ctx, get_cb);
    SSL_CTX_sess_set_remove_cb(ctx, remove_cb);
}

static void sess_info(struct strbuf *out)
{
    strbuf_printf(out, "SslCacheSize: %lld\nSslCacheLookups: %llu\nSslCacheMisses: %llu\n",
                  tabs[0].base ? cache_size : 0,
                  stats ? (unsigned long long)__atomic_load_n(&stats->lookups, __ATOMIC_RELAXED) : 0,
                  stats ? (unsigned long long)__atomic_load_n(&stats->misses, __ATOMIC_RELAXED) : 0);
}

static size_t stride_of(uint32_t data_max)
{
    return (sizeof(struct sess_slot) + data_max + 7) & ~(size_t)7;
}

int tls_sess_map(long long entries)
{
    uint64_t nlarge = (uint64_t)entries / SESS_LARGE_RATIO;
    size_t small, large, size;
    char *p;

    cache_size = entries;
    if (!cache_size)
        return 0;
    if (nlarge < 1)
        nlarge = 1;
    small = stride_of(SESS_SMALL) * (size_t)cache_size;
    large = stride_of(SESS_LARGE) * (size_t)nlarge;
    size = small + large + sizeof(struct sess_stats);
    p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        log_alert("tune.ssl.cachesize %lld: cannot map %zu bytes of shared memory",
                  cache_size, size);
        return -1;
    }
    tabs[0] = (struct sess_table){p, stride_of(SESS_SMALL), (uint64_t)cache_size, SESS_SMALL};
    tabs[1] = (struct sess_table){p + small, stride_of(SESS_LARGE), nlarge, SESS_LARGE};
    stats = (struct sess_stats *)(p + small + large);
    return 0;
}

/* Master, before the first fork: the shared arrays and counters. */
static void sess_master_start(void)
{
    if (tls_sess_map(cache_size) < 0)
        exit(1);
}

/* ---- configuration ----------------------------------------------------------------------- */

static int kw_cachesize(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                        char **err)
{
    return parse_int(args[1], 0, 10000000, &cache_size, err) < 0 ? -1 : 0;
}

static int kw_lifetime(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                       char **err)
{
    long long sec;
    int ms;

    /* as in HAProxy, a number without a unit is in seconds */
    if (args[1][0] && strspn(args[1], "0123456789") == strlen(args[1])) {
        if (parse_int(args[1], 1, 86400 * 7, &sec, err) < 0)
            return -1;
        lifetime_s = (int)sec;
        return 0;
    }
    if (parse_time_min(args[1], 1000, &ms, err) < 0)
        return -1;
    lifetime_s = ms / 1000;
    return 0;
}

static struct cfg_kw sess_kws[] = {
    {.name = "tune.ssl.cachesize", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_cachesize, .usage = "tune.ssl.cachesize <entries>"},
    {.name = "tune.ssl.lifetime", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_lifetime, .usage = "tune.ssl.lifetime <time>"},
    {0},
};

static void sess_register(void)
{
    cfg_register_keywords(sess_kws);
    mw_register_master_start(sess_master_start);
    stats_register_info(sess_info);
}
INITCALL(sess_register)
