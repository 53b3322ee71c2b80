/* Certificates: PEM loading (leaf, chain, key, .key/.ocsp/.issuer companions as HAProxy
 * loads them), the strength checks done at load time, expiry warnings, and SNI names.
 *
 * Refused (configuration error): a key that does not match its certificate, RSA under 2048
 * bits, EC under 256 bits, a SHA-1 or MD5 signature on the leaf or an intermediate.
 * Warned (start-up continues): an expired certificate, one expiring within 30 days, a chain
 * that does not reach the leaf's issuer. */
#include "tls-cert.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/bytestring.h>
#include <openssl/err.h>
#include <openssl/mem.h>
#include <openssl/digest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "cfg.h"
#include "str.h"

#define EXPIRY_WARN_DAYS 30

struct tls_cert *tls_certs;

const char *tls_lib_error(void)
{
    static char buf[256];
    unsigned long e = ERR_get_error();

    ERR_clear_error();
    if (!e)
        return "unknown error";
    ERR_error_string_n(e, buf, sizeof(buf));
    return buf;
}

static int is_weak_sig(int nid)
{
    switch (nid) {
    case NID_sha1WithRSAEncryption:
    case NID_sha1WithRSA:
    case NID_ecdsa_with_SHA1:
    case NID_dsaWithSHA1:
    case NID_md5WithRSAEncryption:
    case NID_md5WithRSA:
    case NID_md4WithRSAEncryption:
    case NID_md2WithRSAEncryption:
        return 1;
    default:
        return 0;
    }
}

static char *name_line(const X509_NAME *n)
{
    char buf[512];

    X509_NAME_oneline(n, buf, sizeof(buf));
    return str_dup(buf);
}

static int self_signed(X509 *x)
{
    return X509_check_issued(x, x) == X509_V_OK;
}

/* DNS names: subjectAltName dNSName entries, else the subject's CN. */
static void collect_names(struct tls_cert *c)
{
    GENERAL_NAMES *sans = X509_get_ext_d2i(c->leaf, NID_subject_alt_name, NULL, NULL);
    char buf[256];

    if (sans) {
        for (size_t i = 0; i < sk_GENERAL_NAME_num(sans); i++) {
            const GENERAL_NAME *g = sk_GENERAL_NAME_value(sans, i);
            const unsigned char *d;
            int l;

            if (g->type != GEN_DNS)
                continue;
            d = ASN1_STRING_get0_data(g->d.dNSName);
            l = ASN1_STRING_length(g->d.dNSName);
            if (l <= 0 || l >= (int)sizeof(buf))
                continue;
            for (int k = 0; k < l; k++)
                buf[k] = (char)tolower(d[k]);
            buf[l] = 0;
            c->names = realloc(c->names, sizeof(char *) * (size_t)(c->nnames + 1));
            c->names[c->nnames++] = str_dup(buf);
        }
        GENERAL_NAMES_free(sans);
    }
    if (!c->nnames &&
        X509_NAME_get_text_by_NID(X509_get_subject_name(c->leaf), NID_commonName, buf,
                                  sizeof(buf)) > 0) {
        for (char *p = buf; *p; p++)
            *p = (char)tolower((unsigned char)*p);
        c->names = malloc(sizeof(char *));
        c->names[c->nnames++] = str_dup(buf);
    }
}

/* Reads a whole small file; NULL when absent. */
static uint8_t *read_small(const char *path, size_t max, size_t *len, char **err)
{
    FILE *f = fopen(path, "rb");
    uint8_t *data;
    long sz;

    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    sz = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (sz <= 0 || (size_t)sz > max) {
        fclose(f);
        str_printf(err, "'%s' is %s", path, sz <= 0 ? "empty" : "too large");
        return NULL;
    }
    data = str_zalloc((size_t)sz);
    if (fread(data, 1, (size_t)sz, f) != (size_t)sz) {
        fclose(f);
        free(data);
        str_printf(err, "cannot read '%s'", path);
        return NULL;
    }
    fclose(f);
    *len = (size_t)sz;
    return data;
}

