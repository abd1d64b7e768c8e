import json
from pathlib import Path

import pytest
from django.core.management import call_command
from PIL import Image

from accounts.selectors import credits_balance
from generation.models import TaskHistory
from tests.conftest import make_photo
from tests.fakes.fixtures import gemini_server, gemini_service  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)
SEED_KEYS = {
    "success",
    "message",
    "task_id",
    "original_image_url",
    "generated_image_url",
    "professional_prompt",
    "processing_time",
    "user_prompt",
}


def generate(capsys, *args):
    try:
        call_command("generate", *args)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    captured = capsys.readouterr()
    return code, json.loads(captured.out), captured.err


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "photo.jpg"
    path.write_bytes(make_photo())
    return path


def test_generate_writes_the_result_and_prints_the_seed_json(capsys, photo, tmp_path, settings):
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    code, body, err = generate(
        capsys, "--image", str(photo), "--prompt", "黑白", "--output-dir", str(tmp_path / "out")
    )
    assert code == 0
    assert set(body) >= SEED_KEYS and body["success"] is True
    output = Path(body["output_path"])
    assert output.parent == tmp_path / "out" and output.exists()
    assert body["generated_image_url"] == output.as_uri()
    assert Image.open(output).size == (320, 240)
    assert "stage 1/2" in err and "stage 2/2" in err
    assert TaskHistory.objects.get(pk=body["task_id"]).source == "cli"


def test_generate_charges_the_given_user(capsys, photo, tmp_path, settings, user):
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    code, body, _ = generate(
        capsys,
        "--image",
        str(photo),
        "--prompt",
        "黑白",
        "--user-id",
        str(user.pk),
        "--output-dir",
        str(tmp_path),
    )
    assert code == 0 and body["credits_remaining"] == 9 == credits_balance(user=user)


def test_generate_fails_with_exit_1_and_json(capsys, photo, settings):
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.FailingImageProvider"
    code, body, _ = generate(capsys, "--image", str(photo), "--prompt", "x")
    assert code == 1
    assert body["success"] is False and body["error"] == "The model refused."


def test_missing_file_is_a_clear_failure(capsys, tmp_path):
    code, body, _ = generate(capsys, "--image", str(tmp_path / "nope.jpg"), "--prompt", "x")
    assert code == 1 and "Cannot read" in body["message"]


def test_both_stages_go_through_a_gemini_server(
    capsys,
    photo,
    tmp_path,
    settings,
    monkeypatch,
    gemini_server,  # noqa: F811
):
    settings.GEMINI_API_KEY = "test-key"
    settings.GEMINI_BASE_URL = gemini_server.base_url
    settings.AICEPS_PROMPT_WRITER = "auto"
    settings.AICEPS_IMAGE_PROVIDER = "auto"
    monkeypatch.setattr(gemini_server, "color", (12, 200, 99))  # what its image model paints
    code, body, _ = generate(
        capsys, "--image", str(photo), "--prompt", "把背景换成纯白色", "--output-dir", str(tmp_path)
    )
    assert code == 0, body
    task = TaskHistory.objects.get(pk=body["task_id"])
    assert (task.prompt_writer, task.image_provider) == ("gemini", "gemini")
    paths = [request.path for request in gemini_server.requests]
    assert any("gemini-2.5-flash:generateContent" in path for path in paths)
    assert any("gemini-2.5-flash-image:generateContent" in path for path in paths)
    saved = Image.open(body["output_path"]).convert("RGB")
    assert saved.getcolors() == [(saved.width * saved.height, (12, 200, 99))]


@pytest.fixture
def portrait(tmp_path):
    from tests.catalogue.providers.offline.photos import portrait_image

    path = tmp_path / "portrait.jpg"
    portrait_image(320).convert("RGB").save(path, quality=92)
    return path


def test_offline_white_background_keeps_the_subject(capsys, portrait, tmp_path):
    code, body, _ = generate(
        capsys,
        "--image",
        str(portrait),
        "--prompt",
        "把背景换成纯白色",
        "--output-dir",
        str(tmp_path),
    )
    assert code == 0, body
    result = Image.open(body["output_path"]).convert("RGB")
    original = Image.open(portrait).convert("RGB")
    assert result.size == original.size
    for corner in ((3, 3), (result.width - 4, 3)):
        assert min(result.getpixel(corner)) >= 245  # the background is white
    centre = (result.width // 2, int(result.height * 0.85))  # the red shirt
    assert (
        sum(
            abs(a - b)
            for a, b in zip(result.getpixel(centre), original.getpixel(centre), strict=True)
        )
        < 40
    )


def test_offline_van_gogh_style_changes_the_image(capsys, portrait, tmp_path):
    code, body, _ = generate(
        capsys,
        "--image",
        str(portrait),
        "--prompt",
        "转成梵高风格的油画",
        "--output-dir",
        str(tmp_path),
    )
    assert code == 0, body
    import numpy as np

    result = np.asarray(Image.open(body["output_path"]).convert("RGB"), dtype=float)
    original = np.asarray(Image.open(portrait).convert("RGB"), dtype=float)
    assert result.shape == original.shape

    def texture(rgb):  # brush strokes: fine detail where the photo's backdrop is smooth
        grey = rgb.mean(axis=2)[: rgb.shape[0] // 4]
        return np.abs(np.diff(grey, axis=1)).mean() + np.abs(np.diff(grey, axis=0)).mean()

    assert texture(result) > 2 * texture(original) + 1  # painted, not the photo unchanged
    # The photo's own colours stay (no palette was asked for): the red shirt is still red.
    shirt = (slice(-60, -20), slice(120, 200))
    red, green, blue = result[shirt].reshape(-1, 3).mean(axis=0)
    assert red > 1.5 * green and red > 1.5 * blue


def test_offline_refuses_what_needs_a_generative_model(capsys, portrait):
    code, body, _ = generate(
        capsys, "--image", str(portrait), "--prompt", "让这个人穿上医生的白大褂，背景是医院"
    )
    assert code == 1
    assert body["success"] is False
    for provider in ("Gemini", "OpenAI", "a local diffusers model"):
        assert provider in body["error"]


def test_text_to_image_needs_no_photo(capsys, tmp_path, settings):
    settings.AICEPS_PROMPT_WRITER = "tests.fakes.providers.EchoPromptWriter"
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    code, body, _ = generate(
        capsys,
        "--task-type",
        "text_to_image",
        "--prompt",
        "a lighthouse at dusk",
        "--output-dir",
        str(tmp_path),
    )
    assert code == 0, body
    assert Image.open(body["output_path"]).size == (64, 64)  # what the fake model paints
    task = TaskHistory.objects.get(pk=body["task_id"])
    assert task.task_type == "text_to_image" and not task.original_image


def test_an_edit_without_a_photo_is_a_clear_failure(capsys, tmp_path):
    code, body, _ = generate(capsys, "--prompt", "黑白", "--output-dir", str(tmp_path))
    assert code == 1
    assert body["error_code"] == "missing_image"
    assert not TaskHistory.objects.exists()


def test_out_of_credits_says_how_to_get_more(capsys, photo, tmp_path, user):
    from accounts.services import credits_charge

    credits_charge(user=user, amount=credits_balance(user=user), note="spent")
    code, body, _ = generate(
        capsys, "--image", str(photo), "--prompt", "黑白", "--user-id", str(user.pk)
    )
    assert code == 1 and body["error_code"] == "insufficient_credits"
    assert "grant_credits" in body["message"]
