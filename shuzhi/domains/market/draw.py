"""The random draw of a random-inspection plan (双随机抽取): pure, reproducible, no database.

Two draws from one ``random.Random(seed)``, always in the same order:

1. **Enterprises** (随机抽取检查对象): for each class in ``A B C D`` order, ``sample_size(n,
   ratio)`` enterprises are sampled from the class's credit codes *sorted*; the sample keeps the
   order in which it was drawn.
2. **Inspectors** (随机选派执法检查人员): for each drawn enterprise, in the order of step 1, the
   inspectors eligible for it (the pool minus its conflicts, *sorted* by id) are sampled,
   ``per`` of them, sorted by id in the result.

Rounding (取整): a class of ``n`` enterprises with ratio ``r`` percent gives ``ceil(n × r / 100)``
enterprises, computed exactly (fractions, no floating point), so any class with at least one
enterprise and a ratio above zero is inspected at least once, and 0 % draws none.

The same seed and the same inputs give the same result on every machine (Python's Mersenne
Twister and ``sample`` are specified and stable); :func:`draw` is what the service records and
what its verification recomputes.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Final

CLASSES: Final = ("A", "B", "C", "D")


class NotEnoughInspectors(Exception):  # 可选派人员不足
    """An enterprise has fewer unconflicted eligible inspectors than the plan needs."""

    def __init__(self, credit_code: str, available: int, needed: int) -> None:
        super().__init__(f"{credit_code}: {available} < {needed}")
        self.credit_code = credit_code
        self.available = available
        self.needed = needed


def sample_size(count: int, ratio: float | int | str | Fraction) -> int:
    """How many of ``count`` enterprises a ratio of ``ratio`` percent draws: ceil(count × r / 100).

    >>> sample_size(10, 5), sample_size(10, 15), sample_size(10, 30), sample_size(10, 50)
    (1, 2, 3, 5)
    >>> sample_size(0, 50), sample_size(7, 0), sample_size(7, 100), sample_size(20, "2.5")
    (0, 0, 7, 1)
    """
    exact = Fraction(count) * Fraction(str(ratio)) / 100
    return min(count, max(0, math.ceil(exact)))


@dataclass(frozen=True)
class DrawResult:
    """What a draw picked: enterprises per class (in draw order) and inspectors per enterprise."""

    enterprises: dict[str, list[str]]
    inspectors: dict[str, list[int]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {grade: len(codes) for grade, codes in self.enterprises.items()}

    def drawn(self) -> list[str]:
        return [code for grade in CLASSES for code in self.enterprises.get(grade, [])]


def draw_enterprises(
    rng: random.Random,
    population: Mapping[str, Iterable[str]],
    ratios: Mapping[str, float | int | str],
) -> dict[str, list[str]]:
    """Sample each class of ``population`` (class → credit codes) at its ratio.

    >>> population = {"A": ["a1", "a2", "a3"], "D": ["d1", "d2"]}
    >>> picked = draw_enterprises(random.Random(7), population, {"A": 50, "D": 50})
    >>> {k: len(v) for k, v in picked.items()}
    {'A': 2, 'B': 0, 'C': 0, 'D': 1}
    >>> picked == draw_enterprises(random.Random(7), population, {"A": 50, "D": 50})
    True
    """
    picked: dict[str, list[str]] = {}
    for grade in CLASSES:
        codes = sorted(set(population.get(grade, ())))
        size = sample_size(len(codes), ratios.get(grade, 0))
        picked[grade] = rng.sample(codes, size) if size else []
    return picked


def draw_inspectors(
    rng: random.Random,
    drawn: Sequence[str],
    eligible: Mapping[str, Iterable[int]],
    per: int,
) -> dict[str, list[int]]:
    """For each drawn enterprise in order, ``per`` inspectors sampled from its eligible ids
    (already without conflicts). Raises :class:`NotEnoughInspectors` for the first enterprise
    that has too few.

    >>> draw_inspectors(random.Random(1), ["e1"], {"e1": [3, 1, 2]}, 3)
    {'e1': [1, 2, 3]}
    >>> draw_inspectors(random.Random(1), ["e1"], {"e1": [1]}, 2)
    Traceback (most recent call last):
    ...
    shuzhi.domains.market.draw.NotEnoughInspectors: e1: 1 < 2
    """
    chosen: dict[str, list[int]] = {}
    for code in drawn:
        ids = sorted(set(eligible.get(code, ())))
        if len(ids) < per:
            raise NotEnoughInspectors(code, len(ids), per)
        chosen[code] = sorted(rng.sample(ids, per))
    return chosen


def draw(
    *,
    seed: int,
    population: Mapping[str, Iterable[str]],
    ratios: Mapping[str, float | int | str],
    pool: Mapping[str, Iterable[int]],
    conflicts: Mapping[str, Iterable[int]],
    per: int,
) -> DrawResult:
    """The whole draw. ``pool`` maps each enterprise to the inspectors who may inspect it (the
    qualified pool of its jurisdiction); ``conflicts`` maps an enterprise to the inspectors who
    must not (回避: inspected it within a year, or declared a link to it).

    >>> population = {"A": [f"a{i}" for i in range(20)], "C": ["c1", "c2", "c3"]}
    >>> everyone = {code: [1, 2, 3, 4] for codes in population.values() for code in codes}
    >>> first = draw(seed=42, population=population, ratios={"A": 5, "C": 30},
    ...              pool=everyone, conflicts={"c1": [1, 2], "c2": [1, 2], "c3": [1, 2]}, per=2)
    >>> first.counts()
    {'A': 1, 'B': 0, 'C': 1, 'D': 0}
    >>> all(first.inspectors[c] == [3, 4] for c in first.enterprises["C"])
    True
    >>> first == draw(seed=42, population=population, ratios={"A": 5, "C": 30},
    ...               pool=everyone, conflicts={"c1": [1, 2], "c2": [1, 2], "c3": [1, 2]}, per=2)
    True
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible by design; the seed is from secrets
    enterprises = draw_enterprises(rng, population, ratios)
    eligible = {
        code: set(pool.get(code, ())) - set(conflicts.get(code, ()))
        for grade in CLASSES
        for code in enterprises[grade]
    }
    drawn = [code for grade in CLASSES for code in enterprises[grade]]
    return DrawResult(enterprises, draw_inspectors(rng, drawn, eligible, per))


