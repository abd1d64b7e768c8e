"""Provider settings: which prompt writer and image provider run, and how each is reached.

Read from the environment here, imported by ``aiceps.settings.base``.
"""

from __future__ import annotations

from .env import env_bool, env_float, env_int, env_optional_float, env_optional_int, env_str

AICEPS_PROMPT_WRITER = env_str(
    "AICEPS_PROMPT_WRITER",
    "auto",
    doc=(
        "`auto`, `gemini`, `openai`, `template`, a dotted class path, or a "
        "chain of them (`gemini,template`)"
    ),
)
AICEPS_IMAGE_PROVIDER = env_str(
    "AICEPS_IMAGE_PROVIDER",
    "auto",
    doc=(
        "`auto`, `gemini`, `openai`, `diffusers`, `offline`, `midjourney`, "
        "a dotted class path, or a chain of them (`gemini,openai,offline`: "
        "docs/providers.md)"
    ),
)
AICEPS_PROVIDER_TIMEOUT_SECONDS = env_float(
    "AICEPS_PROVIDER_TIMEOUT_SECONDS", 120.0, doc="timeout of one model call"
)
AICEPS_PROVIDER_MAX_ATTEMPTS = env_int(
    "AICEPS_PROVIDER_MAX_ATTEMPTS",
    3,
    doc="attempts per stage on transient errors (429, 5xx, timeouts)",
)
AICEPS_PROVIDER_BACKOFF_SECONDS = env_float(
    "AICEPS_PROVIDER_BACKOFF_SECONDS", 1.0, doc="exponential backoff, honouring `Retry-After`"
)
AICEPS_PROVIDER_MAX_BACKOFF_SECONDS = env_float(
    "AICEPS_PROVIDER_MAX_BACKOFF_SECONDS", 30.0, doc="exponential backoff, honouring `Retry-After`"
)

GEMINI_API_KEY = env_str("GEMINI_API_KEY", doc="enables the Gemini providers")
GEMINI_BASE_URL = env_str(
    "GEMINI_BASE_URL",
    doc="another endpoint speaking Gemini's REST protocol (a proxy)",
    shown="Google's",
)
AICEPS_GEMINI_TEXT_MODEL = env_str(
    "AICEPS_GEMINI_TEXT_MODEL", "gemini-2.5-flash", doc="prompt writer model"
)
AICEPS_GEMINI_IMAGE_MODEL = env_str(
    "AICEPS_GEMINI_IMAGE_MODEL",
    "gemini-2.5-flash-image",
    doc="image model (e.g. `gemini-3-pro-image-preview`)",
)
AICEPS_GEMINI_IMAGEN_MODEL = env_str(
    "AICEPS_GEMINI_IMAGEN_MODEL", "imagen-4.0-generate-001", doc="text-to-image on Vertex"
)

OPENAI_API_KEY = env_str("OPENAI_API_KEY", doc="enables the OpenAI providers")
OPENAI_BASE_URL = env_str(
    "OPENAI_BASE_URL",
    doc=("any OpenAI-compatible server (Ollama, vLLM, Qwen, DeepSeek …)"),
    shown="OpenAI's",
)
# gpt-image-1 was shut down on 2026-10-23 and dall-e-2/3 retired (per the openai SDK's docs).
AICEPS_OPENAI_IMAGE_MODEL = env_str(
    "AICEPS_OPENAI_IMAGE_MODEL",
    "gpt-image-2",
    doc="any OpenAI image model (`gpt-image-1` was shut down in 2026)",
)
AICEPS_OPENAI_TEXT_MODEL = env_str(
    "AICEPS_OPENAI_TEXT_MODEL", "gpt-4o-mini", doc="prompt writer model (must accept images)"
)

