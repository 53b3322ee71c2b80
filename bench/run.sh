#!/usr/bin/env bash
# make bench: sluice against HAProxy (and nginx) on the shared benchmark harness: the same
# workloads, the same configuration (bench/http.cfg.tmpl for sluice and HAProxy), the same CPU
# pinning (proxy alone on CPU 1, load generator and origin on CPU 0), in the same run.
#
# Workloads (WORKLOADS, default all):
#   http     HTTP/1.1 keep-alive, 64-byte responses, 50 connections          req/s per core
#   https    the same over TLS 1.3 (ECDSA)                                   req/s per core
#   full     new full handshakes, one request per connection: TLS 1.3 and 1.2, ECDSA P-256
#            and RSA-2048                                                    conn/s per core
#   resume   resumed handshakes (tickets), TLS 1.3 and 1.2, ECDSA            conn/s per core
#   bulk     1 MiB responses over TLS 1.3 and over TLS 1.2, 10 connections   MB/s per core
#            (and absolute MB/s: see README "Performance" for why both are shown)
# Prints each figure per proxy and the sluice/HAProxy ratio.
#
# Knobs: RUNS (3), DURATION (10 s), PROXIES ("sluice haproxy nginx"), WORKLOADS,
#        SLUICE_BENCH_DIR (default ../shared/bench next to the repository),
#        SLUICE_BIN (the sluice binary, default ./sluice; bench/ab.sh sets it),
#        ANCHORS (where results go, default build/bench).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${SLUICE_BENCH_DIR:=$ROOT/../shared/bench}"
[ -f "$SLUICE_BENCH_DIR/lib.sh" ] || {
    echo "bench: the shared harness is not at $SLUICE_BENCH_DIR (set SLUICE_BENCH_DIR)" >&2
    exit 1
}
BENCH="$(cd "$SLUICE_BENCH_DIR" && pwd)"
export RUNS="${RUNS:-3}" DURATION="${DURATION:-10}"
export ANCHORS="${ANCHORS:-$ROOT/build/bench}"
OUT="$ANCHORS/results-$(date +%Y%m%d-%H%M%S)"
PROXIES="${PROXIES:-sluice haproxy nginx}"
WORKLOADS="${WORKLOADS:-http https full resume bulk}"
. "$BENCH/env.sh"
# The harness's TLS client, built against the same pinned BoringSSL as sluice (the harness
# would otherwise link Debian's android-libboringssl, no longer installed).
if [ -z "${TLSLOAD_BIN:-}" ] && [ -f "$ROOT/build/boringssl/libssl.a" ]; then
    TLSLOAD_BIN="$ROOT/build/bench/tlsload"
    mkdir -p "$ROOT/build/bench"
    if [ ! -x "$TLSLOAD_BIN" ] || [ "$TLSLOAD_BIN" -ot "$ROOT/build/boringssl/libssl.a" ]; then
        cc -O2 -o "$TLSLOAD_BIN" "$BENCH/tlsload/tlsload.c" \
            -isystem "$ROOT/build/boringssl/src/include" \
            "$ROOT/build/boringssl/libssl.a" "$ROOT/build/boringssl/libcrypto.a" -lstdc++ -lpthread \
            || { echo "bench: cannot build tlsload against build/boringssl" >&2; exit 1; }
    fi
    export TLSLOAD_BIN
fi
mkdir -p "$OUT" "$RUN_DIR"
LOG="$OUT/bench.log"

ctl() { # ctl PROXY VERB
    local name=$1 verb=$2 bin extra
    case "$name" in
        nginx) "$BENCH/proxies/nginx/ctl.sh" "$verb"; return;;
        sluice) bin="${SLUICE_BIN:-$ROOT/sluice}"; extra="nbproc 1";;
        haproxy) bin=haproxy; extra="nbthread 1";;
    esac
    HA_NAME=$name HA_BIN=$bin HA_TMPL="$ROOT/bench/http.cfg.tmpl" HA_GLOBAL_EXTRA="$extra" \
        HA_REUSE="${HA_REUSE:-safe}" "$BENCH/proxies/haproxy/ctl.sh" "$verb"
}
export -f ctl
export ROOT BENCH

"$BENCH/certs.sh" >>"$LOG" 2>&1
"$BENCH/origin/start.sh" >>"$LOG" 2>&1
trap '"$BENCH/origin/stop.sh" >/dev/null 2>&1 || true' EXIT

run_wl() { # run_wl PROXY NAME SCRIPT ARGS...
    local p=$1 name=$2 script=$3
    shift 3
    echo "  $p: $name" >&2
    "$BENCH/$script" "$@" -r "$RUNS" -d "$DURATION" -l "$p" -o "$OUT" --workload "$name" \
        --pids "ctl $p pids" >>"$LOG" 2>&1 || echo "  ($p $name failed: see $LOG)" >&2
}

