/* Unit tests: value parsers (integers, times, sizes, addresses) and edit distance. */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "parse.h"
#include "str.h"
#include "tap.h"

static void time_ok(const char *s, int want)
{
    int ms = -1;
    char *err = NULL;

    ok(parse_time(s, &ms, &err) == 0 && ms == want, "time '%s' = %d ms (got %d, %s)", s, want,
       ms, err ? err : "no error");
    free(err);
}

static void time_bad(const char *s, const char *msg)
{
    int ms = -1;
    char *err = NULL;

    ok(parse_time(s, &ms, &err) < 0 && err && strstr(err, msg), "time '%s' refused: %s", s,
       err ? err : "accepted");
    free(err);
}

static void size_ok(const char *s, unsigned long long want)
{
    unsigned long long v = 0;
    char *err = NULL;

    ok(parse_size(s, ~0ULL, &v, &err) == 0 && v == want, "size '%s' = %llu (got %llu)", s,
       want, v);
    free(err);
}

static void size_bad(const char *s, unsigned long long max, const char *msg)
{
    unsigned long long v = 0;
    char *err = NULL;

    ok(parse_size(s, max, &v, &err) < 0 && err && strstr(err, msg), "size '%s' refused: %s", s,
       err ? err : "accepted");
    free(err);
}

static void int_case(const char *s, long long min, long long max, int good, long long want)
{
    long long v = 12345;
    char *err = NULL;
    int rc = parse_int(s, min, max, &v, &err);

    if (good)
        ok(rc == 0 && v == want, "int '%s' = %lld", s, want);
    else
        ok(rc < 0 && err, "int '%s' refused in [%lld..%lld]: %s", s, min, max,
           err ? err : "accepted");
    free(err);
}

static void addr_ok(const char *s, int flags, int kind, const char *want_str)
{
    struct parse_addr a;
    char *err = NULL, buf[128] = "";

    if (parse_addr(s, flags, &a, &err) == 0) {
        if (a.kind == PARSE_ADDR_FD)
            snprintf(buf, sizeof(buf), "fd@%d", a.fd);
        else
            parse_addr_str(&a.ss, buf, sizeof(buf));
        ok((int)a.kind == kind && !strcmp(buf, want_str), "addr '%s' -> %s (got %s)", s, want_str, buf);
    } else {
        ok(0, "addr '%s' -> %s (error %s)", s, want_str, err);
    }
    free(err);
}

static void addr_bad(const char *s, int flags, const char *msg)
{
    struct parse_addr a;
    char *err = NULL;

    ok(parse_addr(s, flags, &a, &err) < 0 && err && strstr(err, msg), "addr '%s' refused: %s", s,
       err ? err : "accepted");
    free(err);
}

