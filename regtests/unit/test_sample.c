/* Unit tests: sample expressions (parser, arguments, casts), every fetch on a fake HTTP
 * transaction, every converter, variables, and the parse errors. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arena.h"
#include "proxy.h"
#include "sample-kw.h"
#include "sample.h"
#include "server.h"
#include "tap.h"

/* ---- a fake transaction ---------------------------------------------------------------- */

static struct http_hdr req_hdrs[32], res_hdrs[32];
static struct http_txn txn;
static struct arena arena, var_arena;
static struct sockaddr_storage src_ss, dst_ss;
static struct var_store stores[VAR_SCOPE_COUNT];
static struct smp_env env;

static void add_hdr(struct http_msg *m, const char *name, const char *value)
{
    m->hdrs[m->nhdrs++] = (struct http_hdr){name, (uint32_t)strlen(name), value,
                                            (uint32_t)strlen(value)};
}

static void set_v4(struct sockaddr_storage *ss, const char *ip, int port)
{
    struct sockaddr_in *s = (struct sockaddr_in *)ss;

    memset(ss, 0, sizeof(*ss));
    s->sin_family = AF_INET;
    s->sin_port = htons((uint16_t)port);
    inet_pton(AF_INET, ip, &s->sin_addr);
}

static void set_v6(struct sockaddr_storage *ss, const char *ip, int port)
{
    struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;

    memset(ss, 0, sizeof(*ss));
    s->sin6_family = AF_INET6;
    s->sin6_port = htons((uint16_t)port);
    inet_pton(AF_INET6, ip, &s->sin6_addr);
}

/* A request "GET uri HTTP/1.1" with a few headers, and a 302 response. */
static void reset_txn(const char *uri)
{
    memset(&txn, 0, sizeof(txn));
    txn.req = (struct http_msg){.meth = "GET", .meth_len = 3, .uri = uri,
                                .uri_len = (uint32_t)strlen(uri), .vers = 11, .hdrs = req_hdrs,
                                .max_hdrs = 32, .present = 1};
    add_hdr(&txn.req, "Host", "www.example.com");
    add_hdr(&txn.req, "X-List", "a, \"b,c\" , d");
    add_hdr(&txn.req, "x-list", "e");
    add_hdr(&txn.req, "Deleted", "gone");
    txn.req.hdrs[3].name = NULL; /* deleted slot */
    add_hdr(&txn.req, "Cookie", "a=1; b = 2 ;c=; a=3, d=4");
    add_hdr(&txn.req, "cookie", "a=5; q=\"x,y;z\"");
    add_hdr(&txn.req, "X-Forwarded-For", "junk, 10.0.0.1:8080, 2001:db8::7");
    add_hdr(&txn.req, "Content-Length", "42xyz");
    add_hdr(&txn.req, "Empty", "");
    txn.res = (struct http_msg){.status = 302, .vers = 10, .hdrs = res_hdrs, .max_hdrs = 32,
                                .present = 1};
    add_hdr(&txn.res, "Location", "/x");
    add_hdr(&txn.res, "Set-Cookie", "sid=abc; Path=/; Expires=Wed, 21 Oct 2015 07:28:00 GMT");
    add_hdr(&txn.res, "Set-Cookie", "lang=fr");
    add_hdr(&txn.res, "Vary", "a,b");
}

static struct proxy fe = {.id = "fe1", .cap = PX_CAP_FE, .uuid = 3};
static struct proxy be = {.id = "be1", .cap = PX_CAP_BE, .uuid = 4};
static struct proxy be2 = {.id = "be2", .cap = PX_CAP_BE, .uuid = 5};
static struct server s1 = {.id = "s1", .puid = 1}, s2 = {.id = "s2", .puid = 2},
                     s3 = {.id = "s3", .puid = 3, .flags = SRV_F_DISABLED},
                     b1 = {.id = "b1", .puid = 1, .flags = SRV_F_BACKUP};

static void setup(void)
{
    reset_txn("/p/q;d=9?b=1&a=2;c=3&e=&e=5");
    set_v4(&src_ss, "192.168.1.20", 40000);
    set_v4(&dst_ss, "10.0.0.1", 8080);
    s1.next = &s2;
    s2.next = &s3;
    be.servers = &s1;
    be2.servers = &b1;
    be.next = &be2;
    be2.next = proxies; /* px_find() for nbsrv(be1) */
    proxies = &be;
    for (int i = 0; i < VAR_SCOPE_COUNT; i++)
        stores[i].arena = i == VAR_SCOPE_PROC ? NULL : &var_arena;
    env = (struct smp_env){.src = &src_ss, .dst = &dst_ss, .fe = &fe, .be = &be, .srv = &s2,
                           .txn = &txn, .arena = &arena, .avail = 0xf};
    for (int i = 0; i < VAR_SCOPE_COUNT; i++)
        env.vars[i] = &stores[i];
}

/* ---- helpers ---------------------------------------------------------------------------- */

static char out[4096];

/* Evaluates text; returns its value as a string, "<none>" when there is no sample, or
 * "<error: ...>" when it does not parse. */
static const char *ev_where(const char *text, unsigned where)
{
    char *err = NULL;
    struct sample_expr *e = smp_expr_parse(text, where, &err);
    struct sample s;

    arena_reset(&arena);
    if (!e) {
        snprintf(out, sizeof(out), "<error: %s>", err ? err : "?");
        free(err);
        return out;
    }
    if (!smp_expr_eval(e, &env, &s))
        snprintf(out, sizeof(out), "<none>");
    else if (s.type == SMP_T_BIN)
        snprintf(out, sizeof(out), "<bin %zu>", s.data.str.len);
    else if (smp_to_str(&s, &env) < 0)
        snprintf(out, sizeof(out), "<to_str failed>");
    else
        snprintf(out, sizeof(out), "%.*s", (int)s.data.str.len, s.data.str.ptr);
    smp_expr_free(e);
    return out;
}

static const char *ev(const char *text)
{
    return ev_where(text, 0xf);
}

#define EV(text, want) is_str(ev(text), want, "%s = %s", text, want)

