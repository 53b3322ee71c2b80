/* Command line, start-up sequence: parse and check every configuration file, bind every
 * socket, then (and only then) detach and fork the workers. Nothing is started when any step
 * fails. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cfg.h"
#include "cli.h"
#include "global.h"
#include "listener.h"
#include "log.h"
#include "loop.h"
#include "mworker.h"
#include "pol.h"
#include "regex.h"
#include "str.h"
#include "tls.h"

static void usage(const char *prog)
{
    fprintf(stderr,
            "Sluice version %s\n"
            "Usage : %s [-f <cfgfile|cfgdir>]* [ -vdVcDqW ] [ -p <pidfile> ] "
            "[ -S <bind>[,<bind options>...] ]\n"
            "        -v displays version ; -vv shows known build options.\n"
            "        -d enters debug mode (foreground, debug output on stderr)\n"
            "        -V enters verbose mode (disables quiet mode)\n"
            "        -D goes daemon ; -C changes to <dir> before loading files.\n"
            "        -W master-worker mode (the only mode; accepted for compatibility)\n"
            "        -S <bind>[,<opts>] new master CLI\n"
            "        -q quiet mode : don't display messages\n"
            "        -c check mode : only check config files and exit\n"
            "        -p writes the master's pid into <pidfile>\n",
            SLUICE_VERSION, prog);
    exit(1);
}

static void print_version(int verbose)
{
    printf("Sluice version %s\n", SLUICE_VERSION);
    if (!verbose)
        return;
    printf("Build options : %s\n", SLUICE_BUILD_OPTS);
    printf("Built with %s\n", tls_lib_version());
    printf("Built with Lua version : %s\n", pol_lib_version());
    printf("Built with event loop : %s\n", loop_lib_version());
    printf("Built with PCRE2 version : %s (JIT %s)\n", rx_lib_version(),
           rx_jit_available() ? "available" : "not available");
    printf("Process model : master-worker, SO_REUSEPORT listeners, one worker per slot\n");
}

struct opts {
    const char *files[64]; /* -f */
    int nfiles;
    int daemon;            /* -D */
    const char *pidfile;   /* -p */
    const char *chdir_to;  /* -C */
};

/* Returns the value of a flag taking one: "-fFILE" or "-f FILE". */
static const char *flag_value(int argc, char **argv, int *i, const char *prog)
{
    if (argv[*i][2])
        return argv[*i] + 2;
    if (*i + 1 >= argc) {
        fprintf(stderr, "%s: option '%s' needs a value\n", prog, argv[*i]);
        usage(prog);
    }
    return argv[++*i];
}

static void parse_args(int argc, char **argv, struct opts *o)
{
    const char *prog = argv[0];
    char *err = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];

        if (a[0] != '-' || !a[1]) {
            /* HAProxy treats trailing non-flag arguments as configuration files. */
            if (o->nfiles == 64)
                usage(prog);
            o->files[o->nfiles++] = a;
            continue;
        }
        if (!strcmp(a, "-v")) {
            print_version(0);
            exit(0);
        } else if (!strcmp(a, "-vv")) {
            print_version(1);
            exit(0);
        } else if (!strcmp(a, "-d")) {
            global.foreground_debug = 1;
        } else if (!strcmp(a, "-c")) {
            global.check_only = 1;
        } else if (!strcmp(a, "-D")) {
            o->daemon = 1;
        } else if (!strcmp(a, "-W")) {
            global.master_worker = 1;
        } else if (!strcmp(a, "-q")) {
            global.quiet = 1;
        } else if (!strcmp(a, "-V")) {
            global.quiet = 0;
        } else if (a[1] == 'f') {
            if (o->nfiles == 64)
                usage(prog);
            o->files[o->nfiles++] = flag_value(argc, argv, &i, prog);
        } else if (a[1] == 'p') {
            o->pidfile = flag_value(argc, argv, &i, prog);
        } else if (a[1] == 'C') {
            o->chdir_to = flag_value(argc, argv, &i, prog);
        } else if (a[1] == 'S') {
            if (cli_add_master_socket(flag_value(argc, argv, &i, prog), &err) < 0) {
                fprintf(stderr, "%s: -S: %s\n", prog, err);
                exit(1);
            }
        } else if (!strcmp(a, "--")) {
            for (i++; i < argc && o->nfiles < 64; i++)
                o->files[o->nfiles++] = argv[i];
        } else {
            fprintf(stderr, "%s: unknown option '%s'\n", prog, a);
            usage(prog);
        }
    }
    if (!o->nfiles) {
        fprintf(stderr, "%s: no configuration file given (use -f)\n", prog);
        usage(prog);
    }
}

static int write_pidfile(const char *path)
{
    char buf[32];
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644), n;

    if (fd < 0) {
        log_alert("cannot create pidfile '%s': %s", path, strerror(errno));
        return -1;
    }
    n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
    if (write(fd, buf, (size_t)n) != n) {
        log_alert("cannot write pidfile '%s': %s", path, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return 0;
}

/* Detaches from the terminal: the parent exits 0 once everything was validated and bound. */
static void daemonize(void)
{
    pid_t pid = fork();
    int fd;

    if (pid < 0) {
        log_alert("cannot fork to the background: %s", strerror(errno));
        exit(1);
    }
    if (pid > 0)
        _exit(0);
    setsid();
    fd = open("/dev/null", O_RDWR);
    if (fd >= 0) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO)
            close(fd);
    }
}

int main(int argc, char **argv)
{
    struct opts o = {0};
    struct cfg_ctx ctx = {0};
    int errors;

    parse_args(argc, argv, &o);
    log_quiet = global.quiet;
    log_debug_on = global.foreground_debug;
    if (o.chdir_to && chdir(o.chdir_to) < 0) {
        log_alert("cannot change to directory '%s': %s", o.chdir_to, strerror(errno));
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    for (int i = 0; i < o.nfiles; i++)
        cfg_load_path(&ctx, o.files[i]);
    errors = cfg_finish(&ctx);
    if (o.pidfile) {
        free(global.pidfile);
        global.pidfile = str_dup(o.pidfile);
    }
    if (errors) {
        log_alert("Fatal errors found in configuration (%d error%s): nothing was started.",
                  errors, errors == 1 ? "" : "s");
        return 1;
    }
    if (global.check_only) {
        if (!global.quiet)
            printf("Configuration file is valid\n");
        return 0;
    }
    if (!listeners) {
        log_alert("No enabled listener found (check for 'bind' directives): nothing to do.");
        return 1;
    }

    /* Bind everything before detaching or forking: a port in use is an exit code 1 on the
     * terminal, with nothing half-started. */
    errors = lsn_bind_all(global.nbproc) + cli_bind_all();
    if (errors) {
        log_alert("Fatal errors while binding sockets (%d): nothing was started.", errors);
        return 1;
    }
    if ((o.daemon || global.daemon) && !global.foreground_debug)
        daemonize();
    loop_init();
    if (global.pidfile && write_pidfile(global.pidfile) < 0)
        return 1;
    return mw_run();
}
