#!/usr/bin/env python3
"""Checks the built-in format_float (which nbody.plat and spectral_norm.plat
print their results with, at 9 decimals) against Python's '%.*f', which
rounds the exact binary value like C's printf.

  check_fixed9.py PLAT_EXE

Writes a Plat program that prints format_float of 1,893 values (the
benchmarks' results, ties such as k/1024, the neighbours of x.5e-9 and
random values over many magnitudes) at 0, 1, 2, 9 and 17 decimals, builds
it with PLAT_EXE and compares its stdout with Python's, line by line.
(Until format_float existed, the two programs carried a hand-written
`format_fixed9`, checked by this script at 9 decimals.)
"""

import math
import os
import random
import subprocess
import sys
import tempfile


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


DECIMALS = (0, 1, 2, 9, 17)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    plat = sys.argv[1]
    cases = [(v, d) for v in values() for d in DECIMALS]
    body = "".join("  print(value = format_float(value = %r, decimals = %d));\n" % c
                   for c in cases)
    expected = "".join("%.*f\n" % (d, v) for v, d in cases)
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, "fixed.plat")
        with open(src, "w") as fh:
            fh.write("fn main() {\n" + body + "}\n")
        exe = os.path.join(d, "fixed")
        subprocess.run([plat, "build", src, "-o", exe], check=True)
        got = subprocess.run([exe], check=True, capture_output=True, text=True).stdout
    bad = [(c, e, g) for c, e, g in zip(cases, expected.splitlines(), got.splitlines())
           if e != g]
    if bad or len(got.splitlines()) != len(cases):
        for (v, dec), e, g in bad[:20]:
            print("  %r at %d decimals: expected %s, got %s" % (v, dec, e, g))
        sys.exit("check_fixed9: %d of %d cases differ" % (len(bad), len(cases)))
    print("format_float: %d values at %s decimals, all equal to Python's '%%.*f'"
          % (len(cases) // len(DECIMALS), DECIMALS))


if __name__ == "__main__":
    main()
