"""Storage settings: S3 (or an S3-compatible server) as one typed object, ``AICEPS_S3``, and the
storage backend's options, built in one place for settings and tests alike."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlparse

from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig

from .env import env_bool, env_float, env_int, env_str

# One boto3 session per process, shared by the threads (core/s3_backend.py).
S3_STORAGE_BACKEND = "core.s3_backend.S3Storage"


@dataclass(frozen=True)
class S3:
    """``settings.AICEPS_S3``: the bucket images go to (none: local storage) and how AicePS
    treats it. Tests change it with ``dataclasses.replace(settings.AICEPS_S3, ...)``."""

    bucket: str = ""
    access_key: str = field(default="", repr=False)  # kept out of logs and error pages
    secret_key: str = field(default="", repr=False)
    region: str = "us-east-1"
    endpoint_url: str = ""  # an S3-compatible server; empty: AWS
    public_read: bool = False  # public-read objects and plain URLs instead of presigned ones
    timeout_seconds: float = 3.0  # connect and read timeout of each S3 call
    url_expire_seconds: int = 3600  # presigned and signed file URLs
    cache_seconds: int = 6 * 3600  # local copies of uploads (generation.storage); 0: none
    breaker_failures: int = 3  # failures in a row that open the breaker (storage_breaker)
    breaker_cooldown_seconds: float = 30.0  # how long an open breaker skips S3

    @property
    def enabled(self) -> bool:
        return bool(self.bucket)

    @property
    def image_origin(self) -> str:
        """The origin images are served from, for the pages' ``img-src`` ("" without S3)."""
        if self.endpoint_url:
            parsed = urlparse(self.endpoint_url)
            return f"{parsed.scheme}://{parsed.netloc}"
        return "https://*.amazonaws.com" if self.bucket else ""

    def storage(self) -> dict[str, Any]:
        """The ``STORAGES["default"]`` entry of this bucket."""
        return {
            "BACKEND": S3_STORAGE_BACKEND,
            "OPTIONS": s3_storage_options(
                bucket_name=self.bucket,
                access_key=self.access_key,
                secret_key=self.secret_key,
                region_name=self.region,
                endpoint_url=self.endpoint_url,
                public_read=self.public_read,
                timeout_seconds=self.timeout_seconds,
                url_expire_seconds=self.url_expire_seconds,
            ),
        }


def s3_from_env() -> S3:
    """``AICEPS_S3`` from the environment."""
    return S3(
        bucket=env_str("S3_BUCKET_NAME", doc="store images on S3", shown="empty: local storage"),
        access_key=env_str("AWS_ACCESS_KEY_ID", doc="S3 credentials"),
        secret_key=env_str("AWS_SECRET_ACCESS_KEY", doc="S3 credentials"),
        region=env_str("AWS_REGION", "us-east-1", doc="S3 region"),
        endpoint_url=env_str(
            "AWS_S3_ENDPOINT_URL",
            doc="S3-compatible server (MinIO, SeaweedFS, R2, OSS …)",
            shown="AWS",
        ),
        public_read=env_bool(
            "AICEPS_S3_PUBLIC_READ",
            False,
            doc="public-read objects with plain URLs instead of presigned ones",
        ),
        timeout_seconds=env_float(
            "AICEPS_S3_TIMEOUT_SECONDS", 3.0, doc="connect and read timeout of S3 calls"
        ),
        url_expire_seconds=env_int(
            "AICEPS_S3_URL_EXPIRE_SECONDS", 3600, doc="lifetime of presigned and signed file URLs"
        ),
        # Local copies of what was uploaded, so a worker on the same host reads its inputs
        # without a download, and a task created just before an S3 outage still runs.
        cache_seconds=env_int(
            "AICEPS_S3_CACHE_SECONDS",
            6 * 3600,
            doc="how long local copies of uploads are kept (0: none)",
            shown="`21600`",
        ),
        # After this many failed uploads in a row, uploads go straight to the local fallback
        # for the cool-down, then one probe decides (generation.storage_breaker).
        breaker_failures=env_int(
            "AICEPS_S3_BREAKER_FAILURES",
            3,
            doc=(
                "after this many S3 failures in a row, or one timed-out upload, files go "
                "straight to the local fallback (no waiting on a dead S3); the breaker is "
                "shared by every process through the cache, and uploads run in the caller's "
                "thread (no boto3 transfer threads)"
            ),
        ),
        breaker_cooldown_seconds=env_float(
            "AICEPS_S3_BREAKER_COOLDOWN_SECONDS",
            30.0,
            doc=(
                "how long an open S3 breaker sends files to the local fallback; then one probe "
                "tries S3"
            ),
        ),
    )


def s3_storage_options(
    *,
    bucket_name: str,
    access_key: str = "",
    secret_key: str = "",
    region_name: str = "us-east-1",
    endpoint_url: str = "",
    public_read: bool = False,
    timeout_seconds: float = 3.0,
    url_expire_seconds: int = 3600,
    max_attempts: int = 2,
) -> dict[str, Any]:
    """``OPTIONS`` for django-storages' ``S3Storage``.

    * Signature v4 everywhere (django-storages presigns with v2 unless told).
    * Short botocore timeouts and ``max_attempts`` tries in all: botocore's defaults (60 s, 3
      tries) take about three minutes to give up on a hung server. With a 3 s timeout and 2
      tries an upload gives up after about 8 s (each try also waits up to 1 s for the
      ``100 Continue`` botocore asks for), and the caller keeps the file locally instead
      (``generation.storage``). A refused connection fails at once.
    * Private objects and presigned URLs, or with ``public_read`` public-read objects and plain
      URLs (the bucket must allow anonymous reads: an ACL or a bucket policy).
    * Exact keys (``file_overwrite``): a key names one task's file, and storing it again (a
      retried task, the re-upload job) must replace it, not add a renamed copy. It also saves
      a HEAD request before every upload.
    * Path-style addressing for S3-compatible servers (``endpoint_url``: MinIO, SeaweedFS, R2).
    * Uploads in the calling thread, in one request up to 64 MB (every upload AicePS makes):
      boto3's default transfer starts up to 10 threads and 8 MB buffers per upload (78
      threads in a web process under 200 concurrent seed uploads). The backend shares one
      boto3 session between its threads (``core.s3_backend``).
      ``generation.storage_batch`` already moves a task's files side by side, on 4 threads.
    """
    return {
        "bucket_name": bucket_name,
        "access_key": access_key or None,
        "secret_key": secret_key or None,
        "region_name": region_name,
        "endpoint_url": endpoint_url or None,
        "signature_version": "s3v4",
        "default_acl": "public-read" if public_read else None,
        "querystring_auth": not public_read,
        "querystring_expire": url_expire_seconds,
        "file_overwrite": True,
        "transfer_config": TransferConfig(
            use_threads=False, max_concurrency=1, multipart_threshold=64 * 1024 * 1024
        ),
        "client_config": BotoConfig(
            connect_timeout=timeout_seconds,
            read_timeout=timeout_seconds,
            # total_max_attempts counts the first try; botocore's max_attempts counts retries.
            retries={"mode": "standard", "total_max_attempts": max_attempts},
            signature_version="s3v4",
            s3={"addressing_style": "path" if endpoint_url else "auto"},
        ),
    }


# Read at import, after base has read the settings file (base imports the area modules then).
AICEPS_S3 = s3_from_env()
