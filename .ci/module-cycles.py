#!/usr/bin/env python3
"""Finds module import circles inside each crate of the workspace.

A module A depends on module B when A's source names a path into B
(`use crate::b::X`, `super::b::f()`, `crate::X` where the crate root
re-exports X from b). Dependencies between a module and one of its
ancestors are not counted: a child using its parent's items (tests, private
helpers) is how Rust modules nest. Any strongly connected set of two or more
modules is a circle and is printed; the exit status is 1 if there is one.

Also fails on a source file longer than MAX_LINES.

Usage: .ci/module-cycles.py [ROOT]   (default: the repository root)
"""
import os
import re
import sys

MAX_LINES = 600
ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..")
CRATE_DIRS = ["harness", "scenarios"]


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    # string literals can hold `crate::` in messages
    text = re.sub(r'"(?:\\.|[^"\\])*"', '""', text)
    return text


def expand_use_tree(tree):
    """`a::{b, c::{d, e}}` -> ['a::b', 'a::c::d', 'a::c::e']."""
    tree = tree.strip()
    depth = 0
    for i, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                prefix = tree[:i]
                inner = tree[i + 1 : tree.rindex("}")]
                parts, buf, d = [], "", 0
                for c in inner:
                    if c == "{":
                        d += 1
                    elif c == "}":
                        d -= 1
                    if c == "," and d == 0:
                        parts.append(buf)
                        buf = ""
                    else:
                        buf += c
                parts.append(buf)
                out = []
                for p in parts:
                    p = p.strip()
                    if not p:
                        continue
                    for e in expand_use_tree(p):
                        out.append(prefix + e if e != "self" else prefix.rstrip(":"))
                return out
            depth += 1
    return [re.sub(r"\s+as\s+\w+$", "", tree)]


class Crate:
    def __init__(self, src):
        self.src = src
        self.modules = {}  # module path tuple -> file
        self.reexports = {}  # (module, name) -> module path tuple it points into

    def collect(self, file, path):
        self.modules[path] = file
        text = strip_comments(open(file, encoding="utf-8").read())
        base = os.path.dirname(file)
        stem = os.path.splitext(os.path.basename(file))[0]
        child_dir = base if stem in ("lib", "main", "mod") else os.path.join(base, stem)
        for m in re.finditer(r'(?:#\[path\s*=\s*""\]\s*)?(?:pub(?:\([^)]*\))?\s+)?mod\s+(\w+)\s*;', text):
            name = m.group(1)
            for cand in (os.path.join(child_dir, name + ".rs"), os.path.join(child_dir, name, "mod.rs")):
                if os.path.exists(cand):
                    self.collect(cand, path + (name,))
                    break

    def texts(self):
        for path, file in self.modules.items():
            yield path, strip_comments(open(file, encoding="utf-8").read())


def resolve(crate, here, raw):
    """The module path a reference lands in, or None."""
    segs = [s for s in raw.split("::") if s]
    if not segs:
        return None
    if segs[0] == "crate":
        cur, segs = (), segs[1:]
    elif segs[0] in ("super", "self"):
        cur = here
        while segs and segs[0] in ("super", "self"):
            if segs[0] == "super":
                cur = cur[:-1]
            segs = segs[1:]
    else:
        return None
    # walk as deep as modules exist
    while segs and cur + (segs[0],) in crate.modules:
        cur, segs = cur + (segs[0],), segs[1:]
    # follow one level of re-export (`pub use a::X` in cur)
    seen = set()
    while segs and (cur, segs[0]) in crate.reexports and (cur, segs[0]) not in seen:
        seen.add((cur, segs[0]))
        cur = crate.reexports[(cur, segs[0])]
    return cur