AICEPS_DIFFUSERS_MODEL = env_str(
    "AICEPS_DIFFUSERS_MODEL", doc="local directory or hub id (needs the `[local]` extra)"
)
AICEPS_DIFFUSERS_DEVICE = env_str(
    "AICEPS_DIFFUSERS_DEVICE", "auto", doc="`auto`, `cuda`, `mps`, `cpu`"
)
AICEPS_DIFFUSERS_DTYPE = env_str(
    "AICEPS_DIFFUSERS_DTYPE", "auto", doc="`auto`, `float32`, `float16`, `bfloat16`"
)
# Steps and guidance: unset means the model family's usual values (e.g. 2.5 for FLUX Kontext).
AICEPS_DIFFUSERS_STEPS = env_optional_int(
    "AICEPS_DIFFUSERS_STEPS",
    doc="sampling steps and guidance scale",
    shown="the model family's own",
)
AICEPS_DIFFUSERS_GUIDANCE = env_optional_float(
    "AICEPS_DIFFUSERS_GUIDANCE",
    doc="sampling steps and guidance scale",
    shown="the model family's own",
)
AICEPS_DIFFUSERS_IMAGE_GUIDANCE = env_float(
    "AICEPS_DIFFUSERS_IMAGE_GUIDANCE", 1.5, doc="InstructPix2Pix image guidance"
)
AICEPS_DIFFUSERS_STRENGTH = env_float(
    "AICEPS_DIFFUSERS_STRENGTH", 0.6, doc="img2img strength; seed (`-1`: random per request)"
)
AICEPS_DIFFUSERS_SEED = env_int(
    "AICEPS_DIFFUSERS_SEED", -1, doc="img2img strength; seed (`-1`: random per request)"
)
AICEPS_DIFFUSERS_MAX_SIDE = env_optional_int(
    "AICEPS_DIFFUSERS_MAX_SIDE",
    doc="long side of edited / generated images",
    shown="the model's native size",
)
AICEPS_DIFFUSERS_SIZE = env_optional_int(
    "AICEPS_DIFFUSERS_SIZE",
    doc="long side of edited / generated images",
    shown="the model's native size",
)
AICEPS_DIFFUSERS_NEGATIVE_PROMPT = env_str(
    "AICEPS_DIFFUSERS_NEGATIVE_PROMPT", doc="negative prompt"
)
AICEPS_DIFFUSERS_HOTSPOT_RADIUS = env_float(
    "AICEPS_DIFFUSERS_HOTSPOT_RADIUS",
    0.25,
    doc=("a hotspot edit without a mask changes this share of the short side around the point"),
)
AICEPS_DIFFUSERS_ALLOW_DOWNLOAD = env_bool(
    "AICEPS_DIFFUSERS_ALLOW_DOWNLOAD",
    False,
    doc=("let a hub id download (otherwise only the local cache is read)"),
)
AICEPS_DIFFUSERS_CPU_OFFLOAD = env_bool(
    "AICEPS_DIFFUSERS_CPU_OFFLOAD", False, doc="model CPU offload on small GPUs"
)

# Midjourney through a midjourney-proxy server (github.com/novicezk/midjourney-proxy).
AICEPS_MIDJOURNEY_PROXY_URL = env_str(
    "AICEPS_MIDJOURNEY_PROXY_URL",
    doc=("a midjourney-proxy server: enables the `midjourney` image provider"),
).rstrip("/")
AICEPS_MIDJOURNEY_API_SECRET = env_str(
    "AICEPS_MIDJOURNEY_API_SECRET", doc="the proxy's `mj.api-secret` (sent as `mj-api-secret`)"
)  # its mj.api-secret
# How long one Midjourney job (the grid, then each upscale) may take before it times out.
AICEPS_MIDJOURNEY_TIMEOUT_SECONDS = env_float(
    "AICEPS_MIDJOURNEY_TIMEOUT_SECONDS",
    600.0,
    doc=("longest wait for one Midjourney job (the grid, each upscale) per attempt"),
)
# Polling is the fallback of the proxy's notify hook: this often with a hook, at once without.
AICEPS_MIDJOURNEY_POLL_SECONDS = env_float(
    "AICEPS_MIDJOURNEY_POLL_SECONDS",
    10.0,
    doc=("how often the proxy is polled as the notify hook's fallback (at once without a hook)"),
)
# The base URL the proxy calls back (default AICEPS_PUBLIC_URL; empty: poll only).
AICEPS_MIDJOURNEY_NOTIFY_URL = env_str(
    "AICEPS_MIDJOURNEY_NOTIFY_URL",
    doc="base URL the proxy calls back (empty: poll only)",
    shown="`AICEPS_PUBLIC_URL`",
).rstrip("/")
# Parameters appended to every prompt, e.g. "--v 7 --style raw".
AICEPS_MIDJOURNEY_PARAMETERS = env_str(
    "AICEPS_MIDJOURNEY_PARAMETERS",
    doc=("appended to every Midjourney prompt, e.g. `--v 7 --style raw`"),
)

# Threads of the offline models (onnxruntime); 0 means the CPU count, at most 4.
AICEPS_OFFLINE_THREADS = env_int(
    "AICEPS_OFFLINE_THREADS",
    0,
    doc="threads of the offline models",
    shown="`0` (CPU count, at most 4)",
)
