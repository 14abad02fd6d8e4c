#!/usr/bin/env python3
"""Checks the TextMate grammar of editors/vscode against Plat sources.

    editors/check_grammar.py [FILE.plat ...]   (default: examples/, stdlib/
                                                and tests/run/ of the repo)

Runs the grammar with a small TextMate tokenizer (match / begin-end rules,
captures, includes, nesting across lines; Python's `re` stands in for
Oniguruma, which the grammar's patterns do not go beyond), and compares
every character's scopes with a reference lexer of Plat (spec section 2:
`//` and `/* */` comments, strings with escapes and `${...}`
interpolation nesting braces and strings, numbers, keywords):

- characters of comments must be in a `comment` scope, those of string
  text in a `string` scope, those of interpolated code in
  `meta.interpolation` (and not in a comment);
- every keyword of the language in code gets a `keyword`, `constant` or
  `variable.language` scope, numbers a `constant.numeric` scope;
- no begin/end rule is left open at the end of a file.

Prints each mismatch with its file, line and column; exits 1 if any.
"""

import json
import pathlib
import re
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
GRAMMAR = ROOT / "editors/vscode/syntaxes/plat.tmLanguage.json"

KEYWORDS = set(
    "fn let var if else while for in return true false print List Dict Set "
    "enum match mut class init self virtual override super mod use type "
    "newtype test bench cast pub concurrent spawn and or not break continue".split()
)


# ---------------------------------------------------------------- grammar


class Rule:
    def __init__(self, raw, repo):
        self.raw = raw
        self.repo = repo
        self.name = raw.get("name")
        self.match = re.compile(raw["match"]) if "match" in raw else None
        self.begin = re.compile(raw["begin"]) if "begin" in raw else None
        self.end = re.compile(raw["end"]) if "end" in raw else None
        self.captures = raw.get("captures", {})
        self.begin_captures = raw.get("beginCaptures", self.captures)
        self.end_captures = raw.get("endCaptures", self.captures)
        self._patterns = None

    def patterns(self):
        """The rules this rule's patterns expand to (includes resolved)."""
        if self._patterns is None:
            self._patterns = expand(self.raw.get("patterns", []), self.repo)
        return self._patterns


def expand(raws, repo):
    out = []
    for raw in raws:
        if "include" in raw:
            target = repo[raw["include"].lstrip("#")]
            if "match" in target.raw or "begin" in target.raw:
                out.append(target)
            else:
                out.extend(target.patterns())
        else:
            out.append(Rule(raw, repo))
    return out


def load_grammar():
    g = json.loads(GRAMMAR.read_text())
    repo = {}
    for key, raw in g["repository"].items():
        repo[key] = Rule(raw, repo)
    top = Rule({"patterns": g["patterns"]}, repo)
    return top


def tokenize(text, top):
    """Per character of `text`, the list of scopes; and the rules still
    open at the end."""
    scopes = [[] for _ in text]
    stack = []  # (rule, scopes of the rule's content)

    def paint(start, end, names):
        for i in range(start, end):
            scopes[i] = list(names)

    def paint_captures(m, caps, base):
        for k, v in caps.items():
            g = int(k)
            if m.start(g) >= 0 and "name" in v:
                paint(m.start(g), m.end(g), base + [v["name"]])

    for line_start, line in line_spans(text):
        pos = line_start
        end_of_line = line_start + len(line)
        while pos <= end_of_line:
            rule, content = stack[-1] if stack else (top, [])
            best = None  # (start, order, kind, rule, match)
            if stack and rule.end:
                m = rule.end.search(text, pos, end_of_line)
                if m:
                    best = (m.start(), -1, "end", rule, m)
            for order, r in enumerate(rule.patterns()):
                rx = r.match or r.begin
                m = rx.search(text, pos, end_of_line)
                if m and (best is None or (m.start(), order) < best[:2]):
                    if m.end() == m.start():
                        continue
                    best = (m.start(), order, "match" if r.match else "begin", r, m)
            if best is None:
                paint(pos, end_of_line, content)
                break
            start, _, kind, r, m = best
            paint(pos, start, content)
            if kind == "end":
                inner = content
                paint(m.start(), m.end(), inner)
                paint_captures(m, r.end_captures, inner)
                stack.pop()
            elif kind == "match":
                base = content + ([r.name] if r.name else [])
                paint(m.start(), m.end(), base)
                paint_captures(m, r.captures, base)
            else:
                base = content + ([r.name] if r.name else [])
                paint(m.start(), m.end(), base)
                paint_captures(m, r.begin_captures, base)
                stack.append((r, base))
            pos = m.end()
            if pos >= end_of_line:
                break
        # The newline belongs to whatever is still open (a block comment,
        # a string with a raw newline).
        if end_of_line < len(text):
            scopes[end_of_line] = list(stack[-1][1]) if stack else []
    return scopes, stack


