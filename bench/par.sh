#!/usr/bin/env bash
# The data-parallel benchmarks of issue 13 (docs/parallel.md): no Go
# anchor, so they live in bench/parallel/, not bench/programs/.
#   par_heavy  par_map of a CPU-heavy function over 64 elements,
#              PLAT_WORKERS=2 against PLAT_WORKERS=1 (target: >= 1.8x faster)
#   par_cheap  par_map over 1,000,000 cheap elements against seq_cheap (the
#              plain map), both on one worker (target: <= 1.5x)
#   actor_ask  1,000,000 std::actor asks against bench/programs/pingpong
#              (1,000,000 channel round trips), 2 workers (target: <= 1.5x)
# Settings: PLAT (default: cargo build --release), RUNS (default 11).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/bench
RUNS=${RUNS:-11}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/plat-par.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if [[ -z "${PLAT:-}" ]]; then
    (cd "$ROOT" && cargo build --release --quiet)
    PLAT=$ROOT/target/release/plat
fi
echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC'), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for p in par_heavy par_cheap seq_cheap actor_ask; do
    "$PLAT" build "$BENCH/parallel/$p.plat" -o "$WORK/$p"
done
"$PLAT" build "$BENCH/programs/pingpong.plat" -o "$WORK/pingpong"
T=(python3 "$BENCH/timing.py" runs --runs "$RUNS")
"${T[@]}" --title "par_heavy: 2 workers vs 1" --expect "$BENCH/parallel/par_heavy.out" \
    --ref w1 "w2=PLAT_WORKERS=2 $WORK/par_heavy" "w1=PLAT_WORKERS=1 $WORK/par_heavy"
"${T[@]}" --title "par_cheap vs the plain map, 1 worker" --expect "$BENCH/parallel/par_cheap.out" \
    --ref map "par_map=PLAT_WORKERS=1 $WORK/par_cheap" "map=PLAT_WORKERS=1 $WORK/seq_cheap"
"${T[@]}" --title "actor ask vs channel ping-pong, 2 workers" --expect "$BENCH/parallel/actor_ask.out" \
    --ref pingpong "actor_ask=PLAT_WORKERS=2 $WORK/actor_ask" "pingpong=PLAT_WORKERS=2 $WORK/pingpong"
