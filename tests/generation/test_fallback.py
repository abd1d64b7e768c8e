"""Provider chains (``AICEPS_IMAGE_PROVIDER=openai,offline``): a transient failure after the
pipeline's retries, or a request the first cannot do, moves to the next; the task records
who served it, and the ledger follows the provider actually used (the difference refunded
once)."""

from __future__ import annotations

import pytest

from accounts.models import CreditTransaction
from accounts.selectors import credits_balance, credits_ledger_sum
from catalogue.imaging import inspect_upload
from catalogue.providers.base import ProviderError
from core.errors import ValidationError
from generation.models import TaskHistory
from generation.services import TaskInput, task_create, task_run
from generation.storage import read_bytes
from tests.conftest import make_photo
from tests.fakes.fixtures import openai_server, openai_service  # noqa: F401
from tests.fakes.providers import FlakyImageProvider

pytestmark = pytest.mark.django_db
ECHO = "tests.fakes.providers.EchoPromptWriter"
INVERT = "tests.fakes.providers.InvertImageProvider"
FLAKY = "tests.fakes.providers.FlakyImageProvider"


@pytest.fixture(autouse=True)
def _writer(settings):
    settings.AICEPS_PROMPT_WRITER = ECHO


def photo(width=320, height=240):
    return inspect_upload(make_photo(width, height))


def run(user, *, prompt="黑白", task_type="filter", images=1, **parameters) -> TaskHistory:
    data = TaskInput(
        prompt=prompt,
        task_type=task_type,
        images=tuple(photo() for _ in range(images)),
        parameters=parameters,
    )
    task = task_create(user=user, data=data, enqueue=False).task
    return task_run(task_id=task.pk)


def test_openai_fails_transiently_and_offline_serves_with_the_ledger_following(
    settings,
    openai_server,  # noqa: F811
    user,
):
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = openai_server.base_url
    settings.AICEPS_IMAGE_PROVIDER = "openai,offline"
    settings.AICEPS_TASK_COSTS = {"default": 1, "openai": 5}
    for _ in range(settings.AICEPS_PROVIDER_CALLS.max_attempts):
        openai_server.enqueue_error("edits", 500, "upstream is down", type_="server_error")

    task = run(user)

    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    assert len(openai_server.requests_to("edits")) == settings.AICEPS_PROVIDER_CALLS.max_attempts
    assert task.image_provider == "offline" and task.model_version.startswith("offline")
    assert task.provider_chain["image_provider"] == ["openai", "offline"]
    assert read_bytes(task.generated_image.name)  # the offline editor's black and white
    rows = list(CreditTransaction.objects.filter(task_id=task.pk).order_by("id"))
    assert [(row.kind, row.amount) for row in rows] == [("debit", -5), ("refund", 4)]
    assert rows[1].idempotency_key == f"refund-fallback:{task.pk}"
    assert task.credits_deducted == 1
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)
    # Exactly once: running the task again finds nothing to do, and no second refund.
    assert task_run(task_id=task.pk) is None
    assert CreditTransaction.objects.filter(task_id=task.pk).count() == 2


def test_the_first_one_serving_costs_the_charged_price(settings, user):
    settings.AICEPS_IMAGE_PROVIDER = f"{INVERT},offline"
    settings.AICEPS_TASK_COSTS = {"default": 1, INVERT: 3}

    task = run(user)

    assert task.image_provider == INVERT and task.credits_deducted == 3
    assert credits_balance(user=user) == 7 == credits_ledger_sum(user=user)
    assert not CreditTransaction.objects.filter(kind="refund").exists()


def test_a_dearer_fallback_is_charged_up_front_and_kept(settings, user):
    FlakyImageProvider.calls = 0
    settings.AICEPS_IMAGE_PROVIDER = f"{FLAKY},{INVERT}"
    settings.AICEPS_TASK_COSTS = {"default": 1, INVERT: 4}

    task = run(user, n=2)

    assert FlakyImageProvider.calls == settings.AICEPS_PROVIDER_CALLS.max_attempts
    assert task.status == "completed" and task.image_provider == INVERT
    assert task.credits_deducted == 8 and credits_balance(user=user) == 2
    assert "flaky (server_error)" not in task.error_detail  # completed: no error
    assert credits_ledger_sum(user=user) == 2


def test_an_instruction_the_first_cannot_do_moves_to_the_next(settings, user):
    settings.AICEPS_IMAGE_PROVIDER = f"offline,{INVERT}"

    task = run(user, prompt="让这个人穿上医生的白大褂", task_type="edit")

    assert task.status == "completed", task.error_detail
    assert task.image_provider == INVERT


