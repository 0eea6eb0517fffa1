"""Lenient supervision (包容审慎监管): which list item applies to a case, and when a credit repair
(信用修复) may be applied for. Pure functions, to be held beside the law:

* 《行政处罚法》(2021) art. 33 para. 1 — a minor violation, corrected in time and without harmful
  consequence, is not punished; a *first* violation with minor harm, corrected in time, may go
  unpunished (首违不罚, first-violation waiver). Art. 32 — reduced penalty (减轻处罚) when the
  party removed or reduced the harm. 《行政强制法》art. 16 para. 2 — no coercive measure (免予
  行政强制) when the violation is very slight or without evident social harm. The city publishes
  the three lists; ``data/lenient_rules.json`` holds them and the vocabulary of violations.
* 《市场监督管理信用修复管理办法》(SAMR, 2021), STANDARDS.md: an abnormal-operation listing is
  repairable once the missing annual report is filed; a penalty's publication is repairable
  after it has been public 6 months, 12 months for food, drugs and special equipment (食品、药品、
  特种设备领域).

What counts as a *first* violation: no earlier case of the same enterprise for the same
violation, in any state. Only the platform's own market cases are looked at (not the
``administrative_penalty`` warehouse dataset, whose violation texts are free and do not use this
vocabulary).
"""

from __future__ import annotations

import calendar
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Final, Protocol

RULES_FILE: Final = Path(__file__).resolve().parent / "data" / "lenient_rules.json"

# harm, from least to most (Case.Harm)
HARM_ORDER: Final = ("none", "minor", "serious")
# the list a case is flagged by when several items match: no penalty before reduced penalty
# before no coercive measure (the first two decide the penalty, the third only the procedure)
LIST_ORDER: Final = ("no_penalty", "reduced", "no_coercion")
SPECIAL_FIELDS: Final = ("food", "drug", "special_equipment")
WAIT_MONTHS: Final = 6  # penalty publication, general fields
WAIT_MONTHS_SPECIAL: Final = 12  # food, drugs, special equipment

# GB/T 4754-2017 classes of the special fields (prefixes of the 4-digit class with its section
# letter removed): food — 13 agricultural food processing, 14 food manufacturing, 15 beverages,
# 512 food wholesale, 522 food retail, 62 catering; drugs — 27 pharmaceutical manufacturing,
# 515 drug wholesale, 525 drug and medical retail; special equipment — 3411 boilers,
# 3332 metal pressure vessels, 3431/3432 lifting equipment, 3433 in-site special vehicles,
# 3435 lifts and escalators, 2461 amusement rides.
SPECIAL_INDUSTRIES: Final = {
    "food": ("13", "14", "15", "512", "522", "62"),
    "drug": ("27", "515", "525"),
    "special_equipment": ("3411", "3332", "3431", "3432", "3433", "3435", "2461"),
}


class RuleLike(Protocol):
    """What matching needs of a rule (a ``LenientRule`` row or a :class:`Rule`)."""

    code: str
    list: str
    violation: str
    first_violation_only: bool
    max_harm: str
    needs_correction: bool
    active: bool


@dataclass(frozen=True)
class Rule:
    code: str
    list: str
    violation: str
    first_violation_only: bool = False
    max_harm: str = "none"
    needs_correction: bool = True
    active: bool = True


@dataclass(frozen=True)
class Reason:
    """Why a rule did not apply: a stable ``code`` and the values a message needs."""

    rule: str
    code: str  # retired | harm | not_corrected | not_first
    values: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "code": self.code, **self.values}


@dataclass(frozen=True)
class Match:
    rule: RuleLike | None
    reasons: tuple[Reason, ...]  # the rules of this violation that did not apply, and why

    @property
    def code(self) -> str:
        return self.rule.code if self.rule is not None else ""


def harm_within(harm: str, max_harm: str) -> bool:
    """True when ``harm`` is no worse than ``max_harm``.

    >>> harm_within("none", "minor"), harm_within("minor", "minor"), harm_within("serious", "minor")
    (True, True, False)
    """
    return HARM_ORDER.index(harm) <= HARM_ORDER.index(max_harm)


def is_first_violation(
    occurred_on: date, others: Iterable[tuple[date, int]], own_id: int | None = None
) -> bool:
    """True when none of ``others`` — (occurred on, case id) of the enterprise's other cases for
    the same violation, in any state — came before: occurred earlier, or the same day and was
    opened earlier (a smaller id; a case not yet saved, ``own_id`` None, comes last).

    >>> day = date(2026, 3, 1)
    >>> is_first_violation(day, [])
    True
    >>> is_first_violation(day, [(date(2026, 2, 1), 7)])
    False
    >>> is_first_violation(day, [(date(2026, 4, 1), 7)])  # a later one does not count
    True
    >>> is_first_violation(day, [(day, 7)], own_id=9), is_first_violation(day, [(day, 9)], own_id=7)
    (False, True)
    """
    for other_day, other_id in others:
        if other_id == own_id:
            continue
        if other_day < occurred_on:
            return False
        if other_day == occurred_on and (own_id is None or other_id < own_id):
            return False
    return True


