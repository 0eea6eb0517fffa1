"""The credit-risk classification pipeline (信用风险分类流水线): Ibis expressions, no Django.

Builds, from the warehouse tables, one row per registered enterprise with the points of every
indicator of :data:`credit.INDICATORS`, the score and the class — the same numbers as
``credit.score`` and ``credit.classify`` give (the tests and ``benchmarks/credit.py`` check it).
Nothing runs until the caller executes the expression.

Inputs (columns of shuzhi/demo/datasets.py; only ``registry`` is required, a missing table
counts zero points):

* ``registry`` (enterprise_registry): credit_code, enterprise_name, county_code,
  industry_code, legal_representative, established_on, status ('存续' is active);
* ``penalty`` (administrative_penalty): credit_code, decided_on;
* ``abnormal`` (abnormal_operation_list): credit_code, listed_on, removed_on;
* ``tax`` (enterprise_tax_quarterly): credit_code, quarter and, if it can be read, total_tax
  (without it, a quarter's row counts as tax paid);
* ``insurance`` (social_insurance_enrolment): employer_credit_code, status ('正常参保');
* ``patent`` (patent): applicant_credit_code, grant_date;
* ``cases`` (service_case): applicant_credit_code, rating ('不满意' is a poor rating).

Windows, relative to the reference date ``as_of``: penalties decided in the three years up
to it, tax paid in the four quarters before it, a listing in force on it, established within
the 365 days before it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any, Final

import ibis
from ibis import _

from . import credit

ACTIVE_STATUS: Final = "存续"
ENROLLED: Final = "正常参保"
POOR_RATING: Final = "不满意"
OUTPUT_COLUMNS: Final = (
    "credit_code",
    "enterprise_name",
    "county_code",
    "industry_code",
    *credit.INDICATOR_CODES,
    "score",
    "credit_class",
)


def years_before(day: date, years: int) -> date:
    """The same day ``years`` earlier (28 February for a 29th).

    >>> years_before(date(2024, 2, 29), 3)
    datetime.date(2021, 2, 28)
    """
    if day.month == 2 and day.day == 29:
        return date(day.year - years, 2, 28)
    return day.replace(year=day.year - years)


def _count(table: Any, key: str, name: str) -> Any:
    return table.group_by(credit_code=table[key].cast("string")).aggregate(**{name: ibis._.count()})


def indicators(
    *,
    registry: Any,
    as_of: date,
    penalty: Any = None,
    abnormal: Any = None,
    tax: Any = None,
    insurance: Any = None,
    patent: Any = None,
    cases: Any = None,
) -> Any:
    """One row per enterprise: keys and the (uncapped) points of every indicator."""
    day = ibis.literal(as_of)
    three_years = ibis.literal(years_before(as_of, 3))
    year_ago = ibis.literal(as_of - timedelta(days=365))
    base = registry.select(
        credit_code=registry.credit_code.cast("string"),
        enterprise_name=registry.enterprise_name.cast("string"),
        county_code=registry.county_code.cast("string"),
        industry_code=registry.industry_code.cast("string"),
        legal_representative=registry.legal_representative.cast("string"),
        young=(registry.established_on.cast("date") > year_ago).cast("int64"),
        irregular_status=(registry.status.cast("string") != ACTIVE_STATUS)
        .fill_null(True)
        .cast("int64"),
    )
    parts: dict[str, Any] = {}
    if penalty is not None:
        decided = penalty.decided_on.cast("date")
        recent = penalty.filter(decided > three_years, decided <= day)
        parts["penalties"] = _count(recent, "credit_code", "penalties")
    if abnormal is not None:
        listed = abnormal.filter(
            abnormal.listed_on.cast("date") <= day,
            abnormal.removed_on.isnull() | (abnormal.removed_on.cast("date") > day),
        )
        parts["abnormal_listed"] = (
            listed.select(credit_code=listed.credit_code.cast("string"))
            .distinct()
            .mutate(abnormal_listed=ibis.literal(1, "int64"))
        )
    if tax is not None:
        quarter = tax.quarter.cast("date")
        paid = tax.filter(quarter > year_ago, quarter <= day)
        if "total_tax" in tax.columns:
            paid = paid.filter(paid.total_tax.cast("float64") > 0)
        parts["taxed"] = _count(paid, "credit_code", "taxed")
    if insurance is not None:
        enrolled = insurance.filter(
            insurance.status.cast("string") == ENROLLED, insurance.employer_credit_code.notnull()
        )
        parts["insured"] = _count(enrolled, "employer_credit_code", "insured")
    if patent is not None:
        granted = patent.filter(
            patent.grant_date.notnull(),
            patent.grant_date.cast("date") <= day,
            patent.applicant_credit_code.notnull(),
        )
        parts["patents"] = _count(granted, "applicant_credit_code", "patents")
    if cases is not None:
        poor = cases.filter(
            cases.rating.cast("string") == POOR_RATING, cases.applicant_credit_code.notnull()
        )
        parts["complaints"] = _count(poor, "applicant_credit_code", "complaints")

    joined = base
    for part in parts.values():
        joined = joined.left_join(part, "credit_code").drop("credit_code_right")
    zero = ibis.literal(0, "int64")

    def column(name: str) -> Any:
        return joined[name].fill_null(0).cast("int64") if name in joined.columns else zero

    penalties = column("penalties")
    industry = joined.industry_code.fill_null("")
    food = ibis.or_(*(industry.startswith(p) for p in credit.FOOD_PREFIXES))
    equipment = ibis.or_(*(industry.startswith(p) for p in credit.SPECIAL_EQUIPMENT_PREFIXES))
    with_points = joined.select(
        "credit_code",
        "enterprise_name",
        "county_code",
        "industry_code",
        "legal_representative",
        "young",
        "irregular_status",
        no_tax=(column("taxed") == 0).cast("int64") if "taxed" in parts else zero,
        no_insured=(column("insured") == 0).cast("int64") if "insured" in parts else zero,
        penalties=penalties,
        abnormal_listed=column("abnormal_listed"),
        complaints=column("complaints"),
        patents=column("patents"),
        food_penalties=ibis.ifelse(food, penalties, zero),
        equipment_penalties=ibis.ifelse(equipment & ~food, penalties, zero),
    )
    # Related parties: other enterprises of the same legal representative that are listed as
    # abnormal or penalised (taken from the narrow parts, not from the wide table above).
    flagged = [
        parts[name].select("credit_code")
        for name in ("penalties", "abnormal_listed")
        if name in parts
    ]
    people = base.select("credit_code", "legal_representative").filter(
        base.legal_representative.notnull()
    )
    if flagged:
        codes = flagged[0].union(*flagged[1:], distinct=True) if len(flagged) > 1 else flagged[0]
        risky = people.semi_join(codes, "credit_code").select(
            other_code=_.credit_code, other_person=_.legal_representative
        )
        links = (
            people.join(
                risky,
                [
                    people.legal_representative == risky.other_person,
                    people.credit_code != risky.other_code,
                ],
            )
            .group_by("credit_code")
            .aggregate(related_risk=ibis._.count())
        )
    else:
        links = people.select("credit_code").limit(0).mutate(related_risk=zero)
    out = with_points.left_join(links, "credit_code").drop("credit_code_right")
    return out.mutate(related_risk=out.related_risk.fill_null(0).cast("int64")).drop(
        "legal_representative"
    )


def scored(table: Any, *, weights: Mapping[str, float], cuts: tuple[float, float, float]) -> Any:
    """``indicators`` with ``score`` and ``credit_class`` (as ``credit.score``/``classify``)."""
    deduction: Any = ibis.literal(0.0)
    for item in credit.INDICATORS:
        counted = ibis.least(ibis.greatest(table[item.code], 0), item.cap)
        deduction = deduction + counted.cast("float64") * float(weights[item.code])
    value = ibis.least(ibis.greatest(100.0 - deduction, 0.0), 100.0).round(2)
    with_score = table.mutate(score=value)
    a, b, c = cuts
    grade = ibis.cases(
        (with_score.score >= a, "A"),
        (with_score.score >= b, "B"),
        (with_score.score >= c, "C"),
        else_="D",
    )
    return with_score.mutate(credit_class=grade).select(*OUTPUT_COLUMNS)


def classify(
    *,
    tables: Mapping[str, Any],
    as_of: date,
    weights: Mapping[str, float],
    cuts: tuple[float, float, float],
) -> Any:
    """The whole pipeline: ``tables`` maps the input names above to Ibis tables."""
    return scored(indicators(as_of=as_of, **tables), weights=weights, cuts=cuts)