/* Type of the sample text produces */
static int ev_type(const char *text)
{
    struct sample_expr *e = smp_expr_parse(text, 0xf, NULL);
    struct sample s;
    int t = -1;

    if (e && smp_expr_eval(e, &env, &s))
        t = (int)s.type;
    smp_expr_free(e);
    return t;
}

static void parse_err(const char *text, unsigned where, const char *msg)
{
    char *err = NULL;
    struct sample_expr *e = smp_expr_parse(text, where, &err);

    ok(!e && err && strstr(err, msg), "'%s' refused: %s", text, err ? err : "accepted");
    smp_expr_free(e);
    free(err);
}

static char tmpdir[] = "/tmp/test_sample.XXXXXX";

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

/* ---- tests ------------------------------------------------------------------------------ */

static void test_layer4(void)
{
    EV("src", "192.168.1.20");
    EV("src_port", "40000");
    EV("dst", "10.0.0.1");
    EV("dst_port", "8080");
    is_int(ev_type("src"), SMP_T_IPV4, "src is an IPv4 sample");
    set_v6(&src_ss, "2001:db8::1", 443);
    EV("src", "2001:db8::1");
    EV("src_port", "443");
    is_int(ev_type("src"), SMP_T_IPV6, "src is an IPv6 sample");
    set_v4(&src_ss, "192.168.1.20", 40000);
    env.src = NULL;
    EV("src", "<none>");
    env.src = &src_ss;
}

static void test_request_line(void)
{
    EV("method", "GET");
    EV("path", "/p/q;d=9");
    EV("pathq", "/p/q;d=9?b=1&a=2;c=3&e=&e=5");
    EV("url", "/p/q;d=9?b=1&a=2;c=3&e=&e=5");
    EV("query", "b=1&a=2;c=3&e=&e=5");
    EV("req.ver", "1.1");
    EV("req_ver", "1.1");
    EV("base", "www.example.com/p/q;d=9");
    EV("req.proto_http", "1");
    EV("url_param(a)", "2");
    EV("url_param(c)", "3");
    EV("url_param(e)", "");
    EV("url_param()", "1");
    EV("url_param", "1");
    EV("url_param(zz)", "<none>");
    EV("urlp(b)", "1");
    EV("url_param(d,;)", "9?b=1");
    is_int(ev_type("method"), SMP_T_STR, "method is a string");

    txn.req.uri = "http://h.example:80/abs/x?y=1";
    txn.req.uri_len = (uint32_t)strlen(txn.req.uri);
    EV("path", "/abs/x");
    EV("pathq", "/abs/x?y=1");
    EV("query", "y=1");
    EV("url", "http://h.example:80/abs/x?y=1");
    txn.req.uri = "http://h.example";
    txn.req.uri_len = (uint32_t)strlen(txn.req.uri);
    EV("path", "<none>");
    txn.req.uri = "*";
    txn.req.uri_len = 1;
    EV("path", "<none>");
    EV("url", "*");
    txn.req.uri = "h.example:443";
    txn.req.uri_len = (uint32_t)strlen(txn.req.uri);
    EV("path", "<none>");
    txn.req.uri = "/only?";
    txn.req.uri_len = (uint32_t)strlen(txn.req.uri);
    EV("query", "");
    EV("path", "/only");
    txn.req.uri = "/noquery";
    txn.req.uri_len = (uint32_t)strlen(txn.req.uri);
    EV("query", "<none>");
    EV("url_param(a)", "<none>");
    /* base without Host: the path alone */
    txn.req.hdrs[0].name = NULL;
    EV("base", "/noquery");
    reset_txn("/p/q;d=9?b=1&a=2;c=3&e=&e=5");
    txn.req.vers = 10;
    EV("req.ver", "1.0");
    txn.req.present = 0;
    EV("method", "<none>");
    EV("req.proto_http", "0");
    env.txn = NULL;
    EV("path", "<none>");
    EV("hdr(host)", "<none>");
    env.txn = &txn;
    reset_txn("/p/q;d=9?b=1&a=2;c=3&e=&e=5");
}

static void test_headers(void)
{
    EV("hdr(host)", "www.example.com");
    EV("hdr(HOST)", "www.example.com");
    EV("req.hdr(x-list)", "e");
    EV("hdr(x-list,1)", "a");
    EV("hdr(x-list,2)", "\"b,c\"");
    EV("hdr(x-list,3)", "d");
    EV("hdr(x-list,4)", "e");
    EV("hdr(x-list,5)", "<none>");
    EV("hdr(x-list,-1)", "e");
    EV("hdr(x-list,-2)", "d");
    EV("hdr(x-list,-4)", "a");
    EV("hdr(x-list,-5)", "<none>");
    EV("hdr(x-list,0)", "e");
    EV("req.fhdr(x-list)", "e");
    EV("req.fhdr(x-list,1)", "a, \"b,c\" , d");
    EV("req.fhdr(x-list,-2)", "a, \"b,c\" , d");
    EV("hdr(deleted)", "<none>");
    EV("hdr(empty)", "");
    EV("hdr(nope)", "<none>");
    EV("hdr_cnt(x-list)", "4");
    EV("req.hdr_cnt(x-list)", "4");
    EV("req.fhdr_cnt(x-list)", "2");
    EV("hdr_cnt(nope)", "0");
    EV("hdr_cnt(empty)", "1");
    EV("hdr_cnt", "13");     /* every value of every header, the deleted one excepted */
    EV("req.fhdr_cnt", "8");
    EV("hdr()", "");         /* no name: the last value of all (Empty) */
    EV("hdr(,-2)", "42xyz");
    EV("req.hdr_val(content-length)", "42");
    EV("hdr_val(host)", "0");
    EV("req.hdr_ip(x-forwarded-for)", "2001:db8::7");
    EV("req.hdr_ip(x-forwarded-for,2)", "10.0.0.1");
    EV("hdr_ip(x-forwarded-for,1)", "<none>");
    /* response */
    EV("status", "302");
    EV("res.ver", "1.0");
    EV("resp_ver", "1.0");
    EV("res.hdr(location)", "/x");
    EV("shdr(vary)", "b");
    EV("res.hdr(vary,1)", "a");
    EV("res.fhdr(vary)", "a,b");
    EV("res.hdr_cnt(vary)", "2");
    EV("shdr_cnt(vary)", "2");
    EV("res.fhdr_cnt(set-cookie)", "2");
    EV("res.hdr_val(nope)", "<none>");
    txn.res.present = 0;
    EV("status", "<none>");
    EV("res.hdr(location)", "<none>");
    txn.res.present = 1;
}

