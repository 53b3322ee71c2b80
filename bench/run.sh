#!/usr/bin/env bash
# make bench: sluice against HAProxy (and nginx) on the shared benchmark harness, same
# workload, same configuration (bench/http.cfg.tmpl), same CPU pinning, in the same run.
#
# Workload (issue #3): HTTP/1.1 keep-alive proxying, 64-byte responses, 50 connections,
# wrk on CPU 0 with the origin nginx, the proxy alone on CPU 1. Prints requests per second
# per proxy core (rps / proxy CPU share) for each proxy and the sluice/HAProxy ratio.
#
# Knobs: RUNS (3), DURATION (10 s), CONNS (50), PROXIES ("sluice haproxy nginx"),
#        SLUICE_BENCH_DIR (default ../shared/bench next to the repository).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
: "${SLUICE_BENCH_DIR:=$ROOT/../shared/bench}"
[ -f "$SLUICE_BENCH_DIR/lib.sh" ] || {
    echo "bench: the shared harness is not at $SLUICE_BENCH_DIR (set SLUICE_BENCH_DIR)" >&2
    exit 1
}
BENCH="$(cd "$SLUICE_BENCH_DIR" && pwd)"
export RUNS="${RUNS:-3}" DURATION="${DURATION:-10}" CONNS="${CONNS:-50}"
export ANCHORS="${ANCHORS:-$ROOT/build/bench}"
OUT="$ANCHORS/results-$(date +%Y%m%d-%H%M%S)"
PROXIES="${PROXIES:-sluice haproxy nginx}"
. "$BENCH/env.sh"
mkdir -p "$OUT" "$RUN_DIR"

# Both HAProxy-compatible proxies go through the harness's HAProxy control script with our
# template; the TLS ports are not used here, so the script waits on the HTTP port only.
ctl() { # ctl NAME VERB
    local name=$1 verb=$2 bin extra
    case "$name" in
        sluice) bin="$ROOT/sluice"; extra="nbproc 1";;
        haproxy) bin=haproxy; extra="nbthread 1";;
    esac
    HA_NAME=$name HA_BIN=$bin HA_TMPL="$ROOT/bench/http.cfg.tmpl" HA_GLOBAL_EXTRA="$extra" \
        HA_REUSE="${HA_REUSE:-safe}" P_TLS12_RSA="$P_HTTP" "$BENCH/proxies/haproxy/ctl.sh" "$verb"
}

"$BENCH/certs.sh" >/dev/null 2>&1 || true
"$BENCH/origin/start.sh"
trap '"$BENCH/origin/stop.sh" >/dev/null 2>&1 || true' EXIT

for p in $PROXIES; do
    case "$p" in
        sluice|haproxy)
            start="$(declare -f ctl); ROOT='$ROOT' BENCH='$BENCH' ctl $p start"
            stop="$(declare -f ctl); ROOT='$ROOT' BENCH='$BENCH' ctl $p stop"
            pids="$(declare -f ctl); ROOT='$ROOT' BENCH='$BENCH' ctl $p pids";;
        nginx)
            start="'$BENCH/proxies/nginx/ctl.sh' start"
            stop="'$BENCH/proxies/nginx/ctl.sh' stop"
            pids="'$BENCH/proxies/nginx/ctl.sh' pids";;
        *) echo "bench: unknown proxy $p" >&2; exit 1;;
    esac
    "$BENCH/wl_http_ka.sh" -p "$P_HTTP" -c "$CONNS" -d "$DURATION" -r "$RUNS" -l "$p" \
        -o "$OUT" --workload http_ka_64 --start "$start" --stop "$stop" --pids "$pids" \
        >/dev/null
done

med() { "$BENCH/stat.sh" "$OUT/results.tsv" "$1" http_ka_64 "$2" | cut -d' ' -f1; }
echo
echo "HTTP/1.1 keep-alive, 64-byte responses, $CONNS connections, ${DURATION}s x $RUNS runs"
printf '%-10s %14s %12s %18s\n' proxy "req/s" "proxy CPU%" "req/s per core"
for p in $PROXIES; do
    printf '%-10s %14s %12s %18s\n' "$p" "$(med "$p" rps)" "$(med "$p" proxy_cpu_pct)" \
        "$(med "$p" rps_per_proxy_core)"
done
s=$(med sluice rps_per_proxy_core); h=$(med haproxy rps_per_proxy_core)
case "$PROXIES" in *sluice*haproxy*|*haproxy*sluice*)
    awk -v s="$s" -v h="$h" 'BEGIN { if (h > 0) printf "sluice/HAProxy per core: %.2fx\n", s / h }';;
esac
echo "raw results: $OUT/results.tsv"
