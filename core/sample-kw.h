/* The sample engine's extension API and the declarations its files share.
 *
 * Other modules (ssl/, lua/, rules) add sample fetches, converters and ACL keywords by
 * registering NULL-name-terminated tables from an INITCALL, exactly as configuration keywords
 * are registered:
 *
 *     static struct smp_fetch_kw my_fetches[] = {
 *         {.name = "ssl_fc", .fn = fetch_ssl_fc, .out_type = SMP_T_BOOL, .use = SMP_USE_L4},
 *         {0},
 *     };
 *     static void my_register(void) { smp_register_fetches(my_fetches); }
 *     INITCALL(my_register);
 *
 * Everything here runs in one worker thread: no locking. Evaluation never blocks and never
 * allocates outside env->arena. */
#ifndef SLUICE_CORE_SAMPLE_KW_H
#define SLUICE_CORE_SAMPLE_KW_H

#include <netinet/in.h>
#include <stddef.h>

#include "sample.h"

struct proxy;

#define SMP_MAX_ARGS 5 /* arguments of one fetch or converter */

/* Declaration-only types, beyond enum smp_type: a struct sample never holds them. */
#define SMP_T_ANY  6 /* output known at run time only (var()); input: anything */
#define SMP_T_ADDR 7 /* input: IPv4 or IPv6 (strings and integers are cast) */

/* Argument types of fetches and converters */
enum smp_arg_type {
    SMP_ARG_NONE = 0, /* end of the declaration list; in a parsed list: not given */
    SMP_ARG_STR,      /* string, data.str (NUL-terminated, owned) */
    SMP_ARG_SINT,     /* signed 64-bit integer, data.sint */
    SMP_ARG_BE,       /* backend name, data.be (resolved once the configuration is read) */
    SMP_ARG_VAR,      /* variable name "scope.name", data.var */
    SMP_ARG_MSK4,     /* IPv4 mask, dotted quad or bit count, data.msk4 */
    SMP_ARG_MSK6,     /* IPv6 mask, address form or bit count, data.msk6 */
    SMP_ARG_SINTVAR,  /* integer or variable name: parsed as SMP_ARG_SINT or SMP_ARG_VAR */
};

/* One parsed argument. Config-time memory, freed with the expression. */
struct smp_arg {
    enum smp_arg_type type;  /* what data holds; SMP_ARG_NONE when the argument was omitted */
    union {
        long long sint;
        struct {
            char *ptr;       /* NUL-terminated copy (may contain NULs from escapes) */
            size_t len;      /* bytes, without the final NUL */
        } str;
        struct {
            enum var_scope scope;
            char *name;      /* the name after "scope.", owned */
        } var;
        struct {
            char *name;      /* backend name as written, owned */
            struct proxy *px; /* the backend, NULL until resolved (see sample.c) */
        } be;
        struct in_addr msk4;
        struct in6_addr msk6;
    } data;
};

/* Occurrence iteration (hdr(), req.cook(), url_param() ...). As a sample the fetch returns
 * one value (usually the last occurrence); in an ACL it is called again and again with
 * SMP_OPT_ITERATE while it sets `more`, and every occurrence is matched. */
#define SMP_OPT_ITERATE 0x01 /* return every occurrence, one per call */

struct smp_ctx {
    unsigned opt;        /* SMP_OPT_*, set by the caller */
    int more;            /* set by the fetch: another occurrence may follow */
    long long pos[2];    /* the fetch's cursor; zero before the first call */
};

/* A fetch fills *out and returns 1, or returns 0 when the sample does not exist. args are
 * the parsed arguments (type SMP_ARG_NONE when omitted), priv what the check function made.
 * Strings pointing into messages or configuration carry SMP_F_CONST. */
typedef int (*smp_fetch_fn)(const struct smp_arg *args, void *priv, struct smp_env *env,
                            struct sample *out, struct smp_ctx *ctx);
/* A converter transforms *smp (already cast to its input type) in place; returns 1, or 0
 * when the conversion fails (the expression then has no sample). New bytes go to env->arena
 * (see smp_alloc); a SMP_F_CONST string must be copied before being changed. */
typedef int (*smp_conv_fn)(const struct smp_arg *args, void *priv, struct smp_env *env,
                           struct sample *smp);
/* Optional parse-time check of a keyword's arguments (kw is the name as written): may
 * compile them into *priv (regex, map). Returns 0, or -1 with *err set. */
typedef int (*smp_check_fn)(const char *kw, struct smp_arg *args, void **priv, char **err);
/* Frees what the check function put in priv. */
typedef void (*smp_release_fn)(void *priv);