static EVP_PKEY *read_key(const char *path)
{
    BIO *b = BIO_new_file(path, "r");
    EVP_PKEY *k;

    if (!b)
        return NULL;
    k = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
    BIO_free(b);
    ERR_clear_error();
    return k;
}

/* Strength checks: every failure is a refusal. */
static int check_strength(struct tls_cert *c, char **err)
{
    int nid;

    c->key_type = EVP_PKEY_id(c->key);
    c->key_bits = EVP_PKEY_bits(c->key);
    if (c->key_type == EVP_PKEY_RSA && c->key_bits < 2048)
        return str_printf(err, "'%s': RSA key of %d bits refused (2048 at least)", c->path,
                          c->key_bits);
    if (c->key_type == EVP_PKEY_EC && c->key_bits < 256)
        return str_printf(err, "'%s': EC key of %d bits refused (256 at least)", c->path,
                          c->key_bits);
    if (c->key_type != EVP_PKEY_RSA && c->key_type != EVP_PKEY_EC &&
        c->key_type != EVP_PKEY_ED25519)
        return str_printf(err, "'%s': unsupported key type (RSA, EC or Ed25519 expected)",
                          c->path);
    if (!X509_check_private_key(c->leaf, c->key))
        return str_printf(err, "'%s': the private key does not match the certificate",
                          c->path);
    nid = X509_get_signature_nid(c->leaf);
    if (is_weak_sig(nid))
        return str_printf(err, "'%s': certificate signed with %s refused (weak digest)",
                          c->path, OBJ_nid2sn(nid));
    for (size_t i = 0; i < sk_X509_num(c->chain); i++) {
        X509 *x = sk_X509_value(c->chain, i);

        /* A root in the file is a trust anchor: its own signature does not matter. */
        if (self_signed(x))
            continue;
        nid = X509_get_signature_nid(x);
        if (is_weak_sig(nid)) {
            char *sub = name_line(X509_get_subject_name(x));

            str_printf(err, "'%s': intermediate '%s' signed with %s refused (weak digest)",
                       c->path, sub, OBJ_nid2sn(nid));
            free(sub);
            return -1;
        }
    }
    return 0;
}

/* Warnings: expiry and chain completeness. */
/* ---- OCSP responses -------------------------------------------------------------------- */

#define OCSP_SKEW 300 /* seconds of clock skew tolerated, as HAProxy's OCSP_MAX_RESPONSE_TIME_SKEW */

/* A GeneralizedTime ("YYYYMMDDHHMMSS[.fff]Z") as a time_t; -1 when malformed. */
static time_t gen_time(const CBS *t)
{
    const uint8_t *d = CBS_data(t);
    size_t n = CBS_len(t), i;
    struct tm tm = {0};
    int v[6], w[6] = {4, 2, 2, 2, 2, 2}, off = 0;

    if (n < 15 || d[n - 1] != 'Z')
        return -1;
    for (i = 0; i < 6; i++) {
        v[i] = 0;
        for (int k = 0; k < w[i]; k++, off++) {
            if (!isdigit(d[off]))
                return -1;
            v[i] = v[i] * 10 + d[off] - '0';
        }
    }
    if ((size_t)off != n - 1 && d[off] != '.')
        return -1; /* only a fraction of a second may sit between the seconds and 'Z' */
    tm.tm_year = v[0] - 1900;
    tm.tm_mon = v[1] - 1;
    tm.tm_mday = v[2];
    tm.tm_hour = v[3];
    tm.tm_min = v[4];
    tm.tm_sec = v[5];
    return timegm(&tm);
}

/* The issuer of c's leaf among its chain certificates, or NULL (a leaf issued by a root
 * whose file has no chain). */
