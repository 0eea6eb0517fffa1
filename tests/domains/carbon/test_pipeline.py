"""The Ibis carbon pipeline on DuckDB: accounting, evaluation, bad input, sector accounts."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import ibis
import pyarrow as pa
import pytest

from shuzhi.domains.carbon import pipeline
from shuzhi.domains.carbon.standard import DEFAULT_FACTORS, SOURCES, grid_factor

from .pipeline_cases import ENTERPRISES, GROSS_PER_VA, HEAT_H1, NEGATIVE_N1, YEAR, run, tables

# Factors computed here from the STANDARDS.md table, independently of standard.py
COAL = 20.908 * 26.37 / 1000 * 0.94 * 44 / 12  # tCO2/t
GAS = 389.31 * 15.3 / 1000 * 0.99 * 44 / 12  # tCO2 per 10^4 Nm3
GASOLINE = 43.070 * 18.9 / 1000 * 0.98 * 44 / 12
GRID = 0.5153  # 2023, 330800 → Zhejiang 2022 (no 2023 provincial factor)
HEAT = 0.11


@pytest.fixture(scope="module")
def con() -> Any:
    return ibis.duckdb.connect()


@pytest.fixture(scope="module")
def result(con: Any) -> dict[str, Any]:
    return run(con)


def _by_code(result: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["credit_code"]: r for r in result["records"]}


def _expected_month(code: str) -> float:
    _, _, kwh, m3, coal, _ = ENTERPRISES[code]
    return kwh / 1000 * GRID + m3 / 10_000 * GAS + coal * COAL


def test_monthly_rows_and_year_filter(result: dict[str, Any]) -> None:
    a1 = [r for r in result["monthly"] if r["credit_code"] == "A1"]
    assert len(a1) == 12  # the December row of the previous year is not counted
    assert all(r["month"].year == YEAR for r in a1)
    first = a1[0]
    assert first["electricity_tco2"] == pytest.approx(10 * GRID)
    assert first["natural_gas_tco2"] == pytest.approx(0.05 * GAS)
    assert first["raw_coal_tco2"] == pytest.approx(COAL)
    assert first["total_tco2"] == pytest.approx(_expected_month("A1"))
    assert first["factor_version"] == "default-2024"


def test_annual_totals_and_by_source(result: dict[str, Any]) -> None:
    a2 = _by_code(result)["A2"]
    assert a2["total_tco2"] == pytest.approx(12 * _expected_month("A2"))
    assert a2["months_reported"] == 12
    assert set(a2["by_source"]) == {"electricity", "natural_gas", "raw_coal"}
    assert sum(a2["by_source"].values()) == pytest.approx(a2["total_tco2"], abs=1e-4)
    assert a2["value_added"] == pytest.approx(12 * 35.0)
    assert a2["gross_output"] == pytest.approx(12 * 35.0 * GROSS_PER_VA)
    assert a2["intensity"] == pytest.approx(a2["total_tco2"] / (12 * 35.0))
    assert a2["problems"] == []


def test_heat_exports_and_gasoline_are_counted(result: dict[str, Any]) -> None:
    h1 = _by_code(result)["H1"]
    expected = {
        "electricity": 12 * 12 * GRID,
        "heat": 12 * HEAT_H1["heat_purchased_gj"] * HEAT,
        "exported_electricity": -12 * HEAT_H1["electricity_exported_kwh"] / 1000 * GRID,
        "exported_heat": -12 * HEAT_H1["heat_exported_gj"] * HEAT,
        "gasoline": 12 * HEAT_H1["gasoline_t"] * GASOLINE,
    }
    assert h1["by_source"] == pytest.approx(expected, abs=1e-5)
    assert h1["total_tco2"] == pytest.approx(sum(expected.values()))


def test_industry_advancement_and_efficiency_code(result: dict[str, Any]) -> None:
    records = _by_code(result)
    peers = [r for r in records.values() if r["industry_code"] == "C26" and not r["problems"]]
    assert sorted(r["credit_code"] for r in peers) == ["A1", "A2", "A3", "A4", "H1"]
    benchmark = sum(r["total_tco2"] for r in peers) / sum(r["value_added"] for r in peers)
    for r in peers:
        k = r["intensity"] / benchmark
        assert r["advancement"] == pytest.approx(k)
        assert r["industry_intensity"] == pytest.approx(benchmark)
        level = 1 if k <= 0.6 else 2 if k <= 0.8 else 3 if k <= 1.2 else 4 if k <= 2.0 else 5
        assert r["efficiency_level"] == level
        assert r["explanation"]["efficiency_code"]["K"] == pytest.approx(k, abs=1e-6)
    # the data spread the levels (so the check above means something)
    assert len({r["efficiency_level"] for r in peers}) >= 3


def test_regional_contribution(result: dict[str, Any]) -> None:
    graded = [r for r in result["records"] if not r["problems"]]
    for r in graded:
        county = [g for g in graded if g["county_code"] == r["county_code"]]
        e_share = r["total_tco2"] / sum(g["total_tco2"] for g in county)
        o_share = r["gross_output"] / sum(g["gross_output"] for g in county)
        assert r["contribution"] == pytest.approx(e_share / o_share)
        assert r["explanation"]["contribution"]["emissions_share"] == pytest.approx(
            e_share, abs=1e-6
        )


def test_historical_decline_uses_three_previous_years(result: dict[str, Any]) -> None:
    records = _by_code(result)
    a1 = records["A1"]
    assert a1["baseline_intensity"] == pytest.approx((1.0 + 0.8) / 2)
    assert a1["history_years"] == 2
    assert a1["decline"] == pytest.approx((0.9 - a1["intensity"]) / 0.9)
    a3 = records["A3"]  # its only history is five years back: no decline
    assert a3["decline"] is None
    assert a3["explanation"]["decline"]["available"] is False
    assert a3["score"] == pytest.approx((a3["advancement_score"] + a3["contribution_score"]) / 2)
    a4 = records["A4"]
    assert a4["score"] == pytest.approx(
        (a4["advancement_score"] + a4["contribution_score"] + a4["decline_score"]) / 3
    )


def test_colours_follow_score_within_industry(result: dict[str, Any]) -> None:
    peers = [r for r in result["records"] if r["industry_code"] == "C26" and not r["problems"]]
    peers.sort(key=lambda r: r["score"])
    # five distinct scores: mid-rank positions 0.1, 0.3, 0.5, 0.7, 0.9
    assert [r["position"] for r in peers] == pytest.approx([0.1, 0.3, 0.5, 0.7, 0.9])
    assert [r["colour"] for r in peers] == ["red", "yellow", "yellow", "light_green", "dark_green"]
    best = peers[-1]["explanation"]
    assert best["colour"] == "dark_green"
    assert best["rule"]["cuts"] == [0.25, 0.5, 0.75]


def test_an_enterprise_alone_in_its_industry_is_in_the_middle(result: dict[str, Any]) -> None:
    b1 = _by_code(result)["B1"]
    assert b1["advancement"] == pytest.approx(1.0)
    assert b1["efficiency_level"] == 3
    assert b1["score"] == pytest.approx(0.5)
    assert b1["colour"] == "yellow"


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ("M1", "missing_months"),
        ("N1", "negative_readings"),
        ("X1", "no_industry"),
        ("Z1", "zero_output"),
    ],
)
def test_bad_input_is_a_problem_not_a_grade(
    result: dict[str, Any], code: str, problem: str
) -> None:
    r = _by_code(result)[code]
    assert [p["code"] for p in r["problems"]] == [problem]
    assert r["problems"][0]["detail"]
    assert r["colour"] is None
    assert r["efficiency_level"] is None
    assert r["score"] is None
    assert r["total_tco2"] > 0  # emissions are still computed


def test_problem_details(result: dict[str, Any]) -> None:
    records = _by_code(result)
    assert records["M1"]["months_reported"] == 10
    assert records["M1"]["total_tco2"] == pytest.approx(10 * _expected_month("M1"))
    n1 = records["N1"]
    assert n1["negative_readings"] == 1
    assert NEGATIVE_N1 < 0
    assert n1["by_source"]["electricity"] == pytest.approx(11 * 7 * GRID)  # March not used
    assert records["Z1"]["intensity"] is None


def test_run_report_counts(result: dict[str, Any]) -> None:
    report = pipeline.run_report(result["records"])
    assert report["enterprises"] == len(ENTERPRISES)
    assert report["graded"] == 6
    assert report["problems"] == {
        "missing_months": 1,
        "negative_readings": 1,
        "no_industry": 1,
        "zero_output": 1,
    }
    assert sum(report["colours"].values()) == 6
    assert report["total_tco2"] == pytest.approx(sum(r["total_tco2"] for r in result["records"]))


def test_weights_setting_changes_the_ranking(con: Any) -> None:
    only_intensity = run(con, weights=(1, 0, 0))["records"]
    peers = [r for r in only_intensity if r["industry_code"] == "C26" and not r["problems"]]
    by_intensity = [r["credit_code"] for r in sorted(peers, key=lambda r: r["intensity"])]
    by_colour = [r["credit_code"] for r in sorted(peers, key=lambda r: -r["position"])]
    assert by_colour == by_intensity
    assert only_intensity[0]["explanation"]["rule"]["weights"]["contribution"] == 0.0


def test_no_history_and_no_heat_table(con: Any) -> None:
    t = {name: ibis.memtable(table) for name, table in tables().items()}
    graded = pipeline.accounts(
        electricity=t["electricity"],
        gas=t["gas"],
        coal_oil=t["coal_oil"],
        heat=None,
        output=t["output"],
        history=None,
        factors=DEFAULT_FACTORS,
        year=YEAR,
        region="330800",
    )
    records = {r["credit_code"]: r for r in pipeline.to_records(graded, con=con)}
    assert records["H1"]["by_source"] == pytest.approx({"electricity": 12 * 12 * GRID})
    assert all(r["decline"] is None for r in records.values())
    assert records["A1"]["colour"] is not None


def test_an_empty_history_table_is_no_history(con: Any) -> None:
    t = {name: ibis.memtable(table) for name, table in tables().items()}
    empty = ibis.memtable(
        {"credit_code": [], "year": [], "intensity": []}, schema=pipeline.history_schema()
    )
    graded = pipeline.accounts(
        electricity=t["electricity"],
        gas=None,
        coal_oil=None,
        heat=None,
        output=t["output"],
        history=empty,
        factors=DEFAULT_FACTORS,
        year=YEAR,
        region="330800",
    )
    records = pipeline.to_records(graded, con=con)
    a1 = next(r for r in records if r["credit_code"] == "A1")
    assert a1["decline"] is None
    assert a1["total_tco2"] == pytest.approx(12 * 10 * GRID)


def test_sector_accounts(result: dict[str, Any]) -> None:
    rows = {(r["domain"], r["activity"], r["unit"]): r for r in result["sectors"]}
    household = rows[("household", "household_electricity", "MWh")]
    assert household["quantity"] == pytest.approx(3_000)  # 2,000,000 kWh + 1,000 MWh
    assert household["tco2"] == pytest.approx(3_000 * 0.5153)
    forest = rows[("agriculture", "forest_sink", "ha")]
    assert forest["quantity"] == pytest.approx(100)  # 1,500 mu
    assert forest["tco2"] == pytest.approx(-367.0)  # a sink
    diesel = rows[("transport", "vehicle_diesel", "t")]
    assert diesel["tco2"] == pytest.approx(10 * 42.652 * 20.2 / 1000 * 0.98 * 44 / 12, rel=1e-4)
    unknown = rows[("transport", "vehicle_diesel", "barrel")]
    assert unknown["factor"] is None
    assert unknown["tco2"] is None
    assert not any(r["domain"] == "buildings" for r in result["sectors"])  # another year


# --- accounts(): the annual accounts straight from the inputs ------------------------------------


def edge_tables() -> dict[str, pa.Table]:
    """The shared tables plus enterprises the one-aggregation path must treat as the chain does:
    output only (O1), heat only and no keys (Q1), blank keys in every table (W1), keys that
    disagree between tables (B1's output name), a negative gross output (A3, one month) and a
    month reported in two energy tables (A1's gas and electricity, as every month)."""
    t = tables()

    def add(name: str, rows: list[dict[str, Any]]) -> None:
        extra = pa.Table.from_pylist(rows, schema=t[name].schema)
        t[name] = pa.concat_tables([t[name], extra])

    months = [dt.date(YEAR, m, 1) for m in range(1, 13)]
    keys = {"enterprise_name": "W1", "county_code": "  ", "industry_code": " "}
    add(
        "output",
        [
            {
                "credit_code": "O1",
                "enterprise_name": "O1 only output",
                "county_code": "330802",
                "industry_code": "C26",
                "month": m,
                "gross_output": Decimal("35"),
                "value_added": Decimal("10"),
            }
            for m in months
        ]
        + [
            {
                "credit_code": "W1",
                **keys,
                "month": m,
                "gross_output": Decimal("35"),
                "value_added": Decimal("10"),
            }
            for m in months
        ]
        + [
            {
                "credit_code": "B1",
                "enterprise_name": "B1 another name",
                "county_code": "330802",
                "industry_code": "C30",
                "month": months[0],
                "gross_output": Decimal("-1"),
                "value_added": Decimal("0"),
            },
        ],
    )
    add(
        "electricity",
        [
            {"credit_code": "W1", **keys, "month": m, "electricity_kwh": Decimal("1000")}
            for m in months
        ],
    )
    add(
        "heat",
        [
            {"credit_code": "Q1", "month": m, **{c: Decimal("1") for c in HEAT_H1}}
            for m in months[:3]
        ],
    )
    return t


def chain(t: Mapping[str, Any], *, registry: Any = None, weights: Any = (1, 1, 1)) -> Any:
    """monthly_emissions → annual_accounts → evaluate, as the run service calls them."""
    monthly = pipeline.monthly_emissions(
        electricity=t["electricity"],
        gas=t["gas"],
        coal_oil=t["coal_oil"],
        heat=t["heat"],
        factors=DEFAULT_FACTORS,
        year=YEAR,
        region="330800",
    )
    if registry is None:
        registry = pipeline.enterprise_keys(t["electricity"], t["gas"], t["coal_oil"], t["output"])
    annual = pipeline.annual_accounts(
        monthly=monthly, output=t["output"], registry=registry, year=YEAR, factors=DEFAULT_FACTORS
    )
    return pipeline.evaluate(annual=annual, history=t["history"], weights=weights, year=YEAR)


def direct(t: Mapping[str, Any], *, registry: Any = None, weights: Any = (1, 1, 1)) -> Any:
    return pipeline.accounts(
        electricity=t["electricity"],
        gas=t["gas"],
        coal_oil=t["coal_oil"],
        heat=t["heat"],
        output=t["output"],
        registry=registry,
        history=t["history"],
        factors=DEFAULT_FACTORS,
        year=YEAR,
        region="330800",
        weights=weights,
    )


def same_records(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> None:
    """Equal records, floats to 1e-9 (sums in another order)."""

    def same(x: Any, y: Any, path: str) -> None:
        if isinstance(x, dict):
            assert isinstance(y, dict), path
            assert set(x) == set(y), path
            for key in x:
                same(x[key], y[key], f"{path}.{key}")
        elif isinstance(x, list):
            assert isinstance(y, list), path
            assert len(x) == len(y), path
            for i, (p, q) in enumerate(zip(x, y, strict=True)):
                same(p, q, f"{path}[{i}]")
        elif isinstance(x, float) or isinstance(y, float):
            assert x is not None, path
            assert y is not None, path
            assert math.isclose(x, y, rel_tol=1e-9, abs_tol=1e-9), (path, x, y)
        else:
            assert x == y, (path, x, y)

    assert [r["credit_code"] for r in a] == [r["credit_code"] for r in b]
    for r, s in zip(a, b, strict=True):
        same(r, s, r["credit_code"])


@pytest.mark.parametrize("weights", [(1, 1, 1), (0, 0, 1)])
def test_accounts_equal_the_monthly_chain(con: Any, weights: Any) -> None:
    t = {name: ibis.memtable(table) for name, table in edge_tables().items()}
    fast = pipeline.to_records(direct(t, weights=weights), weights=weights, con=con)
    slow = pipeline.to_records(chain(t, weights=weights), weights=weights, con=con)
    same_records(fast, slow)
    records = {r["credit_code"]: r for r in fast}
    assert records["O1"]["months_reported"] == 0  # output only: an account, all months missing
    assert records["O1"]["total_tco2"] == 0.0
    assert records["Q1"]["months_reported"] == 3
    assert {p["code"] for p in records["Q1"]["problems"]} >= {"no_industry", "no_county"}
    assert records["W1"]["industry_code"] is None  # blanks are no key
    assert records["W1"]["county_code"] is None
    assert records["A1"]["months_reported"] == 12  # electricity and gas: still 12 months
    assert records["B1"]["name"] == "B1 公司"  # the largest of the tables' names
    assert records["B1"]["negative_readings"] == 1
    assert records["B1"]["output_months"] == 12


def test_accounts_with_a_registry_and_without_output(con: Any) -> None:
    t = {name: ibis.memtable(table) for name, table in edge_tables().items()}
    registry = ibis.memtable(
        {
            "credit_code": ["A1", "A2", "B1"],
            "name": ["A1 registered", "A2 registered", "B1 registered"],
            "county_code": ["330802", "330802", "330803"],
            "industry_code": ["C26", "C26", "C30"],
        }
    )
    same_records(
        pipeline.to_records(direct(t, registry=registry), con=con),
        pipeline.to_records(chain(t, registry=registry), con=con),
    )
    no_output = {**t, "output": None}
    fast = pipeline.annual_from_inputs(
        electricity=t["electricity"],
        gas=None,
        coal_oil=t["coal_oil"],
        heat=t["heat"],
        output=None,
        factors=DEFAULT_FACTORS,
        year=YEAR,
        region="330800",
    )
    monthly = pipeline.monthly_emissions(
        electricity=t["electricity"],
        gas=None,
        coal_oil=t["coal_oil"],
        heat=t["heat"],
        factors=DEFAULT_FACTORS,
        year=YEAR,
        region="330800",
    )
    slow = pipeline.annual_accounts(
        monthly=monthly,
        output=no_output["output"],
        registry=pipeline.enterprise_keys(t["electricity"], t["coal_oil"]),
        year=YEAR,
        factors=DEFAULT_FACTORS,
    )
    a = con.to_pyarrow(fast.order_by("credit_code")).to_pylist()
    b = con.to_pyarrow(slow.order_by("credit_code")).to_pylist()
    same_records(a, b)
    assert all(r["zero_output"] for r in a)


def test_records_equal_the_row_by_row_functions(con: Any) -> None:
    t = {name: ibis.memtable(table) for name, table in edge_tables().items()}
    grid = grid_factor(DEFAULT_FACTORS, YEAR, "330800")
    arrow = con.to_pyarrow(direct(t).order_by("credit_code"))
    records = pipeline.records_of(arrow, weights=(1, 2, 3), cuts=(0.2, 0.4, 0.6), grid=grid)
    for row, record in zip(arrow.to_pylist(), records, strict=True):
        for key, value in row.items():
            if isinstance(value, float) and math.isnan(value):
                row[key] = None
        assert record["problems"] == pipeline.problems_of(row)
        assert record["explanation"] == pipeline.explanation_of(
            row, weights=(1, 2, 3), cuts=(0.2, 0.4, 0.6), grid=grid
        )
        assert record["by_source"] == {
            s: round(row[f"{s}_tco2"], 6) for s in SOURCES if row[f"{s}_tco2"]
        }
        assert {k: record[k] for k in row} == row
