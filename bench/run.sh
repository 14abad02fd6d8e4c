#!/usr/bin/env bash
# Plat benchmarks against the Go/C anchors, and compile-time benchmarks.
#
#   bench/run.sh [all|cpu|fib|build|PROGRAM]     (default: all)
#
#   all     every runtime workload, then the compile-time benchmarks
#   cpu     every runtime workload (bench/programs/*.plat)
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
#   WORK=DIR  scratch directory (default: a fresh temporary one)
#
# Runtime workloads: every bench/programs/NAME.plat is compiled with
# `plat build`, its stdout is checked against bench/programs/NAME.out (the
# anchor's expected output; the Go and C anchors are checked too), then the
# Plat, Go and C (if $BIN/c_NAME exists) executables run interleaved.
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
BIN=${BIN:-/tmp/plat-anchors}
ANCHORS=${ANCHORS:-/work/shared/anchors}
COLD_RUNS=${COLD_RUNS:-5}
TIMING=(python3 "$BENCH/timing.py" runs)

case "$MODE" in
    all | cpu | build | fib | gc) ;;
    *) [[ -f "$BENCH/programs/$MODE.plat" ]] || {
        echo "usage: $0 [all|cpu|fib|build|gc|PROGRAM]" >&2
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
echo "== RUNS=${RUNS_GIVEN:-$RUNS (slow workloads: $SLOW_RUNS)}, plat=$PLAT"
echo

# --- runtime workloads ------------------------------------------------------
run_program() {
    local name=$1 src=$BENCH/programs/$1.plat expect=$BENCH/programs/$1.out
    local exe=$WORK/plat_$name
    [[ -f "$expect" ]] || { echo "missing $expect" >&2; exit 1; }
    # The Go counterpart has the same name, except for the await ping-pong,
    # which is compared with Go's channel ping-pong (a park/wake round trip).
    local go_name=$name
    [[ $name == await_pingpong ]] && go_name=pingpong
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
    local cmds=("plat=$exe" "go=$BIN/go_$go_name")
    [[ -x "$BIN/c_$name" ]] && cmds+=("c=$BIN/c_$name")
    local runs=$RUNS
    [[ -z "$RUNS_GIVEN" && "$SLOW_PROGRAMS" == *" $name "* ]] && runs=$SLOW_RUNS
    # The warm-up round checks every command's stdout against $expect.
    "${TIMING[@]}" --runs "$runs" --warmup 1 --rss "$RSS_RUNS" --expect "$expect" \
        --title "$name (stdout checked: $(head -c 60 "$expect" | tr '\n' ' '))" "${cmds[@]}"
    echo
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
