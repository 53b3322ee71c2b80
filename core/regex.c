/* Regular expressions on PCRE2 (see regex.h). */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "regex.h"

#include <pcre2.h>
#include <stdio.h>

#include "str.h"

/* Backtracking steps a match may take: enough for any sane header pattern (~10 ms at
 * worst), below PCRE2's default of ten million that lets `(a+)+$` hold a worker for seconds. */
#define RX_MATCH_LIMIT 1000000
/* JIT code runs on a stack of its own: 32 kB (PCRE2's default, on the machine stack) is
 * exhausted by a repeated group over a few kB of header, which would read as "no match". */
#define RX_JIT_STACK_MAX (1024 * 1024)

static pcre2_match_context *mctx;
static pcre2_jit_stack *jstack;

int rx_compile(struct regex *rx, const char *src, int flags, char **err)
{
    /* a pattern may turn UTF-8 on with (*UTF): bytes that are not UTF-8 then fail to match
     * instead of failing the whole match */
    uint32_t opts = (flags & RX_ICASE ? PCRE2_CASELESS : 0) |
                    (flags & RX_NOSUB ? PCRE2_NO_AUTO_CAPTURE : 0) | PCRE2_MATCH_INVALID_UTF;
    int code;
    PCRE2_SIZE off;
    pcre2_code *c;

    rx->code = rx->md = NULL;
    if (!mctx) {
        mctx = pcre2_match_context_create(NULL);
        if (!mctx)
            return str_printf(err, "out of memory");
        pcre2_set_match_limit(mctx, RX_MATCH_LIMIT);
        jstack = pcre2_jit_stack_create(32 * 1024, RX_JIT_STACK_MAX, NULL);
        if (jstack)
            pcre2_jit_stack_assign(mctx, NULL, jstack);
    }
    c = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED, opts, &code, &off, NULL);
    if (!c) {
        PCRE2_UCHAR msg[256];

        pcre2_get_error_message(code, msg, sizeof(msg));
        return str_printf(err, "regex '%s' is invalid: %s at offset %zu", src, (char *)msg,
                          (size_t)off);
    }
    pcre2_jit_compile(c, PCRE2_JIT_COMPLETE); /* optional: the interpreter is the fallback */
    rx->md = pcre2_match_data_create(RX_GROUPS, NULL);
    if (!rx->md) {
        pcre2_code_free(c);
        return str_printf(err, "out of memory");
    }
    rx->code = c;
    return 0;
}

int rx_match(const struct regex *rx, const char *subj, size_t len, size_t start,
             struct rx_span *m, int n)
{
    PCRE2_SPTR sp = (PCRE2_SPTR)(subj ? subj : "");
    PCRE2_SIZE *ov;
    int rc;

    if (!rx->code || start > len)
        return 0;
    rc = pcre2_match(rx->code, sp, len, start, 0, rx->md, mctx);
    if (rc == PCRE2_ERROR_JIT_STACKLIMIT) /* the interpreter keeps its state on the heap */
        rc = pcre2_match(rx->code, sp, len, start, PCRE2_NO_JIT, rx->md, mctx);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0)
        return -1; /* the match or depth limit was reached (or another failure): undecided */
    if (rc == 0)
        rc = RX_GROUPS; /* more groups than kept: those beyond \9 are not asked for */
    ov = pcre2_get_ovector_pointer(rx->md);
    for (int i = 0; i < n; i++) {
        if (i < rc && ov[2 * i] != PCRE2_UNSET) {
            m[i].so = (long)ov[2 * i];
            m[i].eo = (long)ov[2 * i + 1];
        } else {
            m[i].so = m[i].eo = -1;
        }
    }
    return 1;
}

int rx_is_utf(const struct regex *rx)
{
    uint32_t opts = 0;

    return rx->code && pcre2_pattern_info(rx->code, PCRE2_INFO_ALLOPTIONS, &opts) == 0 &&
           (opts & PCRE2_UTF);
}

void rx_free(struct regex *rx)
{
    pcre2_match_data_free(rx->md);
    pcre2_code_free(rx->code);
    rx->code = rx->md = NULL;
}

const char *rx_lib_version(void)
{
    static char v[64];

    if (!*v && pcre2_config(PCRE2_CONFIG_VERSION, v) < 0)
        snprintf(v, sizeof(v), "unknown");
    return v;
}

int rx_jit_available(void)
{
    uint32_t jit = 0;

    return pcre2_config(PCRE2_CONFIG_JIT, &jit) >= 0 && jit;
}
