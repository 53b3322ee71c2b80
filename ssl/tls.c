/* TLS with BoringSSL: library identification and the bind/server options of the TLS layer.
 * Termination itself is not built yet: "ssl" on a bind or server line is refused by name,
 * after the certificate files it names have been checked, so that configurations fail at
 * load time with the real reason. */
#include "tls.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <openssl/base.h>
#include <openssl/crypto.h>

#include "cfg.h"
#include "listener.h"
#include "server.h"
#include "str.h"

const char *tls_lib_version(void)
{
    static char v[64];

    snprintf(v, sizeof(v), "BoringSSL (API %d)", BORINGSSL_API_VERSION);
    return v;
}

/* Until termination exists, "ssl" marks the listener and the check below refuses it, after
 * every option of the line had its say: a certificate path that cannot be read reports
 * itself as such first. */
static const char tls_pending[] = "ssl";

static int bo_ssl(char **args, struct listener *l, char **err)
{
    l->tls = (void *)tls_pending;
    return 0;
}

static int bo_crt(char **args, struct listener *l, char **err)
{
    if (access(args[1], R_OK) < 0)
        return str_printf(err, "%s: cannot read certificate '%s': %s", args[0], args[1],
                          strerror(errno));
    l->tls = (void *)tls_pending;
    return 0;
}

static int check_tls_listeners(void)
{
    int errs = 0;

    for (struct listener *l = listeners; l; l = l->gnext)
        if (l->tls == tls_pending && !l->failed) {
            cfg_alert_at(&l->where, "bind", "TLS termination ('ssl') is not supported by "
                         "sluice yet");
            errs++;
        }
    return errs;
}

static struct bind_kw tls_bind_kws[] = {
    {"ssl", 0, bo_ssl},
    {"crt", 1, bo_crt},
    {"crt-list", 1, bo_crt},
    {"ca-file", 1, bo_crt},
    {NULL, 0, NULL},
};

static int so_ssl(char **args, struct server *srv, char **err)
{
    return str_printf(err, "TLS toward servers ('ssl') is not supported by sluice yet");
}

static struct srv_kw tls_srv_kws[] = {
    {"ssl", 0, so_ssl},
    {NULL, 0, NULL},
};

static void tls_register(void)
{
    lsn_register_bind_kws(tls_bind_kws);
    srv_register_kws(tls_srv_kws);
    cfg_register_check(30, check_tls_listeners);
}
INITCALL(tls_register)
