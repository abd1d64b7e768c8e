"""Platform settings: webhooks, retention, the public address; imported by base."""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_float, env_int, env_str

# Where AicePS is reached from outside (https://aiceps.example.com): absolute file URLs in
# webhook payloads and the address a midjourney-proxy server calls back.
AICEPS_PUBLIC_URL = env_str(
    "AICEPS_PUBLIC_URL",
    doc=(
        "where AicePS is reached from outside: absolute links in webhook "
        "payloads, the Midjourney notify hook"
    ),
).rstrip("/")

# --- Webhooks ----------------------------------------------------------------------------
# Off: destinations on loopback, private, link-local, CGNAT and metadata addresses are
# refused, when given and again before each delivery. On: link-local and metadata still are.
AICEPS_WEBHOOK_ALLOW_PRIVATE = env_bool(
    "AICEPS_WEBHOOK_ALLOW_PRIVATE",
    False,
    doc=(
        "let webhooks go to loopback, private and CGNAT addresses (tests, closed "
        "networks; never link-local or cloud metadata)"
    ),
)
AICEPS_WEBHOOK_TIMEOUT_SECONDS = env_float(
    "AICEPS_WEBHOOK_TIMEOUT_SECONDS", 10.0, doc="connect and read timeout of one delivery attempt"
)
# Seconds to wait before each retry of a failed delivery (about a day in all).
_RETRIES = env_str(
    "AICEPS_WEBHOOK_RETRY_SECONDS",
    "30,120,600,1800,3600,7200,14400,28800,28800",
    doc="waits before each retry of a failed delivery (about a day)",
)
try:
    AICEPS_WEBHOOK_RETRY_SECONDS = [float(part) for part in _RETRIES.split(",") if part.strip()]
except ValueError as exc:
    raise ImproperlyConfigured(
        "AICEPS_WEBHOOK_RETRY_SECONDS must be numbers separated by commas"
    ) from exc
# A destination that asked for progress gets at most one progress event this often.
AICEPS_WEBHOOK_PROGRESS_SECONDS = env_float(
    "AICEPS_WEBHOOK_PROGRESS_SECONDS",
    0.5,
    doc="at most one progress event per destination this often",
)

# --- MCP server (mcp_server/) ------------------------------------------------------------
# Photo URLs an agent passes to the MCP tools are fetched like webhooks are sent: public
# addresses only, unless this is on (tests, closed networks).
AICEPS_MCP_URL_ALLOW_PRIVATE = env_bool(
    "AICEPS_MCP_URL_ALLOW_PRIVATE",
    False,
    doc=(
        "let the MCP tools fetch photo URLs on loopback, private and CGNAT addresses "
        "(tests, closed networks; never link-local or cloud metadata)"
    ),
)

# --- Retention ---------------------------------------------------------------------------
# Days after a task ends before its files are deleted from storage (0: kept). Staff may set
# another number per user (accounts.RetentionOverride).
AICEPS_RETENTION_DAYS = env_int(
    "AICEPS_RETENTION_DAYS",
    0,
    doc=(
        "days after a task ends before its files are deleted (per user: "
        "admin → retention overrides)"
    ),
    shown="`0` (kept)",
)
