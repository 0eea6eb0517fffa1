"""Review finding: the public seal-key lookup answers "no such licence" for any number, so it is
an oracle for which licence numbers exist (they run in series per county). It gets the same
per-address budget as verification."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client

from tests.domains.services.test_licences import World, make_world


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def world(db: None, settings: Any) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return make_world()


def test_seal_key_lookups_are_rate_limited(client: Client, world: World) -> None:
    with time_machine.travel(datetime(2026, 11, 26, 10, 0, 30, tzinfo=UTC), tick=False):
        statuses = [  # within one minute
            client.get(f"/api/v1/services/licences/JY{n:07d}/seal-key").status_code
            for n in range(31)
        ]
    assert statuses[:30] == [404] * 30
    assert statuses[30] == 429
