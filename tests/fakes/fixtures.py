"""pytest fixtures that run the fake provider servers.

Import them into a test module (``from tests.fakes.fixtures import gemini_server``) or list
``tests.fakes.fixtures`` in a root ``conftest.py``'s ``pytest_plugins``. ``gemini_server`` and
``openai_server`` yield a started server with ``.base_url``, ``.requests`` and
``.enqueue(...)``, emptied for each test. The server itself lives for the whole module
(``gemini_service``, ``openai_service``), so clients built once per module can be reused.
"""

from __future__ import annotations

import pytest

from .gemini_server import GeminiFakeServer
from .openai_server import OpenAIFakeServer


@pytest.fixture(scope="module")
def gemini_service():
    with GeminiFakeServer(color=(30, 144, 255)) as server:
        yield server


@pytest.fixture
def gemini_server(gemini_service):
    gemini_service.reset()
    yield gemini_service
    gemini_service.reset()


@pytest.fixture(scope="module")
def openai_service():
    with OpenAIFakeServer(color=(255, 140, 0)) as server:
        yield server


@pytest.fixture
def openai_server(openai_service):
    openai_service.reset()
    yield openai_service
    openai_service.reset()
