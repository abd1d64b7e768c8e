"""The provider registry: what each provider declares is read without building it or
importing its SDK, and every "which provider" answer comes from those declarations."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from catalogue.providers import registry
from core.errors import ValidationError
from tests.fakes.worker import ROOT

READ_WITHOUT_SDKS = """
import json, sys
import django
django.setup()
from catalogue.providers import registry
caps = {name: registry.capabilities_of(name).text_to_image for name in registry.IMAGE_PROVIDERS}
heavy = [m for m in ("google.genai", "openai", "torch", "diffusers") if m in sys.modules]
print(json.dumps({"caps": caps, "heavy": heavy}))
"""


def test_capabilities_are_read_without_any_sdk():
    done = subprocess.run(
        [sys.executable, "-c", READ_WITHOUT_SDKS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"DJANGO_SETTINGS_MODULE": "aiceps.settings.test", "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert found["heavy"] == []
    assert found["caps"] == {  # every registered provider, as its class declares
        name: registry.provider_class(name).capabilities.text_to_image
        for name in registry.IMAGE_PROVIDERS
    }
    assert found["caps"]["gemini"] and not found["caps"]["offline"]


def test_auto_takes_the_first_configured_provider(settings):
    settings.AICEPS_IMAGE_PROVIDER = "auto"
    settings.AICEPS_PROMPT_WRITER = "auto"
    settings.GEMINI_API_KEY = settings.OPENAI_API_KEY = ""
    assert registry.resolve_name(None, kind="image_provider") == "offline"
    assert registry.resolve_name(None, kind="prompt_writer") == "template"
    settings.OPENAI_API_KEY = "sk-test"
    assert registry.resolve_name(None, kind="image_provider") == "openai"
    settings.GEMINI_API_KEY = "g-test"
    assert registry.resolve_name(None, kind="prompt_writer") == "gemini"


def test_clients_name_only_registered_providers():
    with pytest.raises(ValidationError) as caught:
        registry.resolve_name("os.system", kind="image_provider", allow_dotted=False)
    assert (caught.value.code, caught.value.param) == ("unknown_provider", "image_provider")
    assert registry.resolve_name("tests.fakes.providers.InvertImageProvider", kind="image_provider")


def test_who_can_do_a_task_comes_from_the_declarations(settings):
    settings.AICEPS_OPENAI_IMAGE_MODEL = "dall-e-3"
    assert not registry.capabilities_of("openai").edit  # the model narrows the class data
    users, operators = registry.alternatives("text_to_image", exclude=("offline",))
    assert users.startswith("Gemini, OpenAI, ") and users.endswith(" or Midjourney")
    assert "a local diffusers model" in users and "the offline editor" not in users
    assert "GEMINI_API_KEY" in operators and "AICEPS_DIFFUSERS_MODEL" in operators
    assert "AICEPS_MIDJOURNEY_PROXY_URL" in operators
    fusing = [cls.name for cls in registry.providers_able("fusion")]
    assert fusing == [name for name in registry.IMAGE_PROVIDERS if name in fusing]  # in order
    assert {"gemini", "openai", "offline", "midjourney"} <= set(fusing)
    assert "diffusers" not in fusing  # one photo at a time
    assert registry.queue_group("diffusers") == "local"
    assert registry.display_name("tests.fakes.providers.InvertImageProvider") == "invert"


def test_the_prompt_writers_are_told_what_every_task_type_means():
    from catalogue.providers._support import WRITER_SYSTEM_INSTRUCTION
    from catalogue.task_types import TaskType

    described = WRITER_SYSTEM_INSTRUCTION.split("task_type is your reading of the request:")[1]
    assert [t.value for t in TaskType if f'"{t.value}"' not in described] == []
