"""The webhooks page: register an endpoint (its secret is shown on that answer only),
delete one, read the user's signing secret for task URLs, and see recent deliveries with
each attempt's status and latency."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import DomainError

from .models import EVENTS
from .selectors import deliveries_of, delivery_summary, endpoint_get, endpoints_of
from .services import webhook_endpoint_create, webhook_endpoint_delete, webhook_secret_get


class EndpointForm(forms.Form):
    url = forms.CharField(label=gettext_lazy("URL"), max_length=2000)
    description = forms.CharField(label=gettext_lazy("Description"), required=False)
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events (none chosen: every event but progress)"),
        choices=[(event, event) for event in EVENTS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )


@login_required
def webhooks_page(request):
    form = EndpointForm(request.POST or None)
    created = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                created = webhook_endpoint_create(
                    user=request.user,
                    url=form.cleaned_data["url"],
                    description=form.cleaned_data["description"],
                    events=form.cleaned_data["events"],
                )
            except DomainError as error:
                form.add_error("url", error.message)
                status = 400
            else:
                form = EndpointForm()
        else:
            status = 400
    context = {
        "form": form,
        "created": created,
        "endpoints": endpoints_of(user=request.user),
        "deliveries": [delivery_summary(row) for row in deliveries_of(user=request.user)[:30]],
        "task_secret": webhook_secret_get(user=request.user),
    }
    response = render(request, "webhooks/settings.html", context, status=status)
    response["Cache-Control"] = "no-store"  # secrets on the page
    return response


@login_required
@require_POST
def endpoint_delete(request, endpoint_id):
    endpoint = endpoint_get(user=request.user, endpoint_id=endpoint_id)
    if endpoint is None:
        raise Http404
    webhook_endpoint_delete(endpoint=endpoint)
    messages.success(request, _("The endpoint was deleted."))
    return redirect("webhooks:settings")
