/* Types of the TLS layer. Only ssl/ sees them: the rest of sluice holds `void *` handles. */
#ifndef SLUICE_SSL_TLS_T_H
#define SLUICE_SSL_TLS_T_H

#include <stdint.h>
#include <time.h>

#include <openssl/ssl.h>

#include "cfg-t.h"

/* A certificate loaded from a PEM file (leaf, chain, key, optional .ocsp/.issuer). Loaded
 * once per path and shared by every bind line naming it. */
struct tls_cert {
    char *path;                 /* the PEM file */
    struct cfg_where where;     /* first line that named it */
    X509 *leaf;                 /* the certificate */
    STACK_OF(X509) *chain;      /* intermediates, in file order */
    EVP_PKEY *key;              /* its private key */
    int key_type;               /* EVP_PKEY_EC or EVP_PKEY_RSA */
    int key_bits;               /* key size */
    char **names;               /* DNS names (subjectAltName, else CN), lower case */
    int nnames;
    time_t not_after;           /* expiry */
    char *subject;              /* one-line subject, for the CLI */
    uint8_t *ocsp;              /* DER OCSP response to staple, or NULL */
    size_t ocsp_len;
    int ocsp_gen;               /* bumped when the CLI replaces it */
    struct tls_cert *next;      /* every loaded certificate */
};

/* A certificate as one bind line uses it: its own context, and crt-list filters. */
struct tls_bcert {
    struct tls_cert *cert;      /* the certificate */
    SSL_CTX *ctx;               /* context with this certificate and the line's settings */
    char **filters;             /* crt-list SNI filters ("*.example.com", "!bad.example.com") */
    int nfilters;               /* 0: the certificate's own names */
    struct tls_bind *opts;      /* crt-list per-line options ("[alpn ... verify ...]"), or NULL */
    struct tls_bind *eff;       /* settings in force: the bind line's, or merged with opts */
};

/* TLS settings of a bind line (or of the ssl-default-bind-* keywords). */
struct tls_bind {
    int ssl;                    /* "ssl" was given */
    int min_ver, max_ver;       /* TLS1_2_VERSION ... TLS1_3_VERSION; 0: default */
    char *ciphers;              /* TLS 1.2 cipher string, NULL: forward-secret AEAD only */
    char *ciphersuites;         /* TLS 1.3 suites accepted, NULL: all */
    char *curves;               /* groups, NULL: X25519MLKEM768:X25519:P-256 */
    uint8_t *alpn;              /* wire-format ALPN list offered, NULL: none */
    size_t alpn_len;
    int strict_sni;             /* refuse a handshake whose SNI matches no certificate */
    int no_tickets;             /* no session tickets */
    int prefer_client;          /* prefer-client-ciphers: the client's order of suites wins */
    int verify;                 /* SSL_VERIFY_NONE / PEER / PEER|FAIL_IF_NO_PEER_CERT */
    int verify_set;             /* "verify" was given */
    char *ca_file;              /* client certificate CAs */
    char *crl_file;             /* client certificate revocations */
    struct tls_bcert *certs;    /* certificates of the line, the first is the default */
    int ncerts;
    int line_opts;              /* some crt-list line has its own options */
    char *crt_base;             /* directory relative crt paths start from, or NULL */
    struct cfg_where where;     /* the bind line */
};

/* TLS settings of a server line. */
struct tls_srv {
    int ssl;                    /* "ssl" was given */
    int verify;                 /* SSL_VERIFY_PEER or SSL_VERIFY_NONE */
    int verify_set;
    char *ca_file;              /* CAs to verify the server with */
    char *sni;                  /* SNI expression text, NULL: none */
    void *sni_expr;             /* compiled sample expression */
    uint8_t *alpn;              /* ALPN offered */
    size_t alpn_len;
    char *crt;                  /* client certificate presented to the server */
    int min_ver, max_ver;
    char *ciphers;
    char *curves;               /* groups offered (ssl-default-server-curves), NULL: default */
    SSL_CTX *ctx;               /* built after parsing */
    SSL_SESSION *sess;          /* last session, for resumption (per worker) */
    char sess_sni[256];         /* the SNI that session was made for ("" for none) */
};

/* Per-connection TLS state (the conn's xprt_ctx). */
struct tls_conn {
    SSL *ssl;                   /* the session */
    struct tls_bind *bind;      /* listening side: the bind line; NULL toward servers */
    const struct tls_bind *eff; /* listening side: settings of the selected certificate */
    struct tls_srv *srv;        /* server side settings, NULL on the listening side */
    int handshake_done;         /* 1 once the handshake completed */
    unsigned want;              /* CONN_EV_* the library waits for to make progress */
    int fd;                     /* the socket the read-ahead BIO reads */
    struct buf *ra;             /* bytes read from the socket ahead of the library's asks */
    int rd_eof;                 /* the socket read returned 0 (the peer closed TCP) */
    int rd_errno;               /* errno of the last failed socket read (not EAGAIN), or 0 */
    int trunc;                  /* toward a server: TCP closed without close_notify, reported
                                 * once as "again" (bytes before it are handled first), then
                                 * as an error */
};

#endif
