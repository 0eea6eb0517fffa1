from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from shuzhi.platform.accounts.models import User
from tests.factories import PASSWORD, UserFactory


@pytest.fixture(autouse=True)
def _audit_anchor_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Each test anchors the audit chain and keeps its warehouse and search index in its own files."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"
    settings.WAREHOUSE_PATH = tmp_path / "warehouse.duckdb"
    settings.POLICY_INDEX_DIR = tmp_path / "policy-index"


@pytest.fixture(autouse=True)
def _fresh_calendar() -> None:
    """Each test reads the working-day calendar from its own database."""
    from shuzhi.platform.workdays.selectors import clear_cache

    clear_cache()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Each test starts with an empty cache: per-minute request budgets (rate limits) are
    counted there and would otherwise carry over from the tests before it."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_cipher() -> None:
    """Each test builds the field cipher from its own settings."""
    from shuzhi.platform.security.keys import field_cipher

    field_cipher.cache_clear()


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    def make(**kwargs: Any) -> User:
        return UserFactory(**kwargs)

    return make


@pytest.fixture
def clerk(make_user: Callable[..., User]) -> User:
    return make_user(username="clerk", roles=["clerk"])


@pytest.fixture
def auditor(make_user: Callable[..., User]) -> User:
    return make_user(username="auditor", roles=["auditor"])


@pytest.fixture
def logged_in(client: Client) -> Callable[[User], Client]:
    def login(user: User) -> Client:
        client.force_login(user)
        return client

    return login


__all__ = ["PASSWORD"]
