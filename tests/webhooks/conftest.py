import pytest
from rest_framework.authtoken.models import Token

from tests.fakes.webhook_receiver import receiver  # noqa: F401  (the `receiver` fixture)
from tests.generation.api.conftest import ECHO, INVERT, RunningClient


@pytest.fixture(autouse=True)
def _test_providers(settings):
    settings.AICEPS_PROMPT_WRITER = ECHO
    settings.AICEPS_IMAGE_PROVIDER = INVERT
    settings.AICEPS_WEBHOOK_ALLOW_PRIVATE = True  # the receiver listens on 127.0.0.1
    settings.AICEPS_WEBHOOK_TIMEOUT_SECONDS = 3


@pytest.fixture
def api(user, django_capture_on_commit_callbacks):
    client = RunningClient()
    client.capture = staticmethod(django_capture_on_commit_callbacks)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {Token.objects.create(user=user).key}")
    return client
