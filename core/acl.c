/* ACLs: pattern sets and match methods, the "acl" keyword, ACL keywords derived from fetches
 * (path_beg = path + beg), predefined ACLs, and if/unless conditions. HAProxy 2.6 semantics
 * (configuration.txt section 7).
 *
 * Patterns are compiled when the configuration is read: regexes compiled, addresses parsed,
 * strings lowered for -i. Exact, prefix and suffix strings are kept in sorted arrays (one
 * binary search, or one per distinct pattern length for prefixes and suffixes) and addresses
 * in one sorted array per prefix length (longest prefix first), so large -f files cost
 * O(log n) per lookup; the other methods (sub, dir, dom, reg, int, len) scan their list. */
#include "sample.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "proxy.h"
#include "regex.h"
#include "sample-kw.h"
#include "str.h"

#define SMP_USE_ALL (SMP_USE_L4 | SMP_USE_REQ | SMP_USE_RES | SMP_USE_BE)

/* ---------------------------------------------------------------------------------------- */
/* Pattern sets */

struct pat {
    union {
        struct {
            char *ptr;               /* bytes (lowered with -i), NUL-terminated */
            size_t len;
        } str;                       /* STR, SUB, BEG, END, DIR, DOM, BIN */
        struct regex *re;            /* REG */
        struct {
            long long min, max;      /* inclusive; min > max never matches */
        } range;                     /* INT, LEN */
        struct {
            int v6;                  /* 0: IPv4, 1: IPv6 */
            int bits;                /* prefix length */
            union {
                struct in_addr v4;
                struct in6_addr v6;
            } net;                   /* the network, masked */
        } ip;                        /* IP */
    } u;
    unsigned flags;                  /* ACL_PAT_F_* */
    void *value;                     /* returned to map lookups; not owned */
};

/* Addresses of one family and prefix length, sorted by network then order. */
struct ip_group {
    int n;
    int *idx;                        /* indexes in pats[] */
};

struct acl_patset {
    enum acl_match match;
    struct pat *pats;                /* in the order added */
    int n, cap;
    /* indexes, built by acl_patset_build() */
    struct str_idx {                 /* STR, BEG, END: patterns sorted by bytes */
        int *idx, n;                 /* indexes in pats[] */
        int *lens, nlens;            /* distinct pattern lengths (BEG, END), ascending */
    } cs, ci;                        /* case-sensitive ones; -i ones (lowered) */
    struct ip_group *g4, *g6;        /* [33] and [129], by prefix length */
    int built;
};

static const char *const match_names[ACL_M_COUNT] = {
    [ACL_M_FOUND] = "found", [ACL_M_BOOL] = "bool", [ACL_M_INT] = "int", [ACL_M_IP] = "ip",
    [ACL_M_BIN] = "bin",     [ACL_M_LEN] = "len",   [ACL_M_STR] = "str", [ACL_M_SUB] = "sub",
    [ACL_M_REG] = "reg",     [ACL_M_BEG] = "beg",   [ACL_M_END] = "end", [ACL_M_DIR] = "dir",
    [ACL_M_DOM] = "dom",
};

enum acl_match acl_match_parse(const char *name)
{
    for (int m = 1; m < ACL_M_COUNT; m++)
        if (!strcmp(match_names[m], name))
            return (enum acl_match)m;
    return ACL_M_NONE;
}

struct acl_patset *acl_patset_new(enum acl_match match)
{
    struct acl_patset *ps = str_zalloc(sizeof(*ps));

    ps->match = match;
    return ps;
}

int acl_patset_count(const struct acl_patset *ps)
{
    return ps->n;
}

static void pat_free(enum acl_match m, struct pat *p)
{
    if (m == ACL_M_REG) {
        rx_free(p->u.re);
        free(p->u.re);
    } else if (m != ACL_M_INT && m != ACL_M_LEN && m != ACL_M_IP) {
        free(p->u.str.ptr);
    }
}

void acl_patset_free(struct acl_patset *ps, void (*free_value)(void *))
{
    if (!ps)
        return;
    for (int i = 0; i < ps->n; i++) {
        pat_free(ps->match, &ps->pats[i]);
        if (free_value)
            free_value(ps->pats[i].value);
    }
    for (int b = 0; ps->g4 && b <= 32; b++)
        free(ps->g4[b].idx);
    for (int b = 0; ps->g6 && b <= 128; b++)
        free(ps->g6[b].idx);
    free(ps->g4);
    free(ps->g6);
    free(ps->cs.idx);
    free(ps->cs.lens);
    free(ps->ci.idx);
    free(ps->ci.lens);
    free(ps->pats);
    free(ps);
}

/* Integer operators of ACLs ("ge 3"). */
enum int_op { OP_NONE = 0, OP_EQ, OP_GE, OP_GT, OP_LE, OP_LT };

static int parse_ll(const char *s, size_t len, long long *v)
{
    char buf[32], *end;

    if (!len || len >= sizeof(buf))
        return -1;
    memcpy(buf, s, len);
    buf[len] = 0;
    if (isspace((unsigned char)buf[0]))
        return -1;
    errno = 0;
    *v = strtoll(buf, &end, 10);
    return *end || errno ? -1 : 0;
}

/* "N", "N:M", ":M", "N:" with an optional operator applied to a plain N. */
static int parse_range(struct pat *p, const char *t, size_t len, enum int_op op, char **err)
{
    const char *colon = memchr(t, ':', len);
    long long v;

    p->u.range.min = LLONG_MIN;
    p->u.range.max = LLONG_MAX;
    if (colon) {
        size_t l1 = (size_t)(colon - t), l2 = len - l1 - 1;

        if ((l1 && parse_ll(t, l1, &p->u.range.min) < 0) ||
            (l2 && parse_ll(colon + 1, l2, &p->u.range.max) < 0) || (!l1 && !l2))
            return str_printf(err, "'%.*s' is not a number or a range", (int)len, t);
        return 0;
    }
    if (parse_ll(t, len, &v) < 0)
        return str_printf(err, "'%.*s' is not a number", (int)len, t);
    switch (op) {
    case OP_GE: p->u.range.min = v; break;
    case OP_GT:
        if (v == LLONG_MAX)
            p->u.range.max = LLONG_MIN; /* empty */
        else
            p->u.range.min = v + 1;
        break;
    case OP_LE: p->u.range.max = v; break;
    case OP_LT:
        if (v == LLONG_MIN)
            p->u.range.min = LLONG_MAX; /* empty */
        else
            p->u.range.max = v - 1;
        break;
    default: p->u.range.min = p->u.range.max = v; break;
    }
    return 0;
}

