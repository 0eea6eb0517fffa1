"""Pure calculations of warning rules (预警规则计算): no Django, so they are quick to test.

A series is a list of ``(period, value)`` pairs in period order, periods as ``datetime.date``
(the first day of a month, quarter or year). Each check returns the firings: the periods where
the rule holds, with the value, the expected value and the measured figure (a percentage or a
z-score).

>>> from datetime import date
>>> series = [(date(2025, m, 1), 100.0) for m in range(1, 13)] + [(date(2026, 1, 1), 70.0)]
>>> [f.period.isoformat() for f in check_series(series, kind="yoy", direction="below",
...     threshold=-20)]
['2026-01-01']
>>> change_pct(70, 100)
-30.0
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise
from statistics import median

__all__ = [
    "KINDS",
    "ConditionError",
    "Firing",
    "change_pct",
    "check_condition",
    "check_series",
    "condition_holds",
    "robust_z",
    "shift_period",
]

# threshold (阈值), year-on-year (同比), month-on-month (环比), target deviation (目标偏离),
# robust z-score anomaly (异常检测), a free condition over those figures (条件表达式)
KINDS = ("threshold", "yoy", "mom", "target", "zscore", "condition")
DIRECTIONS = ("above", "below")
CONDITION_NAMES = ("value", "previous", "last_year", "mom", "yoy", "target", "deviation", "z")
MAD_SCALE = 1.4826  # makes the MAD a consistent estimator of the standard deviation


@dataclass(frozen=True)
class Firing:
    period: date
    value: float
    expected: float | None
    measure: float | None  # the percentage or z-score that crossed the threshold


class ConditionError(ValueError):
    """A condition expression that does not parse or names something unknown."""


def change_pct(value: float, base: float | None) -> float | None:
    """Change from ``base`` to ``value`` in per cent; None when there is no base or it is 0.

    >>> change_pct(110, 100)
    10.0
    >>> change_pct(5, 0) is None
    True
    """
    if base is None or base == 0:
        return None
    return round((value - base) / abs(base) * 100, 6)


def robust_z(value: float, history: Sequence[float]) -> float | None:
    """Robust z-score of ``value`` against ``history``: (x − median) / (1.4826 · MAD).

    None with fewer than three past values or no spread at all.

    >>> robust_z(10, [1, 2, 3, 2, 1])
    5.395926
    >>> robust_z(2, [1, 2, 3, 2, 1])
    0.0
    >>> robust_z(5, [2, 2, 2]) is None
    True
    """
    if len(history) < 3:
        return None
    mid = median(history)
    mad = median(abs(x - mid) for x in history)
    if mad == 0:
        return None
    return round((value - mid) / (MAD_SCALE * mad), 6)


def shift_period(period: date, *, months: int) -> date:
    """The first day of the month ``months`` before ``period`` (negative: after).

    >>> shift_period(date(2026, 1, 1), months=1)
    datetime.date(2025, 12, 1)
    >>> shift_period(date(2026, 3, 1), months=12)
    datetime.date(2025, 3, 1)
    """
    index = period.year * 12 + period.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def _step_months(periods: Sequence[date]) -> int:
    """The grain of a series in months (1, 3 or 12), from its smallest gap."""
    gaps = [(b.year - a.year) * 12 + b.month - a.month for a, b in pairwise(periods)]
    gaps = [g for g in gaps if g > 0]
    return min(gaps) if gaps else 1


def _crossed(measure: float | None, direction: str, threshold: float) -> bool:
    if measure is None:
        return False
    return measure > threshold if direction == "above" else measure < threshold


def _figures(
    series: Sequence[tuple[date, float]], target: float | None, window: int
) -> list[dict[str, float | None]]:
    """For each point, every figure a rule may look at."""
    by_period = dict(series)
    step = _step_months([p for p, _ in series])
    out: list[dict[str, float | None]] = []
    values = [v for _, v in series]
    for i, (period, value) in enumerate(series):
        previous = by_period.get(shift_period(period, months=step))
        last_year = by_period.get(shift_period(period, months=12))
        history = values[max(0, i - window) : i]
        out.append(
            {
                "value": value,
                "previous": previous,
                "last_year": last_year,
                "mom": change_pct(value, previous),
                "yoy": change_pct(value, last_year),
                "target": target,
                "deviation": change_pct(value, target),
                "z": robust_z(value, history),
                "median": median(history) if history else None,
            }
        )
    return out


def check_series(
    series: Sequence[tuple[date, float]],
    *,
    kind: str,
    direction: str = "above",
    threshold: float = 0.0,
    target: float | None = None,
    window: int = 12,
    condition: str = "",
) -> list[Firing]:
    """The periods of ``series`` where the rule fires.

    ``threshold`` is a value (threshold), a change in per cent (yoy, mom, target) or a z-score
    (zscore; compared by absolute size, ``direction`` picks the side).

    >>> s = [(date(2026, m, 1), v) for m, v in enumerate([10, 11, 10, 12, 11, 30], start=1)]
    >>> [(f.period.month, f.value) for f in check_series(s, kind="threshold", threshold=20)]
    [(6, 30)]
    >>> [f.period.month for f in check_series(s, kind="mom", threshold=50)]
    [6]
    >>> [f.period.month for f in check_series(s, kind="zscore", threshold=3, window=5)]
    [6]
    >>> [f.period.month for f in check_series(s, kind="target", target=10, threshold=15)]
    [4, 6]
    >>> [f.period.month for f in check_series(s, kind="condition", condition="value > 11")]
    [4, 6]
    """
    if kind not in KINDS:
        raise ValueError(f"unknown rule kind {kind!r}")
    tree = check_condition(condition) if kind == "condition" else None
    firings = []
    for (period, value), fig in zip(series, _figures(series, target, window), strict=True):
        measure: float | None
        expected: float | None
        if kind == "threshold":
            measure, expected = value, threshold
            fired = _crossed(value, direction, threshold)
        elif kind == "yoy":
            measure, expected = fig["yoy"], fig["last_year"]
            fired = _crossed(measure, direction, threshold)
        elif kind == "mom":
            measure, expected = fig["mom"], fig["previous"]
            fired = _crossed(measure, direction, threshold)
        elif kind == "target":
            measure, expected = fig["deviation"], target
            fired = measure is not None and abs(measure) > abs(threshold)
            if fired and measure is not None and direction == "below":
                fired = measure < 0
        elif kind == "zscore":
            measure, expected = fig["z"], fig["median"]
            size = abs(threshold)
            fired = measure is not None and (
                measure > size if direction == "above" else measure < -size
            )
        else:
            measure, expected = None, None
            assert tree is not None
            fired = condition_holds(tree, fig)
        if fired:
            firings.append(Firing(period, value, expected, measure))
    return firings


_ALLOWED_NODES = (
    ast.Expression,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.BinOp,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Div,
    ast.Compare,
    ast.Gt,
    ast.GtE,
    ast.Lt,
    ast.LtE,
    ast.Eq,
    ast.NotEq,
    ast.Name,
    ast.Load,
    ast.Constant,
)


def check_condition(text: str) -> ast.Expression:
    """Parse a condition over the figures of a point; never ``eval``-ed.

    Names: value, previous, last_year, mom, yoy (per cent), target, deviation (per cent), z.

    >>> check_condition("yoy < -10 and value > 100").body.__class__.__name__
    'BoolOp'
    >>> check_condition("value >")
    Traceback (most recent call last):
        ...
    shuzhi.platform.brain.rules_math.ConditionError: the condition does not parse: invalid syntax
    >>> check_condition("kwh > 3")
    Traceback (most recent call last):
        ...
    shuzhi.platform.brain.rules_math.ConditionError: unknown name in the condition: kwh
    >>> check_condition("__import__('os')")
    Traceback (most recent call last):
        ...
    shuzhi.platform.brain.rules_math.ConditionError: not allowed in a condition: Call
    """
    text = (text or "").strip()
    if not text:
        raise ConditionError("the condition is empty")
    if len(text) > 500:
        raise ConditionError("the condition is longer than 500 characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise ConditionError(f"the condition does not parse: {error.msg}") from None
    for node in ast.walk(tree):
        if not isinstance(node, _ALLOWED_NODES):
            raise ConditionError(f"not allowed in a condition: {type(node).__name__}")
        if isinstance(node, ast.Name) and node.id not in CONDITION_NAMES:
            raise ConditionError(f"unknown name in the condition: {node.id}")
        if isinstance(node, ast.Constant) and not (
            isinstance(node.value, int | float) and not isinstance(node.value, bool)
        ):
            raise ConditionError("only numbers may appear in a condition")
    return tree


class _Missing(Exception):
    pass


def _value(node: ast.AST, names: Mapping[str, float | None]) -> float | bool:
    if isinstance(node, ast.Constant):
        return float(node.value)  # type: ignore[arg-type]  # numbers only (checked)
    if isinstance(node, ast.Name):
        found = names.get(node.id)
        if found is None:
            raise _Missing(node.id)
        return float(found)
    if isinstance(node, ast.UnaryOp):
        inner = _value(node.operand, names)
        return (not inner) if isinstance(node.op, ast.Not) else -float(inner)
    if isinstance(node, ast.BoolOp):
        parts = [_value(v, names) for v in node.values]
        return all(parts) if isinstance(node.op, ast.And) else any(parts)
    if isinstance(node, ast.BinOp):
        left, right = float(_value(node.left, names)), float(_value(node.right, names))
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if right == 0:
            raise _Missing("division by zero")
        return left / right
    if isinstance(node, ast.Compare):
        left = float(_value(node.left, names))
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = float(_value(comparator, names))
            ok = {
                ast.Gt: left > right,
                ast.GtE: left >= right,
                ast.Lt: left < right,
                ast.LtE: left <= right,
                ast.Eq: left == right,
                ast.NotEq: left != right,
            }[type(op)]
            if not ok:
                return False
            left = right
        return True
    raise ConditionError(f"not allowed in a condition: {type(node).__name__}")


def condition_holds(tree: ast.Expression, names: Mapping[str, float | None]) -> bool:
    """Evaluate a checked condition; a figure that is unknown at a point makes it false.

    >>> condition_holds(check_condition("yoy < -10"), {"yoy": -12.5})
    True
    >>> condition_holds(check_condition("yoy < -10"), {"yoy": None})
    False
    """
    try:
        return bool(_value(tree.body, names))
    except _Missing:
        return False
