"""Error messages in the user's language: every code has its Chinese sentence, and the API,
the photo editor's routes and the pages answer in Chinese to ``Accept-Language: zh-CN``."""

import re
from pathlib import Path

from django.utils import translation

from core.localized import localized_message
from core.messages_zh import MESSAGES

ROOT = Path(__file__).resolve().parents[2]
APPS = ("accounts", "catalogue", "core", "editor", "generation", "operations", "webhooks", "aiceps")
# A code given where an error is made: code="…", a class's code = "…", ApiError("…", …),
# ImageError("…", …).
CODE = re.compile(r'\bcode\s*=\s*"([a-z_]+)"|\w*Error\(\s*"([a-z_]+)"')


def codes_in_source() -> set[str]:
    found = set()
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in CODE.finditer(path.read_text(encoding="utf-8")):
                found.add(match.group(1) or match.group(2))
    return found


def test_every_error_code_has_a_chinese_sentence():
    codes = codes_in_source()
    assert len(codes) > 50  # the scan finds the codes
    missing = sorted(code for code in codes if code not in MESSAGES and code != "error")
    assert missing == []


def test_the_fields_of_the_error_fill_the_sentence():
    with translation.override("zh-hans"):
        text = localized_message(
            "insufficient_credits",
            "Insufficient credits",
            extra={"required_credits": 3, "available_credits": 1},
        )
        plain = localized_message("insufficient_credits", "Insufficient credits")
    assert "需要 3 积分" in text and "有 1 积分" in text
    assert plain.startswith("积分不足")
    with translation.override("en"):
        assert localized_message("insufficient_credits", "Insufficient credits") == (
            "Insufficient credits"
        )
