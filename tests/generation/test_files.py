"""A task's file keys, names and URLs come from one object."""

from __future__ import annotations

import uuid

import pytest

from generation.files import TaskFiles, owner_of_key
from generation.models import TaskHistory


def test_every_key_of_a_task_is_listed_once():
    task = TaskHistory(
        original_image="k/original.jpg",
        generated_image="k/generated-1.png",
        extra_files={
            "sources": ["k/source-2.jpg"],
            "mask": "k/mask.png",
            "generated": ["k/generated-1.png", "k/generated-2.png"],
        },
        progress={"phase": "denoising", "preview": "k/preview.png"},
    )

    assert TaskFiles(task).all() == [
        "k/original.jpg",
        "k/source-2.jpg",
        "k/generated-1.png",
        "k/generated-2.png",
        "k/mask.png",
        "k/preview.png",
    ]
    assert TaskFiles(TaskHistory()).all() == []


def test_keys_follow_one_format():
    task = TaskHistory(id=uuid.UUID(int=7), user_id=42)
    keys = TaskFiles(task)
    folder = f"task-history/42/{task.pk}"
    assert keys.input_key(1, "jpg") == f"{folder}/original.jpg"
    assert keys.input_key(3, "png") == f"{folder}/source-3.png"
    assert keys.mask_key("png") == f"{folder}/mask.png"
    assert keys.output_key(2, "webp") == f"{folder}/generated-2.webp"
    assert keys.preview_key("jpg") == f"{folder}/preview.jpg"
    assert owner_of_key(keys.output_key(1, "png")) == "42"


@pytest.mark.parametrize(
    "key",
    [
        "task-history/1/../x.png",
        "task-history/x/t/a.png",
        "other/1/t/a.png",
        "task-history/1/t/a.png/b",
        "task-history/1//a.png",
        "task-history\\1\\t\\a.png",
        "task-history/1/t/\x00.png",
    ],
)
def test_anything_else_has_no_owner(key):
    assert owner_of_key(key) is None
