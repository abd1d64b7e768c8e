"""The new-generation page: photos, instruction, task types, prices, errors that lose nothing."""

from __future__ import annotations

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.selectors import credits_balance
from catalogue.providers.base import Capabilities, ImageProvider
from generation.models import PromptTemplate, TaskHistory

from .pages_support import KEPT, photo, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


# --- New generation ---------------------------------------------------------------------


def test_new_page_shows_price_balance_and_templates(signed_in):
    response = signed_in.get(reverse("web:new"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["balance"] == 10
    assert response.context["prices"]["filter"] == 1
    assert 'id="balance" data-balance="10"' in html
    assert PromptTemplate.objects.filter(slug="black-and-white", is_active=True).exists()
    assert "Black and white" in html and 'data-template="black-and-white"' in html
    assert 'type="file"' in html and 'for="id_images"' in html
    assert reverse("web:home") == "/"
    assert signed_in.get("/").status_code == 200


def test_a_template_link_prefills_the_form(signed_in, settings):
    settings.AICEPS_IMAGE_PROVIDER = f"{__name__}.TextToImageProvider"
    response = signed_in.get(reverse("web:new"), {"template": "mountain-sunrise"})
    form = response.context["form"]
    assert form["task_type"].value() == "text_to_image"
    assert form["aspect_ratio"].value() == "16:9"
    assert "snowy mountain" in form["prompt"].value()


def test_submitting_creates_a_task_and_charges_credits(signed_in, user):
    response = submit(signed_in, images=[photo()])
    task = TaskHistory.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("web:task", args=[task.pk])
    assert (task.user, task.source, task.task_type, task.prompt) == (user, "web", "filter", "黑白")
    assert task.status == "pending" and task.original_image.name
    assert task.credits_deducted == 1
    assert credits_balance(user=user) == 9


def test_insufficient_credits_charges_nothing_and_keeps_the_form(signed_in, user, settings):
    settings.AICEPS_TASK_COSTS = {"default": 50}
    response = submit(signed_in, images=[photo()])
    html = response.content.decode()
    assert response.status_code == 402
    assert "Not enough credits" in html and "costs 50" in html
    assert not TaskHistory.objects.exists()
    assert credits_balance(user=user) == 10
    assert "黑白</textarea>" in html
    assert 'value="filter" checked' in html or 'value="filter"checked' in html
    kept = KEPT.findall(html)
    assert len(kept) == 1 and kept[0].startswith("s:")
    image = signed_in.get(reverse("web:staged-image", args=[kept[0][2:]]))
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg"

    # Once the price is affordable, the kept photo goes through without a new upload.
    settings.AICEPS_TASK_COSTS = {"default": 1}
    response = submit(signed_in, kept=kept)
    assert response.status_code == 302
    task = TaskHistory.objects.get()
    assert task.original_image.name and credits_balance(user=user) == 9
    assert signed_in.get(reverse("web:staged-image", args=[kept[0][2:]])).status_code == 404


def test_a_bad_image_shows_the_error_and_charges_nothing(signed_in, user):
    bad = SimpleUploadedFile("notes.txt", b"this is not an image", content_type="text/plain")
    response = submit(signed_in, images=[bad])
    html = response.content.decode()
    assert response.status_code == 400
    assert "notes.txt: The file is not an image" in html
    assert "黑白</textarea>" in html
    assert not TaskHistory.objects.exists() and credits_balance(user=user) == 10


def test_a_good_photo_is_kept_when_another_is_bad(signed_in):
    bad = SimpleUploadedFile("broken.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 20)
    response = submit(signed_in, task_type="fusion", images=[photo(), bad])
    assert response.status_code == 400
    assert "broken.png" in response.content.decode()
    assert len(KEPT.findall(response.content.decode())) == 1


def test_missing_instruction_and_photo_are_explained(signed_in):
    response = submit(signed_in, task_type="edit", prompt="   ")
    html = response.content.decode()
    assert response.status_code == 400
    assert "Please write an instruction" in html
    response = submit(signed_in)
    assert "Please add a photo to edit." in response.content.decode()
    assert not TaskHistory.objects.exists()


def test_hotspot_needs_a_point_inside_the_photo(signed_in):
    response = submit(signed_in, task_type="hotspot", prompt="remove this", images=[photo()])
    assert "Click the photo to choose the point" in response.content.decode()
    response = submit(
        signed_in, task_type="hotspot", prompt="remove this", images=[photo()], x=999, y=10
    )
    assert "is outside the photo (320×240 pixels)" in response.content.decode()
    response = submit(
        signed_in, task_type="hotspot", prompt="remove this", images=[photo()], x=160, y=120
    )
    assert response.status_code == 302
    assert TaskHistory.objects.get().parameters == {"x": 160, "y": 120}


def test_photo_counts_per_task_type(signed_in):
    response = submit(signed_in, task_type="fusion", prompt="blend", images=[photo()])
    assert "Fusion needs at least two photos" in response.content.decode()
    response = submit(signed_in, images=[photo(), photo("b.jpg")])
    assert "This task takes one photo" in response.content.decode()
    response = submit(
        signed_in,
        task_type="fusion",
        prompt="blend",
        images=[photo(), photo("b.jpg", width=200, height=200)],
    )
    assert response.status_code == 302
    task = TaskHistory.objects.get()
    assert len(task.extra_files["sources"]) == 1


class TextToImageProvider(ImageProvider):
    """Stands for a provider that can draw from words (the offline editor cannot)."""

    name = "words"
    capabilities = Capabilities(edit=True, text_to_image=True, max_input_images=4)


def test_text_to_image_is_offered_only_when_the_provider_can(signed_in, settings):
    settings.AICEPS_IMAGE_PROVIDER = "offline"
    html = signed_in.get(reverse("web:new")).content.decode()
    assert 'value="text_to_image" disabled' in html
    assert 'data-template="mountain-sunrise"' not in html
    response = submit(signed_in, task_type="text_to_image", prompt="a red fox")
    assert "is not available on this server" in response.content.decode()
    assert not TaskHistory.objects.exists()


def test_text_to_image_needs_no_photo(signed_in, settings):
    settings.AICEPS_IMAGE_PROVIDER = f"{__name__}.TextToImageProvider"
    html = signed_in.get(reverse("web:new")).content.decode()
    assert 'value="text_to_image" disabled' not in html
    response = submit(signed_in, task_type="text_to_image", prompt="a red fox", aspect_ratio="16:9")
    assert response.status_code == 302
    task = TaskHistory.objects.get()
    assert (task.aspect_ratio, task.original_image.name) == ("16:9", "")


def test_remove_background_has_a_default_instruction(signed_in):
    response = submit(signed_in, task_type="remove_background", prompt="", images=[photo()])
    assert response.status_code == 302
    assert TaskHistory.objects.get().prompt == "Remove the background"


def test_staged_photos_belong_to_their_user(signed_in, user, other_user, settings):
    settings.AICEPS_TASK_COSTS = {"default": 50}
    kept = KEPT.findall(submit(signed_in, images=[photo()]).content.decode())
    other = Client()
    other.force_login(other_user)
    assert other.get(reverse("web:staged-image", args=[kept[0][2:]])).status_code == 404
    settings.AICEPS_TASK_COSTS = {"default": 1}
    response = submit(other, kept=kept)
    assert "no longer available" in response.content.decode()
    assert not TaskHistory.objects.exists()


def test_staged_photos_of_abandoned_forms_are_pruned(signed_in, user, settings):
    settings.AICEPS_TASK_COSTS = {"default": 50}
    old = KEPT.findall(submit(signed_in, images=[photo()]).content.decode())[0]
    path = settings.MEDIA_ROOT / "web-staging" / str(user.pk) / old[2:]
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(path, (two_days_ago, two_days_ago))
    fresh = KEPT.findall(submit(signed_in, images=[photo()]).content.decode())
    assert not path.exists()
    assert signed_in.get(reverse("web:staged-image", args=[fresh[0][2:]])).status_code == 200
