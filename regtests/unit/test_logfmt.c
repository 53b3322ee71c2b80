/* Unit tests: log-format strings (parse errors, every variable rendered from a hand-filled
 * stream record and transaction, quoting/hex/escape options, separators, truncation at the
 * buffer size) and traffic logging (keywords and their errors, inheritance, syslog headers,
 * levels, dontlognull, targets: UDP, UNIX datagram, fd@N, dropping instead of blocking). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "http-t.h"
#include "log.h"
#include "logfmt.h"
#include "proxy.h"
#include "sample.h"
#include "server-t.h"
#include "tap.h"

#pragma weak smp_expr_parse

/* sample.h has no function to release an expression: logfmt_free() cannot give back those
 * of %[...], so LeakSanitizer is told about them (and only them). */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
    return "leak:smp_expr_parse_ex\n";
}

#define ALL (SMP_USE_L4 | SMP_USE_REQ | SMP_USE_RES | SMP_USE_BE)
#define TCP (SMP_USE_L4 | SMP_USE_BE)

static struct proxy fe = {.id = "fe", .kind = "frontend"}, be = {.id = "be", .kind = "backend"};
static struct server srv = {.id = "s1"};
static struct sockaddr_storage src, dst;
static struct strm_info info;
static struct http_txn txn;
static struct smp_env env;
static char out[4096];

static void set_inet(struct sockaddr_storage *ss, const char *ip, int port)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)ss;

    memset(ss, 0, sizeof(*ss));
    sin->sin_family = AF_INET;
    sin->sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, ip, &sin->sin_addr);
}

/* A complete HTTP stream: every variable has a value. */
static void setup(void)
{
    set_inet(&src, "192.0.2.1", 40000);
    set_inet(&dst, "10.0.0.1", 8080);
    srv.addr.kind = PARSE_ADDR_INET;
    srv.addr.port = 80;
    set_inet(&srv.addr.ss, "10.1.1.1", 80);
    info = (struct strm_info){
        .accept_date = {.tv_sec = 1700000000, .tv_usec = 5123},
        .req_date = {.tv_sec = 1700000001, .tv_usec = 250000},
        .t = {.Th = 1, .Ti = 2, .TR = 3, .Tw = 4, .Tc = 5, .Tr = 6, .Td = -1, .Ta = -1,
              .Tt = 100, .Tq = -1},
        .bytes_in = 123, .bytes_out = 4567, .status = 200, .term = "CD--", .retries = 2,
        .actconn = 5, .feconn = 4, .beconn = 3, .srvconn = 2, .srv_queue = 1, .be_queue = 0,
        .unique_id = "abc",
    };
    txn = (struct http_txn){
        .req = {.meth = "GET", .meth_len = 3, .uri = "/p/a?x=1", .uri_len = 8, .vers = 11,
                .present = 1},
        .status = 200, .log_level = -1,
    };
    env = (struct smp_env){.src = &src, .dst = &dst, .fe = &fe, .be = &be, .srv = &srv,
                           .txn = &txn, .info = &info, .avail = ALL};
}

static const char *render(const char *fmt, unsigned where)
{
    char *err = NULL;
    struct logfmt *f = logfmt_parse(fmt, where, &err);

    if (!f) {
        snprintf(out, sizeof(out), "PARSE ERROR: %s", err);
        free(err);
        return out;
    }
    logfmt_render(f, &env, out, sizeof(out));
    logfmt_free(f);
    return out;
}

#define is_render(fmt, want) is_str(render(fmt, ALL), want, "render [%s]", fmt)

static void parse_err(const char *fmt, unsigned where, const char *want)
{
    char *err = NULL;
    struct logfmt *f = logfmt_parse(fmt, where, &err);

    ok(!f && err && strstr(err, want), "[%s] refused: %s", fmt, err ? err : "accepted");
    logfmt_free(f);
    free(err);
}

