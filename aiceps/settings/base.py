"""All settings, read from the environment in one place.

Development gets safe defaults (SQLite under ./var, local storage, offline providers, the ORM
queue). Secrets have no production default: with DJANGO_DEBUG off, DJANGO_SECRET_KEY must be set.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .env import (
    database_from_url,
    env_bool,
    env_float,
    env_int,
    env_json,
    env_list,
    env_optional_float,
    env_optional_int,
    env_str,
)
from .storage import S3_STORAGE_BACKEND, s3_storage_options

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("AICEPS_VAR_DIR", str(BASE_DIR / "var")))

# --- Django core -------------------------------------------------------------------------
DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it, or set DJANGO_DEBUG=1 for development."
        )
    SECRET_KEY = "aiceps-development-only-secret-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_q",
    "accounts.apps.AccountsConfig",
    "generation.apps.GenerationConfig",
]

MIDDLEWARE = [
    "aiceps.middleware.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "aiceps.urls"
WSGI_APPLICATION = "aiceps.wsgi.application"
ASGI_APPLICATION = "aiceps.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'aiceps.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL, base_dir=BASE_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("AICEPS_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env_str("AICEPS_MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 13 * 1024 * 1024

# --- Storage -----------------------------------------------------------------------------
AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID")
AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY")
AWS_REGION = env_str("AWS_REGION", "us-east-1")
S3_BUCKET_NAME = env_str("S3_BUCKET_NAME")
AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL")
AICEPS_S3_PUBLIC_READ = env_bool("AICEPS_S3_PUBLIC_READ", False)
AICEPS_S3_TIMEOUT_SECONDS = env_float("AICEPS_S3_TIMEOUT_SECONDS", 3.0)
AICEPS_S3_URL_EXPIRE_SECONDS = env_int("AICEPS_S3_URL_EXPIRE_SECONDS", 3600)
# Local copies of what was uploaded, so a worker on the same host reads its inputs without a
# download, and a task created just before an S3 outage still runs. 0 keeps none.
AICEPS_S3_CACHE_SECONDS = env_int("AICEPS_S3_CACHE_SECONDS", 6 * 3600)

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
if S3_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": S3_STORAGE_BACKEND,
        "OPTIONS": s3_storage_options(
            bucket_name=S3_BUCKET_NAME,
            access_key=AWS_ACCESS_KEY_ID,
            secret_key=AWS_SECRET_ACCESS_KEY,
            region_name=AWS_REGION,
            endpoint_url=AWS_S3_ENDPOINT_URL,
            public_read=AICEPS_S3_PUBLIC_READ,
            timeout_seconds=AICEPS_S3_TIMEOUT_SECONDS,
            url_expire_seconds=AICEPS_S3_URL_EXPIRE_SECONDS,
        ),
    }

# --- REST API ----------------------------------------------------------------------------
AICEPS_ALLOW_ANONYMOUS = env_bool("AICEPS_ALLOW_ANONYMOUS", False)
AICEPS_THROTTLE_USER = env_str("AICEPS_THROTTLE_USER", "120/min")
AICEPS_THROTTLE_SUBMIT = env_str("AICEPS_THROTTLE_SUBMIT", "30/min")
SUPABASE_JWT_SECRET = env_str("SUPABASE_JWT_SECRET")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.authentication.BearerTokenAuthentication",
        "accounts.authentication.SupabaseJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "user": AICEPS_THROTTLE_USER,
        "submit": AICEPS_THROTTLE_SUBMIT,
        "anon": AICEPS_THROTTLE_USER,
    },
    "EXCEPTION_HANDLER": "generation.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AicePS API",
    "DESCRIPTION": "AI photo editing: a prompt writer and an image provider, with credits.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI's assets are served by AicePS itself, not fetched from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Credits -----------------------------------------------------------------------------
AICEPS_SIGNUP_CREDITS = env_int("AICEPS_SIGNUP_CREDITS", 10)
# Price per task type, optionally per image provider: {"default": 1, "edit": 1,
# "gemini:edit": 14}. The most specific key wins.
AICEPS_TASK_COSTS = env_json("AICEPS_TASK_COSTS", {"default": 1})
AICEPS_OPEN_SIGNUP = env_bool("AICEPS_OPEN_SIGNUP", False)

# --- Providers ---------------------------------------------------------------------------
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

# Threads of the offline models (onnxruntime); 0 means the CPU count, at most 4.
AICEPS_OFFLINE_THREADS = env_int("AICEPS_OFFLINE_THREADS", 0)

# --- Tasks and queue ---------------------------------------------------------------------
AICEPS_SYNC_WAIT_SECONDS = env_float("AICEPS_SYNC_WAIT_SECONDS", 120.0)
AICEPS_PROMPT_CACHE_SECONDS = env_int("AICEPS_PROMPT_CACHE_SECONDS", 3600)
AICEPS_TASK_MAX_ATTEMPTS = env_int("AICEPS_TASK_MAX_ATTEMPTS", 3)
AICEPS_OUTPUT_DIR = Path(env_str("AICEPS_OUTPUT_DIR", str(VAR_DIR / "output")))
AICEPS_MAX_UPLOAD_BYTES = env_int("AICEPS_MAX_UPLOAD_BYTES", 12 * 1024 * 1024)
AICEPS_MAX_IMAGE_PIXELS = env_int("AICEPS_MAX_IMAGE_PIXELS", 40_000_000)
AICEPS_MODEL_MAX_SIDE = env_int("AICEPS_MODEL_MAX_SIDE", 2048)

REDIS_URL = env_str("REDIS_URL")
AICEPS_QUEUE_WORKERS = env_int("AICEPS_QUEUE_WORKERS", 2)
AICEPS_QUEUE_TIMEOUT_SECONDS = env_int("AICEPS_QUEUE_TIMEOUT_SECONDS", 600)
# A job that outlives its worker (killed, machine lost) is delivered again by the ORM broker
# after this long; it must exceed the timeout, or a slow job runs twice at once.
AICEPS_QUEUE_RETRY_SECONDS = env_int(
    "AICEPS_QUEUE_RETRY_SECONDS", AICEPS_QUEUE_TIMEOUT_SECONDS + 60
)
if AICEPS_QUEUE_RETRY_SECONDS <= AICEPS_QUEUE_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "AICEPS_QUEUE_RETRY_SECONDS must exceed AICEPS_QUEUE_TIMEOUT_SECONDS"
    )
# A worker holds a task this long; past it the task counts as abandoned (its worker died)
# and may be claimed again. No job runs past the queue timeout, so the lease just exceeds it.
AICEPS_TASK_LEASE_SECONDS = env_int("AICEPS_TASK_LEASE_SECONDS", AICEPS_QUEUE_TIMEOUT_SECONDS + 30)
Q_CLUSTER = {
    "name": env_str("AICEPS_QUEUE_NAME", "aiceps"),
    "workers": AICEPS_QUEUE_WORKERS,
    "timeout": AICEPS_QUEUE_TIMEOUT_SECONDS,
    # retry must exceed timeout, or a slow task is handed to a second worker while it runs.
    "retry": AICEPS_QUEUE_RETRY_SECONDS,
    "max_attempts": env_int("AICEPS_QUEUE_MAX_ATTEMPTS", 3),
    "poll": env_float("AICEPS_QUEUE_POLL_SECONDS", 0.2),
    # Successful jobs are not kept (TaskHistory is the record): keeping the last N made the
    # monitor lock and load all N rows for every finished job. Failed jobs are kept.
    "save_limit": -1,
    "ack_failures": True,
    "catch_up": False,
    "label": "Queue",
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Throttle counters live in the cache: shared through Redis when there is one, otherwise per
# process (each web worker then counts on its own).
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- Operations --------------------------------------------------------------------------
AICEPS_METRICS_TOKEN = env_str("AICEPS_METRICS_TOKEN")
AICEPS_LOG_JSON = env_bool("AICEPS_LOG_JSON", False)
AICEPS_LOG_LEVEL = env_str("AICEPS_LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "aiceps.logging.PlainFormatter"},
        "json": {"()": "aiceps.logging.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if AICEPS_LOG_JSON else "plain",
        },
    },
    "root": {"handlers": ["console"], "level": AICEPS_LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "httpx": {"level": "WARNING"},
        "botocore": {"level": "WARNING"},
    },
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("AICEPS_SECURE_COOKIES", False)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
WHITENOISE_USE_FINDERS = True  # serves static files without a collectstatic step
