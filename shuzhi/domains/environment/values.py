"""Checking the numbers a caller gives (concentrations, water measurements): one rule for all.

>>> non_negative_numbers({"PM2.5": 35, "CO": None}, ("PM2.5", "CO"), unknown="unknown pollutant")
{'PM2.5': 35.0}
>>> non_negative_numbers({"PM1": 3}, ("PM2.5",), unknown="unknown pollutant")
Traceback (most recent call last):
...
shuzhi.domains.environment.values.InvalidValue: PM1: unknown pollutant
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from typing import Any


class InvalidValue(ValueError):
    """A value that is unknown, negative or not a finite number; ``field`` names it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def non_negative_numbers(
    values: Mapping[str, Any],
    known: Collection[str],
    *,
    unknown: str,
    error: type[InvalidValue] = InvalidValue,
) -> dict[str, float]:
    """The known keys with finite, non-negative numbers as floats; ``None`` means not given.
    Raises ``error(field, reason)`` for an unknown key (``unknown`` is the reason), a boolean
    or non-number, an infinite or NaN value, an integer too large for a float, or a negative."""
    clean: dict[str, float] = {}
    for key, value in values.items():
        if key not in known:
            raise error(str(key), unknown)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise error(key, "not a number")
        try:
            finite = math.isfinite(value)
        except OverflowError:  # an integer too large for a float
            finite = False
        if not finite:
            raise error(key, "not a finite number")
        if value < 0:
            raise error(key, "negative")
        clean[key] = float(value)
    return clean
