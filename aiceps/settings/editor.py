"""Settings of the photo editor's backend: its sign-in, Supabase JWTs, CORS, the image proxy.

Read from the environment here, imported by ``aiceps.settings.base``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corsheaders.defaults import default_headers

from .env import env_derived, env_float, env_int, env_list, env_str
from .tasks import AICEPS_MAX_UPLOAD_BYTES


# --- AicePS's Supabase-compatible sign-in (accounts.gotrue) ------------------------------
@dataclass(frozen=True)
class SignInTokens:
    """``settings.AICEPS_AUTH``: the tokens of AicePS's Supabase-compatible sign-in. Tests
    change it with ``dataclasses.replace(settings.AICEPS_AUTH, ...)``."""

    jwt_secret: str = field(default="", repr=False)  # empty: derived from DJANGO_SECRET_KEY
    issuer: str = "aiceps"
    access_token_seconds: int = 3600
    refresh_token_days: int = 30  # an unused refresh token's lifetime
    # GoTrue's refresh-token reuse interval: a replaced token still refreshes for this long.
    refresh_reuse_seconds: int = 10
    # The editor's VITE_SUPABASE_ANON_KEY; when set, /auth/v1/ calls must send it as `apikey`.
    anon_key: str = field(default="", repr=False)


AICEPS_AUTH = SignInTokens(
    jwt_secret=env_str(
        "AICEPS_AUTH_JWT_SECRET",
        doc="signs the session JWTs of AicePS's Supabase-compatible sign-in",
        shown="derived from `DJANGO_SECRET_KEY`",
    ),
    issuer=env_str("AICEPS_AUTH_ISSUER", "aiceps", doc="their issuer"),
    access_token_seconds=env_int(
        "AICEPS_AUTH_ACCESS_TOKEN_SECONDS", 3600, doc="lifetime of an access token"
    ),
    refresh_token_days=env_int(
        "AICEPS_AUTH_REFRESH_TOKEN_DAYS", 30, doc="lifetime of an unused refresh token"
    ),
    refresh_reuse_seconds=env_int(
        "AICEPS_AUTH_REFRESH_REUSE_SECONDS",
        10,
        doc=(
            "a refresh token that was just replaced still refreshes for this "
            "long (GoTrue's reuse interval: two tabs refreshing at once both "
            "stay signed in); after it, its reuse is refused"
        ),
    ),
    anon_key=env_str(
        "AICEPS_AUTH_ANON_KEY",
        doc="the `apikey` the sign-in requires (the editor's `VITE_SUPABASE_ANON_KEY`)",
        shown="empty: any",
    ),
)
AICEPS_THROTTLE_SIGN_IN = env_str(
    "AICEPS_THROTTLE_SIGN_IN",
    "20/min",
    doc="sign-in, sign-up and recovery attempts per client address",
)

# --- A real Supabase project's session JWTs (accounts.authentication) -------------------
SUPABASE_URL = env_str(
    "SUPABASE_URL",
    doc=("a Supabase project whose session JWTs are accepted, verified by its JWKS (ES256/RS256)"),
).rstrip("/")
# Supabase's layout: the issuer is the project's auth URL, its keys beside it; derived from
# SUPABASE_URL when they are read (accounts.authentication, accounts.jwks), so a test that
# changes SUPABASE_URL changes them too. Empty: derived.
SUPABASE_JWT_ISSUER = env_derived(
    "SUPABASE_JWT_ISSUER",
    "",
    doc="the issuer Supabase session JWTs must name",
    shown="`{SUPABASE_URL}/auth/v1`",
)
SUPABASE_JWKS_URL = env_derived(
    "SUPABASE_JWKS_URL",
    "",
    doc="where the Supabase project's keys are",
    shown="`{SUPABASE_URL}/auth/v1/.well-known/jwks.json`",
)
AICEPS_JWKS_CACHE_SECONDS = env_int(
    "AICEPS_JWKS_CACHE_SECONDS",
    600,
    doc=(
        "how long the Supabase project's keys are kept (an unknown key id refetches at most "
        "every 30 s)"
    ),
)
AICEPS_JWKS_TIMEOUT_SECONDS = env_float(
    "AICEPS_JWKS_TIMEOUT_SECONDS",
    5.0,
    doc="timeout of one fetch of those keys",
)

# --- CORS (django-cors-headers): browsers on other origins -------------------------------
CORS_ALLOWED_ORIGINS = env_list(
    "AICEPS_CORS_ALLOWED_ORIGINS",
    [],
    doc=("comma-separated origins of front ends on other origins (`https://ps.example.com`)"),
)
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
CORS_PREFLIGHT_MAX_AGE = env_int(
    "AICEPS_CORS_MAX_AGE_SECONDS", 86400, doc="how long browsers keep a preflight answer"
)

# --- The editor's routes (editor/) --------------------------------------------------------
# Hosts /api/proxy-image may fetch from besides AicePS's own files, e.g. "images.example.com".
AICEPS_PROXY_IMAGE_HOSTS = env_list(
    "AICEPS_PROXY_IMAGE_HOSTS",
    [],
    doc=(
        "hosts `/api/proxy-image` may fetch from besides AicePS's own "
        "images (`*.example.com` for subdomains)"
    ),
)
# Of those, hosts that may resolve to private addresses (an internal MinIO, say).
AICEPS_PROXY_IMAGE_PRIVATE_HOSTS = env_list(
    "AICEPS_PROXY_IMAGE_PRIVATE_HOSTS",
    [],
    doc=("of those, hosts allowed to resolve to private addresses (an internal image server)"),
)
AICEPS_PROXY_IMAGE_TIMEOUT_SECONDS = env_float(
    "AICEPS_PROXY_IMAGE_TIMEOUT_SECONDS",
    5.0,
    doc="time for a whole proxied fetch, redirects included",
)
# What the editor fetches through the proxy it uploads next: the same limit as an upload.
AICEPS_PROXY_IMAGE_MAX_BYTES = env_derived(
    "AICEPS_PROXY_IMAGE_MAX_BYTES",
    AICEPS_MAX_UPLOAD_BYTES,
    doc="largest image `/api/proxy-image` fetches",
    shown="`AICEPS_MAX_UPLOAD_BYTES`",
)
AICEPS_EDITOR_MAX_BATCH = env_int(
    "AICEPS_EDITOR_MAX_BATCH", 10, doc="prompts per `/api/generate-batch-images`"
)
# A built single-page front end (the editor's `dist/`) served at AICEPS_EDITOR_PATH.
AICEPS_EDITOR_DIST = env_str(
    "AICEPS_EDITOR_DIST",
    doc=("a built front end (the editor's `dist/`) served by AicePS, and where"),
)
AICEPS_EDITOR_PATH = env_str(
    "AICEPS_EDITOR_PATH",
    "/editor/",
    doc=("a built front end (the editor's `dist/`) served by AicePS, and where"),
)
# Its content security policy; empty sends none (the build decides where its scripts live).
AICEPS_EDITOR_CSP = env_str(
    "AICEPS_EDITOR_CSP",
    doc=(
        "the policy of the served front end (its build decides where its "
        "scripts and fonts come from)"
    ),
    shown="empty: none",
)
