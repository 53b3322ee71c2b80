/* Types of the configuration engine: sections, keyword tables, parse context. */
#ifndef SLUICE_CORE_CFG_T_H
#define SLUICE_CORE_CFG_T_H

#include <stddef.h>

#define CFG_MAX_ARGS 64 /* words on one line, keyword included (HAProxy's MAX_LINE_ARGS) */
#define CFG_MAX_LINE (64 * 1024) /* bytes on one line */

struct cfg_ctx;
struct cfg_kw;

/* Keyword parser. args[0] is the keyword, args[1..nargs-1] its arguments (nargs counts the
 * keyword). ctx->obj is the object of the current section. Returns 0 when accepted, > 0 for a
 * warning (*err holds it), < 0 for an error (*err holds the reason). Never prints, never sees
 * file:line: the dispatcher adds them. */
typedef int (*cfg_kw_fn)(char **args, int nargs, struct cfg_ctx *ctx, const struct cfg_kw *kw,
                         char **err);

/* One keyword. Tables are arrays ending with a zeroed entry, registered by their module. */
struct cfg_kw {
    const char *name;     /* the keyword: one word, or two ("option httplog") */
    const char *sections; /* space-separated names of the sections where it is valid */
    int min_args;         /* minimal number of words after the keyword's words */
    int max_args;         /* maximal number of words after the keyword's words, -1: none */
    cfg_kw_fn parse;      /* the parser (a generic setter or the module's own) */
    size_t offset;        /* generic setters: field offset inside ctx->obj */
    long long min, max;   /* generic integer setter: accepted range */
    const char *usage;    /* usage shown with argument-count errors, e.g. "maxconn <number>" */
    unsigned flags;       /* CFG_KW_F_* */
};

#define CFG_KW_F_NO 0x01 /* also accepted as "no <keyword> ..." (ctx->negated is set) */

/* An option of a keyword line ("bind" options, "server" options), registered by modules:
 * the core and ssl/ each add their own. */
struct cfg_opt {
    const char *name;          /* option name */
    int nargs;                 /* words taken after the option */
    /* Applies the option (args[0] is its name) to obj, the line's object (a listener, a
     * server). Returns 0, > 0 for a warning, < 0 for an error, with *err set. */
    int (*parse)(char **args, void *obj, char **err);
};

/* The options a kind of line accepts: every registered table, plus HAProxy's names to tell
 * "not supported yet" from typos. */
struct cfg_optset {
    const char *what;                   /* "bind option", "server option" */
    const char *const *haproxy;         /* HAProxy's option names */
    struct cfg_opt_tab *tabs;           /* registered tables */
};

struct cfg_opt_tab {
    struct cfg_opt *opts;               /* zero-terminated table */
    struct cfg_opt_tab *next;
};

/* A section kind ("global", "frontend", ...). Registered by the module that owns it. */
struct cfg_section {
    const char *name; /* keyword opening the section */
    /* Called on the section line (args[0] is the section keyword). Must set ctx->obj and
     * ctx->sec_name. Returns as a keyword parser does. */
    int (*begin)(char **args, int nargs, struct cfg_ctx *ctx, char **err);
    /* Called when the section ends (another section starts, or end of files). May be NULL. */
    int (*end)(struct cfg_ctx *ctx, char **err);
    /* HAProxy keywords of this section that sluice may not support, to tell them from typos. */
    const char *const *haproxy_kws;
    unsigned bit;              /* assigned at registration */
    struct cfg_section *next;  /* registration list */
};

/* Where something was written: kept in objects so checks after parsing can report it. */
struct cfg_where {
    const char *file;     /* interned file name, lives until exit */
    int line;             /* 1-based */
    const char *sec_kind; /* "global", "frontend", ... */
    const char *sec_name; /* section name ("" for global); interned */
};

/* Parse state, one per run. */
struct cfg_ctx {
    const char *file;               /* current file (interned) */
    int line;                       /* current line number */
    const struct cfg_section *sec;  /* current section, NULL before the first one */
    const char *sec_name;           /* name of the current section's object (interned) */
    void *obj;                      /* object being configured by the current section */
    int negated;                    /* the line started with "no" */
    int skipping;                   /* inside an unsupported section: lines are skipped */
    int errors;                     /* errors reported so far */
    int warnings;                   /* warnings reported so far */
    /* keys set in the current section, to warn about duplicates */
    struct cfg_seen { char *key; int line; } *seen;
    int nseen, capseen;
};

/* The words of one tokenized line. */
struct cfg_words {
    char *buf;                      /* NUL-separated words; owned, reused between lines */
    size_t cap;                     /* bytes allocated in buf */
    char *args[CFG_MAX_ARGS + 1];   /* pointers into buf, NULL-terminated */
    int nargs;                      /* number of words */
};

#endif
