"""Shared inputs of the carbon pipeline tests (DuckDB and PySpark run the very same tables).

Enterprises (credit codes are short stand-ins; the pipeline does not validate them):

* A1–A4: industry C26, full year, distinct intensities, counties 330802 / 330803;
* B1: industry C30 alone;
* M1: C26, only 10 months of energy, output for all 12 (missing_months);
* N1: C26, one negative electricity reading (negative_readings);
* X1: no industry code (no_industry);
* Z1: C26, value added zero (zero_output);
* H1: C26, purchased heat, exported electricity and heat, gasoline (heat/export table).

Quantities are DECIMAL(38, 10), as the warehouse stores them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pyarrow as pa

YEAR = 2023
DEC = pa.decimal128(38, 10)

# credit_code: (county, industry, kWh/month, m3 gas/month, t coal/month, value added/month)
ENTERPRISES: dict[str, tuple[str, str | None, float, float, float, float]] = {
    "A1": ("330802", "C26", 10_000, 500, 1.0, 40.0),
    "A2": ("330802", "C26", 20_000, 800, 3.0, 35.0),
    "A3": ("330803", "C26", 5_000, 200, 0.5, 50.0),
    "A4": ("330803", "C26", 40_000, 1_500, 6.0, 30.0),
    "B1": ("330802", "C30", 8_000, 100, 0.0, 20.0),
    "M1": ("330802", "C26", 9_000, 300, 1.0, 25.0),
    "N1": ("330803", "C26", 7_000, 300, 1.0, 25.0),
    "X1": ("330803", None, 7_000, 300, 1.0, 25.0),
    "Z1": ("330802", "C26", 7_000, 300, 1.0, 0.0),
    "H1": ("330803", "C26", 12_000, 0, 0.0, 45.0),
}
GROSS_PER_VA = 3.5  # gross output = 3.5 × value added (gross of Z1 stays positive: 10)

HEAT_H1 = {
    "heat_purchased_gj": 100.0,
    "electricity_exported_kwh": 2_000.0,
    "heat_exported_gj": 10.0,
    "gasoline_t": 0.5,
}
NEGATIVE_N1 = -3_000.0  # N1's March electricity reading


def _months() -> list[dt.date]:
    return [dt.date(YEAR, m, 1) for m in range(1, 13)]


def _d(value: float) -> Decimal:
    return Decimal(str(value))


def tables() -> dict[str, pa.Table]:
    """electricity, gas, coal_oil, heat, output and history as Arrow tables."""
    elec: dict[str, list[Any]] = {
        k: []
        for k in (
            "credit_code",
            "enterprise_name",
            "county_code",
            "industry_code",
            "month",
            "electricity_kwh",
        )
    }
    gas: dict[str, list[Any]] = {k: [] for k in ("credit_code", "month", "gas_m3")}
    coal: dict[str, list[Any]] = {
        k: [] for k in ("credit_code", "month", "raw_coal_t", "fuel_oil_t", "diesel_t", "lpg_t")
    }
    heat: dict[str, list[Any]] = {k: [] for k in ("credit_code", "month", *HEAT_H1)}
    out: dict[str, list[Any]] = {
        k: []
        for k in (
            "credit_code",
            "enterprise_name",
            "county_code",
            "industry_code",
            "month",
            "gross_output",
            "value_added",
        )
    }
    for code, (county, industry, kwh, m3, coal_t, va) in ENTERPRISES.items():
        for month in _months():
            for key, value in zip(
                out,
                (
                    code,
                    f"{code} 公司",
                    county,
                    industry,
                    month,
                    _d(va * GROSS_PER_VA + (10 if va == 0 else 0)),
                    _d(va),
                ),
                strict=True,
            ):
                out[key].append(value)
            if code == "M1" and month.month in (11, 12):
                continue
            reading = NEGATIVE_N1 if code == "N1" and month.month == 3 else kwh
            for key, value in zip(
                elec,
                (code, f"{code} 公司", county, industry, month, _d(reading)),
                strict=True,
            ):
                elec[key].append(value)
            if m3:
                gas["credit_code"].append(code)
                gas["month"].append(month)
                gas["gas_m3"].append(_d(m3))
            if coal_t:
                for key, value in zip(
                    coal, (code, month, _d(coal_t), _d(0), _d(0), _d(0)), strict=True
                ):
                    coal[key].append(value)
            if code == "H1":
                heat["credit_code"].append(code)
                heat["month"].append(month)
                for key, value in HEAT_H1.items():
                    heat[key].append(_d(value))
    # a row of another year must be ignored
    elec_rows = {k: [*v, v[0]] for k, v in elec.items()}
    elec_rows["month"][-1] = dt.date(YEAR - 1, 12, 1)

    def table(columns: dict[str, list[Any]], decimals: tuple[str, ...]) -> pa.Table:
        arrays = {}
        for name, values in columns.items():
            if name == "month":
                arrays[name] = pa.array(values, pa.date32())
            elif name in decimals:
                arrays[name] = pa.array(values, DEC)
            else:
                arrays[name] = pa.array(values, pa.string())
        return pa.table(arrays)

    history = pa.table(
        {
            "credit_code": pa.array(["A1", "A1", "A2", "A3", "A4"], pa.string()),
            "year": pa.array([YEAR - 1, YEAR - 2, YEAR - 1, YEAR - 5, YEAR - 1], pa.int64()),
            "intensity": pa.array([1.0, 0.8, 0.5, 9.0, 3.0], pa.float64()),
        }
    )
    return {
        "electricity": table(elec_rows, ("electricity_kwh",)),
        "gas": table(gas, ("gas_m3",)),
        "coal_oil": table(coal, ("raw_coal_t", "fuel_oil_t", "diesel_t", "lpg_t")),
        "heat": table(heat, tuple(HEAT_H1)),
        "output": table(out, ("gross_output", "value_added")),
        "history": history,
    }


def sector_table() -> pa.Table:
    rows = [
        ("household", "330802", YEAR, "household_electricity", 2_000_000.0, "kWh"),
        ("household", "330802", YEAR, "household_electricity", 1_000.0, "MWh"),
        ("agriculture", "330803", YEAR, "forest_sink", 1_500.0, "mu"),
        ("transport", "330803", YEAR, "vehicle_diesel", 10.0, "t"),
        ("transport", "330803", YEAR, "vehicle_diesel", 5.0, "barrel"),  # unknown unit
        ("buildings", "330802", YEAR - 1, "building_electricity", 99.0, "MWh"),  # other year
    ]
    names = ("domain", "county_code", "year", "activity", "quantity", "unit")
    return pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)})


def run(
    con: Any,
    *,
    weights: Any = (1, 1, 1),
    cuts: Any = (0.25, 0.5, 0.75),
    load: Callable[[str, pa.Table], Any] | None = None,
) -> dict[str, Any]:
    """Run the whole pipeline on the backend ``con``: records, monthly rows and sectors.

    ``load(name, arrow_table)`` makes an Ibis table of the backend; by default a memtable.
    """
    import ibis

    def memtable(name: str, table: pa.Table) -> Any:
        return ibis.memtable(table)

    load = load or memtable

    from shuzhi.domains.carbon import pipeline
    from shuzhi.domains.carbon.standard import DEFAULT_FACTORS, grid_factor

    t = {name: load(name, table) for name, table in tables().items()}
    monthly = pipeline.monthly_emissions(
        electricity=t["electricity"],
        gas=t["gas"],
        coal_oil=t["coal_oil"],
        heat=t["heat"],
        factors=DEFAULT_FACTORS,
        year=YEAR,
        region="330800",
    )
    annual = pipeline.annual_accounts(
        monthly=monthly,
        output=t["output"],
        registry=pipeline.enterprise_keys(t["electricity"], t["output"]),
        year=YEAR,
        factors=DEFAULT_FACTORS,
    )
    graded = pipeline.evaluate(annual=annual, history=t["history"], weights=weights, cuts=cuts)
    records = pipeline.to_records(
        graded,
        weights=weights,
        cuts=cuts,
        grid=grid_factor(DEFAULT_FACTORS, YEAR, "330800"),
        con=con,
    )
    sectors = con.to_pyarrow(
        pipeline.sector_accounts(
            activities=load("sector_activities", sector_table()), factors=DEFAULT_FACTORS, year=YEAR
        ).order_by(["domain", "county_code", "activity", "unit"])
    ).to_pylist()
    monthly_rows = con.to_pyarrow(monthly.order_by(["credit_code", "month"])).to_pylist()
    return {"records": records, "monthly": monthly_rows, "sectors": sectors}
