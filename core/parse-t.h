/* Types of the value parsers (times, sizes, integers, addresses). */
#ifndef SLUICE_CORE_PARSE_T_H
#define SLUICE_CORE_PARSE_T_H

#include <sys/socket.h>

/* What kind of endpoint an address string named. */
enum parse_addr_kind {
    PARSE_ADDR_INET = 1, /* IPv4 or IPv6 address with a port */
    PARSE_ADDR_UNIX,     /* UNIX stream socket path */
    PARSE_ADDR_FD,       /* "fd@N": an inherited socket */
};

/* Flags for parse_addr(). */
#define PARSE_ADDR_F_NEED_PORT 0x01 /* an INET address must carry a port */
#define PARSE_ADDR_F_UNIX      0x02 /* UNIX paths ("/path", "unix@path") are allowed */
#define PARSE_ADDR_F_FD        0x04 /* "fd@N" is allowed */
#define PARSE_ADDR_F_RESOLVE   0x08 /* host names are resolved (blocking: start-up only) */
#define PARSE_ADDR_F_WILDCARD  0x10 /* "*", "" and "::" hosts are allowed (listeners) */

/* A parsed address. */
struct parse_addr {
    enum parse_addr_kind kind;  /* which of the fields below is meaningful */
    struct sockaddr_storage ss; /* INET and UNIX: the socket address, port included */
    socklen_t sslen;            /* length of ss for bind()/connect() */
    int port;                   /* INET: port, 0 when none was given */
    int fd;                     /* FD: the inherited descriptor number */
};

#endif
