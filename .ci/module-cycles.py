#!/usr/bin/env python3
"""Fails when the top-level modules of src/ import each other in a cycle.

The module tree is the pipeline (STYLE.md): config, content, site, markdown, templates,
output, with build, serve and cli above them. A module may use the ones below it, never one
that uses it back. Reads `crate::<module>` paths outside comments and test code.
"""
import collections
import pathlib
import re
import sys

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"
SKIP = {"lib", "main", "fuzz"}


def uses():
    graph = collections.defaultdict(set)
    for path in SRC.rglob("*.rs"):
        rel = path.relative_to(SRC)
        top = rel.parts[0].removesuffix(".rs")
        if top in SKIP or "tests" in rel.stem or "tests" in rel.parts[:-1]:
            continue
        text = path.read_text(encoding="utf-8").split("#[cfg(test)]")[0]
        code = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("//"))
        for used in re.findall(r"crate::([a-z_]+)", code):
            if used != top:
                graph[top].add(used)
    return graph


def cycle(graph):
    """A cycle as a list of modules, or None."""
    state = {}

    def visit(node, stack):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt, stack)
                if found:
                    return found
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node, [])
            if found:
                return found
    return None


found = cycle(uses())
if found:
    print("error: modules import each other in a cycle: " + " -> ".join(found), file=sys.stderr)
    sys.exit(1)
print("no import cycles among the modules of src/")
