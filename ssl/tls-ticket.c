/* Session tickets that resume on any worker: the master makes the ticket keys, keeps them in
 * shared memory and rotates them (tune.ssl.ticket-rotate, 12 hours by default; the newest key
 * encrypts, the two before it still decrypt, and a ticket opened with an older key is
 * renewed). Keys may instead come from a file (tls-ticket-keys, HAProxy's format) to share
 * them across a fleet; then the file's order decides and nothing rotates automatically.
 *
 * The shared area is written by the master only, under a writer claim (tls-slot.c); workers
 * copy the keys when the claim word changed (one atomic load per handshake otherwise), into
 * scratch memory first: a copy that is not whole (the master writing, or killed writing) is
 * thrown away and the worker keeps the keys it had, trying again at the next handshake. A
 * master that finds the claim of a predecessor that died mid-write takes it over and starts
 * the keys afresh. */
#include "tls-ticket.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/base64.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>

#include "cfg.h"
#include "log.h"
#include "loop.h"
#include "mworker.h"
#include "parse.h"
#include "shm.h"
#include "str.h"
#include "tls-slot.h"

#define TKEYS_MAX 8        /* keys kept in shared memory */
#define TKEYS_LIVE 3       /* keys accepted for decryption when rotating */

struct tkey {
    uint8_t name[16];      /* key name sent in the ticket */
    uint8_t aes[32];       /* AES key (16 or 32 bytes used) */
    uint8_t hmac[32];      /* HMAC-SHA256 key (16 or 32 bytes used) */
    uint32_t aes_len;      /* 16 (aes128) or 32 (aes256) */
};

struct tkeys {
    struct tls_slot_lock lock; /* writer claim (the master's), checked by readers */
    uint32_t nkeys;        /* keys valid for decryption (TKEYS_MAX at most) */
    uint32_t enc;          /* index of the key that encrypts (below nkeys) */
    struct tkey keys[TKEYS_MAX];
};

_Static_assert(sizeof(struct tkeys) <= SHM_TLS_AREA, "ticket keys do not fit in shm");

static int rotate_ms = 12 * 3600 * 1000; /* tune.ssl.ticket-rotate */
static char *keys_file;                  /* tls-ticket-keys */
static struct cfg_where keys_file_where;
static ev_timer rotate_timer;
static struct tkeys local;               /* this worker's copy (valid when local_ok) */
static uint64_t local_word;              /* claim word the copy was made under */
static int local_ok;                     /* a whole copy was made */

static struct tkeys *area;               /* tls_tickets_use_area(), else shm->tls */

static struct tkeys *shared(void)
{
    return area ? area : (struct tkeys *)shm->tls;
}

void tls_tickets_use_area(void *p)
{
    area = p;
}

size_t tls_tickets_area_size(void)
{
    return sizeof(struct tkeys);
}

/* ---- master ------------------------------------------------------------------------------ */

/* Claims the area. Returns 0 (1 when a dead writer's claim was taken over: the content is
 * then garbage and is emptied), or -1 when a live process holds it (never expected: only the
 * master writes). */
static int write_begin(struct tkeys *k, uint64_t *claim)
{
    int rc = tls_slot_claim(&k->lock, claim);

    if (rc > 0) {
        k->nkeys = 0;
        k->enc = 0;
    }
    return rc;
}

static void write_end(struct tkeys *k, uint64_t claim)
{
    tls_slot_release(&k->lock, claim);
}

static void new_key(struct tkey *t)
{
    RAND_bytes(t->name, sizeof(t->name));
    RAND_bytes(t->aes, sizeof(t->aes));
    RAND_bytes(t->hmac, sizeof(t->hmac));
    t->aes_len = 32;
}

