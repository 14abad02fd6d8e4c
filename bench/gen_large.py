#!/usr/bin/env python3
"""Generate a large, realistic Plat program for the compile-time benchmark.

The program is built from a few function templates (integer loops with
if/else-if chains, for loops with break/continue calling other functions
with named arguments in a different order than declared, string building
with interpolation, Float64 arithmetic with casts, Bool predicates,
defaults and if-expressions, nested Int64 range loops). Functions are
collected into group_N functions that call each of them once and fold the
results into a checksum; main calls every group, so nothing is dead.

Every template also has a Python mirror with Plat's semantics (truncating
division and remainder, wrapping 64-bit integers, IEEE doubles), so the
generator also produces the exact expected stdout and a wrong result can be
told apart from a right one.

Usage: gen_large.py [-o OUT.plat] [--expected OUT.out] [--lines N] [--seed S]
Output is deterministic for given arguments. The program has at least N
lines (default 5000); the exact count is printed to stderr.
"""

import argparse
import random
import sys

P = 1000000007


def wrap64(x):
    x &= (1 << 64) - 1
    return x - (1 << 64) if x >= (1 << 63) else x


def wrap32(x):
    x &= (1 << 32) - 1
    return x - (1 << 32) if x >= (1 << 31) else x


def tdiv(a, b):
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


def tmod(a, b):
    return a - b * tdiv(a, b)


def fmt_float(x):
    s = repr(x)
    assert "e" not in s and "." in s, s
    return s


def subst(template, **kw):
    for k, v in kw.items():
        template = template.replace("@" + k + "@", str(v))
    assert "@" not in template, template
    return template


class Func:
    """One generated function: its Plat text, a Python mirror, and how to
    emit a call to it inside a group (Plat lines + mirror of the effect)."""

    kind = None


# --- templates --------------------------------------------------------------

CALC = """\
// Integer loop with an if/else-if chain on the running value.
fn calc_@I@(a: Int64, b: Int64) -> Int64 {
  var acc: Int64 = a % @M@;
  var k: Int64 = 0;
  while (k < b) {
    acc = (acc * @C1@ + k) % @M@;
    if (acc % 3 == 0) {
      acc = acc + @C2@;
    } else if (acc % 3 == 1) {
      acc = acc - @C3@;
    } else {
      acc = acc + k * @C4@;
    }
    k = k + 1;
  }
  let result: Int64 = acc * @C5@ + b;
  return result;
}
"""


def make_calc(i, rng, funcs):
    f = Func()
    f.kind = "calc"
    f.name = "calc_%d" % i
    M = rng.randrange(1000, 100000)
    c1, c2, c3, c4, c5 = (rng.randrange(2, 97) for _ in range(5))
    f.text = subst(CALC, I=i, M=M, C1=c1, C2=c2, C3=c3, C4=c4, C5=c5)

    def py(a, b):
        acc = tmod(a, M)
        k = 0
        while k < b:
            acc = tmod(acc * c1 + k, M)
            r = tmod(acc, 3)
            if r == 0:
                acc = acc + c2
            elif r == 1:
                acc = acc - c3
            else:
                acc = acc + k * c4
            k += 1
        return wrap64(acc * c5 + b)

    f.py = py
    b = rng.randrange(3, 40)

    def call(v, st):
        lines = [
            "  let %s: Int64 = %s(a = check, b = %d);" % (v, f.name, b),
            "  check = (check + %s) %% %d;" % (v, P),
        ]
        r = py(st["check"], b)
        st["check"] = tmod(st["check"] + r, P)
        if rng.random() < 0.3:
            lines.append('  print(value = "%s -> ${%s}");' % (f.name, v))
            st["out"].append("%s -> %d" % (f.name, r))
        return lines

    f.call = call
    return f


MIX = """\
// For loop with continue and break; calls @CALLEE@ with its arguments
// in the opposite order to the declaration.
fn mix_@I@(n: Int32, seed: Int64) -> Int64 {
  var total: Int64 = seed;
  for (j: Int32 in 0..n) {
    if (j % @S@ == @T@) {
      continue;
    }
    let wide: Int64 = cast(value = j, target = Int64);
    total = total + wide * @C1@;
    if (total > @LIM@) {
      total = total % @LIM2@;
    }
    if (total == @STOP@) {
      break;
    }
  }
  let inner: Int64 = @CALLEE@(b = @BB@, a = total);
  return (total + inner) % @M@;
}
"""