static void test_parse_errors(void)
{
    parse_err("%Z", ALL, "no such format variable 'Z'. If you wanted to emit the '%' character "
              "verbatim, you need to use '%%'");
    parse_err("a %Tx b", ALL, "no such format variable 'Tx'");
    parse_err("%", ALL, "truncated line after '%'");
    parse_err("abc%", ALL, "truncated line after '%'");
    parse_err("%{+Q}", ALL, "parse argument modifier without variable name near '%{+Q}'");
    parse_err("%{+Q} x", ALL, "parse argument modifier without variable name");
    parse_err("%{+Q", ALL, "truncated line after '+Q'");
    parse_err("%[src", ALL, "missing ']' after 'src'");
    parse_err("%1", ALL, "unexpected variable name near '1' at position 1 line : '%1'");
    parse_err("x % y", ALL, "unexpected variable name near ' '");
    parse_err("%r", TCP, "format variable 'r' is reserved for HTTP mode");
    parse_err("%HM %ci", TCP, "format variable 'HM' is reserved for HTTP mode");
    parse_err("%ci %{+Q}TR", TCP, "format variable 'TR' is reserved for HTTP mode");
    parse_err("%tr", TCP, "reserved for HTTP mode");
    if (!smp_expr_parse)
        parse_err("%[src]", ALL, "sample fetches are not available");
}

static void test_const(void)
{
    const char *c[] = {"abc def", "x%%y", "", "a  b"}, *v[] = {"a %ci", "%[src]", "%o%ci"};
    char *err = NULL;

    for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
        struct logfmt *f = logfmt_parse(c[i], ALL, &err);

        ok(f && logfmt_is_const(f), "[%s] is constant", c[i]);
        logfmt_free(f);
    }
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
        struct logfmt *f = logfmt_parse(v[i], ALL, &err);

        if (!f) { /* %[src] without the sample engine */
            free(err);
            err = NULL;
            ok(1, "[%s] needs the sample engine", v[i]);
            continue;
        }
        ok(!logfmt_is_const(f), "[%s] is not constant", v[i]);
        logfmt_free(f);
    }
}

static void test_variables(void)
{
    char want[256];

    setup();
    is_render("%ci:%cp %fi:%fp", "192.0.2.1:40000 10.0.0.1:8080");
    is_render("%{+X}ci:%{+X}cp %{+X}fi", "C0000201:9C40 0A000001");
    is_render("%f %ft %b %s %si:%sp", "fe fe be s1 10.1.1.1:80");
    is_render("%bi %bp %sslv %sslc", "- - - -");
    is_render("%B %U %ST", "4567 123 200");
    is_render("%ts %tsc", "CD CD--");
    is_render("%ac/%fc/%bc/%sc/%rc %sq/%bq", "5/4/3/2/2 1/0");
    is_render("%Th/%Ti/%TR/%Tw/%Tc/%Tr/%Tt", "1/2/3/4/5/6/100");
    is_render("%Tq %Td %Ta %Tu", "6 79 97 98");
    is_render("%t", "14/Nov/2023:22:13:20.005");
    is_render("%T", "14/Nov/2023:22:13:20 +0000");
    is_render("%Tl", "14/Nov/2023:22:13:20 +0000");
    is_render("%Ts %{+X}Ts %ms %{+X}ms", "1700000000 6553F100 005 05");
    /* local time with an offset */
    setenv("TZ", "<+0230>-02:30", 1);
    tzset();
    info.accept_date.tv_sec = 1700003600;
    is_render("%t|%Tl|%T", "15/Nov/2023:01:43:20.005|15/Nov/2023:01:43:20 +0230|"
              "14/Nov/2023:23:13:20 +0000");
    setenv("TZ", "UTC", 1);
    tzset();
    info.accept_date.tv_sec = 1700000000;
    is_render("%tr|%trg|%trl", "14/Nov/2023:22:13:21.250|14/Nov/2023:22:13:21 +0000|"
              "14/Nov/2023:22:13:21 +0000");
    snprintf(want, sizeof(want), "%d %04X", (int)getpid(), (unsigned)getpid());
    is_render("%pid %{+X}pid", want);
    is_render("%H", log_hostname());
    is_render("%ID %rt %lc", "abc 0 0");
    is_render("%r", "GET /p/a?x=1 HTTP/1.1");
    is_render("%HM|%HU|%HP|%HPO|%HQ|%HV", "GET|/p/a?x=1|/p/a|/p/a|?x=1|HTTP/1.1");
    is_render("%CC %CS", "- -");
    is_render("a%hr%hs%hrl%hsl|b", "a|b");
    /* the stream's own values win over the computed ones */
    info.t.Tq = 60;
    info.t.Td = 70;
    info.t.Ta = 80;
    is_render("%Tq %Td %Ta", "60 70 80");
    info.redispatched = 1;
    is_render("%rc", "+2");
    env.tls = &info;
    is_render("%ft %{+Q}ft", "fe~ \"fe~\"");
    txn.req.vers = 10;
    is_render("%HV", "HTTP/1.0");
    txn.req.uri = "http://h.example/x/y?q";
    txn.req.uri_len = (uint32_t)strlen(txn.req.uri);
    is_render("%HPO|%HP|%HQ", "/x/y|http://h.example/x/y|?q");
    txn.req.uri = "/nq";
    txn.req.uri_len = 3;
    is_render("[%HQ]%{+Q}HQ", "[]\"\"");
}

