/* The string builder (core/str.c): fixed storage never written past its end (the ASan build
 * checks), overflow sticky and reported, growable storage grows. */
#include <stdlib.h>
#include <string.h>

#include "str.h"
#include "tap.h"

int main(void)
{
    char buf[8];
    struct strbuf sb;
    char big[9000];

    strbuf_init_fixed(&sb, buf, sizeof(buf));
    is_int(sb.len, 0, "fixed: starts empty");
    is_str(buf, "", "fixed: NUL-terminated when empty");
    is_int(strbuf_printf(&sb, "%s", "abc"), 0, "fixed: append that fits");
    is_int(strbuf_puts(&sb, "defg"), 0, "fixed: exactly full (7 bytes + NUL)");
    is_str(buf, "abcdefg", "fixed: content");
    ok(strbuf_ok(&sb), "fixed: not overflowed when exactly full");
    is_int(strbuf_putc(&sb, 'h'), -1, "fixed: one more byte overflows");
    ok(!strbuf_ok(&sb), "fixed: overflow reported");
    is_int(strbuf_puts(&sb, ""), -1, "fixed: overflow is sticky, even for nothing");
    is_str(buf, "abcdefg", "fixed: content kept and terminated");

    /* the pattern this replaces: a format longer than the room, then more appends */
    strbuf_init_fixed(&sb, buf, sizeof(buf));
    is_int(strbuf_printf(&sb, "location: %s", "x"), -1, "fixed: long format overflows");
    is_int(sb.len, 7, "fixed: the prefix that fits is kept");
    is_int(strbuf_printf(&sb, "%s", "more"), -1, "fixed: further appends refused");
    is_int(sb.len, 7, "fixed: length unchanged");

    strbuf_init_fixed(&sb, buf, sizeof(buf));
    is_int(strbuf_add(&sb, "0123456789", 10), -1, "fixed: raw bytes overflow");
    is_str(buf, "0123456", "fixed: raw bytes truncated to the room");
    strbuf_reset(&sb);
    ok(strbuf_ok(&sb) && sb.len == 0 && !buf[0], "fixed: reset clears text and overflow");
    is_int(strbuf_room(&sb), 7, "fixed: room");

    strbuf_init_fixed(&sb, buf, 1);
    is_int(strbuf_putc(&sb, 'a'), -1, "fixed: one-byte storage holds only the NUL");
    is_str(buf, "", "fixed: still terminated");

    /* growable */
    memset(big, 'z', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    {
        struct strbuf g = {0};

        is_int(strbuf_puts(&g, big), 0, "growable: 9 kB appended");
        is_int(strbuf_printf(&g, "%d", 42), 0, "growable: printf after");
        is_int(g.len, sizeof(big) - 1 + 2, "growable: length");
        ok(strbuf_ok(&g), "growable: ok");
        ok(g.buf && !strcmp(g.buf + sizeof(big) - 1, "42"), "growable: content");
        strbuf_free(&g);
        ok(!g.buf && !g.len, "growable: freed");
    }
    return done_testing();
}
