"""The settings file (``.env``): what ``./scripts/run`` and ``aiceps-manage write-env`` write,
and the help ``aiceps-manage`` prints when the settings are not complete.

Pure Python: runs before Django is set up."""

from __future__ import annotations

from pathlib import Path

DEVELOPMENT_ENV = """\
# AicePS settings. Environment variables win over this file; restart to apply a change.
# The configuration reference lists every setting (docs/configuration.md).

# Development: SQLite under ./var, local storage, the offline models, mail on the console.
DJANGO_DEBUG=1

# --- Providers: with no key, the offline models edit photos (no network, no GPU). ---------
# Gemini (prompt writer and image provider):
# GEMINI_API_KEY=your-key
# OpenAI, or any OpenAI-compatible server (Ollama, vLLM, ...):
# OPENAI_API_KEY=sk-...
# OPENAI_BASE_URL=http://127.0.0.1:11434/v1
# A local diffusers model in a folder on disk (pip install -e '.[local]' first):
# AICEPS_IMAGE_PROVIDER=diffusers
# AICEPS_DIFFUSERS_MODEL=/models/FLUX.1-Kontext-dev

# --- Credits: every task costs 1 credit unless a price is set per task type or provider. --
# AICEPS_TASK_COSTS={"default": 1, "text_to_image": 2}

# --- Network: listen on every interface (development allows this machine's own names). ----
# AICEPS_BIND=0.0.0.0:8000
# DJANGO_ALLOWED_HOSTS=photos.example.lan,127.0.0.1

# --- Webhooks to services on this machine or your network (development only). -------------
AICEPS_WEBHOOK_ALLOW_PRIVATE=1

# --- Mail: without EMAIL_HOST, development prints mails (reset links) on the console. -----
# EMAIL_HOST=smtp.example.com
# EMAIL_HOST_USER=...
# EMAIL_HOST_PASSWORD=...
"""

PRODUCTION_VARIABLES = ("DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "AICEPS_METRICS_TOKEN")


def write_env_file(path: Path) -> bool:
    """Write the commented development settings file at ``path`` unless one exists.
    Returns whether it was written."""
    if path.exists():
        return False
    path.write_text(DEVELOPMENT_ENV, encoding="utf-8")
    return True


def settings_help(problem: str, *, folder: Path) -> str:
    """What to set when the settings cannot be loaded (``problem``: Django's message)."""
    env_file = folder / ".env"
    found = f"{env_file} was read" if env_file.is_file() else f"no {env_file}"
    return (
        f"AicePS cannot start: {problem}\n"
        f"({found}; environment variables win over it.)\n\n"
        "For development on this machine, create a settings file and run again:\n"
        "    aiceps-manage write-env        # writes ./.env with DJANGO_DEBUG=1, commented\n"
        "  or set DJANGO_DEBUG=1 in the environment.\n\n"
        "For production, set DJANGO_SETTINGS_MODULE=aiceps.settings.production and "
        + ", ".join(PRODUCTION_VARIABLES)
        + " (in the environment or in .env); see docs/configuration.md.\n"
    )
