/* Value parsers shared by configuration keywords: integers, times, sizes, addresses. */
#include "parse.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/un.h>

#include "str.h"

int parse_int(const char *s, long long min, long long max, long long *out, char **err)
{
    const char *p = s;
    unsigned long long v = 0;
    int neg = 0;

    if (!s || !*s)
        return str_printf(err, "missing integer value");
    if (*p == '-' || *p == '+') {
        neg = *p == '-';
        p++;
    }
    if (!isdigit((unsigned char)*p))
        return str_printf(err, "'%s' is not an integer", s);
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (ULLONG_MAX - 9) / 10)
            return str_printf(err, "'%s' is too large", s);
        v = v * 10 + (unsigned)(*p - '0');
    }
    if (*p)
        return str_printf(err, "'%s' is not an integer (unexpected '%c')", s, *p);
    if (v > (unsigned long long)LLONG_MAX)
        return str_printf(err, "'%s' is out of range", s);
    if ((neg ? -(long long)v : (long long)v) < min || (neg ? -(long long)v : (long long)v) > max)
        return str_printf(err, "value %s is out of range [%lld..%lld]", s, min, max);
    *out = neg ? -(long long)v : (long long)v;
    return 0;
}

/* parse_time(), also telling whether the exact value is under min_ms (before microseconds
 * are rounded up to a millisecond). */
static int parse_time_exact(const char *s, int *out_ms, int min_ms, int *below, char **err)
{
    static const struct {
        const char *name;
        unsigned long long num, den; /* milliseconds = value * num / den */
    } units[] = {
        {"us", 1, 1000}, {"ms", 1, 1}, {"s", 1000, 1}, {"m", 60000, 1},
        {"h", 3600000, 1}, {"d", 86400000, 1},
    };
    unsigned long long v = 0, ms;
    const char *p = s;
    size_t i;

    if (!s || !*s)
        return str_printf(err, "missing time value");
    if (!isdigit((unsigned char)*p))
        return str_printf(err, "'%s' is not a time (expected a number with an optional unit "
                               "us, ms, s, m, h or d)", s);
    for (; isdigit((unsigned char)*p); p++) {
        v = v * 10 + (unsigned)(*p - '0');
        if (v > INT_MAX * 1000ULL)
            return str_printf(err, "time '%s' is too large (max 2147483647ms, about 24 days)", s);
    }
    if (!*p) {
        ms = v;
    } else {
        for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
            if (!strcmp(p, units[i].name))
                break;
        if (i == sizeof(units) / sizeof(units[0]))
            return str_printf(err, "unknown time unit '%s' in '%s' (use us, ms, s, m, h or d)",
                              p, s);
        ms = (v * units[i].num + units[i].den - 1) / units[i].den;
        *below = v * units[i].num < (unsigned long long)min_ms * units[i].den;
    }
    if (!*p)
        *below = ms < (unsigned long long)min_ms;
    if (ms > INT_MAX)
        return str_printf(err, "time '%s' is too large (max 2147483647ms, about 24 days)", s);
    *out_ms = (int)ms;
    return 0;
}

int parse_time(const char *s, int *out_ms, char **err)
{
    int below;

    return parse_time_exact(s, out_ms, 0, &below, err);
}

int parse_time_min(const char *s, int min_ms, int *out_ms, char **err)
{
    int below;

    if (parse_time_exact(s, out_ms, min_ms, &below, err) < 0)
        return -1;
    if (below)
        return min_ms % 1000 ? str_printf(err, "'%s' is too short (%dms at least)", s, min_ms)
                             : str_printf(err, "'%s' is too short (%ds at least)", s,
                                          min_ms / 1000);
    return 0;
}

int parse_size(const char *s, unsigned long long max, unsigned long long *out, char **err)
{
    unsigned long long v = 0, mult = 1;
    const char *p = s;

    if (!s || !*s)
        return str_printf(err, "missing size value");
    if (!isdigit((unsigned char)*p))
        return str_printf(err, "'%s' is not a size (expected a number with an optional unit "
                               "k, m or g)", s);
    for (; isdigit((unsigned char)*p); p++) {
        if (v > (ULLONG_MAX - 9) / 10)
            return str_printf(err, "size '%s' is too large", s);
        v = v * 10 + (unsigned)(*p - '0');
    }
    switch (*p) {
    case 0: break;
    case 'k': case 'K': mult = 1ULL << 10; p++; break;
    case 'm': case 'M': mult = 1ULL << 20; p++; break;
    case 'g': case 'G': mult = 1ULL << 30; p++; break;
    default:
        return str_printf(err, "unknown size unit '%s' in '%s' (use k, m or g)", p, s);
    }
    if (*p)
        return str_printf(err, "unknown size unit in '%s' (use k, m or g)", s);
    if (v > max / mult)
        return str_printf(err, "size '%s' is too large (max %llu)", s, max);
    *out = v * mult;
    return 0;
}

