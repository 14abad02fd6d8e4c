#!/usr/bin/env bash
# Plat benchmarks against the Go/C anchors, and compile-time benchmarks.
#
#   bench/run.sh [all|cpu|chan|fib|build|gc|PROGRAM]  (default: all)
#
#   all     every runtime workload, then the compile-time benchmarks
#   cpu     every runtime workload (bench/programs/*.plat)
#   chan    the channel, select and sync workloads (issue 8), then a table
#           of ratios against their targets and spawn_many_blocked's memory
#           per parked task
#   fib     fib_rec only
#   build   the compile-time benchmarks only
#   gc      the collector's workloads (binary_trees, churn, spawn_join,
#           sieve), then their pause statistics (bench/gc_pauses.py)
#   PROGRAM one workload, e.g. nbody
#
# Environment:
#   RUNS=N    measured runs per command, after 1 warm-up (default 11, and
#             SLOW_RUNS for the slow workloads)
#   SLOW_RUNS=N  default runs for the workloads that take seconds
#             (binary_trees, nbody, sieve, spectral_norm; default 5);
#             an explicit RUNS overrides it
#   RSS_RUNS=N   extra runs of each workload under /usr/bin/time -f %M for
#             the median peak RSS (default 3; 0 = none)
#   BIN=DIR   where the anchors are built (default /tmp/plat-anchors)
#   PLAT=EXE  use this plat binary instead of building target/release/plat
#   PLAT_BASE=EXE  also build every program with this (older) plat binary
#             and run it as "base" beside the others (before/after figures)
#   WORK=DIR  scratch directory (default: a fresh temporary one)
#
# Runtime workloads: every bench/programs/NAME.plat is compiled with
# `plat build`, its stdout is checked against bench/programs/NAME.out (the
# anchor's expected output; the Go and C anchors are checked too), then the
# Plat, Go and C (if $BIN/c_NAME exists) executables run interleaved.
# The Go counterpart is $BIN/go_NAME run without arguments, unless
# bench/programs/NAME.anchor exists: its one line is the anchor's name and
# arguments, e.g. `chan_throughput 10000000 4` (Plat programs cannot read
# argv yet, so the Plat side has its sizes in the source).
# PLAT_WORKERS and GOMAXPROCS set in the environment reach both programs.
# Compile time: `plat build examples/hello.plat` (warm runtime-archive cache,
# and cold: a fresh XDG_CACHE_HOME per run), and `plat check` / `plat build`
# of a generated program of at least 5,000 lines (bench/gen_large.py).
set -euo pipefail

BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(dirname "$BENCH")
MODE=${1:-all}
RUNS_GIVEN=${RUNS:-}
RUNS=${RUNS:-11}
SLOW_RUNS=${SLOW_RUNS:-5}
RSS_RUNS=${RSS_RUNS:-3}
# Workloads that take seconds per run (Plat, Go or C): SLOW_RUNS by default.
SLOW_PROGRAMS=" binary_trees nbody sieve spectral_norm "
# The issue 8 workloads (`run.sh chan`) and their targets: the largest
# plat/go ratio of median wall times that meets the target.
CHAN_PROGRAMS="pingpong chan_throughput chan_throughput_mpmc thread_ring mutex_counter select_fanin pipeline spawn_many_blocked"
declare -A CHAN_TARGET=([pingpong]=0.7 [chan_throughput]=0.8 [chan_throughput_mpmc]=1.0
    [thread_ring]=0.75 [mutex_counter]=1.0 [select_fanin]=1.0 [pipeline]=1.0)
BIN=${BIN:-/tmp/plat-anchors}
ANCHORS=${ANCHORS:-/work/shared/anchors}
COLD_RUNS=${COLD_RUNS:-5}
TIMING=(python3 "$BENCH/timing.py" runs)

case "$MODE" in
    all | cpu | chan | build | fib | gc) ;;
    *) [[ -f "$BENCH/programs/$MODE.plat" ]] || {
        echo "usage: $0 [all|cpu|chan|fib|build|gc|PROGRAM]" >&2
        exit 2
    } ;;
esac

if [[ -z "${WORK:-}" ]]; then
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/plat-bench.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
fi
mkdir -p "$WORK"

# --- the compiler ---------------------------------------------------------
if [[ -z "${PLAT:-}" ]]; then
    echo "== cargo build --release" >&2
    if ! (cd "$ROOT" && cargo build --release --quiet) >"$WORK/cargo.log" 2>&1; then
        cat "$WORK/cargo.log" >&2
        exit 1
    fi
    PLAT=$ROOT/target/release/plat
fi
[[ -x "$PLAT" ]] || { echo "no plat binary at $PLAT" >&2; exit 1; }

echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "== $("$PLAT" --version), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "== RUNS=${RUNS_GIVEN:-$RUNS (slow workloads: $SLOW_RUNS)}, plat=$PLAT${PLAT_BASE:+, base=$PLAT_BASE}"
echo "== PLAT_WORKERS=${PLAT_WORKERS:-(default)}, GOMAXPROCS=${GOMAXPROCS:-(default)}"
echo