static void test_missing(void)
{
    setup();
    env.info = NULL;
    env.txn = NULL;
    env.srv = NULL;
    env.be = NULL;
    is_render("%r|%HM|%HU|%HV", "<BADREQ>|<BADREQ>|<BADREQ>|<BADREQ>");
    is_render("%{+Q}r", "\"<BADREQ>\"");
    is_render("%Tw %Tt %Tq %Td %Ta %B %U", "-1 -1 -1 -1 -1 0 0");
    is_render("%ST %ts %tsc", "0 -- ----");
    is_render("%s %b %si %sp", "<NOSRV> fe - -");
    is_render("%ID %{+Q}ID %{-M}ID|", "- \"\" |");
    env.src = NULL;
    is_render("%ci:%cp %{+Q}ci", "-:- \"\"");
    setup();
    txn.status = 0;
    info.status = -1;
    is_render("%ST", "-1"); /* HTTP request without an answer */
    env.txn = NULL;
    is_render("%ST", "0"); /* TCP */
    setup();
    info.captured_req_line = "GET";
    is_render("%r|%HM|%HU", "GET|<BADREQ>|<BADREQ>");
    info.captured_req_line = "GET /x";
    is_render("%HU|%HV", "/x|HTTP/0.9");
    info.captured_req_line = "POST  /a?b  HTTP/1.1";
    is_render("%HM|%HU|%HQ|%HV", "POST|/a?b|?b|HTTP/1.1");
    /* srv address port 0: the client's destination port */
    setup();
    srv.addr.port = 0;
    ((struct sockaddr_in *)&srv.addr.ss)->sin_port = 0;
    is_render("%si:%sp", "10.1.1.1:8080");
    setup();
    info.srv_dst = &src;
    info.srv_src = &dst;
    is_render("%si:%sp %bi:%bp", "192.0.2.1:40000 10.0.0.1:8080");
}

static void test_options(void)
{
    setup();
    is_render("%{+Q}r", "\"GET /p/a?x=1 HTTP/1.1\"");
    is_render("%{+Q}o %b %ci %cp %{-Q}s %ts", "\"be\" \"192.0.2.1\" 40000 s1 CD");
    is_render("%b %{+Q}o %b", "be \"be\"");
    is_render("%{+Q}B %{+Q}Tt %{+Q}ms", "4567 100 005");
    is_render("%{+Q}HM %{+Q}HV", "\"GET\" \"HTTP/1.1\"");
    {
        char want[300];

        snprintf(want, sizeof(want), "\"%s\"", log_hostname());
        is_render("%{+Q}H", want);
    }
    is_render("%{+Q,-M}CC %{-M}CC|", "\"\" |");
    is_render("%{+bogus,Q}ci", "192.0.2.1"); /* unknown flags are ignored, as in HAProxy */
    info.unique_id = "a\"b]c\\d";
    is_render("%{+E}ID", "a\\\"b\\]c\\\\d");
    is_render("%ID", "a\"b]c\\d");
    info.captured_req_line = "GET /\x01\"#x\xe9] HTTP/1.1";
    is_render("%r", "GET /#01#22#23x#E9] HTTP/1.1");
    is_render("%{+E}r", "GET /#01#22#23x#E9\\] HTTP/1.1");
    is_render("%HU %{+Q}HP", "/#01#22#23x#E9] \"/#01#22#23x#E9]\"");
}

