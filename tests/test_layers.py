"""The project's modules import each other in one direction, without cycles.

Layers, lowest first: ``core`` (errors, retries, metrics counters, logging), ``catalogue``
(task types, imaging, providers), ``accounts``,
``generation``, ``editor`` (the photo editor's API) and ``webhooks`` (signed task events),
``mcp_server`` (the Model Context Protocol server for agents),
``operations`` (health, metrics scrape,
serving), ``aiceps`` (settings, urls, asgi/wsgi: wiring only). A module may import its own
layer and those below. Every import counts, also one inside a function: a cycle dodged by a
late import is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAYERS = [
    "core",
    "catalogue",
    "accounts",
    "generation",
    "editor",
    "webhooks",
    "mcp_server",
    "operations",
    "aiceps",
]


def _modules() -> dict[str, Path]:
    found = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(name: str, path: Path) -> set[str]:
    """Project modules that ``name`` imports (a package import counts as its ``__init__``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()

    def visit(node):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                continue  # annotations only: never imported at run time
            if isinstance(child, ast.Import):
                targets.update(alias.name for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from pkg import module`` needs the module; ``from pkg import name`` the
                # package (its __init__).
                for alias in child.names:
                    submodule = f"{base}.{alias.name}"
                    targets.add(submodule if submodule in MODULES else base)
            visit(child)

    visit(tree)
    return {target for target in targets if target in MODULES and target != name}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def strong(node: str) -> None:
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for target in GRAPH[node]:
            if target not in index:
                strong(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            strong(node)
    return found


def test_the_graph_sees_the_project():
    assert len(MODULES) > 80
    assert "catalogue.task_rules" in GRAPH["generation.services.creation"]


def test_no_import_cycles():
    assert _cycles() == []


@pytest.mark.parametrize("layer", LAYERS)
def test_no_module_imports_a_layer_above_it(layer):
    rank = LAYERS.index(layer)
    upward = sorted(
        f"{name} -> {target}"
        for name, targets in GRAPH.items()
        if name.split(".")[0] == layer
        for target in targets
        if LAYERS.index(target.split(".")[0]) > rank
    )
    assert upward == []
