"""Typed readers for environment variables, so settings fail fast on a malformed value.

Every reader takes ``doc`` (what the setting does, for the configuration reference) and
``shown`` (how its default reads there when it is not a plain value): the reference,
``docs/configuration.md``, is generated from these calls (``aiceps.settings.reference``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
# The settings file: ``.env`` in the folder AicePS is started from, or AICEPS_ENV_FILE ("" reads
# none, as the test settings do).
DEFAULT_ENV_FILE = ".env"


def read_env_file() -> Path | None:
    """Read the settings file into ``os.environ``; variables already set win over the file.

    Returns the file read, or None. Read once, before any setting is: every area module reads
    ``os.environ`` at import."""
    name = os.environ.get("AICEPS_ENV_FILE", DEFAULT_ENV_FILE)
    path = Path(name) if name else None
    if path is None or not path.is_file():
        return None
    from dotenv import dotenv_values

    for key, value in dotenv_values(path).items():
        if value is not None:
            os.environ.setdefault(key, value)
    return path.resolve()


FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "", *, doc: str = "", shown: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False, *, doc: str = "", shown: str = "") -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int, *, doc: str = "", shown: str = "") -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_float(name: str, default: float, *, doc: str = "", shown: str = "") -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from exc


def env_optional_int(name: str, *, doc: str = "", shown: str = "") -> int | None:
    return env_int(name, 0) if os.environ.get(name, "").strip() else None


def env_optional_float(name: str, *, doc: str = "", shown: str = "") -> float | None:
    return env_float(name, 0.0) if os.environ.get(name, "").strip() else None


def env_list(name: str, default: list[str], *, doc: str = "", shown: str = "") -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_json(name: str, default: Any, *, doc: str = "", shown: str = "") -> Any:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ImproperlyConfigured(f"{name} must be JSON: {exc}") from exc


T = TypeVar("T", str, bool, int, float)


def env_derived(name: str, value: T, *, doc: str = "", shown: str = "") -> T:
    """A setting derived from others, still read under its older variable ``name``.

    ``value`` is what the other settings give; an operator who set ``name`` before it was
    derived keeps what they set (read as ``value``'s type). The reference lists these in a
    section of their own, "Derived settings", with ``shown`` saying what they derive from."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return value
    if isinstance(value, bool):
        return env_bool(name, value)
    if isinstance(value, int):
        return env_int(name, value)
    if isinstance(value, float):
        return env_float(name, value)
    return raw


def database_from_url(url: str, *, base_dir: Path) -> dict[str, Any]:
    """A Django DATABASES entry from ``sqlite:///path`` or ``postgres://user:pw@host:port/db``."""
    parsed = urlparse(url)
    scheme = parsed.scheme.split("+")[0]
    if scheme == "sqlite":
        path = unquote(parsed.path)
        if url.startswith("sqlite:////"):
            name = path
        else:
            name = str(base_dir / path.lstrip("/")) if path not in ("", "/") else ":memory:"
        if name != ":memory:":  # a first run: create the data folder rather than fail
            Path(name).parent.mkdir(parents=True, exist_ok=True)
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            # IMMEDIATE takes the write lock at BEGIN, so concurrent charges queue on
            # busy_timeout instead of failing with "database is locked" at their first write.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
        }
    if scheme in ("postgres", "postgresql", "pgsql"):
        options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
        # Without it an unreachable host blocks each request for the OS's TCP timeout.
        options.setdefault("connect_timeout", "5")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")),
            "USER": unquote(parsed.username or ""),
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
        }
    raise ImproperlyConfigured(f"DATABASE_URL scheme {parsed.scheme!r} is not supported")
