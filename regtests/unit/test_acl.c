/* Unit tests: ACL match methods, flags, operators, pattern files, derived keywords,
 * predefined ACLs and if/unless conditions, on a fake HTTP transaction. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cfg.h"
#include "proxy.h"
#include "sample-kw.h"
#include "sample.h"
#include "str.h"
#include "tap.h"

#define ALL (SMP_USE_L4 | SMP_USE_REQ | SMP_USE_RES | SMP_USE_BE)

static struct http_hdr req_hdrs[16], res_hdrs[8];
static struct http_txn txn;
static struct arena arena;
static struct sockaddr_storage src_ss, dst_ss;
static struct smp_env env;
static struct proxy px = {.id = "fe", .cap = PX_CAP_FE | PX_CAP_BE};

static void add_hdr(struct http_msg *m, const char *name, const char *value)
{
    m->hdrs[m->nhdrs++] = (struct http_hdr){name, (uint32_t)strlen(name), value,
                                            (uint32_t)strlen(value)};
}

static void set_req(const char *meth, const char *uri)
{
    txn.req.meth = meth;
    txn.req.meth_len = (uint32_t)strlen(meth);
    txn.req.uri = uri;
    txn.req.uri_len = (uint32_t)strlen(uri);
}

static void setup(void)
{
    struct sockaddr_in *s4 = (struct sockaddr_in *)&src_ss;

    txn.req = (struct http_msg){.vers = 11, .hdrs = req_hdrs, .max_hdrs = 16, .present = 1};
    set_req("GET", "/static/img/Logo.PNG?v=1&lang=fr");
    add_hdr(&txn.req, "Host", "www.Example.com:8080");
    add_hdr(&txn.req, "X-List", "alpha, beta,gamma");
    add_hdr(&txn.req, "X-Num", "7, 42");
    add_hdr(&txn.req, "User-Agent", "Mozilla/5.0 (X11)");
    add_hdr(&txn.req, "Cookie", "sid=xyz; theme=dark");
    add_hdr(&txn.req, "X-Bin", "-i");
    txn.res = (struct http_msg){.status = 404, .vers = 11, .hdrs = res_hdrs, .max_hdrs = 8,
                                .present = 1};
    add_hdr(&txn.res, "Content-Type", "text/html");
    s4->sin_family = AF_INET;
    s4->sin_port = htons(40000);
    inet_pton(AF_INET, "192.168.1.20", &s4->sin_addr);
    ((struct sockaddr_in *)&dst_ss)->sin_family = AF_INET;
    ((struct sockaddr_in *)&dst_ss)->sin_port = htons(80);
    env = (struct smp_env){.src = &src_ss, .dst = &dst_ss, .fe = &px, .txn = &txn,
                           .arena = &arena, .avail = ALL};
}

/* Splits text on spaces into words (a writable copy, freed by the caller through words[0]
 * ... kept simple: the copy is returned in *buf). */
static int split(const char *text, char **buf, char **words, int max)
{
    int n = 0;
    char *save = NULL;

    *buf = strdup(text);
    for (char *w = strtok_r(*buf, " ", &save); w && n < max; w = strtok_r(NULL, " ", &save))
        words[n++] = w;
    return n;
}

/* Evaluates "if ..." / "unless ..." in px: 1, 0, or -1 when it does not parse. */
static int cond_where(const char *text, unsigned where, char **errp)
{
    char *buf, *words[64], *err = NULL;
    int n = split(text, &buf, words, 64), r = -1;
    struct acl_cond *c = acl_cond_parse(words, n, &px, where, &err);

    if (c) {
        arena_reset(&arena);
        r = acl_cond_exec(c, &env);
    }
    if (errp)
        *errp = err;
    else
        free(err);
    acl_cond_free(c);
    free(buf);
    return r;
}

static int cond(const char *text)
{
    return cond_where(text, ALL, NULL);
}

#define T(text) is_int(cond(text), 1, "%s", text)
#define F(text) is_int(cond(text), 0, "! %s", text)

