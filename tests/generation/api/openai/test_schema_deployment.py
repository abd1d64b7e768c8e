"""The Images API's schema says what this deployment's models take: ``quality`` and the
model-dependent options follow the configured providers, and the JSON endpoint states the
rules between fields that the server applies."""

from __future__ import annotations

import jsonschema
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def request_schemas(client: Client) -> dict[str, dict]:
    schema = client.get("/api/schema/?format=json").json()
    found = {}
    for path in ("/v1/images/edits", "/v1/images/generations"):
        body = schema["paths"][path]["post"]["requestBody"]
        assert body["required"] is True  # no body, no prompt
        [media] = body["content"].values()
        found[path] = media["schema"]
    return found


def test_a_model_that_makes_one_quality_is_described_so(settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    settings.OPENAI_API_KEY = ""
    for path, body in request_schemas(Client()).items():
        properties = body["properties"]
        assert properties["quality"]["enum"] == ["", "auto"], path
        assert properties["moderation"]["enum"] == ["", "auto"]
        assert "style" not in properties and "complexity" not in properties


def test_an_openai_model_adds_its_qualities_and_options(settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    settings.OPENAI_API_KEY = "sk-test"
    edits = request_schemas(Client())["/v1/images/edits"]["properties"]
    assert edits["quality"]["enum"] == ["", "auto", "low", "medium", "high", "xhigh", "max"]
    assert edits["moderation"]["enum"] == ["", "auto", "low"]
    assert "complexity" in edits


def test_the_json_schema_refuses_what_the_server_refuses(settings):
    settings.AICEPS_IMAGE_PROVIDER = "tests.fakes.providers.InvertImageProvider"
    body = request_schemas(Client())["/v1/images/generations"]
    valid = jsonschema.Draft4Validator(body).is_valid
    assert valid({"prompt": "a fox", "output_format": "webp", "output_compression": 50})
    assert not valid({"prompt": "a fox", "output_compression": 50})  # png is lossless
    assert not valid({"prompt": "a fox", "background": "transparent", "output_format": "jpeg"})
    assert not valid({"prompt": "a fox", "partial_images": 2})  # only in a stream
    assert valid({"prompt": "a fox", "partial_images": 2, "stream": True})
    assert not valid({"prompt": "a fox", "stream": True, "response_format": "url"})