/* IPv4 as HAProxy accepts it in patterns: dotted decimal with omitted zero octets
 * ("10.12" is 10.0.0.12, "192.168.1" is 192.168.0.1). */
static int parse_v4(const char *s, size_t len, struct in_addr *out)
{
    unsigned long long part[4];
    int n = 0;
    size_t i = 0;
    uint32_t a = 0;

    while (1) {
        size_t b = i;

        part[n] = 0;
        while (i < len && isdigit((unsigned char)s[i]) && i - b < 11)
            part[n] = part[n] * 10 + (unsigned)(s[i++] - '0');
        if (i == b || i - b > 10)
            return -1;
        n++;
        if (i == len)
            break;
        if (s[i++] != '.' || n == 4)
            return -1;
    }
    for (int k = 0; k < n - 1; k++) {
        if (part[k] > 255)
            return -1;
        a |= (uint32_t)part[k] << (24 - 8 * k);
    }
    if (part[n - 1] > (0xffffffffULL >> (8 * (n - 1))))
        return -1;
    a |= (uint32_t)part[n - 1];
    out->s_addr = htonl(a);
    return 0;
}

static int mask_bits4(struct in_addr m)
{
    uint32_t v = ntohl(m.s_addr);
    int bits = 0;

    while (bits < 32 && (v & (1U << (31 - bits))))
        bits++;
    return bits < 32 && (v << bits) ? -1 : bits; /* holes: not a netmask */
}

static void apply_mask6(struct in6_addr *a, int bits)
{
    for (int i = 0; i < 16; i++, bits -= 8)
        a->s6_addr[i] &= bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
}

static uint32_t mask4(int bits)
{
    return bits ? htonl(~0U << (32 - bits)) : 0;
}

static int parse_ip(struct pat *p, const char *t, size_t len, char **err)
{
    char buf[INET6_ADDRSTRLEN + 8];
    const char *slash = memchr(t, '/', len);
    size_t alen = slash ? (size_t)(slash - t) : len;
    long long bits = -1;
    struct in_addr m;

    if (slash && slash + 1 < t + len && !memchr(slash + 1, '.', (size_t)(t + len - slash - 1)) &&
        parse_ll(slash + 1, (size_t)(t + len - slash - 1), &bits) < 0)
        goto bad;
    if (memchr(t, ':', alen)) {
        if (alen >= sizeof(buf) || (slash && (bits < 0 || bits > 128)))
            goto bad;
        memcpy(buf, t, alen);
        buf[alen] = 0;
        if (inet_pton(AF_INET6, buf, &p->u.ip.net.v6) != 1)
            goto bad;
        p->u.ip.v6 = 1;
        p->u.ip.bits = slash ? (int)bits : 128;
        apply_mask6(&p->u.ip.net.v6, p->u.ip.bits);
        return 0;
    }
    if (parse_v4(t, alen, &p->u.ip.net.v4) < 0)
        goto bad;
    p->u.ip.bits = 32;
    if (slash) {
        if (bits < 0) { /* dotted mask */
            if (parse_v4(slash + 1, (size_t)(t + len - slash - 1), &m) < 0 ||
                (bits = mask_bits4(m)) < 0)
                goto bad;
        }
        if (bits > 32)
            goto bad;
        p->u.ip.bits = (int)bits;
    }
    p->u.ip.net.v4.s_addr &= mask4(p->u.ip.bits);
    return 0;
bad:
    return str_printf(err, "'%.*s' is not a valid IPv4 or IPv6 address (host names are not "
                           "resolved)", (int)len, t);
}

static int parse_hex(struct pat *p, const char *t, size_t len, char **err)
{
    for (size_t i = 0; i < len; i++)
        if (!isxdigit((unsigned char)t[i]))
            return str_printf(err, "an hex digit is expected (found '%c')", t[i]);
    if (len % 2)
        return str_printf(err, "an even number of hex digit is expected");
    p->u.str.ptr = str_zalloc(len / 2 + 1);
    p->u.str.len = len / 2;
    for (size_t i = 0; i < len; i += 2) {
        char h[3] = {t[i], t[i + 1], 0};

        p->u.str.ptr[i / 2] = (char)strtol(h, NULL, 16);
    }
    return 0;
}

static int parse_regex(struct pat *p, const char *t, size_t len, unsigned flags, char **err)
{
    char *src = str_zalloc(len + 1);
    int rc;

    memcpy(src, t, len);
    p->u.re = str_zalloc(sizeof(*p->u.re));
    rc = rx_compile(p->u.re, src, RX_NOSUB | (flags & ACL_PAT_F_ICASE ? RX_ICASE : 0), err);
    if (rc < 0) {
        free(p->u.re);
        p->u.re = NULL;
    }
    free(src);
    return rc;
}

/* Parses text into pattern p for method m. Returns 0, 1 when the pattern is ignored (found,
 * bool), or -1 with *err. */
static int pat_parse(enum acl_match m, struct pat *p, const char *t, size_t len,
                     unsigned flags, enum int_op op, char **err)
{
    switch (m) {
    case ACL_M_FOUND:
    case ACL_M_BOOL:
        return 1;
    case ACL_M_INT:
    case ACL_M_LEN:
        return parse_range(p, t, len, op, err);
    case ACL_M_IP:
        return parse_ip(p, t, len, err);
    case ACL_M_BIN:
        return parse_hex(p, t, len, err);
    case ACL_M_REG:
        return parse_regex(p, t, len, flags, err);
    default:
        p->u.str.ptr = str_zalloc(len + 1);
        p->u.str.len = len;
        for (size_t i = 0; i < len; i++)
            p->u.str.ptr[i] = flags & ACL_PAT_F_ICASE ? (char)tolower((unsigned char)t[i]) : t[i];
        return 0;
    }
}

