"""The project's modules import each other in one direction, without cycles.

Layers, lowest first: ``core`` (errors, retries, metrics counters, logging), ``catalogue``
(task types, imaging, providers), ``accounts``,
``generation``, ``editor`` (the photo editor's API) and ``webhooks`` (signed task events),
``mcp_server`` (the Model Context Protocol server for agents),
``operations`` (health, metrics scrape,
serving), ``aiceps`` (settings, urls, asgi/wsgi: wiring only). A module may import its own
layer and those below. Every import counts, also one inside a function: a cycle dodged by a
late import is still a cycle.

Data and wiring point the same way. A module (migrations included) may also *refer* only to
its own layer and those below: a relation's string target (``ForeignKey("generation.Task…")``),
``apps.get_model``, a migration's ``dependencies``, and any string that names project code by
its dotted path (``"accounts.authentication.SupabaseJWTAuthentication"``). The settings name
code that others run through (DRF's exception handler is part of every API view): what a
setting names must sit no higher than the lowest layer that runs through it.
"""

from __future__ import annotations

import ast
import functools
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings

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


# --- Adapters: through generation's public surface only -----------------------------------

# An adapter (the photo editor's routes, the MCP server) creates and reads tasks through
# generation's services and selectors, and builds its views with the API toolkit
# (``generation.api``); models, storage and the live machinery stay generation's own.
# Annotations may name a model (``if TYPE_CHECKING:``), which the graph does not count.
ADAPTERS = ["editor", "mcp_server"]


def _is_public(module: str) -> bool:
    """``generation.services*``, ``generation.selectors*`` (``selectors_files``…) and
    ``generation.api*``."""
    head, _, rest = module.partition(".")
    first = rest.split(".")[0]
    return head == "generation" and (
        first in ("services", "selectors", "api") or first.startswith("selectors_")
    )


def _private_uses(adapter: str, graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{name} -> {target}"
        for name, targets in graph.items()
        if name.split(".")[0] == adapter
        for target in targets
        if target.split(".")[0] == "generation" and not _is_public(target)
    )


def test_the_public_surface_is_told_apart():
    assert _is_public("generation.services.creation") and _is_public("generation.selectors")
    assert _is_public("generation.selectors_files") and _is_public("generation.api.waiting")
    assert not _is_public("generation.models") and not _is_public("generation.live.slots")
    assert not _is_public("generation") and not _is_public("generation.storage")
    assert "generation.api.waiting" in GRAPH["editor.views.comics"]  # the graph sees them


@pytest.mark.parametrize("adapter", ADAPTERS)
def test_adapters_use_generations_services_selectors_and_api_only(adapter):
    assert _private_uses(adapter, GRAPH) == []


# --- References: relations, migrations, dotted paths ---------------------------------------

RELATIONS = {"ForeignKey", "OneToOneField", "ManyToManyField"}
DOTTED = re.compile(r"^[a-z_][a-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")


def _files() -> dict[str, Path]:
    """Every module of the layers, migrations too, by dotted name."""
    found = {}
    for package in LAYERS:
        for path in (ROOT / package).rglob("*.py"):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


FILES = _files()


