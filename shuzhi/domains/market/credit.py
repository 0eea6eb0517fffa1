"""Enterprise credit-risk classification (企业信用风险分类), the standard as plain Python.

SAMR 国市监信发〔2022〕6号: classes A 信用风险低, B 信用风险一般, C 信用风险较高, D 信用风险高,
from general indicators (basic attributes, business dynamics, supervision records, related
parties, social evaluation) and professional ones (food, special equipment). No Django: the
pipeline (``credit_pipeline``) computes the same numbers in Ibis, and the tests hold the two
to each other.

The model is transparent: every indicator yields *points* (a small whole number, capped), the
score is ``100 − Σ weight × points`` clamped to 0–100, and the class follows fixed cut scores.
The weights and cuts are settings (``MARKET_CREDIT_WEIGHTS``, ``MARKET_CREDIT_CUTS``).

>>> weights = parse_weights(DEFAULT_WEIGHTS)
>>> score({"penalties": 2, "abnormal_listed": 1}, weights)
60.0
>>> classify(60.0, parse_cuts(DEFAULT_CUTS))
'C'
>>> classify(100.0, parse_cuts(DEFAULT_CUTS))
'A'
>>> [d["indicator"] for d in explain({"penalties": 2, "young": 1, "patents": 0}, weights)]
['penalties', 'young']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

__all__ = [
    "CLASSES",
    "DEFAULT_CUTS",
    "DEFAULT_WEIGHTS",
    "FOOD_PREFIXES",
    "INDICATORS",
    "SPECIAL_EQUIPMENT_PREFIXES",
    "Indicator",
    "classify",
    "explain",
    "field_of",
    "parse_cuts",
    "parse_weights",
    "score",
]


@dataclass(frozen=True)
class Indicator:
    code: str
    group: str  # basic, dynamics, supervision, related, social, professional
    rule: str  # how the points are counted (English; the pages translate the label)
    cap: int  # points never exceed this


# The indicator set. Points are counted over the look-back windows of ``credit_pipeline``.
INDICATORS: Final[tuple[Indicator, ...]] = (
    Indicator("young", "basic", "established less than one year before the reference date", 1),
    Indicator("irregular_status", "basic", "registration status not active (存续)", 1),
    Indicator("no_tax", "dynamics", "no tax paid in the last four quarters", 1),
    Indicator("no_insured", "dynamics", "no employee enrolled in social insurance", 1),
    Indicator("penalties", "supervision", "administrative penalties in the last three years", 3),
    Indicator("abnormal_listed", "supervision", "listed as abnormal and not removed", 1),
    Indicator(
        "related_risk",
        "related",
        "other enterprises of the same legal representative listed as abnormal or penalised",
        2,
    ),
    Indicator("complaints", "social", "poor (差评) ratings of its service cases", 3),
    Indicator("patents", "social", "granted patents (a credit, deducts negative points)", 3),
    Indicator(
        "food_penalties", "professional", "penalties of a food enterprise (last three years)", 3
    ),
    Indicator(
        "equipment_penalties",
        "professional",
        "penalties of a special-equipment enterprise (last three years)",
        3,
    ),
)
INDICATOR_CODES: Final = tuple(i.code for i in INDICATORS)
BY_CODE: Final = {i.code: i for i in INDICATORS}

DEFAULT_WEIGHTS: Final = [
    "young=5",
    "irregular_status=10",
    "no_tax=8",
    "no_insured=5",
    "penalties=10",
    "abnormal_listed=20",
    "related_risk=5",
    "complaints=3",
    "patents=-2",
    "food_penalties=10",
    "equipment_penalties=10",
]
DEFAULT_CUTS: Final = ["90", "75", "60"]  # lowest scores of A, B and C
CLASSES: Final = ("A", "B", "C", "D")

# GB/T 4754-2017 codes that make an enterprise a food (食品) or special-equipment (特种设备)
# one, for the professional indicators: agricultural-food processing, food and beverage
# manufacturing, food wholesale and retail, catering; boilers, lifting and handling equipment
# (elevators), pumps, valves and compressors (pressure equipment).
FOOD_PREFIXES: Final = ("C13", "C14", "C15", "F512", "F522", "H62")
SPECIAL_EQUIPMENT_PREFIXES: Final = ("C341", "C343", "C344")


def field_of(industry_code: str | None) -> str:
    """'food', 'special_equipment' or '' for an industry code.

    >>> field_of("H6210"), field_of("C3435"), field_of("C2221"), field_of(None)
    ('food', 'special_equipment', '', '')
    """
    code = industry_code or ""
    if code.startswith(FOOD_PREFIXES):
        return "food"
    if code.startswith(SPECIAL_EQUIPMENT_PREFIXES):
        return "special_equipment"
    return ""


def parse_weights(values: Iterable[str]) -> dict[str, float]:
    """``code=weight`` strings → weights of every indicator (unnamed ones keep the default).

    >>> parse_weights(["penalties=12"])["penalties"], parse_weights([])["penalties"]
    (12.0, 10.0)
    >>> parse_weights(["nonsense=1"])
    Traceback (most recent call last):
    ...
    ValueError: unknown credit indicator 'nonsense'
    """
    weights: dict[str, float] = {}
    for item in (*DEFAULT_WEIGHTS, *values):
        code, sep, number = item.partition("=")
        code = code.strip()
        if not sep:
            raise ValueError(f"credit weight {item!r}: write indicator=weight")
        if code not in BY_CODE:
            raise ValueError(f"unknown credit indicator {code!r}")
        weights[code] = float(number)
    return weights


def parse_cuts(values: Sequence[str]) -> tuple[float, float, float]:
    """The lowest scores of A, B and C, strictly falling.

    >>> parse_cuts(["80", "85", "60"])
    Traceback (most recent call last):
    ...
    ValueError: credit cuts must fall strictly: A > B > C
    """
    if len(values) != 3:
        raise ValueError("credit cuts: three numbers, the lowest scores of A, B and C")
    a, b, c = (float(v) for v in values)
    if not a > b > c:
        raise ValueError("credit cuts must fall strictly: A > B > C")
    return a, b, c


def capped(code: str, points: float | None) -> int:
    """The indicator's points as counted: whole, at least 0, at most its cap."""
    return max(0, min(BY_CODE[code].cap, int(points or 0)))