static void cond_err(const char *text, const char *msg)
{
    char *err = NULL;
    int r = cond_where(text, ALL, &err);

    ok(r == -1 && err && strstr(err, msg), "'%s' refused: %s", text, err ? err : "accepted");
    free(err);
}

/* Declares "acl NAME ..." in px; returns acl_declare()'s result. */
static int declare(const char *text, char **errp)
{
    char *buf, *words[64], *err = NULL;
    int n = split(text, &buf, words, 64);
    int rc = acl_declare(&px, words, n, &err);

    if (errp)
        *errp = err;
    else
        free(err);
    free(buf);
    return rc;
}

static void declare_ok(const char *text)
{
    char *err = NULL;

    ok(declare(text, &err) == 0, "%s (%s)", text, err ? err : "ok");
    free(err);
}

static void declare_err(const char *text, const char *msg)
{
    char *err = NULL;
    int rc = declare(text, &err);

    ok(rc < 0 && err && strstr(err, msg), "'%s' refused: %s", text, err ? err : "accepted");
    free(err);
}

static char tmpdir[] = "/tmp/test_acl.XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[256];
    FILE *f;

    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    return path;
}

/* ---- match methods ---------------------------------------------------------------------- */

static void test_strings(void)
{
    T("if { path /static/img/Logo.PNG }");
    F("if { path /static/img/logo.png }");
    T("if { path -i /STATIC/img/logo.png }");
    T("if { path /a /b /static/img/Logo.PNG /z }");
    F("if { path /a /b }");
    T("if { path -m str /static/img/Logo.PNG }");
    T("if { path_beg /static/ }");
    F("if { path_beg /img }");
    T("if { path_beg -i /STATIC }");
    T("if { path_end .PNG }");
    T("if { path_end -i .png .jpg }");
    T("if { path_end -i .jpg .GIF .png }");
    T("if { path_beg /x /static/img/L /s/ }");
    F("if { path_beg /x /static/img/l /s/ }");
    T("if { path_beg -i /x /static/img/l /s/ }");
    T("if { path_end /x Logo.PNG g G }");
    T("if { path -m beg -- / }");
    F("if { path_end .png }");
    T("if { path_sub img/ }");
    T("if { path_sub -i LOGO }");
    F("if { path_sub logo }");
    T("if { path_reg ^/static/.*\\.PNG$ }");
    T("if { path_reg -i ^/STATIC/ }");
    F("if { path_reg ^/img }");
    T("if { path_dir img }");
    T("if { path_dir static/img }");
    T("if { path_dir /img/ }");
    F("if { path_dir im }");
    F("if { path_dir static/Logo.PNG }");
    T("if { path_len 20 }");
    T("if { path_len 1:30 }");
    F("if { path_len 21: }");
    T("if { hdr_dom(host) Example }");
    F("if { hdr_dom(host) example }");
    T("if { hdr_dom(host) -i example }");
    T("if { hdr_dom(host) -i www.example.com }");
    T("if { hdr_dom(host) 8080 }");
    F("if { hdr_dom(host) exam }");
    T("if { hdr_beg(host) -i www. }");
    T("if { hdr_end(host) :8080 }");
    T("if { hdr_sub(user-agent) X11 }");
    T("if { hdr_reg(user-agent) ^Mozilla/[0-9] }");
    T("if { hdr_len(host) 20 }");
    T("if { hdr(host) -m dom com }");
    T("if { url_beg /static }");
    T("if { url_end lang=fr }");
    T("if { url_sub v=1 }");
    T("if { url_reg \\?v= }");
    T("if { url_dom v=1&lang=fr }");
    F("if { url_dom lang=fr }");
    T("if { urlp(lang) fr }");
    T("if { urlp_beg(lang) f }");
    T("if { urlp_len(v) 1 }");
    T("if { base_beg www.Example.com:8080/static }");
    T("if { base_end .PNG }");
    T("if { base_sub Example }");
    T("if { cook(sid) xyz }");
    T("if { cook_beg(theme) da }");
    T("if { req.cook_end(theme) rk }");
    T("if { cook_len(sid) 3 }");
    T("if { shdr(content-type) text/html }");
    T("if { shdr_beg(content-type) text/ }");
    T("if { res.hdr(content-type) -m sub html }");
    /* -i applies to the patterns that follow it only */
    T("if { path -i /X /STATIC/IMG/LOGO.PNG }");
    F("if { path /static/img/Logo.PNG_ -i /static/img/logo.png }"); /* after a value, "-i" is one */
    T("if { path /x -i /static/img/Logo.PNG }");
    /* "--" ends the flags: "-i" is then a value */
    T("if { hdr(x-bin) -- -i }");
    cond_err("if { hdr(x-bin) -x }", "'-x' is not a valid ACL option");
    /* converters: the ACL keyword's method gives way to the output type's */
    T("if { path_beg,lower /static/img/logo.png }");
    T("if { hdr(host),lower,field(1,:) www.example.com }");
    T("if { method GET }");
    F("if { method get }");
    T("if { method -i get }");
}

