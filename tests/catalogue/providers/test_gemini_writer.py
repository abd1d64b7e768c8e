"""GeminiPromptWriter against the fake Gemini server, through the real google-genai SDK (only
the base URL points elsewhere)."""

from __future__ import annotations

import json

import pytest

from catalogue.providers.base import PromptRequest, ProviderError, TaskType
from catalogue.providers.gemini import GeminiPromptWriter
from tests.fakes.fixtures import gemini_server, gemini_service  # noqa: F401
from tests.fakes.gemini_server import request_images, request_texts

from .test_gemini import KEY, photo


@pytest.fixture(scope="module")
def writer(gemini_service):  # noqa: F811
    return GeminiPromptWriter(
        api_key=KEY, base_url=gemini_service.base_url, timeout=5, vertexai=False
    )


def test_writer_returns_prompt_plan_and_tokens(writer, gemini_server):  # noqa: F811
    plan = {"prompt": "A cinematic portrait.", "task_type": "style", "aspect_ratio": "16:9"}
    gemini_server.enqueue_text(json.dumps(plan), tokens=77)
    source = photo()

    result = writer.write(
        PromptRequest(instruction="rends-la cinématique", images=(source,), hotspot=(3, 4))
    )

    assert result.prompt == "A cinematic portrait."
    assert (result.plan.task_type, result.plan.aspect_ratio) == (TaskType.STYLE, "16:9")
    assert (result.tokens_used, result.model) == (77, "gemini-2.5-flash")
    [request] = gemini_server.requests
    assert request.path == "/v1/models/gemini-2.5-flash:generateContent"
    assert request_images(request) == [("image/png", source.data)]
    [text] = request_texts(request)
    assert "rends-la cinématique" in text and "x=3, y=4" in text
    config = request.json["generationConfig"]
    assert config["responseMimeType"] == "application/json"
    assert "task_type" in config["responseSchema"]["properties"]
    assert "English" in request.json["systemInstruction"]["parts"][0]["text"]


def test_writer_tolerates_fences_and_unknown_plan_values(writer, gemini_server):  # noqa: F811
    answer = '```json\n{"prompt": "Brighter.", "task_type": "zoom", "aspect_ratio": "5:4"}\n```'
    gemini_server.enqueue_text(answer)
    result = writer.write(PromptRequest(instruction="plus clair"))
    assert result.prompt == "Brighter."
    assert (result.plan.task_type, result.plan.aspect_ratio) == (None, None)


def test_writer_takes_plain_text_as_the_prompt(writer, gemini_server):  # noqa: F811
    gemini_server.enqueue_text("Increase the exposure slightly.")
    assert writer.write(PromptRequest(instruction="x")).prompt == "Increase the exposure slightly."


def test_writer_empty_answer_is_malformed(writer, gemini_server):  # noqa: F811
    gemini_server.enqueue("generateContent", 200, {"candidates": []})
    with pytest.raises(ProviderError) as info:
        writer.write(PromptRequest(instruction="x"))
    assert info.value.code == "malformed_response"


def test_writer_default_fake_answer(writer):
    result = writer.write(PromptRequest(instruction="make it warmer"))
    assert "make it warmer" in result.prompt
    assert result.plan.task_type == TaskType.EDIT
