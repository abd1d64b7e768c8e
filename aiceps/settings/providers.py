"""Provider settings: which prompt writer and image provider run, and how each is reached.

The generic ones are read here; each provider's own (``GEMINI_API_KEY``,
``AICEPS_DIFFUSERS_MODEL``, ...) are declared by the provider itself (its module's
``PROVIDER``, ``catalogue.providers.declaring``) and read here from the environment by those
declarations, as plain Django settings of the same names. Imported by ``aiceps.settings.base``.
"""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.providers.registry import declared_settings

from .env import env_bool, env_float, env_int, env_optional_float, env_optional_int, env_str

AICEPS_PROMPT_WRITER = env_str(
    "AICEPS_PROMPT_WRITER",
    "auto",
    doc=(
        "`auto`, a prompt writer's short name (docs/providers.md), a dotted class path, or a "
        "chain of them (`gemini,template`)"
    ),
)
AICEPS_IMAGE_PROVIDER = env_str(
    "AICEPS_IMAGE_PROVIDER",
    "auto",
    doc=(
        "`auto`, an image provider's short name (docs/providers.md), a dotted class path, or "
        "a chain of them (`gemini,openai,offline`)"
    ),
)


@dataclass(frozen=True)
class ProviderCalls:
    """``settings.AICEPS_PROVIDER_CALLS``: how every provider's model call is made: its
    timeout, and the retries of a transient error (429, 5xx, timeouts) with exponential
    backoff honouring ``Retry-After`` (``core.retry.RetryPolicy`` reads them). Tests change it
    with ``dataclasses.replace(settings.AICEPS_PROVIDER_CALLS, ...)``."""

    timeout_seconds: float
    max_attempts: int
    backoff_seconds: float
    max_backoff_seconds: float


AICEPS_PROVIDER_CALLS = ProviderCalls(
    timeout_seconds=env_float(
        "AICEPS_PROVIDER_TIMEOUT_SECONDS", 120.0, doc="timeout of one model call"
    ),
    max_attempts=env_int(
        "AICEPS_PROVIDER_MAX_ATTEMPTS",
        3,
        doc="attempts per stage on transient errors (429, 5xx, timeouts)",
    ),
    backoff_seconds=env_float(
        "AICEPS_PROVIDER_BACKOFF_SECONDS", 1.0, doc="exponential backoff, honouring `Retry-After`"
    ),
    max_backoff_seconds=env_float(
        "AICEPS_PROVIDER_MAX_BACKOFF_SECONDS",
        30.0,
        doc="exponential backoff, honouring `Retry-After`",
    ),
)


def _read(setting):
    """The value of one declared provider setting, from the environment."""
    if setting.type == "optional_int":
        return env_optional_int(setting.name)
    if setting.type == "optional_float":
        return env_optional_float(setting.name)
    reader = {"str": env_str, "bool": env_bool, "int": env_int, "float": env_float}[setting.type]
    value = reader(setting.name, setting.default)
    return value.rstrip("/") if setting.url else value


# Each provider's own settings, as module globals (``from .providers import *`` takes them).
globals().update({setting.name: _read(setting) for setting in declared_settings()})
