from __future__ import annotations

from pathlib import Path

import pytest

from shuzhi import settings as shuzhi_settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_every_option_is_documented_with_its_default() -> None:
    text = DOC.read_text(encoding="utf-8")
    for option in shuzhi_settings.OPTIONS:
        assert f"`{option.name}`" in text, option.name


def test_documentation_names_no_option_that_does_not_exist() -> None:
    import re

    names = {o.name for o in shuzhi_settings.OPTIONS}
    documented = set(re.findall(r"^\| `([A-Z0-9_]+)`", DOC.read_text(encoding="utf-8"), re.M))
    assert documented == names


def test_bad_boolean_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHUZHI_TEST_FLAG", "maybe")
    with pytest.raises(ValueError, match="SHUZHI_TEST_FLAG"):
        shuzhi_settings.option("SHUZHI_TEST_FLAG", "bool", False, "test")
    shuzhi_settings.OPTIONS.pop()


def test_typed_values_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHUZHI_TEST_LIST", "a, b,,c")
    assert shuzhi_settings.option("SHUZHI_TEST_LIST", "list", [], "test") == ["a", "b", "c"]
    shuzhi_settings.OPTIONS.pop()


def test_sqlite_runs_in_wal_mode(db: None) -> None:
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        mode = cursor.fetchone()[0]
    # the in-memory test database cannot use WAL; a file database does (see below)
    assert mode in {"wal", "memory"}


def test_sqlite_file_database_uses_wal(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {
        "SHUZHI_DATA_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "shuzhi.settings",
    }
    code = (
        "import django; django.setup(); from django.db import connection;"
        "c = connection.cursor(); c.execute('PRAGMA journal_mode'); print(c.fetchone()[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "wal"
