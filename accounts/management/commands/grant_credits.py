"""Grant credits from the command line: ``manage.py grant_credits USERNAME AMOUNT --note ...``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import InvalidAmountError, credits_grant


class Command(BaseCommand):
    help = "Grant credits to a user, recorded in the ledger."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("amount", type=int)
        parser.add_argument("--note", default="Granted from the command line")

    def handle(self, *args, username: str, amount: int, note: str, **options) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        try:
            entry = credits_grant(user=user, amount=amount, note=note)
        except InvalidAmountError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{username}: {entry.balance} credits")
