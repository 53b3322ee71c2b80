/* Unit tests: smooth weighted round-robin (lb/rr.c). */
#include <string.h>

#include "proxy.h"
#include "rr.h"
#include "server.h"
#include "tap.h"

static struct server srv[4];
static struct proxy be;

static void setup(const int *weights, const unsigned *flags, int n)
{
    memset(&be, 0, sizeof(be));
    memset(srv, 0, sizeof(srv));
    for (int i = 0; i < n; i++) {
        srv[i].weight = weights[i];
        srv[i].flags = flags ? flags[i] : 0;
        srv[i].next = i + 1 < n ? &srv[i + 1] : NULL;
    }
    be.servers = &srv[0];
}

int main(void)
{
    int counts[4] = {0};
    char seq[16] = "";

    /* equal weights alternate strictly */
    setup((int[]){1, 1, 1}, NULL, 3);
    for (int i = 0; i < 6; i++)
        seq[i] = (char)('a' + (lb_rr_pick(&be, NULL) - srv));
    is_str(seq, "abcabc", "equal weights rotate in order");

    /* weights 5:1:1 give 5:1:1 and are interleaved (no burst of 5) */
    setup((int[]){5, 1, 1}, NULL, 3);
    memset(seq, 0, sizeof(seq));
    for (int i = 0; i < 7; i++) {
        struct server *s = lb_rr_pick(&be, NULL);

        counts[s - srv]++;
        seq[i] = (char)('a' + (s - srv));
    }
    ok(counts[0] == 5 && counts[1] == 1 && counts[2] == 1, "5:1:1 over one cycle (%s)", seq);
    ok(strstr(seq, "aaaaa") == NULL, "smooth: no burst of five (%s)", seq);

    /* disabled and weight-0 servers are never picked */
    setup((int[]){1, 0, 1}, (unsigned[]){SRV_F_DISABLED, 0, 0}, 3);
    memset(counts, 0, sizeof(counts));
    for (int i = 0; i < 10; i++)
        counts[lb_rr_pick(&be, NULL) - srv]++;
    ok(counts[0] == 0 && counts[1] == 0 && counts[2] == 10, "disabled and weight 0 skipped");

    /* backups only when no active server is usable; then the first usable backup */
    setup((int[]){1, 1, 1}, (unsigned[]){0, SRV_F_BACKUP, SRV_F_BACKUP}, 3);
    ok(lb_rr_pick(&be, NULL) == &srv[0] && lb_rr_pick(&be, NULL) == &srv[0],
       "backup unused while an active server is up");
    srv[0].flags |= SRV_F_DISABLED;
    ok(lb_rr_pick(&be, NULL) == &srv[1] && lb_rr_pick(&be, NULL) == &srv[1],
       "first backup takes over");
    ok(lb_rr_pick(&be, &srv[1]) == &srv[2], "retry avoids the failed backup");

    /* avoid: a retry goes to another server, or the same one when it is alone */
    setup((int[]){1, 1}, NULL, 2);
    ok(lb_rr_pick(&be, &srv[0]) == &srv[1], "avoid skips the failed server");
    setup((int[]){1}, NULL, 1);
    ok(lb_rr_pick(&be, &srv[0]) == &srv[0], "a lone server is retried");

    /* nothing usable */
    setup((int[]){1}, (unsigned[]){SRV_F_DISABLED}, 1);
    ok(lb_rr_pick(&be, NULL) == NULL, "no usable server gives NULL");
    return done_testing();
}
