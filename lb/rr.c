/* roundrobin: smooth weighted round-robin (each server is picked in proportion to its weight,
 * interleaved rather than in bursts). Active servers first; when none is usable, the first
 * usable backup server takes the traffic, as in HAProxy without "option allbackups". */
#include "rr.h"

#include <stddef.h>

#include "backend.h"
#include "cfg.h"
#include "proxy.h"
#include "server.h"

static int lb_rr_init(struct proxy *be, char **err)
{
    for (struct server *s = be->servers; s; s = s->next)
        s->lb_cur = 0;
    return 0;
}

/* One smooth-WRR round over the servers whose backup flag equals `backup`. */
static struct server *rr_round(struct proxy *be, const struct server *avoid, unsigned backup)
{
    struct server *best = NULL;
    int total = 0;

    for (struct server *s = be->servers; s; s = s->next) {
        if ((s->flags & SRV_F_BACKUP) != backup || !srv_usable(s) || s->weight == 0 ||
            s == avoid)
            continue;
        s->lb_cur += s->weight;
        total += s->weight;
        if (!best || s->lb_cur > best->lb_cur)
            best = s;
    }
    if (best)
        best->lb_cur -= total;
    return best;
}

static struct server *first_backup(struct proxy *be, const struct server *avoid)
{
    for (struct server *s = be->servers; s; s = s->next)
        if ((s->flags & SRV_F_BACKUP) && srv_usable(s) && s->weight && s != avoid)
            return s;
    return NULL;
}

struct server *lb_rr_pick(struct proxy *be, const struct server *avoid)
{
    struct server *s = rr_round(be, avoid, 0);

    if (!s)
        s = first_backup(be, avoid);
    /* The avoided server is still better than nothing when it is the only one. */
    if (!s && avoid && srv_usable(avoid) && avoid->weight)
        s = (struct server *)avoid;
    return s;
}

static struct lb_ops lb_rr_ops = {
    .name = "roundrobin",
    .init = lb_rr_init,
    .pick = lb_rr_pick,
};

static void lb_rr_register(void)
{
    be_register_lb(&lb_rr_ops);
}
INITCALL(lb_rr_register)