# --- runtime workloads ------------------------------------------------------
run_program() {
    local name=$1 src=$BENCH/programs/$1.plat expect=$BENCH/programs/$1.out
    local exe=$WORK/plat_$name
    [[ -f "$expect" ]] || { echo "missing $expect" >&2; exit 1; }
    # The Go counterpart: go_NAME without arguments, or NAME.anchor's line
    # (e.g. await_pingpong is compared with Go's channel ping-pong).
    local go_cmd=$name
    [[ -f "$BENCH/programs/$name.anchor" ]] && go_cmd=$(head -n1 "$BENCH/programs/$name.anchor")
    local go_name=${go_cmd%% *}
    # Workloads the shared anchors lack have their Go counterpart here.
    if [[ -f "$BENCH/go/$go_name.go" && ! -x "$BIN/go_$go_name" ]]; then
        mkdir -p "$BIN"
        (cd "$BENCH/go" && go build -o "$BIN/go_$go_name" "$go_name.go") >&2
    fi
    if [[ ! -x "$BIN/go_$go_name" ]]; then
        echo "== building the anchors into $BIN" >&2
        BIN=$BIN "$ANCHORS/build.sh" >&2
    fi
    "$PLAT" build "$src" -o "$exe"
    local cmds=("plat=$exe" "go=$BIN/go_$go_cmd")
    if [[ -n "${PLAT_BASE:-}" ]]; then
        "$PLAT_BASE" build "$src" -o "$WORK/base_$name"
        cmds+=("base=$WORK/base_$name")
    fi
    [[ -x "$BIN/c_$name" ]] && cmds+=("c=$BIN/c_$name")
    local runs=$RUNS
    [[ -z "$RUNS_GIVEN" && "$SLOW_PROGRAMS" == *" $name "* ]] && runs=$SLOW_RUNS
    # The warm-up round checks every command's stdout against $expect.
    "${TIMING[@]}" --runs "$runs" --warmup 1 --rss "$RSS_RUNS" --expect "$expect" \
        --title "$name (go_$go_cmd; stdout checked: $(head -c 60 "$expect" | tr '\n' ' '))" \
        "${cmds[@]}" | tee "$WORK/result_$name.txt"
    echo
}

# Memory per parked task of spawn_many_blocked: (peak RSS(N) - peak RSS(0))
# / N for Plat and Go. The Plat program is built a second time with n = 0.
per_task_memory() {
    local src=$BENCH/programs/spawn_many_blocked.plat zero=$WORK/spawn_many_blocked_0.plat
    local n
    n=$(sed -n 's/^  let n: Int64 = \([0-9]*\);$/\1/p' "$src")
    [[ -n "$n" ]] || { echo "spawn_many_blocked.plat: no 'let n: Int64 = N;' line" >&2; exit 1; }
    sed "s/^  let n: Int64 = $n;\$/  let n: Int64 = 0;/" "$src" >"$zero"
    "$PLAT" build "$src" -o "$WORK/plat_smb_n"
    "$PLAT" build "$zero" -o "$WORK/plat_smb_0"
    [[ "$("$WORK/plat_smb_0")" == 0 ]] || { echo "spawn_many_blocked with n = 0: wrong output" >&2; exit 1; }
    echo "$n" >"$WORK/smb_n"
    python3 "$BENCH/timing.py" rss --runs "$(( RSS_RUNS > 3 ? RSS_RUNS : 3 ))" \
        --title "spawn_many_blocked, N = $n and N = 0" \
        "plat_n=$WORK/plat_smb_n" "plat_0=$WORK/plat_smb_0" \
        "go_n=$BIN/go_spawn_many_blocked $n" "go_0=$BIN/go_spawn_many_blocked 0" |
        tee "$WORK/result_per_task.txt"
    python3 - "$n" "$WORK/result_per_task.txt" <<'PY'
import sys
n = int(sys.argv[1])
line = [l for l in open(sys.argv[2]) if l.startswith("RESULT_RSS ")][-1]
r = {k: int(v) for k, v in (w.split("=") for w in line.split()[1:])}
plat = (r["plat_n"] - r["plat_0"]) * 1024 / n
go = (r["go_n"] - r["go_0"]) * 1024 / n
print("  memory per parked task: plat %.0f B ((%d - %d) KiB / %d), go %.0f B ((%d - %d) KiB / %d), "
      "plat/go = %.2f" % (plat, r["plat_n"], r["plat_0"], n, go, r["go_n"], r["go_0"], n, plat / go))
PY
    echo
}

