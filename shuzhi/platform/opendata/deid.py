"""De-identification of restricted-open deliveries (去标识化, GB/T 37964-2019).

Plain Python, no Django. The warehouse has already masked every L3–L4 field (GB/T 37964 §A.3
masking); this module adds the two further techniques the standard names for data leaving
government:

* **generalisation** (泛化, §A.4): dates become their month, birth dates their year, division
  codes (GB/T 2260) their county (the first six digits), and exact numbers are rounded to two
  significant figures;
* **suppression** (抑制, §A.2) of small groups: the quasi-identifiers (准标识符) of a row are its
  generalised dates, birth dates, division and industry codes; a row whose combination occurs
  fewer than ``k`` times in the delivery is dropped (k-anonymity, §B). ``k`` is the platform's
  smallest publishable group, ``settings.OPERATION_MIN_GROUP`` (10 by default).

>>> rules = rules_for([("county", "string", "division_code"), ("day", "date", "date"),
...                    ("kwh", "decimal", "amount"), ("name", "string", "text")])
>>> rules
{'county': 'county', 'day': 'month', 'kwh': 'round'}
>>> generalise_row({"county": "330802001", "day": "2026-03-05", "kwh": "12345.6", "name": "x"},
...                rules)
{'county': '330802', 'day': '2026-03', 'kwh': '12000', 'name': 'x'}
>>> quasi_identifiers(rules)
['county', 'day']
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

__all__ = [
    "QUASI_KINDS",
    "generalise",
    "generalise_row",
    "quasi_identifiers",
    "round_significant",
    "rules_for",
    "small_groups",
]

QUASI_KINDS = ("month", "year", "county", "industry")  # rules whose fields are quasi-identifiers
_DATE = re.compile(r"^(\d{4})-(\d{2})(?:-\d{2})?")


def round_significant(value: Any, digits: int = 2) -> Any:
    """A number rounded to ``digits`` significant figures, as text; other values unchanged.

    >>> round_significant("12345.6"), round_significant(0.01234), round_significant("-87")
    ('12000', '0.012', '-87')
    >>> round_significant("n/a"), round_significant(None)
    ('n/a', None)
    """
    if value is None or isinstance(value, bool):
        return value
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    if not number.is_finite() or number == 0:
        return str(value)
    exponent = math.floor(math.log10(abs(float(number)))) - digits + 1
    rounded = number.quantize(Decimal(1).scaleb(exponent)) if exponent < 0 else None
    if rounded is None:
        step = 10**exponent
        rounded = Decimal(int((number / step).to_integral_value()) * step)
    text = format(rounded, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def generalise(value: Any, kind: str) -> Any:
    """One value generalised by ``kind``; a value the rule cannot read is left as it is.

    >>> generalise("2026-03-05 10:00:00", "month"), generalise("1990-07-01", "year")
    ('2026-03', '1990')
    >>> generalise("330802101", "county"), generalise("C3011", "industry")
    ('330802', 'C30')
    """
    if value is None:
        return None
    text = str(value)
    if kind in ("month", "year"):
        found = _DATE.match(text)
        if not found:
            return text
        return found.group(1) if kind == "year" else f"{found.group(1)}-{found.group(2)}"
    if kind == "county":
        return text[:6] if text.isdigit() and len(text) > 6 else text
    if kind == "industry":
        return text[:3]  # GB/T 4754: section letter and division (大类)
    if kind == "round":
        return round_significant(value)
    return value


def rules_for(fields: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """The generalisation rule of each (name, data type, semantic type) that has one."""
    rules: dict[str, str] = {}
    for name, data_type, semantic_type in fields:
        if semantic_type == "birth_date":
            rules[name] = "year"
        elif semantic_type == "division_code":
            rules[name] = "county"
        elif semantic_type == "industry_code":
            rules[name] = "industry"
        elif data_type in ("date", "datetime") or semantic_type == "date":
            rules[name] = "month"
        elif data_type in ("integer", "decimal") or semantic_type == "amount":
            rules[name] = "round"
    return rules


def quasi_identifiers(rules: Mapping[str, str]) -> list[str]:
    return [name for name, kind in rules.items() if kind in QUASI_KINDS]


def generalise_row(row: Mapping[str, Any], rules: Mapping[str, str]) -> dict[str, Any]:
    return {
        name: generalise(value, rules[name]) if name in rules else value
        for name, value in row.items()
    }


def small_groups(keys: Iterable[Sequence[Any]], k: int) -> tuple[set[tuple[Any, ...]], int]:
    """The quasi-identifier combinations seen fewer than ``k`` times, and how many rows they hold.

    >>> small_groups([("a",), ("a",), ("b",)], 2)
    ({('b',)}, 1)
    """
    counts = Counter(tuple(key) for key in keys)
    small = {key for key, n in counts.items() if n < k}
    return small, sum(counts[key] for key in small)