def crate_graph(crate):
    texts = dict(crate.texts())
    # re-exports first
    for path, text in texts.items():
        for m in re.finditer(r"pub(?:\([^)]*\))?\s+use\s+([^;]+);", text):
            for full in expand_use_tree(m.group(1)):
                segs = full.split("::")
                name = segs[-1].strip()
                target_raw = full if segs[0] in ("crate", "super", "self") else "self::" + full
                target = resolve(crate, path, "::".join(target_raw.split("::")[:-1]))
                if target is not None and target != path:
                    crate.reexports[(path, name)] = target
    edges = {p: set() for p in crate.modules}
    for path, text in texts.items():
        refs = []
        for m in re.finditer(r"\buse\s+([^;]+);", text):
            tree = m.group(1)
            if tree.split("::")[0].strip() in ("crate", "super", "self"):
                refs.extend(expand_use_tree(tree))
            elif not tree.startswith(("std", "core")):
                # `use foo::Bar` with foo a child module
                refs.extend("self::" + t for t in expand_use_tree(tree))
        refs += re.findall(r"\b(?:crate|super)(?:::\w+)+", text)
        for r in refs:
            target = resolve(crate, path, r)
            if target is None or target == path:
                continue
            if target[: len(path)] == path or path[: len(target)] == target:
                continue  # ancestor or descendant
            edges[path].add(target)
    return edges


def sccs(edges):
    index, low, stack, on, out, i = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = i[0]
        i[0] += 1
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            out.append(comp)

    sys.setrecursionlimit(10000)
    for v in list(edges):
        if v not in index:
            visit(v)
    return [c for c in out if len(c) > 1]


def lift(edges):
    """Edges between the modules' ancestors at each level too: a circle
    between `a::x` and `b::y` is a circle between `a` and `b`."""
    lifted = {}
    for src, dsts in edges.items():
        for dst in dsts:
            # the first differing level under the common ancestor
            k = 0
            while k < min(len(src), len(dst)) and src[k] == dst[k]:
                k += 1
            a, b = src[: k + 1], dst[: k + 1]
            if a != b and len(a) == k + 1 and len(b) == k + 1:
                lifted.setdefault(a, set()).add(b)
                lifted.setdefault(b, set())
    return lifted


def target_roots(d):
    """The root file of each target in a target directory: `x.rs` or `x/main.rs`."""
    if not os.path.isdir(d):
        return []
    found = []
    for f in sorted(os.listdir(d)):
        if f.endswith(".rs"):
            found.append(os.path.join(d, f))
        elif os.path.exists(os.path.join(d, f, "main.rs")):
            found.append(os.path.join(d, f, "main.rs"))
    return found


def main():
    root = os.path.abspath(ROOT)
    failures = 0
    for top in CRATE_DIRS:
        for name in sorted(os.listdir(os.path.join(root, top))):
            crate_dir = os.path.join(root, top, name)
            for dirpath, _, files in os.walk(crate_dir):
                if "/target" in dirpath:
                    continue
                for f in files:
                    if f.endswith(".rs"):
                        p = os.path.join(dirpath, f)
                        n = sum(1 for _ in open(p, encoding="utf-8"))
                        if n > MAX_LINES:
                            print(f"{os.path.relpath(p, root)}: {n} lines (more than {MAX_LINES})")
                            failures += 1
            roots = []
            src = os.path.join(crate_dir, "src")
            for cand in ("lib.rs", "main.rs"):
                if os.path.exists(os.path.join(src, cand)):
                    roots.append(os.path.join(src, cand))
            for d in [os.path.join(src, "bin")] + [
                os.path.join(crate_dir, sub) for sub in ("tests", "benches", "examples")
            ]:
                roots.extend(target_roots(d))
            for r in roots:
                crate = Crate(src)
                crate.collect(r, ())
                edges = crate_graph(crate)
                found = set()
                for level in (edges, lift(edges)):
                    for comp in sccs(level):
                        found.add(tuple(sorted("::".join(c) or "(root)" for c in comp)))
                for names in sorted(found):
                    print(f"{os.path.relpath(r, root)}: module circle: {' <-> '.join(names)}")
                    failures += 1
    if failures:
        sys.exit(1)
    print("no module circles, no file over", MAX_LINES, "lines")


if __name__ == "__main__":
    main()
