"""A Supabase-compatible sign-in (GoTrue's HTTP API) on AicePS's own origin, over Django's users.

The photo editor uses ``@supabase/supabase-js`` for sign-in. Pointed at AicePS
(``VITE_SUPABASE_URL`` = AicePS's origin), its calls land here: ``POST /auth/v1/token``
(``grant_type=password`` and ``refresh_token``), ``GET``/``PUT /auth/v1/user``,
``POST /auth/v1/signup`` (when ``AICEPS_OPEN_SIGNUP`` is on), ``POST /auth/v1/logout``,
``POST /auth/v1/recover`` and ``GET /auth/v1/settings``. Sessions are AicePS-issued JWTs
(:mod:`.tokens`) with rotating refresh tokens (:mod:`.sessions`); on the same origin a sign-in
also opens Django's HttpOnly session cookie, which is how the editor's credential-less calls
(generation, permissions) are authenticated.
"""
