"""Staff actions on tasks in the admin: run a failed one again, fail and refund a stuck one,
refund any one once; the ledger names who did it."""

from __future__ import annotations

import pytest

from accounts.models import CreditTransaction
from accounts.selectors import credits_balance, credits_ledger_sum
from catalogue.imaging import inspect_upload
from generation.models import TaskHistory, TaskStatistics
from generation.services import TaskInput, task_claim, task_create, task_run
from tests.conftest import make_photo

pytestmark = pytest.mark.django_db
URL = "/admin/generation/taskhistory/"


@pytest.fixture(autouse=True)
def _providers(settings):
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    settings.AICEPS_TASK_COSTS = {"default": 3}


@pytest.fixture
def staff(client, admin_user):
    client.force_login(admin_user)
    return client


def created(user) -> TaskHistory:
    data = TaskInput(prompt="黑白", task_type="filter", images=(inspect_upload(make_photo()),))
    return task_create(user=user, data=data, enqueue=False).task


def act(staff, action, *tasks, capture=None):
    data = {"action": action, "_selected_action": [str(task.pk) for task in tasks]}
    if capture is None:
        return staff.post(URL, data, follow=True)
    with capture(execute=True):
        return staff.post(URL, data, follow=True)


def test_a_failed_task_runs_again_free(
    staff, user, settings, admin_user, django_capture_on_commit_callbacks
):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.FlakyImageProvider"
    task = task_run(task_id=created(user).pk)
    assert task.status == "failed" and credits_balance(user=user) == 10
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    TaskHistory.objects.filter(pk=task.pk).update(
        image_provider=settings.AICEPS_IMAGE_PROVIDER, provider_chain={}
    )

    page = act(staff, "run_again", task, capture=django_capture_on_commit_callbacks)

    assert b"1 tasks queued again" in page.content
    task.refresh_from_db()
    assert task.status == "completed" and task.credits_deducted == 0
    assert f"Run again by {admin_user.username}" in task.error_detail
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)
    day = TaskStatistics.objects.get(user=user, period_type="all")
    assert (day.total_tasks, day.failed_tasks, day.successful_tasks) == (1, 0, 1)


def test_a_stuck_task_is_failed_and_refunded_in_the_staff_members_name(staff, user, admin_user):
    task = created(user)
    task_claim(task_id=task.pk)  # a worker took it, then vanished

    act(staff, "fail_and_refund", task)

    task.refresh_from_db()
    assert task.status == "failed" and task.error_code == "failed_by_staff"
    refund = CreditTransaction.objects.get(task_id=task.pk, kind="refund")
    assert refund.amount == 3 and refund.created_by == admin_user
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)
    # A worker that finishes after all drops its result.
    assert task_run(task_id=task.pk) is None


def test_any_task_is_refunded_once(staff, user, admin_user):
    task = task_run(task_id=created(user).pk)
    assert task.status == "completed" and credits_balance(user=user) == 7

    first = act(staff, "refund_once", task)
    second = act(staff, "refund_once", task)

    assert b"Refunded 3 credits on 1 tasks" in first.content
    assert b"Refunded 0 credits on 0 tasks" in second.content
    refunds = CreditTransaction.objects.filter(task_id=task.pk, kind="refund")
    assert [(r.amount, r.created_by) for r in refunds] == [(3, admin_user)]
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)
    task.refresh_from_db()
    assert task.credits_deducted == 0


def test_a_failed_task_is_not_refunded_twice(staff, user, settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.FailingImageProvider"
    task = task_run(task_id=created(user).pk)

    act(staff, "refund_once", task)

    assert CreditTransaction.objects.filter(task_id=task.pk, kind="refund").count() == 1
    assert credits_balance(user=user) == 10


def test_the_ledger_admin_shows_who(staff, user, admin_user):
    task = task_run(task_id=created(user).pk)
    act(staff, "refund_once", task)

    page = staff.get("/admin/accounts/credittransaction/")

    assert page.status_code == 200 and admin_user.username.encode() in page.content


def test_the_ledger_admin_and_the_task_admin_link_to_each_other(staff, user):
    task = task_run(task_id=created(user).pk)
    debit = CreditTransaction.objects.get(task_id=task.pk, kind="debit")

    listing = staff.get(f"/admin/accounts/credittransaction/?q={task.pk}").content.decode()
    row = staff.get(f"/admin/accounts/credittransaction/{debit.pk}/change/").content.decode()
    task_page = staff.get(f"{URL}{task.pk}/change/").content.decode()

    to_task = f'href="{URL}{task.pk}/change/"'
    assert to_task in listing and to_task in row  # the ledger knows the task by id only
    assert "1 result" in listing  # found by the task's id: its debit, not the sign-up row
    assert f'href="/admin/accounts/credittransaction/{debit.pk}/change/"' in task_page