static void test_text(void)
{
    setup();
    is_render("a  b %hr %hs c", "a b c");
    is_render("%CC %hr  x", "- x");
    is_render("  a", "a");
    is_render("a ", "a ");
    is_render("x%%y %%", "x%y %");
    is_render("%-x", "-x"); /* HAProxy drops a '%' followed by another character */
    is_render("[%ci]:(%cp)", "[192.0.2.1]:(40000)");
    is_render("%hr %hs %ci", "192.0.2.1");
    is_render("", "");
}

/* Every buffer size gives a NUL-terminated prefix of the full line, never a cut escape. */
static void test_truncation(void)
{
    char full[512], small[512];
    struct logfmt *f;
    char *err = NULL;
    size_t len, n;
    int good = 1;

    setup();
    info.captured_req_line = "GET /a\x01\x02\x03\"b HTTP/1.1";
    f = logfmt_parse("%{+Q}r %ci %B %{+Q}b end", ALL, &err);
    ok(f != NULL, "truncation format parses");
    if (!f)
        return;
    len = logfmt_render(f, &env, full, sizeof(full));
    is_int(len, strlen(full), "full length");
    is_str(full, "\"GET /a#01#02#03#22b HTTP/1.1\" 192.0.2.1 4567 \"be\" end", "full line");
    is_int(logfmt_render(f, &env, small, 0), 0, "size 0 writes nothing");
    for (size_t size = 1; size <= len + 1 && good; size++) {
        memset(small, 'Z', sizeof(small));
        n = logfmt_render(f, &env, small, size);
        if (n > size - 1 || small[n] || strlen(small) != n || strncmp(small, full, n) ||
            (n >= 1 && small[n - 1] == '#') || (n >= 2 && small[n - 2] == '#') ||
            small[size] != 'Z' || (size == len + 1 && n != len)) {
            good = 0;
            printf("#   size %zu: got %zu '%s'\n", size, n, small);
        }
    }
    ok(good, "every size from 1 to %zu truncates cleanly", len + 1);
    logfmt_free(f);
}

static void test_samples(void)
{
    char *err = NULL;
    struct logfmt *f;

    if (!smp_expr_parse) {
        ok(1, "# SKIP sample engine not linked in yet");
        return;
    }
    setup();
    f = logfmt_parse("%[src] %{+Q}[src] %[dst_port] %[req.hdr(x-none)]|", ALL, &err);
    ok(f != NULL, "sample expressions parse (%s)", err ? err : "ok");
    if (f) {
        logfmt_render(f, &env, out, sizeof(out));
        is_str(out, "192.0.2.1 \"192.0.2.1\" 8080 -|", "sample expressions render");
        logfmt_free(f);
    }
    free(err);
    parse_err("%[nosuchfetch]", ALL, "failed to parse sample expression <nosuchfetch>");
}

/* ---- traffic logs through the configuration ----------------------------------------------- */

static int udp_sock, unix_sock, pipe_fds[2];
static char unix_path[108], cfg_text[8192];

/* Returns the next datagram within 500 ms, or "" when none came. */
static const char *next_dgram(int fd)
{
    static char buf[70000];
    struct pollfd p = {.fd = fd, .events = POLLIN};
    ssize_t n;

    if (poll(&p, 1, 500) <= 0)
        return "";
    n = recv(fd, buf, sizeof(buf) - 1, 0);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

static int nothing_more(int fd)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};

    return poll(&p, 1, 100) == 0;
}

/* stderr goes to a file while fn runs; returns what was written (static). */
static const char *capture_stderr(void (*fn)(void))
{
    static char buf[16384];
    char path[] = "/tmp/test_logfmt.XXXXXX";
    int fd = mkstemp(path), saved = dup(2);
    ssize_t n;

    unlink(path);
    dup2(fd, 2);
    fn();
    dup2(saved, 2);
    close(saved);
    lseek(fd, 0, SEEK_SET);
    n = read(fd, buf, sizeof(buf) - 1);
    buf[n > 0 ? n : 0] = 0;
    close(fd);
    return buf;
}

static int cfg_errors;

static void parse_good(void)
{
    struct cfg_ctx ctx = {0};

    cfg_parse_text(&ctx, "good.cfg", cfg_text);
    cfg_errors = cfg_finish(&ctx);
}

