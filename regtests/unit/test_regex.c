/* rx_match() (core/regex.c): three answers, so that an undecided match (the backtracking
 * limit) is never read as "no match" by a deny rule. */
#include <stdlib.h>
#include <string.h>

#include "regex.h"
#include "tap.h"

int main(void)
{
    struct regex rx;
    struct rx_span m[RX_GROUPS];
    char *err = NULL;
    char subj[64];

    ok(rx_compile(&rx, "^(a+)+$", 0, &err) == 0, "compiles");
    is_int(rx_match(&rx, "aaaa", 4, 0, m, RX_GROUPS), 1, "match");
    is_int(m[0].so, 0, "whole match starts at 0");
    is_int(m[0].eo, 4, "whole match ends at 4");
    is_int(rx_match(&rx, "bbbb", 4, 0, NULL, 0), 0, "no match");
    memset(subj, 'a', sizeof(subj));
    subj[sizeof(subj) - 1] = 'b';
    is_int(rx_match(&rx, subj, sizeof(subj), 0, NULL, 0), -1,
           "exponential backtracking: undecided (-1), not 'no match'");
    is_int(rx_match(&rx, "aab", 3, 0, NULL, 0), 0, "the same pattern on a short subject decides");
    rx_free(&rx);
    free(err);
    return done_testing();
}
