"""Test settings: small overrides on top of base."""

import hashlib
import os
import tempfile
from pathlib import Path

os.environ.setdefault("DJANGO_DEBUG", "1")
# Tests never read a developer's settings file (.env): what they need, they set.
os.environ["AICEPS_ENV_FILE"] = ""

from catalogue.providers.registry import declared_settings

from .base import *  # noqa: F403
from .base import Q_CLUSTER
from .env import database_from_url, env_str
from .storage import S3

_TMP = Path(tempfile.mkdtemp(prefix="aiceps-test-"))

# TEST_DATABASE_URL picks the database under test (the test runner sets it per run);
# SQLite by default, in a file so threads share it.
DATABASES = {
    "default": database_from_url(
        env_str("TEST_DATABASE_URL", f"sqlite:///{_TMP / 'test.sqlite3'}"),
        base_dir=BASE_DIR,  # noqa: F405
    )
}
# SQLite: a file, so threads and worker processes share it. PostgreSQL: a test database of
# this checkout's own, so two checkouts on one server never drop each other's.
_CHECKOUT = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]  # noqa: F405
DATABASES["default"]["TEST"] = (
    {"NAME": str(_TMP / "test-db.sqlite3")}
    if (DATABASES["default"]["ENGINE"].endswith("sqlite3"))
    else {"NAME": env_str("TEST_DATABASE_NAME", f"test_aiceps_{_CHECKOUT}")}
)

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # The same backend, emptying tables with DELETE after a transactional test (TRUNCATE of
    # every table costs about 0.4 s a test): tests/fakes/flush_by_delete.
    DATABASES["default"]["ENGINE"] = "tests.fakes.flush_by_delete"

MEDIA_ROOT = _TMP / "media"
AICEPS_OUTPUT_DIR = _TMP / "output"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AICEPS_S3 = S3()  # no bucket, whatever the shell holds: files stay on disk
REDIS_URL = ""
# Every provider's own settings as it declares for tests (its defaults; keys empty), whatever
# the developer's shell or settings file holds: a key there never reaches a test.
globals().update({setting.name: setting.test_value() for setting in declared_settings()})
AICEPS_PROMPT_WRITER = "auto"
AICEPS_IMAGE_PROVIDER = "auto"
AICEPS_PROVIDER_BACKOFF_SECONDS = 0.01
AICEPS_PROVIDER_MAX_BACKOFF_SECONDS = 0.05
AICEPS_SYNC_WAIT_SECONDS = 30.0
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
Q_CLUSTER = {**Q_CLUSTER, "sync": True}
Q_CLUSTER.pop("redis", None)
Q_CLUSTER["orm"] = "default"
STATIC_ROOT = None  # no collected static files in tests; WhiteNoise serves from the finders
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
AICEPS_PUBLIC_URL = ""
AICEPS_WEBHOOK_ALLOW_PRIVATE = False
AICEPS_RETENTION_DAYS = 0
# Tests that queue for real mostly start their worker after submitting; the tests of the
# worker check (tests/generation/test_workers.py) turn it on.
AICEPS_WORKER_CHECK = False
