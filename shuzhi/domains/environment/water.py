"""Surface water class (地表水环境质量类别) per GB 3838-2002, single-factor evaluation (单因子评价法).

Each factor gets the best class whose limit it meets; the section's class is the worst factor
class; a factor that misses class V is 劣V (worse than V). Limits are in mg/L (pH unitless):

* DO (溶解氧) is "≥": higher is better. Every other factor is "≤".
* A value exactly on a limit belongs to that class. Where two classes share a limit (COD 15 for
  I and II, BOD5 3 for I and II) the better class wins.
* TP (总磷) has separate limits for rivers and for lakes and reservoirs (湖、库).
* TN (总氮) is evaluated for lakes and reservoirs only; a river section's TN is ignored.
* pH must lie within 6–9 for every class: inside it the pH factor is class I (it never makes a
  section worse), outside it the pH factor is 劣V.
* Limiting factors (定类因子): every factor at the section's (worst) class.

>>> r = classify({"DO": 6.5, "CODMn": 3.2, "NH3-N": 0.6, "TP": 0.12}, water_body="river")
>>> r.water_class, r.limiting_factors, r.factor_classes["DO"]
('III', ('NH3-N', 'TP'), 'II')
>>> classify({"TP": 0.12, "TN": 2.5}, water_body="lake").water_class
'劣V'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .values import InvalidValue, non_negative_numbers

__all__ = [
    "CLASSES",
    "EDITION",
    "FACTORS",
    "LIMITS",
    "WATER_BODIES",
    "InvalidMeasurement",
    "WaterClassResult",
    "classify",
    "factor_class",
]

EDITION = "GB 3838-2002"
CLASSES: tuple[str, ...] = ("I", "II", "III", "IV", "V", "劣V")
WATER_BODIES: tuple[str, ...] = ("river", "lake")  # 河流; 湖泊、水库
FACTORS: tuple[str, ...] = ("pH", "DO", "CODMn", "COD", "BOD5", "NH3-N", "TP", "TN")

# Class I…V limits of table 1 (地表水环境质量标准基本项目标准限值), mg/L.
# DO (溶解氧), CODMn (高锰酸盐指数), COD (化学需氧量), BOD5 (五日生化需氧量),
# NH3-N (氨氮), TP (总磷), TN (总氮, lakes and reservoirs only).
LIMITS: dict[str, tuple[float, ...]] = {
    "DO": (7.5, 6, 5, 3, 2),
    "CODMn": (2, 4, 6, 10, 15),
    "COD": (15, 15, 20, 30, 40),
    "BOD5": (3, 3, 4, 6, 10),
    "NH3-N": (0.15, 0.5, 1.0, 1.5, 2.0),
    "TP_river": (0.02, 0.1, 0.2, 0.3, 0.4),
    "TP_lake": (0.01, 0.025, 0.05, 0.1, 0.2),
    "TN": (0.2, 0.5, 1.0, 1.5, 2.0),
}
HIGHER_IS_BETTER = frozenset({"DO"})
PH_RANGE = (6.0, 9.0)


class InvalidMeasurement(InvalidValue):
    """A measurement that is unknown, negative or not a finite number; ``field`` names it."""


def factor_class(factor: str, value: float, *, water_body: str) -> str:
    """The class of one factor's value.

    >>> factor_class("COD", 15, water_body="river"), factor_class("DO", 7.5, water_body="river")
    ('I', 'I')
    >>> factor_class("TP", 0.1, water_body="river"), factor_class("TP", 0.1, water_body="lake")
    ('II', 'IV')
    >>> factor_class("DO", 1.9, water_body="lake"), factor_class("pH", 9.1, water_body="lake")
    ('劣V', '劣V')
    """
    if water_body not in WATER_BODIES:
        raise ValueError(f"unknown water body {water_body!r}; known: {', '.join(WATER_BODIES)}")
    if factor == "pH":
        return "I" if PH_RANGE[0] <= value <= PH_RANGE[1] else "劣V"
    key = f"TP_{water_body}" if factor == "TP" else factor
    if key not in LIMITS:
        raise InvalidMeasurement(factor, "unknown factor")
    for name, limit in zip(CLASSES, LIMITS[key], strict=False):
        if (value >= limit) if factor in HIGHER_IS_BETTER else (value <= limit):
            return name
    return "劣V"


@dataclass(frozen=True)
class WaterClassResult:
    """The class of a section from its measurements (``water_class`` is None with none)."""

    water_class: str | None
    limiting_factors: tuple[str, ...]
    factor_classes: dict[str, str]
    ignored: tuple[str, ...]  # given but not evaluated (TN of a river)
    edition: str = EDITION

    def as_dict(self) -> dict[str, Any]:
        """The API's answer (``POST /api/v1/environment/water-class``)."""
        return {
            "class": self.water_class,
            "limiting_factors": list(self.limiting_factors),
            "factor_classes": dict(self.factor_classes),
        }


def classify(measurements: Mapping[str, Any], *, water_body: str) -> WaterClassResult:
    """Single-factor class of a section; ``None`` values are left out.

    Raises :class:`InvalidMeasurement` for an unknown factor or a negative or non-numeric
    value, ``ValueError`` for an unknown water body.

    >>> classify({"TN": 5.0, "DO": 8}, water_body="river").as_dict()
    {'class': 'I', 'limiting_factors': ['DO'], 'factor_classes': {'DO': 'I'}}
    """
    if water_body not in WATER_BODIES:
        raise ValueError(f"unknown water body {water_body!r}; known: {', '.join(WATER_BODIES)}")
    given = non_negative_numbers(
        measurements, FACTORS, unknown="unknown factor", error=InvalidMeasurement
    )
    ignored = ("TN",) if water_body == "river" and "TN" in given else ()
    classes = {
        factor: factor_class(factor, given[factor], water_body=water_body)
        for factor in FACTORS
        if factor in given and factor not in ignored
    }
    if not classes:
        return WaterClassResult(None, (), {}, ignored)
    worst = max(classes.values(), key=CLASSES.index)
    limiting = tuple(factor for factor, name in classes.items() if name == worst)
    return WaterClassResult(worst, limiting, classes, ignored)