static void make_targets(void)
{
    struct sockaddr_in a = {.sin_family = AF_INET};
    struct sockaddr_un u = {.sun_family = AF_UNIX};
    socklen_t l = sizeof(a);

    udp_sock = socket(AF_INET, SOCK_DGRAM, 0);
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    bind(udp_sock, (struct sockaddr *)&a, sizeof(a));
    getsockname(udp_sock, (struct sockaddr *)&a, &l);
    snprintf(unix_path, sizeof(unix_path), "/tmp/test_logfmt.%d.sock", (int)getpid());
    unlink(unix_path);
    unix_sock = socket(AF_UNIX, SOCK_DGRAM, 0);
    strcpy(u.sun_path, unix_path);
    bind(unix_sock, (struct sockaddr *)&u, sizeof(u));
    if (pipe(pipe_fds) < 0)
        abort();
    snprintf(cfg_text, sizeof(cfg_text),
             "global\n"
             "    log 127.0.0.1:%1$d local0\n"
             "    log udp@127.0.0.1:%1$d format rfc5424 local1\n"
             "    log-tag tst\n"
             "    log-send-hostname myhost\n"
             "defaults d1\n"
             "    mode tcp\n"
             "    log global\n"
             "    option tcplog\n"
             "    timeout connect 1s\n"
             "    timeout client 1s\n"
             "    timeout server 1s\n"
             "frontend f_tcp\n"
             "    bind 127.0.0.1:1\n"
             "frontend f_fmt\n"
             "    bind 127.0.0.1:2\n"
             "    no log\n"
             "    log ipv4@127.0.0.1:%1$d format raw local0\n"
             "    log-format \"%%ci %%ft %%B\"\n"
             "frontend f_levels\n"
             "    bind 127.0.0.1:3\n"
             "    no log\n"
             "    log 127.0.0.1:%1$d format priority local0 err\n"
             "    log 127.0.0.1:%1$d format short local0 debug notice\n"
             "    option log-separate-errors\n"
             "    log-format lvl\n"
             "frontend f_null\n"
             "    bind 127.0.0.1:4\n"
             "    no log\n"
             "    log 127.0.0.1:%1$d format raw local0\n"
             "    option dontlognull\n"
             "    log-format null\n"
             "frontend f_fd\n"
             "    bind 127.0.0.1:5\n"
             "    no log\n"
             "    log fd@%2$d format raw local0\n"
             "    log-format \"fd %%ci\"\n"
             "frontend f_unix\n"
             "    bind 127.0.0.1:6\n"
             "    no log\n"
             "    log %3$s format raw local0\n"
             "    log-format unix\n"
             "frontend f_len\n"
             "    bind 127.0.0.1:7\n"
             "    no log\n"
             "    log 127.0.0.1:%1$d len 80 format raw local0\n"
             "    log-format 0123456789012345678901234567890123456789012345678901234567890123"
             "456789012345678901234567890123456789\n"
             "frontend f_dup\n"
             "    bind 127.0.0.1:8\n"
             "    log global\n"
             "    log global\n"
             "    log-tag other\n"
             "    log-format dup\n"
             "defaults d2\n"
             "    mode tcp\n"
             "    timeout connect 1s\n"
             "    timeout client 1s\n"
             "    timeout server 1s\n"
             "frontend f_accept\n"
             "    bind 127.0.0.1:9\n"
             "    log 127.0.0.1:%1$d format raw local0\n"
             "frontend f_silent\n"
             "    bind 127.0.0.1:10\n"
             "    log-format silent\n",
             ntohs(a.sin_port), pipe_fds[1], unix_path);
}

static int count_targets(const char *name)
{
    struct proxy *px = px_find(name, PX_CAP_FE);
    struct log_px_conf *c = px ? px->log_conf : NULL;
    int n = 0;

    for (struct log_target *t = c ? c->targets : NULL; t; t = t->next)
        n++;
    return n;
}

static void use(const char *name)
{
    setup();
    env.fe = px_find(name, PX_CAP_FE);
    env.txn = NULL;
    info.term[2] = info.term[3] = '-';
    info.term[0] = info.term[1] = '-';
    info.retries = 0;
}

