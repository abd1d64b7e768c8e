"""Safe defaults: a content security policy on pages; production settings that refuse to
start without their secrets and pass Django's deployment checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

import pytest
from django.test import Client

from tests.fakes.worker import ROOT

pytestmark = pytest.mark.django_db


def test_pages_carry_a_content_security_policy_and_json_does_not(user):
    client = Client()
    client.force_login(user)
    page = client.get("/history/")
    policy = page["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "Content-Security-Policy" not in client.get("/healthz")


def _production(env: dict, *args) -> subprocess.CompletedProcess:
    clean = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "AICEPS_")) and key != "DATABASE_URL"
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "aiceps.settings.production", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow
def test_production_settings_fail_fast_without_their_secrets(tmp_path):
    done = _production({"AICEPS_VAR_DIR": str(tmp_path)}, "check")
    assert done.returncode != 0
    assert "DJANGO_SECRET_KEY" in done.stderr
    done = _production(
        {
            "AICEPS_VAR_DIR": str(tmp_path),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "aiceps.example.com",
        },
        "check",
    )
    assert done.returncode != 0 and "AICEPS_METRICS_TOKEN" in done.stderr
    done = _production({"AICEPS_VAR_DIR": str(tmp_path), "DJANGO_DEBUG": "1"}, "check")
    assert done.returncode != 0 and "DJANGO_DEBUG must be off" in done.stderr


@pytest.mark.slow
def test_check_deploy_is_clean_with_the_readme_production_settings(tmp_path):
    done = _production(
        {
            "AICEPS_VAR_DIR": str(tmp_path),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "aiceps.example.com",
            "AICEPS_METRICS_TOKEN": secrets.token_urlsafe(20),
            "EMAIL_HOST": "smtp.example.com",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_check_deploy_says_when_no_mail_can_be_sent(tmp_path):
    done = _production(
        {
            "AICEPS_VAR_DIR": str(tmp_path),
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "aiceps.example.com",
            "AICEPS_METRICS_TOKEN": secrets.token_urlsafe(20),
        },
        "check",
        "--deploy",
    )
    assert "aiceps.W001" in done.stdout + done.stderr
    assert "EMAIL_HOST" in done.stdout + done.stderr
