#!/usr/bin/env bash
# The echo-server benchmark (issue 10): examples/echo_server.plat against the
# Go anchor echo_server.go, both driven by the Go load client echo_client.go
# (CONNS connections held open at once, MSGS messages of SIZE bytes each).
#
#   bench/echo.sh [CONNS [MSGS [SIZE]]]     (default 10000 10 64)
#
# Environment: RUNS=N rounds (default 5; each round runs Plat then Go),
# WORKERS=N  PLAT_WORKERS and GOMAXPROCS of both servers (default 2),
# BIN=DIR    where the Go anchors are built (default /tmp/plat-anchors),
# PLAT=EXE   the plat binary (default: target/release/plat, built).
#
# Per round and server: the client's total time (from its first connect to
# its last echo, its own stderr line) and the server's peak RSS
# (/usr/bin/time -f %M). Prints medians and plat/go ratios. The client and
# the server share the machine's cores, as the anchors' README says.
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
CONNS=${1:-10000}
MSGS=${2:-10}
SIZE=${3:-64}
RUNS=${RUNS:-5}
WORKERS=${WORKERS:-2}
BIN=${BIN:-/tmp/plat-anchors}
ANCHORS=${ANCHORS:-/work/shared/anchors}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$BIN"
for n in echo_server echo_client; do
    [ -x "$BIN/go_$n" ] || go build -o "$BIN/go_$n" "$ANCHORS/go/$n.go"
done
if [ -z "${PLAT:-}" ]; then
    (cd "$ROOT" && cargo build --release -q -p platc)
    PLAT=$ROOT/target/release/plat
fi
"$PLAT" build "$ROOT/examples/echo_server.plat" -o "$WORK/plat_echo_server"

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# run NAME SERVER-COMMAND...: one round; appends "NAME seconds rss_kb".
run() {
    local name=$1 port=$2
    shift 2
    PLAT_WORKERS=$WORKERS GOMAXPROCS=$WORKERS /usr/bin/time -f '%M' -o "$WORK/rss" \
        "$@" >"$WORK/server.out" 2>"$WORK/server.err" &
    local pid=$!
    # Let the server start listening (the client also retries its dials).
    sleep 0.5
    "$BIN/go_echo_client" "127.0.0.1:$port" "$CONNS" "$MSGS" "$SIZE" \
        >"$WORK/client.out" 2>"$WORK/client.err" || {
        echo "$name: client failed: $(cat "$WORK/client.out" "$WORK/client.err")" >&2
        exit 1
    }
    wait "$pid" || { echo "$name: server failed: $(cat "$WORK/server.err")" >&2; exit 1; }
    grep -q "^ok $((CONNS * MSGS))\$" "$WORK/client.out" || {
        echo "$name: wrong client output: $(cat "$WORK/client.out")" >&2
        exit 1
    }
    [ "$(cat "$WORK/server.out")" = "$CONNS" ] || {
        echo "$name: server printed $(cat "$WORK/server.out"), expected $CONNS" >&2
        exit 1
    }
    local total
    total=$(sed -n 's/.*total \([^,]*\),.*/\1/p' "$WORK/client.err")
    echo "$name $total $(tail -1 "$WORK/rss")" >>"$WORK/results"
    echo "  $name: total $total, server peak RSS $(tail -1 "$WORK/rss") KB"
}

echo "echo: $CONNS connections x $MSGS messages x $SIZE B, $WORKERS workers, $RUNS rounds"
for r in $(seq "$RUNS"); do
    echo "round $r"
    p=$(free_port)
    run plat "$p" "$WORK/plat_echo_server" "$p" "$CONNS"
    p=$(free_port)
    run go "$p" "$BIN/go_echo_server" "$p" "$CONNS"
done
python3 - "$WORK/results" <<'PY'
import re, statistics, sys
def secs(d):
    m = re.fullmatch(r"([0-9.]+)(ms|s|µs|us)", d)
    v = float(m.group(1))
    return {"s": v, "ms": v / 1e3, "µs": v / 1e6, "us": v / 1e6}[m.group(2)]
t, rss = {}, {}
for line in open(sys.argv[1]):
    name, total, kb = line.split()
    t.setdefault(name, []).append(secs(total))
    rss.setdefault(name, []).append(int(kb))
med = {n: statistics.median(v) for n, v in t.items()}
mrss = {n: statistics.median(v) for n, v in rss.items()}
for n in ("plat", "go"):
    print(f"{n:5} total median {med[n]:.3f} s (runs: {', '.join(f'{x:.2f}' for x in t[n])}), "
          f"server peak RSS median {mrss[n] / 1024:.1f} MiB")
print(f"plat/go: time {med['plat'] / med['go']:.2f}x (target <= 1.0), "
      f"RSS {mrss['plat'] / mrss['go']:.2f}x (target <= 1.0)")
PY