/* A sample fetch. Tables end with an entry whose name is NULL. */
struct smp_fetch_kw {
    const char *name;            /* "req.hdr" */
    smp_fetch_fn fn;
    int min_args;                /* mandatory arguments */
    enum smp_arg_type arg_types[SMP_MAX_ARGS]; /* accepted arguments, SMP_ARG_NONE-ended */
    int out_type;                /* SMP_T_* or SMP_T_ANY */
    unsigned use;                /* SMP_USE_* it needs: using it elsewhere is an error */
    smp_check_fn check;          /* may be NULL */
    smp_release_fn release;      /* may be NULL */
};

/* A converter. Tables end with an entry whose name is NULL. */
struct smp_conv_kw {
    const char *name;            /* "lower" */
    smp_conv_fn fn;
    int min_args;
    enum smp_arg_type arg_types[SMP_MAX_ARGS];
    int in_type;                 /* SMP_T_*, SMP_T_ADDR or SMP_T_ANY: the input is cast to it */
    int out_type;                /* SMP_T_* or SMP_T_ANY */
    smp_check_fn check;
    smp_release_fn release;
};

/* Registration, from INITCALLs. The tables must live until exit. When two tables define a
 * name, the one registered first wins. */
void smp_register_fetches(struct smp_fetch_kw *kws);
void smp_register_convs(struct smp_conv_kw *kws);
/* Looks a keyword up by name; NULL when unknown. */
const struct smp_fetch_kw *smp_find_fetch(const char *name);
const struct smp_conv_kw *smp_find_conv(const char *name);

/* ---- expressions (sample.c) ---------------------------------------------------------- */

/* smp_expr_parse() with two ACL extras: when fetch_name is not NULL it replaces the fetch
 * keyword written in text (ACL derivatives: "path_beg(x)" parses as "path(x)"), and
 * extra_names are offered too in "did you mean" suggestions. */
struct sample_expr *smp_expr_parse_ex(const char *text, unsigned where, const char *fetch_name,
                                      const char *const *extra_names, char **err);
/* Evaluates e with an iteration context (zeroed by the caller before the first call, with
 * opt set). Returns 1 with *out, 0 when there is no (more) sample. When 0 is returned with
 * ctx->more set, this occurrence failed in a converter but others may follow. */
int smp_expr_eval_ctx(const struct sample_expr *e, struct smp_env *env, struct sample *out,
                      struct smp_ctx *ctx);
/* The type e produces (SMP_T_* or SMP_T_ANY), whether it has converters, the SMP_USE_* its
 * fetch needs and the fetch's name. */
int smp_expr_out_type(const struct sample_expr *e);
int smp_expr_has_convs(const struct sample_expr *e);
unsigned smp_expr_use(const struct sample_expr *e);
const char *smp_expr_fetch_name(const struct sample_expr *e);
/* Frees an expression (NULL is fine). Config-time only. */
void smp_expr_free(struct sample_expr *e);

/* Records where the configuration is being read, so that errors found after parsing (a
 * backend named in nbsrv() that does not exist) carry file:line. w is copied; NULL forgets. */
struct cfg_where;
void smp_set_where(const struct cfg_where *w);

/* ---- types and helpers (sample.c) ------------------------------------------------------ */

/* "boolean", "integer", "ipv4", "ipv6", "string", "binary", "any", "address". */
const char *smp_type_name(int type);
/* 1 when a value of type `from` may be cast to `to` (it may still fail at run time, e.g. a
 * string that is not an address). */
int smp_can_cast(int from, int to);
/* Casts s to type `to` in place (SMP_T_ADDR: IPv4 or IPv6; SMP_T_ANY: unchanged). Uses
 * env->arena when a string must be built. Returns 1, or 0 when impossible. */
int smp_cast(struct sample *s, int to, struct smp_env *env);
/* Returns n bytes from env->arena, NULL when there is no arena or it is full. */
char *smp_alloc(struct smp_env *env, size_t n);
/* Makes a string sample writable: copies a SMP_F_CONST string into the arena. Returns 0, -1. */
int smp_make_rw(struct sample *s, struct smp_env *env);
/* Parses a dotted-quad IPv4 address of len bytes (not NUL-terminated). Returns 0, or -1. */
int smp_parse_ipv4(const char *s, size_t len, struct in_addr *out);
/* Extracts the IPv4 address of a v4-mapped (::ffff:a.b.c.d), v4-compatible (::a.b.c.d) or
 * 6to4 (2002:AABB:CCDD::) IPv6 address. Returns 1 when found, 0 otherwise. */
