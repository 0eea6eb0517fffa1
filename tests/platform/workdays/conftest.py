from __future__ import annotations

from collections.abc import Iterator

import pytest

from shuzhi.platform.workdays.selectors import clear_cache


@pytest.fixture(autouse=True)
def _fresh_calendar() -> Iterator[None]:
    """Each test reads the calendar of its own database state."""
    clear_cache()
    yield
    clear_cache()