static void test_traffic(void)
{
    const char *got, *err_out;
    char want[512];
    int pid = (int)getpid();
    char *err = NULL;

    make_targets();
    err_out = capture_stderr(parse_good);
    is_int(cfg_errors, 0, "good configuration: no error");
    if (cfg_errors)
        printf("# stderr was:\n%s", err_out);
    ok(strstr(err_out, "in frontend 'f_silent': a log format is set but no 'log' target"),
       "warning for a format without target");
    is_int(count_targets("f_tcp"), 2, "f_tcp inherits the two global targets");
    is_int(count_targets("f_fmt"), 1, "'no log' drops the inherited targets");
    is_int(count_targets("f_dup"), 2, "'log global' twice copies the targets once");
    ok(log_init_worker(&err) == 0, "log_init_worker (%s)", err ? err : "ok");

    /* tcplog, default header (rfc3164 because of log-send-hostname), then rfc5424 */
    use("f_tcp");
    info.term[0] = 'C';
    info.term[1] = 'D';
    info.retries = 2;
    log_traffic(&env);
    got = next_dgram(udp_sock);
    snprintf(want, sizeof(want), " myhost tst[%d]: 192.0.2.1:40000 [14/Nov/2023:22:13:20.005] "
             "f_tcp be/s1 4/5/100 4567 CD 5/4/3/2/2 1/0\n", pid);
    ok(!strncmp(got, "<134>", 5) && strlen(got) > 21 && got[8] == ' ' && got[11] == ' ' &&
       got[14] == ':' && !strcmp(got + 20, want), "tcplog line, rfc3164 header");
    printf("#   %s", got);
    got = next_dgram(udp_sock);
    snprintf(want, sizeof(want), " myhost tst %d - - 192.0.2.1:40000 [14/Nov/2023:22:13:20.005] "
             "f_tcp be/s1 4/5/100 4567 CD 5/4/3/2/2 1/0\n", pid);
    ok(!strncmp(got, "<142>1 20", 9) && strlen(got) > 39 && got[17] == 'T' &&
       !strcmp(got + 39, want), "rfc5424 header");
    printf("#   %s", got);

    use("f_fmt");
    log_traffic(&env);
    is_str(next_dgram(udp_sock), "192.0.2.1 f_fmt 4567\n", "log-format, raw header");

    /* levels: "priority ... err" takes err and worse, "short ... debug notice" caps at notice */
    use("f_levels");
    log_traffic(&env);
    is_str(next_dgram(udp_sock), "<6>lvl\n", "info: only the target without a level limit");
    ok(nothing_more(udp_sock), "info: not sent to the 'err' target");
    info.error = 1;
    log_traffic(&env);
    is_str(next_dgram(udp_sock), "<131>lvl\n", "log-separate-errors: err (3) to the err target");
    is_str(next_dgram(udp_sock), "<5>lvl\n", "err is capped at the target's minlevel notice");
    info.error = 0;
    info.term[0] = 's';
    log_traffic(&env);
    is_str(next_dgram(udp_sock), "<131>lvl\n", "server-side termination is an error too");
    next_dgram(udp_sock);
    use("f_levels");
    env.txn = &txn;
    txn.status = 503;
    info.status = 503;
    log_traffic(&env);
    is_str(next_dgram(udp_sock), "<131>lvl\n", "a 5xx status is an error");
    next_dgram(udp_sock);
    txn.log_level = LOG_LVL_DEBUG;
    log_traffic(&env);
    is_str(next_dgram(udp_sock), "<7>lvl\n", "set-log-level debug");
    txn.log_level = LOG_LVL_SILENT;
    log_traffic(&env);
    ok(nothing_more(udp_sock), "set-log-level silent logs nothing");

    use("f_null");
    info.bytes_in = 0;
    log_traffic(&env);
    ok(nothing_more(udp_sock), "dontlognull: nothing for a connection without data");
    env.txn = &txn; /* a request was received */
    log_traffic(&env);
    is_str(next_dgram(udp_sock), "null\n", "dontlognull: a request is logged");
    env.txn = NULL;
    info.bytes_in = 1;
    log_traffic(&env);
    is_str(next_dgram(udp_sock), "null\n", "dontlognull: one byte is enough");

    use("f_len");
    log_traffic(&env);
    got = next_dgram(udp_sock);
    is_int(strlen(got), 81, "len 80: 80 bytes and the LF");
    ok(!strcmp(got + 80, "\n") && !strncmp(got, "01234567890", 11), "len 80 cuts the line");

    use("f_dup");
    log_traffic(&env);
    got = next_dgram(udp_sock);
    ok(strstr(got, " myhost other[") != NULL, "proxy log-tag");
    next_dgram(udp_sock);
    ok(nothing_more(udp_sock), "deduplicated targets send once each");

    use("f_accept");
    log_traffic(&env);
    ok(nothing_more(udp_sock), "no format: nothing at the end of the stream");
    log_accept(&env);
    is_str(next_dgram(udp_sock), "Connect from 192.0.2.1:40000 to 10.0.0.1:8080 (f_accept/TCP)\n",
           "no format: the Connect line at accept");
    use("f_tcp");
    log_accept(&env);
    next_dgram(udp_sock);
    ok(nothing_more(udp_sock) && !strlen(next_dgram(udp_sock)), "a format: no Connect line");

    use("f_unix");
    log_traffic(&env);
    is_str(next_dgram(unix_sock), "unix\n", "UNIX datagram target");

    use("f_fd");
    log_traffic(&env);
    {
        char buf[64] = {0};
        ssize_t n = read(pipe_fds[0], buf, sizeof(buf) - 1);

        is_str(n > 0 ? buf : "", "fd 192.0.2.1\n", "fd@N target");
    }
}

