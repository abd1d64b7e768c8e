"""The settings file (.env), the installed command's guidance, and development's hosts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from aiceps.envfile import DEVELOPMENT_ENV
from aiceps.settings.hosts import local_host_names
from tests.conftest import make_photo
from tests.fakes.fixtures import gemini_server, gemini_service  # noqa: F401

ROOT = Path(__file__).resolve().parents[2]
MANAGE = str(ROOT / "manage.py")


def clean_environment(**extra: str) -> dict:
    """The environment of a fresh shell: none of the test run's settings."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "AICEPS_", "GEMINI_", "OPENAI_", "TEST_DATABASE"))
    }
    env.update(PYTHONPATH=str(ROOT), **extra)
    return env


def manage(folder: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, MANAGE, *args],
        cwd=folder,
        env=clean_environment(**env),
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.mark.slow
def test_env_file_with_a_gemini_key_is_used_by_the_commands(tmp_path, gemini_server):  # noqa: F811
    gemini_server.color = (12, 200, 99)
    (tmp_path / ".env").write_text(
        DEVELOPMENT_ENV
        + f"GEMINI_API_KEY={gemini_server.api_key or 'test-key'}\n"
        + f"GEMINI_BASE_URL={gemini_server.base_url}\n"
        + f"DATABASE_URL=sqlite:///{tmp_path / 'db.sqlite3'}\n"
        + f"AICEPS_VAR_DIR={tmp_path / 'var'}\n"
    )
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(make_photo())

    migrated = manage(tmp_path, "migrate", "--noinput", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    assert (tmp_path / "db.sqlite3").exists()

    ran = manage(
        tmp_path,
        "generate",
        "--image",
        str(photo),
        "--prompt",
        "把背景换成纯白色",
        "--output-dir",
        str(tmp_path / "out"),
    )
    assert ran.returncode == 0, ran.stderr
    body = json.loads(ran.stdout)
    assert body["success"] is True
    assert any(":generateContent" in request.path for request in gemini_server.requests)
    result = Image.open(body["output_path"]).convert("RGB")
    assert result.getpixel((0, 0)) == (12, 200, 99)  # what the Gemini server painted


@pytest.mark.slow
def test_environment_wins_over_the_env_file(tmp_path):
    (tmp_path / ".env").write_text("DJANGO_DEBUG=1\nAICEPS_TIME_ZONE=Asia/Shanghai\n")
    shown = manage(
        tmp_path,
        "shell",
        "-v",
        "0",
        "-c",
        "from django.conf import settings; print(settings.TIME_ZONE, settings.DEBUG)",
        AICEPS_TIME_ZONE="Europe/Paris",
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.split() == ["Europe/Paris", "True"]


@pytest.mark.slow
def test_without_settings_the_command_says_what_to_set(tmp_path):
    failed = manage(tmp_path, "migrate", "--noinput")
    assert failed.returncode == 2
    assert "Traceback" not in failed.stderr
    assert "DJANGO_SECRET_KEY is not set" in failed.stderr
    assert "aiceps-manage write-env" in failed.stderr
    assert "DJANGO_ALLOWED_HOSTS" in failed.stderr
    assert not (tmp_path / "var").exists()


@pytest.mark.slow
def test_write_env_writes_a_commented_development_file_once(tmp_path):
    written = manage(tmp_path, "write-env")
    assert written.returncode == 0, written.stderr
    text = (tmp_path / ".env").read_text()
    assert "DJANGO_DEBUG=1" in text
    assert "# GEMINI_API_KEY=" in text
    (tmp_path / ".env").write_text("DJANGO_DEBUG=1\n# mine\n")
    again = manage(tmp_path, "write-env")
    assert again.returncode == 1
    assert (tmp_path / ".env").read_text() == "DJANGO_DEBUG=1\n# mine\n"
    checked = manage(tmp_path, "check")
    assert checked.returncode == 0, checked.stderr


def test_development_hosts_include_this_machines_names():
    import socket

    names = local_host_names()
    assert socket.gethostname() in names
    assert all(name for name in names)
