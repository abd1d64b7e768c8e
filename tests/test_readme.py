"""The README stays true about configuration: every variable the settings read is in it."""

from __future__ import annotations

import re

from tests.fakes.worker import ROOT

READS = re.compile(r'(?:env_[a-z_]+|database_from_url)\(\s*"([A-Z][A-Z0-9_]+)"')


def test_every_setting_read_from_the_environment_is_documented():
    names = set()
    for module in (ROOT / "aiceps" / "settings").glob("*.py"):
        names |= set(READS.findall(module.read_text()))
    assert len(names) > 50
    readme = (ROOT / "README.md").read_text()
    assert sorted(name for name in names if f"`{name}`" not in readme) == []