static void fill_and_log(void)
{
    char junk[4096];
    char path[64];
    int w;

    snprintf(path, sizeof(path), "/proc/self/fd/%d", pipe_fds[1]);
    w = open(path, O_WRONLY | O_NONBLOCK);
    memset(junk, 'j', sizeof(junk));
    while (write(w, junk, sizeof(junk)) > 0)
        ;
    while (write(w, junk, 1) > 0)
        ;
    close(w);
    use("f_fd");
    log_traffic(&env);
}

static void test_drop(void)
{
    unsigned long long before = log_dropped;
    struct timeval t0, t1;

    gettimeofday(&t0, NULL);
    fill_and_log();
    gettimeofday(&t1, NULL);
    is_int(log_dropped, before + 1, "a full pipe drops the line and counts it");
    ok(t1.tv_sec - t0.tv_sec < 2, "and does not block");
}

static void test_levels(void)
{
    is_int(log_level_parse("err"), LOG_LVL_ERR, "level err");
    is_int(log_level_parse("debug"), LOG_LVL_DEBUG, "level debug");
    is_int(log_level_parse("silent"), LOG_LVL_SILENT, "level silent");
    is_int(log_level_parse("loud"), -1, "unknown level");
    is_str(log_level_name(LOG_LVL_NOTICE), "notice", "level name");
}

/* ---- configuration errors ------------------------------------------------------------------ */

static const char bad_cfg[] =
    "global\n"                                               /* 1 */
    "    log global\n"                                       /* 2 */
    "    log-tag\n"                                          /* 3 */
    "frontend e1\n"                                          /* 4 */
    "    mode tcp\n"                                         /* 5 */
    "    bind 127.0.0.1:1\n"                                 /* 6 */
    "    log 127.0.0.1 local9\n"                             /* 7 */
    "    log 127.0.0.1 len 20 local0\n"                      /* 8 */
    "    log 127.0.0.1 format foo local0\n"                  /* 9 */
    "    log 127.0.0.1 local0 inf\n"                         /* 10 */
    "    log 127.0.0.1 local0 info emergx\n"                 /* 11 */
    "    log 127.0.0.1 local0 info info extra\n"             /* 12 */
    "    log 127.0.0.1:99999 local0\n"                       /* 13 */
    "    log 127.0.0.1\n"                                    /* 14 */
    "    log tcp@127.0.0.1:514 local0\n"                     /* 15 */
    "    log 0.0.0.0 local0\n"                               /* 16 */
    "    no log x\n"                                         /* 17 */
    "    log-format a b\n"                                   /* 18 */
    "    log-format %Z\n"                                    /* 19 */
    "    option httplog foo\n"                               /* 20 */
    "    option tcplog x\n"                                  /* 21 */
    "    log ring@x local0\n"                                /* 22 */
    "    log 127.0.0.1 sample 1:2 local0\n"                  /* 23 */
    "    log 127.0.0.1 locl0\n"                              /* 24 */
    "    log 127.0.0.1 len\n"                                /* 25 */
    "    log-format \"\"\n"                                  /* 26 */
    "frontend e2\n"                                          /* 27 */
    "    mode tcp\n"                                         /* 28 */
    "    bind 127.0.0.1:2\n"                                 /* 29 */
    "    log 127.0.0.1 local0\n"                             /* 30 */
    "    log-format \"%ci %r\"\n"                            /* 31 */
    "frontend e3\n"                                          /* 32 */
    "    mode tcp\n"                                         /* 33 */
    "    bind 127.0.0.1:3\n"                                 /* 34 */
    "    log 127.0.0.1 local0\n"                             /* 35 */
    "    option httplog\n"                                   /* 36 */
    "backend e4\n"                                           /* 37 */
    "    option httplog\n"                                   /* 38 */
    "    option dontlognull\n"                               /* 39 */
    "    log-format %ci\n";                                  /* 40 */