static void test_integers(void)
{
    T("if { hdr_cnt(x-list) 3 }");
    T("if { hdr_cnt(x-list) eq 1 3 }");
    F("if { hdr_cnt(x-list) eq 1 2 }");
    T("if { hdr_cnt(x-list) gt 2 }");
    F("if { hdr_cnt(x-list) gt 3 }");
    T("if { hdr_cnt(x-list) ge 3 }");
    F("if { hdr_cnt(x-list) ge 4 }");
    T("if { hdr_cnt(x-list) lt 4 }");
    F("if { hdr_cnt(x-list) lt 3 }");
    T("if { hdr_cnt(x-list) le 3 }");
    F("if { hdr_cnt(x-list) le 2 }");
    T("if { hdr_cnt(x-list) 1:3 }");
    T("if { hdr_cnt(x-list) 3: }");
    T("if { hdr_cnt(x-list) :3 }");
    F("if { hdr_cnt(x-list) 4: }");
    F("if { hdr_cnt(x-list) :2 }");
    T("if { hdr_cnt(x-list) lt 1 eq 3 }"); /* the operator applies to the values after it */
    T("if { hdr_cnt(x-list) gt 9 -1:3 }");
    T("if { int(-5) lt 0 }");
    T("if { int(-5) -- -10:-5 }");
    cond_err("if { int(-5) -10:-5 }", "not a valid ACL option");
    T("if { status 400:499 }");
    T("if { status 404 }");
    T("if { dst_port 80 }");
    T("if { src_port gt 1024 }");
    T("if { hdr_val(x-num) 42 }");     /* every value is tried: 7, then 42 */
    T("if { hdr_val(x-num) 7 }");
    F("if { hdr_val(x-num) 8 }");
    T("if { hdr(x-num) -m int 42 }");
    T("if { str(12abc) -m int 12 }");
    T("if { int(9223372036854775807) gt 9223372036854775806 }");
    F("if { int(9223372036854775807) gt 9223372036854775807 }");
    F("if { int(-9223372036854775807),sub(1) lt -9223372036854775808 }");
    F("if { hdr_cnt(x-list) gt }");    /* no value: never matches */
    T("unless { hdr_cnt(x-list) gt }");
    cond_err("if { hdr_cnt(x-list) abc }", "'abc' is not a number");
    cond_err("if { hdr_cnt(x-list) 1:x }", "not a number or a range");
    cond_err("if { hdr_cnt(x-list) : }", "not a number or a range");
}

