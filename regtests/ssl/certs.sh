# Certificate helpers for the TLS regtests, sourced by their shell blocks:
#     cd ${tmpdir} && . ${testdir}/certs.sh
# Everything is made with the openssl command line into the current directory (the test's
# tmpdir), and a test makes only what it uses. Not a test itself (run.sh only runs *.vtc).
#
#   mkca NAME CN [ec|rsa]                 self-signed root CA: NAME.crt NAME.key
#   mkint NAME PARENT CN [DIGEST]         intermediate CA signed by PARENT (DIGEST: sha256)
#   mkleaf NAME ISSUER ec|rsa|rsa1024|ec224 CN "SAN,SAN" [OPTIONS]
#                                         leaf: NAME.crt NAME.key, and NAME.pem holding the
#                                         certificate, the issuer's chain (intermediates,
#                                         never the root) and the key.
#       OPTIONS: -md sha1 | -days N | -startdate YYYYMMDDHHMMSSZ -enddate YYYYMMDDHHMMSSZ
#                (both required, in that order; see utc below) |
#                -client (clientAuth usage instead of serverAuth)
#   utc DATE                              "date -d DATE" in the form -startdate wants
#   revoke CA NAME                        revokes NAME (issued by CA) and writes CA.crl
#   served PORT [s_client options]        prints "CN=<subject CN> <key type>" of the
#                                         certificate the server at 127.0.0.1:PORT sends
#   hs PORT [s_client options]            prints "<protocol> <cipher>" agreed, or "refused"
#   req PORT [s_client options]           one "GET /" through s_client, its whole report
#   get NAME PORT [curl options]          body of https://NAME:PORT/ (verified with root.crt)
#   is / has / hasnt DESCRIPTION ...      assertions: print "ok: ..." or fail
#   fail MESSAGE                          prints "FAILED: MESSAGE" and exits 1
# In the .vtc shell blocks, shell variables are written $name, never with braces:
# varnishtest would take them for its macros.

set -u
umask 077

fail() { echo "FAILED: $*"; exit 1; }

newkey() { # NAME TYPE
    case $2 in
    ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1.key" ;;
    rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1.key" ;;
    rsa1024) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 -out "$1.key" ;;
    ec224) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-224 -out "$1.key" ;;
    *) fail "unknown key type $2" ;;
    esac 2>/dev/null || fail "cannot make key $1"
}

# an "openssl ca" directory per CA: needed for -startdate/-enddate, revocation and CRLs
cadir() { # NAME
    mkdir -p "$1.ca/new"
    : >"$1.ca/index.txt"
    echo 1000 >"$1.ca/serial"
    echo 1000 >"$1.ca/crlnumber"
    cat >"$1.ca/cnf" <<EOF
[ca]
default_ca = this
[this]
dir = $PWD/$1.ca
database = $PWD/$1.ca/index.txt
new_certs_dir = $PWD/$1.ca/new
serial = $PWD/$1.ca/serial
crlnumber = $PWD/$1.ca/crlnumber
certificate = $PWD/$1.crt
private_key = $PWD/$1.key
default_md = sha256
default_days = 365
default_crl_days = 30
policy = anything
unique_subject = no
copy_extensions = none
[anything]
commonName = supplied
EOF
}

mkca() { # NAME CN [TYPE]
    newkey "$1" "${3:-ec}"
    openssl req -x509 -new -key "$1.key" -out "$1.crt" -days 3650 -subj "/CN=$2" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null || fail "mkca $1"
    cadir "$1"
    : >"$1.chain"
}

sign() { # NAME ISSUER EXTFILE [OPTIONS] : NAME.csr -> NAME.crt
    n=$1 i=$2 x=$3
    shift 3
    md=sha256 dates="-days 365"
    while [ $# -gt 0 ]; do
        case $1 in
        -md) md=$2; shift 2 ;;
        -days) dates="-days $2"; shift 2 ;;
        -startdate) dates="-startdate $2 -enddate $4"; shift 4 ;;
        *) shift ;;
        esac
    done
    # shellcheck disable=SC2086
    openssl ca -batch -notext -config "$i.ca/cnf" -in "$n.csr" -out "$n.crt" -md "$md" \
        $dates -extfile "$x" >"$n.ca.log" 2>&1 || { cat "$n.ca.log"; fail "cannot sign $n"; }
}

mkint() { # NAME PARENT CN [DIGEST]
    newkey "$1" ec
    openssl req -new -key "$1.key" -out "$1.csr" -subj "/CN=$3" 2>/dev/null || fail "mkint $1"
    printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' \
        >"$1.ext"
    sign "$1" "$2" "$1.ext" -md "${4:-sha256}" -days 1825
    cadir "$1"
    # the chain a leaf of this CA carries: this intermediate, then the parent's own chain
    cat "$1.crt" "$2.chain" >"$1.chain"
}

