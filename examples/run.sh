#!/usr/bin/env bash
# `make run`: starts three tiny demo origins (socat answering HTTP on 127.0.0.1:8081-8083)
# unless ORIGIN1/ORIGIN2 point elsewhere, creates self-signed certificates on first run, then
# runs sluice in the foreground on examples/https.cfg (or on $SLUICE_EXAMPLE) with the
# master CLI on /tmp/sluice-master.sock. Ctrl-C stops everything.
set -u
cd "$(dirname "$0")/.."
cfg=${SLUICE_EXAMPLE:-examples/https.cfg}
pids=()
cleanup() { [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; }
trap cleanup EXIT

origin() { # origin PORT NAME
    socat TCP-LISTEN:"$1",bind=127.0.0.1,reuseaddr,fork EXEC:"examples/demo-origin.sh $2" &
    pids+=($!)
}
if [ -z "${ORIGIN1:-}${ORIGIN2:-}" ]; then
    origin 8081 origin1
    origin 8082 origin2
    origin 8083 api
fi
[ -n "${SLUICE_CERT_DIR:-}" ] || ./examples/make-certs.sh || exit 1
cat <<MSG
sluice on $cfg: try
    curl --cacert examples/certs/ca.crt https://localhost:8443/     (twice: round-robin)
    curl -i http://127.0.0.1:8080/                                  (301 to https://127.0.0.1:8443/)
    echo 'show proc' | socat - UNIX-CONNECT:/tmp/sluice-master.sock
MSG
./sluice -W -S /tmp/sluice-master.sock -f "$cfg"
