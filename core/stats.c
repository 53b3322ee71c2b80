/* Process statistics on the stats socket: "show info", summed over every worker slot. */
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "cfg.h"
#include "cli.h"
#include "global.h"
#include "shm.h"
#include "stats.h"
#include "str.h"

#define STATS_INFO_MAX 8

static void (*info_fns[STATS_INFO_MAX])(struct strbuf *out);
static int ninfo_fns;

void stats_register_info(void (*fn)(struct strbuf *out))
{
    if (ninfo_fns < STATS_INFO_MAX)
        info_fns[ninfo_fns++] = fn;
}

static int cmd_show_info(char **args, int nargs, struct cli_session *s, struct strbuf *out)
{
    unsigned long long cum = 0, cur = 0, in = 0, outb = 0, aerr = 0;
    unsigned respawns = 0;
    int workers = 0;
    long up = shm ? (long)(time(NULL) - shm->started) : 0;
    struct rlimit rl = {0};

    for (unsigned i = 0; shm && i < shm->nslots; i++) {
        const struct shm_slot *ss = &shm->slots[i];

        workers += __atomic_load_n(&ss->pid, __ATOMIC_RELAXED) != 0;
        cum += shm_get(&ss->cum_conns);
        cur += shm_get(&ss->cur_conns);
        in += shm_get(&ss->bytes_in);
        outb += shm_get(&ss->bytes_out);
        aerr += shm_get(&ss->accept_errors);
        respawns += ss->respawns;
    }
    getrlimit(RLIMIT_NOFILE, &rl);
    strbuf_printf(out,
                  "Name: sluice\n"
                  "Version: %s\n"
                  "Nbthread: 1\n"
                  "Nbproc: %d\n"
                  "Process_num: 0\n"
                  "Pid: %d\n"
                  "Uptime: %ldd %ldh%02ldm%02lds\n"
                  "Uptime_sec: %ld\n"
                  "Ulimit-n: %llu\n"
                  "Maxconn: %d\n"
                  "Hard_maxconn: %d\n"
                  "CurrConns: %llu\n"
                  "CumConns: %llu\n"
                  "BytesIn: %llu\n"
                  "BytesOut: %llu\n"
                  "AcceptErrors: %llu\n"
                  "Workers: %d\n"
                  "Respawns: %u\n"
                  "Tune.bufsize: %d\n",
                  SLUICE_VERSION, global.nbproc, (int)getpid(), up / 86400, (up / 3600) % 24,
                  (up / 60) % 60, up % 60, up, (unsigned long long)rl.rlim_cur,
                  global.maxconn, global.maxconn, cur, cum, in, outb, aerr, workers, respawns,
                  global.bufsize);
    for (int i = 0; i < ninfo_fns; i++)
        info_fns[i](out);
    return 0;
}

static struct cli_cmd stats_cmds[] = {
    {{"show", "info", NULL}, NULL, "report information about the running process",
     CLI_W_STATS, CLI_LVL_USER, cmd_show_info},
    {.fn = NULL},
};

static void stats_register(void)
{
    cli_register(stats_cmds);
}
INITCALL(stats_register)