static void test_cookies(void)
{
    EV("req.cook(a)", "5");    /* the last one */
    EV("cook(b)", "2");        /* spaces around names and values */
    EV("req.cook(c)", "");
    EV("req.cook(d)", "4");    /* ',' separates request cookies too */
    EV("req.cook()", "1");     /* no name: the first cookie */
    EV("req.cook(zz)", "<none>");
    EV("req.cook(A)", "<none>"); /* names are case-sensitive */
    EV("req.cook(q)", "\"x,y;z\""); /* quoted values keep their delimiters */
    EV("req.cook_cnt(a)", "3");
    EV("cook_cnt", "7");
    EV("req.cook_val(a)", "5");
    EV("cook_val(b)", "2");
    EV("res.cook(sid)", "abc");
    EV("scook(lang)", "fr");
    EV("res.cook(Path)", "<none>"); /* only the first pair of each Set-Cookie */
    EV("res.cook()", "abc");
    EV("res.cook_cnt", "2");
    EV("scook_cnt(sid)", "1");
}

static void test_internal(void)
{
    struct sample s;

    EV("nbsrv", "2");          /* s3 is disabled */
    EV("nbsrv(be1)", "2");
    EV("nbsrv(be2)", "1");     /* only a backup server: counted */
    b1.flags |= SRV_F_DISABLED;
    EV("nbsrv(be2)", "0");
    b1.flags &= ~SRV_F_DISABLED;
    env.be = NULL;
    EV("nbsrv", "<none>");     /* fe has no backend side */
    EV("be_name", "<none>");
    env.be = &be;
    EV("fe_name", "fe1");
    EV("fe_id", "3");
    EV("be_name", "be1");
    EV("be_id", "4");
    EV("srv_name", "s2");
    EV("srv_id", "2");
    EV("str(hello world)", "hello world");
    EV("str()", "");
    EV("int(-12)", "-12");
    EV("always_true", "1");
    EV("always_false", "0");
    EV("ipv4(10.1.2.3)", "10.1.2.3");
    EV("ipv6(::1)", "::1");
    EV("bin(616263),hex", "616263");
    EV("bin(616263)", "<bin 3>");
    setenv("SMP_TEST_ENV", "env-value", 1);
    EV("env(SMP_TEST_ENV)", "env-value");
    EV("env(SMP_TEST_NOPE)", "<none>");
    is_int(ev_type("always_true"), SMP_T_BOOL, "always_true is a boolean");
    is_int(ev_type("int(1)"), SMP_T_SINT, "int() is an integer");

    /* variables of every type */
    s = (struct sample){.type = SMP_T_STR, .data.str = {"txn-value", 9}};
    ok(vars_set(&env, VAR_SCOPE_TXN, "a", &s) == 0, "set txn.a");
    EV("var(txn.a)", "txn-value");
    EV("var(txn.a),upper", "TXN-VALUE");
    EV("var(txn.a)", "txn-value"); /* upper copied the variable's bytes */
    EV("var(txn.nope)", "<none>");
    EV("var(txn.nope,dflt)", "dflt");
    EV("var(txn.a,dflt)", "txn-value");
    s = (struct sample){.type = SMP_T_SINT, .data.sint = 77};
    vars_set(&env, VAR_SCOPE_SESS, "n", &s);
    EV("var(sess.n),add(3)", "80");
    is_int(ev_type("var(sess.n)"), SMP_T_SINT, "an integer variable stays an integer");
    vars_unset(&env, VAR_SCOPE_SESS, "n");
    EV("var(sess.n)", "<none>");
}

static void test_vars(void)
{
    struct sample s = {.type = SMP_T_STR, .data.str = {"short", 5}}, g;
    static char big[300];
    enum var_scope scope;
    const char *name;
    char *err = NULL;
    int rc;

    memset(big, 'x', sizeof(big) - 1);
    /* process scope: malloc, values replaced without leaking */
    ok(vars_set(&env, VAR_SCOPE_PROC, "p", &s) == 0, "set proc.p");
    s.data.str.ptr = big;
    s.data.str.len = sizeof(big) - 1;
    ok(vars_set(&env, VAR_SCOPE_PROC, "p", &s) == 0, "replace proc.p by a longer value");
    ok(vars_get(&env, VAR_SCOPE_PROC, "p", &g) && g.data.str.len == sizeof(big) - 1 &&
       (g.flags & SMP_F_CONST), "proc.p read back, constant");
    s = (struct sample){.type = SMP_T_IPV4};
    inet_pton(AF_INET, "1.2.3.4", &s.data.ipv4);
    vars_set(&env, VAR_SCOPE_PROC, "p", &s);
    EV("var(proc.p)", "1.2.3.4");
    s = (struct sample){.type = SMP_T_IPV6};
    inet_pton(AF_INET6, "::5", &s.data.ipv6);
    vars_set(&env, VAR_SCOPE_PROC, "p6", &s);
    EV("var(proc.p6)", "::5");
    s = (struct sample){.type = SMP_T_BOOL, .data.sint = 1};
    vars_set(&env, VAR_SCOPE_PROC, "b", &s);
    EV("var(proc.b)", "1");
    s = (struct sample){.type = SMP_T_BIN, .data.str = {"a\0b", 3}};
    vars_set(&env, VAR_SCOPE_PROC, "bin", &s);
    EV("var(proc.bin),length", "1"); /* as a string it stops at the NUL */
    EV("var(proc.bin),hex", "610062");
    EV("var(proc.bin)", "<bin 3>");
    s = (struct sample){.type = SMP_T_STR, .data.str = {"k1:k2", 5}};
    vars_set(&env, VAR_SCOPE_PROC, "self", &s);
    /* a value built from the variable itself */
    {
        struct sample_expr *e = smp_expr_parse("var(proc.self),field(2,:)", 0xf, NULL);

        ok(e && smp_expr_eval(e, &env, &g) && vars_set(&env, VAR_SCOPE_PROC, "self", &g) == 0,
           "set a variable from its own bytes");
        EV("var(proc.self)", "k2");
        smp_expr_free(e);
    }
    vars_unset(&env, VAR_SCOPE_PROC, "b");
    EV("var(proc.b)", "<none>");
    vars_unset(&env, VAR_SCOPE_PROC, "never-set");
    /* a scope without storage */
    env.vars[VAR_SCOPE_RES] = NULL;
    ok(vars_set(&env, VAR_SCOPE_RES, "x", &s) < 0, "no storage for res: refused");
    ok(!vars_get(&env, VAR_SCOPE_RES, "x", &g), "no storage for res: unset");
    env.vars[VAR_SCOPE_RES] = &stores[VAR_SCOPE_RES];

    ok(vars_parse_name("txn.my_var.x1", &scope, &name, &err) == 0 && scope == VAR_SCOPE_TXN &&
       !strcmp(name, "my_var.x1"), "txn.my_var.x1 parses");
    ok(vars_parse_name("req.a", &scope, &name, &err) == 0 && scope == VAR_SCOPE_REQ, "req scope");
    ok(vars_parse_name("res.a", &scope, &name, &err) == 0 && scope == VAR_SCOPE_RES, "res scope");
    ok(vars_parse_name("sess.a", &scope, &name, &err) == 0 && scope == VAR_SCOPE_SESS, "sess");
    ok(vars_parse_name("proc.a", &scope, &name, &err) == 0 && scope == VAR_SCOPE_PROC, "proc");
    rc = vars_parse_name("foo", &scope, &name, &err);
    ok(rc < 0 && strstr(err, "scope"), "no scope refused: %s", err);
    rc = vars_parse_name("txn.", &scope, &name, &err);
    ok(rc < 0, "empty name refused: %s", err);
    rc = vars_parse_name("txn.a-b", &scope, &name, &err);
    ok(rc < 0 && strstr(err, "'-'"), "bad character refused: %s", err);
    free(err);
}