def make_mix(i, rng, funcs):
    calcs = [g for g in funcs if g.kind == "calc"]
    if not calcs:
        return None
    callee = rng.choice(calcs)
    f = Func()
    f.kind = "mix"
    f.name = "mix_%d" % i
    s = rng.randrange(3, 9)
    t = rng.randrange(0, s)
    c1 = rng.randrange(3, 500)
    lim = rng.randrange(10000, 90000)
    lim2 = rng.randrange(1000, lim)
    stop = rng.randrange(100, 5000)
    bb = rng.randrange(2, 20)
    M = rng.randrange(10000, 10000000)
    f.text = subst(MIX, I=i, S=s, T=t, C1=c1, LIM=lim, LIM2=lim2, STOP=stop,
                   CALLEE=callee.name, BB=bb, M=M)

    def py(n, seed):
        total = seed
        for j in range(n):
            if tmod(j, s) == t:
                continue
            total = total + j * c1
            if total > lim:
                total = tmod(total, lim2)
            if total == stop:
                break
        inner = callee.py(total, bb)
        return tmod(wrap64(total + inner), M)

    f.py = py
    n = rng.randrange(5, 60)

    def call(v, st):
        lines = [
            "  let %s: Int64 = %s(seed = check, n = %d);" % (v, f.name, n),
            "  check = (check + %s) %% %d;" % (v, P),
        ]
        r = py(n, st["check"])
        st["check"] = tmod(st["check"] + r, P)
        if rng.random() < 0.3:
            lines.append('  print(value = "%s(n = %d) = ${%s}");' % (f.name, n, v))
            st["out"].append("%s(n = %d) = %d" % (f.name, n, r))
        return lines

    f.call = call
    return f


LABEL = """\
// String building with interpolation of names and expressions.
fn label_@I@(n: Int32, tag: String) -> String {
  var out: String = "";
  var j: Int32 = 0;
  while (j < n) {
    if (j % @P@ == 0) {
      out = out + "${tag}${j}";
    } else if (j % @P@ == 1) {
      out = out + "@SEP@";
    } else {
      out = out + "${j * @C@}.";
    }
    j = j + 1;
  }
  let size: Int32 = out.length();
  return "label_@I@(${n}): [${out}] size ${size}";
}
"""


def make_label(i, rng, funcs):
    f = Func()
    f.kind = "label"
    f.name = "label_%d" % i
    p = rng.randrange(3, 7)
    c = rng.randrange(2, 50)
    sep = rng.choice(["+", "-", ":", "/", "~"])
    f.text = subst(LABEL, I=i, P=p, C=c, SEP=sep)

    def py(n, tag):
        out = ""
        for j in range(n):
            if j % p == 0:
                out += "%s%d" % (tag, j)
            elif j % p == 1:
                out += sep
            else:
                out += "%d." % (j * c)
        return "label_%d(%d): [%s] size %d" % (i, n, out, len(out))

    f.py = py
    n = rng.randrange(2, 14)
    tag = rng.choice(["a", "b", "x", "yz", "k", "tag"])

    def call(v, st):
        s = py(n, tag)
        st["out"].append(s)
        st["check"] = tmod(st["check"] + len(s), P)
        return [
            '  let %s: String = %s(tag = "%s", n = %d);' % (v, f.name, tag, n),
            "  print(value = %s);" % v,
            "  check = (check + cast(value = %s.length(), target = Int64)) %% %d;" % (v, P),
        ]

    f.call = call
    return f


WAVE = """\
// Float64 arithmetic, truncated back to an integer.
fn wave_@I@(x: Float64, steps: Int32) -> Int64 {
  var y: Float64 = x;
  var j: Int32 = 0;
  while (j < steps) {
    if (y > @TH@) {
      y = y * 0.5 - @D@;
    } else {
      y = y * @MUL@ + @D2@;
    }
    j = j + 1;
  }
  return cast(value = y * 1000.0, target = Int64);
}
"""