@functools.cache
def _top_level_names(module: str) -> frozenset[str]:
    tree = ast.parse(FILES[module].read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return frozenset(names)


def named_module(text) -> str | None:
    """The project module a string names as a dotted path (``"core.api.schema.AicepsAutoSchema"``
    names ``core.api.schema``), or None: only a path that resolves counts."""
    if not isinstance(text, str) or not DOTTED.match(text) or text.split(".")[0] not in LAYERS:
        return None
    parts = text.split(".")
    for cut in range(len(parts), 0, -1):
        module = ".".join(parts[:cut])
        if module in FILES:
            rest = parts[cut:]
            return module if not rest or rest[0] in _top_level_names(module) else None
    return None


def _app_package(label: str) -> str | None:
    """The project package of an app label (``"generation"``); None for Django's own apps."""
    try:
        package = apps.get_app_config(label.lower()).name.split(".")[0]
    except LookupError:
        return None
    return package if package in LAYERS else None


def _model_package(node: ast.expr, own: str) -> str | None:
    """The package a relation's target names: ``"app.Model"``, ``"Model"`` (its own app),
    ``settings.AUTH_USER_MODEL``."""
    if isinstance(node, ast.Attribute) and node.attr == "AUTH_USER_MODEL":
        return _app_package(settings.AUTH_USER_MODEL.split(".")[0])
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _app_package(node.value.split(".")[0]) if "." in node.value else own
    return None


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def references(name: str, source: str) -> set[tuple[str, str]]:
    """``(package or module, how)`` for everything module ``name`` refers to without an
    import: relation targets, ``get_model``, migration dependencies, dotted paths."""
    tree = ast.parse(source)
    own = name.split(".")[0]
    found: set[tuple[str, str]] = set()
    bare = {  # docstrings and other bare strings say, they do not refer
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = _call_name(node)
            if called in RELATIONS:
                target = node.args[0] if node.args else None
                target = next((k.value for k in node.keywords if k.arg == "to"), target)
                if target is not None and (package := _model_package(target, own)):
                    found.add((package, f"{called} target"))
            elif called == "get_model" and node.args:
                first = node.args[0]
                if isinstance(first, ast.Constant) and (
                    package := _app_package(str(first.value).split(".")[0])
                ):
                    found.add((package, "get_model"))
            elif called == "swappable_dependency" and (
                package := _model_package(node.args[0], own)
            ):
                found.add((package, "migration dependency"))
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id in ("dependencies", "run_before") for t in node.targets
        ):
            for element in getattr(node.value, "elts", []):
                if (
                    isinstance(element, ast.Tuple)
                    and isinstance(element.elts[0], ast.Constant)
                    and (package := _app_package(str(element.elts[0].value)))
                ):
                    found.add((package, "migration dependency"))
        elif (
            isinstance(node, ast.Constant)
            and id(node) not in bare
            and (module := named_module(node.value)) is not None
        ):
            found.add((module, f"names {node.value}"))
    return found


REFERENCES = {name: references(name, path.read_text()) for name, path in FILES.items()}


def test_the_references_are_seen():
    assert ("generation", "ForeignKey target") in REFERENCES["webhooks.models"]
    assert ("accounts", "ForeignKey target") in REFERENCES["generation.models"]  # the user
    assert ("generation", "migration dependency") in REFERENCES["editor.migrations.0001_initial"]
    handler = ("accounts.api_errors", "names accounts.api_errors.exception_handler")
    assert any(handler in found for name, found in REFERENCES.items() if name.startswith("aiceps"))
    # What the ledger used to be: a lower layer's relation and migration pointing up.
    before = references(
        "accounts.models",
        'class T(models.Model):\n    task = models.ForeignKey("generation.TaskHistory")\n'
        "dependencies = [('accounts', '0001_initial'), ('generation', '0001_initial')]\n"
        'HANDLER = "generation.api.waiting.WaitingApiView"\n',
    )
    assert {target for target, _ in before} == {"accounts", "generation", "generation.api.waiting"}


@pytest.mark.parametrize("layer", LAYERS)
def test_no_module_refers_to_a_layer_above_it(layer):
    rank = LAYERS.index(layer)
    upward = sorted(
        f"{name} -> {target} ({how})"
        for name, found in REFERENCES.items()
        if name.split(".")[0] == layer
        for target, how in found
        if LAYERS.index(target.split(".")[0]) > rank
    )
    assert upward == []


# --- Settings: what they name sits no higher than what runs through it --------------------

# The settings that name project code which a framework calls, and the lowest layer whose
# code runs through it. A setting a project module reads (``settings.NAME``) counts for that
# module's layer too. A new setting that names project code must be placed here.
RUN_THROUGH = {
    "REST_FRAMEWORK": "accounts",  # every API view; the keys and credits APIs are the lowest
    "AUTHENTICATION_BACKENDS": "accounts",  # every sign-in
    "AXES_CLIENT_IP_CALLABLE": "accounts",
    "AXES_LOCKOUT_CALLABLE": "accounts",
    "CACHES": "core",  # every counter and cached read
    "S3_STORAGE_BACKEND": "core",  # STORAGES: every stored file, from any layer
    "LOGGING": "core",  # every log line
    "MIDDLEWARE": "operations",  # around every request: the serving layer's
    "INSTALLED_APPS": "aiceps",  # wiring
    "ROOT_URLCONF": "aiceps",
    "WSGI_APPLICATION": "aiceps",
    "ASGI_APPLICATION": "aiceps",
    "SPECTACULAR_SETTINGS": "aiceps",  # the schema view is wired in aiceps.urls
}


def _settings_paths() -> dict[str, set[str]]:
    """Each setting of ``aiceps/settings/*`` with the project modules it names."""
    named: dict[str, set[str]] = {}
    for path in sorted((ROOT / "aiceps" / "settings").glob("*.py")):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                value = node.value
            else:
                continue
            for target in targets:
                while isinstance(target, ast.Subscript):  # NAME["key"] = …
                    target = target.value
                if not isinstance(target, ast.Name) or value is None:
                    continue
                for constant in ast.walk(value):
                    if (
                        isinstance(constant, ast.Constant)
                        and (module := named_module(constant.value)) is not None
                    ):
                        named.setdefault(target.id, set()).add(module)
    return named


def _settings_readers() -> dict[str, set[str]]:
    """Setting name -> the layers whose modules read it as ``settings.NAME``."""
    readers: dict[str, set[str]] = {}
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "settings"
            ):
                readers.setdefault(node.attr, set()).add(name.split(".")[0])
    return readers


SETTINGS_PATHS = _settings_paths()


def test_the_settings_paths_are_seen():
    assert "accounts.api_errors" in SETTINGS_PATHS["REST_FRAMEWORK"]
    assert "core.api.schema" in SETTINGS_PATHS["REST_FRAMEWORK"]
    assert "operations.middleware" in SETTINGS_PATHS["MIDDLEWARE"]


def test_settings_name_code_no_higher_than_what_runs_through_it():
    readers = _settings_readers()
    unplaced, upward = [], []
    for setting, modules in sorted(SETTINGS_PATHS.items()):
        layers = set(readers.get(setting, ())) | (
            {RUN_THROUGH[setting]} if setting in RUN_THROUGH else set()
        )
        if not layers:
            unplaced.append(setting)
            continue
        lowest = min(LAYERS.index(layer) for layer in layers)
        upward += [
            f"{setting} -> {module} (run through by {LAYERS[lowest]})"
            for module in sorted(modules)
            if LAYERS.index(module.split(".")[0]) > lowest
        ]
    assert unplaced == [], "say in RUN_THROUGH which layer runs through these settings"
    assert upward == []