static void test_addresses(void)
{
    T("if { src 192.168.1.20 }");
    T("if { src 192.168.1.0/24 }");
    T("if { src 192.168.0.0/255.255.0.0 }");
    T("if { src 10.0.0.0/8 192.168.0.0/16 }");
    F("if { src 10.0.0.0/8 192.168.2.0/24 }");
    F("if { src 192.168.20 }"); /* abbreviated: 192.168.0.20 is not it... */
    T("if { src 192.168.276 }"); /* ... but 192.168.(1 * 256 + 20) is */
    T("if { src ::ffff:192.168.1.20 }");
    T("if { src ::ffff:192.168.0.0/112 }");
    T("if { src 0.0.0.0/0 }");
    F("if { src ::1 }");
    T("if { src -m str 192.168.1.20 }");
    T("if { src -m beg 192.168. }");
    T("if { str(10.1.2.3) -m ip 10.0.0.0/8 }");
    F("if { str(not-an-ip) -m ip 10.0.0.0/8 }");
    T("if { str(2001:db8::1) -m ip 2001:db8::/32 }");
    F("if { str(2001:db9::1) -m ip 2001:db8::/32 }");
    T("if { str(::ffff:10.1.2.3) -m ip 10.0.0.0/8 }");
    T("if { str(2002:0a01:0203::) -m ip 10.1.2.3 }"); /* 6to4 */
    T("if { str(10.1.2.3) -m ip ::ffff:10.1.2.3 }");
    T("unless LOCALHOST");
    cond_err("if { src 1.2.3.4/33 }", "not a valid IPv4 or IPv6 address");
    cond_err("if { src foo }", "not a valid IPv4 or IPv6 address");
    cond_err("if { src 1.2.3.4/255.0.255.0 }", "not a valid IPv4");
    cond_err("if { src ::1/129 }", "not a valid");
    cond_err("if { src 256.1.1.1 }", "not a valid");
}

static void test_other_methods(void)
{
    T("if { hdr(host) -m found }");
    F("if { hdr(nope) -m found }");
    T("if { hdr(nope) -m found } || TRUE");
    T("if { hdr(host) -m found ignored values }");
    T("if { always_true }");
    F("if { always_false }");
    T("if { int(3) -m bool }");
    F("if { int(0) -m bool }");
    T("if { str(7) -m bool }");
    F("if { str(abc) -m bool }");
    T("if { str(abc),hex 616263 }");
    T("if { str(abc) -m bin 616263 }");
    T("if { str(abc) -m bin 616263 }");
    F("if { str(abc),hex -m bin 616263 }");
    T("if { bin(00ff10) -m bin 00FF10 }");
    T("if { bin(00ff10) -m len 3 }");
    T("if { bin(616263) -m sub b }");
    cond_err("if { str(a) -m bin 4g }", "an hex digit is expected (found 'g')");
    cond_err("if { str(a) -m bin 414 }", "an even number of hex digit is expected");
    cond_err("if { hdr(host) -m reg ( }", "regex '(' is invalid");
    cond_err("if { hdr(host) -m reg (.+++) }",
             "regex '(.+++)' is invalid: quantifier does not follow a repeatable item");
    T("if { hdr(host) -m reg ^\\w+\\.(?!invalid) }");
    {
        /* a repeated group over 6 kB of subject: more than PCRE2's default JIT stack; it
         * must still match (a deny rule would otherwise fail open) */
        static char line[8000];
        struct strbuf sb;

        strbuf_init_fixed(&sb, line, sizeof(line));
        strbuf_puts(&sb, "if { str(/");
        for (int i = 0; i < 2000; i++)
            strbuf_puts(&sb, "../");
        strbuf_puts(&sb, "etc/passwd) -m reg (\\.\\./|\\./)+etc/passwd }");
        ok(strbuf_ok(&sb), "the 6 kB condition fits its buffer");
        T(line);
    }
    T("if { hdr(host) -m reg -i ^(W+)+\\. }");
    cond_err("if { hdr(host) -m foo a }", "unknown matching method 'foo'");
    cond_err("if { hdr(host) -m }", "'-m' expects an argument");
    cond_err("if { var(txn.x) foo }", "matching method must be specified first");
    cond_err("if { bin(00) 00 }", "matching method must be specified first");
    T("unless { var(txn.x) -m found }");
}

