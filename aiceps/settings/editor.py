"""Settings of the photo editor's backend: its sign-in, Supabase JWTs, CORS, the image proxy.

Read from the environment here, imported by ``aiceps.settings.base``.
"""

from __future__ import annotations

from corsheaders.defaults import default_headers

from .env import env_float, env_int, env_list, env_str

# --- AicePS's Supabase-compatible sign-in (accounts.gotrue) ------------------------------
# Empty: a key derived from DJANGO_SECRET_KEY signs the session JWTs.
AICEPS_AUTH_JWT_SECRET = env_str("AICEPS_AUTH_JWT_SECRET")
AICEPS_AUTH_ISSUER = env_str("AICEPS_AUTH_ISSUER", "aiceps")
AICEPS_AUTH_ACCESS_TOKEN_SECONDS = env_int("AICEPS_AUTH_ACCESS_TOKEN_SECONDS", 3600)
AICEPS_AUTH_REFRESH_TOKEN_DAYS = env_int("AICEPS_AUTH_REFRESH_TOKEN_DAYS", 30)
# GoTrue's refresh-token reuse interval: a replaced token still refreshes for this long.
AICEPS_AUTH_REFRESH_REUSE_SECONDS = env_int("AICEPS_AUTH_REFRESH_REUSE_SECONDS", 10)
# The editor's VITE_SUPABASE_ANON_KEY; when set, /auth/v1/ calls must send it as `apikey`.
AICEPS_AUTH_ANON_KEY = env_str("AICEPS_AUTH_ANON_KEY")
AICEPS_THROTTLE_SIGN_IN = env_str("AICEPS_THROTTLE_SIGN_IN", "20/min")

# --- A real Supabase project's session JWTs (accounts.authentication) -------------------
SUPABASE_URL = env_str("SUPABASE_URL").rstrip("/")
SUPABASE_JWKS_URL = env_str("SUPABASE_JWKS_URL")  # default {SUPABASE_URL}/auth/v1/.well-known/…
SUPABASE_JWT_ISSUER = env_str("SUPABASE_JWT_ISSUER")  # default {SUPABASE_URL}/auth/v1
AICEPS_JWKS_CACHE_SECONDS = env_int("AICEPS_JWKS_CACHE_SECONDS", 600)
AICEPS_JWKS_TIMEOUT_SECONDS = env_float("AICEPS_JWKS_TIMEOUT_SECONDS", 5.0)

# --- CORS (django-cors-headers): browsers on other origins -------------------------------
CORS_ALLOWED_ORIGINS = env_list("AICEPS_CORS_ALLOWED_ORIGINS", [])
CORS_URLS_REGEX = r"^/(api|auth/v1|files|v1)/.*$"
CORS_ALLOW_HEADERS = (
    *default_headers,
    "idempotency-key",
    "apikey",
    "x-client-info",
    "x-supabase-api-version",
)
CORS_EXPOSE_HEADERS = ["Location", "Retry-After"]
CORS_ALLOW_CREDENTIALS = False  # other origins send tokens, never the cookie
CORS_PREFLIGHT_MAX_AGE = env_int("AICEPS_CORS_MAX_AGE_SECONDS", 86400)

# --- The editor's routes (editor/) --------------------------------------------------------
# Hosts /api/proxy-image may fetch from besides AicePS's own files, e.g. "images.example.com".
AICEPS_PROXY_IMAGE_HOSTS = env_list("AICEPS_PROXY_IMAGE_HOSTS", [])
# Of those, hosts that may resolve to private addresses (an internal MinIO, say).
AICEPS_PROXY_IMAGE_PRIVATE_HOSTS = env_list("AICEPS_PROXY_IMAGE_PRIVATE_HOSTS", [])
AICEPS_PROXY_IMAGE_TIMEOUT_SECONDS = env_float("AICEPS_PROXY_IMAGE_TIMEOUT_SECONDS", 5.0)
AICEPS_PROXY_IMAGE_MAX_BYTES = env_int("AICEPS_PROXY_IMAGE_MAX_BYTES", 12 * 1024 * 1024)
AICEPS_EDITOR_MAX_BATCH = env_int("AICEPS_EDITOR_MAX_BATCH", 10)
# A built single-page front end (the editor's `dist/`) served at AICEPS_EDITOR_PATH.
AICEPS_EDITOR_DIST = env_str("AICEPS_EDITOR_DIST")
AICEPS_EDITOR_PATH = env_str("AICEPS_EDITOR_PATH", "/editor/")
# Its content security policy; empty sends none (the build decides where its scripts live).
AICEPS_EDITOR_CSP = env_str("AICEPS_EDITOR_CSP")