static void test_converters(void)
{
    EV("hdr(host),upper", "WWW.EXAMPLE.COM");
    EV("hdr(host),upper,lower", "www.example.com");
    EV("hdr(host)", "www.example.com"); /* the message was not changed */
    EV("str(f1_f2_f3__f5),field(5,_)", "f5");
    EV("str(f1_f2_f3__f5),field(2,_,0)", "f2_f3__f5");
    EV("str(f1_f2_f3__f5),field(2,_,2)", "f2_f3");
    EV("str(f1_f2_f3__f5),field(-2,_,3)", "f2_f3_");
    EV("str(f1_f2_f3__f5),field(-3,_,0)", "f1_f2_f3");
    EV("str(f1_f2_f3__f5),field(9,_)", "<none>");
    EV("str(a.b_c),field(2,._,2)", "b_c");
    EV("str(a_),field(2,_)", "");
    EV("str(f1_f2_f3__f5),word(4,_)", "f5");
    EV("str(f1_f2_f3__f5),word(2,_,0)", "f2_f3__f5");
    EV("str(f1_f2_f3__f5),word(3,_,2)", "f3__f5");
    EV("str(f1_f2_f3__f5),word(-2,_,3)", "f1_f2_f3");
    EV("str(f1_f2_f3__f5),word(-3,_,0)", "f1_f2");
    EV("str(/f1/f2/f3/f4),word(1,/)", "f1");
    EV("str(__a__b__),word(1,_,0)", "a__b__");
    EV("str(__a__b__),word(-1,_,0)", "__a__b");
    EV("str(__a__b__),word(3,_)", "");
    EV("str(a b c),regsub(\"(b)\",\"<\\1>\",g)", "a <b> c");
    EV("str(aaa),regsub(^a,X,g)", "Xaa");
    EV("str(abc),regsub(x*,-,g)", "-a-b-c-");
    EV("str(abc),regsub(x*,-)", "-abc");
    EV("str(AbC),regsub(b,z,i)", "AzC");
    EV("str(AbC),regsub(B,z)", "AbC");
    EV("str(abcabc),regsub(b,\\\\0\\\\0,g)", "abbcabbc");
    EV("str(abc),regsub(\"(a)(x)?\",\"[\\\\2]\")", "[]bc");
    EV("str(a.b.c),regsub(\\\\.,-,g)", "a-b-c");
    EV("str(abc),regsub(b,\\\\x41)", "aAc");
    EV("str(/a//b///c),regsub('/+','/',g)", "/a/b/c");
    EV("src,ipmask(24)", "192.168.1.0");
    EV("src,ipmask(255.255.0.0)", "192.168.0.0");
    EV("str(2001:db8::1),ipmask(8,64)", "2001:db8::");
    EV("str(2001:db8::1),ipmask(8,ffff::)", "2001::");
    EV("str(2001:db8::1),ipmask(8)", "<none>");
    EV("str(x),ipmask(8)", "<none>");
    EV("int(16909060),ipmask(16)", "1.2.0.0");
    EV("str(abc),concat(<,txn.nope,>)", "abc<>");
    {
        struct sample s = {.type = SMP_T_SINT, .data.sint = 42};

        vars_set(&env, VAR_SCOPE_TXN, "num", &s);
    }
    EV("str(abc),concat(<,txn.num,>)", "abc<42>");
    EV("str(abc),concat(,txn.num)", "abc42");
    EV("str(abc),concat(-)", "abc-");
    EV("str(abc),concat", "abc");
    EV("str(hello),base64", "aGVsbG8=");
    EV("str(hell),base64", "aGVsbA==");
    EV("str(hel),base64", "aGVs");
    EV("str(),base64", "");
    EV("str(hi),hex", "6869");
    EV("int(258),hex", "0000000000000102");
    EV("src,hex", "C0A80114");
    EV("always_true,hex", "0000000000000001");
    EV("str(hello),length", "5");
    EV("str(abc),bytes(1)", "<bin 2>");
    EV("str(abc),bytes(1,1),hex", "62");
    EV("str(abc),bytes(5),length", "0");
    EV("str(a%41+b%2f),url_dec", "aA+b/");
    EV("str(a+b?c+d),url_dec", "a+b?c d");
    EV("str(a+b),url_dec(1)", "a b");
    EV("str(%4),url_dec", "<none>");
    EV("str(%zz),url_dec", "<none>");
    EV("int(5),add(3)", "8");
    EV("int(5),sub(8)", "-3");
    EV("int(5),mul(-3)", "-15");
    EV("int(7),div(2)", "3");
    EV("int(7),div(0)", "9223372036854775807");
    EV("int(7),mod(3)", "1");
    EV("int(7),mod(0)", "0");
    EV("int(9223372036854775807),add(1)", "9223372036854775807");
    EV("int(-9223372036854775807),sub(5)", "-9223372036854775808");
    EV("int(4611686018427387904),mul(4)", "9223372036854775807");
    EV("int(-4611686018427387904),mul(4)", "-9223372036854775808");
    EV("int(-9223372036854775808),div(-1)", "9223372036854775807");
    EV("int(-9223372036854775808),neg", "9223372036854775807");
    EV("int(5),and(3)", "1");
    EV("int(5),or(3)", "7");
    EV("int(5),xor(3)", "6");
    EV("int(5),neg", "-5");
    EV("int(5),cpl", "-6");
    EV("int(5),bool", "1");
    EV("int(0),bool", "0");
    EV("int(0),not", "1");
    EV("int(3),odd", "1");
    EV("int(3),even", "0");
    EV("str(12ab),add(1)", "13");
    EV("int(2),add(txn.num)", "44");
    EV("int(2),mul(txn.nope)", "<none>");
    EV("str(é\x01\x7f\t\\\"/\\\\),json", "\\u00c3\\u00a9\\u0001\\u007f\\t\\\"\\/\\\\");
    EV("str(é),json(utf8)", "\\u00e9");
    EV("str(é),json(ascii)", "\\u00c3\\u00a9");
    EV("str(a\xc0\xaf" "b),json(utf8p)", "a\\/b");
    EV("str(a\xc0\xaf" "b),json(utf8s)", "ab");
    EV("str(a\xc0\xaf" "b),json(utf8)", "<none>");
    EV("str(a\xff" "b\xe9),json(utf8ps)", "ab");
    EV("str(\xf0\x9f\x98\x80),json(utf8s)", "");
    EV("str(\xf0\x9f\x98\x80),json(utf8)", "<none>");
    EV("str(\xed\xa0\x80),json(utf8s)", ""); /* a surrogate */
    is_int(ev_type("str(1),bool"), SMP_T_BOOL, "bool gives a boolean");
    is_int(ev_type("str(1),length"), SMP_T_SINT, "length gives an integer");
}

