#!/usr/bin/env python3
"""Checks format_fixed9 (in programs/nbody.plat and programs/spectral_norm.plat)
against Python's '%.9f', which rounds the exact binary value like C's printf.

  check_fixed9.py PLAT_EXE

Takes the function's text from both programs (they must be identical),
writes a Plat program that prints format_fixed9 of 1,893 values (the
benchmarks' results, ties such as k/1024, the neighbours of x.5e-9 and
random values over many magnitudes, all with |v| < 4.5e6), builds it with
PLAT_EXE and compares its stdout with Python's, line by line.
"""

import math
import os
import random
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def function_text(path):
    src = open(path).read()
    m = re.search(r"^// `value` with 9 decimals.*?^}\n", src, re.S | re.M)
    if not m:
        sys.exit("check_fixed9: no format_fixed9 in %s" % path)
    return m.group(0)


def values():
    random.seed(7)
    vals = [-0.16907516382852447, -0.16908313397889935, -0.169087605234606,
            1.2742241522286171, 1.2742199912349306, 0.0, -0.0, 0.5, 1.0, -1.0,
            123.456, 5e-10, 1.5e-9, 0.9999999995, 0.99999999949, 1e-10, -1e-10,
            2.5e-9, 3.5e-9, 1234567.123456789, 9.999999999, 0.1, 0.2, 0.3,
            7.0000000005, 1.0000000005, 1 / 1024, 3 / 1024, 5 / 1024, -7 / 1024,
            1001 / 1024, 4095 / 1024, 2**-11, 2**-20]
    vals += [k / 1024 for k in range(1, 60)]          # exact ties
    for _ in range(300):
        vals.append(random.uniform(-10, 10))
        vals.append(random.uniform(-1, 1) * 10 ** random.randint(-9, 5))
    for _ in range(200):                                  # near-ties
        x = (random.randint(0, 10**10) + 0.5) / 1e9
        for y in (math.nextafter(x, 0), x, math.nextafter(x, 10)):
            vals += [y, -y]
    return vals


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    plat = sys.argv[1]
    texts = {function_text(os.path.join(HERE, "programs", p))
             for p in ("nbody.plat", "spectral_norm.plat")}
    if len(texts) != 1:
        sys.exit("check_fixed9: format_fixed9 differs between the programs")
    vals = values()
    body = "".join("  print(value = format_fixed9(value = %r));\n" % v for v in vals)
    expected = "".join("%.9f\n" % v for v in vals)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "fixed9.plat")
        with open(src, "w") as fh:
            fh.write(texts.pop() + "\nfn main() {\n" + body + "}\n")
        exe = os.path.join(d, "fixed9")
        subprocess.run([plat, "build", src, "-o", exe], check=True)
        got = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    bad = [(v, e, g) for v, e, g in zip(vals, expected.splitlines(), got.splitlines()) if e != g]
    if bad or len(got.splitlines()) != len(vals):
        for v, e, g in bad[:20]:
            print("  %r: expected %s, got %s" % (v, e, g))
        sys.exit("check_fixed9: %d of %d values differ" % (len(bad), len(vals)))
    print("format_fixed9: %d values, all equal to Python's '%%.9f'" % len(vals))


if __name__ == "__main__":
    main()
