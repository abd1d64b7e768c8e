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
    the ledger, and the rows still say what moved when."""
    from django.utils import timezone

    from .models import CreditAccount

    CreditAccount.objects.filter(user_id=instance.pk).update(
        closed_at=timezone.now(), former_user_id=instance.pk
    )
