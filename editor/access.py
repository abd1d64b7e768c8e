"""Who calls the editor's routes, and how their refusals look.

The editor's generation, permission and comic calls carry no credentials: on AicePS's own
origin the session cookie of AicePS's sign-in authenticates them (from pages of this origin
only, ``accounts.origin``). A deployment where the editor signs in with a real Supabase
project has no such cookie: the editor must then send its session token as
``Authorization: Bearer`` on those calls too (see docs/photo-editor.md). Task-history and template
calls send the token already.
"""

from __future__ import annotations

from accounts.access import ApiViewMixin
from accounts.authentication import (
    BearerTokenAuthentication,
    SameOriginSessionAuthentication,
    SupabaseJWTAuthentication,
)
from accounts.throttling import BadCredentialsGuard
from core.errors import NotFoundError, ValidationError

from .errors import exception_handler


def refuse_nul(request, kwargs: dict) -> None:
    """PostgreSQL cannot store or compare a NUL character: one in the query string is the
    client's mistake (400), and nothing has one in its path (404), before anything reads it."""
    for name, values in request.query_params.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            clean = name.replace("\x00", "")
            raise ValidationError(
                f"{clean} contains a NUL character.", code="invalid_character", param=clean
            )
    if any(isinstance(value, str) and "\x00" in value for value in kwargs.values()):
        raise NotFoundError("Nothing here has a NUL character in its name.")


class EditorApiMixin(ApiViewMixin):
    error_shape = "editor"  # editor.errors.editor_body; documented by editor.schema
    authentication_classes = [
        BadCredentialsGuard,  # names the Bearer scheme; failures count in editor.errors
        BearerTokenAuthentication,
        SupabaseJWTAuthentication,
        SameOriginSessionAuthentication,
    ]

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_nul(request, kwargs)

    def get_exception_handler(self):
        return exception_handler
