"""The pages offer only what can be done: presets the image provider would refuse are marked,
"Run again" is not offered after a refusal that would repeat, cancel only while it can work,
and the operator's detail of a failure stays in the admin."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from catalogue.providers.registry import resolve_name
from generation.models import TaskHistory

from .pages_support import make_task

pytestmark = pytest.mark.django_db
RERUN = 'action="/history/{}/rerun/"'


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def _chip(html: str, name: str) -> str:
    found = re.search(
        r'<button type="button" class="chip[^>]*>\s*<span[^>]*>[^<]*</span> '
        + re.escape(name)
        + r".*?</button>",
        html,
        re.S,
    )
    assert found, name
    return found.group(0)


def test_presets_the_offline_editor_would_refuse_are_marked_not_offered(signed_in, settings):
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    html = signed_in.get(reverse("web:new")).content.decode()
    coat = _chip(html, "Doctor&#x27;s white coat")
    assert "unavailable" in coat and "disabled" in coat and "data-template" not in coat
    assert "needs an AI image provider" in coat
    assert "dressing a person" in coat and "Gemini" in coat  # why, and who can
    grey = _chip(html, "Black and white")
    assert "disabled" not in grey and 'data-template="black-and-white"' in grey


def test_an_ai_provider_gets_every_preset(signed_in, settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    html = signed_in.get(reverse("web:new")).content.decode()
    assert 'data-template="doctor-coat"' in html
    assert "needs an AI image provider" not in html


def _failed(user, *, status: int, image_provider: str | None = None) -> TaskHistory:
    return make_task(
        user,
        task_type="edit",
        status="failed",
        error_code="unsupported_instruction" if status == 422 else "provider_error",
        error_message="The offline editor cannot do that.",
        error_detail="Providers that can do it: gemini (set GEMINI_API_KEY).",
        error_status=status,
        prompt_writer=resolve_name(None, kind="prompt_writer"),
        image_provider=image_provider or resolve_name(None, kind="image_provider"),
    )


def test_no_run_again_after_a_refusal_that_would_repeat(signed_in, user):
    task = _failed(user, status=422)
    html = signed_in.get(reverse("web:task", args=[task.pk])).content.decode()
    assert RERUN.format(task.pk) not in html
    assert "Change and run again" in html
    assert "GEMINI_API_KEY" not in html  # the operator's detail is not the user's
    response = signed_in.post(reverse("web:task-rerun", args=[task.pk]), follow=True)
    assert "refused the same way" in response.content.decode()
    assert TaskHistory.objects.count() == 1  # nothing new was charged or run


def test_run_again_after_a_failure_that_may_pass(signed_in, user):
    flaky = _failed(user, status=502)
    html = signed_in.get(reverse("web:task", args=[flaky.pk])).content.decode()
    assert RERUN.format(flaky.pk) in html
    elsewhere = _failed(user, status=422, image_provider="gemini")  # the server changed since
    html = signed_in.get(reverse("web:task", args=[elsewhere.pk])).content.decode()
    assert RERUN.format(elsewhere.pk) in html


def test_cancel_is_offered_only_before_the_task_starts(signed_in, user):
    pending = make_task(user, status="pending")
    running = make_task(user, status="processing", stage="image_generation")
    page = signed_in.get(reverse("web:task", args=[pending.pk])).content.decode()
    assert 'id="cancel-form"' in page
    page = signed_in.get(reverse("web:task", args=[running.pk])).content.decode()
    assert 'id="cancel-form"' not in page


def test_the_admin_shows_the_operator_detail(client, user, admin_user):
    task = _failed(user, status=422)
    client.force_login(admin_user)
    page = client.get(reverse("admin:generation_taskhistory_change", args=[task.pk]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "gemini (set GEMINI_API_KEY)" in html and "The offline editor cannot do that." in html
