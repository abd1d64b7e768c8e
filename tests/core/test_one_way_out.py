"""One way out: only ``core.outbound`` imports an HTTP client stack.

Every module of the project's packages (the layers of ``tests/test_layers.py``) is parsed,
and an import of ``requests``, ``httpx``, ``urllib3``, ``urllib.request`` or ``http.client``
anywhere in it, inside a function too, fails the test. SDKs that use httpx inside
themselves (``openai``, ``google-genai``) are not our modules and are fine.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.test_layers import LAYERS

ROOT = Path(__file__).resolve().parents[2]
THE_WAY_OUT = ROOT / "core" / "outbound.py"
STACKS = ("requests", "httpx", "urllib3", "urllib.request", "http.client", "aiohttp")


def _modules() -> list[Path]:
    return sorted(path for package in LAYERS for path in (ROOT / package).rglob("*.py"))


def stacks_imported(source: str) -> set[str]:
    """The HTTP client stacks ``source`` imports (``import x``, ``from x import y``, and
    ``from urllib import request`` / ``from http import client`` spelled that way)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            found.update(stack for stack in STACKS if name == stack or name.startswith(f"{stack}."))
    return found


def test_the_scan_sees_every_spelling():
    assert stacks_imported("import requests") == {"requests"}
    assert stacks_imported("import urllib3.exceptions as e") == {"urllib3"}
    assert stacks_imported("def f():\n    from urllib import request") == {"urllib.request"}
    assert stacks_imported("from http import client") == {"http.client"}
    assert stacks_imported("from httpx import Client") == {"httpx"}
    assert stacks_imported("import urllib.parse\nfrom http import HTTPStatus") == set()
    assert stacks_imported(THE_WAY_OUT.read_text()) == {"urllib3"}


def test_no_module_but_the_way_out_imports_an_http_client():
    modules = _modules()
    assert len(modules) > 200 and THE_WAY_OUT in modules  # the scan reads the project
    offenders = {
        str(path.relative_to(ROOT)): sorted(found)
        for path in modules
        if path != THE_WAY_OUT and (found := stacks_imported(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}, (
        "send requests through core.outbound (one client stack, the SSRF policy)"
    )
