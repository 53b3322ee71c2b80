/* Unit tests: the configuration tokenizer and environment expansion. */
#include <stdlib.h>
#include <string.h>

#include "cfg.h"
#include "tap.h"

/* Tokenizes line and checks the words against want (NULL-terminated); n < 0 expects an
 * error whose message contains want[0]. */
static void check(const char *line, int n, const char *const *want)
{
    struct cfg_words w = {0};
    char *err = NULL;
    int got = cfg_tokenize(line, &w, &err);

    if (n < 0) {
        ok(got < 0 && err && strstr(err, want[0]), "error for [%s]: %s", line, err ? err : "none");
    } else {
        int same = got == n;

        for (int i = 0; same && i < n; i++)
            same = !strcmp(w.args[i], want[i]);
        same = same && w.args[n] == NULL;
        ok(same, "[%s] -> %d words", line, n);
        if (!same)
            for (int i = 0; i < got; i++)
                printf("#   word %d: '%s'\n", i, w.args[i]);
    }
    free(err);
    cfg_words_free(&w);
}

#define W(...) ((const char *const[]){__VA_ARGS__, NULL})

int main(void)
{
    setenv("SLUICE_T_ADDR", "127.0.0.1", 1);
    setenv("SLUICE_T_EMPTY", "", 1);
    setenv("SLUICE_T_LIST", "a b  c", 1);
    setenv("SLUICE_T_SPACED", "  a  b ", 1);
    unsetenv("SLUICE_T_UNSET");

    check("", 0, W(NULL));
    check("   \t  ", 0, W(NULL));
    check("# only a comment", 0, W(NULL));
    check("bind :80", 2, W("bind", ":80"));
    check("  bind\t:80   # trailing comment", 2, W("bind", ":80"));
    check("a#b", 1, W("a"));
    check("\"a b\" c", 2, W("a b", "c"));
    check("x\"a b\"y", 1, W("xa by"));
    check("'a $HOME \\n' b", 2, W("a $HOME \\n", "b"));
    check("\"\" x", 2, W("", "x"));
    check("''", 1, W(""));
    check("a\\ b", 1, W("a b"));
    check("a\\#b", 1, W("a#b"));
    check("\\x41\\x62", 1, W("Ab"));
    check("\"tab\\there\"", 1, W("tab\there"));
    check("path_reg ^/a\\.b", 2, W("path_reg", "^/a\\.b"));
    check("\"# not a comment\"", 1, W("# not a comment"));
    check("line\r\n", 1, W("line"));
    check("\"a'b\" 'c\"d'", 2, W("a'b", "c\"d"));

    /* environment: expanded inside double quotes only, as in HAProxy */
    check("server s \"${SLUICE_T_ADDR}:80\"", 3, W("server", "s", "127.0.0.1:80"));
    check("\"${SLUICE_T_ADDR}\"", 1, W("127.0.0.1"));
    check("\"$SLUICE_T_ADDR:80\"", 1, W("127.0.0.1:80"));
    check("\"<$SLUICE_T_ADDR>\"", 1, W("<127.0.0.1>"));
    check("'${SLUICE_T_ADDR}'", 1, W("${SLUICE_T_ADDR}"));
    check("\"\\${SLUICE_T_ADDR}\"", 1, W("${SLUICE_T_ADDR}"));
    check("\"${SLUICE_T_UNSET-10.0.0.1}:8080\"", 1, W("10.0.0.1:8080"));
    check("\"${SLUICE_T_EMPTY-default}\"", 1, W(""));
    check("a \"${SLUICE_T_UNSET}\" b", 3, W("a", "", "b"));
    check("x \"${SLUICE_T_LIST[*]}\" y", 5, W("x", "a", "b", "c", "y"));
    check("\"<${SLUICE_T_LIST[*]}>\"", 3, W("<a", "b", "c>"));
    /* an empty or unset list gives no word at all, blanks no empty word */
    check("x \"${SLUICE_T_UNSET[*]}\" y", 2, W("x", "y"));
    check("x \"${SLUICE_T_EMPTY[*]}\"", 1, W("x"));
    check("x \"${SLUICE_T_SPACED[*]}\" y", 4, W("x", "a", "b", "y"));
    check("\"<${SLUICE_T_UNSET[*]}>\"", 1, W("<>"));
    check("\"${SLUICE_T_LIST}\"", 1, W("a b  c"));
    /* unquoted, nothing is expanded: a regex's '$', "$5", even "${NAME}" stay as written */
    check("server s ${SLUICE_T_ADDR}:80", 3, W("server", "s", "${SLUICE_T_ADDR}:80"));
    check("$SLUICE_T_ADDR x${SLUICE_T_LIST[*]}", 2, W("$SLUICE_T_ADDR", "x${SLUICE_T_LIST[*]}"));
    check("path_reg ^/a$|^/b$", 2, W("path_reg", "^/a$|^/b$"));
    check("cost $5", 2, W("cost", "$5"));
    check("a $ b", 3, W("a", "$", "b"));
    /* "\$" is an escape inside double quotes only: elsewhere the backslash stays, as in
     * HAProxy (an unquoted regex "^/a\$" keeps it) */
    check("\\$SLUICE_T_ADDR ^/a\\$", 2, W("\\$SLUICE_T_ADDR", "^/a\\$"));
    check("'\\$x' \"\\$x\"", 2, W("\\$x", "$x"));
    /* "[*]" comes before "-default", which it splits too; after '-' it is text */
    check("\"${SLUICE_T_LIST[*]-x}\"", 3, W("a", "b", "c"));
    check("\"${SLUICE_T_UNSET[*]-d e}\"", 2, W("d", "e"));
    check("\"${SLUICE_T_UNSET-x[*]}\"", 1, W("x[*]"));
    check("\"${SLUICE_T_ADDR-x[*]}\"", 1, W("127.0.0.1"));
    /* HAProxy's pseudo-variables: empty outside a configuration file */
    check("\"<${.LINE}${.FILE}$.SECTION>\"", 1, W("<>"));

    /* errors */
    check("\"unterminated", -1, W("missing closing double quote"));
    check("'unterminated", -1, W("missing closing single quote"));
    check("\"${SLUICE_T_ADDR\"", -1, W("missing '}'"));
    check("\"${1BAD}\"", -1, W("invalid environment variable name"));
    check("\"cost $5\"", -1, W("forbidden first char in environment variable name"));
    check("\"^/a$\"", -1, W("forbidden first char in environment variable name"));
    check("\"${SLUICE_T_LIST[x]}\"", -1, W("invalid word expansion after environment variable "
                                            "'SLUICE_T_LIST' (expected '[*]')"));
    check("\"${SLUICE_T_LIST[*]\"", -1, W("missing '}'"));
    check("\"${.FOO}\"", -1, W("unknown pseudo-variable '.FOO'"));
    check("\"$.x\"", -1, W("unknown pseudo-variable '.x'"));
    check("\\xZZ", -1, W("invalid '\\x' escape"));
    {
        char line[400] = "";

        for (int i = 0; i < 70; i++)
            strcat(line, "w ");
        check(line, -1, W("too many words"));
    }
    return done_testing();
}