def make_wave(i, rng, funcs):
    f = Func()
    f.kind = "wave"
    f.name = "wave_%d" % i
    th = rng.randrange(10, 400) / 4.0
    d = rng.randrange(1, 40) / 8.0
    mul = rng.randrange(2, 8) / 8.0
    d2 = rng.randrange(1, 100) / 16.0
    f.text = subst(WAVE, I=i, TH=fmt_float(th), D=fmt_float(d), MUL=fmt_float(mul),
                   D2=fmt_float(d2))

    def py(x, steps):
        y = x
        for _ in range(steps):
            if y > th:
                y = y * 0.5 - d
            else:
                y = y * mul + d2
        return int(y * 1000.0)

    f.py = py
    x = rng.randrange(0, 1000) / 10.0
    steps = rng.randrange(3, 30)

    def call(v, st):
        r = py(x, steps)
        st["check"] = tmod(st["check"] + r, P)
        lines = [
            "  let %s: Int64 = %s(steps = %d, x = %s);" % (v, f.name, steps, fmt_float(x)),
            "  check = (check + %s) %% %d;" % (v, P),
        ]
        if rng.random() < 0.3:
            lines.append('  print(value = "%s: ${%s}");' % (f.name, v))
            st["out"].append("%s: %d" % (f.name, r))
        return lines

    f.call = call
    return f


ODD = """\
// A Bool predicate with and/or/not.
fn odd_@I@(n: Int64) -> Bool {
  return n % @P@ == @R@ or (n > @BIG@ and not (n % 2 == 0));
}
"""


def make_odd(i, rng, funcs):
    f = Func()
    f.kind = "odd"
    f.name = "odd_%d" % i
    p = rng.randrange(3, 13)
    r = rng.randrange(0, p)
    big = rng.randrange(50, 5000)
    f.text = subst(ODD, I=i, P=p, R=r, BIG=big)

    def py(n):
        return tmod(n, p) == r or (n > big and not (tmod(n, 2) == 0))

    f.py = py
    inc = rng.randrange(1, 1000)

    def call(v, st):
        b = py(st["check"])
        st["out"].append("%s: %s" % (f.name, "true" if b else "false"))
        if b:
            st["check"] = st["check"] + inc
        else:
            st["check"] = st["check"] - 1
        return [
            "  let %s: Bool = %s(n = check);" % (v, f.name),
            '  print(value = "%s: ${%s}");' % (f.name, v),
            "  if (%s) {" % v,
            "    check = check + %d;" % inc,
            "  } else {",
            "    check = check - 1;",
            "  }",
        ]

    f.call = call
    return f


PICK = """\
// Default arguments and a multi-branch if-expression.
fn pick_@I@(value: Int64, low: Int64 = @LO@, high: Int64 = @HI@) -> Int64 {
  let span: Int64 = high - low;
  let v: Int64 = if (value < low) {
    low + @A@
  } else if (value > high) {
    let over: Int64 = value - high;
    high - over % @Q@
  } else {
    value + span / @D@
  };
  return v;
}
"""


def make_pick(i, rng, funcs):
    f = Func()
    f.kind = "pick"
    f.name = "pick_%d" % i
    lo = rng.randrange(0, 1000)
    hi = lo + rng.randrange(100, 100000)
    a = rng.randrange(1, 100)
    q = rng.randrange(2, 1000)
    d = rng.randrange(2, 10)
    f.text = subst(PICK, I=i, LO=lo, HI=hi, A=a, Q=q, D=d)

    def py(value, low=lo, high=hi):
        span = high - low
        if value < low:
            return low + a
        if value > high:
            return high - tmod(value - high, q)
        return value + tdiv(span, d)

    f.py = py
    mode = rng.randrange(3)
    hi2 = rng.randrange(50000, 500000)

    def call(v, st):
        if mode == 0:
            expr = "%s(value = check)" % f.name
            r = py(st["check"])
        elif mode == 1:
            expr = "%s(high = %d, value = check)" % (f.name, hi2)
            r = py(st["check"], high=hi2)
        else:
            expr = "%s(low = 0, value = check %% 1000)" % f.name
            r = py(tmod(st["check"], 1000), low=0)
        st["check"] = tmod(st["check"] + r, P)
        return [
            "  let %s: Int64 = %s;" % (v, expr),
            "  check = (check + %s) %% %d;" % (v, P),
        ]

    f.call = call
    return f


