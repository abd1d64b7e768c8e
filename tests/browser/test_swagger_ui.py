"""Swagger UI at ``/api/docs/`` renders in Chromium under the app's own content security
policy (no inline script: the start-up script is a file of the same origin) and lists the
operations of the schema."""

from __future__ import annotations

import pytest
import yaml

pytestmark = pytest.mark.django_db(transaction=True)


def test_swagger_ui_lists_the_operations_under_the_csp(asgi_server, browser, settings):
    import requests

    docs = requests.get(f"{asgi_server.url}/api/docs/", timeout=10)
    assert "script-src 'self'" in docs.headers["Content-Security-Policy"]
    assert "<script>" not in docs.text  # every script is a file

    schema = yaml.safe_load(requests.get(f"{asgi_server.url}/api/schema/", timeout=30).text)
    operations = sum(
        1
        for item in schema["paths"].values()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    )

    page = browser.new_page()
    refused: list[str] = []
    page.on("console", lambda message: refused.append(message.text))
    page.goto(f"{asgi_server.url}/api/docs/")
    page.wait_for_selector(".opblock", timeout=30_000)
    shown = page.locator(".opblock").count()
    assert shown == operations > 30
    assert page.locator(".opblock-summary-path", has_text="/api/v1/tasks").count() >= 1
    assert [text for text in refused if "Content Security Policy" in text] == []
    page.close()