static int patset_add_op(struct acl_patset *ps, const char *text, size_t len, unsigned flags,
                         enum int_op op, void *value, char **err)
{
    struct pat p = {.flags = flags, .value = value};
    int rc = pat_parse(ps->match, &p, text, len, flags, op, err);

    if (rc != 0)
        return rc < 0 ? -1 : 0;
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 8;
        ps->pats = realloc(ps->pats, (size_t)ps->cap * sizeof(*ps->pats));
        if (!ps->pats)
            abort();
    }
    ps->pats[ps->n++] = p;
    ps->built = 0;
    return 0;
}

int acl_patset_add(struct acl_patset *ps, const char *text, size_t len, unsigned flags,
                   void *value, char **err)
{
    return patset_add_op(ps, text, len, flags, OP_NONE, value, err);
}

/* Byte-wise order of a string against a pattern, the string lowered when icase. */
static int str_cmp(const char *s, size_t sl, const char *p, size_t pl, int icase)
{
    size_t n = sl < pl ? sl : pl;

    for (size_t i = 0; i < n; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)p[i];

        if (icase)
            a = (unsigned char)tolower(a);
        if (a != b)
            return a < b ? -1 : 1;
    }
    return sl < pl ? -1 : sl > pl;
}

/* qsort context: qsort_r is a GNU extension; a file-scope pointer is enough at config time */
static const struct acl_patset *sort_ps;

static int cmp_str_idx(const void *a, const void *b)
{
    const struct pat *x = &sort_ps->pats[*(const int *)a], *y = &sort_ps->pats[*(const int *)b];
    int c = str_cmp(x->u.str.ptr, x->u.str.len, y->u.str.ptr, y->u.str.len, 0);

    return c ? c : *(const int *)a - *(const int *)b; /* keep the written order of equals */
}

static int cmp_ip_idx(const void *a, const void *b)
{
    const struct pat *x = &sort_ps->pats[*(const int *)a], *y = &sort_ps->pats[*(const int *)b];
    int c = x->u.ip.v6 ? memcmp(&x->u.ip.net.v6, &y->u.ip.net.v6, 16)
                       : memcmp(&x->u.ip.net.v4, &y->u.ip.net.v4, 4);

    return c ? c : *(const int *)a - *(const int *)b;
}

static void build_ip(struct acl_patset *ps)
{
    ps->g4 = str_zalloc(33 * sizeof(*ps->g4));
    ps->g6 = str_zalloc(129 * sizeof(*ps->g6));
    for (int i = 0; i < ps->n; i++) {
        struct ip_group *g = ps->pats[i].u.ip.v6 ? &ps->g6[ps->pats[i].u.ip.bits]
                                                 : &ps->g4[ps->pats[i].u.ip.bits];

        g->idx = realloc(g->idx, (size_t)(g->n + 1) * sizeof(int));
        if (!g->idx)
            abort();
        g->idx[g->n++] = i;
    }
    sort_ps = ps;
    for (int b = 0; b <= 128; b++) {
        if (b <= 32 && ps->g4[b].n > 1)
            qsort(ps->g4[b].idx, (size_t)ps->g4[b].n, sizeof(int), cmp_ip_idx);
        if (ps->g6[b].n > 1)
            qsort(ps->g6[b].idx, (size_t)ps->g6[b].n, sizeof(int), cmp_ip_idx);
    }
}

static int cmp_int(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
}

/* Sorts the patterns of one case class and lists their distinct lengths. */
static void build_str(struct acl_patset *ps, struct str_idx *x, unsigned icase)
{
    free(x->idx);
    free(x->lens);
    *x = (struct str_idx){0};
    x->idx = str_zalloc((size_t)ps->n * sizeof(int));
    x->lens = str_zalloc((size_t)ps->n * sizeof(int));
    for (int i = 0; i < ps->n; i++)
        if ((ps->pats[i].flags & ACL_PAT_F_ICASE) == icase)
            x->idx[x->n++] = i;
    sort_ps = ps;
    qsort(x->idx, (size_t)x->n, sizeof(int), cmp_str_idx);
    for (int i = 0; i < x->n; i++)
        x->lens[i] = (int)ps->pats[x->idx[i]].u.str.len;
    qsort(x->lens, (size_t)x->n, sizeof(int), cmp_int);
    for (int i = 0; i < x->n; i++)
        if (!x->nlens || x->lens[x->nlens - 1] != x->lens[i])
            x->lens[x->nlens++] = x->lens[i];
}

void acl_patset_build(struct acl_patset *ps)
{
    if (ps->built)
        return;
    if (ps->match == ACL_M_STR || ps->match == ACL_M_BEG || ps->match == ACL_M_END) {
        build_str(ps, &ps->cs, 0);
        build_str(ps, &ps->ci, ACL_PAT_F_ICASE);
    } else if (ps->match == ACL_M_IP) {
        for (int b = 0; ps->g4 && b <= 32; b++)
            free(ps->g4[b].idx);
        for (int b = 0; ps->g6 && b <= 128; b++)
            free(ps->g6[b].idx);
        free(ps->g4);
        free(ps->g6);
        build_ip(ps);
    }
    ps->built = 1;
}

/* First pattern (in written order) equal to s in a sorted index, or -1. */
static int str_search(const struct acl_patset *ps, const struct str_idx *x, const char *s,
                      size_t len, int icase)
{
    int lo = 0, hi = x->n;

    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        const struct pat *p = &ps->pats[x->idx[mid]];

        if (str_cmp(s, len, p->u.str.ptr, p->u.str.len, icase) > 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < x->n && !str_cmp(s, len, ps->pats[x->idx[lo]].u.str.ptr,
                              ps->pats[x->idx[lo]].u.str.len, icase))
        return x->idx[lo];
    return -1;
}

/* Exact, prefix or suffix match through the sorted indexes: one binary search per distinct
 * pattern length for prefixes and suffixes. Returns the first matching pattern written, -1. */
