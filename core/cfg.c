/* Configuration engine: tokenizer, environment expansion, registration, dispatch, setters. */
#include "cfg.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "log.h"
#include "parse.h"

/* Registered sections and keyword tables (filled by INITCALLs, read-only afterwards). */
static struct cfg_section *cfg_sections;
static unsigned cfg_next_bit = 1;
static struct kwtab {
    struct cfg_kw *kws;
    struct kwtab *next;
} *cfg_kwtabs;
static struct check {
    int prio;
    cfg_check_fn fn;
    struct check *next;
} *cfg_checks;

int cfg_total_errors, cfg_total_warnings;

void cfg_register_section(struct cfg_section *sec)
{
    struct cfg_section **p = &cfg_sections;

    sec->bit = cfg_next_bit;
    cfg_next_bit <<= 1;
    while (*p)
        p = &(*p)->next;
    *p = sec;
}

void cfg_register_keywords(struct cfg_kw *kws)
{
    struct kwtab *t = str_zalloc(sizeof(*t)), **p = &cfg_kwtabs;

    t->kws = kws;
    while (*p)
        p = &(*p)->next;
    *p = t;
}

void cfg_register_check(int prio, cfg_check_fn fn)
{
    struct check *c = str_zalloc(sizeof(*c)), **p = &cfg_checks;

    c->prio = prio;
    c->fn = fn;
    while (*p && (*p)->prio <= prio)
        p = &(*p)->next;
    c->next = *p;
    *p = c;
}

/* ---------------------------------------------------------------------------------------- */
/* Interned strings: file names and section names referenced by objects for their lifetime. */

const char *cfg_intern(const char *s)
{
    static struct istr {
        struct istr *next;
        char s[];
    } *list;
    struct istr *i;

    for (i = list; i; i = i->next)
        if (!strcmp(i->s, s))
            return i->s;
    i = str_zalloc(sizeof(*i) + strlen(s) + 1);
    strcpy(i->s, s);
    i->next = list;
    list = i;
    return i->s;
}

/* ---------------------------------------------------------------------------------------- */
/* Tokenizer */

static int is_name_start(int c)
{
    return isalpha(c) || c == '_';
}

static int is_name_char(int c)
{
    return isalnum(c) || c == '_';
}

/* Where the line being tokenized comes from, for HAProxy's pseudo-variables ${.FILE},
 * ${.LINE} and ${.SECTION}; set by cfg_parse_text(). */
static struct {
    const char *file;    /* NULL: not reading a file (unit tests) */
    int line;
    const char *section; /* name of the current section, or its keyword when unnamed */
} tok_where;

/* Value of variable name: the environment's, or a pseudo-variable's (name starts with '.').
 * Returns 0 with *val (NULL when unset), or -1 with *err for an unknown pseudo-variable. */
static int var_value(const char *name, const char **val, char *tmp, size_t tmplen, char **err)
{
    if (*name != '.') {
        *val = getenv(name);
        return 0;
    }
    if (!strcmp(name, ".LINE")) {
        snprintf(tmp, tmplen, "%d", tok_where.line);
        *val = tok_where.file ? tmp : NULL;
    } else if (!strcmp(name, ".FILE")) {
        *val = tok_where.file;
    } else if (!strcmp(name, ".SECTION")) {
        *val = tok_where.section;
    } else {
        return str_printf(err, "unknown pseudo-variable '%s' (expected .FILE, .LINE or "
                               ".SECTION)", name);
    }
    return 0;
}

