#!/usr/bin/env bash
# bench/ab.sh REV [PAIRS]: an A/B of `make bench` for sluice alone, the binary built from
# git revision REV (A) against this tree's ./sluice (B), on the same machine, in turn:
# A B A B ... PAIRS times (default 3), each a bench/run.sh run with RUNS=1. Single runs
# here move by 10-25%, so only alternating runs and their medians are compared. Prints,
# per row, the median of A, the median of B and B/A.
# Knobs: DURATION (5 s), WORKLOADS (all), as bench/run.sh.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REV=${1:?usage: bench/ab.sh REV [PAIRS]}
PAIRS=${2:-3}
cd "$ROOT"
sha=$(git rev-parse --short "$REV")
WT="$ROOT/build/ab/src-$sha"
if [ ! -x "$WT/sluice" ]; then
    rm -rf "$WT"
    mkdir -p "$ROOT/build/ab"
    git worktree add --detach "$WT" "$sha" >/dev/null
    make -C "$WT" -j2 sluice >/dev/null
fi
make -j2 sluice >/dev/null
OUT="$ROOT/build/ab/$(date +%Y%m%d-%H%M%S)-$sha"
mkdir -p "$OUT/A" "$OUT/B"
export DURATION="${DURATION:-5}" RUNS=1 PROXIES=sluice
for i in $(seq "$PAIRS"); do
    echo "pair $i/$PAIRS: A ($sha)" >&2
    SLUICE_BIN="$WT/sluice" ANCHORS="$OUT/A" ./bench/run.sh >/dev/null
    echo "pair $i/$PAIRS: B (this tree)" >&2
    SLUICE_BIN="$ROOT/sluice" ANCHORS="$OUT/B" ./bench/run.sh >/dev/null
done
cat "$OUT"/A/results-*/results.tsv >"$OUT/A.tsv"
cat "$OUT"/B/results-*/results.tsv >"$OUT/B.tsv"

med() { # med TSV WORKLOAD KEY: median over runs; KEY MBps_core is MBps per proxy core
    awk -F'\t' -v wl="$2" -v key="$3" '$2==wl { n=split($4,kv," "); m=""; c=0; v=""
        for (i=1;i<=n;i++) { split(kv[i],p,"="); if (p[1]==key) v=p[2]; if (p[1]=="MBps") m=p[2]; if (p[1]=="proxy_cpu_pct") c=p[2] }
        if (key=="MBps_core" && c>0) v=m/(c/100)
        if (v!="") a[++k]=v+0 }
        END { if (!k) { print "-"; exit } for(i=1;i<=k;i++) for(j=i+1;j<=k;j++) if (a[j]<a[i]) { t=a[i];a[i]=a[j];a[j]=t }
              printf "%.0f\n", (k%2)? a[(k+1)/2] : (a[k/2]+a[k/2+1])/2 }' "$1"
}
printf '%-34s %10s %10s %7s\n' "per proxy core, median of $PAIRS" "A $sha" "B tree" "B/A"
while IFS='|' read -r wl key title; do
    a=$(med "$OUT/A.tsv" "$wl" "$key"); b=$(med "$OUT/B.tsv" "$wl" "$key")
    [ "$a" = - ] && [ "$b" = - ] && continue # a workload not run
    r=$(awk -v a="$a" -v b="$b" 'BEGIN { if (a+0 > 0 && b+0 > 0) printf "%.3f", b/a; else print "-" }')
    printf '%-34s %10s %10s %7s\n' "$title" "$a" "$b" "$r"
done <<'ROWS'
http_ka|rps_per_proxy_core|HTTP keep-alive req/s
https_ka|rps_per_proxy_core|HTTPS keep-alive req/s
full13_ec|conn_per_proxy_core|full TLS1.3 ECDSA handshakes/s
full12_ec|conn_per_proxy_core|full TLS1.2 ECDSA handshakes/s
full13_rsa|conn_per_proxy_core|full TLS1.3 RSA handshakes/s
full12_rsa|conn_per_proxy_core|full TLS1.2 RSA handshakes/s
res13_ec|conn_per_proxy_core|resumed TLS1.3 handshakes/s
res12_ec|conn_per_proxy_core|resumed TLS1.2 handshakes/s
bulk_1m|MBps_core|1 MiB over TLS1.3, MB/s per core
bulk12_1m|MBps_core|1 MiB over TLS1.2, MB/s per core
bulk_1m|MBps|1 MiB over TLS1.3, MB/s absolute
bulk12_1m|MBps|1 MiB over TLS1.2, MB/s absolute
ROWS
echo "raw results: $OUT"
