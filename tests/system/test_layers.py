"""Package boundaries, read from the source: every import statement in engine/ and tui/
(module-level, function-local, under `if TYPE_CHECKING:`, relative or absolute) is an edge of the
module graph, and the graph must respect the layer table, have no cycles, keep the CLI a leaf
and keep ccxt out of the Textual app (what really loads, in a subprocess:
tests/system/test_what_loads.py)."""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support import ROOT

# Lowest first. A module may import from its own layer and the layers below it, never above.
# A name matches itself and everything under it (`engine.ledger` covers engine.ledger.lots);
# the most specific name wins.
LAYERS: list[tuple[str, ...]] = [
    ("engine.core",),
    ("engine.config", "engine.ledger", "engine.tax", "engine.imports"),
    ("engine.store",),
    ("engine.api", "engine.exchanges"),
    ("engine.planning", "engine.demo"),
    ("engine.reports", "engine.monitor", "engine.review"),
    ("tui",),
]
# Empty package roots: importable from anywhere, they import nothing themselves.
ROOT_PACKAGES = frozenset({"engine"})
PACKAGES = ("engine", "tui")

CLI = "tui.cli"  # only the CLI itself and the `python -m tui` entry may import it
CLI_IMPORTERS = ("tui.cli", "tui.__main__")
APP = "tui"  # the Textual app: tui minus the CLI and the entry module
APP_FORBIDDEN = ("ccxt", "engine.exchanges")
UI_LIBRARIES = ("textual", "rich", "textual_plotext")


@dataclass(frozen=True, order=True)
class Edge:
    importer: str
    target: str  # the module imported: the submodule for `from package import submodule`
    line: int


def within(name: str, prefixes: Iterable[str]) -> bool:
    """`name` is one of `prefixes` or inside one of them (dotted-name prefix, not string prefix)."""
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def layer_of(module: str, layers: list[tuple[str, ...]] = LAYERS) -> int | None:
    """The layer index of a module (-1 for an empty package root), None when the table has none."""
    if module in ROOT_PACKAGES:
        return -1
    best: tuple[int, int] | None = None  # (length of the matching name, layer)
    for index, names in enumerate(layers):
        for name in names:
            if within(module, [name]) and (best is None or len(name) > best[0]):
                best = (len(name), index)
    return None if best is None else best[1]


