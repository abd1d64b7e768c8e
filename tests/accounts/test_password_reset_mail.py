"""Password reset mails: delivered to the development backend, honest where none is set up."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import override_settings

from accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def member():
    return User.objects.create_user("mei", email="mei@example.com", password="pw-1234-long")


def test_the_reset_page_mails_a_working_link(client, member):
    answer = client.post("/accounts/password_reset/", {"email": "mei@example.com"})
    assert answer.status_code == 302
    [sent] = mail.outbox
    assert sent.to == ["mei@example.com"]
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", sent.body).group(1)
    opened = client.get(link, follow=True)
    assert opened.status_code == 200
    assert b"new_password1" in opened.content


def test_an_unknown_address_gets_the_same_answer_and_no_mail(client, member):
    answer = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert answer.status_code == 302
    assert mail.outbox == []


@override_settings(AICEPS_MAIL_ENABLED=False)
def test_without_mail_the_page_says_so_instead_of_claiming_a_mail(client, member):
    answer = client.post("/accounts/password_reset/", {"email": "mei@example.com"})
    assert answer.status_code == 503
    assert "cannot send email" in answer.content.decode()
    assert mail.outbox == []


@override_settings(AICEPS_MAIL_ENABLED=False)
def test_without_mail_gotrue_recover_answers_503(client, member):
    answer = client.post(
        "/auth/v1/recover", {"email": "mei@example.com"}, content_type="application/json"
    )
    assert answer.status_code == 503
    assert answer.json()["error_code"] == "email_provider_disabled"
    assert mail.outbox == []


def test_gotrue_recover_mails_the_link(client, member):
    answer = client.post(
        "/auth/v1/recover", {"email": "mei@example.com"}, content_type="application/json"
    )
    assert answer.status_code == 200
    [sent] = mail.outbox
    assert "/accounts/reset/" in sent.body


def test_a_failing_mail_server_is_logged_without_a_traceback(client, member, caplog):
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=9,  # nothing listens: the connection is refused
        EMAIL_USE_TLS=False,
        EMAIL_TIMEOUT=2,
    ):
        answer = client.post("/accounts/password_reset/", {"email": "mei@example.com"})
    assert answer.status_code == 302
    [record] = [r for r in caplog.records if "password reset email not sent" in r.getMessage()]
    assert record.exc_info is None


@override_settings(AICEPS_MAIL_ENABLED=False)
def test_check_deploy_warns_that_mail_is_not_set(capsys):
    call_command("check", "--deploy", "--tag", "security")
    assert "aiceps.W001" in capsys.readouterr().err
