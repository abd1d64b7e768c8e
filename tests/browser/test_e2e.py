"""End to end in a real browser: sign in, upload a photo with the instruction "黑白", watch
the real worker finish the task, find it in the history; another user gets 404. Saves
screenshots of the main pages in English and Chinese to ``screenshots/`` (not committed)."""

from __future__ import annotations

import importlib
import re
import time

import pytest
from django.apps import apps

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from tests.conftest import make_photo

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(240),
]
PASSWORD = "pw-for-browsers-1"
LOCALES = {"en": "en-US", "zh": "zh-CN"}


def _context(browser, language: str, **kwargs):
    locale = LOCALES[language]
    context = browser.new_context(
        locale=locale,
        extra_http_headers={"Accept-Language": f"{locale},{locale.split('-')[0]};q=0.9"},
        viewport=kwargs.pop("viewport", {"width": 1280, "height": 900}),
        **kwargs,
    )
    context.set_default_timeout(20_000)
    return context


def _sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r".*/(new/)?$"))


def _image_loaded(page, selector: str) -> bool:
    return page.evaluate(
        "(s) => { const i = document.querySelector(s); return !!i && i.complete && "
        "i.naturalWidth > 0; }",
        selector,
    )


def _shoot(page, folder, name: str) -> None:
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(folder / f"{name}.png"), full_page=True)


def test_edit_a_photo_from_the_browser(
    live_server, worker, browser, make_user, tmp_path, screenshots_dir
):
    base = live_server.url
    _seed_templates()
    alice = _user(make_user, "alice")
    _user(make_user, "bob")
    photo = tmp_path / "garden.jpg"
    photo.write_bytes(make_photo(640, 480))

    # Sign in and submit, in English.
    context = _context(browser, "en")
    page = context.new_page()
    page.goto(f"{base}/history/")
    assert "/accounts/login/" in page.url
    _shoot(page, screenshots_dir, "en-login")
    _sign_in(page, base, "alice")
    page.goto(f"{base}/new/")
    page.check("#task-type-filter")
    page.set_input_files("#id_images", str(photo))
    page.wait_for_selector("#previews li[data-new] img")
    page.fill("#id_prompt", "黑白")
    assert page.inner_text("#price") == "1 credit"
    _shoot(page, screenshots_dir, "en-new")
    submitted = time.monotonic()
    page.click("#submit-button")
    page.wait_for_url(re.compile(r".*/history/[0-9a-f-]{36}/$"))
    task_id = page.url.rstrip("/").rsplit("/", 1)[1]

    # The page follows the task live, then shows the result.
    page.wait_for_selector("#result-image", timeout=90_000)
    finished = time.monotonic() - submitted
    page.wait_for_function(
        "() => { const i = document.querySelector('#result-image'); "
        "return i && i.complete && i.naturalWidth > 0; }"
    )
    assert _image_loaded(page, "#result-image") and _image_loaded(page, "#original-image")
    assert "Completed" in page.inner_text(".badge")
    assert "black and white" in page.inner_text(".professional").lower()
    _shoot(page, screenshots_dir, "en-task-done")
    task = TaskHistory.objects.get(pk=task_id)
    assert (task.status, task.source, task.prompt) == ("completed", "web", "黑白")
    assert task.image_provider == "offline" and task.generated_image.name
    assert credits_balance(user=alice) == 9
    print(
        f"\nsubmit → result shown in the browser: {finished:.1f} s "
        f"(worker: {task.generation_time_ms} ms)"
    )

    # Found in the history, with its thumbnail.
    page.goto(f"{base}/history/")
    link = page.locator(f'a[href="/history/{task_id}/"]')
    assert link.count() == 1
    page.wait_for_function(
        '(id) => { const i = document.querySelector(`a[href="/history/${id}/"] img`); '
        "return i && i.complete && i.naturalWidth > 0; }",
        arg=task_id,
    )
    page.fill("#id_q", "黑白")
    page.click(".filters button[type=submit]")
    assert page.locator(f'a[href="/history/{task_id}/"]').count() == 1
    _shoot(page, screenshots_dir, "en-history")
    page.goto(f"{base}/credits/")
    assert page.inner_text("#balance-value") == "9"
    _shoot(page, screenshots_dir, "en-credits")
    page.goto(f"{base}/statistics/")
    assert page.locator("svg.chart").count() == 2
    _shoot(page, screenshots_dir, "en-statistics")

    _more_of_the_new_page(page, base, photo, screenshots_dir)
    _a_task_that_waits(page, base, alice, screenshots_dir)

    # A phone-sized screen.
    phone = _context(
        browser, "en", viewport={"width": 390, "height": 844}, storage_state=context.storage_state()
    )
    mobile = phone.new_page()
    for path, name in ((f"/history/{task_id}/", "en-phone-task"), ("/new/", "en-phone-new")):
        mobile.goto(f"{base}{path}")
        _shoot(mobile, screenshots_dir, name)
    phone.close()
    context.close()

    # The same pages in Chinese.
    context = _context(browser, "zh")
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    assert "登录" in page.inner_text("h1")
    _shoot(page, screenshots_dir, "zh-login")
    _sign_in(page, base, "alice")
    page.goto(f"{base}/new/")
    assert "新建生成" in page.inner_text("h1")
    page.check("#task-type-filter")
    page.set_input_files("#id_images", str(photo))
    page.wait_for_selector("#previews li[data-new] img")
    page.fill("#id_prompt", "黑白")
    _shoot(page, screenshots_dir, "zh-new")
    page.goto(f"{base}/history/{task_id}/")
    assert "已完成" in page.inner_text(".badge")
    page.wait_for_function("() => document.querySelector('#result-image').naturalWidth > 0")
    _shoot(page, screenshots_dir, "zh-task-done")
    for path, name in (
        ("/history/", "zh-history"),
        ("/credits/", "zh-credits"),
        ("/statistics/", "zh-statistics"),
    ):
        page.goto(f"{base}{path}")
        _shoot(page, screenshots_dir, name)
    context.close()

    # Someone else's task does not exist for bob.
    context = _context(browser, "en")
    page = context.new_page()
    _sign_in(page, base, "bob")
    response = page.goto(f"{base}/history/{task_id}/")
    assert response.status == 404
    page.goto(f"{base}/history/")
    assert page.locator(f'a[href="/history/{task_id}/"]').count() == 0
    context.close()