static void test_maps(void)
{
    char *path = strdup(write_file("m1.map", "# comment\n  /api  backend_api \n/static static "
                                   "value with spaces\n/api/v2 v2\nexact e1\nexact e2\n\n"));
    char *ip = strdup(write_file("ip.map", "10.0.0.0/8 ten\n10.1.0.0/16 ten-one\n127.0.0.1 lo\n"
                                 "::1 lo6\n2001:db8::/32 doc\n192.168.0.0/16 22\n"));
    char *in = strdup(write_file("int.map", "1 one\n2:5 two-five\n10 10.0.0.10\n"));
    char *re = strdup(write_file("re.map", "^/a.* starts-a\n\\.png$ png\n"));
    char *ipint = strdup(write_file("ipint.map", "192.168.0.0/16 22\n"));
    char buf[512];
    const struct { const char *expr, *want; } cases[] = {
        {"str(/api),map(%s)", "backend_api"},
        {"str(/static),map_str(%s)", "static value with spaces"},
        {"str(exact),map(%s)", "e1"},          /* duplicate keys: the first one */
        {"str(nope),map(%s)", "<none>"},
        {"str(nope),map(%s,dflt)", "dflt"},
        {"str(/api/v2/x),map_beg(%s)", "v2"}, /* the longest prefix, as HAProxy */
        {"str(xx/api),map_end(%s)", "backend_api"},
        {"str(q/api/v2/z),map_sub(%s)", "backend_api"},
        {"str(q/api/v2/z),map_dir(%s)", "backend_api"},
        {"str(a.exact.b),map_dom(%s)", "e1"},
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        snprintf(buf, sizeof(buf), cases[i].expr, path);
        is_str(ev(buf), cases[i].want, "%s", cases[i].expr);
    }
    snprintf(buf, sizeof(buf), "str(10.1.2.3),map_ip(%s)", ip);
    is_str(ev(buf), "ten-one", "map_ip: the longest prefix");
    snprintf(buf, sizeof(buf), "str(10.2.2.3),map_ip(%s)", ip);
    is_str(ev(buf), "ten", "map_ip: /8");
    snprintf(buf, sizeof(buf), "str(::ffff:10.2.2.3),map_ip(%s)", ip);
    is_str(ev(buf), "ten", "map_ip: v4-mapped IPv6 matches an IPv4 key");
    snprintf(buf, sizeof(buf), "str(2001:db8::5),map_ip(%s)", ip);
    is_str(ev(buf), "doc", "map_ip: IPv6 prefix");
    snprintf(buf, sizeof(buf), "src,map_ip(%s,none)", ip);
    is_str(ev(buf), "22", "map_ip on src");
    snprintf(buf, sizeof(buf), "src,map_ip_int(%s,0),add(1)", ipint);
    is_str(ev(buf), "23", "map_ip_int gives an integer");
    snprintf(buf, sizeof(buf), "str(1.1.1.1),map_ip(%s,none)", ip);
    is_str(ev(buf), "none", "map_ip default");
    snprintf(buf, sizeof(buf), "int(3),map_int(%s)", in);
    is_str(ev(buf), "two-five", "map_int with a range key");
    snprintf(buf, sizeof(buf), "str(10),map_int(%s)", in);
    is_str(ev(buf), "10.0.0.10", "map_int on a string cast to integer");
    snprintf(buf, sizeof(buf), "int(10),map_int_ip(%s),ipmask(8)", in);
    ok(strstr(ev(buf), "invalid args in converter 'map_int_ip': unable to parse 'one' at line 1 "
                       "of file '") != NULL, "map_int_ip refuses a value that is not an address");
    snprintf(buf, sizeof(buf), "str(/abc),map_reg(%s)", re);
    is_str(ev(buf), "starts-a", "map_reg");
    snprintf(buf, sizeof(buf), "str(x.png),map_reg(%s)", re);
    is_str(ev(buf), "png", "map_reg second key");
    snprintf(buf, sizeof(buf), "str(x),map_str_int(%s,7)", ipint);
    is_str(ev(buf), "7", "map_str_int default");
    snprintf(buf, sizeof(buf), "str(x),map_str_int(%s,seven)", ipint);
    ok(strstr(ev(buf), "unable to parse 'seven'") != NULL, "bad integer default refused: %s",
       out);
    snprintf(buf, sizeof(buf), "str(x),map_str_int(%s)", path);
    ok(strstr(ev(buf), "unable to parse 'backend_api' at line 2") != NULL,
       "bad integer value refused with its line: %s", out);
    parse_err("str(x),map(/nonexistent/file.map)", 0xf, "failed to open pattern file");
    parse_err("str(x),map(/tmp)", 0xf, "not a regular file");
    parse_err("str(x),map_foo(/tmp/x)", 0xf, "unknown converter 'map_foo'");
    free(path);
    free(ip);
    free(in);
    free(re);
    free(ipint);
}