static int str_lookup(const struct acl_patset *ps, const struct sample *s)
{
    const struct str_idx *xs[2] = {&ps->cs, &ps->ci};
    const char *str = s->data.str.ptr;
    size_t len = s->data.str.len;
    int best = -1, k;

    for (int c = 0; c < 2; c++) {
        const struct str_idx *x = xs[c];

        if (ps->match == ACL_M_STR) {
            k = str_search(ps, x, str, len, c);
            best = k >= 0 && (best < 0 || k < best) ? k : best;
            continue;
        }
        if (ps->match == ACL_M_BEG) {
            /* prefixes: the longest one wins (map_beg returns the most specific value, as
             * HAProxy's prefix tree does); any one is enough for an ACL */
            int l = x->nlens - 1;

            k = -1;
            while (l >= 0 && (size_t)x->lens[l] > len)
                l--;
            for (; l >= 0; l--) {
                k = str_search(ps, x, str, (size_t)x->lens[l], c);
                if (k >= 0)
                    break;
            }
            if (k >= 0 && (best < 0 || ps->pats[k].u.str.len > ps->pats[best].u.str.len))
                best = k;
            continue;
        }
        for (int l = 0; l < x->nlens && (size_t)x->lens[l] <= len; l++) {
            size_t pl = (size_t)x->lens[l];

            k = str_search(ps, x, str + len - pl, pl, c);
            best = k >= 0 && (best < 0 || k < best) ? k : best;
        }
    }
    return best;
}

/* Longest prefix holding addr in the groups of one family, or -1. */
static int ip_search(const struct acl_patset *ps, const struct ip_group *g, int maxbits,
                     const void *addr)
{
    for (int b = maxbits; b >= 0; b--) {
        const struct ip_group *gr = &g[b];
        struct in6_addr key6;
        struct in_addr key4;
        int lo = 0, hi = gr->n;

        if (!gr->n)
            continue;
        if (maxbits == 32) {
            memcpy(&key4, addr, 4);
            key4.s_addr &= mask4(b);
        } else {
            memcpy(&key6, addr, 16);
            apply_mask6(&key6, b);
        }
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            const struct pat *p = &ps->pats[gr->idx[mid]];
            int c = maxbits == 32 ? memcmp(&key4, &p->u.ip.net.v4, 4)
                                  : memcmp(&key6, &p->u.ip.net.v6, 16);

            if (c > 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < gr->n) {
            const struct pat *p = &ps->pats[gr->idx[lo]];

            if (maxbits == 32 ? !memcmp(&key4, &p->u.ip.net.v4, 4)
                              : !memcmp(&key6, &p->u.ip.net.v6, 16))
                return gr->idx[lo];
        }
    }
    return -1;
}

static int match_ip(const struct acl_patset *ps, const struct sample *s)
{
    struct in_addr v4;
    struct in6_addr v6;
    int i;

    if (s->type == SMP_T_IPV4) {
        i = ip_search(ps, ps->g4, 32, &s->data.ipv4);
        if (i >= 0)
            return i;
        smp_v4_to_v6(&s->data.ipv4, &v6);
        return ip_search(ps, ps->g6, 128, &v6);
    }
    i = ip_search(ps, ps->g6, 128, &s->data.ipv6);
    if (i < 0 && smp_v6_to_v4(&s->data.ipv6, &v4))
        i = ip_search(ps, ps->g4, 32, &v4);
    return i;
}

static int mem_eq(const char *s, const char *p, size_t n, int icase)
{
    if (!icase)
        return !memcmp(s, p, n);
    for (size_t i = 0; i < n; i++)
        if (tolower((unsigned char)s[i]) != (unsigned char)p[i])
            return 0;
    return 1;
}

static int is_word_delim(char c, int dom)
{
    return c == '/' || c == '?' || (dom && (c == '.' || c == ':'));
}

/* dir/dom: the pattern (without its own leading/trailing delimiters) appears in s between
 * delimiters or the ends (HAProxy's match_word). */
static int match_word(const char *s, size_t len, const struct pat *p, int dom)
{
    const char *ps = p->u.str.ptr;
    size_t pl = p->u.str.len;
    int icase = p->flags & ACL_PAT_F_ICASE, may = 1;

    while (pl && is_word_delim(*ps, dom)) {
        ps++;
        pl--;
    }
    while (pl && is_word_delim(ps[pl - 1], dom))
        pl--;
    if (!pl || pl > len)
        return 0;
    for (size_t i = 0; i + pl <= len; i++) {
        if (is_word_delim(s[i], dom)) {
            may = 1;
            continue;
        }
        if (may && mem_eq(s + i, ps, pl, icase) && (i + pl == len || is_word_delim(s[i + pl], dom)))
            return 1;
        may = 0;
    }
    return 0;
}

static int ip_match_one(const struct pat *p, const struct sample *s)
{
    struct in6_addr v6;
    struct in_addr v4;

    if (s->type == SMP_T_IPV4 && !p->u.ip.v6)
        return (s->data.ipv4.s_addr & mask4(p->u.ip.bits)) == p->u.ip.net.v4.s_addr;
    if (s->type == SMP_T_IPV4) {
        smp_v4_to_v6(&s->data.ipv4, &v6);
    } else if (!p->u.ip.v6) {
        return smp_v6_to_v4(&s->data.ipv6, &v4) &&
               (v4.s_addr & mask4(p->u.ip.bits)) == p->u.ip.net.v4.s_addr;
    } else {
        v6 = s->data.ipv6;
    }
    apply_mask6(&v6, p->u.ip.bits);
    return !memcmp(&v6, &p->u.ip.net.v6, 16);
}

static int match_one(enum acl_match m, const struct pat *p, const struct sample *s,
                     struct smp_env *env)
{
    const char *str = s->data.str.ptr;
    size_t len = s->data.str.len, pl = p->u.str.len;
    int icase = p->flags & ACL_PAT_F_ICASE;

