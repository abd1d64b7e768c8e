"""A non-editable install works: the wheel carries the templates, translations, static files,
data and recipes, and an installed AicePS migrates and runs a task from any folder."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import make_photo

ROOT = Path(__file__).resolve().parent.parent
NOT_SOURCE = (".git", ".venv", "var", "build", "dist", "*.egg-info", "node_modules", "screenshots")
NOT_SOURCE += ("__pycache__", ".pytest_cache", ".ruff_cache")
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # A copy of the working tree: building in place would leave build/ in the checkout.
    source = tmp_path_factory.mktemp("source") / "aiceps"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*NOT_SOURCE))
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    subprocess.run(
        [*command, "-q", "-w", str(out), str(source)],
        check=True,
        cwd=source,
        env={**os.environ, "PIP_NO_INPUT": "1"},
        timeout=300,
    )
    (found,) = out.glob("aiceps-*.whl")
    return found


def test_the_wheel_carries_everything_the_app_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for expected in (
        "aiceps/templates/base.html",
        "aiceps/templates/generation/new.html",
        "aiceps/templates/registration/login.html",
        "aiceps/locale/zh_Hans/LC_MESSAGES/django.mo",
        "aiceps/ops/nginx/aiceps.conf",
        "aiceps/ops/prometheus/alerts.yml",
        "generation/static/generation/app.css",
        "generation/static/generation/task.js",
        "generation/data/prompt_templates.json",
        "generation/migrations/0001_initial.py",
        "accounts/migrations/0001_initial.py",
        "core/errors.py",
        "operations/serving.py",
        "mcp_server/management/commands/mcp.py",
    ):
        assert expected in names, expected
    assert not any(name.startswith("tests/") for name in names)


def test_an_installed_aiceps_migrates_and_runs_a_task(wheel, tmp_path):
    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=True)
    python = fresh / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=300,
    )
    # The dependencies come from the test's own environment, appended after the fresh
    # site-packages (so the installed aiceps, not this checkout, is the one imported).
    purelib = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    (purelib / "_deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    work = tmp_path / "elsewhere"
    work.mkdir()
    photo = work / "photo.jpg"
    photo.write_bytes(make_photo())
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "AICEPS_", "PYTHON")) and key != "DATABASE_URL"
    }
    env.update(AICEPS_VAR_DIR=str(work / "data"))
    manage = str(fresh / "bin" / "aiceps-manage")

    def run(*args) -> subprocess.CompletedProcess:
        return subprocess.run(
            [manage, *args], cwd=work, env=env, capture_output=True, text=True, timeout=300
        )

    # Neither development nor production settings: it says what to set, no traceback.
    unset = run("migrate", "--noinput")
    assert unset.returncode == 2, unset.stderr
    assert "aiceps-manage write-env" in unset.stderr and "Traceback" not in unset.stderr
    # The settings file it offers to write is all a development install needs.
    assert run("write-env").returncode == 0
    assert (work / ".env").read_text().count("DJANGO_DEBUG=1") == 1

    where = subprocess.check_output(
        [str(python), "-c", "import aiceps; print(aiceps.__file__)"], cwd=work, env=env, text=True
    )
    assert str(fresh) in where
    migrated = run("migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    done = run("generate", "--image", str(photo), "--prompt", "把背景换成纯白色")
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["success"] is True
    assert Path(body["output_path"]).is_file()
    page = subprocess.run(
        [
            str(python),
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'aiceps.settings.base'); django.setup(); from django.test import Client; "
            "r = Client(HTTP_ACCEPT_LANGUAGE='zh-hans').get('/accounts/login/'); "
            "print(r.status_code, '登录' in r.content.decode())",
        ],
        cwd=work,
        env={**env, "DJANGO_DEBUG": "1", "DJANGO_ALLOWED_HOSTS": "testserver"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert page.stdout.split() == ["200", "True"], page.stderr
