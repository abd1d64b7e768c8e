"""The S3 backend keeps one boto3 session per process: every thread has a resource of its own
(resources are not thread-safe), all made from the one session, whose loaded service model
they share (a session apiece cost about 13 MiB per thread of a web process)."""

from __future__ import annotations

import threading

from django.utils.module_loading import import_string

from aiceps.settings.storage import S3_STORAGE_BACKEND, s3_storage_options


def storage():
    options = s3_storage_options(
        bucket_name="b",
        access_key="k",
        secret_key="s",
        region_name="us-east-1",
        endpoint_url="http://127.0.0.1:9",
        public_read=False,
        url_expire_seconds=60,
        timeout_seconds=1,
        max_attempts=1,
    )
    return import_string(S3_STORAGE_BACKEND)(**options)


def test_threads_have_their_own_resources_from_one_session():
    stores = [storage(), storage()]  # as each process's storages and each request's copies
    made: list = []

    def use(store):
        first = store.connection
        assert store.connection is first  # kept for the thread
        made.append(first)

    threads = [threading.Thread(target=use, args=(stores[n % 2],)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(resource) for resource in made}) == 16
    sessions = {id(resource.meta.client._loader) for resource in made}
    assert len(sessions) == 1  # one loader: the service model is loaded once
