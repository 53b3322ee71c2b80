#!/bin/sh
# Creates a small private CA and two server certificates signed by it (ECDSA P-256 and
# RSA-2048, for localhost, 127.0.0.1 and www.example.com) in DIR (default examples/certs),
# unless they are already there. The PEM files hold certificate, CA, then key, as sluice and
# HAProxy load them.
set -eu
dir=${1:-$(dirname "$0")/certs}
[ -s "$dir/ecdsa.pem" ] && [ -s "$dir/rsa.pem" ] && exit 0
mkdir -p "$dir"
cd "$dir"
san="subjectAltName=DNS:localhost,DNS:www.example.com,DNS:*.example.com,IP:127.0.0.1"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=sluice example CA" -keyout ca.key -out ca.crt 2>/dev/null
for kind in ecdsa rsa; do
    if [ "$kind" = ecdsa ]; then
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
            -keyout "$kind.key" -out "$kind.csr" 2>/dev/null
    else
        openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" \
            -keyout "$kind.key" -out "$kind.csr" 2>/dev/null
    fi
    printf '%s\n' "$san" > "$kind.ext"
    openssl x509 -req -in "$kind.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 \
        -sha256 -extfile "$kind.ext" -out "$kind.crt" 2>/dev/null
    cat "$kind.crt" ca.crt "$kind.key" > "$kind.pem"
    rm -f "$kind.csr" "$kind.ext"
done
echo "certificates created in $dir (CA: $dir/ca.crt)"
