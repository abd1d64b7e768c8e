"""Every string the pages translate has its Chinese translation, compiled: no empty or fuzzy
entry in django.po, and django.mo (what Django reads) answers each of them."""

from __future__ import annotations

import gettext
import re

from tests.fakes.worker import ROOT

FOLDER = ROOT / "locale" / "zh_Hans" / "LC_MESSAGES"
ENTRY = re.compile(
    r'(?P<flags>(?:^#,.*\n)?)(?:^#.*\n)*^msgid (?P<id>(?:".*"\n)+)'
    r'(?:^msgid_plural (?:".*"\n)+)?(?P<strs>(?:^msgstr(?:\[\d\])? (?:".*"\n)+)+)',
    re.M,
)


def _text(quoted: str) -> str:
    parts = re.findall(r'^"(.*)"$', quoted, re.M)
    return "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode()


def source() -> str:
    return (FOLDER / "django.po").read_text()


def _entries() -> list[tuple[str, str, list[str]]]:
    found = []
    for match in ENTRY.finditer(source()):
        strs = re.split(r"^msgstr(?:\[\d\])? ", match["strs"], flags=re.M)[1:]
        found.append((match["flags"], _text(match["id"]), [_text(s) for s in strs]))
    return [entry for entry in found if entry[1]]  # not the header


def test_every_entry_is_translated():
    entries = _entries()
    assert len(entries) == len(re.findall(r"^msgid ", source(), re.M)) - 1  # all but the header
    fuzzy = [msgid for flags, msgid, _ in entries if "fuzzy" in flags]
    empty = [msgid for _, msgid, strs in entries if not all(strs)]
    assert fuzzy == [] and empty == []


def test_the_compiled_catalogue_matches_the_source():
    with (FOLDER / "django.mo").open("rb") as handle:
        catalogue = gettext.GNUTranslations(handle)
    stale = [
        msgid
        for _, msgid, strs in _entries()
        if len(strs) == 1 and catalogue.gettext(msgid) != strs[0]
    ]
    assert stale == []  # run: python manage.py compilemessages
