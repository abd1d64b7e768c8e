"""What the worker makes of a task's stored uploads: clean copies, prepared images, the point
scaled to the image the model sees."""

from __future__ import annotations

import io

import pytest
from PIL import ExifTags, Image

from catalogue.imaging import inspect_upload
from generation.files import TaskFiles
from generation.services import TaskInput, task_create, task_run
from generation.storage import read_bytes
from tests.catalogue.imaging.images import encode, exif_with, gradient
from tests.fakes.providers import RecordingImageProvider

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def recording(settings):
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.RecordingImageProvider"


def run(user, *images: bytes, **fields):
    data = TaskInput(prompt="blur this", images=tuple(inspect_upload(i) for i in images), **fields)
    task = task_create(user=user, data=data, enqueue=False).task
    return task_run(task_id=task.pk)


def test_an_upload_with_gps_is_replaced_by_its_clean_copy(user):
    dirty = encode(gradient(64, 48), "JPEG", exif=exif_with(gps=True))
    assert Image.open(io.BytesIO(dirty)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    task = run(user, dirty)
    assert task.status == "completed"
    stored = read_bytes(TaskFiles(task).original)
    assert not Image.open(io.BytesIO(stored)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert "uncleaned" not in task.extra_files


def test_a_gif_is_stored_as_png_after_the_first_run(user):
    task = run(user, encode(gradient(30, 20), "GIF"))
    assert task.status == "completed"
    assert TaskFiles(task).original.endswith("/original.png")
    assert read_bytes(TaskFiles(task).original).startswith(b"\x89PNG")


def test_the_point_is_scaled_to_the_image_the_model_sees(user, settings):
    settings.AICEPS_MODEL_MAX_SIDE = 1000
    photo = encode(gradient(4000, 3000), "JPEG", quality=80)
    task = run(user, photo, task_type="hotspot", parameters={"x": 3000, "y": 1500})
    assert task.status == "completed"
    assert task.parameters == {"x": 3000, "y": 1500}  # recorded as the user chose it
    sent = RecordingImageProvider.last
    assert (sent.images[0].width, sent.images[0].height) == (1000, 750)
    assert sent.hotspot == (750, 375)


def test_a_point_given_as_fractions_is_kept_in_pixels(user):
    photo = encode(gradient(400, 300), "PNG")
    task = run(user, photo, task_type="hotspot", parameters={"x": 0.5, "y": 0.25})
    assert task.parameters == {"x": 200, "y": 75}