static void test_syntax(void)
{
    EV("str(\"a,b\")", "a,b");
    EV("str('a,b')", "a,b");
    EV("str( a b )", " a b ");
    EV("str(\"a\"b)", "ab");
    EV("str(a\"b c\"d)", "ab cd");
    EV("str(a\\x41)", "a\\x41");
    EV("str(a\\\\b)", "a\\b");
    EV("str(\"a\\\"b\")", "a\"b");
    EV("str('a\\b')", "a\\b");   /* no escapes inside single quotes */
    parse_err("str(a\\)b)", 0xf, "missing comma"); /* \) is no escape: ')' ends the argument */
    EV("str(\"x)\"),length", "2");
    EV("str(ab),lower,", "ab");  /* empty converters are skipped */
    EV("str(ab),,upper", "AB");
    EV("hdr(x-list,)", "e");     /* an empty optional argument is an omitted one */
    EV("str(),length", "0");
    EV("int(+7)", "7");
}

static void test_casts(void)
{
    struct sample s = {.type = SMP_T_BIN, .data.str = {"ab\0cd", 5}};

    ok(smp_to_str(&s, &env) == 0 && s.type == SMP_T_STR && s.data.str.len == 2,
       "binary to string stops at NUL");
    s = (struct sample){.type = SMP_T_BOOL, .data.sint = 1};
    ok(smp_to_str(&s, &env) == 0 && s.data.str.len == 1 && *s.data.str.ptr == '1',
       "boolean to string");
    s = (struct sample){.type = SMP_T_SINT, .data.sint = -5};
    ok(smp_to_str(&s, &env) == 0 && s.data.str.len == 2, "integer to string");
    s = (struct sample){.type = SMP_T_STR, .data.str = {"12x", 3}};
    ok(smp_cast(&s, SMP_T_SINT, &env) && s.data.sint == 12, "string to integer");
    s = (struct sample){.type = SMP_T_STR, .data.str = {"", 0}};
    ok(!smp_cast(&s, SMP_T_SINT, &env), "empty string is no integer");
    s = (struct sample){.type = SMP_T_STR, .data.str = {"1.2.3.4", 7}};
    ok(smp_cast(&s, SMP_T_IPV6, &env) && s.type == SMP_T_IPV6 && s.data.ipv6.s6_addr[10] == 0xff,
       "string to IPv6 (v4-mapped)");
    ok(smp_cast(&s, SMP_T_IPV4, &env) && s.type == SMP_T_IPV4, "v4-mapped IPv6 to IPv4");
    s = (struct sample){.type = SMP_T_STR, .data.str = {"::2", 3}};
    ok(smp_cast(&s, SMP_T_IPV6, &env), "string to IPv6");
    ok(!smp_cast(&s, SMP_T_BOOL, &env), "IPv6 to boolean impossible");
    s = (struct sample){.type = SMP_T_SINT, .data.sint = 3};
    ok(smp_cast(&s, SMP_T_BOOL, &env) && s.data.sint == 1, "integer to boolean");
    s = (struct sample){.type = SMP_T_IPV4};
    inet_pton(AF_INET, "1.2.3.4", &s.data.ipv4);
    ok(smp_cast(&s, SMP_T_SINT, &env) && s.data.sint == 0x01020304, "IPv4 to integer");
    ok(!smp_can_cast(SMP_T_BIN, SMP_T_SINT) && smp_can_cast(SMP_T_STR, SMP_T_ADDR) &&
       !smp_can_cast(SMP_T_BOOL, SMP_T_IPV4) && smp_can_cast(SMP_T_SINT, SMP_T_BIN),
       "cast table");
    /* no arena: strings cannot be built */
    env.arena = NULL;
    s = (struct sample){.type = SMP_T_SINT, .data.sint = 5};
    ok(smp_to_str(&s, &env) < 0, "integer to string fails without an arena");
    EV("str(abc),upper", "<none>");
    EV("str(abc),field(1,b)", "a"); /* no new bytes needed */
    env.arena = &arena;
}

