"""Staff tools: users with their balances, a grant-credits action, the read-only ledger."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.admin import UserAdmin
from django.db.models import F
from django.shortcuts import render
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin import ReadOnlyAdminMixin

from .ledger_tasks import ledger_tasks
from .models import CreditTransaction, ExternalIdentity, SignInSession, User
from .services import credits_grant


class GrantCreditsForm(forms.Form):
    amount = forms.IntegerField(label=_("Credits to grant"), min_value=1, max_value=1_000_000)
    note = forms.CharField(label=_("Note"), max_length=500)


class IdentityInline(admin.TabularInline):
    """The names the user is known by elsewhere (read-only: they come from sign-ins)."""

    model = ExternalIdentity
    extra = 0
    can_delete = False
    fields = readonly_fields = ("provider", "subject", "created_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(User)
class AiceUserAdmin(UserAdmin):
    inlines = [IdentityInline]
    list_display = ["username", "email", "balance", "is_staff", "is_active", "date_joined"]
    list_select_related = ["credit_account"]
    search_fields = ["username", "email", "identities__subject"]
    readonly_fields = ["balance", "ledger"]
    fieldsets = [
        *(UserAdmin.fieldsets or ()),
        (_("Credits and identity"), {"fields": ["external_id", "balance", "ledger"]}),
    ]
    actions = ["grant_credits"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_balance=F("credit_account__balance"))

    def get_deleted_objects(self, objs, request):
        """A user goes with their content (tasks, statistics, keys, webhooks), which staff
        cannot delete one by one (read-only records); the credit account and its ledger
        stay, closed (``accounts.signals``), and their files are removed after the commit
        (``generation.receivers``)."""
        deleted, counts, _needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    @admin.display(description=_("Balance"), ordering="_balance")
    def balance(self, user: User) -> int:
        balance = getattr(user, "_balance", None)
        if balance is None:
            balance = getattr(getattr(user, "credit_account", None), "balance", 0)
        return int(balance or 0)

    @admin.display(description=_("Recent ledger"))
    def ledger(self, user: User) -> str:
        from django.utils.html import format_html_join

        rows = CreditTransaction.objects.filter(account__user=user).order_by("-created_at")[:50]
        if not rows:
            return "—"
        return format_html_join(
            "",
            "<div>{} · {} · {} → {} · {}</div>",
            (
                (
                    r.created_at.strftime("%Y-%m-%d %H:%M"),
                    r.get_kind_display(),
                    f"{r.amount:+d}",
                    r.balance_after,
                    r.note,
                )
                for r in rows
            ),
        )

    @admin.action(description=_("Grant credits to the selected users"))
    def grant_credits(self, request, queryset):
        if "apply" in request.POST:
            form = GrantCreditsForm(request.POST)
            if form.is_valid():
                for user in queryset:
                    credits_grant(
                        user=user,
                        amount=form.cleaned_data["amount"],
                        note=form.cleaned_data["note"],
                        granted_by=request.user,
                    )
                self.message_user(
                    request,
                    _("Granted %(amount)d credits to %(count)d users.")
                    % {"amount": form.cleaned_data["amount"], "count": queryset.count()},
                    messages.SUCCESS,
                )
                return None
        else:
            form = GrantCreditsForm()
        return render(
            request,
            "admin/accounts/grant_credits.html",
            {
                **self.admin_site.each_context(request),
                "title": _("Grant credits"),
                "form": form,
                "users": queryset,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )


@admin.register(CreditTransaction)
class CreditTransactionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The ledger is append-only: staff read it here and add to it through the grant action."""

    list_display = [
        "created_at",
        "account",
        "kind",
        "amount",
        "balance_after",
        "task",
        "note",
        "created_by",
        "api_key",
    ]
    list_filter = ["kind", "created_at"]
    search_fields = ["account__user__username", "note", "idempotency_key", "task_id"]
    list_select_related = ["account__user", "created_by", "api_key"]
    date_hierarchy = "created_at"
    readonly_fields = ["task"]

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        tasks = ledger_tasks(row.task_id for row in changelist.result_list)  # one query a page
        for row in changelist.result_list:
            row.ledger_task = tasks.get(row.task_id)
        return changelist

    @admin.display(description=_("Task"), ordering="task_id")
    def task(self, row: CreditTransaction) -> str:
        """The task by its id, linked to its staff page when the layer that owns tasks
        describes it (``accounts.ledger_tasks``)."""
        if row.task_id is None:
            return "—"
        task = getattr(row, "ledger_task", None) or ledger_tasks([row.task_id])[row.task_id]
        if task.admin_url is None:
            return str(row.task_id)
        return format_html('<a href="{}">{}</a>', task.admin_url, task.label)


@admin.register(SignInSession)
class SignInSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Sign-ins through AicePS's Supabase-compatible sign-in (the photo editor)."""

    list_display = ["user", "created_at", "refreshed_at", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    exclude = ["refresh_token_sha256"]


from . import admin_platform  # noqa: E402,F401