static void test_files(void)
{
    char *plist = strdup(write_file("p.lst", "abc\n  /static/img/Logo.PNG\n# comment\n\nGHI\n"));
    char *ilist = strdup(write_file("ip.lst", "10.0.0.0/8\n192.168.1.0/24\n"));
    char *map = strdup(write_file("m.map", "/static/img/Logo.PNG backend1\n/x backend2\n"));
    char *bad = strdup(write_file("bad.lst", "10.0.0.0/8\nnot-an-ip\n"));
    char *big, buf[512];
    FILE *f;

    snprintf(buf, sizeof(buf), "if { path -f %s }", plist);
    T(buf);
    snprintf(buf, sizeof(buf), "if { str(ghi) -f %s }", plist);
    F(buf);
    snprintf(buf, sizeof(buf), "if { str(ghi) -i -f %s }", plist);
    T(buf);
    snprintf(buf, sizeof(buf), "if { str(ghi) -f %s -i }", plist); /* -i after -f: not for it */
    F(buf);
    snprintf(buf, sizeof(buf), "if { str(xGHIx) -m sub -f %s }", plist);
    T(buf);
    /* a set mixing case-sensitive (from the file) and -i patterns (after -i) */
    snprintf(buf, sizeof(buf), "if { path_end -f %s -i .png }", plist);
    T(buf);
    snprintf(buf, sizeof(buf), "if { str(xghi) -m end -f %s -i .png }", plist);
    F(buf);
    snprintf(buf, sizeof(buf), "if { str(xGHI) -m end -f %s -i .png }", plist);
    T(buf);
    snprintf(buf, sizeof(buf), "if { str(/static/img/Logo.PNG/z) -m beg -f %s -i /X }", plist);
    T(buf);
    snprintf(buf, sizeof(buf), "if { str(/STATIC/img/Logo.PNG/z) -m beg -f %s -i /X }", plist);
    F(buf);
    snprintf(buf, sizeof(buf), "if { str(/x/STATIC) -m beg -f %s -i /X }", plist);
    T(buf);
    snprintf(buf, sizeof(buf), "if { src -f %s }", ilist);
    T(buf);
    snprintf(buf, sizeof(buf), "if { path -M -f %s }", map);
    T(buf);
    snprintf(buf, sizeof(buf), "if { path -f %s /other }", map); /* whole lines without -M */
    F(buf);
    snprintf(buf, sizeof(buf), "if { path -f %s -m beg /x }", plist);
    cond_err(buf, "'-m' must be placed before '-f'");
    snprintf(buf, sizeof(buf), "if { src -f %s }", bad);
    cond_err(buf, "at line 2 of file");
    cond_err("if { path -f /nonexistent/list }", "failed to open pattern file");
    cond_err("if { path -f }", "'-f' expects an argument");

    /* a large list: exact strings are looked up in a sorted array */
    big = strdup(write_file("big.lst", ""));
    f = fopen(big, "w");
    for (int i = 0; i < 100000; i++)
        fprintf(f, "/item/%d\n", i * 7);
    fclose(f);
    snprintf(buf, sizeof(buf), "acl big path -f %s", big);
    declare_ok(buf);
    set_req("GET", "/item/699993");
    T("if big");
    set_req("GET", "/item/699994");
    F("if big");
    /* prefixes and suffixes: one binary search per distinct length */
    snprintf(buf, sizeof(buf), "acl bigbeg path -m beg -f %s", big);
    declare_ok(buf);
    snprintf(buf, sizeof(buf), "acl bigend path_end -i -f %s", big);
    declare_ok(buf);
    set_req("GET", "/item/6999931/x");
    T("if bigbeg");            /* "/item/69999" is a prefix */
    set_req("GET", "/ITEM/70/item/699993");
    F("if bigbeg");
    T("if bigend");
    set_req("GET", "/item/5");
    F("if bigbeg || bigend");
    set_req("GET", "/static/img/Logo.PNG?v=1&lang=fr");
    free(plist);
    free(ilist);
    free(map);
    free(bad);
    free(big);
}

/* ---- named ACLs and conditions ---------------------------------------------------------- */

