/* Regular expressions: PCRE2, as Debian's HAProxy is built (USE_PCRE2, USE_PCRE2_JIT), so
 * that a pattern means the same to both (`\d`, `(?i)`, lazy quantifiers, look-arounds).
 * Compiled (and JIT-compiled when available) at start-up; a match allocates nothing: each
 * regex owns its match data, and workers are single-threaded. A match is bounded (a limit
 * on backtracking): a pathological pattern is an evaluation error instead of stalling the
 * worker, and the rule that asked for it fails closed (a 500).
 * Only core/regex.c includes PCRE2's header. */
#ifndef SLUICE_CORE_REGEX_H
#define SLUICE_CORE_REGEX_H

#include <stddef.h>

#define RX_ICASE 0x01   /* ignore case */
#define RX_NOSUB 0x02   /* groups are never asked for */
#define RX_GROUPS 10    /* \0 (the whole match) to \9 */

struct regex {
    void *code;         /* pcre2_code */
    void *md;           /* pcre2_match_data */
};

/* A group's bytes [so, eo) in the subject; so == -1 when the group took no part. */
struct rx_span {
    long so, eo;
};

/* Compiles src. Returns 0, or -1 with *err set ("regex 'SRC' is invalid: REASON at offset N"). */
int rx_compile(struct regex *rx, const char *src, int flags, char **err);

/* Searches subj[0..len) from byte `start` ("^" still means the start of subj). Fills
 * m[0..n) (n <= RX_GROUPS; m may be NULL when n is 0). Returns 1 on a match, 0 on no match,
 * and -1 when the match could not be decided (the backtracking or depth limit was reached,
 * or PCRE2 failed): callers must not read -1 as "no match" -- a deny rule would fail open --
 * but as an evaluation error (see smp_env.err). */
int rx_match(const struct regex *rx, const char *subj, size_t len, size_t start,
             struct rx_span *m, int n);

void rx_free(struct regex *rx);

/* 1 when the pattern turned UTF-8 mode on ((*UTF)): subjects are then read as UTF-8. */
int rx_is_utf(const struct regex *rx);

/* For -vv: PCRE2's version, and whether its JIT works on this machine. */
const char *rx_lib_version(void);
int rx_jit_available(void);

#endif
