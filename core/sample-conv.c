/* Sample converters: case, maps, field/word extraction, regex substitution, address masks,
 * concatenation, encodings (base64, hex, json, url_dec) and integer arithmetic. HAProxy 2.6
 * semantics (configuration.txt section 7.3.1). Arguments are checked and compiled (regex, map
 * files) at parse time; results that need new bytes go to env->arena. */
#include "sample.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "regex.h"
#include "sample-kw.h"
#include "str.h"

static int set_sint(struct sample *smp, long long v)
{
    smp->type = SMP_T_SINT;
    smp->flags = 0;
    smp->data.sint = v;
    return 1;
}

/* Points smp at len new bytes of the arena; returns them or NULL. */
static char *new_str(struct sample *smp, struct smp_env *env, size_t len, int type)
{
    char *p = smp_alloc(env, len + 1);

    if (!p)
        return NULL;
    p[len] = 0;
    smp->type = type;
    smp->flags = 0;
    smp->data.str.ptr = p;
    smp->data.str.len = len;
    return p;
}

/* ---------------------------------------------------------------------------------------- */
/* Case */

static int c_lower(const struct smp_arg *args, void *priv, struct smp_env *env,
                   struct sample *smp)
{
    char *p;

    if (smp_make_rw(smp, env) < 0)
        return 0;
    p = (char *)smp->data.str.ptr;
    for (size_t i = 0; i < smp->data.str.len; i++)
        p[i] = (char)tolower((unsigned char)p[i]);
    return 1;
}

static int c_upper(const struct smp_arg *args, void *priv, struct smp_env *env,
                   struct sample *smp)
{
    char *p;

    if (smp_make_rw(smp, env) < 0)
        return 0;
    p = (char *)smp->data.str.ptr;
    for (size_t i = 0; i < smp->data.str.len; i++)
        p[i] = (char)toupper((unsigned char)p[i]);
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Maps: map_<match>_<output>(file[,default]). A file loaded for one match method and output
 * type is shared by every converter naming it. */

struct map_val {
    struct sample smp;       /* the value, of the map's output type */
    char text[];             /* the value as written (strings point here) */
};

struct map_ref {
    char *path;              /* file name as written */
    enum acl_match match;    /* key match method */
    int out_type;            /* SMP_T_STR, SMP_T_SINT or SMP_T_IPV4 */
    struct acl_patset *ps;   /* keys, with struct map_val values */
    int refcnt;              /* converters using it */
    struct map_ref *next;
};

struct map_inst {
    struct map_ref *ref;     /* counted reference */
    struct map_val *def;     /* default value, NULL when none */
};

static struct map_ref *maps;

/* Parses a map value of type out_type. Returns it (malloc'd) or NULL with *err set. */
static struct map_val *map_val_parse(const char *text, size_t len, int out_type, char **err)
{
    struct map_val *v = str_zalloc(sizeof(*v) + len + 1);
    long long n;
    char *end;

    memcpy(v->text, text, len);
    v->smp.type = (enum smp_type)out_type;
    if (out_type == SMP_T_STR) {
        v->smp.flags = SMP_F_CONST;
        v->smp.data.str.ptr = v->text;
        v->smp.data.str.len = len;
        return v;
    }
    if (out_type == SMP_T_SINT) {
        n = strtoll(v->text, &end, 10);
        if (len && !*end && !isspace((unsigned char)*v->text)) {
            v->smp.data.sint = n;
            return v;
        }
    } else if (smp_parse_ipv4(text, len, &v->smp.data.ipv4) == 0) {
        v->smp.type = SMP_T_IPV4;
        return v;
    } else if (inet_pton(AF_INET6, v->text, &v->smp.data.ipv6) == 1) {
        v->smp.type = SMP_T_IPV6;
        return v;
    }
    str_printf(err, "unable to parse '%s'", v->text);
    free(v);
    return NULL;
}

static int map_line(void *arg, char *line, size_t len, char **err)
{
    struct map_ref *m = arg;
    size_t klen = strcspn(line, " \t");
    const char *val = line + klen;
    struct map_val *v;
    size_t vlen;

    while (*val == ' ' || *val == '\t')
        val++;
    for (vlen = strlen(val); vlen && (val[vlen - 1] == ' ' || val[vlen - 1] == '\t'); vlen--)
        ;
    v = map_val_parse(val, vlen, m->out_type, err);
    if (!v)
        return -1;
    if (acl_patset_add(m->ps, line, klen, 0, v, err) < 0) {
        free(v);
        return -1;
    }
    return 0;
}

static void map_put(struct map_ref *m)
{
    if (--m->refcnt > 0)
        return;
    for (struct map_ref **pm = &maps; *pm; pm = &(*pm)->next)
        if (*pm == m) {
            *pm = m->next;
            break;
        }
    acl_patset_free(m->ps, free);
    free(m->path);
    free(m);
}

static struct map_ref *map_get(const char *path, enum acl_match match, int out_type, char **err)
{
    struct map_ref *m;