void tls_tickets_rotate(void)
{
    struct tkeys *k = shared();
    uint64_t claim;

    if (write_begin(k, &claim) < 0) {
        log_warning("TLS ticket keys: the shared area is held by another live process; keys "
                    "not rotated");
        return;
    }
    if (k->nkeys > TKEYS_MAX || k->enc >= TKEYS_MAX)
        k->nkeys = 0; /* never trust what is in shared memory to index with */
    /* keep the TKEYS_LIVE - 1 newest keys and add a new one that encrypts */
    if (k->nkeys >= TKEYS_LIVE) {
        memmove(&k->keys[0], &k->keys[k->nkeys - (TKEYS_LIVE - 1)],
                sizeof(struct tkey) * (TKEYS_LIVE - 1));
        k->nkeys = TKEYS_LIVE - 1;
    }
    new_key(&k->keys[k->nkeys]);
    k->enc = k->nkeys;
    k->nkeys++;
    write_end(k, claim);
}

static void rotate_cb(struct ev_loop *l, ev_timer *w, int revents)
{
    tls_tickets_rotate();
    log_notice("TLS ticket keys rotated (next rotation in %d.%03ds)", rotate_ms / 1000,
               rotate_ms % 1000);
}

/* HAProxy's file: one base64 key per line, 48 bytes (name, aes128, hmac128) or 80 bytes
 * (name, aes256, hmac256); the penultimate key encrypts, the last three decrypt. */
static int load_keys_file(struct tkeys *k, char **err)
{
    FILE *f = fopen(keys_file, "r");
    char line[512];
    struct tkey all[64];
    int n = 0, len0 = 0, lineno = 0;
    uint64_t claim;

    if (!f)
        return str_printf(err, "cannot open '%s': %s", keys_file, strerror(errno));
    while (fgets(line, sizeof(line), f)) {
        uint8_t raw[128];
        size_t rl = 0, ll = strcspn(line, "\r\n");

        lineno++;
        line[ll] = 0;
        if (!ll || line[0] == '#')
            continue;
        if (!EVP_DecodeBase64(raw, &rl, sizeof(raw), (const uint8_t *)line, ll) ||
            (rl != 48 && rl != 80)) {
            fclose(f);
            return str_printf(err, "'%s': line %d is not a base64 key of 48 or 80 bytes",
                              keys_file, lineno);
        }
        if (!len0)
            len0 = (int)rl;
        if ((int)rl != len0) {
            fclose(f);
            return str_printf(err, "'%s': aes128 and aes256 keys cannot be mixed", keys_file);
        }
        if (n == 64) {
            fclose(f);
            return str_printf(err, "'%s': too many keys (64 at most)", keys_file);
        }
        memset(&all[n], 0, sizeof(all[n]));
        memcpy(all[n].name, raw, 16);
        all[n].aes_len = rl == 80 ? 32 : 16;
        memcpy(all[n].aes, raw + 16, all[n].aes_len);
        memcpy(all[n].hmac, raw + 16 + all[n].aes_len, all[n].aes_len);
        n++;
    }
    fclose(f);
    if (n < TKEYS_LIVE)
        return str_printf(err, "'%s' holds %d key%s; %d at least are needed", keys_file, n,
                          n == 1 ? "" : "s", TKEYS_LIVE);
    if (write_begin(k, &claim) < 0)
        return str_printf(err, "the shared ticket key area is held by another live process");
    memcpy(k->keys, &all[n - TKEYS_LIVE], sizeof(struct tkey) * TKEYS_LIVE);
    k->nkeys = TKEYS_LIVE;
    k->enc = TKEYS_LIVE - 2;
    write_end(k, claim);
    return 0;
}

static void tickets_master_start(void)
{
    struct tkeys *k = shared();
    char *err = NULL;

    if (keys_file) {
        if (load_keys_file(k, &err) < 0) {
            /* checked at load time already; a file that changed since is fatal too */
            log_alert("tls-ticket-keys: %s", err);
            exit(1);
        }
        return;
    }
    for (int i = 0; i < TKEYS_LIVE; i++)
        tls_tickets_rotate();
    ev_timer_init(&rotate_timer, rotate_cb, rotate_ms / 1000.0, rotate_ms / 1000.0);
    ev_timer_start(loop, &rotate_timer);
}

static void tickets_child_init(void)
{
    ev_timer_stop(loop, &rotate_timer);
}

/* ---- workers ----------------------------------------------------------------------------- */