mkleaf() { # NAME ISSUER TYPE CN SANS [OPTIONS]
    n=$1 i=$2 t=$3 cn=$4 sans=$5
    shift 5
    usage=serverAuth aia=
    for o in "$@"; do
        [ "$o" = -client ] && usage=clientAuth
        # -aia: names its issuer's certificate (authorityInfoAccess caIssuers), as the leaves
        # of public CAs do
        [ "$o" = -aia ] && aia="caIssuers;URI:http://ca.example.com/$i.crt"
    done
    newkey "$n" "$t"
    openssl req -new -key "$n.key" -out "$n.csr" -subj "/CN=$cn" 2>/dev/null || fail "req $n"
    {
        echo "basicConstraints=CA:FALSE"
        echo "extendedKeyUsage=$usage"
        if [ -n "$sans" ]; then
            echo "subjectAltName=$(echo "$sans" | sed 's/\([^,]*\)/DNS:\1/g')"
        fi
        [ -n "$aia" ] && echo "authorityInfoAccess=$aia"
    } >"$n.ext"
    sign "$n" "$i" "$n.ext" "$@"
    cat "$n.crt" "$i.chain" "$n.key" >"$n.pem"
}

utc() { # DATE
    date -u -d "$1" +%Y%m%d%H%M%SZ
}

revoke() { # CA NAME
    openssl ca -batch -config "$1.ca/cnf" -revoke "$2.crt" >/dev/null 2>&1 || fail "revoke $2"
    openssl ca -batch -config "$1.ca/cnf" -gencrl -out "$1.crl" >/dev/null 2>&1 ||
        fail "gencrl $1"
}

# "CN=<cn> <EC|RSA>" of the certificate served at 127.0.0.1:PORT, "none" when the handshake
# fails
served() { # PORT [s_client options]
    p=$1
    shift
    out=$(openssl s_client -connect "127.0.0.1:$p" "$@" </dev/null 2>/dev/null |
        openssl x509 -noout -subject -text -nameopt RFC2253 2>/dev/null)
    [ -n "$out" ] || { echo none; return; }
    cn=$(echo "$out" | sed -n 's/^subject=.*CN=\([^,]*\).*/\1/p')
    case $out in
    *"id-ecPublicKey"*) kt=EC ;;
    *"rsaEncryption"*) kt=RSA ;;
    *) kt=other ;;
    esac
    echo "CN=$cn $kt"
}

# is DESCRIPTION ACTUAL EXPECTED: fails the block unless ACTUAL = EXPECTED
is() {
    [ "$2" = "$3" ] || fail "$1: got '$2', expected '$3'"
    echo "ok: $1 ($2)"
}

# has DESCRIPTION TEXT PATTERN: fails unless TEXT contains the fixed string PATTERN
has() {
    case $2 in
    *"$3"*) echo "ok: $1" ;;
    *) fail "$1: '$3' not found in: $2" ;;
    esac
}

# hasnt DESCRIPTION TEXT PATTERN: fails when TEXT contains the fixed string PATTERN
hasnt() {
    case $2 in
    *"$3"*) fail "$1: '$3' found in: $2" ;;
    *) echo "ok: $1" ;;
    esac
}

# get NAME PORT [curl options]: body of https://NAME:PORT/ with NAME resolving to 127.0.0.1,
# the server checked against root.crt unless the options say otherwise; "curl-error-<code>"
# when curl fails
get() {
    h=$1 p=$2
    shift 2
    curl -s --max-time 5 --cacert root.crt --resolve "$h:$p:127.0.0.1" "$@" \
        "https://$h:$p/" || echo "curl-error-$?"
}

# hs PORT [s_client options]: "<protocol> <cipher>" the handshake agreed on, or "refused"
hs() {
    p=$1
    shift
    r=$(openssl s_client -connect "127.0.0.1:$p" "$@" </dev/null 2>&1)
    c=$(echo "$r" | sed -n 's/^New, [^,]*, Cipher is \(.*\)/\1/p' | head -n 1)
    # the session's protocol; TLS 1.3 sessions come after the handshake and are not printed,
    # but TLS 1.3 suites are TLS 1.3 only
    v=$(echo "$r" | sed -n 's/^ *Protocol *: *\(.*\)/\1/p' | head -n 1)
    [ -n "$v" ] || v=$(echo "$r" | sed -n 's/^New, \([^,]*\), Cipher is .*/\1/p' | head -n 1)
    case $c in
    "" | "(NONE)") echo refused ;;
    *) echo "$v $c" ;;
    esac
}

# req PORT [s_client options]: one "GET /" with "Connection: close" through openssl s_client;
# prints s_client's report and the response ("Reused, ..." or "New, ..." tells whether the
# session was resumed; -sess_out/-sess_in save and reuse sessions; TLS 1.3 tickets come after
# the handshake, and -ign_eof keeps s_client reading them until the server closes)
req() {
    p=$1
    shift
    printf 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' |
        timeout 10 openssl s_client -connect "127.0.0.1:$p" -ign_eof "$@" 2>&1
}
