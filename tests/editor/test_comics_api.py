"""The picture book: a story split into scenes (by the prompt writer; offline by sentences)
and one panel per scene drawn by the image provider, at the editor's doubled ``/api/api``
path and the plain one."""

from __future__ import annotations

import pytest

from accounts.selectors import credits_balance
from catalogue.text_tasks.scenes import split_scenes
from generation.models import TaskHistory

from .conftest import COSTS

pytestmark = pytest.mark.django_db(transaction=True)
STORY = (
    "小兔子住在森林里。一天早上，它发现了一颗会发光的蘑菇！它把蘑菇带回家给妈妈看。"
    "妈妈说这是森林的礼物。晚上，蘑菇照亮了整个房间。小兔子开心地睡着了。"
    "第二天，它把蘑菇送回了森林。"
)


def test_sentences_become_at_most_six_scenes():
    assert split_scenes("One. Two! Three?") == ["One.", "Two!", "Three?"]
    scenes = split_scenes(STORY)
    assert len(scenes) == 6 and "".join(scenes) == STORY
    assert split_scenes("Version 2.5 is out") == ["Version 2.5 is out"]


@pytest.mark.parametrize("prefix", ["/api/api", "/api"])
def test_scenes_with_a_model_prompt_writer(editor, prefix):
    response = editor.post(
        f"{prefix}/text-to-comic/deepseek/extract-scenes", {"text": STORY}, fmt="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["title"] and body["style"] == "cartoon"
    assert len(body["scenes"]) == 6
    first = body["scenes"][0]
    assert first["text"].startswith("小兔子住在森林里。")
    assert first["description"].startswith("Professional prompt: A cartoon style")
    assert not TaskHistory.objects.filter(task_type="scenes").exists()  # answered, forgotten


def test_scenes_offline_are_the_sentences(editor, settings):
    settings.AICEPS_PROMPT_WRITER = "template"
    body = editor.post(
        "/api/api/text-to-comic/deepseek/extract-scenes",
        {"text": "Title line\nA fox ran. It hid."},
        fmt="json",
    ).json()
    assert body["title"] == "Title line"
    assert [s["text"] for s in body["scenes"]] == ["Title line", "A fox ran.", "It hid."]
    assert [s["description"] for s in body["scenes"]] == ["Title line", "A fox ran.", "It hid."]


def test_empty_story_is_400(editor):
    response = editor.post(
        "/api/api/text-to-comic/deepseek/extract-scenes", {"text": "   "}, fmt="json"
    )
    assert response.status_code == 400
    assert isinstance(response.json()["message"], str)


@pytest.mark.parametrize("prefix", ["/api/api", "/api"])
def test_a_panel_is_a_text_to_image_task(editor, alice, prefix):
    response = editor.post(
        f"{prefix}/text-to-comic/nanobanana/generate-comic",
        {
            "description": "A rabbit finds a glowing mushroom",
            "style": "watercolor",
            "scene": {"emotion": "wonder", "colorTone": "warm"},
        },
        fmt="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["imageUrl"].startswith("http://testserver/files/")
    task = TaskHistory.objects.get(pk=body["task_id"])
    assert task.task_type == "text_to_image"
    assert task.prompt.startswith("watercolor style comic panel: A rabbit finds")
    assert "mood: wonder" in task.prompt and "colour tone: warm" in task.prompt
    assert credits_balance(user=alice) == 10 - COSTS["text_to_image"]