GRID = """\
// Nested for loops over Int64 ranges calling a predicate.
fn grid_@I@(rows: Int64, cols: Int64) -> Int64 {
  var sum: Int64 = 0;
  for (r: Int64 in 0..rows) {
    for (c: Int64 in 1..=cols) {
      if (@PRED@(n = r * c + @C1@)) {
        sum = sum + r * @C2@ + c;
      } else {
        sum = sum - c;
      }
    }
  }
  return sum;
}
"""


def make_grid(i, rng, funcs):
    odds = [g for g in funcs if g.kind == "odd"]
    if not odds:
        return None
    pred = rng.choice(odds)
    f = Func()
    f.kind = "grid"
    f.name = "grid_%d" % i
    c1 = rng.randrange(0, 100)
    c2 = rng.randrange(1, 50)
    f.text = subst(GRID, I=i, PRED=pred.name, C1=c1, C2=c2)

    def py(rows, cols):
        s = 0
        for r in range(rows):
            for c in range(1, cols + 1):
                if pred.py(r * c + c1):
                    s = s + r * c2 + c
                else:
                    s = s - c
        return s

    f.py = py
    rows = rng.randrange(2, 12)
    cols = rng.randrange(2, 12)

    def call(v, st):
        r = py(rows, cols)
        st["check"] = tmod(st["check"] + r, P)
        st["out"].append("%s %dx%d: %d" % (f.name, rows, cols, r))
        return [
            "  let %s: Int64 = %s(cols = %d, rows = %d);" % (v, f.name, cols, rows),
            '  print(value = "%s %dx%d: ${%s}");' % (f.name, rows, cols, v),
            "  check = (check + %s) %% %d;" % (v, P),
        ]

    f.call = call
    return f


MAKERS = [make_calc, make_mix, make_label, make_wave, make_odd, make_pick, make_grid]
GROUP_SIZE = 12


def generate(n_funcs, seed):
    """Returns (source text, expected stdout) for n_funcs functions."""
    funcs = []
    i = 0
    while len(funcs) < n_funcs:
        rng = random.Random(seed * 1000003 + i)
        f = MAKERS[i % len(MAKERS)](i, rng, funcs)
        if f is not None:
            f.rng = rng
            funcs.append(f)
        i += 1

    parts = [
        "// Generated by bench/gen_large.py (%d functions, seed %d): a compile-time\n"
        "// benchmark input. Do not edit; regenerate instead.\n" % (n_funcs, seed)
    ]
    parts += [f.text for f in funcs]

    out = []
    groups = []
    main = ["fn main() {", "  var total: Int64 = 0;"]
    total = 0
    for g in range(0, len(funcs), GROUP_SIZE):
        gi = g // GROUP_SIZE
        gseed = 17 + 31 * gi
        st = {"check": gseed, "out": out}
        body = [
            "// Calls each function of group %d once and folds the results." % gi,
            "fn group_%d(seed: Int64) -> Int64 {" % gi,
            "  var check: Int64 = seed;",
        ]
        for k, f in enumerate(funcs[g:g + GROUP_SIZE]):
            body += f.call("r%d" % k, st)
        body += ["  return check;", "}", ""]
        groups.append("\n".join(body))
        res = st["check"]
        out.append("group %d: %d" % (gi, res))
        main += [
            "  let g%d: Int64 = group_%d(seed = %d);" % (gi, gi, gseed),
            '  print(value = "group %d: ${g%d}");' % (gi, gi),
            "  total = (total + g%d) %% %d;" % (gi, P),
        ]
        total = tmod(total + res, P)
    main += ['  print(value = "total: ${total}");', "}", ""]
    out.append("total: %d" % total)
    parts += groups
    parts.append("\n".join(main))
    return "\n".join(parts), "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-o", "--output", default="-")
    ap.add_argument("--expected", help="write the expected stdout here")
    ap.add_argument("--lines", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    # Grow the function count until the program reaches the line target.
    n = max(8, args.lines // 20)
    while True:
        src, expected = generate(n, args.seed)
        lines = src.count("\n")
        if lines >= args.lines:
            break
        n += max(1, (args.lines - lines) // 22)
    if args.output == "-":
        sys.stdout.write(src)
    else:
        with open(args.output, "w") as fh:
            fh.write(src)
    if args.expected:
        with open(args.expected, "w") as fh:
            fh.write(expected)
    print("%d lines, %d functions" % (lines, n), file=sys.stderr)


if __name__ == "__main__":
    main()