static X509 *issuer_of(const struct tls_cert *c)
{
    for (size_t i = 0; i < sk_X509_num(c->chain); i++) {
        X509 *x = sk_X509_value(c->chain, i);

        if (X509_check_issued(x, c->leaf) == X509_V_OK)
            return x;
    }
    return NULL;
}

/* Whether the CertID's issuerNameHash and issuerKeyHash (hash named by alg) are those of
 * the issuer of c. 1 when they are, or when the issuer is not known (then the serial number
 * alone identifies the certificate, as before); 0 when they differ. */
static int certid_issuer_ok(const struct tls_cert *c, const CBS *alg, const CBS *name_hash,
                            const CBS *key_hash)
{
    static const uint8_t sha1[] = {0x2b, 0x0e, 0x03, 0x02, 0x1a};
    static const uint8_t sha256[] = {0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01};
    X509 *iss = issuer_of(c);
    const EVP_MD *md = NULL;
    CBS a = *alg, oid;
    uint8_t h[EVP_MAX_MD_SIZE], *der = NULL;
    unsigned hl = 0;
    int dl, ok;
    const ASN1_BIT_STRING *key;

    if (!iss)
        return 1;
    if (!CBS_get_asn1(&a, &oid, CBS_ASN1_OBJECT))
        return 0;
    if (CBS_len(&oid) == sizeof(sha1) && !memcmp(CBS_data(&oid), sha1, sizeof(sha1)))
        md = EVP_sha1();
    else if (CBS_len(&oid) == sizeof(sha256) && !memcmp(CBS_data(&oid), sha256, sizeof(sha256)))
        md = EVP_sha256();
    if (!md)
        return 0;
    dl = i2d_X509_NAME(X509_get_subject_name(iss), &der);
    ok = dl > 0 && EVP_Digest(der, (size_t)dl, h, &hl, md, NULL) &&
         CBS_len(name_hash) == hl && !memcmp(CBS_data(name_hash), h, hl);
    OPENSSL_free(der);
    key = X509_get0_pubkey_bitstr(iss);
    ok = ok && key &&
         EVP_Digest(ASN1_STRING_get0_data(key), (size_t)ASN1_STRING_length(key), h, &hl, md,
                    NULL) &&
         CBS_len(key_hash) == hl && !memcmp(CBS_data(key_hash), h, hl);
    return ok;
}

/* The certificate the CertID names (serial number and issuer hashes): c itself, or any
 * loaded certificate when c is NULL. */
static struct tls_cert *cert_by_certid(const CBS *serial, const CBS *alg, const CBS *name_hash,
                                       const CBS *key_hash, struct tls_cert *c)
{
    const uint8_t *sd = CBS_data(serial);
    size_t sl = CBS_len(serial);

    /* DER integers may carry a leading zero byte that the ASN1_INTEGER does not */
    if (sl > 1 && sd[0] == 0) {
        sd++;
        sl--;
    }
    for (struct tls_cert *t = c ? c : tls_certs; t; t = c ? NULL : t->next) {
        const ASN1_INTEGER *ser = X509_get0_serialNumber(t->leaf);

        if ((size_t)ASN1_STRING_length(ser) == sl &&
            !memcmp(ASN1_STRING_get0_data(ser), sd, sl) &&
            certid_issuer_ok(t, alg, name_hash, key_hash))
            return t;
    }
    return NULL;
}

