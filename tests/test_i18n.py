"""The Chinese catalogue is complete: no entry untranslated, none fuzzy, placeholders kept."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

PO = (
    Path(__file__).resolve().parent.parent
    / "shuzhi"
    / "locale"
    / "zh_Hans"
    / "LC_MESSAGES"
    / "django.po"
)

pytestmark = pytest.mark.skipif(shutil.which("msgattrib") is None, reason="needs gettext")


def _msgattrib(flag: str) -> str:
    return subprocess.run(
        ["msgattrib", flag, str(PO)], capture_output=True, text=True, check=True
    ).stdout


def test_no_entry_is_untranslated() -> None:
    assert _msgattrib("--untranslated") == ""


def test_no_entry_is_fuzzy() -> None:
    assert _msgattrib("--only-fuzzy") == ""


def test_catalogue_compiles_cleanly() -> None:
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(PO)], check=True)


def _entries() -> list[tuple[str, str]]:
    """(msgid, msgstr) of every entry, joining multi-line strings."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        strings: dict[str, list[str]] = {}
        key = ""
        for line in block.splitlines():
            if line.startswith(("msgid ", "msgid_plural ", "msgstr")):
                key, _, rest = line.partition(" ")
                strings[key] = [rest]
            elif line.startswith('"') and key:
                strings[key].append(line)
        if "msgid" in strings:
            msgid = "".join(json.loads(part) for part in strings["msgid"])
            msgstr_key = "msgstr" if "msgstr" in strings else "msgstr[0]"
            entries.append((msgid, "".join(json.loads(p) for p in strings[msgstr_key])))
    return entries


def test_placeholders_survive_translation() -> None:
    entries = [(i, s) for i, s in _entries() if i]
    assert len(entries) > 250
    with_placeholders = [(i, s) for i, s in entries if re.search(r"%\(\w+\)[sd]", i)]
    assert len(with_placeholders) >= 5
    for msgid, msgstr in with_placeholders:
        wanted = sorted(re.findall(r"%\(\w+\)[sd]", msgid))
        assert sorted(re.findall(r"%\(\w+\)[sd]", msgstr)) == wanted, msgid