    switch (m) {
    case ACL_M_INT:
        return s->data.sint >= p->u.range.min && s->data.sint <= p->u.range.max;
    case ACL_M_LEN:
        return (long long)len >= p->u.range.min && (long long)len <= p->u.range.max;
    case ACL_M_BIN:
    case ACL_M_STR:
        return len == pl && mem_eq(str, p->u.str.ptr, pl, icase);
    case ACL_M_BEG:
        return len >= pl && mem_eq(str, p->u.str.ptr, pl, icase);
    case ACL_M_END:
        return len >= pl && mem_eq(str + len - pl, p->u.str.ptr, pl, icase);
    case ACL_M_SUB:
        for (size_t i = 0; i + pl <= len; i++)
            if (mem_eq(str + i, p->u.str.ptr, pl, icase))
                return 1;
        return 0;
    case ACL_M_DIR:
    case ACL_M_DOM:
        return match_word(str, len, p, m == ACL_M_DOM);
    case ACL_M_IP:
        return ip_match_one(p, s);
    case ACL_M_REG: {
        int r = rx_match(p->u.re, str, len, 0, NULL, 0);

        if (r < 0 && env)
            env->err = "regex match limit reached"; /* the condition fails closed */
        return r > 0;
    }
    default:
        return 0;
    }
}

/* Casts s to what method m compares (string-like methods take binaries as they are). */
static int cast_for(enum acl_match m, struct sample *s, struct smp_env *env)
{
    switch (m) {
    case ACL_M_FOUND:
        return 1;
    case ACL_M_BOOL:
        return smp_cast(s, SMP_T_BOOL, env);
    case ACL_M_INT:
        return smp_cast(s, SMP_T_SINT, env);
    case ACL_M_IP:
        return smp_cast(s, SMP_T_ADDR, env);
    case ACL_M_BIN:
        return s->type == SMP_T_STR || smp_cast(s, SMP_T_BIN, env);
    default:
        return s->type == SMP_T_BIN || smp_cast(s, SMP_T_STR, env);
    }
}

