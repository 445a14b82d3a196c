"""No import loops among the modules of service/, crossbrief/ and evals/, nor among their subpackages (service.jobs,
service.api ...) or the three packages themselves; and the production packages import no test scaffolding.

An arrow is any import a module makes (at the top or inside a function, not one under ``if TYPE_CHECKING``) and
any string naming a module to import later ("evals.cli:eval_group")."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from service.config import REPO_ROOT

PACKAGES = ("service", "crossbrief", "evals")
LAZY = re.compile(r"^(?:service|crossbrief|evals)(?:\.\w+)+(?::\w+)?$")
SCAFFOLDING = ("tests", "bench")

Graph = dict[str, set[str]]


def module_files() -> dict[str, Path]:
    """Dotted name -> file of every module (a package by its own name)."""
    found = {}
    for package in PACKAGES:
        for path in (REPO_ROOT / package).rglob("*.py"):
            parts = path.relative_to(REPO_ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node, less what is under ``if TYPE_CHECKING:``."""
    for child in ast.iter_child_nodes(tree):
        if isinstance(child, ast.If) and _type_checking(child):
            for other in child.orelse:
                yield other
                yield from _nodes(other)
            continue
        yield child
        yield from _nodes(child)


def imported(name: str, path: Path, modules: Iterable[str]) -> set[str]:
    """The dotted names ``name``'s file imports: relative imports resolved, ``from a import b`` as ``a.b`` when that
    is one of ``modules``, else as ``a``."""
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in _nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(here[: len(here) - node.level + 1] + ([base] if base else []))
            found |= {f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and LAZY.match(node.value):
            found.add(node.value.split(":")[0])
    return found


def import_graph() -> tuple[Graph, Graph]:
    """Arrows between the packages' modules, and every name each module imports."""
    files = module_files()
    names = {m: imported(m, p, files) for m, p in files.items()}
    return {m: {n for n in ns if n in files} - {m} for m, ns in names.items()}, names


def collapse(graph: Graph, depth: int) -> Graph:
    """The graph between names cut to ``depth`` parts (2: subpackages and top-level modules; 1: packages)."""
    out: Graph = {}
    for module, targets in graph.items():
        node = ".".join(module.split(".")[:depth])
        out.setdefault(node, set()).update(".".join(t.split(".")[:depth]) for t in targets)
    return {node: targets - {node} for node, targets in out.items()}


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = [stack.pop()]
            while component[-1] != node:
                component.append(stack.pop())
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a.x": {"a.y"}, "a.y": {"b.z"}, "b.z": {"a.x"}, "b.w": set()}
    assert cycles(graph) == [["a.x", "a.y", "b.z"]]
    assert cycles(collapse(graph, 1)) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_among_modules_subpackages_or_packages() -> None:
    graph, _ = import_graph()
    assert len(graph) > 100 and "service.jobs.worker" in graph
    assert cycles(graph) == [], "modules import each other in a loop"
    assert cycles(collapse(graph, 2)) == [], "subpackages (service.jobs, service.api ...) import each other in a loop"
    assert cycles(collapse(graph, 1)) == [], "service, evals and crossbrief import each other in a loop"


def test_production_code_imports_no_test_scaffolding() -> None:
    _, names = import_graph()
    found = {m: sorted(n for n in ns if n.split(".")[0] in SCAFFOLDING) for m, ns in names.items()}
    assert {m: ns for m, ns in found.items() if ns} == {}
