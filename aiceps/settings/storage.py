"""The S3 storage backend's options, built in one place for settings and tests alike."""

from __future__ import annotations

from boto3.s3.transfer import TransferConfig
from botocore.config import Config as BotoConfig

# One boto3 session per process, shared by the threads (generation/s3_backend.py).
S3_STORAGE_BACKEND = "generation.s3_backend.S3Storage"


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
) -> dict:
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
      boto3 session between its threads (``generation.s3_backend``).
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