/* Parses a port number. Returns the port or -1 with *err set. */
static int parse_port(const char *p, const char *whole, char **err)
{
    long long v;

    if (!*p)
        return str_printf(err, "missing port in '%s'", whole);
    if (strchr(p, '-') && isdigit((unsigned char)*p))
        return str_printf(err, "port ranges are not supported ('%s'); write one line per port",
                          whole);
    if (*p == '+' || *p == '-')
        return str_printf(err, "port offsets are not supported yet ('%s')", whole);
    if (parse_int(p, 0, 65535, &v, NULL) < 0)
        return str_printf(err, "invalid port '%s' in '%s' (expected 0-65535)", p, whole);
    return (int)v;
}

static int parse_unix(const char *path, const char *whole, struct parse_addr *out, char **err)
{
    struct sockaddr_un *sun = (struct sockaddr_un *)&out->ss;

    if (!*path)
        return str_printf(err, "empty UNIX socket path in '%s'", whole);
    if (strlen(path) >= sizeof(sun->sun_path))
        return str_printf(err, "UNIX socket path '%s' is too long (max %zu characters)", path,
                          sizeof(sun->sun_path) - 1);
    memset(&out->ss, 0, sizeof(out->ss));
    sun->sun_family = AF_UNIX;
    strcpy(sun->sun_path, path);
    out->kind = PARSE_ADDR_UNIX;
    out->sslen = sizeof(*sun);
    return 0;
}

/* Fills out->ss with host (numeric or, with RESOLVE, a name) for the given family
 * (AF_UNSPEC, AF_INET or AF_INET6). */
static int parse_host(const char *host, int family, int flags, const char *whole,
                      struct parse_addr *out, char **err)
{
    struct sockaddr_in *sin = (struct sockaddr_in *)&out->ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&out->ss;
    struct addrinfo hints = {0}, *res = NULL;
    int rc;

    memset(&out->ss, 0, sizeof(out->ss));
    if (!*host || !strcmp(host, "*")) {
        if (!(flags & PARSE_ADDR_F_WILDCARD))
            return str_printf(err, "missing address in '%s'", whole);
        if (family == AF_INET6) {
            sin6->sin6_family = AF_INET6;
            sin6->sin6_addr = in6addr_any;
            out->sslen = sizeof(*sin6);
        } else {
            sin->sin_family = AF_INET;
            sin->sin_addr.s_addr = htonl(INADDR_ANY);
            out->sslen = sizeof(*sin);
        }
        return 0;
    }
    if (family != AF_INET6 && inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        out->sslen = sizeof(*sin);
        return 0;
    }
    if (family != AF_INET && inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        out->sslen = sizeof(*sin6);
        return 0;
    }
    if (!(flags & PARSE_ADDR_F_RESOLVE))
        return str_printf(err, "invalid address '%s' in '%s' (expected a numeric IP address)",
                          host, whole);
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0 || !res)
        return str_printf(err, "could not resolve address '%s': %s", host,
                          rc ? gai_strerror(rc) : "no address");
    /* Prefer the first IPv4 answer, as HAProxy's default resolution order does. */
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        if (ai->ai_family == AF_INET) {
            memcpy(&out->ss, ai->ai_addr, ai->ai_addrlen);
            out->sslen = ai->ai_addrlen;
            freeaddrinfo(res);
            return 0;
        }
    }
    memcpy(&out->ss, res->ai_addr, res->ai_addrlen);
    out->sslen = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

int parse_addr_env(const char *in, char **out, char **err)
{
    struct strbuf sb = {0};
    const char *p = in;

    while (*p) {
        const char *d = strchr(p, '$'), *vb, *ve;
        char name[256];
        const char *val;

        if (!d) {
            strbuf_puts(&sb, p);
            break;
        }
        strbuf_add(&sb, p, (size_t)(d - p));
        vb = d + 1 + (d[1] == '{');
        for (ve = vb; isalnum((unsigned char)*ve) || *ve == '_'; ve++)
            ;
        /* as env_expand(): the '}' is skipped only when a '{' opened the name; anything else
         * ("-default}", a lone '$' and what follows it) is text */
        p = ve + (*ve == '}' && vb > d + 1);
        if ((size_t)(ve - vb) >= sizeof(name)) {
            strbuf_free(&sb);
            return str_printf(err, "environment variable name too long in '%s'", in);
        }
        memcpy(name, vb, (size_t)(ve - vb));
        name[ve - vb] = 0;
        val = *name ? getenv(name) : NULL;
        if (val)
            strbuf_puts(&sb, val);
    }
    if (!strbuf_ok(&sb)) {
        strbuf_free(&sb);
        return str_printf(err, "out of memory");
    }
    *out = sb.buf ? sb.buf : str_dup("");
    return 0;
}

static int parse_addr_expanded(const char *s, int flags, struct parse_addr *out, char **err);

int parse_addr(const char *s, int flags, struct parse_addr *out, char **err)
{
    char *exp = NULL;
    int ret;

    if (!s || !strchr(s, '$'))
        return parse_addr_expanded(s, flags, out, err);
    memset(out, 0, sizeof(*out));
    out->fd = -1;
    if (parse_addr_env(s, &exp, err) < 0)
        return -1;
    if (!*exp)
        ret = str_printf(err, "'%s' resolves to an empty address (environment variable "
                              "missing?)", s);
    else
        ret = parse_addr_expanded(exp, flags, out, err);
    free(exp);
    return ret;
}

