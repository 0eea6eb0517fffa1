"""The scoring standard (pure Python) and the Ibis pipeline on DuckDB give the same numbers."""

from __future__ import annotations

from datetime import date

import ibis
import pytest

from shuzhi.domains.market import credit, credit_pipeline

WEIGHTS = credit.parse_weights([])
CUTS = credit.parse_cuts(credit.DEFAULT_CUTS)


def test_points_are_capped_and_the_score_clamped() -> None:
    assert credit.score({"penalties": 9}, WEIGHTS) == 70.0  # capped at 3
    assert credit.score({"penalties": -4}, WEIGHTS) == 100.0
    worst = {i.code: i.cap for i in credit.INDICATORS if WEIGHTS[i.code] > 0}
    assert credit.score(worst, WEIGHTS) == 0.0


def test_classes_follow_the_cuts() -> None:
    assert [credit.classify(s, CUTS) for s in (100, 90, 80, 75, 70, 60, 10)] == list("AABBCCD")


def test_weights_are_settings_and_bad_ones_are_refused() -> None:
    weights = credit.parse_weights(["penalties=1"])
    assert credit.score({"penalties": 2}, weights) == 98.0
    with pytest.raises(ValueError, match="indicator=weight"):
        credit.parse_weights(["penalties"])
    with pytest.raises(ValueError, match="fall strictly"):
        credit.parse_cuts(["60", "75", "90"])


def test_explanation_names_the_drivers_largest_first() -> None:
    drivers = credit.explain({"young": 1, "abnormal_listed": 1, "penalties": 1}, WEIGHTS)
    assert [d["indicator"] for d in drivers] == ["abnormal_listed", "penalties", "young"]
    assert drivers[0] == {
        "indicator": "abnormal_listed",
        "group": "supervision",
        "points": 1,
        "deduction": 20.0,
    }


def test_professional_fields_by_industry_code() -> None:
    assert credit.field_of("C1391") == "food"
    assert credit.field_of("C3435") == "special_equipment"
    assert credit.field_of("") == ""


def _registry() -> ibis.Table:
    rows = [
        ("X1", "H6210", "甲", date(2010, 1, 1), "存续"),
        ("X2", "C2221", "甲", date(2025, 6, 1), "存续"),
        ("X3", "C3435", "乙", date(2010, 1, 1), "吊销"),
        ("X4", None, None, date(2010, 1, 1), "存续"),
    ]
    return ibis.memtable(
        [
            {
                "credit_code": c,
                "enterprise_name": c,
                "county_code": "330802",
                "industry_code": i,
                "legal_representative": p,
                "established_on": e,
                "status": s,
            }
            for c, i, p, e, s in rows
        ],
        schema={
            "credit_code": "string",
            "enterprise_name": "string",
            "county_code": "string",
            "industry_code": "string",
            "legal_representative": "string",
            "established_on": "date",
            "status": "string",
        },
    )


def test_pipeline_on_duckdb_counts_every_indicator_and_matches_the_standard() -> None:
    tables = {
        "registry": _registry(),
        "penalty": ibis.memtable(
            {
                "credit_code": ["X1", "X1", "X3", "X3"],
                "decided_on": [
                    date(2025, 1, 1),
                    date(2023, 1, 1),
                    date(2020, 1, 1),
                    date(2026, 1, 1),
                ],
            }
        ),
        "abnormal": ibis.memtable(
            {
                "credit_code": ["X3", "X4"],
                "listed_on": [date(2024, 1, 1), date(2023, 1, 1)],
                "removed_on": [None, date(2024, 1, 1)],
            },
            schema={"credit_code": "string", "listed_on": "date", "removed_on": "date"},
        ),
        "tax": ibis.memtable(
            {
                "credit_code": ["X1", "X2", "X4"],
                "quarter": [date(2025, 7, 1)] * 3,
                "total_tax": [1.0, 0.0, 5.0],
            }
        ),
        "insurance": ibis.memtable({"employer_credit_code": ["X1"], "status": ["正常参保"]}),
        "patent": ibis.memtable(
            {"applicant_credit_code": ["X4", "X4"], "grant_date": [date(2024, 1, 1), None]},
            schema={"applicant_credit_code": "string", "grant_date": "date"},
        ),
        "cases": ibis.memtable(
            {"applicant_credit_code": ["X2", "X2"], "rating": ["不满意", "满意"]}
        ),
    }
    expression = credit_pipeline.classify(
        tables=tables, as_of=date(2025, 11, 1), weights=WEIGHTS, cuts=CUTS
    )
    con = ibis.duckdb.connect()
    out = {r["credit_code"]: r for r in con.to_pyarrow(expression).to_pylist()}
    x1, x2, x3, x4 = out["X1"], out["X2"], out["X3"], out["X4"]
    assert (x1["penalties"], x1["food_penalties"], x1["no_insured"], x1["no_tax"]) == (2, 2, 0, 0)
    assert (x2["young"], x2["related_risk"], x2["no_tax"], x2["complaints"]) == (1, 1, 1, 1)
    assert (x3["irregular_status"], x3["abnormal_listed"], x3["penalties"]) == (1, 1, 0)
    assert x3["equipment_penalties"] == 0  # its penalties are out of the window
    assert (x4["abnormal_listed"], x4["patents"], x4["related_risk"]) == (0, 1, 0)
    for row in out.values():
        points = {code: row[code] for code in credit.INDICATOR_CODES}
        assert row["score"] == credit.score(points, WEIGHTS)
        assert row["credit_class"] == credit.classify(row["score"], CUTS)


def test_pipeline_with_the_registry_only_counts_no_other_points() -> None:
    expression = credit_pipeline.classify(
        tables={"registry": _registry()}, as_of=date(2025, 11, 1), weights=WEIGHTS, cuts=CUTS
    )
    rows = ibis.duckdb.connect().to_pyarrow(expression).to_pylist()
    assert {r["credit_code"]: r["score"] for r in rows} == {
        "X1": 100.0,
        "X2": 95.0,
        "X3": 90.0,
        "X4": 100.0,
    }