struct tls_cert *tls_ocsp_check(const uint8_t *der, size_t len, struct tls_cert *c,
                                const char **why, int *stale)
{
    static const uint8_t basic_oid[] = {0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01};
    CBS resp, bytes, rb, oid, octets, basic, tbs, responses, single, certid, serial, tmp;
    CBS alg, name_hash, key_hash;
    unsigned tag;
    time_t now = time(NULL), this_upd, next_upd = -1;
    struct tls_cert *found;

    *stale = 0;
    *why = "OCSP response: not a DER OCSP response";
    CBS_init(&tmp, der, len);
    if (!CBS_get_asn1(&tmp, &resp, CBS_ASN1_SEQUENCE) ||
        !CBS_get_asn1(&resp, &tmp, CBS_ASN1_ENUMERATED) || CBS_len(&tmp) != 1)
        return NULL;
    if (CBS_data(&tmp)[0] != 0) {
        *why = "OCSP response status not successful";
        return NULL;
    }
    if (!CBS_get_asn1(&resp, &bytes, CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) ||
        !CBS_get_asn1(&bytes, &rb, CBS_ASN1_SEQUENCE) ||
        !CBS_get_asn1(&rb, &oid, CBS_ASN1_OBJECT) ||
        !CBS_get_asn1(&rb, &octets, CBS_ASN1_OCTETSTRING))
        return NULL;
    if (CBS_len(&oid) != sizeof(basic_oid) || memcmp(CBS_data(&oid), basic_oid, sizeof(basic_oid))) {
        *why = "OCSP response: not a basic OCSP response";
        return NULL;
    }
    if (!CBS_get_asn1(&octets, &basic, CBS_ASN1_SEQUENCE) ||
        !CBS_get_asn1(&basic, &tbs, CBS_ASN1_SEQUENCE))
        return NULL;
    /* optional version [0], responderID ([1] or [2]), producedAt, responses */
    if (CBS_peek_asn1_tag(&tbs, CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) &&
        !CBS_get_asn1(&tbs, &tmp, CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0))
        return NULL;
    if (!CBS_get_any_asn1(&tbs, &tmp, NULL) ||                /* responderID */
        !CBS_get_asn1(&tbs, &tmp, CBS_ASN1_GENERALIZEDTIME) ||  /* producedAt */
        !CBS_get_asn1(&tbs, &responses, CBS_ASN1_SEQUENCE) ||
        !CBS_get_asn1(&responses, &single, CBS_ASN1_SEQUENCE) ||
        !CBS_get_asn1(&single, &certid, CBS_ASN1_SEQUENCE) ||
        !CBS_get_asn1(&certid, &alg, CBS_ASN1_SEQUENCE) ||      /* hashAlgorithm */
        !CBS_get_asn1(&certid, &name_hash, CBS_ASN1_OCTETSTRING) ||
        !CBS_get_asn1(&certid, &key_hash, CBS_ASN1_OCTETSTRING) ||
        !CBS_get_asn1(&certid, &serial, CBS_ASN1_INTEGER) ||
        !CBS_get_any_asn1(&single, &tmp, &tag) ||                /* certStatus */
        !CBS_get_asn1(&single, &tmp, CBS_ASN1_GENERALIZEDTIME) || /* thisUpdate */
        (this_upd = gen_time(&tmp)) < 0)
        return NULL;
    if (CBS_peek_asn1_tag(&single, CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0)) {
        CBS nu;

        if (!CBS_get_asn1(&single, &nu, CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 0) ||
            !CBS_get_asn1(&nu, &tmp, CBS_ASN1_GENERALIZEDTIME) || (next_upd = gen_time(&tmp)) < 0)
            return NULL;
    }
    if (CBS_len(&responses)) {
        *why = "OCSP response contains more than one SingleResponse";
        return NULL;
    }
    if (next_upd < 0) {
        *why = "OCSP single response: missing nextupdate";
        return NULL;
    }
    found = cert_by_certid(&serial, &alg, &name_hash, &key_hash, c);
    if (!found) {
        *why = "OCSP single response: Certificate ID does not match any certificate or issuer.";
        return NULL;
    }
    /* good is [0] IMPLICIT NULL, revoked [1] (constructed), unknown [2] */
    if (tag != (CBS_ASN1_CONTEXT_SPECIFIC | 0) &&
        tag != (CBS_ASN1_CONTEXT_SPECIFIC | CBS_ASN1_CONSTRUCTED | 1)) {
        *why = "OCSP single response: certificate status is unknown";
        return NULL;
    }
    if (this_upd > now + OCSP_SKEW || (next_upd >= 0 && next_upd < now - OCSP_SKEW)) {
        *why = "OCSP single response: no longer valid.";
        *stale = 1;
        return NULL;
    }
    return found;
}

