from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from shuzhi import settings as shuzhi_settings

DOC = Path(__file__).resolve().parent.parent / "docs" / "configuration.md"


def test_every_option_is_documented_with_its_default() -> None:
    text = DOC.read_text(encoding="utf-8")
    for option in shuzhi_settings.OPTIONS:
        assert f"`{option.name}`" in text, option.name


def test_documentation_names_no_option_that_does_not_exist() -> None:
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


def test_sqlite_file_database_uses_wal(tmp_path: Path) -> None:
    """The embedded database runs in WAL mode (tests use an in-memory one, so check a file)."""
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


def _settings_in_subprocess(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {"SHUZHI_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    code = "import shuzhi.settings as s; print(s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    return subprocess.run(
        [sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True
    )


def test_production_refuses_development_keys(tmp_path: Path) -> None:
    result = _settings_in_subprocess(tmp_path, SHUZHI_PRODUCTION="1")
    assert result.returncode != 0
    assert "SHUZHI_SECRET_KEY" in result.stderr
    assert "SHUZHI_AUDIT_KEY" in result.stderr


def test_production_with_real_keys_turns_on_secure_cookies(tmp_path: Path) -> None:
    result = _settings_in_subprocess(
        tmp_path,
        SHUZHI_PRODUCTION="1",
        SHUZHI_SECRET_KEY="s" * 50,
        SHUZHI_SM4_KEYS="p1:" + "ab" * 16,
        SHUZHI_SM4_ACTIVE_KEY="p1",
        SHUZHI_TOKEN_KEY="cd" * 16,
        SHUZHI_AUDIT_KEY="ef" * 16,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "31536000"]


def test_production_refuses_demo_mode(tmp_path: Path) -> None:
    result = _settings_in_subprocess(
        tmp_path,
        SHUZHI_PRODUCTION="1",
        SHUZHI_DEMO_MODE="1",
        SHUZHI_SECRET_KEY="s" * 50,
        SHUZHI_SM4_KEYS="p1:" + "ab" * 16,
        SHUZHI_SM4_ACTIVE_KEY="p1",
        SHUZHI_TOKEN_KEY="cd" * 16,
        SHUZHI_AUDIT_KEY="ef" * 16,
    )
    assert result.returncode != 0
    assert "SHUZHI_DEMO_MODE" in result.stderr
