"""The web pages around tasks: a task's page and its live status, history, statistics, and
sign-up (the credits page is ``accounts``'). Every page shows only the signed-in user's own
records."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts.selectors import credits_ledger

from ..files import TaskFiles
from ..forms import HistoryFilterForm, SignupForm
from ..models import TaskHistory, TaskStatistics
from ..presenters import elapsed_ms, task_page_payload
from ..selectors import statistics_for, task_can_run_again, task_get, task_list
from ..services import TaskStateError, task_cancel
from .charts import statistics_charts

Stage = TaskHistory.Stage
STAGES = [Stage.QUEUED, Stage.WRITING_PROMPT, Stage.GENERATING_IMAGE, Stage.STORING, Stage.DONE]
PERIODS = {
    TaskStatistics.PeriodType.DAY: 30,
    TaskStatistics.PeriodType.WEEK: 26,
    TaskStatistics.PeriodType.MONTH: 24,
}


def _own_task(request, task_id) -> TaskHistory:
    task = task_get(user=request.user, task_id=task_id)
    if task is None:
        raise Http404
    return task


def _stage_steps(task: TaskHistory) -> list[dict]:
    current = STAGES.index(task.stage) if task.stage in STAGES else 0
    if task.status == TaskHistory.Status.COMPLETED:
        current = len(STAGES) - 1
    steps = []
    for index, stage in enumerate(STAGES):
        state = "done" if index < current else "current" if index == current else "todo"
        if task.status == TaskHistory.Status.COMPLETED:
            state = "done"
        steps.append({"value": stage.value, "label": stage.label, "state": state})
    return steps


@login_required
def task_detail(request, task_id):
    task = _own_task(request, task_id)
    ledger = credits_ledger(user=request.user).filter(task_id=task.pk)
    refunded = sum(row.amount for row in ledger if row.amount > 0)
    context = {
        "task": task,
        "urls": TaskFiles(task).urls(),
        "steps": _stage_steps(task),
        "labels": {
            "stage": {stage.value: str(stage.label) for stage in STAGES},
            "status": {value: str(label) for value, label in TaskHistory.Status.choices},
        },
        "elapsed_ms": elapsed_ms(task),
        "ledger": ledger,
        "refunded": refunded,
        "hotspot": task.parameters if task.task_type == TaskHistory.TaskType.HOTSPOT else None,
        "can_run_again": task_can_run_again(task=task),
    }
    return render(request, "generation/task.html", context)


@never_cache
def task_status(request, task_id):
    """The task page polls this (JSON); 401 when the session is gone, 404 for others' tasks."""
    if not request.user.is_authenticated:
        return JsonResponse(
            {"error": {"code": "not_authenticated", "message": _("Please sign in again.")}},
            status=401,
        )
    return JsonResponse(task_page_payload(_own_task(request, task_id)))


@login_required
@require_POST
def task_cancel_view(request, task_id):
    task = _own_task(request, task_id)
    try:
        task_cancel(task=task)
    except TaskStateError:
        messages.error(request, _("The task has already started and can no longer be cancelled."))
    else:
        messages.success(request, _("The task was cancelled and its credits refunded."))
    return redirect("web:task", task_id=task.pk)


@login_required
def history(request):
    form = HistoryFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = task_list(
        user=request.user,
        status=filters.get("status") or None,
        task_type=filters.get("task_type") or None,
        search=(filters.get("q") or "").strip() or None,
    )
    page = Paginator(tasks, 20).get_page(request.GET.get("page"))
    rows = []
    for task in page.object_list:
        urls = TaskFiles(task).urls()
        rows.append(
            {"task": task, "thumb": urls["generated_image_url"] or urls["original_image_url"]}
        )
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filtered": any(filters.get(name) for name in ("status", "task_type", "q")),
    }
    return render(request, "generation/history.html", context)


@login_required
def statistics(request):
    period = request.GET.get("period", TaskStatistics.PeriodType.DAY)
    if period not in PERIODS:
        period = TaskStatistics.PeriodType.DAY
    rows = list(
        reversed(statistics_for(user=request.user, period_type=period, limit=PERIODS[period]))
    )
    all_time = TaskStatistics.objects.filter(
        user=request.user, period_type=TaskStatistics.PeriodType.ALL
    ).first()
    periods = [
        (value, label) for value, label in TaskStatistics.PeriodType.choices if value in PERIODS
    ]
    context = {
        "period": period,
        "periods": periods,
        "rows": rows,
        "all_time": all_time,
        "table_rows": list(reversed(rows)),
        **statistics_charts(rows, period),
    }
    return render(request, "generation/statistics.html", context)


def signup(request):
    if not settings.AICEPS_OPEN_SIGNUP:
        raise Http404
    if request.user.is_authenticated:
        return redirect("web:new")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready."))
        return redirect("web:new")
    return render(
        request, "registration/signup.html", {"form": form}, status=400 if form.is_bound else 200
    )
