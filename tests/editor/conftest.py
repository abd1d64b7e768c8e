"""The editor's calls as the editor makes them: signed in through AicePS's Supabase-compatible
sign-in on the same origin (the session cookie), no Authorization header on generation and
permission calls, the session token on task-history and template calls."""

from __future__ import annotations

import io

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tests.conftest import make_photo

ORIGIN = "http://testserver"
PASSWORD = "pw-for-tests-1"
INVERT = "tests.fakes.providers.InvertImageProvider"
ECHO = "tests.fakes.providers.EchoPromptWriter"
# Prices that differ per task type, so a test sees AicePS's price and not the editor's.
COSTS = {"default": 1, "remove_background": 3, "text_to_image": 2, "fusion": 4}


@pytest.fixture(autouse=True)
def _editor_settings(settings):
    settings.AICEPS_PROMPT_WRITER = ECHO
    settings.AICEPS_IMAGE_PROVIDER = INVERT
    settings.AICEPS_TASK_COSTS = COSTS
    cache.clear()  # throttle counters
    yield
    cache.clear()


def photo_file(data: bytes | None = None, name: str = "photo.jpg"):
    upload = io.BytesIO(data or make_photo())
    upload.name = name
    return upload


class EditorClient:
    """Speaks like the editor: ``Origin`` of the page on every call, the cookie from the
    sign-in, and ``Authorization`` only where the editor sends it (``token=True``)."""

    def __init__(self, origin: str = ORIGIN) -> None:
        self.http = APIClient()
        self.origin = origin
        self.session: dict = {}

    def sign_in(self, email: str, password: str = PASSWORD):
        response = self.http.post(
            "/auth/v1/token?grant_type=password",
            {"email": email, "password": password, "gotrue_meta_security": {}},
            format="json",
            headers={"Origin": self.origin, "apikey": "anon"},
        )
        assert response.status_code == 200, response.content
        self.session = response.json()
        return self

    @property
    def uid(self) -> str:
        return self.session["user"]["id"]

    def headers(self, token: bool) -> dict:
        headers = {"Origin": self.origin}
        if token:
            headers["Authorization"] = f"Bearer {self.session['access_token']}"
        return headers

    def post(self, path, data=None, *, fmt="multipart", token=False, **extra):
        return self.http.post(path, data or {}, format=fmt, headers=self.headers(token), **extra)

    def put(self, path, data=None, *, fmt="json", token=True):
        return self.http.put(path, data or {}, format=fmt, headers=self.headers(token))

    def get(self, path, *, token=False, **params):
        return self.http.get(path, params or None, headers=self.headers(token))

    def delete(self, path, *, token=True):
        return self.http.delete(path, headers=self.headers(token))


@pytest.fixture
def alice(make_user):
    return make_user("alice", email="alice@example.com")


@pytest.fixture
def bob(make_user):
    return make_user("bob", email="bob@example.com")


@pytest.fixture
def editor(alice) -> EditorClient:
    return EditorClient().sign_in("alice@example.com")
