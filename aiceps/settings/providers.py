"""Provider settings: which prompt writer and image provider run, and how each is reached.

Read from the environment here, imported by ``aiceps.settings.base``.
"""

from __future__ import annotations

from .env import env_bool, env_float, env_int, env_optional_float, env_optional_int, env_str

AICEPS_PROMPT_WRITER = env_str("AICEPS_PROMPT_WRITER", "auto")
AICEPS_IMAGE_PROVIDER = env_str("AICEPS_IMAGE_PROVIDER", "auto")
AICEPS_PROVIDER_TIMEOUT_SECONDS = env_float("AICEPS_PROVIDER_TIMEOUT_SECONDS", 120.0)
AICEPS_PROVIDER_MAX_ATTEMPTS = env_int("AICEPS_PROVIDER_MAX_ATTEMPTS", 3)
AICEPS_PROVIDER_BACKOFF_SECONDS = env_float("AICEPS_PROVIDER_BACKOFF_SECONDS", 1.0)
AICEPS_PROVIDER_MAX_BACKOFF_SECONDS = env_float("AICEPS_PROVIDER_MAX_BACKOFF_SECONDS", 30.0)

GEMINI_API_KEY = env_str("GEMINI_API_KEY")
GEMINI_BASE_URL = env_str("GEMINI_BASE_URL")
AICEPS_GEMINI_TEXT_MODEL = env_str("AICEPS_GEMINI_TEXT_MODEL", "gemini-2.5-flash")
AICEPS_GEMINI_IMAGE_MODEL = env_str("AICEPS_GEMINI_IMAGE_MODEL", "gemini-2.5-flash-image")
AICEPS_GEMINI_IMAGEN_MODEL = env_str("AICEPS_GEMINI_IMAGEN_MODEL", "imagen-4.0-generate-001")

OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL")
# gpt-image-1 was shut down on 2026-10-23 and dall-e-2/3 retired (per the openai SDK's docs).
AICEPS_OPENAI_IMAGE_MODEL = env_str("AICEPS_OPENAI_IMAGE_MODEL", "gpt-image-2")
AICEPS_OPENAI_TEXT_MODEL = env_str("AICEPS_OPENAI_TEXT_MODEL", "gpt-4o-mini")

AICEPS_DIFFUSERS_MODEL = env_str("AICEPS_DIFFUSERS_MODEL")
AICEPS_DIFFUSERS_DEVICE = env_str("AICEPS_DIFFUSERS_DEVICE", "auto")
AICEPS_DIFFUSERS_DTYPE = env_str("AICEPS_DIFFUSERS_DTYPE", "auto")
# Steps and guidance: unset means the model family's usual values (e.g. 2.5 for FLUX Kontext).
AICEPS_DIFFUSERS_STEPS = env_optional_int("AICEPS_DIFFUSERS_STEPS")
AICEPS_DIFFUSERS_GUIDANCE = env_optional_float("AICEPS_DIFFUSERS_GUIDANCE")
AICEPS_DIFFUSERS_IMAGE_GUIDANCE = env_float("AICEPS_DIFFUSERS_IMAGE_GUIDANCE", 1.5)
AICEPS_DIFFUSERS_STRENGTH = env_float("AICEPS_DIFFUSERS_STRENGTH", 0.6)
AICEPS_DIFFUSERS_SEED = env_int("AICEPS_DIFFUSERS_SEED", -1)
AICEPS_DIFFUSERS_MAX_SIDE = env_optional_int("AICEPS_DIFFUSERS_MAX_SIDE")
AICEPS_DIFFUSERS_SIZE = env_optional_int("AICEPS_DIFFUSERS_SIZE")
AICEPS_DIFFUSERS_NEGATIVE_PROMPT = env_str("AICEPS_DIFFUSERS_NEGATIVE_PROMPT")
AICEPS_DIFFUSERS_HOTSPOT_RADIUS = env_float("AICEPS_DIFFUSERS_HOTSPOT_RADIUS", 0.25)
AICEPS_DIFFUSERS_ALLOW_DOWNLOAD = env_bool("AICEPS_DIFFUSERS_ALLOW_DOWNLOAD", False)
AICEPS_DIFFUSERS_CPU_OFFLOAD = env_bool("AICEPS_DIFFUSERS_CPU_OFFLOAD", False)

# Midjourney through a midjourney-proxy server (github.com/novicezk/midjourney-proxy).
AICEPS_MIDJOURNEY_PROXY_URL = env_str("AICEPS_MIDJOURNEY_PROXY_URL").rstrip("/")
AICEPS_MIDJOURNEY_API_SECRET = env_str("AICEPS_MIDJOURNEY_API_SECRET")  # its mj.api-secret
# How long one Midjourney job (the grid, then each upscale) may take before it times out.
AICEPS_MIDJOURNEY_TIMEOUT_SECONDS = env_float("AICEPS_MIDJOURNEY_TIMEOUT_SECONDS", 600.0)
# Polling is the fallback of the proxy's notify hook: this often with a hook, at once without.
AICEPS_MIDJOURNEY_POLL_SECONDS = env_float("AICEPS_MIDJOURNEY_POLL_SECONDS", 10.0)
# The base URL the proxy calls back (default AICEPS_PUBLIC_URL; empty: poll only).
AICEPS_MIDJOURNEY_NOTIFY_URL = env_str("AICEPS_MIDJOURNEY_NOTIFY_URL").rstrip("/")
# Parameters appended to every prompt, e.g. "--v 7 --style raw".
AICEPS_MIDJOURNEY_PARAMETERS = env_str("AICEPS_MIDJOURNEY_PARAMETERS")

# Threads of the offline models (onnxruntime); 0 means the CPU count, at most 4.
AICEPS_OFFLINE_THREADS = env_int("AICEPS_OFFLINE_THREADS", 0)
