"""The official ``openai`` client against AicePS served live (uvicorn, the real ASGI app).

``client``: an ``openai.OpenAI`` pointed at ``{server}/v1`` with a user's token (no client
retries, so each call is one request). ``runner``: a worker thread of this process that runs
queued tasks while the test's client waits or streams, so events arrive as the task moves
(with the inline queue of the test settings a task would be done before its answer starts).
"""

from __future__ import annotations

import io
import threading
import time

import openai
import pytest
from django.db import close_old_connections, connection
from django_q.conf import Conf
from PIL import Image
from rest_framework.authtoken.models import Token

from generation.models import TaskHistory
from generation.services import task_run
from tests.conftest import make_photo
from tests.fakes.asgi_server import asgi_server

__all__ = ["asgi_server", "decoded", "photo_file"]


@pytest.fixture
def token(user):
    return Token.objects.create(user=user).key


@pytest.fixture
def client(asgi_server, token):
    return openai.OpenAI(base_url=f"{asgi_server.url}/v1", api_key=token, max_retries=0)


def photo_file(width=320, height=240, name="photo.png") -> tuple[str, bytes, str]:
    return (name, make_photo(width, height, fmt="PNG"), "image/png")


def decoded(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


class Runner:
    """Runs every pending task, in a thread, until stopped."""

    def __init__(self) -> None:
        self.stop_event = threading.Event()
        self.ran: list[str] = []
        self.thread = threading.Thread(target=self._loop, name="test-worker", daemon=True)

    def _loop(self) -> None:
        try:
            while not self.stop_event.is_set():
                pending = list(
                    TaskHistory.objects.filter(status=TaskHistory.Status.PENDING).values_list(
                        "pk", flat=True
                    )
                )
                for task_id in pending:
                    task_run(task_id=task_id)
                    self.ran.append(str(task_id))
                time.sleep(0.05)
                close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(timeout=60)


@pytest.fixture
def runner(monkeypatch, transactional_db):
    monkeypatch.setattr(Conf, "SYNC", False)  # queued, not run inline: the runner takes them
    worker = Runner()
    worker.thread.start()
    yield worker
    worker.stop()


@pytest.fixture(scope="session")
def tiny_sd(tmp_path_factory):
    """A tiny random Stable Diffusion pipeline on disk (see tests/fakes/tiny_diffusers.py)."""
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    pytest.importorskip("transformers")
    import torch

    from tests.fakes.tiny_diffusers import save_tiny_sd

    torch.set_num_threads(1)  # tiny models gain nothing from threads on a busy machine
    root = tmp_path_factory.mktemp("tiny-sd")
    return save_tiny_sd(root / "tiny-sd", root / "_tokenizer")