def score(points: Mapping[str, float | None], weights: Mapping[str, float]) -> float:
    """100 − Σ weight × capped points, clamped to 0–100, rounded to 2 places.

    >>> score({}, parse_weights([]))
    100.0
    >>> score({"patents": 3}, parse_weights([]))  # a credit cannot lift above 100
    100.0
    """
    deduction = sum(weights[code] * capped(code, points.get(code)) for code in INDICATOR_CODES)
    return round(min(100.0, max(0.0, 100.0 - deduction)), 2)


def classify(value: float, cuts: tuple[float, float, float]) -> str:
    """A at or above the first cut, B the second, C the third, else D.

    >>> [classify(s, (90, 75, 60)) for s in (90, 89.99, 75, 60, 59.99)]
    ['A', 'B', 'B', 'C', 'D']
    """
    for cut, name in zip(cuts, CLASSES, strict=False):
        if value >= cut:
            return name
    return "D"


def explain(
    points: Mapping[str, float | None], weights: Mapping[str, float]
) -> list[dict[str, object]]:
    """The indicators that moved the score, largest deduction first: what drove the class."""
    drivers = []
    for code in INDICATOR_CODES:
        counted = capped(code, points.get(code))
        if counted and weights[code]:
            drivers.append(
                {
                    "indicator": code,
                    "group": BY_CODE[code].group,
                    "points": counted,
                    "deduction": round(weights[code] * counted, 2),
                }
            )
    return sorted(drivers, key=lambda d: (-float(str(d["deduction"])), str(d["indicator"])))