int acl_patset_lookup(const struct acl_patset *ps, struct sample *s, struct smp_env *env,
                      void **value)
{
    int i = -1;

    if (!cast_for(ps->match, s, env))
        return 0;
    switch (ps->match) {
    case ACL_M_FOUND:
        return 1;
    case ACL_M_BOOL:
        return s->data.sint != 0;
    default:
        if (ps->built &&
            (ps->match == ACL_M_STR || ps->match == ACL_M_BEG || ps->match == ACL_M_END)) {
            i = str_lookup(ps, s);
        } else if (ps->built && ps->match == ACL_M_IP) {
            i = match_ip(ps, s);
        } else {
            /* other methods, or a set still being filled: scan in order */
            for (int k = 0; k < ps->n && i < 0; k++)
                if (match_one(ps->match, &ps->pats[k], s, env))
                    i = k;
        }
        break;
    }
    if (i < 0)
        return 0;
    if (value)
        *value = ps->pats[i].value;
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* ACL keywords (fetch + match method) */

#define DERIV(pfx, f)                                                                        \
    {pfx "_beg", f, ACL_M_BEG}, {pfx "_dir", f, ACL_M_DIR}, {pfx "_dom", f, ACL_M_DOM},      \
    {pfx "_end", f, ACL_M_END}, {pfx "_len", f, ACL_M_LEN}, {pfx "_reg", f, ACL_M_REG},      \
    {pfx "_sub", f, ACL_M_SUB}

static struct acl_kw builtin_acl_kws[] = {
    DERIV("base", "base"),
    DERIV("cook", "req.cook"),
    DERIV("req.cook", "req.cook"),
    DERIV("hdr", "req.hdr"),
    DERIV("path", "path"),
    DERIV("scook", "res.cook"),
    DERIV("res.cook", "res.cook"),
    DERIV("shdr", "res.hdr"),
    DERIV("url", "url"),
    DERIV("urlp", "url_param"),
    {0},
};

static struct acl_kw_tab {
    struct acl_kw *kws;
    struct acl_kw_tab *next;
} *acl_kw_tabs, **acl_kw_tabs_tail = &acl_kw_tabs;

void acl_register_keywords(struct acl_kw *kws)
{
    struct acl_kw_tab *t = str_zalloc(sizeof(*t));

    t->kws = kws;
    *acl_kw_tabs_tail = t;
    acl_kw_tabs_tail = &t->next;
}

static const struct acl_kw *find_acl_kw(const char *name, size_t len)
{
    for (struct acl_kw_tab *t = acl_kw_tabs; t; t = t->next)
        for (struct acl_kw *kw = t->kws; kw->name; kw++)
            if (strlen(kw->name) == len && !strncmp(kw->name, name, len))
                return kw;
    return NULL;
}

/* NULL-terminated list of the ACL keyword names (for suggestions); free() it. */
static const char **acl_kw_names(void)
{
    size_t n = 0, i = 0;
    const char **names;

    for (struct acl_kw_tab *t = acl_kw_tabs; t; t = t->next)
        for (struct acl_kw *kw = t->kws; kw->name; kw++)
            n++;
    names = str_zalloc((n + 1) * sizeof(*names));
    for (struct acl_kw_tab *t = acl_kw_tabs; t; t = t->next)
        for (struct acl_kw *kw = t->kws; kw->name; kw++)
            names[i++] = kw->name;
    return names;
}

/* ---------------------------------------------------------------------------------------- */
/* ACL expressions: "criterion [flags] [operator] [values]" */

struct acl_term {
    struct sample_expr *expr;   /* the fetch and its converters */
    struct acl_patset *pats;    /* values (match method inside) */
    struct acl_term *next;      /* terms of one ACL are ORed */
};

struct acl {
    char *name;                 /* NULL for an anonymous ACL */
    struct acl_term *terms;     /* ORed, in declaration order */
    struct acl *next;           /* next ACL of the proxy / condition */
};

static void term_free(struct acl_term *t)
{
    smp_expr_free(t->expr);
    acl_patset_free(t->pats, NULL);
    free(t);
}

static void acl_free(struct acl *a)
{
    struct acl_term *t, *next;

    for (t = a->terms; t; t = next) {
        next = t->next;
        term_free(t);
    }
    free(a->name);
    free(a);
}

/* Default match method of an expression's output type. */
static enum acl_match default_match(int type)
{
    switch (type) {
    case SMP_T_BOOL: return ACL_M_BOOL;
    case SMP_T_SINT: return ACL_M_INT;
    case SMP_T_IPV4:
    case SMP_T_IPV6: return ACL_M_IP;
    case SMP_T_STR: return ACL_M_STR;
    default: return ACL_M_NONE;
    }
}

struct pat_file_ctx {
    struct acl_patset *ps;
    unsigned flags;
    int map;                    /* -M: only the first column */
};

static int pat_file_line(void *arg, char *line, size_t len, char **err)
{
    struct pat_file_ctx *c = arg;

    if (c->map)
        len = strcspn(line, " \t");
    return acl_patset_add(c->ps, line, len, c->flags, NULL, err);
}

static enum int_op parse_op(const char *w)
{
    static const char *const ops[] = {"", "eq", "ge", "gt", "le", "lt"};

    for (int i = 1; i < 6; i++)
        if (!strcmp(w, ops[i]))
            return (enum int_op)i;
    return OP_NONE;
}

/* Parses the flags of an ACL expression from w[*i]; creates *ps with the match method once
 * known. Returns 0 or -1. */
static int term_flags(char **w, int n, int *i, struct acl_term *t, enum acl_match *m,
                      unsigned *flags, int *map, char **err)
{
    for (; *i < n && w[*i][0] == '-'; (*i)++) {
        const char *f = w[*i];

        if (!strcmp(f, "-i")) {
            *flags |= ACL_PAT_F_ICASE;
        } else if (!strcmp(f, "-n")) {
            /* no DNS resolution: sluice never resolves patterns */
        } else if (!strcmp(f, "-M")) {
            *map = 1;
        } else if (!strcmp(f, "--")) {
            (*i)++;
            break;
        } else if (!strcmp(f, "-m") || !strcmp(f, "-f") || !strcmp(f, "-u")) {
            if (*i + 1 >= n)
                return str_printf(err, "'%s' expects an argument", f);
            (*i)++;
            if (!strcmp(f, "-u"))
                continue; /* unique id: only used by HAProxy's CLI */
            if (!strcmp(f, "-m")) {
                if (t->pats)
                    return str_printf(err, "'-m' must be placed before '-f'");
                *m = acl_match_parse(w[*i]);
                if (*m == ACL_M_NONE)
                    return str_printf(err, "unknown matching method '%s' when parsing ACL "
                                           "expression", w[*i]);
                continue;
            }
            if (*m == ACL_M_NONE)
                return str_printf(err, "matching method must be specified first (using '-m') "
                                       "when using a sample fetch of this type ('%s')",
                                  smp_expr_fetch_name(t->expr));
            if (!t->pats)
                t->pats = acl_patset_new(*m);
            if (smp_read_lines(w[*i], pat_file_line,
                               &(struct pat_file_ctx){t->pats, *flags, *map}, err) < 0)
                return -1;
        } else {
            return str_printf(err, "'%s' is not a valid ACL option. Please use '--' before any "
                                   "pattern beginning with a '-'", f);
        }
    }
    return 0;
}

/* Parses one ACL expression from words w[0..n-1]. Returns it, or NULL with *err. */
static struct acl_term *term_parse(char **w, int n, char **err)
{
    struct acl_term *t = str_zalloc(sizeof(*t));
    const char **names = NULL;
    const struct acl_kw *akw;
    enum acl_match m = ACL_M_NONE;
    enum int_op op = OP_NONE;
    unsigned flags = 0;
    int i = 1, map = 0;

    if (n < 1 || !*w[0]) {
        str_printf(err, "missing fetch method in ACL expression");
        goto fail;
    }
    akw = find_acl_kw(w[0], strcspn(w[0], "(,"));
    if (!akw)
        names = acl_kw_names();
    t->expr = smp_expr_parse_ex(w[0], SMP_USE_ALL, akw ? akw->fetch : NULL, names, err);
    free(names);
    if (!t->expr)
        goto fail;
    /* an ACL keyword's method holds only without converters */
    m = akw && !smp_expr_has_convs(t->expr) ? akw->match
                                             : default_match(smp_expr_out_type(t->expr));
    if (term_flags(w, n, &i, t, &m, &flags, &map, err) < 0)
        goto fail;
    if (m == ACL_M_NONE) {
        str_printf(err, "matching method must be specified first (using '-m') when using a "
                        "sample fetch of this type ('%s')", smp_expr_fetch_name(t->expr));
        goto fail;
    }
    if (!t->pats)
        t->pats = acl_patset_new(m);
    for (; i < n; i++) {
        if ((m == ACL_M_INT || m == ACL_M_LEN) && parse_op(w[i]) != OP_NONE) {
            op = parse_op(w[i]); /* applies to the values that follow */
            continue;
        }
        if (patset_add_op(t->pats, w[i], strlen(w[i]), flags, op, NULL, err) < 0)
            goto fail;
    }
    acl_patset_build(t->pats);
    return t;
fail:
    term_free(t);
    return NULL;
}

/* 1 when the term's fetch may work with what `where` provides. */
static int term_usable(const struct acl_term *t, unsigned where)
{
    return !(smp_expr_use(t->expr) & ~where);
}

/* ---------------------------------------------------------------------------------------- */
/* Named ACLs */

static struct acl *find_acl(struct acl *list, const char *name)
{
    for (struct acl *a = list; a; a = a->next)
        if (a->name && !strcmp(a->name, name))
            return a;
    return NULL;
}

static int valid_acl_name(const char *name, char **err)
{
    if (!*name)
        return str_printf(err, "empty ACL name");
    for (const char *p = name; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("-_.:", *p))
            return str_printf(err, "invalid character '%c' in ACL name '%s' (allowed: letters, "
                                   "digits, '-', '_', '.', ':')", *p, name);
    return 0;
}

int acl_declare(struct proxy *px, char **args, int nargs, char **err)
{
    struct acl *head = px->acls, *a, **pa;
    struct acl_term *t, **pt;

    if (nargs < 3)
        return str_printf(err, "missing %s (usage: acl <name> <criterion> [flags] [operator] "
                               "[<value>] ...)", nargs < 2 ? "name" : "criterion");
    if (valid_acl_name(args[1], err) < 0)
        return -1;
    t = term_parse(args + 2, nargs - 2, err);
    if (!t)
        return -1;
    for (pa = &head; *pa && strcmp((*pa)->name, args[1]); pa = &(*pa)->next)
        ;
    a = *pa;
    if (!a) {
        a = *pa = str_zalloc(sizeof(*a));
        a->name = str_dup(args[1]);
    }
    px->acls = head;
    for (pt = &a->terms; *pt; pt = &(*pt)->next)
        ;
    *pt = t;
    if (!acl_patset_count(t->pats) && t->pats->match != ACL_M_FOUND &&
        t->pats->match != ACL_M_BOOL)
        return str_printf(err, "no value to match against was provided, so this ACL will "
                               "never match"), 1;
    return 0;
}

void acl_px_free(struct proxy *px)
{
    struct acl *a, *next;

    for (a = px->acls; a; a = next) {
        next = a->next;
        acl_free(a);
    }
    px->acls = NULL;
}

static int kw_acl(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                  char **err)
{
    struct cfg_where w;
    int rc;

    cfg_where_here(ctx, &w);
    smp_set_where(&w);
    rc = acl_declare(ctx->obj, args, nargs, err);
    smp_set_where(NULL);
    return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Predefined ACLs: built on first use and kept until exit. Terms are separated by '|'. */

static const char *const predef_src[][2] = {
    {"TRUE", "always_true"},
    {"FALSE", "always_false"},
    {"HTTP", "req.proto_http"},
    {"HTTP_1.0", "req.ver 1.0"},
    {"HTTP_1.1", "req.ver 1.1"},
    {"HTTP_2.0", "req.ver 2.0"},
    {"HTTP_CONTENT", "req.hdr_val(content-length) gt 0"},
    {"HTTP_URL_ABS", "url_reg ^[^/:]*://"},
    {"HTTP_URL_SLASH", "url_beg /"},
    {"HTTP_URL_STAR", "url *"},
    {"LOCALHOST", "src 127.0.0.1/8 ::1"},
    {"METH_CONNECT", "method CONNECT"},
    {"METH_DELETE", "method DELETE"},
    {"METH_GET", "method GET HEAD"},
    {"METH_HEAD", "method HEAD"},
    {"METH_OPTIONS", "method OPTIONS"},
    {"METH_POST", "method POST"},
    {"METH_PUT", "method PUT"},
    {"METH_TRACE", "method TRACE"},
    /* HAProxy: "req.len gt 0" (bytes waiting in the request buffer). Sluice evaluates rules
     * on parsed heads: a request announcing a body is the closest equivalent. */
    {"REQ_CONTENT", "req.hdr_val(content-length) gt 0|req.hdr(transfer-encoding) -m found"},
    /* HAProxy waits for the end of the inspect delay; rules here run once the head is
     * complete, so the condition is always met. */
    {"WAIT_END", "always_true"},
};
#define NB_PREDEF (sizeof(predef_src) / sizeof(predef_src[0]))

static struct acl *predef;

static struct acl *predef_build_one(const char *name, const char *src)
{
    struct acl *a = str_zalloc(sizeof(*a));
    struct acl_term **pt = &a->terms;
    char *copy = str_dup(src), *save = NULL, *term;

    a->name = str_dup(name);
    for (term = strtok_r(copy, "|", &save); term; term = strtok_r(NULL, "|", &save)) {
        char *words[8], *s2 = NULL, *err = NULL;
        int n = 0;

        for (char *w = strtok_r(term, " ", &s2); w && n < 8; w = strtok_r(NULL, " ", &s2))
            words[n++] = w;
        *pt = term_parse(words, n, &err);
        if (!*pt) /* a built-in definition is wrong: a bug, not a configuration error */
            abort();
        pt = &(*pt)->next;
    }
    free(copy);
    return a;
}

static struct acl *find_predef(const char *name)
{
    if (!predef) {
        struct acl **pa = &predef;

        for (size_t i = 0; i < NB_PREDEF; i++) {
            *pa = predef_build_one(predef_src[i][0], predef_src[i][1]);
            pa = &(*pa)->next;
        }
    }
    return find_acl(predef, name);
}

/* ---------------------------------------------------------------------------------------- */
/* Conditions */

struct cond_term {
    const struct acl *acl;      /* named, predefined or anonymous */
    int neg;                    /* "!" */
};

struct cond_suite {             /* terms ANDed */
    int n, cap;
    struct cond_term *terms;
};

struct acl_cond {
    int unless;                 /* "unless": the result is negated */
    int n, cap;                 /* suites ORed */
    struct cond_suite *suites;
    struct acl *anon;           /* anonymous ACLs, owned */
};

void acl_cond_free(struct acl_cond *c)
{
    struct acl *a, *next;

    if (!c)
        return;
    /* up to cap: a suite being filled when parsing failed is past c->n */
    for (int i = 0; i < c->cap; i++)
        free(c->suites[i].terms);
    free(c->suites);
    for (a = c->anon; a; a = next) {
        next = a->next;
        acl_free(a);
    }
    free(c);
}

static void suite_add(struct cond_suite *s, const struct acl *acl, int neg)
{
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 4;
        s->terms = realloc(s->terms, (size_t)s->cap * sizeof(*s->terms));
        if (!s->terms)
            abort();
    }
    s->terms[s->n++] = (struct cond_term){acl, neg};
}

/* Closes the current suite (c->suites[c->n] being filled): empty suites are dropped, as in
 * HAProxy ("if || a" is "if a"). */
static void suite_close(struct acl_cond *c)
{
    if (c->n < c->cap && c->suites[c->n].n)
        c->n++;
}

static struct cond_suite *suite_cur(struct acl_cond *c)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 2;
        c->suites = realloc(c->suites, (size_t)c->cap * sizeof(*c->suites));
        if (!c->suites)
            abort();
        memset(&c->suites[c->n], 0, (size_t)(c->cap - c->n) * sizeof(*c->suites));
    }
    return &c->suites[c->n];
}