static int parse_addr_expanded(const char *s, int flags, struct parse_addr *out, char **err)
{
    static const char *const unsupported[] = {
        "abns@", "sockpair@", "udp@", "udp4@", "udp6@", "quic4@", "quic6@", "uxdg@", "uxst@",
        "ipv4d@", "ipv6d@", "unixd@", "rhttp@", NULL,
    };
    char host[256];
    const char *p = s, *colon;
    int family = AF_UNSPEC, port;
    size_t hl;

    memset(out, 0, sizeof(*out));
    out->fd = -1;
    if (!s || !*s)
        return str_printf(err, "missing address");
    if (!strncmp(p, "fd@", 3)) {
        long long fd;

        if (!(flags & PARSE_ADDR_F_FD))
            return str_printf(err, "'fd@' addresses are not allowed here ('%s')", s);
        if (parse_int(p + 3, 0, INT_MAX, &fd, NULL) < 0)
            return str_printf(err, "invalid file descriptor in '%s' (is the variable set?)", s);
        out->kind = PARSE_ADDR_FD;
        out->fd = (int)fd;
        return 0;
    }
    if (!strncmp(p, "unix@", 5) || *p == '/') {
        if (!(flags & PARSE_ADDR_F_UNIX))
            return str_printf(err, "UNIX socket addresses are not allowed here ('%s')", s);
        return parse_unix(*p == '/' ? p : p + 5, s, out, err);
    }
    for (int i = 0; unsupported[i]; i++)
        if (!strncmp(p, unsupported[i], strlen(unsupported[i])))
            return str_printf(err, "'%s' addresses are not supported ('%s')", unsupported[i], s);
    if (!strncmp(p, "ipv4@", 5) || !strncmp(p, "tcp4@", 5)) {
        family = AF_INET;
        p += 5;
    } else if (!strncmp(p, "ipv6@", 5) || !strncmp(p, "tcp6@", 5)) {
        family = AF_INET6;
        p += 5;
    } else if (!strncmp(p, "tcp@", 4)) {
        p += 4;
    } else if (strchr(p, '@')) {
        return str_printf(err, "unknown address family in '%s'", s);
    }

    /* "::1" or "fe80::1" without brackets and without a port: the whole string is an IPv6
     * address (splitting it at its last colon would make no sense). */
    if (*p != '[' && strchr(p, ':') != strrchr(p, ':') && strlen(p) < sizeof(host)) {
        struct in6_addr a6;

        if (inet_pton(AF_INET6, p, &a6) == 1 && !(flags & PARSE_ADDR_F_NEED_PORT) &&
            family != AF_INET) {
            if (parse_host(p, AF_INET6, flags, s, out, err) < 0)
                return -1;
            out->kind = PARSE_ADDR_INET;
            out->port = 0;
            return 0;
        }
    }
    if (*p == '[') {
        const char *end = strchr(p, ']');

        if (!end)
            return str_printf(err, "missing ']' in '%s'", s);
        hl = (size_t)(end - p - 1);
        if (hl >= sizeof(host))
            return str_printf(err, "address too long in '%s'", s);
        memcpy(host, p + 1, hl);
        host[hl] = 0;
        if (family == AF_UNSPEC)
            family = AF_INET6;
        colon = end[1] == ':' ? end + 1 : NULL;
        if (end[1] && !colon)
            return str_printf(err, "unexpected '%s' after ']' in '%s'", end + 1, s);
    } else {
        colon = strrchr(p, ':');
        hl = colon ? (size_t)(colon - p) : strlen(p);
        if (hl >= sizeof(host))
            return str_printf(err, "address too long in '%s'", s);
        memcpy(host, p, hl);
        host[hl] = 0;
    }

    port = 0;
    if (colon) {
        port = parse_port(colon + 1, s, err);
        if (port < 0)
            return -1;
    } else if (flags & PARSE_ADDR_F_NEED_PORT) {
        return str_printf(err, "missing port in '%s'", s);
    }
    if (parse_host(host, family, flags, s, out, err) < 0)
        return -1;
    out->kind = PARSE_ADDR_INET;
    out->port = port;
    if (out->ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&out->ss)->sin_port = htons((unsigned short)port);
    else
        ((struct sockaddr_in6 *)&out->ss)->sin6_port = htons((unsigned short)port);
    return 0;
}

char *parse_addr_str(const struct sockaddr_storage *ss, char *buf, int len)
{
    char ip[INET6_ADDRSTRLEN];

    if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const void *)ss;

        inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof(ip));
        snprintf(buf, (size_t)len, "%s:%d", ip, ntohs(sin->sin_port));
    } else if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const void *)ss;

        inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof(ip));
        snprintf(buf, (size_t)len, "[%s]:%d", ip, ntohs(sin6->sin6_port));
    } else if (ss->ss_family == AF_UNIX) {
        snprintf(buf, (size_t)len, "unix@%s", ((const struct sockaddr_un *)ss)->sun_path);
    } else {
        snprintf(buf, (size_t)len, "?");
    }
    return buf;
}
