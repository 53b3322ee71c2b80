/* Process-wide settings from the "global" section and the command line. */
#ifndef SLUICE_CORE_GLOBAL_T_H
#define SLUICE_CORE_GLOBAL_T_H

#include <sys/types.h>

struct global {
    /* set by the global section (config time) */
    int nbproc;            /* worker processes; 0 until checked, then >= 1 */
    int maxconn;           /* concurrent connections per worker; 0: derived from ulimit -n */
    int daemon;            /* "daemon": detach like -D */
    int master_worker;     /* "master-worker": accepted, always on */
    char *pidfile;         /* "pidfile" or -p; NULL: none */
    char *user, *group;    /* names given to "user"/"group"; NULL: keep */
    uid_t uid;             /* resolved at check time; valid when user != NULL */
    gid_t gid;             /* resolved at check time; valid when user or group != NULL */
    char *chroot;          /* directory workers chroot into; NULL: none */
    int hard_stop_after;   /* ms a soft-stopping worker may linger; 0: no limit */
    int bufsize;           /* tune.bufsize: bytes per I/O buffer */
    int maxrewrite;        /* tune.maxrewrite: bytes reserved for header rewrites */
    int maxhdr;            /* tune.http.maxhdr: headers accepted in a message */
    int cli_timeout;       /* "stats timeout": idle CLI connections are closed after (ms) */
    int cli_maxconn;       /* "stats maxconn": concurrent CLI connections */
    /* set by the command line */
    int foreground_debug;  /* -d */
    int check_only;        /* -c */
    int quiet;             /* -q */
};

extern struct global global;

#endif