static void test_conditions(void)
{
    char *err = NULL;
    int rc;

    declare_ok("acl is_static path_beg /static");
    declare_ok("acl is_png path_end -i .png");
    declare_ok("acl is_post method POST");
    declare_ok("acl host_www hdr_beg(host) -i www.");
    declare_ok("acl two path_beg /nope");
    declare_ok("acl two path_end .PNG"); /* lines of one name are ORed */
    declare_ok("acl resp_html res.hdr(content-type) -m sub html");
    T("if is_static");
    F("unless is_static");
    T("if is_static is_png");          /* implicit AND */
    F("if is_static is_post");
    T("if is_post || is_static");
    T("if is_post or is_static");
    F("if is_post or !is_static");
    T("if !is_post");
    T("if ! is_post");
    T("if ! ! is_static");
    T("if !!is_static");
    T("if is_post is_png || host_www is_static");
    F("if is_post is_png || host_www is_post");
    T("unless is_post is_png || is_post");
    T("if two");
    T("if is_static { path_end .PNG }");
    F("if is_static ! { path_end .PNG }");
    T("if { path_beg /x } || { hdr(host) -m found }");
    T("if || is_static");              /* empty parts are dropped */
    T("if is_static ||");
    F("if is_post || || two is_post");
    F("if");                           /* no condition: never (HAProxy) */
    T("unless");
    F("if !");
    T("if resp_html");
    T("if TRUE");
    F("if FALSE");
    T("if HTTP");
    T("if HTTP_1.1");
    F("if HTTP_1.0");
    F("if HTTP_2.0");
    T("if METH_GET");
    set_req("HEAD", "/static/img/Logo.PNG?v=1&lang=fr");
    T("if METH_GET");                  /* GET or HEAD */
    T("if METH_HEAD");
    set_req("POST", "/static/img/Logo.PNG?v=1&lang=fr");
    T("if METH_POST is_post");
    F("if METH_PUT || METH_DELETE || METH_OPTIONS || METH_CONNECT || METH_TRACE");
    set_req("GET", "http://www.example.com/x");
    T("if HTTP_URL_ABS");
    F("if HTTP_URL_SLASH");
    set_req("OPTIONS", "*");
    T("if HTTP_URL_STAR METH_OPTIONS");
    set_req("GET", "/static/img/Logo.PNG?v=1&lang=fr");
    T("if HTTP_URL_SLASH");
    F("if HTTP_CONTENT");
    F("if REQ_CONTENT");
    add_hdr(&txn.req, "Content-Length", "12");
    T("if HTTP_CONTENT REQ_CONTENT");
    txn.req.hdrs[--txn.req.nhdrs].name = NULL;
    add_hdr(&txn.req, "Transfer-Encoding", "gzip, chunked");
    T("if REQ_CONTENT");
    txn.req.hdrs[--txn.req.nhdrs].name = NULL;
    T("if WAIT_END");
    F("if LOCALHOST");
    ((struct sockaddr_in *)&src_ss)->sin_addr.s_addr = htonl(0x7f000001);
    T("if LOCALHOST");
    inet_pton(AF_INET, "192.168.1.20", &((struct sockaddr_in *)&src_ss)->sin_addr);

    /* errors */
    cond_err("if nope", "no such ACL : 'nope'");
    cond_err("if is_statik", "did you mean 'is_static'?");
    cond_err("if METH_GETT", "did you mean 'METH_GET'?");
    cond_err("if {path_beg /x }", "braces of anonymous ACLs must be separated");
    cond_err("if { path_beg /x", "missing closing '}'");
    cond_err("if { path_beg /x}", "missing closing '}'");
    cond_err("if { }", "missing fetch method in ACL expression");
    cond_err("if { path_bge /x }", "unknown fetch method 'path_bge'; did you mean 'path_beg'?");
    cond_err("if { res.hdrr(x) -m found }", "did you mean 'res.hdr'?");
    cond_err("when is_static", "expects 'if' or 'unless'");
    cond_err("if { path(1) x }", "expected ')' before '1)'");

    /* used where its data is missing: accepted with a warning, as HAProxy */
    rc = cond_where("if resp_html", SMP_USE_L4 | SMP_USE_REQ, &err);
    ok(rc >= 0 && err && strstr(err, "acl 'resp_html' will never match"),
       "response ACL in a request rule: warning '%s'", err ? err : "none");
    free(err);
    err = NULL;
    rc = cond_where("if { status 200 }", SMP_USE_L4 | SMP_USE_REQ, &err);
    ok(rc >= 0 && err && strstr(err, "anonymous acl will never match because it uses keyword "
                                     "'status'"), "anonymous: warning '%s'", err ? err : "none");
    free(err);
    err = NULL;
    rc = cond_where("if two resp_html", SMP_USE_L4 | SMP_USE_REQ | SMP_USE_RES, &err);
    ok(rc == 1 && !err, "no warning when the data is there");
    free(err);
    err = NULL;
    rc = cond_where("if METH_GET", SMP_USE_L4, &err);
    ok(rc == 1 && err && strstr(err, "METH_GET"), "METH_GET in a TCP context: warning '%s'",
       err ? err : "none");
    free(err);
}

