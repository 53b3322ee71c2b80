/* libFuzzer target for the sample/ACL engine: the input, split into words on blanks, is fed to
 * smp_expr_parse() (each of the first words), to acl_cond_parse() ("if"/"unless" + the words)
 * and to acl_declare() ("acl fz" + the words) on a dummy proxy; whatever parses is evaluated
 * against a fixed fake HTTP transaction, its results stored in variables, then freed. It must
 * never crash, trip a sanitizer or leak.
 *
 *   clang -std=gnu11 -D_GNU_SOURCE -Icore -Ilb -Issl -Ilua -g -O1 \
 *         -fsanitize=fuzzer,address,undefined -DSLUICE_VERSION='"x"' -DSLUICE_BUILD_OPTS='"x"' \
 *         -o /tmp/fuzz_acl regtests/fuzz/fuzz_acl.c \
 *         $(ls core/[a-z]*.c lb/[a-z]*.c | grep -v main.c) ssl/tls.c lua/pol.c \
 *         -I/usr/include/android -I/usr/include/lua5.4 \
 *         -L/usr/lib/x86_64-linux-gnu/android -lssl -lcrypto -llua5.4 -lev -lm
 *   /tmp/fuzz_acl -max_total_time=300
 *
 * Inputs that would make the harness read special files (/proc, /dev, /sys...) are
 * skipped. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "proxy.h"
#include "sample-kw.h"
#include "sample.h"

#define MAX_WORDS 48
#define ALL (SMP_USE_L4 | SMP_USE_REQ | SMP_USE_RES | SMP_USE_BE)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct http_hdr req_hdrs[12], res_hdrs[6];
static struct http_txn txn;
static struct arena arena, var_arena;
static struct sockaddr_storage src_ss, dst_ss;
static struct var_store stores[VAR_SCOPE_COUNT];
static struct smp_env env;
static struct proxy px = {.id = "fuzz", .cap = PX_CAP_FE | PX_CAP_BE};
static struct proxy scratch = {.id = "scratch", .cap = PX_CAP_FE | PX_CAP_BE};

static void add_hdr(struct http_msg *m, const char *name, const char *value)
{
    m->hdrs[m->nhdrs++] = (struct http_hdr){name, (uint32_t)strlen(name), value,
                                            (uint32_t)strlen(value)};
}

static void declare(const char *line)
{
    char buf[256], *words[16], *save = NULL, *err = NULL;
    int n = 0;

    strcpy(buf, line);
    for (char *w = strtok_r(buf, " ", &save); w && n < 16; w = strtok_r(NULL, " ", &save))
        words[n++] = w;
    if (acl_declare(&px, words, n, &err) < 0)
        __builtin_trap(); /* the fixed ACLs must parse */
    free(err);
}

static void init_once(void)
{
    static int done;
    struct sockaddr_in *s4 = (struct sockaddr_in *)&src_ss;
    struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&dst_ss;

    if (done)
        return;
    done = 1;
    /* string literals: any write into a constant sample crashes */
    txn.req = (struct http_msg){.meth = "POST", .meth_len = 4, .vers = 11, .hdrs = req_hdrs,
                                .max_hdrs = 12, .present = 1};
    txn.req.uri = "http://u:p@h.example:8080/a/b.png;x=1?q=1&r=%41;s=+";
    txn.req.uri_len = (uint32_t)strlen(txn.req.uri);
    add_hdr(&txn.req, "Host", "h.example:8080");
    add_hdr(&txn.req, "X-List", "a, \"b,\\\"c\" ,, d");
    add_hdr(&txn.req, "x-list", "");
    add_hdr(&txn.req, "Deleted", "x");
    txn.req.hdrs[3].name = NULL;
    add_hdr(&txn.req, "Cookie", "a=1; b = 2 ;c=; =x; a=3, d");
    add_hdr(&txn.req, "X-Forwarded-For", "10.0.0.1:80, ::1, junk, 1.2.3.4");
    add_hdr(&txn.req, "Content-Length", "-12");
    add_hdr(&txn.req, "User-Agent", "Mozilla/5.0 \xc3\xa9\xff\xf0\x9f\x98\x80 \x01");
    txn.res = (struct http_msg){.status = 503, .vers = 10, .hdrs = res_hdrs, .max_hdrs = 6,
                                .present = 1};
    add_hdr(&txn.res, "Set-Cookie", "sid=1; Path=/");
    add_hdr(&txn.res, "Vary", "a,b");
    s4->sin_family = AF_INET;
    s4->sin_port = htons(1234);
    inet_pton(AF_INET, "192.168.1.2", &s4->sin_addr);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(443);
    inet_pton(AF_INET6, "::ffff:10.1.2.3", &s6->sin6_addr);
    for (int i = 0; i < VAR_SCOPE_COUNT; i++)
        stores[i].arena = i == VAR_SCOPE_PROC ? NULL : &var_arena;
    env = (struct smp_env){.src = &src_ss, .dst = &dst_ss, .fe = &px, .be = &px, .txn = &txn,
                           .arena = &arena, .avail = ALL};
    for (int i = 0; i < VAR_SCOPE_COUNT; i++)
        env.vars[i] = &stores[i];
    declare("acl a path_beg /a");
    declare("acl a hdr_sub(user-agent) -i mozilla");
    declare("acl ip src 192.168.0.0/16 ::1");
    declare("acl n hdr_cnt(x-list) gt 2");
}

