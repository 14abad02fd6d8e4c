#!/usr/bin/env python3
"""Pause statistics of a Plat program from its PLAT_GC_TRACE lines.

    bench/gc_pauses.py [--runs N] EXE [ARGS...]

Runs EXE N times (default 3) with PLAT_GC_TRACE=1, collects every
`gc K: ... pause P ms (...)` line from stderr and prints, over all runs:
collections per run, the median, 99th percentile and maximum pause, and
the largest heap before a collection.
"""
import os
import re
import statistics
import subprocess
import sys

PAUSE = re.compile(r"^gc \d+: heap ([0-9.]+)->([0-9.]+) MiB .* pause ([0-9.]+) ms")


def main():
    args = sys.argv[1:]
    runs = 3
    if args[:1] == ["--runs"]:
        runs = int(args[1])
        args = args[2:]
    if not args:
        sys.exit(__doc__)
    env = dict(os.environ, PLAT_GC_TRACE="1")
    pauses, counts, heaps = [], [], []
    for _ in range(runs):
        p = subprocess.run(args, env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, text=True, check=True)
        n = 0
        for line in p.stderr.splitlines():
            m = PAUSE.match(line)
            if m:
                heaps.append(float(m.group(1)))
                pauses.append(float(m.group(3)))
                n += 1
        counts.append(n)
    if not pauses:
        print(f"  gc pauses of {os.path.basename(args[0])}: no collection in {runs} runs")
        return
    pauses.sort()
    p99 = pauses[min(len(pauses) - 1, int(0.99 * len(pauses)))]
    print(f"  gc pauses of {os.path.basename(args[0])} ({runs} runs, "
          f"{statistics.median(counts):.0f} collections per run): "
          f"median {statistics.median(pauses):.3f} ms, p99 {p99:.3f} ms, "
          f"max {pauses[-1]:.3f} ms; largest heap at a trigger {max(heaps):.1f} MiB")


if __name__ == "__main__":
    main()
