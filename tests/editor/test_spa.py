"""A built front end served by AicePS itself (``AICEPS_EDITOR_DIST``), for deployments
without nginx."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def dist(tmp_path, settings):
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>editor</title>")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path.parent / "secret.txt").write_text("not for the web")
    settings.AICEPS_EDITOR_DIST = str(tmp_path)
    return tmp_path


def test_files_and_the_single_page_fallback(dist):
    client = Client()
    page = client.get("/editor/")
    assert page.status_code == 200 and b"<title>editor</title>" in page.content
    assert page["Cache-Control"] == "no-cache"
    asset = client.get("/editor/assets/index-abc123.js")
    assert asset.status_code == 200 and "immutable" in asset["Cache-Control"]
    assert "javascript" in asset["Content-Type"]
    route = client.get("/editor/reset-password")  # the editor's own route
    assert route.status_code == 200 and b"<title>editor</title>" in route.content
    assert client.get("/editor/assets/missing.js").status_code == 404
    assert client.get("/editor/../secret.txt").status_code == 404
    assert client.get("/editor/%2e%2e/secret.txt").status_code == 404
    assert client.get("/editor").status_code == 302
    assert client.post("/editor/").status_code == 405


def test_nothing_is_served_without_a_front_end(settings):
    settings.AICEPS_EDITOR_DIST = ""
    assert Client().get("/editor/").status_code == 404
