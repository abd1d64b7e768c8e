"""OpenAIPromptWriter against the fake OpenAI server, through the real openai SDK (only the
base URL points elsewhere)."""

from __future__ import annotations

import json

import pytest

from catalogue.providers.base import PromptRequest, ProviderError, TaskType
from catalogue.providers.openai import OpenAIPromptWriter
from tests.fakes.fixtures import openai_server, openai_service  # noqa: F401
from tests.fakes.openai_server import chat_images, chat_text

from .test_openai import KEY, make, photo


@pytest.fixture(scope="module")
def writer(openai_service):  # noqa: F811
    return make(OpenAIPromptWriter, openai_service)


def test_writer_sends_images_as_data_urls_and_returns_the_plan(writer, openai_server):  # noqa: F811
    plan = {"prompt": "A warm golden-hour look.", "task_type": "filter", "aspect_ratio": None}
    openai_server.enqueue_chat(json.dumps(plan), tokens=99)
    source = photo(fmt="JPEG")

    result = writer.write(PromptRequest(instruction="plus chaud", images=(source,)))

    assert result.prompt == "A warm golden-hour look."
    assert (result.plan.task_type, result.plan.aspect_ratio) == (TaskType.FILTER, None)
    assert (result.tokens_used, result.model) == (99, "gpt-4o-mini")
    [request] = openai_server.requests
    assert request.path == "/v1/chat/completions"
    assert request.headers["authorization"] == f"Bearer {KEY}"
    assert request.json["model"] == "gpt-4o-mini"
    assert request.json["response_format"] == {"type": "json_object"}
    assert request.json["messages"][0]["role"] == "system"
    assert chat_images(request) == [("image/jpeg", source.data)]
    assert "plus chaud" in chat_text(request)


def test_writer_without_json_mode_takes_plain_text(openai_server):  # noqa: F811
    writer = make(OpenAIPromptWriter, openai_server, json_mode=False, model="qwen2.5-vl")
    openai_server.enqueue_chat("Make the colours warmer and softer.")
    result = writer.write(PromptRequest(instruction="plus chaud"))
    assert result.prompt == "Make the colours warmer and softer."
    assert "response_format" not in openai_server.requests[0].json
    assert openai_server.requests[0].json["model"] == "qwen2.5-vl"


def test_writer_refusal_is_content_blocked(writer, openai_server):  # noqa: F811
    openai_server.enqueue_chat(None, refusal="I can't help with that.")
    with pytest.raises(ProviderError) as info:
        writer.write(PromptRequest(instruction="x"))
    assert (info.value.permanent, info.value.code) == (True, "content_blocked")


def test_writer_without_choices_is_malformed(writer, openai_server):  # noqa: F811
    openai_server.enqueue("chat", 200, {"id": "x", "choices": []})
    with pytest.raises(ProviderError) as info:
        writer.write(PromptRequest(instruction="x"))
    assert info.value.code == "malformed_response"


def test_writer_rate_limit_is_transient(writer, openai_server):  # noqa: F811
    openai_server.enqueue_error("chat", 429, "Slow down", headers={"retry-after": "1"})
    with pytest.raises(ProviderError) as info:
        writer.write(PromptRequest(instruction="x"))
    assert (info.value.permanent, info.value.retry_after) == (False, 1.0)


def test_writer_default_fake_answer(writer, openai_server):  # noqa: F811
    result = writer.write(PromptRequest(instruction="make it warmer"))
    assert "make it warmer" in result.prompt
    assert result.tokens_used == 57