def source_modules(root: Path = ROOT, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Every module of the packages, by dotted name, found by walking the files (nothing is
    imported). A package is its __init__.py."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if "__pycache__" in parts:
                continue
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def resolve_relative(module: str, is_package: bool, level: int, name: str | None) -> str:
    """The absolute name `from <level dots><name> import ...` means inside `module`."""
    if level == 0:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join([*base, *([name] if name else [])])


def imports_in(module: str, source: str, is_package: bool, known: Iterable[str]) -> Iterator[Edge]:
    """Every module `source` imports, wherever the statement sits. `from p import x` names the
    submodule p.x when there is one, else p; `importlib.import_module("literal")` counts too."""
    known = set(known)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Edge(module, alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            base = resolve_relative(module, is_package, node.level, node.module)
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                yield Edge(module, submodule if submodule in known else base, node.lineno)
        elif (
            isinstance(node, ast.Call)
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None)) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield Edge(module, node.args[0].value, node.lineno)


def all_edges(modules: dict[str, Path]) -> list[Edge]:
    edges: set[Edge] = set()
    for module, path in modules.items():
        is_package = path.name == "__init__.py"
        edges.update(imports_in(module, path.read_text(encoding="utf-8"), is_package, modules))
    return sorted(edges)


def internal_graph(edges: Iterable[Edge], modules: Iterable[str]) -> dict[str, set[str]]:
    """importer -> the modules of the project it imports (third-party targets left out)."""
    graph: dict[str, set[str]] = {module: set() for module in modules}
    for edge in edges:
        if edge.target in graph and edge.target != edge.importer:
            graph[edge.importer].add(edge.target)
    return graph


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected component that has one, as a path that starts and ends
    on the same module (Tarjan's algorithm, iterative; then a shortest way back inside the SCC)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[set[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: set[str] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph.get(node, ()):
                    components.append(component)
    return [cycle_through(graph, min(component), component) for component in components]


def cycle_through(graph: dict[str, set[str]], start: str, allowed: set[str]) -> list[str]:
    """A shortest path start -> ... -> start using only `allowed` nodes."""
    previous: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(graph.get(node, ())):
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(previous[path[-1]])
                return [start, *reversed(path[:-1]), start] if len(path) > 1 else [start, start]
            if child in allowed and child not in previous:
                previous[child] = node
                queue.append(child)
    raise AssertionError(f"{start} is on no cycle")  # pragma: no cover - callers pass an SCC


def shortest_path(graph: dict[str, set[str]], start: str, goal: Iterable[str]) -> list[str] | None:
    goals = tuple(goal)
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if within(node, goals):
            path = [node]
            while (parent := previous[path[-1]]) is not None:
                path.append(parent)
            return path[::-1]
        for child in sorted(graph.get(node, ())):
            if child not in previous:
                previous[child] = node
                queue.append(child)
    return None


# --- what each rule finds (kept apart from the tests so the self-tests can drive them) --------


def layer_violations(edges: Iterable[Edge], layers: list[tuple[str, ...]] = LAYERS) -> list[str]:
    found = []
    for edge in edges:
        if not within(edge.target, PACKAGES):
            continue
        mine, theirs = layer_of(edge.importer, layers), layer_of(edge.target, layers)
        if mine is not None and theirs is not None and theirs > mine:
            found.append(
                f"{edge.importer} (layer {mine}) imports {edge.target} (layer {theirs}), line {edge.line}"
            )
    return found


def cli_violations(edges: Iterable[Edge]) -> list[str]:
    return [
        f"{edge.importer} imports {edge.target}, line {edge.line}"
        for edge in edges
        if within(edge.target, [CLI]) and not within(edge.importer, CLI_IMPORTERS)
    ]


def app_modules(modules: Iterable[str]) -> list[str]:
    return sorted(m for m in modules if within(m, [APP]) and not within(m, CLI_IMPORTERS))


def app_violations(edges: list[Edge], modules: Iterable[str]) -> list[str]:
    """Each app module that reaches ccxt or engine.exchanges, with the way it gets there: direct
    imports, and imports through any other module (function-local ones included)."""
    modules = list(modules)
    graph = internal_graph(edges, modules)
    for edge in edges:  # the forbidden third-party names join the graph as leaves
        if within(edge.target, APP_FORBIDDEN) and edge.target not in graph:
            graph[edge.importer].add(edge.target)
    found = []
    for module in app_modules(modules):
        path = shortest_path(graph, module, APP_FORBIDDEN)
        if path is not None:
            found.append(" -> ".join(path))
    return found


MODULES = source_modules()
EDGES = all_edges(MODULES)


# --- the contract -----------------------------------------------------------------------------


def test_the_walk_sees_the_whole_tree():
    assert {"engine.api", "engine.ledger.lots", "tui.app", "tui.cli.main", "tui.__main__"} <= set(MODULES)
    assert [e.target for e in EDGES if e.importer == "tui.__main__" and within(e.target, [CLI])]


def test_every_module_has_a_layer():
    assert [m for m in MODULES if layer_of(m) is None] == []


def test_modules_import_only_their_own_layer_or_lower():
    assert layer_violations(EDGES) == []


def test_no_import_cycles():
    assert [" -> ".join(cycle) for cycle in find_cycles(internal_graph(EDGES, MODULES))] == []


def test_only_the_cli_and_the_entry_module_import_the_cli():
    assert cli_violations(EDGES) == []


def test_the_textual_app_reaches_neither_ccxt_nor_the_exchanges_package():
    assert app_violations(EDGES, MODULES) == []


def test_the_engine_source_never_imports_a_ui_library():
    found = [e for e in EDGES if within(e.importer, ["engine"]) and within(e.target, UI_LIBRARIES)]
    assert found == []


# --- the checker can fail ---------------------------------------------------------------------


def test_relative_and_local_imports_are_resolved():
    source = (
        "from . import sibling\n"
        "from .. import top\n"
        "from .inner import thing\n"
        "def f():\n"
        "    import ccxt.pro\n"
        "    from engine.core import fixedpoint\n"
        "if TYPE_CHECKING:\n"
        "    from engine.ledger.records import OpenLot\n"
        "importlib.import_module('engine.store.store')\n"
    )
    known = {"pkg.sub.sibling", "pkg.sub.inner", "engine.core.fixedpoint", "engine.ledger.records"}
    targets = {e.target for e in imports_in("pkg.sub.mod", source, False, known)}
    assert targets == {
        "pkg.sub.sibling",
        "pkg",  # `top` is not a known module: the package itself
        "pkg.sub.inner",
        "ccxt.pro",
        "engine.core.fixedpoint",
        "engine.ledger.records",
        "engine.store.store",
    }
    assert {e.target for e in imports_in("pkg.sub", "from . import x", True, {"pkg.sub.x"})} == {"pkg.sub.x"}


def test_layer_of_picks_the_most_specific_name():
    layers = [("a",), ("a.b", "c")]
    assert (layer_of("a.x"), layer_of("a.b.y", layers), layer_of("a.bc", layers)) == (None, 1, 0)
    assert layer_of("engine.ledger.lots") == 1
    assert layer_of("engine.apiary") is None  # a name prefix, not a package prefix
    assert layer_of("tui.cli.main") == len(LAYERS) - 1


def test_the_layer_rule_catches_an_upward_import():
    edges = [
        Edge("engine.core.dates", "engine.ledger.lots", 1),  # up: caught
        Edge("engine.ledger.lots", "engine.tax.model", 2),  # same layer: allowed
        Edge("engine.reports.form8949", "engine.core.dates", 3),  # down: allowed
        Edge("engine.core.dates", "polars", 4),  # third-party: not this rule's business
    ]
    assert layer_violations(edges) == [
        "engine.core.dates (layer 0) imports engine.ledger.lots (layer 1), line 1"
    ]


def test_the_cycle_finder_reports_each_cycle_with_its_path():
    graph = {
        "a": {"b"},
        "b": {"c"},
        "c": {"a", "d"},
        "d": set(),
        "e": {"e"},  # imports itself
        "f": {"g"},
        "g": {"f", "d"},
    }
    assert sorted(find_cycles(graph)) == [["a", "b", "c", "a"], ["e", "e"], ["f", "g", "f"]]
    assert find_cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_the_cli_and_app_rules_catch_their_violations():
    edges = [
        Edge("tui.app", "tui.cli.main", 1),
        Edge("tui.cli.main", "tui.cli.demo_command", 2),
        Edge("tui.__main__", "tui.cli.main", 3),
        Edge("tui.screens.main", "tui.session", 4),
        Edge("tui.session", "engine.monitor.monitor", 5),
        Edge("engine.monitor.monitor", "ccxt", 6),
        Edge("tui.cli.demo_command", "engine.exchanges.sync", 7),
    ]
    modules = ["tui.app", "tui.cli.main", "tui.cli.demo_command", "tui.__main__", "tui.screens.main"]
    modules += ["tui.session", "engine.monitor.monitor", "engine.exchanges.sync"]
    assert cli_violations(edges) == ["tui.app imports tui.cli.main, line 1"]
    assert app_violations(edges, modules) == [
        "tui.app -> tui.cli.main -> tui.cli.demo_command -> engine.exchanges.sync",
        "tui.screens.main -> tui.session -> engine.monitor.monitor -> ccxt",
        "tui.session -> engine.monitor.monitor -> ccxt",
    ]


def test_the_transition_scope_is_named_once():
    """engine.api compares lots.basis_scope with its own copy of the transition's name (so a
    report does not import the transition to read it): the two must agree."""
    from engine.api import TRANSITION_SCOPE
    from engine.ledger.transition import SCOPE

    assert TRANSITION_SCOPE == SCOPE
