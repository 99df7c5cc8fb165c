"""The layer order of docs/architecture.md, kept: imports run one way, down, and never in a circle.

Every module of ``src/runload`` is read with ``ast`` (nothing is imported), and every import of a
runload module counts, at the top of the file or inside a function: an import hidden in a
function still ties the two modules together. A module may import from its own layer or a lower
one, never from a higher one, and no two modules may reach each other through their imports.

``CLIMBS`` lists the imports against the order that are still there, each with why; it can only
shrink: an entry that no longer occurs fails the test, so it is taken out when it is fixed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"

# Lowest first; each layer lists modules or packages (a package holds its submodules).
# docs/architecture.md says what each layer is for; keep the two in step.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("definitions", ("runload", "runload.errors", "runload.units", "runload.models", "runload.calendar",
                     "runload.textsafe", "runload.textfile", "runload.outfile",
                     "runload.bounds", "runload.athletes", "runload.shoes")),
    ("config", ("runload.config", "runload.places")),
    ("store", ("runload.store",)),
    ("load, ingest", ("runload.load", "runload.ingest")),
    ("pain", ("runload.pain",)),
    ("rules", ("runload.rules",)),
    ("limits", ("runload.limits",)),
    ("assess", ("runload.assess",)),
    ("plan, evaluate", ("runload.plan", "runload.evaluate")),
    ("report", ("runload.report",)),
    ("session", ("runload.session", "runload.batch.engines")),
    ("mail, web, batch", ("runload.mail", "runload.web", "runload.batch", "runload.config_check")),
    ("cli", ("runload.cli", "runload.__main__")),
]

# (importer, imported): why the import still runs up. Fixed ones are taken out (the test says so).
CLIMBS: dict[tuple[str, str], str] = {}

# Imports the order allows but the design does not: (importer package, imported module): why.
NEVER: dict[tuple[str, str], str] = {
    ("runload.report", "runload.store"): "report renders an Assessment; the session edge reads the store",
}


def modules() -> dict[str, Path]:
    """Every runload module by dotted name (a package by its own name)."""
    out = {}
    for path in sorted((SRC / "runload").rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


MODULES = modules()


def _owner(name: str) -> str | None:
    """The module a dotted name lives in: itself, or the nearest enclosing module."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def imports(name: str) -> Iterator[tuple[str, int]]:
    """(imported runload module, line) for every import in module ``name``, wherever it stands."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package
                for _ in range(node.level - 1):
                    up = up.rpartition(".")[0]
                base = f"{up}.{base}" if base else up
            # ``from runload.report import fmt`` imports the submodule runload.report.fmt
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base for a in node.names]
        else:
            continue
        for target in targets:
            if target == "runload" or target.startswith("runload."):
                owner = _owner(target)
                if owner is not None and owner != name:
                    yield owner, node.lineno


def layer_of(name: str) -> int | None:
    """The index in LAYERS of the layer that holds ``name`` (the longest matching entry wins)."""
    best: tuple[int, int] | None = None
    for index, (_, members) in enumerate(LAYERS):
        for member in members:
            holds = name == member or (member != "runload" and name.startswith(member + "."))
            if holds and (best is None or len(member) > best[0]):
                best = (len(member), index)
    return None if best is None else best[1]


GRAPH = {name: sorted({target for target, _ in imports(name)}) for name in MODULES}


def test_every_module_has_a_layer():
    assert [name for name in MODULES if layer_of(name) is None] == []


def test_imports_run_down_the_layers():
    climbs = {}
    for name in MODULES:
        for target, line in imports(name):
            if layer_of(target) > layer_of(name) and (name, target) not in CLIMBS:
                climbs.setdefault(f"{name} ({LAYERS[layer_of(name)][0]}) -> {target} "
                                  f"({LAYERS[layer_of(target)][0]})", []).append(line)
    assert climbs == {}, "imports that run up a layer (module: lines):\n" + "\n".join(
        f"  {k}: {v}" for k, v in climbs.items())


def test_the_list_of_climbs_left_only_shrinks():
    for (name, target), reason in CLIMBS.items():
        assert reason
        assert target in GRAPH.get(name, []), f"{name} -> {target} no longer occurs: take it out of CLIMBS"
        assert layer_of(target) > layer_of(name), f"{name} -> {target} runs down now: take it out of CLIMBS"


def test_report_never_touches_the_store():
    found = [(name, target) for name in MODULES for target in GRAPH[name] for (low, banned) in NEVER
             if (name == low or name.startswith(low + ".")) and target == banned]
    assert found == []


def circles(graph: dict[str, list[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph.get(child, []))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                if len(group) > 1:
                    found.append(sorted(group))
    return found


def test_no_module_reaches_itself_through_its_imports():
    assert circles(GRAPH) == []


def test_the_circle_finder_finds_a_circle():
    # the check above can fail: a two-module and a three-module circle are found, a chain is not
    graph = {"a": ["b"], "b": ["a", "c"], "c": ["d"], "d": ["e"], "e": ["c"], "f": ["a"]}
    assert sorted(circles(graph)) == [["a", "b"], ["c", "d", "e"]]


def test_the_scan_sees_imports_inside_functions_and_relative_ones():
    # a climb hidden in a function body counts: the metric adapters once imported the rule
    # context from load/; every import form resolves to the module it names
    assert "runload.rules.context" in GRAPH["runload.rules.load_metrics"]
    assert "runload.report.fmt" in GRAPH["runload.report.html"]  # from runload.report import fmt
    inside = [t for t, line in imports("runload.cli.config")]
    assert "runload.config_check" in inside  # imported inside the command's function
