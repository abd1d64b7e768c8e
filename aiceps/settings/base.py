"""All settings, read from the environment in one place.

Development gets safe defaults (SQLite under ./var, local storage, offline providers, the ORM
queue). Secrets have no production default: with DJANGO_DEBUG off, DJANGO_SECRET_KEY must be set.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from core.paths import project_folder

from .env import (
    database_from_url,
    env_bool,
    env_int,
    env_json,
    env_list,
    env_str,
    read_env_file,
)
from .hosts import local_host_names

# Before any area module reads the environment: the settings file fills in what is not set.
ENV_FILE = read_env_file()

from .editor import *  # noqa: E402, F403
from .mail import *  # noqa: E402, F403
from .platform import *  # noqa: E402, F403
from .providers import *  # noqa: E402, F403
from .security import *  # noqa: E402, F403
from .storage import AICEPS_S3  # noqa: E402
from .tasks import *  # noqa: E402, F403

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# A checkout keeps its data in ./var beside manage.py; an installed wheel in ./var of the
# folder it is run from (set AICEPS_VAR_DIR in production).
_DEFAULT_VAR = BASE_DIR / "var" if (BASE_DIR / "manage.py").exists() else Path.cwd() / "var"
VAR_DIR = Path(
    env_str(
        "AICEPS_VAR_DIR",
        str(_DEFAULT_VAR),
        doc="where the SQLite file, media and outputs live by default",
        shown="`./var`",
    )
)

# --- Django core -------------------------------------------------------------------------
DEBUG = env_bool(
    "DJANGO_DEBUG", False, doc="development mode", shown="off (`./scripts/run` turns it on)"
)
SECRET_KEY = env_str(
    "DJANGO_SECRET_KEY",
    doc="required in production",
    shown="none; a development key only while `DJANGO_DEBUG` is on",
)
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it, or set DJANGO_DEBUG=1 for development."
        )
    SECRET_KEY = "aiceps-development-only-secret-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"], doc="comma-separated host names"
)
if DEBUG and "DJANGO_ALLOWED_HOSTS" not in os.environ:
    # Development bound to 0.0.0.0 (AICEPS_BIND) is reached by the machine's own names and
    # addresses; production names its hosts (DJANGO_ALLOWED_HOSTS, required there).
    ALLOWED_HOSTS += [name for name in local_host_names() if name not in ALLOWED_HOSTS]
CSRF_TRUSTED_ORIGINS = env_list(
    "DJANGO_CSRF_TRUSTED_ORIGINS", [], doc="origins allowed to post forms (behind a proxy)"
)

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
    "corsheaders",
    "accounts.apps.AccountsConfig",
    # Before django_q: its qcluster command is generation's (the cluster plus the reaper).
    "generation.apps.GenerationConfig",
    "webhooks.apps.WebhooksConfig",
    "django_q",
    "axes",
    "editor.apps.EditorConfig",
    "mcp_server.apps.McpServerConfig",
    "operations.apps.OperationsConfig",
]

MIDDLEWARE = [
    "operations.middleware.RequestMetricsMiddleware",
    # Before anything that answers: preflights get their CORS answer unauthenticated.
    "corsheaders.middleware.CorsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "operations.static.StaticFilesMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "operations.security.ContentSecurityPolicyMiddleware",
    # Last: it turns sign-in lockouts into a 429 page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aiceps.urls"
WSGI_APPLICATION = "aiceps.wsgi.application"
ASGI_APPLICATION = "aiceps.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [project_folder("templates")],
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

DATABASE_URL = env_str(
    "DATABASE_URL",
    f"sqlite:///{VAR_DIR / 'aiceps.sqlite3'}",
    doc=(
        "`sqlite:///path` or `postgres://user:pw@host:5432/db` (query "
        "options pass through; `connect_timeout` defaults to 5 s)"
    ),
    shown="`sqlite:///var/aiceps.sqlite3`",
)
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
LOCALE_PATHS = [project_folder("locale")]
TIME_ZONE = env_str("AICEPS_TIME_ZONE", "UTC", doc="time zone of statistics periods")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(
    env_str(
        "AICEPS_MEDIA_ROOT",
        str(VAR_DIR / "media"),
        doc="local image storage",
        shown="`$AICEPS_VAR_DIR/media`",
    )
)
MEDIA_URL = "/media/"
# Locally stored task files are served under this prefix (operations' file view).
AICEPS_FILES_URL = "/files/"
AICEPS_OUTPUT_DIR = Path(
    env_str(
        "AICEPS_OUTPUT_DIR",
        str(VAR_DIR / "output"),
        doc="where `manage.py generate` writes results",
        shown="`$AICEPS_VAR_DIR/output`",
    )
)
DATA_UPLOAD_MAX_MEMORY_SIZE = 60 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 13 * 1024 * 1024

# --- Storage -----------------------------------------------------------------------------
STORAGES = {
    "default": (
        AICEPS_S3.storage()
        if AICEPS_S3.enabled
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- REST API ----------------------------------------------------------------------------
AICEPS_ALLOW_ANONYMOUS = env_bool(
    "AICEPS_ALLOW_ANONYMOUS", False, doc="let unauthenticated requests in"
)
AICEPS_THROTTLE_USER = env_str(
    "AICEPS_THROTTLE_USER", "120/min", doc="per-user request and submission rates"
)
AICEPS_THROTTLE_SUBMIT = env_str(
    "AICEPS_THROTTLE_SUBMIT", "30/min", doc="per-user request and submission rates"
)
SUPABASE_JWT_SECRET = env_str(
    "SUPABASE_JWT_SECRET",
    doc=("accept legacy Supabase session JWTs (HS256, audience `authenticated`)"),
)
AICEPS_JSON_MAX_DEPTH = env_int(
    "AICEPS_JSON_MAX_DEPTH",
    32,
    doc="deepest nesting of a JSON body (400 `json_too_deep` beyond, before it is parsed further)",
)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First: an address that sent too many bad credentials gets 429 before any lookup.
        "accounts.throttling.BadCredentialsGuard",
        # Then: it answers only for "aiceps_" keys and leaves the rest to the others.
        "accounts.api_keys.ApiKeyAuthentication",
        "accounts.authentication.BearerTokenAuthentication",
        "accounts.authentication.SupabaseJWTAuthentication",
        # The session cookie, from AicePS's own pages only (an Origin / Sec-Fetch-Site check
        # instead of a CSRF token, which the photo editor cannot send).
        "accounts.authentication.SameOriginSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON nested past AICEPS_JSON_MAX_DEPTH is a 400 (json_too_deep), never a RecursionError.
    "DEFAULT_PARSER_CLASSES": [
        "core.json_bodies.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AicepsAutoSchema",
    "DEFAULT_THROTTLE_RATES": {
        "user": AICEPS_THROTTLE_USER,
        "submit": AICEPS_THROTTLE_SUBMIT,
        "anon": AICEPS_THROTTLE_USER,
        "bad_credentials": AICEPS_THROTTLE_BAD_CREDENTIALS,  # noqa: F405
        "sign_in": AICEPS_THROTTLE_SIGN_IN,  # noqa: F405
    },
    "EXCEPTION_HANDLER": "accounts.api_errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "AicePS API",
    "DESCRIPTION": "AI photo editing: a prompt writer and an image provider, with credits.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "PREPROCESSING_HOOKS": ["accounts.schema.closed_routes_hidden"],
    # The Images API's quality and options as this deployment's models take them.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "generation.api.openai.documents.deployment_schema",
    ],
    # The credentials a client can send; the bad-credentials guard checks no credential.
    "AUTHENTICATION_WHITELIST": [
        "accounts.authentication.BearerTokenAuthentication",
        "accounts.authentication.SupabaseJWTAuthentication",
        "accounts.authentication.SameOriginSessionAuthentication",
    ],
    # Swagger UI's assets are served by AicePS itself, not fetched from a CDN.
    "ENUM_NAME_OVERRIDES": {
        "TaskStatusEnum": "generation.models.TaskHistory.Status",
        "TaskStageEnum": "generation.models.TaskHistory.Stage",
        "PeriodEnum": "generation.models.TaskStatistics.PeriodType",
        "HealthStatusEnum": ["healthy", "degraded"],
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Credits -----------------------------------------------------------------------------
AICEPS_SIGNUP_CREDITS = env_int("AICEPS_SIGNUP_CREDITS", 10, doc="credits a new user starts with")
# Price per task type, optionally per image provider: {"default": 1, "edit": 1,
# "gemini:edit": 14}. The most specific key wins.
AICEPS_TASK_COSTS = env_json(
    "AICEPS_TASK_COSTS",
    {"default": 1},
    doc=(
        "JSON price of one image: keys `default` or up to four parts joined"
        " by `:` in any order, a provider, a task type, a quality (`low` … "
        "`max`) and a size (`1024x1536`); of the keys that match, the one "
        "with the most parts wins (then provider, task type, quality, "
        'size). `n` images cost `n` times. E.g. `{"default": 1, '
        '"gemini": 14, "openai:high": 8, "openai:high:1536x1024": '
        "12}`"
    ),
)
AICEPS_OPEN_SIGNUP = env_bool(
    "AICEPS_OPEN_SIGNUP",
    False,
    doc=("allow sign-up from the web pages and the photo editor (`/auth/v1/signup`)"),
)

# --- Operations --------------------------------------------------------------------------
AICEPS_METRICS_TOKEN = env_str(
    "AICEPS_METRICS_TOKEN", doc="bearer token required by `/metrics` when set"
)
AICEPS_LOG_JSON = env_bool("AICEPS_LOG_JSON", False, doc="one JSON object per log line")
AICEPS_LOG_LEVEL = env_str("AICEPS_LOG_LEVEL", "INFO", doc="log level")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "core.logging.PlainFormatter"},
        "json": {"()": "core.logging.JsonFormatter"},
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
    SESSION_COOKIE_SECURE = env_bool(
        "AICEPS_SECURE_COOKIES",
        False,
        doc="secure session and CSRF cookies (behind HTTPS)",
        shown="off; on in production",
    )
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
WHITENOISE_USE_FINDERS = True  # serves static files without a collectstatic step
