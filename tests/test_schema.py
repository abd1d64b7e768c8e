"""The schema is the truth: drf-spectacular validates it with no warning, and schemathesis
runs every operation of ``/api/schema/`` against a live server (bounded examples) with zero
failures (its checks as ``schemathesis.toml`` sets them)."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token

from tests.fakes.worker import ROOT

pytestmark = pytest.mark.slow


def test_the_schema_validates_without_a_warning(tmp_path, db):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    assert "/api/v1/tasks/{task_id}/events" in out.read_text()


@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_nothing(asgi_server, make_user, settings, tmp_path):
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    settings.AICEPS_THROTTLE_USER = settings.AICEPS_THROTTLE_SUBMIT = "100000/min"
    settings.AICEPS_MAX_WAITERS_PER_USER = 1000
    # schemathesis sends wrong tokens on purpose: counted, they would lock its address out
    settings.AICEPS_THROTTLE_BAD_CREDENTIALS = settings.AICEPS_THROTTLE_SIGN_IN = "100000/min"
    settings.AICEPS_SYNC_WAIT_SECONDS = 10
    settings.AICEPS_SIGNUP_CREDITS = 100_000
    user = make_user("schemathesis")
    token = Token.objects.create(user=user).key
    examples = os.environ.get("AICEPS_SCHEMATHESIS_EXAMPLES", "15")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "schemathesis.cli", "run", f"{asgi_server.url}/api/schema/"),
            *("-H", f"Authorization: Bearer {token}", "--max-examples", examples),
            *("--workers", "1", "--seed", "20261201", "--generation-database", "none"),
            *("--report-dir", str(tmp_path / "report")),
        ],
        cwd=ROOT,  # schemathesis.toml
        capture_output=True,
        text=True,
        timeout=1200,
    )
    summary = done.stdout[-6000:]
    if os.environ.get("AICEPS_SCHEMATHESIS_OUTPUT"):  # the whole report, for fixing by hand
        with open(os.environ["AICEPS_SCHEMATHESIS_OUTPUT"], "w") as out:
            out.write(done.stdout)
    assert done.returncode == 0, summary
    counts = re.search(r"(\d+) generated, (\d+) passed", summary)
    assert counts, summary
    generated, passed = (int(n) for n in counts.groups())
    assert generated == passed >= 100, summary  # every operation exercised, nothing failed
