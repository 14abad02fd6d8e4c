#!/usr/bin/env bash
# The CPU-workload regression guard (issue 14, item 4): runs every CPU
# workload beside its Go anchor (bench/run.sh PROGRAM) and fails when a
# plat/go ratio of median wall times is more than 15% worse than the figure
# recorded in bench/baseline.tsv. A benchmark, not a CI test: run it before
# closing an issue that touches code generation or the runtime, on a quiet
# machine (it prints the load average). fib_rec runs about 60 ms, so its
# ratio moves by 10-30% between sets: re-run a flagged workload alone
# before believing it.
#
#   bench/guard.sh                 check every workload of the baseline
#   bench/guard.sh nbody sieve     check these only
#   bench/guard.sh --record [P..]  run them and record their ratios in
#                                  bench/baseline.tsv (other rows kept)
#
# Environment: RUNS (default 11 per command; the slow workloads too), TOLERANCE (default 1.15),
# PLAT (a plat binary; default: cargo build --release), as bench/run.sh.
set -euo pipefail
BENCH=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BASELINE=$BENCH/baseline.tsv
TOLERANCE=${TOLERANCE:-1.15}
export RUNS=${RUNS:-11} RSS_RUNS=0
RECORD=0
if [[ "${1:-}" == "--record" ]]; then
    RECORD=1
    shift
fi
if [[ $# -gt 0 ]]; then
    PROGRAMS=("$@")
else
    mapfile -t PROGRAMS < <(awk -F'\t' '!/^#/ && NF >= 2 { print $1 }' "$BASELINE")
fi
if [[ -z "${PLAT:-}" ]]; then
    (cd "$BENCH/.." && cargo build --release --quiet)
    export PLAT=$BENCH/../target/release/plat
fi
echo "== $(date -u '+%Y-%m-%d %H:%M:%S UTC'), load: $(cut -d' ' -f1-3 /proc/loadavg), tolerance ${TOLERANCE}x"
results=()
for p in "${PROGRAMS[@]}"; do
    line=$("$BENCH/run.sh" "$p" | grep '^RESULT ' | head -n1) || {
        echo "guard: bench/run.sh $p failed" >&2
        exit 1
    }
    ratio=$(python3 -c '
import sys
fields = dict(kv.split("=") for kv in sys.argv[1].split()[1:])
print("%.3f" % (float(fields["plat"]) / float(fields["go"])))' "$line")
    results+=("$p"$'\t'"$ratio")
done
if [[ $RECORD == 1 ]]; then
    # Rows of workloads not run this time are kept.
    python3 - "$BASELINE" "$(date -u '+%Y-%m-%d')" "$(cut -d' ' -f1 /proc/loadavg)" "${results[@]}" <<'PY'
import os, sys
path, day, load, *rows = sys.argv[1:]
order, ratios = [], {}
if os.path.exists(path):
    for line in open(path):
        if line.startswith("#") or not line.strip():
            continue
        name, ratio = line.rstrip("\n").split("\t")[:2]
        order.append(name)
        ratios[name] = ratio
for row in rows:
    name, ratio = row.split("\t")
    if name not in ratios:
        order.append(name)
    ratios[name] = ratio
    print("recorded: %s %s" % (name, ratio))
with open(path, "w") as f:
    f.write("# program\tplat/go median wall time (bench/guard.sh --record; last: %s, load %s)\n" % (day, load))
    for name in order:
        f.write("%s\t%s\n" % (name, ratios[name]))
PY
    exit 0
fi
python3 - "$BASELINE" "$TOLERANCE" "${results[@]}" <<'PY'
import sys
baseline_path, tolerance, *rows = sys.argv[1:]
tolerance = float(tolerance)
base = {}
for line in open(baseline_path):
    if line.startswith("#") or not line.strip():
        continue
    name, ratio = line.split("\t")[:2]
    base[name] = float(ratio)
worse = 0
print("%-16s %9s %9s %8s" % ("workload", "baseline", "now", "change"))
for row in rows:
    name, ratio = row.split("\t")
    now = float(ratio)
    if name not in base:
        print("%-16s %9s %9.3f %8s  (no baseline)" % (name, "-", now, "-"))
        continue
    change = now / base[name]
    flag = "  WORSE" if change > tolerance else ""
    worse += change > tolerance
    print("%-16s %9.3f %9.3f %7.2fx%s" % (name, base[name], now, change, flag))
if worse:
    sys.exit("guard: %d workload(s) more than %.0f%% worse than bench/baseline.tsv" % (worse, (tolerance - 1) * 100))
print("guard: no workload more than %.0f%% worse" % ((tolerance - 1) * 100))
PY