static void parse_bad(void)
{
    struct cfg_ctx ctx = {0};

    cfg_parse_text(&ctx, "bad.cfg", bad_cfg);
    cfg_finish(&ctx);
}

static void test_cfg_errors(void)
{
    static const char *const want[] = {
        "bad.cfg:2: in section 'global': log: 'global' is not supported for a global syslog server",
        "bad.cfg:3: in section 'global': log-tag: missing argument (usage: log-tag <string>)",
        "bad.cfg:7: in frontend 'e1': log: unknown log facility 'local9'; did you mean 'local0'?",
        "bad.cfg:8: in frontend 'e1': log: invalid log length '20', must be between 80 and 65535",
        "bad.cfg:9: in frontend 'e1': log: unknown log format 'foo' (expected one of: local, "
        "rfc3164, rfc5424, priority, short, timed, iso, raw)",
        "bad.cfg:10: in frontend 'e1': log: unknown log level 'inf'; did you mean 'info'?",
        "bad.cfg:11: in frontend 'e1': log: unknown minimum log level 'emergx'",
        "bad.cfg:12: in frontend 'e1': log: cannot handle unexpected argument 'extra'",
        "bad.cfg:13: in frontend 'e1': log: invalid port '99999'",
        "bad.cfg:14: in frontend 'e1': log: expects <address> and <facility> or global as "
        "arguments",
        "bad.cfg:15: in frontend 'e1': log: stream log targets ('tcp@127.0.0.1:514') are not "
        "supported by sluice",
        "bad.cfg:16: in frontend 'e1': log: cannot send logs to the unspecified address",
        "bad.cfg:17: in frontend 'e1': log: 'no log' does not expect arguments",
        "bad.cfg:18: in frontend 'e1': log-format: expects only one argument, don't forget to "
        "escape spaces!",
        "bad.cfg:19: in frontend 'e1': log-format: no such format variable 'Z'",
        "bad.cfg:20: in frontend 'e1': option httplog: only supports option 'clf'",
        "bad.cfg:21: in frontend 'e1': option tcplog: too many arguments",
        "bad.cfg:22: in frontend 'e1': log: ring buffers ('ring@x') are not supported",
        "bad.cfg:23: in frontend 'e1': log: log sampling ('sample') is not supported",
        "bad.cfg:24: in frontend 'e1': log: unknown log facility 'locl0'; did you mean 'local0'?",
        "bad.cfg:25: in frontend 'e1': log: missing value after 'len'",
        "bad.cfg:26: in frontend 'e1': log-format: expects a format string",
        "bad.cfg:31: in frontend 'e2': log-format: format variable 'r' is reserved for HTTP mode "
        "(used by frontend 'e2')",
        "bad.cfg:36: in frontend 'e3': option httplog: not usable with frontend 'e3' (needs "
        "'mode http'); falling back to 'option tcplog'",
        "bad.cfg:38: in backend 'e4': option httplog: ignored: a backend has no frontend side",
        "bad.cfg:39: in backend 'e4': option dontlognull: ignored: a backend has no frontend side",
        "bad.cfg:40: in backend 'e4': log-format: ignored: a backend has no frontend side",
    };
    const char *got = capture_stderr(parse_bad);

    for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
        ok(strstr(got, want[i]) != NULL, "error: %s", want[i]);
    if (tap_failed)
        printf("# stderr was:\n%s", got);
}

int main(void)
{
    setenv("TZ", "UTC", 1);
    tzset();
    test_parse_errors();
    test_const();
    test_variables();
    test_missing();
    test_options();
    test_text();
    test_truncation();
    test_samples();
    test_levels();
    test_traffic();
    test_drop();
    test_cfg_errors();
    unlink(unix_path);
    return done_testing();
}