static void check_validity(struct tls_cert *c, const struct cfg_where *w)
{
    int days = 0, secs = 0;

    if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(c->leaf))) {
        c->not_after = time(NULL) + (time_t)days * 86400 + secs;
        if (days < 0 || (days == 0 && secs <= 0))
            cfg_warn_at(w, "crt", "certificate '%s' (%s) has EXPIRED (%d days ago)", c->path,
                        c->nnames ? c->names[0] : c->subject, -days);
        else if (days < EXPIRY_WARN_DAYS)
            cfg_warn_at(w, "crt", "certificate '%s' (%s) expires in %d days", c->path,
                        c->nnames ? c->names[0] : c->subject, days);
    }
    if (!self_signed(c->leaf)) {
        X509 *issuer = sk_X509_num(c->chain) ? sk_X509_value(c->chain, 0) : NULL;
        /* With no chain at all, a leaf issued by a root needs nothing more; a leaf that names
         * its issuer's certificate (caIssuers in authorityInfoAccess, as public CAs do) was
         * issued by an intermediate that clients may lack. */
        AUTHORITY_INFO_ACCESS *aia = issuer ? NULL
                                   : X509_get_ext_d2i(c->leaf, NID_info_access, NULL, NULL);
        int needs = issuer != NULL;

        for (size_t i = 0; aia && i < sk_ACCESS_DESCRIPTION_num(aia); i++)
            if (OBJ_obj2nid(sk_ACCESS_DESCRIPTION_value(aia, i)->method) == NID_ad_ca_issuers)
                needs = 1;
        if (aia)
            AUTHORITY_INFO_ACCESS_free(aia);
        if (needs && (!issuer || X509_check_issued(issuer, c->leaf) != X509_V_OK)) {
            char *iss = name_line(X509_get_issuer_name(c->leaf));

            cfg_warn_at(w, "crt", "certificate '%s': the chain does not reach the issuer '%s' "
                        "(intermediate missing from the file?)", c->path, iss);
            free(iss);
        }
        for (size_t i = 1; i < sk_X509_num(c->chain); i++) {
            X509 *child = sk_X509_value(c->chain, i - 1), *parent = sk_X509_value(c->chain, i);

            if (!self_signed(child) && X509_check_issued(parent, child) != X509_V_OK) {
                cfg_warn_at(w, "crt", "certificate '%s': chain certificate %zu does not issue "
                            "the one before it (wrong order or missing intermediate?)",
                            c->path, i + 1);
                break;
            }
        }
    }
}

struct tls_cert *tls_cert_load(const char *path, const struct cfg_where *w, char **err)
{
    struct tls_cert *c;
    BIO *b;
    X509 *x;
    char extra[4096];

