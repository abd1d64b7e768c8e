"""Security settings: sign-in lockouts, throttles of what can be guessed, the content security
policy. Read from the environment here, imported by base."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

from .env import env_float, env_int, env_str

# --- Sign-in (pages and admin): django-axes locks an account, and an address, out --------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out attempt outright
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int(
    "AICEPS_LOGIN_FAILURE_LIMIT",
    5,
    doc=(
        "wrong passwords per account, and per address, before signing in "
        "(pages, admin, `/auth/v1/token`) is paused, and for how long (429)"
    ),
)
AXES_COOLOFF_TIME = timedelta(
    minutes=env_float(
        "AICEPS_LOGIN_LOCKOUT_MINUTES",
        15,
        doc=(
            "wrong passwords per account, and per address, before signing in "
            "(pages, admin, `/auth/v1/token`) is paused, and for how long (429)"
        ),
    )
)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

# --- API credentials that fail, per client address -------------------------------------
# A wrong token or JWT counts against the address it came from; past the rate, the address
# gets 429 before any credential is looked at (accounts.throttling).
AICEPS_THROTTLE_BAD_CREDENTIALS = env_str(
    "AICEPS_THROTTLE_BAD_CREDENTIALS",
    "20/min",
    doc=("wrong API tokens or JWTs per client address before it gets 429"),
)


# --- Content security policy of the pages ------------------------------------------------
def _image_sources() -> str:
    sources = ["'self'", "data:", "blob:"]
    endpoint = env_str(
        "AWS_S3_ENDPOINT_URL", doc="S3-compatible server (MinIO, SeaweedFS, R2, OSS …)", shown="AWS"
    )
    if endpoint:
        parsed = urlparse(endpoint)
        sources.append(f"{parsed.scheme}://{parsed.netloc}")
    elif env_str("S3_BUCKET_NAME", doc="store images on S3", shown="empty: local storage"):
        sources.append("https://*.amazonaws.com")
    return " ".join(sources)


AICEPS_CSP = env_str(
    "AICEPS_CSP",
    "default-src 'self'; "
    f"img-src {_image_sources()}; "
    "script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
    doc=(
        "the content security policy of AicePS's own pages (the storage's "
        "origin is added to `img-src`)"
    ),
    shown="`default-src 'self'` …",
)