int smp_v6_to_v4(const struct in6_addr *in, struct in_addr *out);
/* Writes ::ffff:a.b.c.d. */
void smp_v4_to_v6(const struct in_addr *in, struct in6_addr *out);
/* A scratch area for converters that build a result of unknown size before copying it to
 * the arena (regsub). One per process (workers run one thread); never kept across calls. */
#define SMP_SCRATCH_SIZE 65536
char *smp_scratch(void);

/* Reads a pattern or map file at configuration time: calls fn for each line that is neither
 * empty nor a comment ('#' after optional leading blanks), with leading blanks and the line
 * end removed. Only regular files are read. Returns 0, or -1 with *err set (fn's errors are
 * prefixed with the file and line). */
typedef int (*smp_line_fn)(void *arg, char *line, size_t len, char **err);
int smp_read_lines(const char *path, smp_line_fn fn, void *arg, char **err);

/* ---- pattern sets (acl.c): ACL values and map keys ----------------------------------- */

enum acl_match {
    ACL_M_NONE = 0, /* not chosen: use the default of the sample type */
    ACL_M_FOUND,    /* the sample exists */
    ACL_M_BOOL,     /* the sample is true / non-zero */
    ACL_M_INT,      /* integer ranges */
    ACL_M_IP,       /* IPv4/IPv6 networks */
    ACL_M_BIN,      /* hex block, exact */
    ACL_M_LEN,      /* string length in integer ranges */
    ACL_M_STR,      /* exact string */
    ACL_M_SUB,      /* substring */
    ACL_M_REG,      /* regular expression */
    ACL_M_BEG,      /* prefix */
    ACL_M_END,      /* suffix */
    ACL_M_DIR,      /* slash-delimited part */
    ACL_M_DOM,      /* dot/colon/slash-delimited part */
    ACL_M_COUNT,
};

#define ACL_PAT_F_ICASE 0x01 /* -i: ignore case (strings, regexes) */

struct acl_patset; /* a compiled set of patterns of one match method */

/* Creates an empty set. Config-time; aborts when out of memory as config allocations do. */
struct acl_patset *acl_patset_new(enum acl_match match);
/* Adds one pattern written as text (parsed according to the match method now: regex compiled,
 * address parsed, string lowered for -i). value is returned by lookups that find it (maps);
 * the set does not own it. Returns 0, or -1 with *err set. */
int acl_patset_add(struct acl_patset *ps, const char *text, size_t len, unsigned flags,
                   void *value, char **err);
/* Builds the lookup indexes; call once after the last add. */
void acl_patset_build(struct acl_patset *ps);
/* Matches a sample against the set (casting it as the method needs). Returns 1 when a
 * pattern matches and stores its value in *value (may be NULL): for exact strings the first
 * such pattern written, for addresses the longest prefix, otherwise the first in order. */
int acl_patset_lookup(const struct acl_patset *ps, struct sample *s, struct smp_env *env,
                      void **value);
/* Number of patterns. */
int acl_patset_count(const struct acl_patset *ps);
/* Frees the set; free_value (may be NULL) is called on every pattern's value. */
void acl_patset_free(struct acl_patset *ps, void (*free_value)(void *));
/* Parses a match method name ("beg"); returns ACL_M_NONE when unknown. */
enum acl_match acl_match_parse(const char *name);

/* ---- ACLs (acl.c) -------------------------------------------------------------------- */

/* acl_cond_parse() (sample.h) follows HAProxy for ACLs that cannot work where the condition
 * runs (a response header in a request rule): it returns the condition AND sets *err to a
 * warning ("acl 'x' will never match because ..."). Callers report it as a warning (their
 * keyword returns > 0) and free it. */

/* An ACL keyword derived from a fetch: "path_beg" is fetch "path" with match "beg". */
struct acl_kw {
    const char *name;     /* keyword */
    const char *fetch;    /* the fetch it uses */
    enum acl_match match; /* its default match method */
};
/* Registers a NULL-name-terminated table (from an INITCALL). */
void acl_register_keywords(struct acl_kw *kws);

/* Adds "acl NAME CRITERION [FLAGS] [OPERATOR] [VALUE]..." to px (args[0] is "acl"). Lines
 * with the same name are ORed. Returns 0, > 0 with a warning in *err (no value given: the
 * ACL never matches), or -1 with *err set. */
int acl_declare(struct proxy *px, char **args, int nargs, char **err);
/* Frees a condition (NULL is fine) and its anonymous ACLs. */
void acl_cond_free(struct acl_cond *c);
/* Frees every ACL declared in px. */
void acl_px_free(struct proxy *px);

/* ---- variables (vars.c) --------------------------------------------------------------- */

/* Frees every variable of a store that uses malloc (proc scope) or forgets them (arena). */
void vars_store_clear(struct var_store *st);

#endif
