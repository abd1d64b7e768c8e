"""django-storages' ``S3Storage`` with one boto3 session per process.

``S3Storage`` keeps a boto3 resource per thread (resources are not thread-safe), each made
from a session of its own; every session loads and keeps its own copy of botocore's S3 service
model, about 13 MiB. A web process touches S3 from each thread of its sync pool, so under 200
concurrent seed uploads the web tier held a session per thread: 1.42 GiB where local storage
needed 380 MiB. Here the threads' resources come from one session (per credentials), which
shares the model: 32 resources cost 28 MiB instead of about 420. Each thread still has its
own resource, made under a lock (a session makes one at a time).
"""

from __future__ import annotations

import threading

from storages.backends import s3

_sessions: dict[tuple, object] = {}
_lock = threading.RLock()


class S3Storage(s3.S3Storage):
    """The same backend (and name, as ``/readyz`` reports it), its session shared."""

    def _create_session(self):
        key = (self.session_profile, self.access_key, self.secret_key, self.security_token)
        with _lock:
            session = _sessions.get(key)
            if session is None:
                session = _sessions[key] = super()._create_session()
            return session

    @property
    def connection(self):
        connection = getattr(self._connections, "connection", None)
        if connection is not None:
            return connection
        with _lock:
            return super().connection