static int unknown_acl(const char *name, struct proxy *px, char **err)
{
    const char **names;
    const char *sugg;
    size_t n = NB_PREDEF, i = 0;

    for (struct acl *a = px ? px->acls : NULL; a; a = a->next)
        n++;
    names = str_zalloc((n + 1) * sizeof(*names));
    for (struct acl *a = px ? px->acls : NULL; a; a = a->next)
        names[i++] = a->name;
    for (size_t k = 0; k < NB_PREDEF; k++)
        names[i++] = predef_src[k][0];
    sugg = cfg_suggest_list(name, names);
    if (*name == '{' || (*name && name[strlen(name) - 1] == '}'))
        str_printf(err, "no such ACL : '%s' (braces of anonymous ACLs must be separated from "
                        "their content by spaces)", name);
    else
        str_printf(err, "no such ACL : '%s'%s%s%s", name, sugg ? "; did you mean '" : "",
                   sugg ? sugg : "", sugg ? "'?" : "");
    free(names);
    return -1;
}

/* Parses "{ criterion ... }" starting at args[*i] == "{"; adds the ACL to c. */
static const struct acl *parse_anon(char **args, int nargs, int *i, struct acl_cond *c,
                                    char **err)
{
    int beg = *i + 1, end = beg;
    struct acl *a;
    struct acl_term *t;

    while (end < nargs && strcmp(args[end], "}"))
        end++;
    if (end == nargs) {
        str_printf(err, "missing closing '}' in condition");
        return NULL;
    }
    t = term_parse(args + beg, end - beg, err);
    if (!t)
        return NULL;
    a = str_zalloc(sizeof(*a));
    a->terms = t;
    a->next = c->anon;
    c->anon = a;
    *i = end;
    return a;
}

