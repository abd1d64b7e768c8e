"""The docs stay true: the configuration reference is what the settings declare, and every
code block in the README and docs/ runs here or says why it does not."""

from __future__ import annotations

import ast
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from aiceps.settings import reference
from tests.conftest import make_photo

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(
    r"(?P<mark><!-- (?P<kind>not run|run): ?(?P<how>[^>]*?) ?-->\n)?"
    r"```(?P<lang>[a-z]*)\n(?P<body>.*?)```",
    re.S,
)
# Variables read outside aiceps/settings, by Python or the scripts.
OUTSIDE_READS = re.compile(
    r'os\.environ(?:\.get\(|\[)"([A-Z][A-Z0-9_]+)"|\$\{?([A-Z][A-Z0-9_]+)[:}]'
)


def blocks(path: Path) -> list[re.Match]:
    return list(BLOCK.finditer(path.read_text(encoding="utf-8")))


def test_the_configuration_reference_is_generated_from_the_settings():
    written = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert written == reference.render(), (
        "run: python -m aiceps.settings.reference > docs/configuration.md"
    )


def test_the_providers_table_is_generated_from_the_declarations():
    from catalogue.providers import registry, table

    written = table.written((ROOT / "docs" / "providers.md").read_text(encoding="utf-8"))
    assert written == table.render(), "run: python -m catalogue.providers.table"
    for kind, names in registry.TABLES.items():  # a row per provider, each saying what it does
        for name in names:
            assert f"| {table.STAGES[kind]} | `{name}` |" in written
            assert registry.provider_class(name, kind=kind).summary, name


def test_every_setting_says_what_it_does():
    undocumented = [v.name for v in reference.declared() if not v.doc]
    assert undocumented == []
    assert len(reference.declared()) > 100


def test_variables_read_outside_the_settings_are_in_the_reference():
    names = {v.name for v in reference.declared()} | {v.name for v in reference.OUTSIDE}
    sources = [*(ROOT / "scripts").iterdir(), ROOT / "aiceps" / "gunicorn.conf.py"]
    sources += [ROOT / "operations" / "uvicorn_worker.py", ROOT / "aiceps" / "settings" / "env.py"]
    read = set()
    for path in sources:
        for match in OUTSIDE_READS.finditer(path.read_text(encoding="utf-8")):
            read.add(match.group(1) or match.group(2))
    own = {"ROOT", "PYTHON", "BIND", "HOST", "PORT", "WORKER", "PWD", "RUN", "BIN", "DIR"}
    script_locals = {name for name in read if not name.startswith(("AICEPS_", "DJANGO_", "TEST_"))}
    assert sorted(name for name in read - own - script_locals if name not in names) == []


def test_every_code_block_runs_or_says_why_not():
    unmarked = [
        f"{path.name}: {match['body'].splitlines()[0][:60]}"
        for path in DOCS
        for match in blocks(path)
        if not match["mark"]
    ]
    assert unmarked == []
    reasons = [m["how"] for p in DOCS for m in blocks(p) if m["kind"] == "not run"]
    assert all(len(reason) > 5 for reason in reasons)


def _runnable(kind: str) -> list[tuple[str, str]]:
    return [
        (f"{path.relative_to(ROOT)}:{path.read_text()[: m.start()].count(chr(10)) + 1}", m["body"])
        for path in DOCS
        for m in blocks(path)
        if m["kind"] == "run" and m["how"] == kind
    ]


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "photo.jpg").write_bytes(make_photo())
    # A product shot: a subject on a plain backdrop, which every example can edit (the
    # offline editor expands only a plain border).
    photo = Image.new("RGB", (320, 240), (238, 236, 232))
    photo.paste(Image.open(io.BytesIO(make_photo())).resize((120, 100)), (100, 70))
    photo.save(tmp_path / "photo.png")
    mask = Image.new("L", photo.size, 0)
    mask.paste(255, (photo.width // 4, photo.height // 4, photo.width // 2, photo.height // 2))
    mask.save(tmp_path / "mask.png")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def token(transactional_db, make_user):
    from rest_framework.authtoken.models import Token

    return Token.objects.create(user=make_user("reader")).key


# curl answers its status on a line of its own, so the test sees each call's outcome.
CURL = "curl() { command curl --max-time 60 -w '\\nHTTP %{http_code}\\n' \"$@\"; }\n"


def test_the_api_examples_run_against_a_live_server(asgi_server, folder, token):
    env = {**os.environ, "TOKEN": token}
    for where, body in _runnable("api"):
        script = CURL + body.replace("http://127.0.0.1:8000", asgi_server.url)
        ran = subprocess.run(
            ["bash", "-c", script], cwd=folder, env=env, capture_output=True, text=True
        )
        statuses = [int(s) for s in re.findall(r"^HTTP (\d{3})$", ran.stdout, re.M)]
        assert ran.returncode == 0 and statuses, (where, ran.stderr)
        # 409: cancelling a task that already ended, which the example shows too.
        assert all(s < 400 or s == 409 for s in statuses), (where, statuses, ran.stdout[-600:])
        ids = re.findall(r'"(?:task_id|id)": ?"([0-9a-f-]{36})"', ran.stdout)
        if ids:
            env["ID"] = ids[0]


def test_the_python_examples_run_against_a_live_server(asgi_server, folder, token):
    for where, body in _runnable("python-api"):
        code = body.replace("http://127.0.0.1:8000", asgi_server.url)
        namespace = {"TOKEN": token}
        exec(compile(code, where, "exec"), namespace)
    assert (folder / "out.png").stat().st_size > 0


@pytest.mark.slow
def test_the_shell_examples_run(folder):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "AICEPS_", "TEST_DATABASE"))
    }
    env.update(PYTHONPATH=str(ROOT), DJANGO_DEBUG="1", AICEPS_VAR_DIR=str(folder / "var"))
    manage = f"{sys.executable} {ROOT / 'manage.py'}"
    subprocess.run(f"{manage} migrate -v 0", shell=True, cwd=folder, env=env, check=True)
    for where, body in _runnable("shell"):
        ran = subprocess.run(
            ["bash", "-c", body.replace("./scripts/manage", manage)],
            cwd=folder,
            env=env,
            capture_output=True,
            text=True,
        )
        assert ran.returncode == 0, (where, ran.stderr[-2000:])
        assert json.loads(ran.stdout)["success"] is True


def test_settings_modules_pass_doc_as_a_literal():
    for path in (ROOT / "aiceps" / "settings").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", "").startswith("env_"):
                for keyword in node.keywords:
                    if keyword.arg in ("doc", "shown"):
                        ast.literal_eval(keyword.value)  # the reference reads it unevaluated
