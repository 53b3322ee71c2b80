/* Variables ("txn.name"...): one list per scope in struct var_store. Scopes with an arena
 * (every per-connection and per-request scope) allocate there and are forgotten in one go when
 * the stream resets them; the process scope has no arena and uses malloc, freeing what a new
 * value replaces. Lists are short (a handful of variables per scope): a linear search by name
 * costs less than hashing. */
#include "sample.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "sample-kw.h"
#include "str.h"

struct var {
    struct var *next;    /* next variable of the same scope */
    char *name;          /* NUL-terminated, in the store's arena or malloc'd */
    struct sample smp;   /* value; strings and binaries point to buf */
    char *buf;           /* bytes of a string/binary value */
    size_t cap;          /* bytes available at buf */
    int unset;           /* exists but holds no value (HAProxy's SMP_T_ANY): created by a
                          * set-var whose conditions failed; read as not set */
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

/* Creates variable name in st, holding no value yet. Returns it, or NULL. */
static struct var *var_new(struct var_store *st, const char *name)
{
    size_t nlen = strlen(name);
    struct var *v = store_alloc(st, sizeof(*v));

    if (!v)
        return NULL;
    *v = (struct var){.name = store_alloc(st, nlen + 1), .unset = 1};
    if (!v->name) {
        if (!st->arena)
            free(v);
        return NULL;
    }
    memcpy(v->name, name, nlen + 1);
    v->next = st->head;
    st->head = v;
    return v;
}

/* Stores smp in v. Returns 0 or -1 (v unchanged). */
static int var_store_smp(struct var_store *st, struct var *v, const struct sample *smp)
{
    if (smp->type == SMP_T_STR || smp->type == SMP_T_BIN) {
        if (store_bytes(st, v, smp) < 0)
            return -1;
    } else {
        v->smp = *smp;
    }
    v->unset = 0;
    return 0;
}

int vars_set(struct smp_env *env, enum var_scope scope, const char *name,
             const struct sample *smp)
{
    struct var_store *st;
    struct var *v;

    if ((unsigned)scope >= VAR_SCOPE_COUNT || !env || !(st = env->vars[scope]))
        return -1;
    v = find(st, name);
    if (!v && !(v = var_new(st, name)))
        return -1;
    return var_store_smp(st, v, smp);
}

static const struct {
    const char *name;
    unsigned flag;
} var_conds[] = {
    {"ifexists", VAR_C_IFEXISTS}, {"ifnotexists", VAR_C_IFNOTEXISTS},
    {"ifempty", VAR_C_IFEMPTY},   {"ifnotempty", VAR_C_IFNOTEMPTY},
    {"ifset", VAR_C_IFSET},       {"ifnotset", VAR_C_IFNOTSET},
    {"ifgt", VAR_C_IFGT},         {"iflt", VAR_C_IFLT},
};

int vars_parse_cond(const char *word, size_t len, unsigned *conds, char **err)
{
    for (size_t i = 0; i < sizeof(var_conds) / sizeof(var_conds[0]); i++)
        if (strlen(var_conds[i].name) == len && !memcmp(var_conds[i].name, word, len)) {
            *conds |= var_conds[i].flag;
            return 0;
        }
    return str_printf(err, "unknown condition \"%.*s\" (expected ifexists, ifnotexists, "
                           "ifempty, ifnotempty, ifset, ifnotset, ifgt or iflt)", (int)len, word);
}

/* The order of the checks is HAProxy 2.6's (var_set() in its vars.c): existence first, then
 * the variable is created if needed, then set/not set, emptiness and comparisons. */
int vars_set_cond(struct smp_env *env, enum var_scope scope, const char *name,
                  const struct sample *smp, unsigned conds)
{
    int is_bytes = smp->type == SMP_T_STR || smp->type == SMP_T_BIN;
    struct var_store *st;
    struct var *v;

    if ((unsigned)scope >= VAR_SCOPE_COUNT || !env || !(st = env->vars[scope]))
        return -1;
    v = find(st, name);
    if (v ? (conds & VAR_C_IFNOTEXISTS) : (conds & VAR_C_IFEXISTS))
        return 0;
    if (!v && !(v = var_new(st, name)))
        return -1;
    if (((conds & VAR_C_IFSET) && v->unset) || ((conds & VAR_C_IFNOTSET) && !v->unset))
        return 0;
    /* scalars are never empty */
    if ((conds & VAR_C_IFEMPTY) && (!is_bytes || smp->data.str.len))
        return 0;
    if ((conds & VAR_C_IFNOTEMPTY) && is_bytes && !smp->data.str.len)
        return 0;
    /* compared only when both are integers; otherwise the check holds */
    if (smp->type == SMP_T_SINT && !v->unset && v->smp.type == SMP_T_SINT &&
        (((conds & VAR_C_IFGT) && !(v->smp.data.sint > smp->data.sint)) ||
         ((conds & VAR_C_IFLT) && !(v->smp.data.sint < smp->data.sint))))
        return 0;
    return var_store_smp(st, v, smp) < 0 ? -1 : 1;
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
    if (!v || v->unset)
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

/* ---- the set-var converter ----------------------------------------------------------------- */

/* "set-var(<var>[,<cond>...])": up to four conditions, checked at start-up. */
static int check_set_var(const char *kw, struct smp_arg *args, void **priv, char **err)
{
    unsigned conds = 0;

    for (int i = 1; i < SMP_MAX_ARGS && args[i].type == SMP_ARG_STR; i++)
        if (vars_parse_cond(args[i].data.str.ptr, args[i].data.str.len, &conds, err) < 0)
            return -1;
    *priv = (void *)(uintptr_t)conds;
    return 0;
}

/* Stores its input in the variable and passes it on unchanged; as in HAProxy, the expression
 * has no value when a condition fails (or the variable cannot be stored). */
static int c_set_var(const struct smp_arg *args, void *priv, struct smp_env *env,
                     struct sample *smp)
{
    return vars_set_cond(env, args[0].data.var.scope, args[0].data.var.name, smp,
                         (unsigned)(uintptr_t)priv) == 1;
}

static struct smp_conv_kw var_conv_kws[] = {
    {.name = "set-var", .fn = c_set_var, .min_args = 1,
     .arg_types = {SMP_ARG_VAR, SMP_ARG_STR, SMP_ARG_STR, SMP_ARG_STR, SMP_ARG_STR},
     .in_type = SMP_T_ANY, .out_type = SMP_T_ANY, .check = check_set_var},
    {0},
};

static void vars_register(void)
{
    smp_register_convs(var_conv_kws);
}
INITCALL(vars_register)