int cfg_expand_var(const char *p, const char **end, struct strbuf *out, int *split, char **err)
{
    char name[256], tmp[32];
    const char *q, *b, *val = NULL, *def = NULL;
    size_t nl, dl = 0;
    int brace = p[1] == '{';

    *split = 0;
    /* As HAProxy 2.6's parse_line(): the name starts with a letter, '_' or (pseudo-variables)
     * '.', and goes on with letters, digits and '_'; anything else after '$' is an error. */
    b = q = p + 1 + brace;
    if (!is_name_start((unsigned char)*q) && *q != '.') {
        if (brace)
            return str_printf(err, "invalid environment variable name after '${'");
        return str_printf(err, "forbidden first char in environment variable name after "
                               "'$' (write '\\$' for a dollar sign in double quotes)");
    }
    for (q++; is_name_char((unsigned char)*q); q++)
        ;
    nl = (size_t)(q - b);
    if (nl >= sizeof(name))
        return str_printf(err, "environment variable name too long");
    memcpy(name, b, nl);
    name[nl] = 0;
    if (var_value(name, &val, tmp, sizeof(tmp), err) < 0)
        return -1;
    if (brace) {
        /* "[*]" first, then "-default" (which is split too): "${V[*]-a b}" */
        if (*q == '[') {
            if (strncmp(q, "[*]", 3))
                return str_printf(err, "invalid word expansion after environment variable "
                                       "'%s' (expected '[*]')", name);
            *split = 1;
            q += 3;
        }
        if (*q == '-') {
            def = ++q;
            while (*q && *q != '}')
                q++;
            dl = (size_t)(q - def);
        }
        if (*q != '}')
            return str_printf(err, "missing '}' after environment variable '%s'", name);
        q++;
    }
    *end = q;
    /* As in HAProxy, a default replaces an unset variable, not an empty one. */
    if (val)
        return strbuf_add(out, val, strlen(val));
    if (def)
        return strbuf_add(out, def, dl);
    return 0;
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = tolower(c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Tokenizer state shared by its helpers. */
struct tok {
    struct strbuf sb;               /* output: words separated by NULs */
    size_t starts[CFG_MAX_ARGS + 1];
    int n;                          /* words started */
    int inword;                     /* a word is open */
    int drop_empty;                 /* the open word came from a "[*]" expansion: drop it
                                     * if it ends empty */
};

static int tok_open(struct tok *t, char **err)
{
    if (t->inword)
        return 0;
    if (t->n >= CFG_MAX_ARGS)
        return str_printf(err, "too many words on one line (max %d)", CFG_MAX_ARGS);
    t->starts[t->n++] = t->sb.len;
    t->inword = 1;
    return 0;
}

static int tok_close(struct tok *t)
{
    if (!t->inword)
        return 0;
    t->inword = 0;
    if (t->drop_empty && t->sb.len == t->starts[t->n - 1]) {
        t->drop_empty = 0;
        t->n--;
        return 0;
    }
    t->drop_empty = 0;
    return strbuf_add(&t->sb, "", 1); /* the NUL ending the word */
}

/* Closes the current word, or drops it when it is still empty. */
static int tok_close_nonempty(struct tok *t)
{
    if (t->inword && t->sb.len == t->starts[t->n - 1]) {
        t->n--;
        t->inword = 0;
        t->drop_empty = 0;
        return 0;
    }
    return tok_close(t);
}

static int tok_char(struct tok *t, char c, char **err)
{
    if (tok_open(t, err) < 0)
        return -1;
    t->drop_empty = 0;
    return strbuf_add(&t->sb, &c, 1);
}

/* Handles a backslash at p (not inside single quotes; dquoted: inside double quotes).
 * Returns the bytes consumed or -1. */
static int tok_escape(struct tok *t, const char *p, int dquoted, char **err)
{
    int h1, h2;

    switch (p[1]) {
    case '$':
        /* "\$" is an escape inside double quotes only, where '$' is special; elsewhere the
         * backslash stays, as in HAProxy: unquoted, "path_reg ^/a\$" keeps its '\$' */
        if (!dquoted)
            return tok_char(t, '\\', err) < 0 ? -1 : 1;
        return tok_char(t, '$', err) < 0 ? -1 : 2;
    case ' ': case '#': case '\\': case '"': case '\'':
        return tok_char(t, p[1], err) < 0 ? -1 : 2;
    case 'r':
        return tok_char(t, '\r', err) < 0 ? -1 : 2;
    case 'n':
        return tok_char(t, '\n', err) < 0 ? -1 : 2;
    case 't':
        return tok_char(t, '\t', err) < 0 ? -1 : 2;
    case 'x':
        h1 = p[2] ? hexval((unsigned char)p[2]) : -1;
        h2 = h1 >= 0 && p[3] ? hexval((unsigned char)p[3]) : -1;
        if (h2 < 0)
            return str_printf(err, "invalid '\\x' escape (expected two hexadecimal digits)");
        return tok_char(t, (char)(h1 * 16 + h2), err) < 0 ? -1 : 4;
    case 0:
        return tok_char(t, '\\', err) < 0 ? -1 : 1;
    default:
        /* Unknown escapes are kept verbatim so that regexes like "\." survive. */
        if (tok_char(t, '\\', err) < 0 || tok_char(t, p[1], err) < 0)
            return -1;
        return 2;
    }
}

/* Expands a variable at p into the current word(s). Returns bytes consumed or -1. */
static int tok_var(struct tok *t, const char *p, char **err)
{
    struct strbuf val = {0};
    const char *end;
    int split, ret = -1;

    if (cfg_expand_var(p, &end, &val, &split, err) < 0)
        goto out;
    if (split) {
        /* "${VAR[*]}": each space-separated part of the value becomes its own word; blanks
         * make no empty word, and an empty value none at all (as in HAProxy: an unset list
         * gives no pattern, not an empty one that would match everything) */
        for (size_t i = 0; i < val.len; i++) {
            if (val.buf[i] == ' ' || val.buf[i] == '\t') {
                if (tok_close_nonempty(t) < 0)
                    goto out;
            } else if (tok_char(t, val.buf[i], err) < 0) {
                goto out;
            }
        }
        /* an empty word left open here is dropped at its end unless text is glued to it */
        if (t->inword && t->sb.len == t->starts[t->n - 1])
            t->drop_empty = 1;
    } else {
        /* An expansion opens a word even when empty: "${EMPTY}" alone is an empty word */
        if (tok_open(t, err) < 0)
            goto out;
        if (val.len && strbuf_add(&t->sb, val.buf, val.len) < 0)
            goto out;
    }
    ret = (int)(end - p);
out:
    strbuf_free(&val);
    return ret;
}

int cfg_tokenize(const char *line, struct cfg_words *w, char **err)
{
    struct tok t = {.sb = {.buf = w->buf, .cap = w->cap}};
    const char *p = line;
    char quote = 0;
    int r;

    t.sb.len = 0;
    for (;;) {
        char c = *p;

        if (!c || (!quote && (c == '#' || c == '\n' || c == '\r'))) {
            if (quote) {
                r = str_printf(err, "missing closing %s quote", quote == '"' ? "double" : "single");
                goto fail;
            }
            break;
        }
        if (!quote && (c == ' ' || c == '\t')) {
            if (tok_close(&t) < 0)
                goto oom;
            p++;
        } else if (quote != '\'' && c == '\\') {
            r = tok_escape(&t, p, quote == '"', err);
            if (r < 0)
                goto fail;
            p += r;
        } else if (c == '"' || c == '\'') {
            if (quote == c) {
                quote = 0;
            } else if (!quote) {
                quote = c;
                if (tok_open(&t, err) < 0)
                    goto fail;
            } else if (tok_char(&t, c, err) < 0) {
                goto fail;
            }
            p++;
        } else if (quote == '"' && c == '$') {
            /* as in HAProxy, variables are expanded inside double quotes only */
            r = tok_var(&t, p, err);
            if (r < 0)
                goto fail;
            p += r;
        } else {
            if (tok_char(&t, c, err) < 0)
                goto fail;
            p++;
        }
    }
    if (tok_close(&t) < 0)
        goto oom;
    w->buf = t.sb.buf;
    w->cap = t.sb.cap;
    for (int i = 0; i < t.n; i++)
        w->args[i] = w->buf + t.starts[i];
    w->args[t.n] = NULL;
    w->nargs = t.n;
    return t.n;
oom:
    str_printf(err, "out of memory");
fail:
    w->buf = t.sb.buf;
    w->cap = t.sb.cap;
    w->nargs = 0;
    w->args[0] = NULL;
    return -1;
}

void cfg_words_free(struct cfg_words *w)
{
    free(w->buf);
    w->buf = NULL;
    w->cap = 0;
    w->nargs = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Messages */

static void where_str(const struct cfg_where *w, char *buf, size_t len)
{
    if (!w->sec_kind)
        snprintf(buf, len, "%s:%d: ", w->file, w->line);
    else if (!strcmp(w->sec_kind, "global"))
        snprintf(buf, len, "%s:%d: in section 'global': ", w->file, w->line);
    else if (!w->sec_name || !*w->sec_name)
        snprintf(buf, len, "%s:%d: in %s section: ", w->file, w->line, w->sec_kind);
    else
        snprintf(buf, len, "%s:%d: in %s '%s': ", w->file, w->line, w->sec_kind, w->sec_name);
}

static void report(enum log_level lvl, const struct cfg_where *w, const char *kw,
                   const char *fmt, va_list ap)
{
    char where[512], msg[1536];

    where_str(w, where, sizeof(where));
    vsnprintf(msg, sizeof(msg), fmt, ap);
    log_msg(lvl, "%s%s%s%s", where, kw ? kw : "", kw ? ": " : "", msg);
}

void cfg_alert_at(const struct cfg_where *w, const char *kw, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(LOG_LVL_ALERT, w, kw, fmt, ap);
    va_end(ap);
    cfg_total_errors++;
}

void cfg_warn_at(const struct cfg_where *w, const char *kw, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    report(LOG_LVL_WARNING, w, kw, fmt, ap);
    va_end(ap);
    cfg_total_warnings++;
}

void cfg_where_here(const struct cfg_ctx *ctx, struct cfg_where *w)
{
    w->file = ctx->file;
    w->line = ctx->line;
    w->sec_kind = ctx->sec ? ctx->sec->name : NULL;
    w->sec_name = ctx->sec_name;
}

/* ---------------------------------------------------------------------------------------- */
/* Lookup and suggestions */

static struct cfg_section *find_section(const char *name)
{
    for (struct cfg_section *s = cfg_sections; s; s = s->next)
        if (!strcmp(s->name, name))
            return s;
    return NULL;
}

/* Returns 1 when kw may appear in section sec. */
static int kw_in_section(const struct cfg_kw *kw, const struct cfg_section *sec)
{
    size_t l = strlen(sec->name);

    for (const char *p = kw->sections; (p = strstr(p, sec->name)); p += l)
        if ((p == kw->sections || p[-1] == ' ') && (p[l] == ' ' || !p[l]))
            return 1;
    return 0;
}

/* Finds keyword `name`; prefers the entry valid in sec when several modules register the
 * same word for different sections. */
static const struct cfg_kw *find_kw(const char *name, const struct cfg_section *sec)
{
    const struct cfg_kw *any = NULL;

    for (struct kwtab *t = cfg_kwtabs; t; t = t->next)
        for (const struct cfg_kw *kw = t->kws; kw->name; kw++)
            if (!strcmp(kw->name, name)) {
                if (kw_in_section(kw, sec))
                    return kw;
                any = any ? any : kw;
            }
    return any;
}

/* Two-word keywords ("option httplog"): returns the entry matching args[0] args[1], or NULL. */
static const struct cfg_kw *find_kw2(char **args, int n, const struct cfg_section *sec)
{
    size_t l0 = strlen(args[0]);
    const struct cfg_kw *any = NULL;

    if (n < 2)
        return NULL;
    for (struct kwtab *t = cfg_kwtabs; t; t = t->next)
        for (const struct cfg_kw *kw = t->kws; kw->name; kw++)
            if (!strncmp(kw->name, args[0], l0) && kw->name[l0] == ' ' &&
                !strcmp(kw->name + l0 + 1, args[1])) {
                if (kw_in_section(kw, sec))
                    return kw;
                any = any ? any : kw;
            }
    return any;
}

/* Returns 1 when some two-word keyword starts with word (a family such as "option"). */
static int is_kw_family(const char *word)
{
    size_t l = strlen(word);

    for (struct kwtab *t = cfg_kwtabs; t; t = t->next)
        for (const struct cfg_kw *kw = t->kws; kw->name; kw++)
            if (!strncmp(kw->name, word, l) && kw->name[l] == ' ')
                return 1;
    return 0;
}

/* Keeps the best candidate: a distance small relative to the word's length. */
static void consider(const char *word, const char *cand, const char **best, int *bestd)
{
    int d = str_distance(word, cand), len = (int)strlen(word);
    int limit = len <= 4 ? 1 : len <= 8 ? 2 : 3;

    /* A keyword that starts with the word is a good guess too ("timeo" -> "timeout"). */
    if (d > limit && !strncmp(cand, word, strlen(word)) && len >= 3)
        d = limit;
    if (d <= limit && d < *bestd) {
        *best = cand;
        *bestd = d;
    }
}

const char *cfg_suggest(const char *word, const struct cfg_section *sec)
{
    const char *best = NULL;
    int bestd = 1000;

    if (!sec) {
        for (struct cfg_section *s = cfg_sections; s; s = s->next)
            consider(word, s->name, &best, &bestd);
        return best;
    }
    for (struct kwtab *t = cfg_kwtabs; t; t = t->next)
        for (const struct cfg_kw *kw = t->kws; kw->name; kw++)
            if (kw_in_section(kw, sec))
                consider(word, kw->name, &best, &bestd);
    return best;
}

const char *cfg_suggest_list(const char *word, const char *const *list)
{
    const char *best = NULL;
    int bestd = 1000;

    for (; list && *list; list++)
        consider(word, *list, &best, &bestd);
    return best;
}

int cfg_in_list(const char *word, const char *const *list)
{
    for (; list && *list; list++)
        if (!strcmp(*list, word))
            return 1;
    return 0;
}

int cfg_seen(struct cfg_ctx *ctx, const char *key)
{
    for (int i = 0; i < ctx->nseen; i++)
        if (!strcmp(ctx->seen[i].key, key)) {
            int prev = ctx->seen[i].line;

            ctx->seen[i].line = ctx->line;
            return prev;
        }
    if (ctx->nseen == ctx->capseen) {
        ctx->capseen = ctx->capseen ? ctx->capseen * 2 : 16;
        ctx->seen = realloc(ctx->seen, sizeof(*ctx->seen) * (size_t)ctx->capseen);
        if (!ctx->seen)
            abort();
    }
    ctx->seen[ctx->nseen].key = str_dup(key);
    ctx->seen[ctx->nseen].line = ctx->line;
    ctx->nseen++;
    return 0;
}

static void seen_clear(struct cfg_ctx *ctx)
{
    for (int i = 0; i < ctx->nseen; i++)
        free(ctx->seen[i].key);
    ctx->nseen = 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Dispatch */

static void ctx_alert(struct cfg_ctx *ctx, const char *kw, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void ctx_alert(struct cfg_ctx *ctx, const char *kw, const char *fmt, ...)
{
    struct cfg_where w;
    va_list ap;

    cfg_where_here(ctx, &w);
    va_start(ap, fmt);
    report(LOG_LVL_ALERT, &w, kw, fmt, ap);
    va_end(ap);
    ctx->errors++;
    cfg_total_errors++;
}

/* Reports a parser's result: error, warning or nothing. */
static void ctx_result(struct cfg_ctx *ctx, const char *kw, int rc, char *err)
{
    struct cfg_where w;

    if (rc == 0)
        return;
    cfg_where_here(ctx, &w);
    if (rc < 0) {
        ctx_alert(ctx, kw, "%s", err ? err : "invalid arguments");
    } else {
        cfg_warn_at(&w, kw, "%s", err ? err : "warning");
        ctx->warnings++;
    }
}

static void end_section(struct cfg_ctx *ctx)
{
    char *err = NULL;
    int rc;

    if (ctx->sec && ctx->sec->end) {
        rc = ctx->sec->end(ctx, &err);
        ctx_result(ctx, NULL, rc, err);
        free(err);
    }
    ctx->sec = NULL;
    ctx->obj = NULL;
    ctx->sec_name = "";
    seen_clear(ctx);
}

static void begin_section(struct cfg_ctx *ctx, struct cfg_section *sec, char **args, int n)
{
    char *err = NULL;
    int rc;

    end_section(ctx);
    ctx->skipping = 0;
    ctx->sec = sec;
    ctx->sec_name = "";
    rc = sec->begin(args, n, ctx, &err);
    if (rc < 0) {
        /* The section could not be created: report once and skip its lines. */
        ctx_alert(ctx, args[0], "%s", err ? err : "invalid section");
        ctx->sec = NULL;
        ctx->skipping = 1;
    } else {
        ctx_result(ctx, args[0], rc, err);
    }
    free(err);
}

/* "option foo" with no such option: suggest among the registered members of the family. */
static void unknown_family_member(struct cfg_ctx *ctx, char **args, int n)
{
    const char *names[256], *sugg;
    size_t l = strlen(args[0]);
    int k = 0;

    if (n < 2) {
        ctx_alert(ctx, args[0], "missing name (usage: %s <name> ...)", args[0]);
        return;
    }
    if (!strcmp(args[0], "option") && cfg_in_list(args[1], cfg_haproxy_option_kws)) {
        ctx_alert(ctx, args[0], "HAProxy option '%s' is not supported by sluice yet", args[1]);
        return;
    }
    for (struct kwtab *t = cfg_kwtabs; t; t = t->next)
        for (const struct cfg_kw *kw = t->kws; kw->name && k < 255; kw++)
            if (!strncmp(kw->name, args[0], l) && kw->name[l] == ' ' &&
                kw_in_section(kw, ctx->sec))
                names[k++] = kw->name + l + 1;
    names[k] = NULL;
    sugg = cfg_suggest_list(args[1], names);
    if (sugg)
        ctx_alert(ctx, args[0], "unknown %s '%s'; did you mean '%s'?", args[0], args[1], sugg);
    else
        ctx_alert(ctx, args[0], "unknown %s '%s'", args[0], args[1]);
}

static void unknown_kw(struct cfg_ctx *ctx, const char *word, const struct cfg_kw *other)
{
    const char *sugg;

    if (other) {
        ctx_alert(ctx, word, "not allowed in a %s section (allowed in: %s)", ctx->sec->name,
                  other->sections);
        return;
    }
    if (cfg_in_list(word, ctx->sec->haproxy_kws)) {
        ctx_alert(ctx, word, "HAProxy keyword not supported by sluice yet");
        return;
    }
    sugg = cfg_suggest(word, ctx->sec);
    if (sugg)
        ctx_alert(ctx, word, "unknown keyword; did you mean '%s'?", sugg);
    else
        ctx_alert(ctx, word, "unknown keyword");
}

static void dispatch(struct cfg_ctx *ctx, char **args, int n)
{
    struct cfg_section *sec = find_section(args[0]);
    const struct cfg_kw *kw;
    char *err = NULL;
    int rc, nargs, nwords = 1;

    if (sec) {
        begin_section(ctx, sec, args, n);
        return;
    }
    if (cfg_in_list(args[0], cfg_haproxy_sections)) {
        end_section(ctx);
        ctx_alert(ctx, NULL, "section '%s' is an HAProxy section not supported by sluice yet",
                  args[0]);
        ctx->skipping = 1;
        return;
    }
    if (ctx->skipping)
        return;
    if (!ctx->sec) {
        const char *sugg = cfg_suggest(args[0], NULL);

        ctx_alert(ctx, NULL, "'%s' outside of any section%s%s%s", args[0],
                  sugg ? "; did you mean section '" : "", sugg ? sugg : "", sugg ? "'?" : "");
        return;
    }
    ctx->negated = 0;
    if (!strcmp(args[0], "no") && n > 1) {
        ctx->negated = 1;
        args++;
        n--;
    }
    kw = find_kw2(args, n, ctx->sec);
    if (kw) {
        nwords = 2;
    } else if (!find_kw(args[0], ctx->sec) && is_kw_family(args[0])) {
        unknown_family_member(ctx, args, n);
        return;
    } else {
        kw = find_kw(args[0], ctx->sec);
    }
    if (!kw || !kw_in_section(kw, ctx->sec)) {
        unknown_kw(ctx, nwords == 2 ? kw->name : args[0], kw);
        return;
    }
    if (ctx->negated && !(kw->flags & CFG_KW_F_NO)) {
        ctx_alert(ctx, args[0], "'no' is not allowed before this keyword");
        return;
    }
    nargs = n - nwords;
    if (nargs < kw->min_args || (kw->max_args >= 0 && nargs > kw->max_args)) {
        const char *what = nargs < kw->min_args ? "missing argument" : "too many arguments";

        ctx_alert(ctx, kw->name, "%s (usage: %s)", what, kw->usage ? kw->usage : kw->name);
        return;
    }
    rc = kw->parse(args, n, ctx, kw, &err);
    ctx_result(ctx, kw->name, rc, err);
    free(err);
}

int cfg_parse_text(struct cfg_ctx *ctx, const char *name, const char *text)
{
    struct cfg_words w = {0};
    const char *p = text;
    char *err = NULL;

    ctx->file = cfg_intern(name);
    ctx->line = 0;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char *line;

        ctx->line++;
        tok_where.file = ctx->file;
        tok_where.line = ctx->line;
        tok_where.section = !ctx->sec ? NULL : *ctx->sec_name ? ctx->sec_name : ctx->sec->name;
        if (len > CFG_MAX_LINE) {
            ctx_alert(ctx, NULL, "line too long (max %d bytes)", CFG_MAX_LINE);
        } else {
            line = strndup(p, len);
            if (!line)
                abort();
            if (cfg_tokenize(line, &w, &err) < 0)
                ctx_alert(ctx, NULL, "%s", err);
            else if (w.nargs > 0)
                dispatch(ctx, w.args, w.nargs);
            free(line);
            free(err);
            err = NULL;
        }
        p += len;
        if (*p == '\n')
            p++;
    }
    cfg_words_free(&w);
    tok_where.file = tok_where.section = NULL;
    return 0;
}

static int load_file(struct cfg_ctx *ctx, const char *path)
{
    struct strbuf sb = {0};
    char chunk[65536];
    size_t n;
    FILE *f = fopen(path, "r");

    if (!f) {
        log_alert("cannot open configuration file '%s': %s", path, strerror(errno));
        ctx->errors++;
        cfg_total_errors++;
        return -1;
    }
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
        if (strbuf_add(&sb, chunk, n) < 0)
            abort();
    if (ferror(f)) {
        log_alert("cannot read configuration file '%s': %s", path, strerror(errno));
        fclose(f);
        strbuf_free(&sb);
        ctx->errors++;
        cfg_total_errors++;
        return -1;
    }
    fclose(f);
    if (sb.len && memchr(sb.buf, 0, sb.len)) {
        log_alert("configuration file '%s' contains a NUL byte (binary file?)", path);
        strbuf_free(&sb);
        ctx->errors++;
        cfg_total_errors++;
        return -1;
    }
    /* Sections do not continue across files, as in HAProxy. */
    end_section(ctx);
    ctx->skipping = 0;
    cfg_parse_text(ctx, path, sb.buf ? sb.buf : "");
    end_section(ctx);
    strbuf_free(&sb);
    return 0;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_cfg_name(const struct dirent *d)
{
    size_t l = strlen(d->d_name);

    return d->d_name[0] != '.' && l > 4 && !strcmp(d->d_name + l - 4, ".cfg");
}

int cfg_load_path(struct cfg_ctx *ctx, const char *path)
{
    struct dirent **ents;
    struct stat st;
    int n;

    if (stat(path, &st) < 0) {
        log_alert("cannot open configuration file '%s': %s", path, strerror(errno));
        ctx->errors++;
        cfg_total_errors++;
        return -1;
    }
    if (!S_ISDIR(st.st_mode))
        return load_file(ctx, path);
    n = scandir(path, &ents, is_cfg_name, cmp_names);
    if (n < 0) {
        log_alert("cannot read configuration directory '%s': %s", path, strerror(errno));
        ctx->errors++;
        cfg_total_errors++;
        return -1;
    }
    for (int i = 0; i < n; i++) {
        char full[4096];

        snprintf(full, sizeof(full), "%s/%s", path, ents[i]->d_name);
        load_file(ctx, full);
        free(ents[i]);
    }
    free(ents);
    return 0;
}

int cfg_finish(struct cfg_ctx *ctx)
{
    end_section(ctx);
    free(ctx->seen);
    ctx->seen = NULL;
    ctx->capseen = 0;
    for (struct check *c = cfg_checks; c; c = c->next)
        c->fn();
    return cfg_total_errors;
}

/* ---------------------------------------------------------------------------------------- */
/* Options of keyword lines */

void cfg_optset_register(struct cfg_optset *set, struct cfg_opt *opts)
{
    struct cfg_opt_tab *t = str_zalloc(sizeof(*t));

    t->opts = opts;
    t->next = set->tabs;
    set->tabs = t;
}

static const struct cfg_opt *optset_find(const struct cfg_optset *set, const char *name)
{
    for (const struct cfg_opt_tab *t = set->tabs; t; t = t->next)
        for (const struct cfg_opt *o = t->opts; o->name; o++)
            if (!strcmp(o->name, name))
                return o;
    return NULL;
}

static const char *optset_suggest(const struct cfg_optset *set, const char *word)
{
    const char *names[256];
    int n = 0;

    for (const struct cfg_opt_tab *t = set->tabs; t; t = t->next)
        for (const struct cfg_opt *o = t->opts; o->name && n < 255; o++)
            names[n++] = o->name;
    names[n] = NULL;
    return cfg_suggest_list(word, names);
}

int cfg_optset_apply(struct cfg_optset *set, char **args, int first, int nargs, void *obj,
                     char **err)
{
    int warn = 0;

    for (int i = first; i < nargs;) {
        const struct cfg_opt *o = optset_find(set, args[i]);
        int rc;

        if (!o) {
            const char *sugg = optset_suggest(set, args[i]);

            if (cfg_in_list(args[i], set->haproxy))
                return str_printf(err, "HAProxy %s '%s' is not supported by sluice yet",
                                  set->what, args[i]);
            return str_printf(err, "unknown option '%s'%s%s%s", args[i],
                              sugg ? "; did you mean '" : "", sugg ? sugg : "",
                              sugg ? "'?" : "");
        }
        if (o->nargs > 0 && i + o->nargs >= nargs)
            return str_printf(err, "option '%s' expects %d argument%s", o->name, o->nargs,
                              o->nargs > 1 ? "s" : "");
        rc = o->parse(args + i, obj, err);
        if (rc < 0)
            return -1;
        warn |= rc > 0;
        i += 1 + o->nargs;
    }
    return warn;
}

/* ---------------------------------------------------------------------------------------- */
/* Generic setters */

/* Warns (returns 1) when the key was already set in this section. */
static int dup_warning(struct cfg_ctx *ctx, const char *key, char **err)
{
    int prev = cfg_seen(ctx, key);

    if (prev)
        return str_printf(err, "overrides the value set at line %d", prev), 1;
    return 0;
}

int cfg_set_int(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw, char **err)
{
    long long v;

    if (parse_int(args[1], kw->min, kw->max, &v, err) < 0)
        return -1;
    *(int *)((char *)ctx->obj + kw->offset) = (int)v;
    return dup_warning(ctx, args[0], err);
}

int cfg_set_time(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw, char **err)
{
    int ms;

    if (parse_time(args[1], &ms, err) < 0)
        return -1;
    *(int *)((char *)ctx->obj + kw->offset) = ms;
    return dup_warning(ctx, args[0], err);
}

int cfg_set_size(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw, char **err)
{
    unsigned long long v;

    if (parse_size(args[1], kw->max > 0 ? (unsigned long long)kw->max : ~0ULL, &v, err) < 0)
        return -1;
    if ((long long)v < kw->min)
        return str_printf(err, "size %s is too small (min %lld)", args[1], kw->min);
    *(unsigned long long *)((char *)ctx->obj + kw->offset) = v;
    return dup_warning(ctx, args[0], err);
}

int cfg_set_flag(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw, char **err)
{
    *(int *)((char *)ctx->obj + kw->offset) = !ctx->negated;
    return 0;
}

int cfg_set_str(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw, char **err)
{
    char **field = (char **)((char *)ctx->obj + kw->offset);

    free(*field);
    *field = str_dup(args[1]);
    return dup_warning(ctx, args[0], err);
}
