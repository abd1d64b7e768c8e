"""Each provider declares itself (``PROVIDER`` in its module): its registry entries and its
settings. The registry, the Django settings, the test settings and the configuration reference
are derived from those declarations, read before Django is set up."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings as django_settings

from aiceps.settings import reference
from catalogue.providers import registry
from catalogue.providers.declaring import ProviderSetting
from tests.fakes.worker import ROOT

READ_SETTINGS = """
import json, os, sys
import django
django.setup()
from django.conf import settings
from catalogue.providers.registry import declared_settings
print(json.dumps({s.name: getattr(settings, s.name) for s in declared_settings()}))
"""

SETTINGS_ALONE = """
import json, sys
import aiceps.settings.providers
heavy = ("numpy", "torch", "diffusers", "openai", "google.genai", "cv2", "onnxruntime")
print(json.dumps([name for name in heavy if name in sys.modules]))
"""


def _python(code: str, **env) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "AICEPS_ENV_FILE": "", **env},
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_every_registered_class_is_named_as_its_module_declares():
    for kind, table in registry.TABLES.items():
        for name in table:
            assert registry.provider_class(name, kind=kind).name == name, (kind, name)
    assert list(registry.IMAGE_PROVIDERS)[:3] == ["gemini", "openai", "stability"]
    assert list(registry.PROMPT_WRITERS) == ["gemini", "openai", "template"]


def test_every_declared_setting_is_a_django_setting_and_in_the_reference():
    declared = registry.declared_settings()
    names = [setting.name for setting in declared]
    assert len(names) == len(set(names)) and {"GEMINI_API_KEY", "STABILITY_API_KEY"} <= set(names)
    in_reference = {variable.name: variable for variable in reference.declared()}
    for setting in declared:
        assert hasattr(django_settings, setting.name), setting.name
        assert setting.doc and in_reference[setting.name].doc == setting.doc
        assert in_reference[setting.name].area == "Providers"
    assert in_reference["STABILITY_API_KEY"].default == "empty (a secret)"
    # The hand-written settings module no longer names any of them.
    source = (ROOT / "aiceps" / "settings" / "providers.py").read_text(encoding="utf-8")
    assigned = {
        target.id
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    assert assigned.isdisjoint(names)


def test_a_key_in_the_developers_shell_never_reaches_the_tests():
    shell = {
        "GEMINI_API_KEY": "leaked",
        "STABILITY_API_KEY": "leaked",
        "AICEPS_DIFFUSERS_MODEL": "/models/somewhere",
        "AICEPS_MIDJOURNEY_POLL_SECONDS": "2",
        "STABILITY_BASE_URL": "http://127.0.0.1:9/",
    }
    seen = json.loads(
        _python(READ_SETTINGS, DJANGO_SETTINGS_MODULE="aiceps.settings.test", **shell)
    )
    assert seen["GEMINI_API_KEY"] == seen["STABILITY_API_KEY"] == ""
    assert seen["AICEPS_DIFFUSERS_MODEL"] == "" and seen["AICEPS_MIDJOURNEY_POLL_SECONDS"] == 10.0
    assert seen["STABILITY_BASE_URL"] == "https://api.stability.ai"

    served = json.loads(
        _python(
            READ_SETTINGS, DJANGO_SETTINGS_MODULE="aiceps.settings.base", DJANGO_DEBUG="1", **shell
        )
    )  # the real settings read them, typed as declared, URLs without a trailing slash
    assert served["GEMINI_API_KEY"] == served["STABILITY_API_KEY"] == "leaked"
    assert served["AICEPS_MIDJOURNEY_POLL_SECONDS"] == 2.0
    assert served["STABILITY_BASE_URL"] == "http://127.0.0.1:9"


def test_the_settings_read_the_declarations_without_numpy_or_any_sdk():
    assert json.loads(_python(SETTINGS_ALONE)) == []


def test_a_secret_is_empty_in_tests_whatever_it_declares():
    key = ProviderSetting("X_KEY", "default-key", doc="a key", secret=True, in_tests="k")
    assert key.test_value() == ""
    assert ProviderSetting("X_URL", "http://a", doc="a URL").test_value() == "http://a"
    assert ProviderSetting("X_N", 3, doc="n", type="int", in_tests=1).test_value() == 1


def test_imaging_never_imports_the_providers():
    folder = Path(ROOT / "catalogue" / "imaging")
    for path in folder.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                module = ("." * node.level) + (node.module or "")
                assert "providers" not in module, (path.name, module)
            elif isinstance(node, ast.Import):
                assert not any("providers" in alias.name for alias in node.names), path.name