/* Warns when no term of the ACL can work where the condition runs (HAProxy warns too). */
static void check_usable(const struct acl *a, unsigned where, char **err)
{
    for (const struct acl_term *t = a->terms; t; t = t->next)
        if (term_usable(t, where))
            return;
    if (a->name)
        str_printf(err, "acl '%s' will never match because it only involves keywords that are "
                        "not available here (such as '%s')", a->name,
                   smp_expr_fetch_name(a->terms->expr));
    else
        str_printf(err, "anonymous acl will never match because it uses keyword '%s' which is "
                        "not available here", smp_expr_fetch_name(a->terms->expr));
}

struct acl_cond *acl_cond_parse(char **args, int nargs, struct proxy *px, unsigned where,
                                char **err)
{
    struct acl_cond *c;
    int neg = 0;
    char *warn = NULL;

    if (nargs < 1 || (strcmp(args[0], "if") && strcmp(args[0], "unless"))) {
        str_printf(err, "expects 'if' or 'unless' followed by a condition");
        return NULL;
    }
    c = str_zalloc(sizeof(*c));
    c->unless = !strcmp(args[0], "unless");
    for (int i = 1; i < nargs; i++) {
        const char *w = args[i];
        const struct acl *a = NULL;

        if (!strcmp(w, "||") || !strcmp(w, "or")) {
            suite_close(c);
            neg = 0;
            continue;
        }
        while (*w == '!') {
            neg = !neg;
            w++;
        }
        if (!*w)
            continue;
        if (!strcmp(w, "{"))
            a = parse_anon(args, nargs, &i, c, err);
        else if (!(a = find_acl(px ? px->acls : NULL, w)) && !(a = find_predef(w)))
            unknown_acl(w, px, err);
        if (!a)
            goto fail;
        check_usable(a, where, &warn);
        suite_add(suite_cur(c), a, neg);
        neg = 0;
    }
    suite_close(c);
    if (warn) {
        free(*err);
        *err = warn;
    }
    return c;
fail:
    free(warn);
    acl_cond_free(c);
    return NULL;
}

/* Safety net against a fetch that would never stop announcing more occurrences. */
#define ACL_MAX_OCCURRENCES 100000

static int term_match(const struct acl_term *t, struct smp_env *env)
{
    struct smp_ctx ctx = {.opt = SMP_OPT_ITERATE};
    struct sample s;
    int n = 0;

    do {
        if (smp_expr_eval_ctx(t->expr, env, &s, &ctx) &&
            acl_patset_lookup(t->pats, &s, env, NULL))
            return 1;
    } while (ctx.more && ++n < ACL_MAX_OCCURRENCES);
    return 0;
}

static int acl_match(const struct acl *a, struct smp_env *env)
{
    for (const struct acl_term *t = a->terms; t; t = t->next)
        if (term_match(t, env))
            return 1;
    return 0;
}

const char *acl_cond_unusable(const struct acl_cond *c, unsigned where)
{
    for (int i = 0; i < c->n; i++)
        for (int j = 0; j < c->suites[i].n; j++) {
            const struct acl *a = c->suites[i].terms[j].acl;
            const struct acl_term *t;

            for (t = a->terms; t; t = t->next)
                if (term_usable(t, where))
                    break;
            if (!t && a->terms)
                return smp_expr_fetch_name(a->terms->expr);
        }
    return NULL;
}

int acl_cond_exec(const struct acl_cond *c, struct smp_env *env)
{
    int res = 0;

    for (int i = 0; i < c->n && !res; i++) {
        const struct cond_suite *s = &c->suites[i];
        int j;

        for (j = 0; j < s->n; j++)
            if (acl_match(s->terms[j].acl, env) == s->terms[j].neg)
                break;
        res = j == s->n;
    }
    return c->unless ? !res : res;
}

/* ---------------------------------------------------------------------------------------- */
/* Registration */

static struct cfg_kw acl_cfg_kws[] = {
    {.name = "acl", .sections = "frontend backend listen", .min_args = 2, .max_args = -1,
     .parse = kw_acl, .usage = "acl <name> <criterion> [flags] [operator] [<value>] ..."},
    {0},
};

static void acl_register(void)
{
    acl_register_keywords(builtin_acl_kws);
    cfg_register_keywords(acl_cfg_kws);
}
INITCALL(acl_register)
