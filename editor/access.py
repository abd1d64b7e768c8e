"""Who calls the editor's routes, and how their refusals look.

The editor's generation, permission and comic calls carry no credentials: on AicePS's own
origin the session cookie of AicePS's sign-in authenticates them (from pages of this origin
only, ``accounts.origin``). A deployment where the editor signs in with a real Supabase
project has no such cookie: the editor must then send its session token as
``Authorization: Bearer`` on those calls too (see the README). Task-history and template
calls send the token already.
"""

from __future__ import annotations

from accounts.authentication import (
    BearerTokenAuthentication,
    SameOriginSessionAuthentication,
    SupabaseJWTAuthentication,
)
from generation.api.access import ApiViewMixin

from .errors import exception_handler


class EditorApiMixin(ApiViewMixin):
    authentication_classes = [
        BearerTokenAuthentication,
        SupabaseJWTAuthentication,
        SameOriginSessionAuthentication,
    ]

    def get_exception_handler(self):
        return exception_handler
