"""Creates (once) a demo user with an API token and a superuser for the admin, and prints both."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.management.base import BaseCommand
from rest_framework.authtoken.models import Token

from accounts.models import User


class Command(BaseCommand):
    help = "Create the demo user (API token) and an admin superuser; print how to use them."

    def handle(self, *args, **options) -> None:
        demo, _ = User.objects.get_or_create(username="demo", defaults={"email": "demo@localhost"})
        token, _ = Token.objects.get_or_create(user=demo)
        password_file = settings.VAR_DIR / "admin-password.txt"
        admin = User.objects.filter(username="admin").first()
        if admin is None:
            password = secrets.token_urlsafe(12)
            User.objects.create_superuser("admin", "admin@localhost", password)
            password_file.parent.mkdir(parents=True, exist_ok=True)
            password_file.write_text(password + "\n")
            password_file.chmod(0o600)
        password = password_file.read_text().strip() if password_file.exists() else "(set earlier)"
        balance = demo.credit_account.balance
        self.stdout.write(
            "\n".join(
                [
                    "",
                    "AicePS is ready on http://127.0.0.1:8000",
                    f"  demo user API token: {token.key}   ({balance} credits)",
                    f"  admin: http://127.0.0.1:8000/admin/  user 'admin', password {password}",
                    "",
                ]
            )
        )