# The issue 8 summary: plat/go against each target.
chan_summary() {
    python3 - "$WORK" $CHAN_PROGRAMS <<PY
import sys
work, names = sys.argv[1], sys.argv[2:]
target = {$(for k in "${!CHAN_TARGET[@]}"; do printf '"%s": %s, ' "$k" "${CHAN_TARGET[$k]}"; done)}
print("== summary (median wall time, peak RSS; target = largest plat/go that meets it)")
print("  %-22s %10s %10s %8s %8s %6s %11s %11s %10s %8s" % ("workload", "plat", "go", "plat/go",
      "target", "met", "plat RSS", "go RSS", "base", "base/go"))
def parse(path, key):
    try:
        line = [l for l in open(path) if l.startswith(key + " ")][-1]
    except (OSError, IndexError):
        return None
    return {k: float(v) for k, v in (w.split("=") for w in line.split()[1:])}
for n in names:
    t = parse("%s/result_%s.txt" % (work, n), "RESULT")
    r = parse("%s/result_%s.txt" % (work, n), "RESULT_RSS") or {}
    if not t:
        continue
    ratio = t["plat"] / t["go"]
    goal = target.get(n)
    met = "-" if goal is None else ("yes" if ratio <= goal else "NO")
    rss = lambda k: "%.1f MiB" % (r[k] / 1024) if k in r else "-"
    base = ("%8.1f ms %8.2f" % (1000 * t["base"], t["base"] / t["go"])) if "base" in t else ""
    print("  %-22s %8.1f ms %8.1f ms %8.2f %8s %6s %11s %11s %s" % (
        n, 1000 * t["plat"], 1000 * t["go"], ratio, "-" if goal is None else "<= %.2f" % goal,
        met, rss("plat"), rss("go"), base))
t = parse("%s/result_per_task.txt" % work, "RESULT_RSS")
if t:
    n = int(open("%s/smb_n" % work).read())
    plat = (t["plat_n"] - t["plat_0"]) * 1024 / n
    go = (t["go_n"] - t["go_0"]) * 1024 / n
    print("  %-22s %8.0f B  %8.0f B  %8.2f %8s %6s" % ("spawn_many_blocked/task", plat, go,
          plat / go, "<= 1.00", "yes" if plat <= go else "NO"))
PY
}

# --- compile time -----------------------------------------------------------
run_build() {
    local hello=$ROOT/examples/hello.plat
    # hello world: warm cache (the first warm-up run fills it if needed).
    "${TIMING[@]}" --runs "$RUNS" --warmup 1 --title "hello.plat, warm cache" --ref - \
        --split check,build "check=$PLAT check $hello" "build=$PLAT build $hello -o $WORK/hello"
    [[ "$("$WORK/hello")" == "$(cat "$ROOT/examples/hello.out")" ]] || {
        echo "hello: wrong output" >&2
        exit 1
    }
    echo
    # hello world, cold: plat writes its runtime archive to a fresh cache.
    "${TIMING[@]}" --runs "$COLD_RUNS" --warmup 0 --cold \
        --title "hello.plat, cold cache (first use)" "build=$PLAT build $hello -o $WORK/hello"
    echo

    # A generated program of >= 5,000 lines; its output is checked against
    # the generator's own evaluation of the same program.
    local large=$WORK/large.plat
    python3 "$BENCH/gen_large.py" -o "$large" --expected "$WORK/large.expected" 2>/dev/null
    local lines
    lines=$(wc -l <"$large")
    "$PLAT" build "$large" -o "$WORK/large"
    "$WORK/large" >"$WORK/large.stdout"
    if ! cmp -s "$WORK/large.stdout" "$WORK/large.expected"; then
        echo "large.plat: wrong output:" >&2
        diff "$WORK/large.expected" "$WORK/large.stdout" | head -20 >&2
        exit 1
    fi
    "${TIMING[@]}" --runs "$RUNS" --warmup 1 \
        --title "generated program, $lines lines (output checked)" --ref - --split check,build \
        "check=$PLAT check $large" "build=$PLAT build $large -o $WORK/large"
    link_time hello "$hello"
    link_time large "$large"
    echo
}

# The linker step alone: plat runs the C driver through bench/cc_timed.sh
# (PLAT_CC), which logs each link's wall time. Separate runs, not the timed
# ones above, so the wrapper's cost does not enter the headline figures.
link_time() {
    local log=$WORK/link_$1.log
    : >"$log"
    for _ in $(seq "$RUNS"); do
        PLAT_CC="$BENCH/cc_timed.sh" PLAT_CC_LOG=$log "$PLAT" build "$2" -o "$WORK/link_$1"
    done
    python3 -c 'import statistics, sys
v = [float(x) for x in open(sys.argv[1])]
print("  link step of %s (cc + linker, logged by cc_timed.sh): median %.1f ms, min %.1f ms, %d runs"
      % (sys.argv[2], 1000 * statistics.median(v), 1000 * min(v), len(v)))' "$log" "$1.plat"
}

case "$MODE" in
    all)
        for p in "$BENCH"/programs/*.plat; do run_program "$(basename "$p" .plat)"; done
        run_build
        ;;
    cpu)
        for p in "$BENCH"/programs/*.plat; do run_program "$(basename "$p" .plat)"; done
        ;;
    chan)
        for p in $CHAN_PROGRAMS; do run_program "$p"; done
        per_task_memory
        chan_summary
        ;;
    fib) run_program fib_rec ;;
    build) run_build ;;
    gc)
        for p in binary_trees churn spawn_join sieve; do run_program "$p"; done
        for p in binary_trees churn spawn_join sieve; do
            python3 "$BENCH/gc_pauses.py" --runs "${RSS_RUNS/#0/1}" "$WORK/plat_$p"
        done
        ;;
    *) run_program "$MODE" ;;
esac
