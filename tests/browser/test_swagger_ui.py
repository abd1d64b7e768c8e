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


def test_swagger_ui_authorizes_with_a_password_and_tries_a_call(
    asgi_server, browser, make_user, settings
):
    """Swagger UI's "Authorize" with an email and a password (the OAuth 2.0 password flow at
    /auth/v1/token), then "Try it out" on GET /api/v1/credits: 200 with the balance."""
    alice = make_user("alice", email="alice@example.com")
    alice.set_password("pw-for-swagger-1")
    alice.save()

    page = browser.new_page()
    page.goto(f"{asgi_server.url}/api/docs/")
    page.click("button.btn.authorize")
    page.fill("#oauth_username", "alice@example.com")
    page.fill("#oauth_password", "pw-for-swagger-1")
    with page.expect_response(lambda answer: "/auth/v1/token" in answer.url) as signed_in:
        page.click('button[aria-label="Apply given OAuth2 credentials"]')
    assert signed_in.value.status == 200
    page.wait_for_selector('button[aria-label="Remove authorization"]', timeout=15_000)
    page.locator("button.btn-done").first.click()

    operation = page.locator("#operations-api-api_v1_credits_retrieve")
    operation.locator(".opblock-summary").click()
    operation.locator("button.try-out__btn").click()
    operation.locator("button.execute").click()
    status = operation.locator(".live-responses-table .response .response-col_status").first
    status.wait_for(timeout=15_000)
    assert status.inner_text().strip() == "200"
    assert '"balance"' in operation.locator(".live-responses-table .microlight").first.inner_text()
    page.close()
