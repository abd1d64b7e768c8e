"""Creates (once) a demo user and an admin superuser, and prints how to use them.

The demo user gets an API token and a web password, so the pages can be tried at once; the
passwords are kept in ``$AICEPS_VAR_DIR`` (readable by this machine's owner only) so that
later runs print the same ones.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token

from accounts.models import User


def _kept_password(path: Path, user: User | None, *, create: Callable[[str], object]) -> str:
    """The password in ``path``, or a new one set on ``user`` (by ``create``) and kept."""
    if path.exists():
        return path.read_text().strip()
    password = secrets.token_urlsafe(12)
    create(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n")
    path.chmod(0o600)
    return password


class Command(BaseCommand):
    help = "Create the demo user and an admin superuser; print the URL and how to sign in."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="Where AicePS runs.")

    def handle(self, *args, url: str, **options) -> None:
        var = Path(settings.VAR_DIR)
        demo, _ = User.objects.get_or_create(username="demo", defaults={"email": "demo@localhost"})
        token, _ = Token.objects.get_or_create(user=demo)

        def set_demo_password(password: str) -> None:
            demo.set_password(password)
            demo.save(update_fields=["password"])

        demo_password = _kept_password(var / "demo-password.txt", demo, create=set_demo_password)
        admin = User.objects.filter(username="admin").first()
        admin_file = var / "admin-password.txt"
        if admin is None:
            admin_file.unlink(missing_ok=True)
            admin_password = _kept_password(
                admin_file,
                None,
                create=lambda p: User.objects.create_superuser("admin", "admin@localhost", p),
            )
        else:
            admin_password = (
                admin_file.read_text().strip() if admin_file.exists() else "(set earlier)"
            )
        balance = demo.credit_account.balance
        url = url.rstrip("/")
        self.stdout.write(
            "\n".join(
                [
                    "",
                    f"AicePS is ready on {url}/",
                    f"  pages:  {url}/accounts/login/   user 'demo', password {demo_password}"
                    f"   ({balance} credits)",
                    f"  API:    Authorization: Bearer {token.key}",
                    f"  admin:  {url}/admin/   user 'admin', password {admin_password}",
                    "",
                ]
            )
        )
