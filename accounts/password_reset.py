"""Password reset by email that tells the truth about the mail.

Django's reset form always says a mail was sent. Here a server that cannot send mail at all
(no ``EMAIL_HOST`` in production: ``AICEPS_MAIL_ENABLED`` off) says so on the form, for every
address alike, so nothing about which accounts exist is revealed; a mail server that fails
for a moment is logged in one line and answered like a sent mail, for the same reason.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.core.mail import EmailMultiAlternatives
from django.template import loader
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)


def mail_unavailable_message() -> str:
    return _(
        "This server cannot send email, so no reset link can be mailed. "
        "Ask its administrator to reset your password."
    )


class ResetMailForm(PasswordResetForm):
    """Django's form, with a failed delivery logged in one line (Django logs a traceback)."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        message = EmailMultiAlternatives(subject, body, from_email, [to_email])
        if html_email_template_name is not None:
            html = loader.render_to_string(html_email_template_name, context)
            message.attach_alternative(html, "text/html")
        try:
            message.send()
        except Exception as exc:  # SMTP refused, timed out, rejected the sender…
            logger.warning(
                "password reset email not sent (user %s): %s: %s",
                context["user"].pk,
                type(exc).__name__,
                exc,
            )


def password_reset_send(*, email: str, request, use_https: bool) -> None:
    """Mail a reset link to the account with ``email``, if there is one. Raises nothing: a
    failure to deliver is logged (without the address) and looks like a sent mail."""
    form = ResetMailForm(data={"email": email})
    if form.is_valid():
        form.save(request=request, use_https=use_https)


class HonestPasswordResetView(auth_views.PasswordResetView):
    form_class = ResetMailForm

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and not settings.AICEPS_MAIL_ENABLED:
            form = self.get_form()
            form.is_valid()
            form.add_error(None, mail_unavailable_message())
            return self.render_to_response(self.get_context_data(form=form), status=503)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form):
        password_reset_send(
            email=form.cleaned_data["email"],
            request=self.request,
            use_https=self.request.is_secure(),
        )
        return super(auth_views.PasswordResetView, self).form_valid(form)