int main(void)
{
    const int L = PARSE_ADDR_F_NEED_PORT | PARSE_ADDR_F_UNIX | PARSE_ADDR_F_FD |
                  PARSE_ADDR_F_WILDCARD;

    time_ok("0", 0);
    time_ok("250", 250);
    time_ok("250ms", 250);
    time_ok("5s", 5000);
    time_ok("2m", 120000);
    time_ok("1h", 3600000);
    time_ok("1d", 86400000);
    time_ok("1500us", 2);
    time_ok("1us", 1);
    time_ok("24d", 24 * 86400000);
    time_bad("", "missing");
    time_bad("s", "not a time");
    time_bad("-1s", "not a time");
    time_bad("5 s", "unknown time unit");
    time_bad("5sec", "unknown time unit");
    time_bad("30d", "too large");
    time_bad("99999999999999999999", "too large");

    size_ok("0", 0);
    size_ok("16384", 16384);
    size_ok("16k", 16384);
    size_ok("16K", 16384);
    size_ok("1m", 1048576);
    size_ok("2g", 2147483648ULL);
    size_bad("", ~0ULL, "missing");
    size_bad("k", ~0ULL, "not a size");
    size_bad("10kb", ~0ULL, "unknown size unit");
    size_bad("10t", ~0ULL, "unknown size unit");
    size_bad("2m", 1048576, "too large");

    int_case("0", 0, 10, 1, 0);
    int_case("10", 0, 10, 1, 10);
    int_case("-3", -5, 5, 1, -3);
    int_case("11", 0, 10, 0, 0);
    int_case("-1", 0, 10, 0, 0);
    int_case("", 0, 10, 0, 0);
    int_case("12abc", 0, 100, 0, 0);
    int_case("0x10", 0, 100, 0, 0);
    int_case("99999999999999999999999", 0, LLONG_MAX, 0, 0);

    addr_ok("127.0.0.1:80", L, PARSE_ADDR_INET, "127.0.0.1:80");
    addr_ok(":8080", L, PARSE_ADDR_INET, "0.0.0.0:8080");
    addr_ok("*:8080", L, PARSE_ADDR_INET, "0.0.0.0:8080");
    addr_ok("[::1]:443", L, PARSE_ADDR_INET, "[::1]:443");
    addr_ok("::1:443", L, PARSE_ADDR_INET, "[::1]:443");
    addr_ok("ipv6@:443", L, PARSE_ADDR_INET, "[::]:443");
    addr_ok("ipv4@10.1.2.3:1", L, PARSE_ADDR_INET, "10.1.2.3:1");
    addr_ok("/run/sluice.sock", L, PARSE_ADDR_UNIX, "unix@/run/sluice.sock");
    addr_ok("unix@rel.sock", L, PARSE_ADDR_UNIX, "unix@rel.sock");
    addr_ok("fd@3", L, PARSE_ADDR_FD, "fd@3");
    addr_ok("10.0.0.1", PARSE_ADDR_F_RESOLVE, PARSE_ADDR_INET, "10.0.0.1:0");
    addr_ok("localhost:81", PARSE_ADDR_F_RESOLVE, PARSE_ADDR_INET, "127.0.0.1:81");
    addr_bad("127.0.0.1:80-90", L, "port ranges are not supported");
    addr_bad("127.0.0.1", L, "missing port");
    addr_bad("127.0.0.1:", L, "missing port");
    addr_bad("127.0.0.1:65536", L, "invalid port");
    addr_bad("127.0.0.1:http", L, "invalid port");
    addr_bad("10.0.0.300:80", L, "invalid address");
    addr_bad("fd@", L, "invalid file descriptor");
    addr_bad("fd@x", L, "invalid file descriptor");
    addr_bad("fd@3", PARSE_ADDR_F_RESOLVE, "not allowed");
    addr_bad("/tmp/x", PARSE_ADDR_F_RESOLVE, "not allowed");
    addr_bad("abns@foo", L, "not supported");
    addr_bad("udp@1.2.3.4:53", L, "not supported");
    addr_bad("foo@1.2.3.4:53", L, "unknown address family");
    addr_bad("[::1:80", L, "missing ']'");
    addr_bad("no-such-host.invalid:80", L | PARSE_ADDR_F_RESOLVE, "could not resolve");
    addr_bad(":80", PARSE_ADDR_F_NEED_PORT, "missing address");

    /* environment variables in addresses, as HAProxy 2.6's str2sa_range()/env_expand() */
    setenv("SLUICE_T_HOST", "127.0.0.2", 1);
    setenv("SLUICE_T_PORT", "8443", 1);
    setenv("SLUICE_T_SOCK", "/run/s.sock", 1);
    setenv("SLUICE_T_FD", "4", 1);
    setenv("SLUICE_T_FULL", "ipv4@10.0.0.9:99", 1);
    addr_ok("${SLUICE_T_HOST}:${SLUICE_T_PORT}", L, PARSE_ADDR_INET, "127.0.0.2:8443");
    addr_ok("$SLUICE_T_HOST:$SLUICE_T_PORT", L, PARSE_ADDR_INET, "127.0.0.2:8443");
    addr_ok(":${SLUICE_T_PORT}", L, PARSE_ADDR_INET, "0.0.0.0:8443");
    addr_bad("127.0.0.1:${SLUICE_T_PORT}0", L, "invalid port '84430'");
    addr_ok("$SLUICE_T_SOCK", L, PARSE_ADDR_UNIX, "unix@/run/s.sock");
    addr_ok("fd@${SLUICE_T_FD}", L, PARSE_ADDR_FD, "fd@4");
    addr_ok("$SLUICE_T_FULL", L, PARSE_ADDR_INET, "10.0.0.9:99");
    /* no "-default" here: the text after the name stays ("${A-x}" is A's value then "-x}") */
    addr_bad("${SLUICE_T_HOST-1.1.1.1}:80", L, "invalid address '127.0.0.2-1.1.1.1}'");
    /* unset variables and a lone '$' expand to nothing */
    addr_ok("127.0.0.1:$SLUICE_T_UNSET1$SLUICE_T_PORT", L, PARSE_ADDR_INET, "127.0.0.1:8443");
    addr_ok("127.0.0.1:$${SLUICE_T_PORT}", L, PARSE_ADDR_INET, "127.0.0.1:8443");
    addr_bad("${SLUICE_T_UNSET}", L, "'${SLUICE_T_UNSET}' resolves to an empty address "
             "(environment variable missing?)");
    addr_bad("$SLUICE_T_UNSET$", L, "resolves to an empty address");
    {
        char *out = NULL, *err = NULL;

        ok(parse_addr_env("a${SLUICE_T_PORT}b$SLUICE_T_PORT.${SLUICE_T_PORT", &out, &err) == 0 &&
           !strcmp(out, "a8443b8443.8443"), "parse_addr_env: braces optional, '}' optional "
           "(got %s)", out);
        free(out);
        free(err);
    }

    is_int(str_distance("bind", "bind"), 0, "distance equal");
    is_int(str_distance("bnid", "bind"), 1, "distance transposition");
    is_int(str_distance("timout", "timeout"), 1, "distance deletion");
    is_int(str_distance("", "abc"), 3, "distance empty");
    {
        char *err = NULL;

        is_int(str_printf(&err, "x=%d", 5), -1, "str_printf returns -1");
        is_str(err, "x=5", "str_printf formats");
        str_printf(&err, "again %s", "y");
        is_str(err, "again y", "str_printf replaces");
        free(err);
    }
    return done_testing();
}
