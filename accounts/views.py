"""A signed-in user's pages of their account: the API keys (create, the key shown on this
answer only; list with what each has spent; revoke) and the credits (balance and ledger)."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError

from .key_services import api_key_create, api_key_for, api_key_revoke, api_key_summary
from .ledger_tasks import ledger_tasks
from .models import ApiKey
from .selectors import credits_balance, credits_ledger


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    expires_in_days = forms.IntegerField(
        label=gettext_lazy("Expires after (days)"), min_value=1, max_value=3650, required=False
    )
    credit_budget = forms.IntegerField(
        label=gettext_lazy("Credit budget"), min_value=0, max_value=10_000_000, required=False
    )


@login_required
def api_keys(request):
    form = ApiKeyForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            days = form.cleaned_data.get("expires_in_days")
            try:
                created = api_key_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    expires_at=timezone.now() + timedelta(days=days) if days else None,
                    credit_budget=form.cleaned_data.get("credit_budget"),
                )
            except DomainError as error:
                form.add_error(None, error.message)
                status = 400
            else:
                form = ApiKeyForm()
        else:
            status = 400
    keys = [api_key_summary(key) for key in ApiKey.objects.filter(user=request.user)]
    context = {"form": form, "keys": keys, "created": created}
    response = render(request, "accounts/api_keys.html", context, status=status)
    if created is not None:
        response["Cache-Control"] = "no-store"  # the key is on this page only
    return response


@login_required
@require_POST
def api_key_revoke_view(request, key_id: int):
    try:
        api_key = api_key_for(user=request.user, key_id=key_id)
    except DomainError:
        messages.error(request, _("No such key."))
    else:
        api_key_revoke(api_key=api_key)
        messages.success(request, _("The key “%(name)s” was revoked.") % {"name": api_key.name})
    return redirect("accounts:api-keys")


@login_required
def credits_page(request):
    page = Paginator(credits_ledger(user=request.user), 25).get_page(request.GET.get("page"))
    tasks = ledger_tasks(row.task_id for row in page.object_list)
    for row in page.object_list:
        row.ledger_task = tasks.get(row.task_id)
    context = {"balance": credits_balance(user=request.user), "page": page}
    return render(request, "accounts/credits.html", context)