def match(
    rules: Iterable[RuleLike],
    *,
    violation: str,
    harm: str,
    corrected: bool,
    first_violation: bool,
) -> Match:
    """The list item that applies to a case, or none with the reason each item of the same
    violation failed. A rule applies when it is in force, names the same violation, the harm is
    within its highest harm, the violation was corrected if it must be, and it is the first
    violation if the rule is for first violations only. Of several, the first of
    :data:`LIST_ORDER`, then by item number.

    >>> rules = [Rule("BY-05", "no_penalty", "price", first_violation_only=True, max_harm="minor"),
    ...          Rule("JQ-02", "reduced", "price", max_harm="minor")]
    >>> match(rules, violation="price", harm="minor", corrected=True, first_violation=True).code
    'BY-05'
    >>> second = match(rules, violation="price", harm="minor", corrected=True, first_violation=False)
    >>> second.code, [r.code for r in second.reasons]
    ('JQ-02', ['not_first'])
    >>> none = match(rules, violation="price", harm="serious", corrected=False, first_violation=True)
    >>> none.code, [(r.rule, r.code) for r in none.reasons]
    ('', [('BY-05', 'harm'), ('BY-05', 'not_corrected'), ('JQ-02', 'harm'), ('JQ-02', 'not_corrected')])
    >>> match(rules, violation="ads", harm="none", corrected=True, first_violation=True)
    Match(rule=None, reasons=())
    """
    fits: list[RuleLike] = []
    reasons: list[Reason] = []
    candidates = sorted(
        (r for r in rules if r.violation == violation),
        key=lambda r: (LIST_ORDER.index(r.list) if r.list in LIST_ORDER else 9, r.code),
    )
    for rule in candidates:
        failed: list[Reason] = []
        if not rule.active:
            failed.append(Reason(rule.code, "retired"))
        if not harm_within(harm, rule.max_harm):
            failed.append(Reason(rule.code, "harm", {"harm": harm, "max_harm": rule.max_harm}))
        if rule.needs_correction and not corrected:
            failed.append(Reason(rule.code, "not_corrected"))
        if rule.first_violation_only and not first_violation:
            failed.append(Reason(rule.code, "not_first"))
        if failed:
            reasons.extend(failed)
        else:
            fits.append(rule)
    return Match(fits[0] if fits else None, tuple(reasons))


# --- Credit repair waiting periods (信用修复) ---------------------------------------------------


def add_months(day: date, months: int) -> date:
    """``day`` plus whole calendar months, the day clipped to the month's end.

    >>> add_months(date(2026, 1, 15), 6), add_months(date(2025, 8, 31), 6)
    (datetime.date(2026, 7, 15), datetime.date(2026, 2, 28))
    """
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def industry_field(industry_code: str) -> str:
    """The special field of a GB/T 4754 industry code (section letter optional), or "".

    >>> industry_field("H6210"), industry_field("C3435"), industry_field("2720"), industry_field("C2221")
    ('food', 'special_equipment', 'drug', '')
    """
    digits = industry_code.lstrip("ABCDEFGHIJKLMNOPQRST")
    for name, prefixes in SPECIAL_INDUSTRIES.items():
        if any(digits.startswith(p) for p in prefixes):
            return name
    return ""


def special_field(violation_field: str, industry_code: str) -> str:
    """The special field a penalty belongs to — from the violation (its vocabulary names a
    field), else from the enterprise's industry — or "" for the general field.

    >>> special_field("food", "C2221"), special_field("general", "H6210"), special_field("general", "C2221")
    ('food', 'food', '')
    """
    if violation_field in SPECIAL_FIELDS:
        return violation_field
    return industry_field(industry_code)


def penalty_eligible_from(published_on: date, *, special: bool) -> date:
    """The first day an end of the penalty's publication may be applied for: 6 months after
    publication, 12 for food, drugs and special equipment.

    >>> penalty_eligible_from(date(2026, 1, 10), special=False)
    datetime.date(2026, 7, 10)
    >>> penalty_eligible_from(date(2026, 1, 10), special=True)
    datetime.date(2027, 1, 10)
    """
    return add_months(published_on, WAIT_MONTHS_SPECIAL if special else WAIT_MONTHS)


def annual_report_after(listed_on: date | None, reports: Sequence[date]) -> date | None:
    """The first annual report filed on or after the listing (any, if the listing date is not
    known), or None: removal from the abnormal list may be applied for from that day.

    >>> annual_report_after(date(2025, 7, 1), [date(2025, 5, 1), date(2026, 3, 2)])
    datetime.date(2026, 3, 2)
    >>> annual_report_after(date(2025, 7, 1), [date(2025, 5, 1)]) is None
    True
    """
    after = sorted(d for d in reports if listed_on is None or d >= listed_on)
    return after[0] if after else None


# --- The published lists ---------------------------------------------------------------------


@cache
def published() -> dict[str, Any]:
    """The lists and the vocabulary of violations as published (``data/lenient_rules.json``)."""
    with RULES_FILE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def violations() -> dict[str, dict[str, str]]:
    """Violation code → ``{"name", "name_en", "field"}``.

    >>> violations()["food_label_flaw"]["field"]
    'food'
    """
    return dict(published()["violations"])


def violation_name(code: str) -> str:
    """The violation's name in the active language (its code when unknown).

    >>> violation_name("no_such_violation")
    'no_such_violation'
    """
    from django.utils.translation import get_language

    entry = violations().get(code)
    if entry is None:
        return code
    english = (get_language() or "").startswith("en")
    return entry["name_en"] if english else entry["name"]


def violation_field(violation: str) -> str:
    """The field of a violation of the vocabulary ("general" when unknown)."""
    return violations().get(violation, {}).get("field", "general")
