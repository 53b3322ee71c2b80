/* Configuration engine: tokenizer, environment expansion, section and keyword registration,
 * dispatch with file:line errors, generic setters and post-parse checks. The core owns only
 * this machinery; modules register their own sections and keywords from their own files. */
#ifndef SLUICE_CORE_CFG_H
#define SLUICE_CORE_CFG_H

#include "cfg-t.h"
#include "str.h"

/* Runs fn at program start-up, before main(): used by modules to register their sections,
 * keywords, CLI commands and checks. */
#define INITCALL(fn) \
    static void __attribute__((constructor)) initcall_##fn(void) { fn(); }

/* Registration (from INITCALLs). The tables must live until exit. */
void cfg_register_section(struct cfg_section *sec);
void cfg_register_keywords(struct cfg_kw *kws);

/* Registers a table of options (ending with a zeroed entry) for a kind of line. */
void cfg_optset_register(struct cfg_optset *set, struct cfg_opt *opts);

/* Applies the options args[first..nargs-1] to obj. Returns 0, > 0 when an option warned,
 * < 0 with *err set at the first error (unknown option with a suggestion, HAProxy option not
 * supported yet, missing argument, or the option's own error). */
int cfg_optset_apply(struct cfg_optset *set, char **args, int first, int nargs, void *obj,
                     char **err);

/* Check hooks run after every file is parsed, in ascending prio order. A hook reports its own
 * errors with cfg_alert_at() and returns how many it found. */
typedef int (*cfg_check_fn)(void);
void cfg_register_check(int prio, cfg_check_fn fn);

/* Tokenizes one line (HAProxy 2.6's rules: spaces separate words, '#' comments, double quotes
 * with escapes and "$VAR"/"${VAR}" expansion -- inside double quotes only --, literal single
 * quotes, backslash escapes ("\$" only inside double quotes), "${VAR[*]}" split into words,
 * "${VAR-default}", "${VAR[*]-default}", pseudo-variables ${.FILE}, ${.LINE}, ${.SECTION}).
 * Addresses get a second expansion of their own (parse_addr()). Returns the number of words
 * (0 for a blank line) or -1 with *err set. w is reused between calls; free it with
 * cfg_words_free(). */
int cfg_tokenize(const char *line, struct cfg_words *w, char **err);
void cfg_words_free(struct cfg_words *w);

/* Expands one variable reference starting at p (which points at '$'), as inside double
 * quotes. Appends the value to out, sets *end past the reference and *split when the "[*]"
 * form asks for word splitting. A '$' not followed by a name (a letter, '_', or '.' for a
 * pseudo-variable) or '{' is an error, as in HAProxy. Returns 0 or -1 with *err set. */
int cfg_expand_var(const char *p, const char **end, struct strbuf *out, int *split, char **err);

/* Loads a file, or every "*.cfg" file of a directory in name order. Errors are counted in
 * ctx and printed. Returns 0 when the path could be read, -1 otherwise (reported). */
int cfg_load_path(struct cfg_ctx *ctx, const char *path);
/* Parses a whole in-memory text as if it were file `name` (used by tests). */
int cfg_parse_text(struct cfg_ctx *ctx, const char *name, const char *text);
/* Ends the last section and runs the check hooks. Returns the total number of errors. */
int cfg_finish(struct cfg_ctx *ctx);

/* Returns a copy of s that lives until exit (interned: identical strings share storage). */
const char *cfg_intern(const char *s);

/* Fills a cfg_where from the current line. */
void cfg_where_here(const struct cfg_ctx *ctx, struct cfg_where *w);

/* Reports an error or warning at a recorded place:
 * "FILE:LINE: in <kind> '<name>': KEYWORD: reason". kw may be NULL. Counts it. */
void cfg_alert_at(const struct cfg_where *w, const char *kw, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void cfg_warn_at(const struct cfg_where *w, const char *kw, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Errors and warnings counted by cfg_alert_at()/cfg_warn_at() and the dispatcher. */
extern int cfg_total_errors, cfg_total_warnings;

/* Records that `key` is set in the current section. Returns the line where it was already
 * set in this section, or 0. Setters use it to warn about duplicates. */
int cfg_seen(struct cfg_ctx *ctx, const char *key);

/* Finds the registered keyword or section name closest to word, among those valid in
 * section sec (NULL: section names). Returns NULL when nothing is close. */
const char *cfg_suggest(const char *word, const struct cfg_section *sec);
/* Closest word to `word` in a NULL-terminated list, or NULL when none is close enough. */
const char *cfg_suggest_list(const char *word, const char *const *list);

/* Generic setters (struct cfg_kw.parse). They write at kw->offset in ctx->obj:
 * int (range kw->min..kw->max), time in ms (int), size (unsigned long long), on/off flag
 * (int, set to 1; or 0 with "no"), string (char *, replaced). */
int cfg_set_int(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw, char **err);
int cfg_set_time(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw, char **err);
int cfg_set_size(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw, char **err);
int cfg_set_flag(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw, char **err);
int cfg_set_str(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw, char **err);

/* HAProxy keyword lists (cfg-haproxy-kw.c), to tell "not supported yet" from typos. */
extern const char *const cfg_haproxy_global_kws[];
extern const char *const cfg_haproxy_proxy_kws[];
extern const char *const cfg_haproxy_option_kws[];
extern const char *const cfg_haproxy_timeout_kws[];
extern const char *const cfg_haproxy_bind_kws[];
extern const char *const cfg_haproxy_server_kws[];
extern const char *const cfg_haproxy_sections[];
/* Returns 1 when word is in the NULL-terminated list. */
int cfg_in_list(const char *word, const char *const *list);

#endif
