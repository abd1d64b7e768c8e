"""Security settings: sign-in lockouts, throttles of what can be guessed, the content security
policy. Read from the environment here, imported by base."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from .env import env_derived, env_float, env_int, env_str
from .storage import AICEPS_S3

# --- The client's address --------------------------------------------------------------
# Who may say, in X-Forwarded-For, which address a request comes from (core.client_address):
# 0 nobody (the peer's address is the client's), a count N (every request passes through N
# proxies, e.g. 1 for the nginx recipe), or addresses/networks ("127.0.0.1,10.0.0.0/8").
# Sign-in lockouts, throttles and log lines all use that one address.
AICEPS_TRUSTED_PROXIES = env_str(
    "AICEPS_TRUSTED_PROXIES",
    "0",
    doc=(
        "whose `X-Forwarded-For` is believed: `0` nobody (the peer is the "
        "client), a count `N` of proxies every request passes (the client "
        "is the `N`-th address from the right), or addresses/networks "
        "(`127.0.0.1,10.0.0.0/8`). Sign-in lockouts, throttles and logs all"
        " use that one address"
    ),
    shown="`0`; `1` in `./scripts/serve`",
)

# --- Sign-in (pages, admin, /auth/v1/token) ----------------------------------------------
# accounts.sign_in_gate counts each attempt before its password is hashed and refuses past
# the limits (account + address; the account from anywhere; the address for any account);
# django-axes records failures and locks account + address out too.
AUTHENTICATION_BACKENDS = [
    "accounts.sign_in_gate.SignInGateBackend",  # first: counts the attempt or refuses it
    "axes.backends.AxesStandaloneBackend",  # refuses what axes has locked out
    "django.contrib.auth.backends.ModelBackend",  # only then is the password hashed
]
AXES_FAILURE_LIMIT = env_int(
    "AICEPS_LOGIN_FAILURE_LIMIT",
    5,
    doc=(
        "sign-in attempts per account + address before signing in (pages, "
        "admin, `/auth/v1/token`) is paused there, and for how long (429); "
        "counted before the password is checked, so a burst gets no "
        "further; each further lockout within a day doubles (ten times as many attempts "
        "per account from anywhere, and per address for any account)"
    ),
)  # per account + address
AXES_COOLOFF_TIME = timedelta(
    minutes=env_float(
        "AICEPS_LOGIN_LOCKOUT_MINUTES",
        15,
        doc=(
            "sign-in attempts per account + address before signing in (pages, "
            "admin, `/auth/v1/token`) is paused there, and for how long (429); "
            "counted before the password is checked, so a burst gets no "
            "further; each further lockout within a day doubles"
        ),
    )
)


@dataclass(frozen=True)
class SignInLimits:
    """``settings.AICEPS_SIGN_IN_LIMITS``: the ceilings beyond django-axes' account + address
    limit (``AXES_FAILURE_LIMIT``), kept by ``accounts.sign_in_gate``. Per account from any
    address (addresses it signed in from within ``known_address_days`` stay open to it) and
    per address for any account; each further lockout of one key within a day lasts twice as
    long, up to ``lockout_max_minutes``. Tests change it with ``dataclasses.replace``."""

    account_failure_limit: int
    address_failure_limit: int
    lockout_max_minutes: float
    known_address_days: float


# The wider ceilings are ten times the account + address limit.
AICEPS_SIGN_IN_LIMITS = SignInLimits(
    account_failure_limit=env_derived(
        "AICEPS_LOGIN_ACCOUNT_FAILURE_LIMIT",
        10 * AXES_FAILURE_LIMIT,
        doc=(
            "sign-in attempts per account from any address (addresses it signed in from "
            "before stay open)"
        ),
        shown="10 × `AICEPS_LOGIN_FAILURE_LIMIT`",
    ),
    address_failure_limit=env_derived(
        "AICEPS_LOGIN_ADDRESS_FAILURE_LIMIT",
        10 * AXES_FAILURE_LIMIT,
        doc="sign-in attempts per address for any account",
        shown="10 × `AICEPS_LOGIN_FAILURE_LIMIT`",
    ),
    lockout_max_minutes=env_float(
        "AICEPS_LOGIN_LOCKOUT_MAX_MINUTES",
        24 * 60,
        doc="the longest lockout (each further one within a day lasts twice as long)",
        shown="`1440`",
    ),
    known_address_days=env_float(
        "AICEPS_LOGIN_KNOWN_ADDRESS_DAYS",
        30,
        doc=(
            "how long an address the account signed in from stays open to it when the "
            "account's own ceiling is reached"
        ),
    ),
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # a stranger cannot lock the user out
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
# An attempt refused during a lockout is no failure (it was not checked).
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

# --- API credentials that fail, per client address -------------------------------------
# A wrong token or JWT counts against the address it came from; past the rate, a credential
# that fails gets 429 instead of 401; a valid one still passes (accounts.throttling).
AICEPS_THROTTLE_BAD_CREDENTIALS = env_str(
    "AICEPS_THROTTLE_BAD_CREDENTIALS",
    "20/min",
    doc=(
        "failed API tokens or JWTs per client address before a failing one "
        "gets 429 instead of 401 (valid ones still pass)"
    ),
)


# --- Content security policy of the pages ------------------------------------------------
_IMAGE_SOURCES = " ".join(
    source for source in ("'self'", "data:", "blob:", AICEPS_S3.image_origin) if source
)

AICEPS_CSP = env_str(
    "AICEPS_CSP",
    "default-src 'self'; "
    f"img-src {_IMAGE_SOURCES}; "
    "script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; "
    "font-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'",
    doc=(
        "the content security policy of AicePS's own pages (the storage's "
        "origin is added to `img-src`)"
    ),
    shown="`default-src 'self'` …",
)