    for (c = tls_certs; c; c = c->next)
        if (!strcmp(c->path, path))
            return c;
    b = BIO_new_file(path, "r");
    if (!b) {
        ERR_clear_error();
        str_printf(err, "cannot read certificate '%s': %s", path, strerror(errno));
        return NULL;
    }
    c = str_zalloc(sizeof(*c));
    c->path = str_dup(path);
    c->where = *w;
    c->leaf = PEM_read_bio_X509_AUX(b, NULL, NULL, NULL);
    if (!c->leaf) {
        BIO_free(b);
        str_printf(err, "no certificate found in '%s' (%s)", path, tls_lib_error());
        goto fail;
    }
    c->chain = sk_X509_new_null();
    while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
        sk_X509_push(c->chain, x);
    ERR_clear_error();
    BIO_free(b);
    c->key = read_key(path);
    if (!c->key) {
        snprintf(extra, sizeof(extra), "%s.key", path);
        c->key = read_key(extra);
    }
    if (!c->key) {
        str_printf(err, "no private key in '%s' (nor in '%s.key')", path, path);
        goto fail;
    }
    c->subject = name_line(X509_get_subject_name(c->leaf));
    collect_names(c);
    if (check_strength(c, err) < 0)
        goto fail;
    check_validity(c, w);
    snprintf(extra, sizeof(extra), "%s.ocsp", path);
    {
        char *oerr = NULL;

        c->ocsp = read_small(extra, 65536, &c->ocsp_len, &oerr);
        if (oerr) {
            str_printf(err, "%s", oerr);
            free(oerr);
            goto fail;
        }
        if (c->ocsp) {
            const char *why;
            int stale;

            if (!tls_ocsp_check(c->ocsp, c->ocsp_len, c, &why, &stale)) {
                if (!stale) {
                    str_printf(err, "'%s': %s", extra, why);
                    goto fail;
                }
                /* an OCSP updater running late must not stop a fleet from starting */
                cfg_warn_at(w, "crt", "'%s': %s: not stapled", extra, why);
                free(c->ocsp);
                c->ocsp = NULL;
                c->ocsp_len = 0;
            }
        }
    }
    c->next = tls_certs;
    tls_certs = c;
    return c;
fail:
    if (c->leaf)
        X509_free(c->leaf);
    if (c->chain)
        sk_X509_pop_free(c->chain, X509_free);
    if (c->key)
        EVP_PKEY_free(c->key);
    free(c->path);
    free(c->subject);
    for (int i = 0; i < c->nnames; i++)
        free(c->names[i]);
    free(c->names);
    free(c);
    return NULL;
}

/* Files of a directory that are certificates: not the companions HAProxy loads with them. */
static int is_cert_file(const struct dirent *d)
{
    static const char *const skip[] = {".key", ".ocsp", ".issuer", ".sctl", ".crl", NULL};
    size_t l = strlen(d->d_name);

    if (d->d_name[0] == '.')
        return 0;
    for (int i = 0; skip[i]; i++) {
        size_t sl = strlen(skip[i]);

        if (l > sl && !strcmp(d->d_name + l - sl, skip[i]))
            return 0;
    }
    return 1;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

int tls_cert_load_path(const char *path, const struct cfg_where *w,
                       int (*add)(struct tls_cert *, void *), void *arg, char **err)
{
    struct dirent **ents;
    struct stat st;
    int n, ret = 0;

    if (stat(path, &st) < 0)
        return str_printf(err, "cannot read certificate '%s': %s", path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) {
        struct tls_cert *c = tls_cert_load(path, w, err);

        return c ? add(c, arg) : -1;
    }
    n = scandir(path, &ents, is_cert_file, cmp_names);
    if (n < 0)
        return str_printf(err, "cannot read directory '%s': %s", path, strerror(errno));
    for (int i = 0; i < n; i++) {
        char full[4096];
        struct tls_cert *c;

        snprintf(full, sizeof(full), "%s/%s", path, ents[i]->d_name);
        if (ret == 0) {
            c = tls_cert_load(full, w, err);
            ret = c ? add(c, arg) : -1;
        }
        free(ents[i]);
    }
    free(ents);
    if (n == 0)
        return str_printf(err, "no certificate in directory '%s'", path);
    return ret;
}

int tls_name_match(const char *pattern, const char *name)
{
    if (pattern[0] == '*' && pattern[1] == '.') {
        const char *dot = strchr(name, '.');

        /* "*.example.com" covers exactly one label: "a.example.com", not "example.com" nor
         * "a.b.example.com". */
        return dot && dot != name && !strcasecmp(dot + 1, pattern + 2);
    }
    return !strcasecmp(pattern, name);
}

long tls_cert_seconds_left(const struct tls_cert *c)
{
    return (long)(c->not_after - time(NULL));
}
