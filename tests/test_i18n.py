"""The Chinese catalogue is complete: no entry untranslated, none fuzzy, placeholders kept."""

from __future__ import annotations

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


def test_placeholders_survive_translation() -> None:
    text = PO.read_text(encoding="utf-8")
    pairs = re.findall(r'msgid "(.*?)"\nmsgstr "(.*?)"\n', text)
    assert pairs
    for msgid, msgstr in pairs:
        wanted = sorted(re.findall(r"%\(\w+\)[sd]", msgid))
        assert sorted(re.findall(r"%\(\w+\)[sd]", msgstr)) == wanted, msgid