def parse_ratio_setting(items: Iterable[str]) -> dict[str, int | float]:
    """``["A=5", "B=15", ...]`` (``settings.MARKET_INSPECTION_RATIOS``) as percent per class;
    a class the setting leaves out gets 0.

    >>> parse_ratio_setting(["A=5", "B=15", "C=30", "D=50"])
    {'A': 5, 'B': 15, 'C': 30, 'D': 50}
    >>> parse_ratio_setting(["D = 12.5"])
    {'A': 0, 'B': 0, 'C': 0, 'D': 12.5}
    """
    found: dict[str, int | float] = {}
    for item in items:
        grade, _sep, value = str(item).partition("=")
        grade = grade.strip()
        if grade in CLASSES:
            number = Fraction(value.strip())
            found[grade] = int(number) if number.denominator == 1 else float(number)
    return {grade: found.get(grade, 0) for grade in CLASSES}


def jurisdiction(department_code: str, city_department: str) -> str | None:
    """Where a person of ``department_code`` inspects: ``""`` for the city's market department
    (``city_department``, e.g. ``330800-AMR``), a county code for a county's market department
    of the same city, ``None`` for any other department.

    >>> jurisdiction("330800-AMR", "330800-AMR"), jurisdiction("330802-AMR", "330800-AMR")
    ('', '330802')
    >>> jurisdiction("330802-FIN", "330800-AMR"), jurisdiction("330102-AMR", "330800-AMR")
    (None, None)
    """
    if department_code == city_department:
        return ""
    city, _sep, suffix = city_department.rpartition("-")
    division, _sep, own = department_code.rpartition("-")
    if own == suffix and len(division) == len(city) and division[:4] == city[:4]:
        return division
    return None
