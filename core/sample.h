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

/* Variables: "proc.name", "sess.name", "txn.name", "req.name", "res.name". */
/* Parses a variable name. Returns 0 and fills scope/name, or -1 with *err. */
int vars_parse_name(const char *text, enum var_scope *scope, const char **name, char **err);
/* Sets a variable (copying the sample into the scope's storage). Returns 0 or -1. */
int vars_set(struct smp_env *env, enum var_scope scope, const char *name,
             const struct sample *smp);
/* Unsets a variable. */
void vars_unset(struct smp_env *env, enum var_scope scope, const char *name);
/* Looks a variable up: returns 1 with *out, 0 when unset. */
int vars_get(struct smp_env *env, enum var_scope scope, const char *name, struct sample *out);

#endif
