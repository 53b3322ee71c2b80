#!/usr/bin/env bash
# Runs every test: the C unit tests (plain build, then under ASan+UBSan), the fuzz targets
# for a bounded time when clang's libFuzzer is there, then every regtests/<area>/*.vtc with
# Debian's varnishtest against ./sluice. A skipped test counts as a failure.
# Ends with one line: "N passed, N failed". Exit status 0 only when nothing failed.
#   VTC="regtests/tcp/*.vtc" regtests/run.sh   runs a subset of the regtests
#   BSSL=system regtests/run.sh   the unit tests and fuzz targets of `make BSSL=system`
#                                 (./sluice is whichever make built last)
set -u
cd "$(dirname "$0")/.."
tree=""
[ "${BSSL:-pinned}" = pinned ] && tree=pinned-
pass=0
fail=0
failed=()

record() { # record NAME STATUS(0=pass)
    if [ "$2" = 0 ]; then pass=$((pass + 1)); echo "PASS  $1"
    else fail=$((fail + 1)); failed+=("$1"); echo "FAIL  $1"; fi
}

# ---- unit tests (TAP) ----
for bin in build/${tree}unit/test_* build/${tree}unit-asan/test_*; do
    [ -x "$bin" ] || continue
    out=$("$bin" 2>&1); rc=$?
    if [ $rc -ne 0 ] || grep -q '^not ok' <<<"$out" || ! grep -q '^1\.\.[0-9]' <<<"$out"; then
        echo "$out" | grep -v '^ok ' | sed 's/^/    /'
        record "$bin" 1
    else
        record "$bin ($(grep -c '^ok ' <<<"$out") checks)" 0
    fi
done

# ---- fuzz targets, each for a bounded time on a copy of its seed corpus ----
for bin in build/${tree}fuzz/fuzz_*; do
    [ -x "$bin" ] || continue
    name=${bin##*/fuzz_}
    work=$(mktemp -d)
    [ -d "regtests/fuzz/corpus_$name" ] && cp -r "regtests/fuzz/corpus_$name/." "$work/"
    if out=$(timeout $((${FUZZ_SECONDS:-20} + 60)) "$bin" -max_total_time="${FUZZ_SECONDS:-20}" \
             -rss_limit_mb=2048 -print_final_stats=1 "$work" 2>&1); then
        record "$bin (${FUZZ_SECONDS:-20}s, $(grep -o 'stat::number_of_executed_units: [0-9]*' <<<"$out" | grep -o '[0-9]*$') runs)" 0
    else
        echo "$out" | tail -n 40 | sed 's/^/    /'
        record "$bin" 1
    fi
    rm -rf "$work"
done

# ---- every example configuration must stay valid (with certificates made for the check) ----
export SLUICE_CERT_DIR
SLUICE_CERT_DIR=$(mktemp -d)
./examples/make-certs.sh "$SLUICE_CERT_DIR" >/dev/null
for cfg in examples/*.cfg; do
    if out=$(./sluice -c -f "$cfg" 2>&1); then record "sluice -c $cfg" 0
    else echo "$out" | sed 's/^/    /'; record "sluice -c $cfg" 1; fi
done

rm -rf "$SLUICE_CERT_DIR"
unset SLUICE_CERT_DIR

# ---- regtests (varnishtest) ----
if ! command -v varnishtest >/dev/null; then
    echo "varnishtest not found (run 'make deps' as root)"
    record varnishtest 1
else
    # shellcheck disable=SC2206
    vtcs=(${VTC:-regtests/*/*.vtc})
    log=$(mktemp)
    HAPROXY_PROGRAM="$PWD/sluice" HAPROXY_ARGS= \
        varnishtest -k -j "${VTC_JOBS:-3}" -t "${VTC_TIMEOUT:-60}" "${vtcs[@]}" >"$log" 2>&1
    while read -r name status; do
        if [ "$status" = passed ]; then record "$name" 0; else
            # show the failing test's log lines (varnishtest prints them before the summary)
            record "$name ($status)" 1
        fi
    done < <(sed -n 's/^#[[:space:]]*top[[:space:]]*TEST \(.*\) \(passed\|FAILED\|skipped\).*/\1 \2/p' "$log")
    if [ "$fail" -gt 0 ]; then
        echo "---- varnishtest output of failing tests ----"
        grep -v '^#[[:space:]]*top[[:space:]]*TEST .* passed' "$log" | tail -n 400
    fi
    ran=$(grep -c '^#[[:space:]]*top[[:space:]]*TEST ' "$log")
    if [ "$ran" -lt "${#vtcs[@]}" ]; then
        echo "varnishtest reported $ran of ${#vtcs[@]} tests"
        tail -n 50 "$log"
        record "varnishtest (missing results)" 1
    fi
    rm -f "$log"
fi

if [ ${#failed[@]} -gt 0 ]; then
    echo "failed:"
    printf '  %s\n' "${failed[@]}"
fi
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