static void test_errors(void)
{
    parse_err("hdrr(host)", 0xf, "unknown fetch method 'hdrr'; did you mean 'hdr'?");
    parse_err("req.hrd(host)", 0xf, "did you mean 'req.hdr'?");
    parse_err("zzzzzzzz", 0xf, "unknown fetch method 'zzzzzzzz'");
    parse_err("", 0xf, "missing fetch method");
    parse_err("src,lowr", 0xf, "unknown converter 'lowr'; did you mean 'lower'?");
    parse_err("hdr(x,y)", 0xf, "fetch method 'hdr': failed to parse 'y' as type 'integer' at "
              "position 2");
    parse_err("hdr(x,1,2)", 0xf, "expected ')' before ',2)'");
    parse_err("str(a),lower(1)", 0xf, "converter 'lower': expected ')' before '1)'");
    parse_err("str(abc", 0xf, "expected ')'");
    parse_err("str(\"abc)", 0xf, "expected ')'");
    parse_err("str", 0xf, "missing arguments (got 0/1), type 'string' expected");
    parse_err("int()", 0xf, "expected type 'integer' at position 1, but got nothing");
    parse_err("int(1x)", 0xf, "failed to parse '1x' as type 'integer'");
    parse_err("int(99999999999999999999)", 0xf, "failed to parse");
    parse_err("str(a)x", 0xf, "missing comma after fetch method 'str'");
    parse_err("str(a),lower(),upper()x", 0xf, "missing comma after converter 'upper'");
    parse_err("str(a),regsub(a)", 0xf, "missing arguments (got 1/2)");
    parse_err("str(a),regsub((,x)", 0xf, "regex '(' is invalid");
    parse_err("str(a),regsub(,x)", 0xf, "missing regex");
    parse_err("str(a),regsub(\"(.+++)\",x)", 0xf,
              "regex '(.+++)' is invalid: quantifier does not follow a repeatable item at "
              "offset 4");
    parse_err("str(a),regsub(\"a{2,1}\",x)", 0xf, "numbers out of order in {} quantifier");
    /* PCRE2, as HAProxy: Perl classes, inline flags, lazy quantifiers, look-arounds */
    EV("str(a123b45),regsub(\\d+,N,g)", "aNbN");
    EV("str(ab cd),regsub(\\s,_)", "ab_cd");
    EV("str(ABC),regsub(\"(?i)b\",x)", "AxC");
    EV("str(aXbYb),regsub(a.*?b,z)", "zYb");
    EV("str(foobar),regsub(\"foo(?=bar)\",x)", "xbar");
    EV("str(foobaz),regsub(\"foo(?=bar)\",x)", "foobaz");
    /* empty matches step over whole UTF-8 characters in UTF mode, bytes otherwise */
    EV("str(a\xc3\xa9" "b),regsub(\"(*UTF)x*\",-,g)", "-a-\xc3\xa9" "-b-");
    EV("str(ab),regsub(x*,-,g)", "-a-b-");
    /* catastrophic backtracking is cut by the match limit: no value (never the subject left
     * as it was, which a rule would take for "nothing to substitute"); the rule engine sees
     * env.err and fails closed */
    EV("str(aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab),regsub(\"(a+)+$\",x)", "<none>");
    EV("str(aab),regsub(\"(a{1,10}){1,10}\",x)", "xb");
    EV("str(aab),regsub(\"((a+)+)+\",x)", "xb");
    EV("str(a+b),regsub([+]+,-)", "a-b");
    EV("str(a{b),regsub(\\\\{,-)", "a-b");
    parse_err("str(a),regsub(a,b,z)", 0xf, "invalid regex flag 'z'");
    parse_err("str(a),regsub(a,b\\\\)", 0xf, "lone");
    parse_err("str(a),regsub(a,\\\\x4)", 0xf, "two hex digits");
    parse_err("str(a),field(0,_)", 0xf, "Unexpected value 0 for index");
    parse_err("str(a),field(1,)", 0xf, "Empty separators list");
    parse_err("str(a),word(1,)", 0xf, "Empty separators list");
    parse_err("str(a),json(bad)", 0xf, "Unexpected input code type");
    parse_err("src,ipmask(33)", 0xf, "failed to parse '33' as type 'IPv4 mask'");
    parse_err("src,ipmask(24,129)", 0xf, "as type 'IPv6 mask'");
    parse_err("always_true,ipmask(8)", 0xf, "converter 'ipmask' cannot be applied");
    parse_err("str(a),add(foo)", 0xf, "neither an integer nor a variable");
    parse_err("str(a),concat(a,foo,b)", 0xf, "failed to parse 'foo' as type 'variable'");
    parse_err("var(foo)", 0xf, "invalid variable name 'foo'");
    parse_err("var(txn.a-b)", 0xf, "invalid character '-'");
    parse_err("var", 0xf, "missing arguments");
    parse_err("ipv4(1.2.3)", 0xf, "invalid ipv4 value");
    parse_err("ipv6(zz)", 0xf, "invalid ipv6 value");
    parse_err("bin(6)", 0xf, "invalid hex value");
    parse_err("bin(6g)", 0xf, "invalid hex value");
    /* where the data is not available */
    parse_err("res.hdr(x)", SMP_USE_L4 | SMP_USE_REQ, "fetch method 'res.hdr' extracts "
              "information from 'HTTP response headers', none of which is available here");
    parse_err("status", SMP_USE_REQ, "'HTTP response headers'");
    parse_err("path", SMP_USE_L4, "'HTTP request headers'");
    parse_err("src", 0, "'connection addresses and ports'");
    is_str(ev_where("str(a)", 0), "a", "constants work anywhere");
    is_str(ev_where("hdr(host)", SMP_USE_REQ), "www.example.com", "request data in a request");
}

/* A backend declared after the expression that names it is resolved by the check phase. */
static void test_late_backend(void)
{
    char *err = NULL;
    struct sample_expr *e = smp_expr_parse("nbsrv(late)", 0xf, &err);
    struct proxy late = {.id = "late", .cap = PX_CAP_BE, .servers = &b1};
    struct sample s;

    ok(e != NULL, "nbsrv(late) parses before 'late' exists");
    ok(!smp_expr_eval(e, &env, &s), "and has no value while 'late' does not exist");
    late.next = proxies;
    proxies = &late;
    ok(smp_expr_eval(e, &env, &s) && s.data.sint == 1, "then counts its servers");
    proxies = late.next;
    smp_expr_free(e);
    free(err);
}

/* Registration API: a module adds a fetch and a converter. */
static int f_answer(const struct smp_arg *args, void *priv, struct smp_env *e,
                    struct sample *o, struct smp_ctx *ctx)
{
    o->type = SMP_T_SINT;
    o->flags = 0;
    o->data.sint = 42 + (args[0].type == SMP_ARG_SINT ? args[0].data.sint : 0);
    return 1;
}

static int c_twice(const struct smp_arg *args, void *priv, struct smp_env *e, struct sample *s)
{
    s->data.sint *= 2;
    return 1;
}

