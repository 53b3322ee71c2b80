/* Value parsers shared by every configuration keyword: integers, times, sizes, addresses.
 * Each returns 0 on success or -1 with *err set to an allocated reason (without file:line,
 * which the configuration engine adds). None of them prints. */
#ifndef SLUICE_CORE_PARSE_H
#define SLUICE_CORE_PARSE_H

#include "parse-t.h"

/* Decimal integer within [min, max]. Refuses empty strings, signs where min >= 0, trailing
 * garbage and overflow. */
int parse_int(const char *s, long long min, long long max, long long *out, char **err);

/* Time with an optional unit (us, ms, s, m, h, d; ms when none), stored in milliseconds.
 * Microseconds round up to the next millisecond. The result fits in an int (about 24 days). */
int parse_time(const char *s, int *out_ms, char **err);
/* The same, refusing a value under min_ms ("'%s' is too short (1s at least)"), compared
 * before microseconds are rounded up ("999999us" is under 1s). */
int parse_time_min(const char *s, int min_ms, int *out_ms, char **err);

/* Size with an optional binary unit (k, m, g; bytes when none). */
int parse_size(const char *s, unsigned long long max, unsigned long long *out, char **err);

/* Address: "[ipv4@|ipv6@]host:port", "[v6addr]:port", "/unix/path", "unix@path", "fd@N",
 * as allowed by flags (PARSE_ADDR_F_*). Port ranges and other families are refused with a
 * reason that names them. Resolution with PARSE_ADDR_F_RESOLVE blocks: start-up only.
 * Environment variables are expanded first, wherever they are and however the word was
 * quoted, as HAProxy 2.6's str2sa_range() does (parse_addr_env()): "bind :${PORT}",
 * "server s $HOST:80", "stats socket $SOCK". An address that expands to nothing is refused
 * ("'$X' resolves to an empty address (environment variable missing?)"). */
int parse_addr(const char *s, int flags, struct parse_addr *out, char **err);

/* HAProxy 2.6's env_expand(), applied to addresses only: each "$NAME" or "${NAME}" (NAME: the
 * letters, digits and '_' that follow, possibly none) is replaced by the variable's value,
 * nothing when unset. There is no "-default" nor "[*]" form here: "${A-x}" is A's value
 * followed by "-x}". Sets *out to an allocated string. Returns 0, or -1 with *err set. */
int parse_addr_env(const char *in, char **out, char **err);

/* Writes a printable "ip:port", "[ip6]:port" or "unix@path" form of ss into buf.
 * Returns buf. */
char *parse_addr_str(const struct sockaddr_storage *ss, char *buf, int len);

#endif
