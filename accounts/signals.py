"""Every new user gets a credit account with the sign-up credits, through the ledger; a
deleted user's account is closed, not removed."""

from django.conf import settings
from django.db.models.signals import post_save, pre_delete
from django.dispatch import receiver


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_open_credit_account")
def open_credit_account(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    if created and not raw:
        from .services import credit_account_open

        credit_account_open(user=instance)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_close_credit_account")
def close_credit_account(sender, instance, origin=None, **kwargs) -> None:
    """A deleted user's credit account stays, closed, with every ledger row (``user`` is
    then set to NULL by the database's cascade rules): the balance still equals the sum of
    the ledger, and the rows still say what moved when. The user's tasks go with them, so
    the rows forget which tasks they were for (``task_id``)."""
    from django.utils import timezone

    from .models import CreditAccount, CreditTransaction

    CreditAccount.objects.filter(user_id=instance.pk).update(
        closed_at=timezone.now(), former_user_id=instance.pk
    )
    CreditTransaction.objects.filter(account__user_id=instance.pk).exclude(task_id=None).update(
        task_id=None
    )


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="accounts_password_changed")
def end_sessions_on_password_change(
    sender, instance, created: bool, raw: bool = False, **kwargs
) -> None:
    """A new password ends the user's other sessions (``accounts.session_ends``). Django keeps
    the new raw password on ``_password`` from ``set_password`` until just after this signal,
    which is how a password change is told from any other save."""
    if created or raw or getattr(instance, "_password", None) is None:
        return
    from .session_ends import user_sessions_end

    user_sessions_end(user=instance, keep_sign_in_session=instance.keep_sign_in_session)
