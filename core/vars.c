/* Variables ("txn.name"...): one list per scope in struct var_store. Scopes with an arena
 * (every per-connection and per-request scope) allocate there and are forgotten in one go when
 * the stream resets them; the process scope has no arena and uses malloc, freeing what a new
 * value replaces. Lists are short (a handful of variables per scope): a linear search by name
 * costs less than hashing. */
#include "sample.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "sample-kw.h"
#include "str.h"

struct var {
    struct var *next;    /* next variable of the same scope */
    char *name;          /* NUL-terminated, in the store's arena or malloc'd */
    struct sample smp;   /* value; strings and binaries point to buf */
    char *buf;           /* bytes of a string/binary value */
    size_t cap;          /* bytes available at buf */
};

static const char *const scope_names[VAR_SCOPE_COUNT] = {
    [VAR_SCOPE_PROC] = "proc", [VAR_SCOPE_SESS] = "sess", [VAR_SCOPE_TXN] = "txn",
    [VAR_SCOPE_REQ] = "req",   [VAR_SCOPE_RES] = "res",
};

int vars_parse_name(const char *text, enum var_scope *scope, const char **name, char **err)
{
    const char *p = NULL;
    int s;

    for (s = 0; s < VAR_SCOPE_COUNT; s++) {
        size_t l = strlen(scope_names[s]);

        if (!strncmp(text, scope_names[s], l) && text[l] == '.') {
            p = text + l + 1;
            break;
        }
    }
    if (!p)
        return str_printf(err, "invalid variable name '%s': a variable name starts with its "
                               "scope, one of 'proc', 'sess', 'txn', 'req' or 'res', and a "
                               "dot", text);
    if (!*p)
        return str_printf(err, "missing name after the scope in variable '%s'", text);
    for (const char *c = p; *c; c++)
        if (!isalnum((unsigned char)*c) && *c != '.' && *c != '_')
            return str_printf(err, "invalid character '%c' in variable name '%s' (allowed: "
                                   "letters, digits, '.' and '_')", *c, text);
    *scope = (enum var_scope)s;
    *name = p;
    return 0;
}

static struct var *find(const struct var_store *st, const char *name)
{
    for (struct var *v = st->head; v; v = v->next)
        if (!strcmp(v->name, name))
            return v;
    return NULL;
}

static void *store_alloc(struct var_store *st, size_t n)
{
    return st->arena ? arena_alloc(st->arena, n) : malloc(n);
}

static void var_free(struct var_store *st, struct var *v)
{
    if (st->arena)
        return; /* freed with the arena */
    free(v->buf);
    free(v->name);
    free(v);
}

/* Stores the bytes of a string/binary sample in v->buf (which the sample may point into:
 * "set-var(txn.x) var(txn.x),field(2,:)"). Returns 0 or -1 (v unchanged). */
static int store_bytes(struct var_store *st, struct var *v, const struct sample *smp)
{
    size_t len = smp->data.str.len;
    char *buf = v->buf;

    if (len + 1 > v->cap || !buf) {
        buf = store_alloc(st, len + 1);
        if (!buf)
            return -1;
        memcpy(buf, smp->data.str.ptr, len);
        if (!st->arena)
            free(v->buf);
        v->buf = buf;
        v->cap = len + 1;
    } else {
        memmove(buf, smp->data.str.ptr, len);
    }
    buf[len] = 0;
    v->smp = *smp;
    v->smp.data.str.ptr = buf;
    v->smp.flags &= ~SMP_F_CONST;
    return 0;
}

int vars_set(struct smp_env *env, enum var_scope scope, const char *name,
             const struct sample *smp)
{
    struct var_store *st;
    struct var *v;
    size_t nlen;

    if ((unsigned)scope >= VAR_SCOPE_COUNT || !env || !(st = env->vars[scope]))
        return -1;
    v = find(st, name);
    if (!v) {
        nlen = strlen(name);
        v = store_alloc(st, sizeof(*v));
        if (!v)
            return -1;
        *v = (struct var){.name = store_alloc(st, nlen + 1)};
        if (!v->name) {
            if (!st->arena)
                free(v);
            return -1;
        }
        memcpy(v->name, name, nlen + 1);
        v->next = st->head;
        st->head = v;
    }
    if (smp->type == SMP_T_STR || smp->type == SMP_T_BIN)
        return store_bytes(st, v, smp);
    v->smp = *smp;
    return 0;
}

void vars_unset(struct smp_env *env, enum var_scope scope, const char *name)
{
    struct var_store *st;

    if ((unsigned)scope >= VAR_SCOPE_COUNT || !env || !(st = env->vars[scope]))
        return;
    for (struct var **pv = &st->head; *pv; pv = &(*pv)->next)
        if (!strcmp((*pv)->name, name)) {
            struct var *v = *pv;

            *pv = v->next;
            var_free(st, v);
            return;
        }
}

int vars_get(struct smp_env *env, enum var_scope scope, const char *name, struct sample *out)
{
    struct var_store *st;
    struct var *v;

    if ((unsigned)scope >= VAR_SCOPE_COUNT || !env || !(st = env->vars[scope]))
        return 0;
    v = find(st, name);
    if (!v)
        return 0;
    *out = v->smp;
    /* the bytes belong to the variable: converters must copy them before writing */
    if (out->type == SMP_T_STR || out->type == SMP_T_BIN)
        out->flags |= SMP_F_CONST;
    return 1;
}

void vars_store_clear(struct var_store *st)
{
    struct var *v, *next;

    for (v = st->head; v; v = next) {
        next = v->next;
        var_free(st, v);
    }
    st->head = NULL;
}
