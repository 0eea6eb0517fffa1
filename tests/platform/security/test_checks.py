from __future__ import annotations

from typing import Any

from shuzhi.platform.security.checks import development_keys_in_use


def test_development_keys_are_flagged_for_deployment() -> None:
    ids = {m.id for m in development_keys_in_use()}
    assert ids == {"shuzhi.security.W001"}
    assert len(development_keys_in_use()) == 4


def test_configured_keys_are_not_flagged(settings: Any) -> None:
    settings.SECRET_KEY = "x" * 50
    settings.SM4_KEYS = ["prod:" + "ab" * 16]
    settings.TOKEN_KEY = "cd" * 16
    settings.AUDIT_KEY = "ef" * 16
    assert development_keys_in_use() == []
