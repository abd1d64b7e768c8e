import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

INVERT = "tests.fakes.providers.InvertImageProvider"
ECHO = "tests.fakes.providers.EchoPromptWriter"


@pytest.fixture(autouse=True)
def _test_providers(settings):
    settings.AICEPS_PROMPT_WRITER = ECHO
    settings.AICEPS_IMAGE_PROVIDER = INVERT


@pytest.fixture
def token(user):
    return Token.objects.create(user=user).key


class RunningClient(APIClient):
    """An API client whose requests run the on-commit hooks (the queue runs tasks inline in
    tests), as they would after a real commit."""

    capture = None

    def generic(self, *args, **kwargs):
        with self.capture(execute=True):
            return super().generic(*args, **kwargs)


@pytest.fixture
def api(token, django_capture_on_commit_callbacks):
    client = RunningClient()
    client.capture = staticmethod(django_capture_on_commit_callbacks)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


@pytest.fixture
def anonymous_api(django_capture_on_commit_callbacks):
    client = RunningClient()
    client.capture = staticmethod(django_capture_on_commit_callbacks)
    return client