static void test_declare_errors(void)
{
    char *err = NULL;

    declare_err("acl", "missing name");
    declare_err("acl x", "missing criterion");
    declare_err("acl bad/name path /", "invalid character '/'");
    declare_err("acl x pathh /", "did you mean 'path'?");
    declare_err("acl x hdr_beg(host,x) /", "failed to parse 'x' as type 'integer'");
    declare_err("acl x path -m reg (", "regex '(' is invalid");
    ok(declare("acl empty path_beg", &err) > 0 && err && strstr(err, "never match"),
       "no value: warning '%s'", err ? err : "none");
    free(err);
    /* a failed line does not create the ACL */
    cond_err("if x", "no such ACL : 'x'");
}

/* The "acl" configuration keyword: sections, and file:line added by the engine. */
static void test_keyword(void)
{
    struct cfg_ctx ctx = {0};
    struct proxy *f;

    cfg_parse_text(&ctx, "acl.cfg",
                   "frontend acl_fe\n"
                   "    acl local src 127.0.0.1\n"
                   "    acl bad path -m nope x\n"
                   "defaults\n"
                   "    acl d path /\n");
    f = px_find("acl_fe", PX_CAP_FE);
    ok(f && f->acls, "acl stored in the frontend");
    is_int(ctx.errors, 2, "two errors reported (bad method, acl in defaults)");
    if (f)
        acl_px_free(f);
}

static void test_patset_api(void)
{
    struct acl_patset *ps = acl_patset_new(ACL_M_STR);
    struct sample s = {.type = SMP_T_STR, .data.str = {"b", 1}};
    static int v1 = 1, v2 = 2;
    void *val = NULL;
    char *err = NULL;

    acl_patset_add(ps, "a", 1, 0, NULL, &err);
    acl_patset_add(ps, "b", 1, 0, &v1, &err);
    acl_patset_add(ps, "b", 1, 0, &v2, &err);
    ok(acl_patset_lookup(ps, &s, &env, &val) && val == &v1, "unbuilt set: scanned in order");
    acl_patset_build(ps);
    ok(acl_patset_lookup(ps, &s, &env, &val) && val == &v1, "duplicates: the first written");
    is_int(acl_patset_count(ps), 3, "three patterns");
    s.data.str.ptr = "c";
    ok(!acl_patset_lookup(ps, &s, &env, &val), "no match");
    acl_patset_free(ps, NULL);
    is_int(acl_match_parse("dom"), ACL_M_DOM, "match name");
    is_int(acl_match_parse("xyz"), ACL_M_NONE, "unknown match name");
    free(err);
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 1;
    setup();
    test_strings();
    test_integers();
    test_addresses();
    test_other_methods();
    test_files();
    test_conditions();
    test_declare_errors();
    test_keyword();
    test_patset_api();
    acl_px_free(&px);
    arena_free(&arena);
    {
        char cmd[300];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            return 1;
    }
    return done_testing();
}
