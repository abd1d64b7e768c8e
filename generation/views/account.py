"""The settings page (API keys, webhooks, the user's data), the data export, deleting all of
one's content, and deleting one task."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.http import file_response

from ..selectors import task_get
from ..services import TaskStateError, task_delete, user_content_delete
from ..services.export import user_export
from ..services.retention import retention_days_for

CONFIRM_WORD = "DELETE"


@login_required
def settings_page(request):
    context = {
        "retention_days": retention_days_for(user_id=request.user.pk),
        "confirm_word": CONFIRM_WORD,
    }
    return render(request, "generation/settings.html", context)


@login_required
def export_download(request):
    handle = user_export(user=request.user, with_files=request.GET.get("files") != "0")
    name = f"aiceps-export-{request.user.get_username()}-{timezone.now():%Y%m%d-%H%M%S}.zip"
    response = file_response(request, handle, as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def delete_everything(request):
    if request.POST.get("confirm", "").strip() != CONFIRM_WORD:
        messages.error(request, _("Type %(word)s to confirm.") % {"word": CONFIRM_WORD})
        return redirect("web:settings")
    done = user_content_delete(user=request.user)
    messages.success(
        request,
        _("Deleted %(tasks)d tasks and %(files)d files. Your balance and ledger stay.")
        % {"tasks": done["tasks_deleted"], "files": done["files"]},
    )
    return redirect("web:settings")


@login_required
@require_POST
def task_delete_view(request, task_id):
    task = task_get(user=request.user, task_id=task_id)
    if task is None:
        raise Http404
    try:
        task_delete(task=task)
    except TaskStateError:
        messages.error(request, _("Cancel the task, or let it finish, before deleting it."))
        return redirect("web:task", task_id=task.pk)
    messages.success(request, _("The task was deleted."))
    return redirect("web:history")