def line_spans(text):
    start = 0
    for line in text.split("\n"):
        yield start, line
        start += len(line) + 1


# ------------------------------------------------------- reference lexer


def reference(text):
    """Per character: 'comment', 'string', 'interp' (code inside `${}`),
    'code' or 'space'; and the spans of keywords and numbers in code."""
    kind = ["code"] * len(text)
    words = []
    i = 0

    def code(i, depth_stack):
        """Lexes code from i; returns where it stopped (end of text, or
        the `}` closing an interpolation when depth_stack is used)."""
        in_interp = bool(depth_stack)
        braces = 0
        while i < len(text):
            c = text[i]
            if text.startswith("//", i):
                j = text.find("\n", i)
                j = len(text) if j < 0 else j
                for k in range(i, j):
                    kind[k] = "comment"
                i = j
            elif text.startswith("/*", i):
                j = text.find("*/", i + 2)
                j = len(text) if j < 0 else j + 2
                for k in range(i, j):
                    kind[k] = "comment"
                i = j
            elif c == '"':
                i = string(i)
            elif in_interp and c == "{":
                braces += 1
                kind[i] = "interp"
                i += 1
            elif in_interp and c == "}":
                if braces == 0:
                    return i
                braces -= 1
                kind[i] = "interp"
                i += 1
            elif c.isalpha() or c == "_" or c.isdigit():
                j = i
                while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                    j += 1
                # A float: digits '.' digits.
                if c.isdigit() and j < len(text) - 1 and text[j] == "." and text[j + 1].isdigit():
                    j += 1
                    while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                        j += 1
                # An exponent's sign: `1e-7`.
                if (
                    c.isdigit()
                    and text[j - 1] in "eE"
                    and j < len(text) - 1
                    and text[j] in "+-"
                    and text[j + 1].isdigit()
                ):
                    j += 1
                    while j < len(text) and (text[j].isalnum() or text[j] == "_"):
                        j += 1
                word = text[i:j]
                if word in KEYWORDS:
                    words.append(("keyword", i, j, word))
                elif c.isdigit():
                    words.append(("number", i, j, word))
                for k in range(i, j):
                    kind[k] = "interp" if in_interp else "code"
                i = j
            else:
                kind[i] = "space" if c.isspace() else ("interp" if in_interp else "code")
                i += 1
        return i

    def string(i):
        kind[i] = "string"
        i += 1
        while i < len(text):
            c = text[i]
            if c == "\\":
                kind[i] = "string"
                if i + 1 < len(text):
                    kind[i + 1] = "string"
                i += 2
            elif text.startswith("${", i):
                kind[i] = kind[i + 1] = "string"
                j = code(i + 2, [True])
                if j < len(text):
                    kind[j] = "string"
                i = j + 1
            elif c == '"':
                kind[i] = "string"
                return i + 1
            else:
                kind[i] = "string"
                i += 1
        return i

    code(0, [])
    return kind, words


# ------------------------------------------------------------------ check


def position(text, i):
    line = text.count("\n", 0, i) + 1
    col = i - (text.rfind("\n", 0, i) + 1) + 1
    return line, col


def check_file(path, top):
    text = path.read_text()
    scopes, left_open = tokenize(text, top)
    kind, words = reference(text)
    problems = []

    def report(i, what):
        line, col = position(text, i)
        problems.append(f"{path.relative_to(ROOT)}:{line}:{col}: {what}")

    for i, k in enumerate(kind):
        s = " ".join(scopes[i])
        if k == "comment" and "comment" not in s:
            report(i, f"comment text without a comment scope ({s or 'none'})")
        elif k == "string" and "string" not in s:
            report(i, f"string text without a string scope ({s or 'none'})")
        elif k == "interp" and ("meta.interpolation" not in s or "comment" in s):
            report(i, f"interpolated code scoped as {s or 'none'}")
        elif k in ("code",) and ("string" in s or "comment" in s):
            report(i, f"code scoped as {s}")
        if len(problems) > 20:
            break
    for what, start, end, word in words:
        s = " ".join(scopes[start])
        if what == "keyword" and not re.search(r"\b(keyword|constant|variable\.language|support\.type|support\.function)", s):
            report(start, f"keyword `{word}` scoped as {s or 'none'}")
        if what == "number" and "constant.numeric" not in s:
            report(start, f"number `{word}` scoped as {s or 'none'}")
    if left_open:
        report(len(text) - 1, f"{len(left_open)} rule(s) left open at the end of the file")
    return problems


def main():
    top = load_grammar()
    if len(sys.argv) > 1:
        files = [pathlib.Path(a).resolve() for a in sys.argv[1:]]
    else:
        files = sorted(
            p
            for d in ("examples", "stdlib", "tests/run")
            for p in (ROOT / d).rglob("*.plat")
        )
    problems = []
    for f in files:
        problems += check_file(f, top)
    for p in problems[:200]:
        print(p)
    print(f"{len(files)} files checked, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
