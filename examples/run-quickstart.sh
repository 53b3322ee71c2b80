#!/usr/bin/env bash
# `make run`: starts two tiny demo origins (socat answering HTTP on 127.0.0.1:8081 and :8082)
# unless ORIGIN1/ORIGIN2 point elsewhere, then sluice in the foreground on
# examples/quickstart.cfg with the master CLI on /tmp/sluice-master.sock. Ctrl-C stops all.
set -u
cd "$(dirname "$0")/.."
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
fi
echo "sluice: try   curl http://127.0.0.1:8080/   (twice: round-robin over two origins)"
echo "        and   echo 'show proc' | socat - UNIX-CONNECT:/tmp/sluice-master.sock"
./sluice -W -S /tmp/sluice-master.sock -f examples/quickstart.cfg
