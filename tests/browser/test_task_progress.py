"""The live task page in Chromium while a local diffusers model runs in a real worker (the
local-model queue): it shows "denoising · step / steps" and the preview image as they come,
then the result."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest
from django.conf import settings as django_settings

from catalogue.imaging import inspect_upload
from generation.models import TaskHistory
from generation.services import TaskInput, task_create
from tests.conftest import make_photo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.local_models,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(240),
]
PASSWORD = "pw-for-browsers-1"
STEPS = 30
LINE = re.compile(rf"^denoising · (\d+) / {STEPS}$")
# Reports each text of the progress line and each preview image the page loads.
WATCH_PROGRESS = """
document.addEventListener("DOMContentLoaded", () => {
  const line = document.getElementById("progress-line");
  const preview = document.getElementById("progress-preview");
  if (!line || !preview) return;
  new MutationObserver(() => window.record("line", line.textContent.trim()))
    .observe(line, {childList: true, characterData: true, subtree: true});
  // The page points the preview at each new partial image; a slow machine may replace or
  // reload it before the image arrives, so each URL is fetched again below.
  new MutationObserver(() => window.record("preview", preview.getAttribute("src")))
    .observe(preview, {attributes: true, attributeFilter: ["src"]});
});
"""


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    pytest.importorskip("torch")
    pytest.importorskip("diffusers")
    pytest.importorskip("transformers")
    from tests.fakes.tiny_diffusers import save_tiny_sd

    root = tmp_path_factory.mktemp("browser-diffusers")
    return save_tiny_sd(root / "tiny-sd", root / "_tokenizer")


@pytest.fixture
def worker_env(tiny_model, settings):
    settings.AICEPS_DIFFUSERS_MODEL = str(tiny_model)  # the web side reads its capabilities
    return {
        "Q_CLUSTER_NAME": django_settings.AICEPS_LOCAL_QUEUE_NAME,
        "AICEPS_IMAGE_PROVIDER": "diffusers",
        "AICEPS_DIFFUSERS_MODEL": str(tiny_model),
        "AICEPS_DIFFUSERS_DEVICE": "cpu",
        "AICEPS_DIFFUSERS_STEPS": str(STEPS),
        "AICEPS_DIFFUSERS_STRENGTH": "1.0",
        "OMP_NUM_THREADS": "1",
    }


def test_the_task_page_shows_denoising_steps_and_a_preview(
    live_server, worker, browser, make_user, screenshots_dir
):
    alice = make_user("alice")
    alice.set_password(PASSWORD)
    alice.save()
    data = TaskInput(
        prompt="snow", images=(inspect_upload(make_photo(64, 64)),), image_provider="diffusers"
    )
    task = task_create(user=alice, data=data, source="web").task

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(60_000)
    seen: list[tuple[str, str]] = []  # what the page showed, in order, across its reloads
    context.expose_binding("record", lambda source, kind, value: seen.append((kind, value)))
    context.add_init_script(WATCH_PROGRESS)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/?next=/history/{task.pk}/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(rf".*/history/{task.pk}/$"))

    page.wait_for_selector("#result-image", timeout=120_000)  # then the page shows the result
    lines = [value for kind, value in seen if kind == "line"]
    steps = [int(m.group(1)) for m in map(LINE.match, lines) if m]
    assert len(steps) >= 2, lines
    assert steps == sorted(steps) and steps[-1] <= STEPS
    previews = [value for kind, value in seen if kind == "preview"]
    assert previews and all("/preview-" in url for url in previews), seen
    for url in dict.fromkeys(previews):  # each one the page showed is a real image
        answer = context.request.get(urljoin(live_server.url, url))
        assert answer.ok and answer.headers["content-type"].startswith("image/"), url
    page.screenshot(path=str(screenshots_dir / "en-task-progress-done.png"), full_page=True)
    task.refresh_from_db()
    assert task.status == TaskHistory.Status.COMPLETED
    assert len(task.extra_files["partials"]) == 3
    context.close()