def _more_of_the_new_page(page, base, photo, folder) -> None:
    """The point picker, the template library, and a form that comes back with its photo."""
    page.goto(f"{base}/new/")
    page.check("#task-type-hotspot")
    page.set_input_files("#id_images", str(photo))
    page.wait_for_selector("#point-picker:not([hidden]) img")
    page.wait_for_function("() => document.querySelector('#point-image').naturalWidth > 0")
    picture = page.locator("#point-image")
    picture.scroll_into_view_if_needed()
    box = picture.bounding_box()
    picture.click(position={"x": box["width"] * 0.25, "y": box["height"] * 0.5})
    assert abs(int(page.input_value("#id_x")) - 160) <= 4
    assert abs(int(page.input_value("#id_y")) - 240) <= 4
    assert page.is_visible("#point-marker")
    _shoot(page, folder, "en-new-hotspot")
    page.click("details.library summary")
    page.click('details.library a[data-template="oil-painting"]')
    assert page.is_checked("#task-type-style")
    assert page.input_value("#id_prompt") == "Turn the photo into an oil painting"
    page.click("details.library summary")
    _shoot(page, folder, "en-new-templates")
    page.check("#task-type-hotspot")
    page.fill("#id_prompt", "")
    page.click("#submit-button")
    page.wait_for_selector("#form-errors")
    assert "Please write an instruction" in page.inner_text("#form-errors")
    assert page.is_checked("#task-type-hotspot")
    kept = page.locator("li[data-kept] input[name=kept]")
    assert kept.count() == 1 and kept.is_checked()
    page.wait_for_function("() => document.querySelector('li[data-kept] img').naturalWidth > 0")
    _shoot(page, folder, "en-new-error")
    page.set_input_files("#id_images", str(photo))
    hint = page.locator("#dropzone ~ p.field-error")
    assert "This task takes one photo" in hint.inner_text()
    page.check("#task-type-fusion")
    assert hint.is_hidden()


def _a_task_that_waits(page, base, user, folder) -> None:
    """A task nobody queued stays pending: the page shows it live, and it can be cancelled."""
    task = TaskHistory.objects.create(user=user, prompt="黑白", task_type="filter")
    page.goto(f"{base}/history/{task.pk}/")
    page.wait_for_selector("#stages li.current")
    page.wait_for_function("() => document.querySelector('#elapsed').textContent !== '—'")
    _shoot(page, folder, "en-task-running")
    page.click("#live-status button[type=submit]")
    page.wait_for_selector(".badge.status-cancelled")
    task.refresh_from_db()
    assert task.status == "cancelled"


def _seed_templates() -> None:
    """An earlier transactional test's flush removes what data migrations wrote."""
    migration = importlib.import_module("generation.migrations.0003_prompt_templates")
    migration.seed_templates(apps, None)


def _user(make_user, name: str):
    user = make_user(name)
    user.set_password(PASSWORD)
    user.save()
    return user
