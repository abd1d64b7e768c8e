"""The Midjourney provider against a local midjourney-proxy speaking its protocol
(``tests.fakes.midjourney_server``): the provider alone, then whole tasks (stored images,
the ledger, a refusal, a timeout, a failed poll, a run again by staff) and the notify hook
through the real ASGI app."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from accounts.selectors import credits_balance, credits_ledger_sum
from catalogue.providers.base import ImageRequest, ProviderError, TaskMemory, TaskType
from catalogue.providers.midjourney import MidjourneyImageProvider, notify_token
from generation.models import TaskHistory
from generation.services import TaskInput, task_create, task_rerun_by_staff, task_run
from generation.storage import read_bytes
from tests.fakes.midjourney_server import MidjourneyProxyFake

ECHO = "tests.fakes.providers.EchoPromptWriter"
SECRET = "proxy-secret"


@pytest.fixture
def proxy():
    with MidjourneyProxyFake(duration=0.3, api_key=SECRET) as server:
        yield server


@pytest.fixture
def midjourney(settings, proxy):
    settings.AICEPS_MIDJOURNEY_PROXY_URL = proxy.url
    settings.AICEPS_MIDJOURNEY_API_SECRET = SECRET
    settings.AICEPS_MIDJOURNEY_POLL_SECONDS = 0.1
    settings.AICEPS_MIDJOURNEY_TIMEOUT_SECONDS = 10
    settings.AICEPS_IMAGE_PROVIDER = "midjourney"
    settings.AICEPS_PROMPT_WRITER = ECHO
    settings.AICEPS_TASK_COSTS = {"default": 1, "midjourney": 3}
    return proxy


def provider(proxy, **options) -> MidjourneyImageProvider:
    from catalogue.providers._midjourney_client import MidjourneyProxyClient

    client = MidjourneyProxyClient(proxy.url, api_secret=SECRET, timeout=5)
    return MidjourneyImageProvider(client, **{"poll_seconds": 0.05, **options})


def request(prompt="a lighthouse at dusk", count=1, memory=None, **extra) -> ImageRequest:
    return ImageRequest(
        prompt=prompt,
        instruction=prompt,
        task_type=TaskType.TEXT_TO_IMAGE,
        count=count,
        memory=memory or TaskMemory(),
        **extra,
    )


# --- The provider alone -----------------------------------------------------------------


def test_imagine_then_upscale_the_quadrants_asked_for(proxy):
    saved = []
    memory = TaskMemory(save=saved.append)
    progress = []

    result = provider(proxy).generate(
        request(count=2, memory=memory, aspect_ratio="16:9", report=progress.append)
    )

    assert [image.data for image in result.images] == [proxy.upscale_png(1), proxy.upscale_png(2)]
    [grid] = proxy.jobs_of("IMAGINE")
    assert grid.prompt == "a lighthouse at dusk --ar 16:9"
    assert sorted(job.index for job in proxy.jobs_of("UPSCALE")) == [1, 2]
    # Each job id was kept before it was waited on: the first save holds only the grid.
    assert saved[0] == {"imagine": grid.id}
    assert set(saved[-1]) == {"imagine", "upscale-1", "upscale-2"}
    assert all(r.headers["mj-api-secret"] == SECRET for r in proxy.requests_to("imagine"))
    assert any(p.phase == "imagining" for p in progress)
    assert result.model == f"midjourney:{grid.id}"


def test_a_remembered_job_is_resumed_not_submitted_again(proxy):
    first = provider(proxy).generate(request())
    grid = proxy.jobs_of("IMAGINE")[0].id

    memory = TaskMemory(state={"imagine": grid, "upscale-1": proxy.jobs_of("UPSCALE")[0].id})
    again = provider(proxy).generate(request(memory=memory))

    assert again.images == first.images
    assert len(proxy.requests_to("imagine")) == 1
    assert len(proxy.requests_to("change")) == 1


def test_a_banned_word_is_refused_permanently(proxy):
    with pytest.raises(ProviderError) as caught:
        provider(proxy).generate(request(prompt="a nude statue"))

    assert caught.value.code == "content_blocked" and caught.value.permanent
    assert "nude" in caught.value.message
    assert proxy.jobs == {}


def test_a_job_that_never_finishes_times_out_transiently(proxy):
    proxy.duration = None
    started = time.monotonic()

    with pytest.raises(ProviderError) as caught:
        provider(proxy, timeout=0.4).generate(request())

    assert caught.value.code == "timeout" and not caught.value.permanent
    assert 0.4 <= time.monotonic() - started < 3
    assert len(proxy.requests_to("fetch")) >= 2


def test_a_failed_job_fails_the_request(proxy):
    proxy.fail_reason = "Banned prompt detected by moderation"

    with pytest.raises(ProviderError) as caught:
        provider(proxy).generate(request())

    assert caught.value.code == "content_blocked" and caught.value.permanent


def test_a_wrong_secret_is_a_setup_failure(proxy):
    from catalogue.providers._midjourney_client import MidjourneyProxyClient

    wrong = MidjourneyImageProvider(MidjourneyProxyClient(proxy.url, api_secret="nope"))

    with pytest.raises(ProviderError) as caught:
        wrong.generate(request())

    assert caught.value.code == "invalid_configuration" and caught.value.status == 503


# --- Whole tasks ------------------------------------------------------------------------


def run_task(user, prompt="a lighthouse at dusk", **parameters) -> TaskHistory:
    data = TaskInput(prompt=prompt, task_type="text_to_image", parameters=parameters)
    task = task_create(user=user, data=data, enqueue=False).task
    return task_run(task_id=task.pk)


@pytest.mark.django_db
def test_a_task_stores_the_upscales_and_charges_the_price(midjourney, user):
    task = run_task(user, n=2)

    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    stored = [read_bytes(name) for name in task.extra_files["generated"]]
    assert stored == [midjourney.upscale_png(1), midjourney.upscale_png(2)]
    assert task.image_provider == "midjourney" and task.credits_deducted == 6
    assert task.provider_state["midjourney"]["imagine"] == midjourney.jobs_of("IMAGINE")[0].id
    assert credits_balance(user=user) == 10 - 6 == credits_ledger_sum(user=user)


@pytest.mark.django_db
def test_a_banned_word_fails_the_task_and_refunds_it(midjourney, user):
    task = run_task(user, prompt="a nude statue")

    assert task.status == TaskHistory.Status.FAILED
    assert task.error_code == "content_blocked" and "nude" in task.error_message
    # Refused, so never a job: the pipeline asks once more with the user's own words (the
    # professional prompt may have brought the word in), then stops; no retries.
    assert midjourney.jobs == {}
    prompts = [r.json["prompt"] for r in midjourney.requests_to("imagine")]
    assert prompts == ["Professional prompt: a nude statue --ar 1:1", "a nude statue --ar 1:1"]
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)


@pytest.mark.django_db
def test_a_timeout_fails_the_task_after_the_retries_with_one_submission(midjourney, user, settings):
    midjourney.duration = None
    settings.AICEPS_MIDJOURNEY_TIMEOUT_SECONDS = 0.3

    task = run_task(user)

    assert task.status == TaskHistory.Status.FAILED and task.error_code == "timeout"
    assert len(midjourney.requests_to("imagine")) == 1  # three attempts, one Midjourney job
    assert len(midjourney.requests_to("fetch")) >= settings.AICEPS_PROVIDER_CALLS.max_attempts
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)


@pytest.mark.django_db
def test_a_failed_poll_resumes_the_same_job(midjourney, user):
    midjourney.enqueue("fetch", 502, {"error": "bad gateway"})

    task = run_task(user)

    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    assert task.attempts == 1
    assert len(midjourney.requests_to("imagine")) == 1
    assert midjourney.requests_to("fetch")[0].path.endswith("/fetch")


@pytest.mark.django_db
def test_a_task_run_again_by_staff_resumes_its_job(midjourney, user, settings, make_user):
    midjourney.duration = None
    settings.AICEPS_MIDJOURNEY_TIMEOUT_SECONDS = 0.2
    settings.AICEPS_PROVIDER_CALLS = replace(settings.AICEPS_PROVIDER_CALLS, max_attempts=1)
    task = run_task(user)
    assert task.status == TaskHistory.Status.FAILED
    grid = midjourney.jobs_of("IMAGINE")[0]
    grid.duration = midjourney.duration = 0.05  # Midjourney finished it meanwhile
    staff = make_user("staff", is_staff=True)

    task_rerun_by_staff(task=task, staff=staff)
    task = task_run(task_id=task.pk)

    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    assert len(midjourney.requests_to("imagine")) == 1
    assert read_bytes(task.generated_image.name) == midjourney.upscale_png(1)
    # Free for its owner: charged once, refunded once when it failed.
    assert credits_balance(user=user) == 10 == credits_ledger_sum(user=user)


def test_the_registry_declares_what_midjourney_does(settings):
    from catalogue.providers.registry import capabilities_of, provider_class, queue_group
    from catalogue.task_types import provider_can

    settings.AICEPS_MIDJOURNEY_PROXY_URL = ""
    cls = provider_class("midjourney")
    assert not cls.is_configured()
    assert queue_group("midjourney") == "default"
    capabilities = capabilities_of("midjourney")
    assert provider_can(capabilities, "text_to_image") and provider_can(capabilities, "fusion")
    assert not provider_can(capabilities, "edit") and not capabilities.mask


# --- The notify hook, through the real app ----------------------------------------------


@pytest.mark.slow
def test_a_notify_that_arrives_before_the_poll_finishes_the_task(
    asgi_server, midjourney, settings, make_user
):
    settings.AICEPS_PUBLIC_URL = asgi_server.url
    settings.AICEPS_MIDJOURNEY_POLL_SECONDS = 60  # no poll would come in this test's time
    user = make_user()
    started = time.monotonic()

    task = run_task(user)

    assert task.status == TaskHistory.Status.COMPLETED, task.error_detail
    assert time.monotonic() - started < 20
    assert midjourney.requests_to("fetch") == []  # the notices alone carried it
    assert midjourney.notify_errors == []
    grid = midjourney.jobs_of("IMAGINE")[0]
    assert grid.notify_hook == (
        f"{asgi_server.url}/api/providers/midjourney/notify/{task.pk}/{notify_token(task.pk)}"
    )
    assert ("SUCCESS", 200) in grid.notified
    notices = task.provider_state["notices"]["midjourney"]
    assert notices[grid.id]["status"] == "SUCCESS"
    assert read_bytes(task.generated_image.name) == midjourney.upscale_png(1)


@pytest.mark.django_db
def test_the_notify_url_needs_its_token(client, user):
    task = TaskHistory.objects.create(user=user, prompt="x", status="processing")
    url = f"/api/providers/midjourney/notify/{task.pk}"
    notice = {"id": "171", "status": "SUCCESS", "progress": "100%", "imageUrl": "http://x/1.png"}

    wrong = client.post(f"{url}/{'0' * 64}", notice, content_type="application/json")
    right = client.post(f"{url}/{notify_token(task.pk)}", notice, content_type="application/json")

    assert wrong.status_code == 404
    assert right.status_code == 200 and right.json()["recorded"] is True
    task.refresh_from_db()
    assert task.provider_state["notices"]["midjourney"]["171"]["status"] == "SUCCESS"
    TaskHistory.objects.filter(pk=task.pk).update(status="completed")
    late = client.post(f"{url}/{notify_token(task.pk)}", notice, content_type="application/json")
    assert late.json()["recorded"] is False  # a task that ended keeps what it had