    for (m = maps; m; m = m->next)
        if (m->match == match && m->out_type == out_type && !strcmp(m->path, path)) {
            m->refcnt++;
            return m;
        }
    m = str_zalloc(sizeof(*m));
    m->path = str_dup(path);
    m->match = match;
    m->out_type = out_type;
    m->ps = acl_patset_new(match);
    m->refcnt = 1;
    m->next = maps;
    maps = m;
    if (smp_read_lines(path, map_line, m, err) < 0) {
        map_put(m);
        return NULL;
    }
    acl_patset_build(m->ps);
    return m;
}

/* Splits "map_beg_int" into its match method and output type. */
static int map_kw_parse(const char *kw, enum acl_match *match, int *out_type)
{
    char buf[32];
    char *out;

    *match = ACL_M_STR;
    *out_type = SMP_T_STR;
    if (!strcmp(kw, "map"))
        return 0;
    if (strncmp(kw, "map_", 4) || strlen(kw + 4) >= sizeof(buf))
        return -1;
    strcpy(buf, kw + 4);
    out = strchr(buf, '_');
    if (out) {
        *out++ = 0;
        *out_type = !strcmp(out, "str") ? SMP_T_STR : !strcmp(out, "int") ? SMP_T_SINT
                    : !strcmp(out, "ip") ? SMP_T_IPV4 : -1;
    }
    *match = acl_match_parse(buf);
    return *out_type < 0 || *match == ACL_M_NONE ? -1 : 0;
}

static int check_map(const char *kw, struct smp_arg *args, void **priv, char **err)
{
    struct map_inst *mi;
    enum acl_match match;
    int out_type;

    if (map_kw_parse(kw, &match, &out_type) < 0)
        return str_printf(err, "unknown map keyword '%s'", kw);
    mi = str_zalloc(sizeof(*mi));
    if (args[1].type == SMP_ARG_STR) {
        mi->def = map_val_parse(args[1].data.str.ptr, args[1].data.str.len, out_type, err);
        if (!mi->def)
            goto fail;
    }
    mi->ref = map_get(args[0].data.str.ptr, match, out_type, err);
    if (!mi->ref)
        goto fail;
    *priv = mi;
    return 0;
fail:
    free(mi->def);
    free(mi);
    return -1;
}

static void release_map(void *priv)
{
    struct map_inst *mi = priv;

    map_put(mi->ref);
    free(mi->def);
    free(mi);
}

static int c_map(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *smp)
{
    const struct map_inst *mi = priv;
    void *val = NULL;

    if (acl_patset_lookup(mi->ref->ps, smp, env, &val) && val) {
        *smp = ((struct map_val *)val)->smp;
        return 1;
    }
    if (!mi->def)
        return 0;
    *smp = mi->def->smp;
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* field() and word() */

static int check_field(const char *kw, struct smp_arg *args, void **priv, char **err)
{
    if (!args[0].data.sint)
        return str_printf(err, "Unexpected value 0 for index");
    if (!args[1].data.str.len)
        return str_printf(err, "Empty separators list");
    return 0;
}

static int is_delim(const struct smp_arg *d, char c)
{
    return memchr(d->data.str.ptr, c, d->data.str.len) != NULL;
}

/* field(INDEX,DELIMS[,COUNT]): fields are separated by any of DELIMS, empty ones count. The
 * result runs from field INDEX over COUNT fields (0: all remaining), counting from the end
 * when INDEX is negative. A missing field makes the converter fail (as HAProxy). */
static int c_field(const struct smp_arg *args, void *priv, struct smp_env *env,
                   struct sample *smp)
{
    const char *s = smp->data.str.ptr;
    size_t len = smp->data.str.len, b, e;
    long long idx = args[0].data.sint, count = args[2].type ? args[2].data.sint : 1, f;

    if (count < 0)
        count = 0;
    if (idx > 0) {
        for (b = 0, f = 1; f < idx && b < len; b++)
            if (is_delim(&args[1], s[b]))
                f++;
        if (f < idx)
            return 0;
        for (e = b, f = 0; e < len; e++)
            if (is_delim(&args[1], s[e]) && (count && ++f == count))
                break;
    } else {
        for (e = len, f = -1; f > idx && e > 0; e--)
            if (is_delim(&args[1], s[e - 1]))
                f--;
        if (f > idx)
            return 0;
        for (b = e, f = 0; b > 0; b--)
            if (is_delim(&args[1], s[b - 1]) && (count && ++f == count))
                break;
    }
    smp->data.str.ptr = s + b;
    smp->data.str.len = e - b;
    return 1;
}

/* word(INDEX,DELIMS[,COUNT]): like field() but runs of delimiters separate words and
 * delimiters at both ends are ignored for counting. When fewer than COUNT words follow (or
 * COUNT is 0) the result runs to the end of the string, delimiters included; a missing word
 * gives an empty string (both as HAProxy). */
static int c_word(const struct smp_arg *args, void *priv, struct smp_env *env,
                  struct sample *smp)
{
    const char *s = smp->data.str.ptr;
    size_t len = smp->data.str.len, b = 0, e = 0, i;
    long long idx = args[0].data.sint, count = args[2].type ? args[2].data.sint : 1, w = 0;
    long long want = idx > 0 ? idx : -idx;
    int found = 0;

    if (count < 0)
        count = 0;
    if (idx > 0) {
        for (i = 0; i < len; i++) {
            if (is_delim(&args[1], s[i]) || (i && !is_delim(&args[1], s[i - 1])))
                continue;
            /* a word starts at i */
            if (++w == want) {
                b = i;
                found = 1;
                break;
            }
        }
        if (!found)
            goto empty;
        for (w = 0, e = b; e < len; e++) {
            if (!is_delim(&args[1], s[e]) || is_delim(&args[1], s[e - 1]))
                continue;
            if (count && ++w == count)
                break;
        }
    } else {
        for (i = len; i > 0; i--) {
            if (is_delim(&args[1], s[i - 1]) || (i < len && !is_delim(&args[1], s[i])))
                continue;
            /* a word ends at i */
            if (++w == want) {
                e = i;
                found = 1;
                break;
            }
        }
        if (!found)
            goto empty;
        for (w = 0, b = e; b > 0; b--) {
            if (!is_delim(&args[1], s[b - 1]) || is_delim(&args[1], s[b]))
                continue;
            if (count && ++w == count)
                break;
        }
    }
    smp->data.str.ptr = s + b;
    smp->data.str.len = e - b;
    return 1;
empty:
    smp->data.str.len = 0;
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* regsub(REGEX,SUBST[,FLAGS]) */

struct regsub {
    struct regex re;
    int global;              /* "g" */
};

static int check_regsub(const char *kw, struct smp_arg *args, void **priv, char **err)
{
    const char *flags = args[2].type == SMP_ARG_STR ? args[2].data.str.ptr : "";
    const char *subst = args[1].data.str.ptr;
    struct regsub *rs;
    int cflags = 0;

    if (!args[0].data.str.len)
        return str_printf(err, "missing regex");
    for (const char *f = flags; *f; f++) {
        if (*f == 'i')
            cflags |= RX_ICASE;
        else if (*f != 'g')
            return str_printf(err, "invalid regex flag '%c', only 'i' and 'g' are supported",
                              *f);
    }
    for (size_t i = 0; i < args[1].data.str.len; i++) {
        if (subst[i] != '\\')
            continue;
        if (++i >= args[1].data.str.len)
            return str_printf(err, "substitution '%s' ends with a lone '\\'", subst);
        if (subst[i] == 'x' && (i + 2 >= args[1].data.str.len ||
                                !isxdigit((unsigned char)subst[i + 1]) ||
                                !isxdigit((unsigned char)subst[i + 2])))
            return str_printf(err, "substitution '%s': '\\x' needs two hex digits", subst);
    }
    rs = str_zalloc(sizeof(*rs));
    rs->global = strchr(flags, 'g') != NULL;
    if (rx_compile(&rs->re, args[0].data.str.ptr, cflags, err) < 0) {
        free(rs);
        return -1;
    }
    *priv = rs;
    return 0;
}

static void release_regsub(void *priv)
{
    struct regsub *rs = priv;

    rx_free(&rs->re);
    free(rs);
}

static int hexval(char c)
{
    return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* Appends the substitution (\0..\9 groups, \xHH bytes, \c for c) to out at *o. Returns 0, or
 * -1 when out (cap bytes) is full. */
static int regsub_append(const struct smp_arg *subst, const char *base, const struct rx_span *pm,
                         char *out, size_t *o, size_t cap)
{
    const char *s = subst->data.str.ptr, *end = s + subst->data.str.len;

    while (s < end) {
        const char *src = s;
        size_t n = 1;

        if (*s == '\\' && s + 1 < end) {
            s++;
            if (isdigit((unsigned char)*s)) {
                const struct rx_span *g = &pm[*s - '0'];

                n = g->so >= 0 && g->eo >= g->so ? (size_t)(g->eo - g->so) : 0;
                src = base + (n ? g->so : 0);
            } else if (*s == 'x' && s + 2 < end) {
                char c = (char)(hexval(s[1]) << 4 | hexval(s[2]));

                if (*o >= cap)
                    return -1;
                out[(*o)++] = c;
                s += 3;
                continue;
            } else {
                src = s;
            }
        }
        if (*o + n > cap)
            return -1;
        memcpy(out + *o, src, n);
        *o += n;
        s++;
    }
    return 0;
}

static int c_regsub(const struct smp_arg *args, void *priv, struct smp_env *env,
                    struct sample *smp)
{
    const struct regsub *rs = priv;
    const char *s = smp->data.str.ptr;
    size_t len = smp->data.str.len, pos = 0, o = 0;
    char *out = smp_scratch(), *res;
    struct rx_span pm[RX_GROUPS];

    /* sed's s///g: later searches start where the previous match ended, in the context of the
     * whole string ("^" only matches at its start); an empty match copies one character */
    while (pos <= len) {
        int r = rx_match(&rs->re, s, len, pos, pm, RX_GROUPS);

        if (r < 0) {
            env->err = "regex match limit reached in regsub"; /* no half-substituted value */
            return 0;
        }
        if (!r)
            break;
        if ((size_t)pm[0].so - pos > SMP_SCRATCH_SIZE - o)
            return 0;
        memcpy(out + o, s + pos, (size_t)pm[0].so - pos);
        o += (size_t)pm[0].so - pos;
        if (regsub_append(&args[1], s, pm, out, &o, SMP_SCRATCH_SIZE) < 0)
            return 0;
        pos = (size_t)pm[0].eo;
        if (pm[0].eo == pm[0].so) {
            /* an empty match copies one character: with a (*UTF) pattern, a whole UTF-8
             * sequence, so that the next search does not start inside one */
            size_t step = 1;

            if (rx_is_utf(&rs->re))
                while (pos + step < len && ((unsigned char)s[pos + step] & 0xc0) == 0x80)
                    step++;
            if (pos < len) {
                if (step > SMP_SCRATCH_SIZE - o)
                    return 0;
                memcpy(out + o, s + pos, step);
                o += step;
            }
            pos += step;
        }
        if (!rs->global)
            break;
    }
    if (pos < len) {
        if (len - pos > SMP_SCRATCH_SIZE - o)
            return 0;
        memcpy(out + o, s + pos, len - pos);
        o += len - pos;
    }
    res = new_str(smp, env, o, SMP_T_STR);
    if (!res)
        return 0;
    memcpy(res, out, o);
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Addresses */

static int c_ipmask(const struct smp_arg *args, void *priv, struct smp_env *env,
                    struct sample *smp)
{
    if (smp->type == SMP_T_IPV4) {
        smp->data.ipv4.s_addr &= args[0].data.msk4.s_addr;
        return 1;
    }
    if (args[1].type != SMP_ARG_MSK6)
        return 0;
    for (int i = 0; i < 16; i++)
        smp->data.ipv6.s6_addr[i] &= args[1].data.msk6.s6_addr[i];
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* concat([START],[VAR],[END]) */

static int c_concat(const struct smp_arg *args, void *priv, struct smp_env *env,
                    struct sample *smp)
{
    const struct smp_arg *a = &args[0], *z = &args[2];
    size_t la = a->type ? a->data.str.len : 0, lz = z->type ? z->data.str.len : 0, lv = 0;
    struct sample v;
    char *p;

    if (args[1].type == SMP_ARG_VAR &&
        vars_get(env, args[1].data.var.scope, args[1].data.var.name, &v) &&
        smp_cast(&v, SMP_T_STR, env))
        lv = v.data.str.len;
    p = smp_alloc(env, smp->data.str.len + la + lv + lz + 1);
    if (!p)
        return 0;
    memcpy(p, smp->data.str.ptr, smp->data.str.len);
    memcpy(p + smp->data.str.len, la ? a->data.str.ptr : "", la);
    memcpy(p + smp->data.str.len + la, lv ? v.data.str.ptr : "", lv);
    memcpy(p + smp->data.str.len + la + lv, lz ? z->data.str.ptr : "", lz);
    smp->data.str.len += la + lv + lz;
    p[smp->data.str.len] = 0;
    smp->data.str.ptr = p;
    smp->flags = 0;
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Encodings */

static int c_base64(const struct smp_arg *args, void *priv, struct smp_env *env,
                    struct sample *smp)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = (const unsigned char *)smp->data.str.ptr;
    size_t len = smp->data.str.len, o = 0;
    char *p;

    if (len > SIZE_MAX / 2)
        return 0;
    p = new_str(smp, env, (len + 2) / 3 * 4, SMP_T_STR);
    if (!p)
        return 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)s[i] << 16 | (i + 1 < len ? (unsigned)s[i + 1] << 8 : 0) |
                     (i + 2 < len ? s[i + 2] : 0);

        p[o++] = tab[v >> 18 & 63];
        p[o++] = tab[v >> 12 & 63];
        p[o++] = i + 1 < len ? tab[v >> 6 & 63] : '=';
        p[o++] = i + 2 < len ? tab[v & 63] : '=';
    }
    return 1;
}

static int c_hex(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *smp)
{
    static const char digits[] = "0123456789ABCDEF";
    const unsigned char *s = (const unsigned char *)smp->data.str.ptr;
    size_t len = smp->data.str.len;
    char *p;

    if (len > SIZE_MAX / 4)
        return 0;
    p = new_str(smp, env, len * 2, SMP_T_STR);
    if (!p)
        return 0;
    for (size_t i = 0; i < len; i++) {
        p[2 * i] = digits[s[i] >> 4];
        p[2 * i + 1] = digits[s[i] & 15];
    }
    return 1;
}

static int c_length(const struct smp_arg *args, void *priv, struct smp_env *env,
                    struct sample *smp)
{
    return set_sint(smp, (long long)smp->data.str.len);
}

static int c_bytes(const struct smp_arg *args, void *priv, struct smp_env *env,
                   struct sample *smp)
{
    long long off = args[0].data.sint;

    if (off < 0)
        return 0;
    if ((unsigned long long)off >= smp->data.str.len) {
        smp->data.str.len = 0;
        return 1;
    }
    smp->data.str.ptr += off;
    smp->data.str.len -= (size_t)off;
    if (args[1].type == SMP_ARG_SINT && args[1].data.sint >= 0 &&
        (unsigned long long)args[1].data.sint < smp->data.str.len)
        smp->data.str.len = (size_t)args[1].data.sint;
    return 1;
}

/* url_dec([IN_FORM]): %XX decoding; '+' is a space in a query string (after '?', or
 * everywhere when IN_FORM is non-zero). A bad %-sequence makes it fail. */
static int c_url_dec(const struct smp_arg *args, void *priv, struct smp_env *env,
                     struct sample *smp)
{
    const char *s = smp->data.str.ptr;
    size_t len = smp->data.str.len, o = 0;
    int form = args[0].type == SMP_ARG_SINT && args[0].data.sint;
    char *p = smp_alloc(env, len + 1);

    if (!p)
        return 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '%') {
            if (i + 2 >= len || !isxdigit((unsigned char)s[i + 1]) ||
                !isxdigit((unsigned char)s[i + 2]))
                return 0;
            p[o++] = (char)(hexval(s[i + 1]) << 4 | hexval(s[i + 2]));
            i += 2;
            continue;
        }
        if (s[i] == '?')
            form = 1;
        p[o++] = s[i] == '+' && form ? ' ' : s[i];
    }
    p[o] = 0;
    smp->data.str.ptr = p;
    smp->data.str.len = o;
    smp->flags = 0;
    return 1;
}

/* json([MODE]): escapes for a JSON string; see HAProxy's documentation for the modes. */
enum json_mode { JSON_ASCII = 0, JSON_UTF8, JSON_UTF8S, JSON_UTF8P, JSON_UTF8PS };

static int check_json(const char *kw, struct smp_arg *args, void **priv, char **err)
{
    static const char *const modes[] = {"ascii", "utf8", "utf8s", "utf8p", "utf8ps"};

    if (args[0].type != SMP_ARG_STR || !args[0].data.str.len)
        return 0;
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
        if (!strcmp(args[0].data.str.ptr, modes[i])) {
            *priv = (void *)(modes + i); /* any non-NULL pointer tells the mode */
            return 0;
        }
    return str_printf(err, "Unexpected input code type. Allowed value are 'ascii', 'utf8', "
                           "'utf8s', 'utf8p' and 'utf8ps'");
}

/* Decodes one UTF-8 character at s (n bytes available). Returns its length and *cp, with
 * *bad set for a bad sequence or forbidden value, *overlong for a too-long encoding. */
static size_t utf8_next(const unsigned char *s, size_t n, unsigned *cp, int *bad, int *overlong)
{
    static const unsigned minv[5] = {0, 0, 0x80, 0x800, 0x10000};
    size_t len, i;

    *bad = *overlong = 0;
    if (s[0] < 0x80) {
        *cp = s[0];
        return 1;
    }
    len = s[0] >= 0xf0 && s[0] < 0xf8 ? 4 : s[0] >= 0xe0 && s[0] < 0xf0 ? 3
          : s[0] >= 0xc0 && s[0] < 0xe0 ? 2 : 0;
    if (!len) {
        *bad = 1;
        return 1;
    }
    *cp = s[0] & (0x7f >> len);
    for (i = 1; i < len; i++) {
        if (i >= n || (s[i] & 0xc0) != 0x80) {
            *bad = 1;
            return i;
        }
        *cp = *cp << 6 | (s[i] & 0x3f);
    }
    if (*cp < minv[len])
        *overlong = 1;
    if ((*cp >= 0xd800 && *cp <= 0xdfff) || *cp > 0x10ffff)
        *bad = 1;
    return len;
}

/* Writes the escaped form of code point cp at out (when not NULL); returns its length. */
static size_t json_esc(unsigned cp, char *out)
{
    static const char hex[] = "0123456789abcdef";
    char buf[6];
    size_t n = 2;

    buf[0] = '\\';
    switch (cp) {
    case '"': buf[1] = '"'; break;
    case '\\': buf[1] = '\\'; break;
    case '/': buf[1] = '/'; break;
    case '\b': buf[1] = 'b'; break;
    case '\f': buf[1] = 'f'; break;
    case '\n': buf[1] = 'n'; break;
    case '\r': buf[1] = 'r'; break;
    case '\t': buf[1] = 't'; break;
    default:
        if (cp >= 0x20 && cp < 0x7f) {
            buf[0] = (char)cp;
            n = 1;
        } else {
            buf[1] = 'u';
            for (int i = 0; i < 4; i++)
                buf[2 + i] = hex[cp >> (12 - 4 * i) & 15];
            n = 6;
        }
    }
    if (out)
        memcpy(out, buf, n);
    return n;
}

/* One pass of json(): returns the output length (-1 when the input is refused); writes to
 * out when not NULL. */
static long long json_pass(const unsigned char *s, size_t len, enum json_mode mode, char *out)
{
    size_t i = 0, o = 0, n;
    unsigned cp;
    int bad, overlong;

    while (i < len) {
        if (mode == JSON_ASCII) {
            cp = s[i];
            n = 1;
        } else {
            n = utf8_next(s + i, len - i, &cp, &bad, &overlong);
            if (cp > 0xffff)
                bad = 1; /* JSON escapes carry 4 hex digits only */
            if (overlong && mode != JSON_UTF8P && mode != JSON_UTF8PS)
                bad = 1;
            if (bad) {
                if (mode == JSON_UTF8 || mode == JSON_UTF8P)
                    return -1;
                i += n; /* s modes: drop it */
                continue;
            }
        }
        o += json_esc(cp, out ? out + o : NULL);
        i += n;
    }
    return (long long)o;
}

static int c_json(const struct smp_arg *args, void *priv, struct smp_env *env,
                  struct sample *smp)
{
    const unsigned char *s = (const unsigned char *)smp->data.str.ptr;
    size_t len = smp->data.str.len;
    enum json_mode mode = JSON_ASCII;
    long long olen;
    char *p;

    if (priv) {
        const char *m = *(const char *const *)priv;

        mode = !strcmp(m, "utf8") ? JSON_UTF8 : !strcmp(m, "utf8s") ? JSON_UTF8S
               : !strcmp(m, "utf8p") ? JSON_UTF8P : !strcmp(m, "utf8ps") ? JSON_UTF8PS
               : JSON_ASCII;
    }
    olen = json_pass(s, len, mode, NULL);
    if (olen < 0)
        return 0;
    p = smp_alloc(env, (size_t)olen + 1);
    if (!p)
        return 0;
    json_pass(s, len, mode, p);
    p[olen] = 0;
    smp->data.str.ptr = p;
    smp->data.str.len = (size_t)olen;
    smp->flags = 0;
    return 1;
}

/* ---------------------------------------------------------------------------------------- */
/* Integers */

/* The integer operand of add() & co: a constant or a variable (which must be set). */
static int operand(const struct smp_arg *a, struct smp_env *env, long long *v)
{
    struct sample s;

    if (a->type == SMP_ARG_SINT) {
        *v = a->data.sint;
        return 1;
    }
    if (!vars_get(env, a->data.var.scope, a->data.var.name, &s) ||
        !smp_cast(&s, SMP_T_SINT, env))
        return 0;
    *v = s.data.sint;
    return 1;
}

static int c_bool(const struct smp_arg *args, void *priv, struct smp_env *env,
                  struct sample *smp)
{
    smp->type = SMP_T_BOOL;
    smp->data.sint = smp->data.sint != 0;
    return 1;
}

static int c_not(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *smp)
{
    smp->type = SMP_T_BOOL;
    smp->data.sint = smp->data.sint == 0;
    return 1;
}

static int c_odd(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *smp)
{
    smp->type = SMP_T_BOOL;
    smp->data.sint = smp->data.sint & 1;
    return 1;
}

static int c_even(const struct smp_arg *args, void *priv, struct smp_env *env,
                  struct sample *smp)
{
    smp->type = SMP_T_BOOL;
    smp->data.sint = !(smp->data.sint & 1);
    return 1;
}

static int c_neg(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *smp)
{
    smp->data.sint = smp->data.sint == LLONG_MIN ? LLONG_MAX : -smp->data.sint;
    return 1;
}

static int c_cpl(const struct smp_arg *args, void *priv, struct smp_env *env,
                 struct sample *smp)
{
    smp->data.sint = ~smp->data.sint;
    return 1;
}

/* Arithmetic saturates instead of wrapping, as HAProxy's. */
static int c_arith(const struct smp_arg *args, struct smp_env *env, struct sample *smp,
                   char op)
{
    long long a = smp->data.sint, b, r;
    int ovf = 0;

    if (!operand(&args[0], env, &b))
        return 0;
    switch (op) {
    case '+': ovf = __builtin_add_overflow(a, b, &r); break;
    case '-': ovf = __builtin_sub_overflow(a, b, &r); break;
    case '*': ovf = __builtin_mul_overflow(a, b, &r); break;
    case '/': r = !b || (a == LLONG_MIN && b == -1) ? LLONG_MAX : a / b; break;
    case '%': r = !b || b == -1 ? 0 : a % b; break;
    case '&': r = a & b; break;
    case '|': r = a | b; break;
    default: r = a ^ b; break;
    }
    if (ovf)
        r = (op == '*' ? (a < 0) != (b < 0) : op == '+' ? a < 0 : a < 0 && b > 0) ? LLONG_MIN
                                                                                 : LLONG_MAX;
    return set_sint(smp, r);
}

#define ARITH(fn, op) \
    static int fn(const struct smp_arg *args, void *priv, struct smp_env *env, \
                  struct sample *smp) \
    { \
        return c_arith(args, env, smp, op); \
    }
ARITH(c_add, '+')
ARITH(c_sub, '-')
ARITH(c_mul, '*')
ARITH(c_div, '/')
ARITH(c_mod, '%')
ARITH(c_and, '&')
ARITH(c_or, '|')
ARITH(c_xor, '^')

/* ---------------------------------------------------------------------------------------- */
/* Registration */

#define S SMP_T_STR
#define I SMP_T_SINT
#define A_NONE {SMP_ARG_NONE}
#define A_STR_STR {SMP_ARG_STR, SMP_ARG_STR}
#define A_SIS {SMP_ARG_SINT, SMP_ARG_STR, SMP_ARG_SINT}
#define A_SSS {SMP_ARG_STR, SMP_ARG_STR, SMP_ARG_STR}
#define A_SVS {SMP_ARG_STR, SMP_ARG_VAR, SMP_ARG_STR}
#define A_SINT {SMP_ARG_SINT}
#define A_SINT2 {SMP_ARG_SINT, SMP_ARG_SINT}
#define A_STR {SMP_ARG_STR}
#define A_MSK {SMP_ARG_MSK4, SMP_ARG_MSK6}
#define A_OPER {SMP_ARG_SINTVAR}
#define CONV(n, f, min, types, in, out) \
    {.name = n, .fn = f, .min_args = min, .arg_types = types, .in_type = in, .out_type = out}
#define CONV_CHK(n, f, min, types, in, out, chk, rel) \
    {.name = n, .fn = f, .min_args = min, .arg_types = types, .in_type = in, .out_type = out, \
     .check = chk, .release = rel}
#define MAP(n, in, out) CONV_CHK(n, c_map, 1, A_STR_STR, in, out, check_map, release_map)
#define MAP_ENTRIES(m, in) \
    MAP("map_" m, in, S), MAP("map_" m "_str", in, S), MAP("map_" m "_int", in, I), \
    MAP("map_" m "_ip", in, SMP_T_IPV4)

static struct smp_conv_kw conv_kws[] = {
    CONV("lower", c_lower, 0, A_NONE, S, S),
    CONV("upper", c_upper, 0, A_NONE, S, S),
    MAP("map", S, S),
    MAP_ENTRIES("str", S),
    MAP_ENTRIES("beg", S),
    MAP_ENTRIES("sub", S),
    MAP_ENTRIES("dir", S),
    MAP_ENTRIES("dom", S),
    MAP_ENTRIES("end", S),
    MAP_ENTRIES("reg", S),
    MAP_ENTRIES("int", I),
    MAP_ENTRIES("ip", SMP_T_ADDR),
    CONV_CHK("field", c_field, 2, A_SIS, S, S, check_field, NULL),
    CONV_CHK("word", c_word, 2, A_SIS, S, S, check_field, NULL),
    CONV_CHK("regsub", c_regsub, 2, A_SSS, S, S, check_regsub, release_regsub),
    CONV("ipmask", c_ipmask, 1, A_MSK, SMP_T_ADDR, SMP_T_IPV4),
    CONV("concat", c_concat, 0, A_SVS, S, S),
    CONV("base64", c_base64, 0, A_NONE, SMP_T_BIN, S),
    CONV("hex", c_hex, 0, A_NONE, SMP_T_BIN, S),
    CONV("length", c_length, 0, A_NONE, S, I),
    CONV("bytes", c_bytes, 1, A_SINT2, SMP_T_BIN, SMP_T_BIN),
    CONV("url_dec", c_url_dec, 0, A_SINT, S, S),
    CONV_CHK("json", c_json, 0, A_STR, S, S, check_json, NULL),
    CONV("bool", c_bool, 0, A_NONE, I, SMP_T_BOOL),
    CONV("not", c_not, 0, A_NONE, I, SMP_T_BOOL),
    CONV("odd", c_odd, 0, A_NONE, I, SMP_T_BOOL),
    CONV("even", c_even, 0, A_NONE, I, SMP_T_BOOL),
    CONV("neg", c_neg, 0, A_NONE, I, I),
    CONV("cpl", c_cpl, 0, A_NONE, I, I),
    CONV("add", c_add, 1, A_OPER, I, I),
    CONV("sub", c_sub, 1, A_OPER, I, I),
    CONV("mul", c_mul, 1, A_OPER, I, I),
    CONV("div", c_div, 1, A_OPER, I, I),
    CONV("mod", c_mod, 1, A_OPER, I, I),
    CONV("and", c_and, 1, A_OPER, I, I),
    CONV("or", c_or, 1, A_OPER, I, I),
    CONV("xor", c_xor, 1, A_OPER, I, I),
    {0},
};

static void conv_register(void)
{
    smp_register_convs(conv_kws);
}
INITCALL(conv_register)
