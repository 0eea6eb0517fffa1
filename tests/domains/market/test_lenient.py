"""The pure rules of lenient supervision: matching a case to the lists, first violations, the
waiting periods of credit repair, and the published lists' own consistency. No database."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from shuzhi.domains.market import lenient
from shuzhi.domains.market.lenient import Rule

WAIVER = Rule("BY-05", "no_penalty", "price", first_violation_only=True, max_harm="minor")
MINOR = Rule("BY-01", "no_penalty", "licence", max_harm="none")
REDUCED = Rule("JQ-02", "reduced", "price", max_harm="minor")
NO_COERCION = Rule("MQ-01", "no_coercion", "price", max_harm="none", needs_correction=False)
RULES = [NO_COERCION, REDUCED, WAIVER, MINOR]


def verdict(**facts: Any) -> lenient.Match:
    values: dict[str, Any] = {
        "violation": "price",
        "harm": "minor",
        "corrected": True,
        "first_violation": True,
    }
    values.update(facts)
    return lenient.match(RULES, **values)


def test_first_minor_corrected_violation_gets_the_no_penalty_item_before_the_others() -> None:
    assert verdict().rule is WAIVER


def test_repeat_violation_falls_to_the_reduced_item_and_says_why() -> None:
    found = verdict(first_violation=False)
    assert found.rule is REDUCED
    assert [(r.rule, r.code) for r in found.reasons] == [("BY-05", "not_first"), ("MQ-01", "harm")]


def test_uncorrected_violation_with_no_harm_gets_only_the_no_coercion_item() -> None:
    found = verdict(harm="none", corrected=False)
    assert found.rule is NO_COERCION
    assert {r.code for r in found.reasons} == {"not_corrected"}


def test_serious_harm_matches_nothing_and_every_item_says_why() -> None:
    found = verdict(harm="serious")
    assert found.rule is None
    assert {(r.rule, r.code) for r in found.reasons} == {
        ("BY-05", "harm"),
        ("JQ-02", "harm"),
        ("MQ-01", "harm"),
    }
    assert found.reasons[0].as_dict() == {
        "rule": "BY-05",
        "code": "harm",
        "harm": "serious",
        "max_harm": "minor",
    }


def test_retired_item_does_not_apply() -> None:
    retired = Rule("BY-05", "no_penalty", "price", first_violation_only=True, active=False)
    found = lenient.match(
        [retired], violation="price", harm="none", corrected=True, first_violation=True
    )
    assert found.rule is None
    assert [r.code for r in found.reasons] == ["retired"]


def test_items_of_other_violations_are_not_considered() -> None:
    found = verdict(violation="licence", harm="minor")
    assert found.rule is None
    assert [r.rule for r in found.reasons] == ["BY-01"]


@pytest.mark.parametrize(
    ("others", "own_id", "first"),
    [
        ([], None, True),
        ([(date(2026, 1, 1), 3)], None, False),  # an earlier case
        ([(date(2026, 9, 1), 3)], None, True),  # a later one
        ([(date(2026, 3, 1), 3)], None, False),  # same day, already opened
        ([(date(2026, 3, 1), 3)], 2, True),  # same day, opened after this one
        ([(date(2026, 3, 1), 5), (date(2026, 3, 1), 5)], 5, True),  # itself
    ],
)
def test_first_violation(others: list[tuple[date, int]], own_id: int | None, first: bool) -> None:
    assert lenient.is_first_violation(date(2026, 3, 1), others, own_id=own_id) is first


@pytest.mark.parametrize(
    ("industry", "violation_field", "field"),
    [
        ("H6210", "general", "food"),  # catering
        ("C1431", "general", "food"),  # food manufacturing
        ("F5221", "general", "food"),  # food retail
        ("C2710", "general", "drug"),
        ("F5251", "general", "drug"),
        ("C3435", "general", "special_equipment"),  # lifts
        ("C3411", "general", "special_equipment"),  # boilers
        ("C2110", "general", ""),  # furniture
        ("C2110", "food", "food"),  # the violation decides first
        ("", "drug", "drug"),
    ],
)
def test_special_field(industry: str, violation_field: str, field: str) -> None:
    assert lenient.special_field(violation_field, industry) == field


def test_waiting_periods() -> None:
    decided = date(2025, 8, 31)
    assert lenient.penalty_eligible_from(decided, special=False) == date(2026, 2, 28)
    assert lenient.penalty_eligible_from(decided, special=True) == date(2026, 8, 31)
    assert lenient.add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert lenient.add_months(date(2025, 12, 1), 1) == date(2026, 1, 1)


def test_annual_report_after_the_listing() -> None:
    listed = date(2025, 7, 1)
    assert lenient.annual_report_after(listed, []) is None
    assert lenient.annual_report_after(listed, [date(2025, 6, 30)]) is None
    assert lenient.annual_report_after(listed, [date(2025, 7, 1)]) == listed
    assert lenient.annual_report_after(None, [date(2025, 6, 30)]) == date(2025, 6, 30)


def test_published_lists_are_consistent() -> None:
    data = lenient.published()
    vocabulary = lenient.violations()
    codes = [rule["code"] for rule in data["rules"]]
    assert len(codes) == len(set(codes)) >= 12
    lists = {rule["list"] for rule in data["rules"]}
    assert lists == set(lenient.LIST_ORDER)
    for rule in data["rules"]:
        assert rule["violation"] in vocabulary, rule["code"]
        assert rule["max_harm"] in lenient.HARM_ORDER, rule["code"]
        law = "行政强制法" if rule["list"] == "no_coercion" else "行政处罚法"
        assert law in rule["legal_basis"], rule["code"]
        assert rule["description"]
        assert rule["conditions"]
    for entry in vocabulary.values():
        assert entry["field"] in ("general", *lenient.SPECIAL_FIELDS)
        assert entry["name"]
        assert entry["name_en"]
