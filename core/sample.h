/* Sample expressions ("fetch(args),conv(args),..."), ACLs and variables.
 *
 * Expressions and ACL conditions are parsed at configuration time (errors returned in
 * *err without file:line; the caller adds them) and evaluated at run time without blocking
 * and without allocating outside env->arena. */
#ifndef SLUICE_CORE_SAMPLE_H
#define SLUICE_CORE_SAMPLE_H

#include "http-t.h"
#include "sample-t.h"

struct sample_expr;  /* a fetch and its converters */
struct acl_cond;     /* an if/unless condition */
struct proxy;

/* Parses one expression such as "req.hdr(host),lower,map(/etc/x.map,def)". Files named by
 * converters (maps) are read now. `where` is SMP_USE_* available where the expression will
 * run: using anything else is an error naming the fetch. Returns NULL with *err set. */
struct sample_expr *smp_expr_parse(const char *text, unsigned where, char **err);

/* Evaluates e. Returns 1 with *out set, 0 when the sample does not exist (header absent,
 * variable unset, converter failure). Never blocks. */
int smp_expr_eval(const struct sample_expr *e, struct smp_env *env, struct sample *out);

/* Converts a sample to a string in place (using env->arena when needed). Returns 0 or -1. */
int smp_to_str(struct sample *s, struct smp_env *env);

/* Parses an "if <cond>" / "unless <cond>" tail: args[0] is "if" or "unless", the rest the
 * condition (ACL names, "!", "||", "or", anonymous "{ fetch [flags] values }"). ACL names
 * are looked up in px (declared before the rule, as in HAProxy). Returns NULL with *err. */
struct acl_cond *acl_cond_parse(char **args, int nargs, struct proxy *px, unsigned where,
                                char **err);

/* Evaluates a condition: 1 when the rule applies, 0 otherwise. */
int acl_cond_exec(const struct acl_cond *c, struct smp_env *env);

/* For warnings about conditions placed where their fetches find nothing: the name of the
 * first fetch of an ACL of c none of whose terms can be evaluated with only the SMP_USE_*
 * bits of `where`, or NULL when every ACL may match there. */
const char *acl_cond_unusable(const struct acl_cond *c, unsigned where);

/* Variables: "proc.name", "sess.name", "txn.name", "req.name", "res.name". */
/* Parses a variable name. Returns 0 and fills scope/name, or -1 with *err. */
int vars_parse_name(const char *text, enum var_scope *scope, const char **name, char **err);
/* Sets a variable (copying the sample into the scope's storage). Returns 0 or -1. */
int vars_set(struct smp_env *env, enum var_scope scope, const char *name,
             const struct sample *smp);

/* set-var conditions, HAProxy 2.6's "set-var(<var>,<cond>...)": the variable is set only when
 * every condition given holds. */
#define VAR_C_IFEXISTS    0x001 /* the variable exists (set, or created by a failed set-var) */
#define VAR_C_IFNOTEXISTS 0x002 /* it does not exist yet */
#define VAR_C_IFEMPTY     0x004 /* the new value is an empty string or binary */
#define VAR_C_IFNOTEMPTY  0x008 /* the new value is not an empty string or binary */
#define VAR_C_IFSET       0x010 /* the variable holds a value */
#define VAR_C_IFNOTSET    0x020 /* it holds none (never set) */
#define VAR_C_IFGT        0x040 /* both integers: the variable's value > the new one */
#define VAR_C_IFLT        0x080 /* both integers: the variable's value < the new one */
/* Adds the condition named by the len bytes at word to *conds. Returns 0, or -1 with *err
 * set (HAProxy's 'unknown condition "x"'). */
int vars_parse_cond(const char *word, size_t len, unsigned *conds, char **err);
/* Sets a variable when the conditions hold, as HAProxy 2.6's var_set(): a variable that did
 * not exist is created before the "ifset"/"ifnotset"/"ifempty" checks, and stays, holding no
 * value, when they fail (so "ifexists" holds afterwards). Returns 1 when set, 0 when a
 * condition failed, -1 on error (no such scope, out of memory). */
int vars_set_cond(struct smp_env *env, enum var_scope scope, const char *name,
                  const struct sample *smp, unsigned conds);
/* Unsets a variable. */
void vars_unset(struct smp_env *env, enum var_scope scope, const char *name);
/* Looks a variable up: returns 1 with *out, 0 when unset. */
int vars_get(struct smp_env *env, enum var_scope scope, const char *name, struct sample *out);

#endif
