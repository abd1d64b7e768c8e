"""The web pages through Django's test client: signed in and not, own and foreign records.

The new-generation form has its own module, test_pages_new.py."""

from __future__ import annotations

import re
import uuid
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from accounts.selectors import credits_balance
from accounts.services import credits_grant
from generation.models import PromptTemplate, TaskHistory, TaskStatistics

from .pages_support import KEPT, complete, make_task, photo, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


# --- Anonymous visitors -----------------------------------------------------------------


@pytest.mark.parametrize(
    "name", ["web:home", "web:new", "web:history", "accounts:credits", "web:statistics"]
)
def test_pages_send_anonymous_visitors_to_login(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"


def test_task_pages_send_anonymous_visitors_to_login(client, user):
    task = make_task(user)
    for url in (reverse("web:task", args=[task.pk]), reverse("web:task-rerun", args=[task.pk])):
        response = client.get(url) if "rerun" not in url else client.post(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    response = client.get(reverse("web:task-status", args=[task.pk]))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_login_page_signs_in_and_logout_needs_post(client, user):
    page = client.get("/accounts/login/")
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode() and "csrfmiddlewaretoken" in (
        page.content.decode()
    )
    response = client.post(
        "/accounts/login/", {"username": "alice", "password": "pw-for-tests-1", "next": "/new/"}
    )
    assert response.status_code == 302 and response["Location"] == "/new/"
    assert client.get(reverse("web:new")).status_code == 200
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get(reverse("web:new")).status_code == 302


def test_wrong_password_shows_an_error(client, user):
    response = client.post("/accounts/login/", {"username": "alice", "password": "nope"})
    assert response.status_code == 200
    assert "match. Please try again." in response.content.decode()


def test_signup_is_off_by_default(client, settings):
    settings.AICEPS_OPEN_SIGNUP = False
    assert client.get("/accounts/signup/").status_code == 404
    assert "/accounts/signup/" not in client.get("/accounts/login/").content.decode()


def test_signup_when_open_creates_a_signed_in_user_with_credits(client, settings):
    settings.AICEPS_OPEN_SIGNUP = True
    assert "/accounts/signup/" in client.get("/accounts/login/").content.decode()
    assert client.get("/accounts/signup/").status_code == 200
    response = client.post(
        "/accounts/signup/",
        {"username": "carol", "email": "", "password1": "a-long-pass-123", "password2": "x"},
    )
    assert response.status_code == 400
    response = client.post(
        "/accounts/signup/",
        {
            "username": "carol",
            "email": "",
            "password1": "a-long-pass-123",
            "password2": "a-long-pass-123",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("web:new"))
    assert page.status_code == 200
    assert page.context["balance"] == 10


def test_forms_are_csrf_protected(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(reverse("web:new"), {"task_type": "filter", "prompt": "黑白"})
    assert response.status_code == 403
    assert not TaskHistory.objects.exists()


# --- The task page ----------------------------------------------------------------------


def test_running_task_page_polls_its_status(signed_in, user):
    task = make_task(user, task_type="filter", status="processing", stage="generating_image")
    response = signed_in.get(reverse("web:task", args=[task.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert reverse("web:task-status", args=[task.pk]) in html
    assert "Generating the image" in html and "task.js" in html
    status = signed_in.get(reverse("web:task-status", args=[task.pk])).json()
    assert status["id"] == str(task.pk)
    assert (status["status"], status["stage"], status["is_final"]) == (
        "processing",
        "generating_image",
        False,
    )
    assert set(status["timings"]) == {"prompt_ms", "image_ms", "storage_ms", "total_ms"}
    assert status["original_image_url"].startswith("/files/task-history/")
    assert status["error"] is None


def test_completed_task_page_shows_everything(signed_in, user):
    task = complete(make_task(user, prompt="黑白", task_type="filter", credits_deducted=1))
    response = signed_in.get(reverse("web:task", args=[task.pk]))
    html = response.content.decode()
    assert 'id="result-image"' in html and 'id="original-image"' in html
    assert "A crisp monochrome photo" in html
    assert "0.48 s" in html and "0.34 s" in html
    assert 'id="download"' in html and " download>" in html
    assert "task.js" not in html
    assert reverse("web:task-rerun", args=[task.pk]) in html
    result = re.search(r'id="result-image" src="([^"]+)"', html).group(1)
    image = signed_in.get(result.replace("&amp;", "&"))
    assert image.status_code == 200


def test_failed_task_page_shows_the_error(signed_in, user):
    task = make_task(
        user,
        status="failed",
        error_code="content_refused",
        error_message="The model refused this instruction.",
    )
    html = signed_in.get(reverse("web:task", args=[task.pk])).content.decode()
    assert "The task failed." in html and "The model refused this instruction." in html


def test_foreign_tasks_are_404_everywhere(signed_in, other_user):
    task = make_task(other_user)
    for name in ("web:task", "web:task-status"):
        assert signed_in.get(reverse(name, args=[task.pk])).status_code == 404
    for name in ("web:task-rerun", "web:task-cancel"):
        assert signed_in.post(reverse(name, args=[task.pk])).status_code == 404
    assert signed_in.get(reverse("web:task", args=[uuid.uuid4()])).status_code == 404
    response = signed_in.get(reverse("web:new"), {"from": str(task.pk)})
    assert response.status_code == 200 and KEPT.findall(response.content.decode()) == []
    assert response.context["form"]["prompt"].value() in (None, "")
    assert TaskHistory.objects.get(pk=task.pk).status == "pending"


def test_run_again_resubmits_the_same_inputs(signed_in, user):
    task = complete(make_task(user, prompt="黑白", task_type="filter"))
    assert signed_in.get(reverse("web:task-rerun", args=[task.pk])).status_code == 405
    response = signed_in.post(reverse("web:task-rerun", args=[task.pk]))
    again = TaskHistory.objects.exclude(pk=task.pk).get()
    assert response["Location"] == reverse("web:task", args=[again.pk])
    assert (again.prompt, again.task_type, again.source) == ("黑白", "filter", "web")
    assert again.input_sha256 and credits_balance(user=user) == 9


def test_run_again_without_credits_says_so(signed_in, user, settings):
    task = complete(make_task(user))
    settings.AICEPS_TASK_COSTS = {"default": 99}
    response = signed_in.post(reverse("web:task-rerun", args=[task.pk]), follow=True)
    assert "Not enough credits" in response.content.decode()
    assert TaskHistory.objects.count() == 1


def test_change_and_run_again_prefills_the_form_with_the_photos(signed_in, user):
    task = complete(
        make_task(user, prompt="remove this", task_type="hotspot", parameters={"x": 5, "y": 6})
    )
    response = signed_in.get(reverse("web:new"), {"from": str(task.pk)})
    html = response.content.decode()
    assert "remove this</textarea>" in html and 'value="5"' in html
    kept = KEPT.findall(html)
    assert kept == [f"t:{task.pk}:0"]
    response = submit(signed_in, task_type="hotspot", prompt="remove this too", kept=kept, x=5, y=6)
    assert response.status_code == 302
    again = TaskHistory.objects.exclude(pk=task.pk).get()
    assert again.original_image.name != task.original_image.name
    assert again.parameters == {"x": 5, "y": 6}


def test_cancel_a_pending_task_refunds_it(signed_in, user):
    submit(signed_in, images=[photo()])
    task = TaskHistory.objects.get()
    assert credits_balance(user=user) == 9
    response = signed_in.post(reverse("web:task-cancel", args=[task.pk]), follow=True)
    assert "cancelled" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "cancelled" and credits_balance(user=user) == 10


# --- History, credits, statistics -------------------------------------------------------


def test_history_lists_own_tasks_with_filters_and_pages(signed_in, user, other_user):
    make_task(other_user, prompt="someone else's secret")
    complete(make_task(user, prompt="黑白 please", task_type="filter"))
    make_task(user, prompt="oil painting", task_type="style", status="failed")
    for index in range(22):
        make_task(user, prompt=f"bulk {index}")
    page = signed_in.get(reverse("web:history"))
    html = page.content.decode()
    assert page.status_code == 200 and "someone else" not in html
    assert page.context["page"].paginator.count == 24 and len(page.context["rows"]) == 20
    assert "page=2" in html
    assert len(signed_in.get(reverse("web:history"), {"page": 2}).context["rows"]) == 4
    by_status = signed_in.get(reverse("web:history"), {"status": "failed"})
    assert [row["task"].prompt for row in by_status.context["rows"]] == ["oil painting"]
    by_type = signed_in.get(reverse("web:history"), {"task_type": "filter"})
    assert [row["task"].prompt for row in by_type.context["rows"]] == ["黑白 please"]
    by_words = signed_in.get(reverse("web:history"), {"q": "黑白"})
    assert [row["task"].prompt for row in by_words.context["rows"]] == ["黑白 please"]
    assert by_words.context["rows"][0]["thumb"].startswith("/files/")
    nothing = signed_in.get(reverse("web:history"), {"q": "secret"})
    assert nothing.context["rows"] == [] and "No task matches" in nothing.content.decode()


def test_credits_page_shows_balance_and_own_ledger(signed_in, user, other_user):
    credits_grant(user=user, amount=5, note="welcome gift")
    credits_grant(user=other_user, amount=7, note="not yours")
    submit(signed_in, images=[photo()])
    response = signed_in.get(reverse("accounts:credits"))
    html = response.content.decode()
    assert response.context["balance"] == 14
    assert "welcome gift" in html and "not yours" not in html
    assert "-1" in html and "+5" in html
    assert reverse("web:task", args=[TaskHistory.objects.get().pk]) in html


def test_statistics_page_draws_charts(signed_in, user, other_user):
    for day, total, ok in ((date(2026, 11, 27), 4, 3), (date(2026, 11, 28), 2, 2)):
        TaskStatistics.objects.create(
            user=user,
            period_type="day",
            period_date=day,
            total_tasks=total,
            successful_tasks=ok,
            failed_tasks=total - ok,
            avg_generation_time_ms=1500,
        )
    TaskStatistics.objects.create(
        user=user,
        period_type="all",
        period_date=TaskStatistics.ALL_TIME_DATE,
        total_tasks=6,
        successful_tasks=5,
        failed_tasks=1,
        avg_generation_time_ms=1500,
    )
    TaskStatistics.objects.create(
        user=other_user, period_type="week", period_date=date(2026, 11, 23), total_tasks=9
    )
    response = signed_in.get(reverse("web:statistics"))
    html = response.content.decode()
    assert html.count("<svg") == 2
    assert 'class="ok"' in html and 'class="failed"' in html and "polyline" in html
    assert "83%" in html and "1.50 s" in html
    week = signed_in.get(reverse("web:statistics"), {"period": "week"})
    assert week.context["rows"] == [] and "No statistics yet" in week.content.decode()
    odd = signed_in.get(reverse("web:statistics"), {"period": "decade"})
    assert odd.context["period"] == "day"


# --- Languages and admin ----------------------------------------------------------------


def test_pages_speak_chinese_from_the_browser_or_the_switcher(client, user):
    client.force_login(user)
    html = client.get(reverse("web:new"), HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9").content.decode()
    assert 'lang="zh-hans"' in html and "新建生成" in html and "黑白" in html
    html = client.get(reverse("web:new"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in html and "New generation" in html
    response = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/history/"})
    assert response.status_code == 302 and response["Location"] == "/history/"
    html = client.get(reverse("web:history"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "历史记录" in html


def test_chinese_error_messages(signed_in, user, settings):
    settings.AICEPS_TASK_COSTS = {"default": 50}
    response = signed_in.post(
        reverse("web:new"),
        {"task_type": "filter", "prompt": "黑白", "images": [photo()]},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert "积分不足" in response.content.decode()


def test_staff_edit_templates_in_the_admin(client, make_user):
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.get(reverse("admin:generation_prompttemplate_changelist"))
    assert response.status_code == 200 and "Black and white" in response.content.decode()
    template = PromptTemplate.objects.get(slug="black-and-white")
    assert (
        client.get(
            reverse("admin:generation_prompttemplate_change", args=[template.pk])
        ).status_code
        == 200
    )