for p in $PROXIES; do
    ctl "$p" start >>"$LOG" 2>&1
    for wl in $WORKLOADS; do
        case "$wl" in
        http) run_wl "$p" http_ka wl_http_ka.sh -p "$P_HTTP" -c 50;;
        https) run_wl "$p" https_ka wl_http_ka.sh -p "$P_TLS13_EC" --tls -c 50;;
        full)
            run_wl "$p" full13_ec wl_tls_conn.sh -p "$P_TLS13_EC" -m full --tls-ver 1.3 -c 50
            run_wl "$p" full12_ec wl_tls_conn.sh -p "$P_TLS12_EC" -m full --tls-ver 1.2 -c 50
            run_wl "$p" full13_rsa wl_tls_conn.sh -p "$P_TLS13_RSA" -m full --tls-ver 1.3 -c 50
            run_wl "$p" full12_rsa wl_tls_conn.sh -p "$P_TLS12_RSA" -m full --tls-ver 1.2 -c 50;;
        resume)
            run_wl "$p" res13_ec wl_tls_conn.sh -p "$P_TLS13_EC" -m resume --tls-ver 1.3 -c 50
            run_wl "$p" res12_ec wl_tls_conn.sh -p "$P_TLS12_EC" -m resume --tls-ver 1.2 -c 50;;
        bulk)
            run_wl "$p" bulk_1m wl_http_ka.sh -p "$P_TLS13_EC" --tls --path "$PATH_BIG" -c 10
            run_wl "$p" bulk12_1m wl_http_ka.sh -p "$P_TLS12_EC" --tls --path "$PATH_BIG" -c 10;;
        esac
    done
    ctl "$p" stop >>"$LOG" 2>&1 || true
done

med() { "$BENCH/stat.sh" "$OUT/results.tsv" "$1" "$2" "$3" "${4:-%.0f}" | cut -d' ' -f1; }
# MB/s per proxy core for the bulk workload: MBps / (proxy CPU share)
mbps_core() { # mbps_core PROXY WORKLOAD
    awk -F'\t' -v lab="$1" -v wl="$2" '$1==lab && $2==wl { n=split($4,kv," "); m=0; c=0
        for (i=1;i<=n;i++) { split(kv[i],p,"="); if (p[1]=="MBps") m=p[2]; if (p[1]=="proxy_cpu_pct") c=p[2] }
        if (c>0) v[++k]=m/(c/100) }
        END { if (!k) { print "-"; exit } for(i=1;i<=k;i++) for(j=i+1;j<=k;j++) if (v[j]<v[i]) { t=v[i];v[i]=v[j];v[j]=t }
              printf "%.0f\n", (k%2)? v[(k+1)/2] : (v[k/2]+v[k/2+1])/2 }' "$OUT/results.tsv"
}
row() { # row WORKLOAD KEY TITLE
    local line s h
    line=$(printf '%-34s' "$3")
    for p in $PROXIES; do
        if [ "$2" = MBps_core ]; then v=$(mbps_core "$p" "$1"); else v=$(med "$p" "$1" "$2"); fi
        line="$line$(printf ' %10s' "$v")"
        [ "$p" = sluice ] && s=$v
        [ "$p" = haproxy ] && h=$v
    done
    ratio=$(awk -v s="${s:--}" -v h="${h:--}" 'BEGIN { if (h+0 > 0 && s+0 > 0) printf "%.2fx", s/h; else print "-" }')
    echo "$line $(printf '%9s' "$ratio")"
}
echo
printf '%-34s' "per proxy core, median of $RUNS"
for p in $PROXIES; do printf ' %10s' "$p"; done
printf ' %9s\n' "vs HAProxy"
for wl in $WORKLOADS; do
    case "$wl" in
    http) row http_ka rps_per_proxy_core "HTTP keep-alive req/s";;
    https) row https_ka rps_per_proxy_core "HTTPS keep-alive req/s";;
    full)
        row full13_ec conn_per_proxy_core "full TLS1.3 ECDSA handshakes/s"
        row full12_ec conn_per_proxy_core "full TLS1.2 ECDSA handshakes/s"
        row full13_rsa conn_per_proxy_core "full TLS1.3 RSA handshakes/s"
        row full12_rsa conn_per_proxy_core "full TLS1.2 RSA handshakes/s";;
    resume)
        row res13_ec conn_per_proxy_core "resumed TLS1.3 handshakes/s"
        row res12_ec conn_per_proxy_core "resumed TLS1.2 handshakes/s";;
    bulk)
        row bulk_1m MBps_core "1 MiB over TLS1.3, MB/s"
        row bulk12_1m MBps_core "1 MiB over TLS1.2, MB/s"
        row bulk_1m MBps "  (absolute MB/s, TLS1.3)"
        row bulk12_1m MBps "  (absolute MB/s, TLS1.2)";;
    esac
done
echo "raw results: $OUT/results.tsv (log: $LOG)"