/* Refreshes the local copy when the master changed the keys: a whole copy, made in scratch
 * memory, replaces it; anything else (the master writing for all the tries, or killed while
 * writing, or a copy that does not hold together) leaves the previous keys in use. Returns 0
 * when keys exist. */
static int refresh(void)
{
    static struct tkeys tmp; /* one thread per worker */
    struct tkeys *k = shared();
    uint64_t w = tls_slot_read_begin(&k->lock);

    if (local_ok && w == local_word)
        return local.nkeys ? 0 : -1;
    if (tls_slot_copy(&k->lock, &tmp, k, sizeof(tmp), 100, &w) == 0 &&
        tmp.nkeys <= TKEYS_MAX && (!tmp.nkeys || tmp.enc < tmp.nkeys)) {
        memcpy(&local, &tmp, sizeof(local));
        local_word = w;
        local_ok = 1;
    }
    return local_ok && local.nkeys ? 0 : -1;
}

int tls_tickets_current(uint8_t name[16])
{
    if (refresh() < 0)
        return -1;
    memcpy(name, local.keys[local.enc].name, 16);
    return 0;
}

static int ticket_cb(SSL *ssl, uint8_t *key_name, uint8_t *iv, EVP_CIPHER_CTX *ctx,
                     HMAC_CTX *hctx, int enc)
{
    const struct tkey *t;

    if (refresh() < 0)
        return enc ? -1 : 0;
    if (enc) {
        t = &local.keys[local.enc];
        memcpy(key_name, t->name, 16);
        RAND_bytes(iv, 16);
        if (!EVP_EncryptInit_ex(ctx, t->aes_len == 32 ? EVP_aes_256_cbc() : EVP_aes_128_cbc(),
                                NULL, t->aes, iv) ||
            !HMAC_Init_ex(hctx, t->hmac, t->aes_len, EVP_sha256(), NULL))
            return -1;
        return 1;
    }
    for (uint32_t i = 0; i < local.nkeys; i++) {
        t = &local.keys[i];
        if (memcmp(key_name, t->name, 16))
            continue;
        if (!HMAC_Init_ex(hctx, t->hmac, t->aes_len, EVP_sha256(), NULL) ||
            !EVP_DecryptInit_ex(ctx, t->aes_len == 32 ? EVP_aes_256_cbc() : EVP_aes_128_cbc(),
                                NULL, t->aes, iv))
            return -1;
        /* opened with an older key: the client gets a ticket under the current one */
        return i == local.enc ? 1 : 2;
    }
    return 0; /* unknown key: full handshake */
}

void tls_tickets_setup(SSL_CTX *ctx)
{
    SSL_CTX_set_tlsext_ticket_key_cb(ctx, ticket_cb);
}

/* ---- configuration ----------------------------------------------------------------------- */

int tls_tickets_set_file(const char *path, const struct cfg_where *w, char **err)
{
    if (keys_file && strcmp(keys_file, path))
        return str_printf(err, "one tls-ticket-keys file is supported; '%s' is already used "
                               "(%s:%d)", keys_file, keys_file_where.file, keys_file_where.line);
    if (!keys_file) {
        struct tkeys scratch = {0};

        keys_file = str_dup(path);
        keys_file_where = *w;
        /* read it now: a bad file is a configuration error, not a failure at start */
        if (load_keys_file(&scratch, err) < 0) {
            free(keys_file);
            keys_file = NULL;
            return -1;
        }
    }
    return 0;
}

static int kw_rotate(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                     char **err)
{
    int ms;

    if (parse_time_min(args[1], 1000, &ms, err) < 0)
        return -1;
    rotate_ms = ms;
    return 0;
}

static struct cfg_kw ticket_kws[] = {
    {.name = "tune.ssl.ticket-rotate", .sections = "global", .min_args = 1, .max_args = 1,
     .parse = kw_rotate, .usage = "tune.ssl.ticket-rotate <time>"},
    {0},
};

static void tickets_register(void)
{
    cfg_register_keywords(ticket_kws);
    mw_register_master_start(tickets_master_start);
    mw_register_child_init(tickets_child_init);
}
INITCALL(tickets_register)
