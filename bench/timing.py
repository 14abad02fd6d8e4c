#!/usr/bin/env python3
"""Timing helper for bench/run.sh.

  timing.py runs --runs R [--warmup W] [--expect FILE] [--ref NAME] [--cold]
                 NAME=COMMAND [NAME=COMMAND ...]

Runs the commands alternately (round-robin: a b c a b c ...), W warm-up
rounds first (not counted), then R measured rounds, and prints for each
command the median wall time (plus min/max and median CPU = user+sys of
the child, from wait4), then the ratio of every other command's median to
the first one's ("plat/go" when NAME order is plat, go, ...; --ref chooses
the denominators instead, --ref - prints no ratio). --split A,B also prints
median(B) - median(A).

COMMAND is split with shlex; a leading VAR=value word sets an environment
variable. --expect FILE: the stdout of every command in the warm-up round
must equal FILE's content, else exit 1. --rss N: after the timed rounds,
N more rounds run each command under `/usr/bin/time -f %M` and the median
peak RSS is printed too (not wait4's ru_maxrss: a child forked from Python
starts with Python's resident set counted in its high-water mark). --cold: before each run of a
command, XDG_CACHE_HOME is pointed at a fresh empty directory (measures
plat's first run, when it must write out its runtime archive).

The last line of output is a machine-readable summary:
  RESULT name=median_seconds ...
followed, with --rss, by
  RESULT_RSS name=median_peak_rss_kib ...

  timing.py rss [--runs N] [--title T] NAME=COMMAND [NAME=COMMAND ...]

only measures the median peak RSS of each command (N interleaved rounds
under /usr/bin/time, default 3) and ends with a RESULT_RSS line.
"""

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def run_once(argv, env, capture):
    """Runs argv, returns (wall seconds, cpu seconds, peak RSS KiB, stdout
    bytes, status)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE if capture else subprocess.DEVNULL)
    out = proc.stdout.read() if capture else b""
    _, status, ru = os.wait4(proc.pid, 0)
    t1 = time.perf_counter()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if capture:
        proc.stdout.close()
    return t1 - t0, ru.ru_utime + ru.ru_stime, out, proc.returncode


def peak_rss(argv, env):
    """Peak resident set of argv in KiB, as `/usr/bin/time -f %M` reports it."""
    with tempfile.NamedTemporaryFile("r", prefix="plat-rss-") as fh:
        rc = subprocess.run(["/usr/bin/time", "-f", "%M", "-o", fh.name] + argv, env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL).returncode
        if rc != 0:
            sys.exit("timing.py: exited with %d under /usr/bin/time: %s" % (rc, shlex.join(argv)))
        return int(fh.read().split()[-1])


def parse_cmd(spec):
    if "=" not in spec:
        sys.exit("timing.py: expected NAME=COMMAND, got %r" % spec)
    name, cmd = spec.split("=", 1)
    words = shlex.split(cmd)
    env = dict(os.environ)
    while words and "=" in words[0] and not words[0].startswith(("/", ".")):
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    if not words:
        sys.exit("timing.py: empty command for %s" % name)
    return name, words, env


def fmt(s):
    return "%.1f ms" % (s * 1000) if s < 1 else "%.3f s" % s


def fmt_kib(k):
    return "%.1f MiB" % (k / 1024) if k < 1024 * 1024 else "%.2f GiB" % (k / 1024 / 1024)


def cmd_runs(args):
    cmds = [parse_cmd(c) for c in args.commands]
    expect = None
    if args.expect:
        with open(args.expect, "rb") as fh:
            expect = fh.read()
    walls = {n: [] for n, _, _ in cmds}
    cpus = {n: [] for n, _, _ in cmds}
    rsss = {n: [] for n, _, _ in cmds}
    tmpdirs = []

    def one(name, argv, env, capture):
        if args.cold:
            d = tempfile.mkdtemp(prefix="plat-cold-cache-")
            tmpdirs.append(d)
            env = dict(env, XDG_CACHE_HOME=d)
        wall, cpu, out, rc = run_once(argv, env, capture)
        if rc != 0:
            sys.exit("timing.py: %s exited with %d: %s" % (name, rc, shlex.join(argv)))
        return wall, cpu, out

    load0 = open("/proc/loadavg").read().split()[0]
    try:
        for w in range(args.warmup):
            for name, argv, env in cmds:
                _, _, out = one(name, argv, env, capture=True)
                if expect is not None and out != expect:
                    sys.stderr.write("timing.py: %s: wrong output\n  expected %r\n  got      %r\n"
                                     % (name, expect[:200], out[:200]))
                    sys.exit(1)
        for r in range(args.runs):
            # Rotate the starting command each round so no command always
            # follows the same one.
            k = r % len(cmds)
            for name, argv, env in cmds[k:] + cmds[:k]:
                wall, cpu, _ = one(name, argv, env, capture=False)
                walls[name].append(wall)
                cpus[name].append(cpu)
        for _ in range(args.rss):
            for name, argv, env in cmds:
                rsss[name].append(peak_rss(argv, env))
    finally:
        for d in tmpdirs:
            shutil.rmtree(d, ignore_errors=True)

    load1 = open("/proc/loadavg").read().split()[0]
    med = {n: statistics.median(v) for n, v in walls.items()}
    title = args.title or "timing"
    print("%s: %d runs each, interleaved%s%s (load %s -> %s)" % (
        title, args.runs,
        ", after %d warm-up round(s)" % args.warmup if args.warmup else "",
        ", fresh cache dir per run" if args.cold else "", load0, load1))
    width = max(len(n) for n in walls)
    rss_head = "  %12s" % "peak RSS med" if args.rss else ""
    print("  %-*s  %10s  %10s  %10s  %10s%s" % (width, "", "median", "min", "max", "cpu med",
                                             rss_head))
    for n in walls:
        rss = "  %12s" % fmt_kib(statistics.median(rsss[n])) if args.rss else ""
        print("  %-*s  %10s  %10s  %10s  %10s%s" % (
            width, n, fmt(med[n]), fmt(min(walls[n])), fmt(max(walls[n])),
            fmt(statistics.median(cpus[n])), rss))
    names = list(walls)
    first = names[0]
    refs = [] if args.ref == "-" else args.ref.split(",") if args.ref else names[1:]
    for ref in refs:
        if ref in med and ref != first and med[ref] > 0:
            cf, cr = statistics.median(cpus[first]), statistics.median(cpus[ref])
            print("  %s/%s = %.2f   (cpu: %.2f)" % (first, ref, med[first] / med[ref],
                                                   cf / cr if cr > 0 else float("nan")))
    if args.split:
        a, b = args.split.split(",")
        print("  %s - %s = %s (median difference)" % (b, a, fmt(med[b] - med[a])))
    if args.rss:
        print("  (peak RSS: median of %d runs under /usr/bin/time -f %%M)" % args.rss)
    print("RESULT " + " ".join("%s=%.6f" % (n, med[n]) for n in names))
    if args.rss:
        print("RESULT_RSS " + " ".join("%s=%d" % (n, statistics.median(rsss[n])) for n in names))


def cmd_rss(args):
    """Median peak RSS of each command over --runs interleaved rounds."""
    cmds = [parse_cmd(c) for c in args.commands]
    rsss = {n: [] for n, _, _ in cmds}
    for _ in range(args.runs):
        for name, argv, env in cmds:
            rsss[name].append(peak_rss(argv, env))
    print("%s: peak RSS, median of %d runs under /usr/bin/time -f %%M" % (
        args.title or "rss", args.runs))
    width = max(len(n) for n in rsss)
    for n, v in rsss.items():
        print("  %-*s  %12s  (min %s, max %s)" % (width, n, fmt_kib(statistics.median(v)),
                                                 fmt_kib(min(v)), fmt_kib(max(v))))
    print("RESULT_RSS " + " ".join("%s=%d" % (n, statistics.median(v)) for n, v in rsss.items()))


def main():
    ap = argparse.ArgumentParser(description="interleaved timing of commands")
    sub = ap.add_subparsers(dest="sub", required=True)
    r = sub.add_parser("runs")
    r.add_argument("--runs", type=int, default=11)
    r.add_argument("--warmup", type=int, default=1)
    r.add_argument("--expect")
    r.add_argument("--ref", help="comma-separated names to divide the first by")
    r.add_argument("--cold", action="store_true")
    r.add_argument("--rss", type=int, default=0, metavar="N",
                   help="N extra rounds under /usr/bin/time for the median peak RSS")
    r.add_argument("--split", metavar="A,B", help="also print median(B) - median(A)")
    r.add_argument("--title")
    r.add_argument("commands", nargs="+")
    q = sub.add_parser("rss")
    q.add_argument("--runs", type=int, default=3)
    q.add_argument("--title")
    q.add_argument("commands", nargs="+")
    args = ap.parse_args()
    if args.sub == "runs":
        cmd_runs(args)
    elif args.sub == "rss":
        cmd_rss(args)


if __name__ == "__main__":
    main()
