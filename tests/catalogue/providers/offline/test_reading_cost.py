"""What reading an instruction costs: a bare "remove this" does not load the sentence encoder
(about 126 MB per process), while a removal whose words may say more is still read by it."""

from __future__ import annotations

import pytest

from catalogue.providers.offline import meaning
from catalogue.providers.offline.by_meaning import bare_removal
from catalogue.providers.offline.instructions import parse


@pytest.mark.parametrize(
    "text", ["remove this", "Please erase it.", "get rid of that thing", "去掉这个", "请把它删除吧"]
)
def test_a_bare_removal_is_read_without_the_encoder(text, monkeypatch):
    def refuse(_text):
        raise AssertionError("the encoder was asked")

    monkeypatch.setattr(meaning, "read", refuse)
    assert bare_removal(text)
    assert [op.name for op in parse(text).operations] == ["remove_object"]


@pytest.mark.parametrize(
    "text",
    # the encoder reads these otherwise (the background, noise, the skin), or may
    [
        "take out this one",
        "把那删掉吧",
        "clean up",
        "retouch out this",
        "去路人",
        "remove the grain",
    ],
)
def test_a_removal_that_may_say_more_is_still_read_by_meaning(text):
    assert not bare_removal(text)