/* Inputs the harness refuses (see the top comment). */
static int unsafe(const uint8_t *d, size_t n)
{
    static const char *const bad[] = {"/proc", "/dev", "/sys", "/run", "/var"};

    for (size_t k = 0; k < sizeof(bad) / sizeof(bad[0]); k++)
        if (memmem(d, n, bad[k], strlen(bad[k])))
            return 1;
    return 0;
}

static void eval_expr(const char *text, unsigned where, int n)
{
    char *err = NULL;
    struct sample_expr *e = smp_expr_parse(text, where, &err);
    struct smp_ctx ctx = {.opt = SMP_OPT_ITERATE};
    struct sample s;
    int k = 0;

    free(err);
    if (!e)
        return;
    if (smp_expr_eval(e, &env, &s)) {
        vars_set(&env, n & 1 ? VAR_SCOPE_PROC : VAR_SCOPE_TXN, n & 2 ? "v1" : "v2", &s);
        smp_to_str(&s, &env);
    }
    /* every occurrence, as an ACL sees them */
    do {
        smp_expr_eval_ctx(e, &env, &s, &ctx);
    } while (ctx.more && ++k < 1000);
    smp_expr_free(e);
}

static void eval_cond(char **words, int n, int unless)
{
    char *args[MAX_WORDS + 2], *err = NULL;
    struct acl_cond *c;

    args[0] = unless ? "unless" : "if";
    memcpy(args + 1, words, (size_t)n * sizeof(*words));
    c = acl_cond_parse(args, n + 1, &px, unless ? ALL : SMP_USE_L4 | SMP_USE_REQ, &err);
    free(err);
    if (c)
        acl_cond_exec(c, &env);
    acl_cond_free(c);
}

static void eval_declare(char **words, int n)
{
    char *args[MAX_WORDS + 2], *err = NULL, *cond[] = {"if", "fz", "||", "!fz"};
    struct acl_cond *c;

    args[0] = "acl";
    args[1] = "fz";
    memcpy(args + 2, words, (size_t)n * sizeof(*words));
    if (acl_declare(&scratch, args, n + 2, &err) >= 0) {
        free(err);
        err = NULL;
        c = acl_cond_parse(cond, 4, &scratch, ALL, &err);
        if (c)
            acl_cond_exec(c, &env);
        acl_cond_free(c);
    }
    free(err);
    acl_px_free(&scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf, *words[MAX_WORDS], *p;
    int n = 0;

    if (size > 4096 || unsafe(data, size))
        return 0;
    init_once();
    buf = malloc(size + 1);
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = 0;
    /* words: separated by blanks; a NUL ends the text */
    for (p = buf; *p && n < MAX_WORDS;) {
        while (*p == ' ' || *p == '\t' || *p == '\n')
            *p++ = 0;
        if (!*p)
            break;
        words[n++] = p;
        while (*p && *p != ' ' && *p != '\t' && *p != '\n')
            p++;
    }
    for (int i = 0; i < n && i < 4; i++)
        eval_expr(words[i], i == 1 ? SMP_USE_L4 | SMP_USE_REQ : ALL, i);
    if (n) {
        eval_cond(words, n, size & 1);
        eval_declare(words, n);
    }
    arena_reset(&arena);
    arena_reset(&var_arena);
    for (int i = VAR_SCOPE_SESS; i < VAR_SCOPE_COUNT; i++)
        stores[i].head = NULL;
    vars_store_clear(&stores[VAR_SCOPE_PROC]);
    free(buf);
    return 0;
}
