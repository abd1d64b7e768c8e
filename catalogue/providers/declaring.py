"""What a provider declares about itself as plain data: its registry entries and its settings.

Every provider module (or folder's ``__init__``) in ``catalogue.providers`` ends with a
``PROVIDER = Provider(...)``: the short names it registers as a prompt writer and as an image
provider (dotted class paths, so nothing is built or imported to list them) and the settings
it reads (:class:`ProviderSetting`). The registry's tables, the Django settings
(``aiceps.settings.providers``), the test settings, the configuration reference and the
providers table in docs/providers.md are all derived from these declarations.

No Django imports here, and a provider module imports nothing heavy at import time (SDKs,
numpy, torch: inside functions): the settings read these declarations before Django is set
up. What a provider class declares about itself (``name``, ``title``, ``setup``,
``summary``, ``queue_group``, ``capabilities``) stays on the class (``base._Described``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

SettingType = Literal["str", "bool", "int", "float", "optional_int", "optional_float"]


class _Default:
    def __repr__(self) -> str:
        return "DEFAULT"


# ``in_tests`` for a setting that tests read as its declared default.
DEFAULT = _Default()


@dataclass(frozen=True)
class ProviderSetting:
    """One environment variable a provider reads, and the Django setting of the same name.

    ``type`` picks the reader (``optional_int``/``optional_float``: unset is None);
    ``shown`` how the default reads in the configuration reference when it is not a plain
    value; ``secret`` a key or password (never in tests, never logged); ``url`` strips a
    trailing slash. ``in_tests`` is what the test settings force, whatever the developer's
    shell holds: the default unless said otherwise (a secret is always empty), so a key in
    someone's environment never reaches the tests."""

    name: str
    default: str | bool | int | float | None = ""
    doc: str = ""
    type: SettingType = "str"
    shown: str = ""
    secret: bool = False
    url: bool = False
    in_tests: object = DEFAULT

    def test_value(self):
        if self.secret:
            return ""
        return self.default if self.in_tests is DEFAULT else self.in_tests


@dataclass(frozen=True)
class Provider:
    """A provider module's declaration: its registry entries and settings.

    ``prompt_writers`` and ``image_providers`` map short names (what ``AICEPS_PROMPT_WRITER``
    / ``AICEPS_IMAGE_PROVIDER``, API clients and task records use) to dotted class paths."""

    prompt_writers: dict[str, str] = field(default_factory=dict)
    image_providers: dict[str, str] = field(default_factory=dict)
    settings: tuple[ProviderSetting, ...] = ()