def test_words_every_provider_would_refuse_are_refused_before_any_charge(settings, user):
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    before = CreditTransaction.objects.count()
    with pytest.raises(ProviderError) as refused:
        run(user, prompt="让这个人穿上医生的白大褂", task_type="edit")
    assert refused.value.code == "unsupported_instruction" and refused.value.status == 422
    assert "白大褂" in refused.value.message and "Gemini" in refused.value.message
    assert not TaskHistory.objects.exists()
    assert CreditTransaction.objects.count() == before and credits_balance(user=user) == 10


def test_when_every_provider_fails_the_task_fails_naming_them(settings, user):
    settings.AICEPS_IMAGE_PROVIDER = f"{FLAKY},offline"

    task = run(user, prompt="让这个人穿上医生的白大褂", task_type="edit")

    assert task.status == "failed" and task.error_code == "unsupported_instruction"
    assert "Tried first: flaky (server_error)" in task.error_detail
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)


def test_a_permanent_refusal_does_not_move_on(settings, user):
    settings.AICEPS_IMAGE_PROVIDER = f"tests.fakes.providers.FailingImageProvider,{INVERT}"

    task = run(user)

    assert task.status == "failed" and task.error_code == "content_blocked"


def test_creation_accepts_what_some_provider_of_the_chain_can_do(settings, user):
    settings.AICEPS_IMAGE_PROVIDER = f"offline,{INVERT}"

    task = run(user, prompt="combine them", task_type="fusion", images=3)  # offline takes 2

    assert task.status == "completed"
    assert task.provider_chain["image_provider"] == [INVERT] and task.image_provider == INVERT


def test_creation_refuses_what_no_provider_of_the_chain_can_do(settings, user):
    settings.AICEPS_IMAGE_PROVIDER = f"offline,{INVERT}"
    data = TaskInput(prompt="too many", task_type="fusion", images=tuple(photo() for _ in range(5)))

    with pytest.raises(ValidationError) as caught:
        task_create(user=user, data=data)

    assert caught.value.code == "too_many_images"
    assert not TaskHistory.objects.exists() and credits_balance(user=user) == 10


def test_a_provider_not_set_up_here_is_left_out_of_the_chain(settings, user):
    settings.GEMINI_API_KEY = ""
    settings.AICEPS_IMAGE_PROVIDER = "gemini,offline"

    task = run(user)

    assert task.provider_chain["image_provider"] == ["offline"]
    assert task.status == "completed" and task.image_provider == "offline"


def test_prompt_writers_fall_back_too(settings, user):
    settings.AICEPS_PROMPT_WRITER = f"tests.fakes.providers.FailingPromptWriter,{ECHO}"
    settings.AICEPS_IMAGE_PROVIDER = INVERT

    task = run(user)

    assert task.status == "completed"
    assert task.prompt_writer == ECHO and task.professional_prompt.startswith("Professional")


def test_a_client_may_send_a_chain_of_short_names(settings, user, openai_server):  # noqa: F811
    settings.OPENAI_API_KEY = "sk-test"
    settings.OPENAI_BASE_URL = openai_server.base_url
    settings.AICEPS_IMAGE_PROVIDER = INVERT
    data = TaskInput(
        prompt="黑白", task_type="filter", images=(photo(),), image_provider="openai,offline"
    )

    task = task_create(user=user, data=data, enqueue=False).task

    assert task.provider_chain["image_provider"] == ["openai", "offline"]
    with pytest.raises(ValidationError):  # dotted paths stay the operator's
        task_create(user=user, data=TaskInput(prompt="x", images=(photo(),), image_provider=INVERT))


def test_the_pipeline_records_which_provider_of_the_chain_served():
    from catalogue.providers.base import InputImage, ProviderError
    from generation.pipeline import Pipeline, PipelineInput, RetryPolicy
    from tests.fakes.providers import EchoPromptWriter, FlakyImageProvider, InvertImageProvider

    class Refusing(InvertImageProvider):
        name = "refusing"

        def generate(self, request):
            raise ProviderError("cannot", permanent=True, code="unsupported_task")

    sleeps = []
    pipeline = Pipeline(
        prompt_writer=EchoPromptWriter(),
        image_provider=[FlakyImageProvider(), Refusing(), InvertImageProvider()],
        retry=RetryPolicy(max_attempts=2, backoff_seconds=0.5),
        sleep=sleeps.append,
    )
    image = InputImage(make_photo(), "image/jpeg", 320, 240)

    result = pipeline.run(PipelineInput(instruction="黑白", images=(image,)))

    assert result.image_stage.index == 2 and result.image_stage.provider == "invert"
    assert result.image_stage.fallbacks == (
        ("flaky", "server_error"),
        ("refusing", "unsupported_task"),
    )
    assert sleeps == [0.5]  # the transient one was retried once, the refusal not at all
