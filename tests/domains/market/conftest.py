"""Market tests start with an empty cache: the public objection form's per-address budget lives
there, and the test client always posts from the same address."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()