static struct smp_fetch_kw test_fetches[] = {
    {.name = "test.answer", .fn = f_answer, .arg_types = {SMP_ARG_SINT},
     .out_type = SMP_T_SINT},
    {0},
};
static struct smp_conv_kw test_convs[] = {
    {.name = "test.twice", .fn = c_twice, .in_type = SMP_T_SINT, .out_type = SMP_T_SINT},
    {0},
};

static void test_registry(void)
{
    smp_register_fetches(test_fetches);
    smp_register_convs(test_convs);
    EV("test.answer", "42");
    EV("test.answer(1),test.twice", "86");
    EV("str(3),test.twice", "6");
    ok(smp_find_fetch("test.answer") == &test_fetches[0], "smp_find_fetch");
    ok(smp_find_conv("test.twice") == &test_convs[0], "smp_find_conv");
    ok(smp_find_fetch("nope") == NULL, "unknown fetch");
}

/* set-var conditions (HAProxy 2.6), through the converter and vars_set_cond(), in the
 * request scope (cleared first) */
static void test_set_var_conds(void)
{
    struct sample s;

    vars_store_clear(&stores[VAR_SCOPE_REQ]);
    /* no condition: the input is stored and passed on */
    EV("str(a),set-var(req.c1)", "a");
    EV("var(req.c1)", "a");
    EV("str(ab),set-var(req.u),upper", "AB");
    EV("var(req.u)", "ab");
    /* ifnotexists / ifexists */
    EV("str(b),set-var(req.c1,ifnotexists)", "<none>");
    EV("var(req.c1)", "a");
    EV("str(b),set-var(req.c2,ifnotexists)", "b");
    EV("str(x),set-var(req.c3,ifexists)", "<none>");
    EV("var(req.c3)", "<none>");
    EV("str(y),set-var(req.c1,ifexists)", "y");
    EV("var(req.c1)", "y");
    /* ifset / ifnotset; a failed ifset leaves the variable existing but not set, as in
     * HAProxy: ifexists holds afterwards */
    EV("str(x),set-var(req.c4,ifset)", "<none>");
    EV("var(req.c4)", "<none>");
    EV("var(req.c4,dflt)", "dflt");
    EV("str(z),set-var(req.c4,ifnotset)", "z");
    EV("str(x),set-var(req.c5,ifset)", "<none>");
    EV("str(w),set-var(req.c5,ifexists)", "w");
    EV("str(x),set-var(req.c6,ifnotset)", "x");
    EV("str(z),set-var(req.c6,ifnotset)", "<none>");
    EV("var(req.c6)", "x");
    EV("str(z),set-var(req.c6,ifset)", "z");
    vars_unset(&env, VAR_SCOPE_REQ, "c6");
    EV("str(u),set-var(req.c6,ifnotset)", "u");
    /* ifempty / ifnotempty: scalars are never empty */
    EV("str(x),set-var(req.e1,ifempty)", "<none>");
    EV("int(1),set-var(req.e1,ifempty)", "<none>");
    EV("var(req.e1)", "<none>");
    s = (struct sample){.type = SMP_T_STR, .data.str = {"", 0}};
    is_int(vars_set_cond(&env, VAR_SCOPE_REQ, "e1", &s, VAR_C_IFEMPTY), 1,
           "ifempty: an empty string is stored");
    is_int(vars_set_cond(&env, VAR_SCOPE_REQ, "e2", &s, VAR_C_IFNOTEMPTY), 0,
           "ifnotempty: an empty string is not");
    EV("var(req.e2)", "<none>");
    s = (struct sample){.type = SMP_T_BIN, .data.str = {"", 0}};
    is_int(vars_set_cond(&env, VAR_SCOPE_REQ, "e3", &s, VAR_C_IFEMPTY), 1,
           "ifempty: an empty binary is stored");
    EV("str(x),set-var(req.e4,ifnotempty)", "x");
    EV("int(0),set-var(req.e5,ifnotempty)", "0");
    /* ifgt / iflt: "the variable's value is greater / less than the input", integers only */
    EV("int(10),set-var(req.n)", "10");
    EV("int(5),set-var(req.n,ifgt)", "5");
    EV("int(7),set-var(req.n,ifgt)", "<none>");
    EV("var(req.n)", "5");
    EV("int(9),set-var(req.n,iflt)", "9");
    EV("int(3),set-var(req.n,iflt)", "<none>");
    EV("var(req.n)", "9");
    EV("int(100),set-var(req.n2,ifgt)", "100"); /* no previous value: the check holds */
    EV("str(abc),set-var(req.s)", "abc");
    EV("int(1),set-var(req.s,ifgt)", "1"); /* not an integer: the check holds */
    EV("str(abc),set-var(req.n,iflt)", "abc");
    /* several conditions must all hold */
    EV("str(m),set-var(req.m,ifnotexists,ifnotempty)", "m");
    EV("str(n),set-var(req.m,ifexists,ifnotempty,ifset)", "n");
    EV("int(1),set-var(req.m,ifexists,ifempty)", "<none>");
    EV("var(req.m)", "n");
    /* parse errors */
    ok(strstr(ev("str(x),set-var(req.m,ifbogus)"), "unknown condition \"ifbogus\"") != NULL,
         "unknown condition refused");
    ok(strstr(ev("str(x),set-var(req.m,ifset,ifset,ifset,ifset,ifset)"), "error") != NULL,
         "at most four conditions");
    ok(strstr(ev("str(x),set-var(nope.m)"), "error") != NULL, "bad scope refused");
}

int main(void)
{
    if (!mkdtemp(tmpdir))
        return 1;
    setup();
    test_layer4();
    test_request_line();
    test_headers();
    test_cookies();
    test_internal();
    test_vars();
    test_set_var_conds();
    test_converters();
    test_maps();
    test_syntax();
    test_casts();
    test_errors();
    test_late_backend();
    test_registry();
    vars_store_clear(&stores[VAR_SCOPE_PROC]);
    arena_free(&arena);
    arena_free(&var_arena);
    {
        char cmd[300];

        snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
        if (system(cmd) != 0)
            return 1;
    }
    return done_testing();
}
