"""The carbon accounting pipeline (碳账户核算流水线): Ibis expressions, any backend, no Django.

This is the interface the run service calls. Every function takes and returns Ibis tables and
builds an expression only; nothing runs until the caller executes it (``.to_pyarrow()``), so the
same code runs on DuckDB (the embedded warehouse) and on Spark (the province).

    monthly = monthly_emissions(electricity=e, gas=g, coal_oil=c, heat=h,
                                factors=table, year=2023, region="330800")
    annual = annual_accounts(monthly=monthly, output=o, registry=enterprise_keys(e, g, c, o),
                             year=2023, factors=table)
    graded = evaluate(annual=annual, history=h, weights=(1, 1, 1), cuts=(0.25, 0.5, 0.75))
    records = to_records(graded, weights=..., cuts=..., grid=grid_factor(table, 2023, "330800"))
    report = run_report(records)

Inputs are the warehouse datasets' columns (shuzhi/demo/datasets.py): every table has
``credit_code`` and ``month`` (a date, first day of the month); the quantity columns are

* ``electricity`` (enterprise_electricity_monthly): ``electricity_kwh``;
* ``gas`` (enterprise_gas_monthly): ``gas_m3`` (m³ at standard conditions = Nm³);
* ``coal_oil`` (enterprise_coal_oil_monthly): ``raw_coal_t``, ``fuel_oil_t``, ``diesel_t``,
  ``lpg_t`` (and ``gasoline_t`` if present);
* ``heat`` (enterprise_heat_export_monthly, optional): ``heat_purchased_gj``,
  ``electricity_exported_kwh``, ``heat_exported_gj``, ``gasoline_t``;
* ``output`` (enterprise_output_monthly): ``gross_output`` and ``value_added`` (10⁴ yuan);
* ``registry``: ``credit_code``, ``enterprise_name`` (or ``name``), ``county_code``,
  ``industry_code`` — :func:`enterprise_keys` builds it from the energy and output tables.

Any of the energy tables may be ``None`` and any quantity column may be absent: that source is
then zero. Decimal columns are read as float64. A negative reading is not used (that source is
zero for that month) and is counted in ``negative_readings``.

Output columns (``SOURCE_COLUMNS`` lists the per-source ones, ``<source>_tco2`` for every
source of :data:`standard.SOURCES`; exports are negative so the parts add up to the total):

* :func:`monthly_emissions` — credit_code, month, <source>_tco2…, total_tco2,
  negative_readings, factor_version;
* :func:`annual_accounts` (and :func:`annual_from_inputs`, the same table straight from the
  input tables in one grouping of the energy readings, as :func:`accounts` uses it) —
  credit_code, year, name, county_code, industry_code,
  months_reported, negative_readings, <source>_tco2…, total_tco2, gross_output, value_added,
  output_months, intensity, factor_version and the problem flags (:data:`PROBLEM_FLAGS`) with
  ``gradable`` (no problem at all);
* :func:`evaluate` — the annual columns plus advancement, contribution, decline, score, colour
  ('dark_green', 'light_green', 'yellow', 'red' or null), efficiency_level (1–5 or null) and
  the numbers behind them (industry_intensity, industry_enterprises, county_tco2,
  county_gross_output, baseline_intensity, history_years, advancement_score,
  contribution_score, decline_score, position);
* :func:`sector_accounts` — domain, county_code, year, activity, quantity, unit, factor, tco2
  (``factor`` and ``tco2`` null when the table has no factor for the activity in that unit).

:func:`to_records` (:func:`records_of` for an executed Arrow table) executes an evaluated table
and returns one dict per enterprise with the JSON-ish parts built in Python: ``by_source``,
``problems`` ([{"code", "detail"}]) and ``explanation`` (the numbers behind each dimension,
the rule and the carbon-efficiency code).

The evaluation (三维评价) — every figure computed among the *gradable* enterprises only:

* 行业先进性 industry advancement = intensity L / industry average L, where L is tCO2 per 10⁴
  yuan of value added and the industry average is the industry's total tCO2 / total value
  added (lower is better; this ratio is also the 碳效码 K);
* 区域贡献度 regional contribution = (share of the county's tCO2) / (share of the county's gross
  output) (lower is better);
* 历史下降法 historical decline = (baseline − L) / baseline, baseline = mean L of the enterprise
  over the three previous years in ``history`` (higher is better; null without history, and the
  score then uses the other two dimensions, their weights re-normalised);
* each dimension becomes a mid-rank percentile within the industry (0–1, higher better; a tie
  shares the mid-point, an enterprise alone in its industry gets 0.5); score = weighted mean;
  position = mid-rank percentile of the score within the industry; colour = red up to the
  first cut, yellow up to the second, light green up to the third, dark green above.

An enterprise with any problem (missing months, negative readings, no industry code, no county,
zero or missing output) gets no colour and no level; its emissions are still computed.
"""

from __future__ import annotations

import gc
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import ibis
import ibis.expr.types as ir

from . import standard
from .standard import FactorTable, GridChoice

# --- Input columns -----------------------------------------------------------------------------

# input table -> {column: (source, multiplier to the source's base unit)}
INPUT_COLUMNS: Final[dict[str, dict[str, tuple[str, float]]]] = {
    "electricity": {"electricity_kwh": (standard.ELECTRICITY, 0.001)},
    "gas": {"gas_m3": ("natural_gas", 1e-4)},
    "coal_oil": {
        "raw_coal_t": ("raw_coal", 1.0),
        "fuel_oil_t": ("fuel_oil", 1.0),
        "gasoline_t": ("gasoline", 1.0),
        "diesel_t": ("diesel", 1.0),
        "lpg_t": ("lpg", 1.0),
    },
    "heat": {
        "heat_purchased_gj": (standard.HEAT, 1.0),
        "electricity_exported_kwh": (standard.EXPORTED_ELECTRICITY, 0.001),
        "heat_exported_gj": (standard.EXPORTED_HEAT, 1.0),
        "gasoline_t": ("gasoline", 1.0),
    },
}
SOURCE_COLUMNS: Final = tuple(f"{s}_tco2" for s in standard.SOURCES)

# flag column -> problem code; each flag is an int count or a boolean, > 0 / true is a problem
PROBLEM_FLAGS: Final = {
    "missing_months": "missing_months",  # 12 − months with any energy reading
    "negative_readings": "negative_readings",  # negative values, not used
    "no_industry": "no_industry",  # no industry code: no benchmark
    "no_county": "no_county",  # no county: no regional contribution
    "zero_output": "zero_output",  # value added or gross output zero or missing: no intensity
    "missing_output_months": "missing_output_months",  # 0 < output months < 12
}


def _f(value: float) -> ir.Value:
    return ibis.literal(float(value), type="float64")


_NULL_F = ibis.null().cast("float64")


# --- Monthly emissions -------------------------------------------------------------------------


def _in_year(table: ir.Table, year: int) -> ir.Table:
    """The rows of ``year``: a range of dates (an engine can skip blocks by their min/max and
    compares dates, where extracting the year of every row costs a function call each)."""
    month = table.month.cast("date")
    return table.filter((month >= ibis.date(year, 1, 1)) & (month < ibis.date(year + 1, 1, 1)))


_WHITESPACE_MAX: Final = " "  # the characters Ibis's strip() removes are all <= " " (code 32)


def _blank_to_null(value: ir.StringValue) -> ir.Value:
    """``value.strip().nullif("")``, stripping only values that start or end with a character
    <= " " (whitespace among them): the others are returned as they are, which is what
    stripping them gives, without the cost of trimming every value (DuckDB's TRIM with a set
    of characters costs several times a comparison of the ends)."""
    padded = (value.ascii_str() <= 32) | (value.right(1) <= _WHITESPACE_MAX)
    return ibis.ifelse(padded, value.strip(), value).nullif("")


def _signed(column: ir.Value) -> ir.Value:
    """A quantity column to compare with zero: itself if numeric (a decimal's sign is its
    float's; no conversion just to compare), else as float64."""
    return column if column.type().is_numeric() else column.cast("float64")


def _quantities(
    t: ir.Table, columns: Mapping[str, tuple[str, float]]
) -> tuple[dict[str, ir.Value], ir.Value]:
    """The quantity of every source (base units, 0 when absent or negative) and the negatives."""
    terms: dict[str, list[ir.Value]] = {s: [] for s in standard.SOURCES}
    negatives: list[ir.Value] = []
    for column, (source, multiplier) in columns.items():
        if column not in t.columns:
            continue
        raw = _signed(t[column])
        value = t[column].cast("float64")
        used = value if multiplier == 1.0 else value * multiplier
        terms[source].append(ibis.ifelse(raw >= 0, used, 0.0))
        negatives.append(ibis.ifelse(raw < 0, 1, 0).cast("int64"))
    quantities = {s: sum(found[1:], found[0]) if found else _f(0.0) for s, found in terms.items()}
    negative = sum(negatives[1:], negatives[0]) if negatives else ibis.literal(0, type="int64")
    return quantities, negative


def _standardise(table: ir.Table, columns: Mapping[str, tuple[str, float]], year: int) -> ir.Table:
    """One row per input row: credit_code, month, the quantity of every source (base units)."""
    t = _in_year(table, year)
    quantities, negative = _quantities(t, columns)
    return t.select(
        credit_code=t.credit_code.cast("string"),
        month=t.month.cast("date"),
        negative_readings=negative,
        **quantities,
    )


def _source_factors(factors: FactorTable, year: int, region: str) -> dict[str, float]:
    """tCO2 per base unit of every source (the grid factor chosen once for year and region)."""
    found = {}
    for source in standard.SOURCES:
        if source in standard.FUELS and source not in factors.fuels:
            found[source] = 0.0  # a factor set without this fuel: nothing to multiply by
        else:
            found[source] = float(standard.source_factor(source, factors, year, region)[0])
    return found


def monthly_emissions(
    *,
    electricity: ir.Table | None,
    gas: ir.Table | None,
    coal_oil: ir.Table | None,
    heat: ir.Table | None = None,
    factors: FactorTable,
    year: int,
    region: str,
) -> ir.Table:
    """Emissions of every enterprise and month of ``year``, by source (月度排放).

    The grid factor is chosen once for ``year`` and ``region`` (:func:`standard.grid_factor`).
    """
    inputs = {"electricity": electricity, "gas": gas, "coal_oil": coal_oil, "heat": heat}
    parts = [
        _standardise(table, INPUT_COLUMNS[name], year)
        for name, table in inputs.items()
        if table is not None
    ]
    if not parts:
        raise ValueError("monthly_emissions needs at least one energy table")
    rows = parts[0].union(*parts[1:], distinct=False) if len(parts) > 1 else parts[0]
    summed = rows.group_by(["credit_code", "month"]).aggregate(
        negative_readings=rows.negative_readings.sum(),
        **{s: rows[s].sum() for s in standard.SOURCES},
    )
    tco2 = {
        f"{source}_tco2": summed[source].fill_null(0.0) * _f(factor)
        for source, factor in _source_factors(factors, year, region).items()
    }
    total = sum(tco2.values(), _f(0.0))
    return summed.select(
        "credit_code",
        "month",
        **tco2,
        total_tco2=total,
        negative_readings=summed.negative_readings.fill_null(0),
        factor_version=ibis.literal(factors.version, type="string"),
    )


# --- Annual accounts ---------------------------------------------------------------------------


def enterprise_keys(*tables: ir.Table | None) -> ir.Table:
    """credit_code, name, county_code, industry_code from the key columns of the input tables.

    Each enterprise's non-empty values are taken (the largest, if tables disagree).
    """
    parts = []
    for t in tables:
        if t is None:
            continue
        name = "enterprise_name" if "enterprise_name" in t.columns else "name"
        parts.append(
            t.select(
                credit_code=t.credit_code.cast("string"),
                name=t[name].cast("string") if name in t.columns else ibis.null().cast("string"),
                county_code=(
                    t.county_code.cast("string")
                    if "county_code" in t.columns
                    else ibis.null().cast("string")
                ),
                industry_code=(
                    t.industry_code.cast("string")
                    if "industry_code" in t.columns
                    else ibis.null().cast("string")
                ),
            )
        )
    if not parts:
        raise ValueError("enterprise_keys needs at least one table")
    rows = parts[0].union(*parts[1:], distinct=False) if len(parts) > 1 else parts[0]
    keys = rows.group_by("credit_code").aggregate(
        name=rows.name.max(),
        county_code=rows.county_code.max(),
        industry_code=rows.industry_code.max(),
    )
    # blanks become null after the grouping (trimming every input row costs more than the sums)
    return keys.mutate(
        name=_blank_to_null(keys.name),
        county_code=_blank_to_null(keys.county_code),
        industry_code=_blank_to_null(keys.industry_code),
    )


def _left_join(left: ir.Table, right: ir.Table, key: str = "credit_code") -> ir.Table:
    """``left`` with ``right``'s other columns, joined on ``key`` (kept once)."""
    r = right.rename({"_key": key})
    return left.left_join(r, left[key] == r["_key"]).drop("_key")


def _output_rows(output: ir.Table, year: int) -> tuple[ir.Table, dict[str, ir.Value]]:
    """The output rows of ``year`` and their gross_output, value_added (negative → null, in
    the column's own numeric type: a sum of decimals is exact and cheaper than converting
    every value, so callers convert the sums to float64) and count of negative values."""
    o = _in_year(output, year)
    gross = _signed(o.gross_output)
    added = (
        _signed(o.value_added) if "value_added" in o.columns else _NULL_F
    )  # nullable in the catalogue
    return o, {
        "gross_output": ibis.ifelse(gross >= 0, gross, ibis.null(gross.type())),
        "value_added": ibis.ifelse(added >= 0, added, ibis.null(added.type())),
        "negative": ibis.ifelse(gross < 0, 1, 0).cast("int64")
        + ibis.ifelse(added < 0, 1, 0).cast("int64"),
    }


def annual_accounts(
    *,
    monthly: ir.Table,
    output: ir.Table | None,
    registry: ir.Table,
    year: int,
    factors: FactorTable,
) -> ir.Table:
    """One row per enterprise for ``year``: totals, output, intensity and problem flags (年度账户).

    The enterprises are those with an energy reading or an output row in the year.
    :func:`annual_from_inputs` computes the same table straight from the input tables.
    """
    energy = monthly.group_by("credit_code").aggregate(
        months_reported=monthly.count().cast("int64"),  # one row per enterprise and month
        negative_energy=monthly.negative_readings.sum().cast("int64"),
        **{c: monthly[c].sum() for c in (*SOURCE_COLUMNS, "total_tco2")},
    )
    if output is not None:
        o, values = _output_rows(output, year)
        o = o.select(credit_code=o.credit_code.cast("string"), month=o.month.cast("date"), **values)
        out = o.group_by("credit_code").aggregate(
            gross_output=o.gross_output.sum().cast("float64"),
            value_added=o.value_added.sum().cast("float64"),
            output_months=o.month.nunique().cast("int64"),
            negative_output=o.negative.sum().cast("int64"),
        )
        # every enterprise with energy or output: one full outer join (each side read once)
        r = out.rename(_key="credit_code")
        t = energy.outer_join(r, energy.credit_code == r._key)
        t = t.mutate(credit_code=t.credit_code.coalesce(t._key)).drop("_key")
        t = _left_join(t, registry)
    else:
        t = _left_join(energy, registry).mutate(
            gross_output=_NULL_F,
            value_added=_NULL_F,
            output_months=ibis.literal(0, type="int64"),
            negative_output=ibis.literal(0, type="int64"),
        )
    return _annual(
        t,
        months=t.months_reported,
        negative=t.negative_energy.fill_null(0) + t.negative_output.fill_null(0),
        output_months=t.output_months,
        year=year,
        factors=factors,
    )


@ibis.udf.agg.builtin(name="bit_or")
def _bit_or(value: int) -> int:  # type: ignore[empty-body]
    """Bitwise OR of a group (an aggregate both DuckDB and Spark SQL have under this name)."""


@ibis.udf.scalar.builtin(name="bit_count")
def _bit_count(value: int) -> int:  # type: ignore[empty-body]
    """Number of bits set (a function both DuckDB and Spark SQL have under this name)."""


def _month_bit(t: ir.Table) -> ir.Value:
    """1 << month number (1–12): OR-ing them and counting bits counts distinct months."""
    return ibis.literal(1, type="int64") << t.month.cast("date").month()


def annual_from_inputs(
    *,
    electricity: ir.Table | None,
    gas: ir.Table | None,
    coal_oil: ir.Table | None,
    heat: ir.Table | None,
    output: ir.Table | None,
    registry: ir.Table | None = None,
    factors: FactorTable,
    year: int,
    region: str,
) -> ir.Table:
    """:func:`annual_accounts` of :func:`monthly_emissions`, without grouping by month.

    Every energy row becomes one row of a union — the quantity of every source, its month as a
    bit (``1 << month``) and, when ``registry`` is ``None``, the key columns of
    :func:`enterprise_keys` (null for ``heat``) — grouped once by enterprise: the sums, the
    largest keys and BIT_OR of the bits, whose BIT_COUNT is the months reported. The output is
    grouped once the same way and the two joined by one full outer join. The numbers are
    those of the monthly path (sums in another order: equal to rounding). BIT_OR and
    BIT_COUNT are built-in functions of DuckDB and Spark SQL alike (Ibis builtin UDFs).
    """
    inputs = {"electricity": electricity, "gas": gas, "coal_oil": coal_oil, "heat": heat}
    if all(t is None for t in inputs.values()):
        raise ValueError("annual_from_inputs needs at least one energy table")
    key_names = ("name", "county_code", "industry_code")
    key_columns = key_names if registry is None else ()

    def keys(t: ir.Table, with_keys: bool = True) -> dict[str, ir.Value]:
        """The key columns as enterprise_keys reads them (nulls for heat); none with a registry."""
        if registry is not None:
            return {}
        name = "enterprise_name" if "enterprise_name" in t.columns else "name"
        sources = dict(zip(key_names, (name, "county_code", "industry_code"), strict=True))
        return {
            c: t[sources[c]].cast("string")
            if with_keys and sources[c] in t.columns
            else ibis.null().cast("string")
            for c in key_names
        }

    parts = []
    for name, table in inputs.items():
        if table is None:
            continue
        t = _in_year(table, year)
        quantities, negative = _quantities(t, INPUT_COLUMNS[name])
        parts.append(
            t.select(
                credit_code=t.credit_code.cast("string"),
                month_bit=_month_bit(t),
                negative=negative,
                **quantities,
                **keys(t, with_keys=name != "heat"),
            )
        )
    rows = parts[0].union(*parts[1:], distinct=False) if len(parts) > 1 else parts[0]
    t = rows.group_by("credit_code").aggregate(
        energy_mask=_bit_or(rows.month_bit),
        negative=rows.negative.sum().cast("int64"),
        **{s: rows[s].sum() for s in standard.SOURCES},
        **{c: rows[c].max() for c in key_columns},
    )
    # one select from the grouping (and the join) to the annual columns: every column is an
    # expression of the grouped sums, with no chain of intermediate projections to merge
    if output is None:
        j = t
        columns: dict[str, ir.Value] = {
            "credit_code": t.credit_code,
            "energy_mask": t.energy_mask,
            "negative": t.negative,
            **{s: t[s] for s in standard.SOURCES},
            "output_mask": ibis.literal(0, type="int64"),
            "gross_output": _NULL_F,
            "value_added": _NULL_F,
            **{c: t[c] for c in key_columns},
        }
    else:
        o, values = _output_rows(output, year)
        o = o.select(
            credit_code=o.credit_code.cast("string"), month_bit=_month_bit(o), **values, **keys(o)
        )
        o = o.group_by(_key="credit_code").aggregate(
            output_mask=_bit_or(o.month_bit),
            _negative=o.negative.sum().cast("int64"),
            gross_output=o.gross_output.sum().cast("float64"),
            value_added=o.value_added.sum().cast("float64"),
            **{f"_{c}": o[c].max() for c in key_columns},
        )
        # every enterprise with energy or output: one full outer join (each side read once)
        j = t.outer_join(o, t.credit_code == o._key)
        columns = {
            "credit_code": j.credit_code.coalesce(j._key),
            "energy_mask": j.energy_mask,
            "negative": j.negative.fill_null(0) + j._negative.fill_null(0),
            **{s: j[s] for s in standard.SOURCES},
            "output_mask": j.output_mask,
            "gross_output": j.gross_output,
            "value_added": j.value_added,
            **{c: ibis.greatest(j[c], j[f"_{c}"]) for c in key_columns},  # nulls skipped
        }
        # the join's columns (selecting from a join ends it: the annual table is no join chain)
        j = j.select(**columns)
        columns = {c: j[c] for c in columns}
    if registry is not None:  # the sums, then the registry's keys by credit code
        j = _left_join(j.select(**columns) if output is None else j.select(*columns), registry)
        columns = {c: j[c] for c in (*columns, *key_names)}
    tco2 = {
        f"{source}_tco2": columns[source].fill_null(0.0) * _f(factor)
        for source, factor in _source_factors(factors, year, region).items()
    }
    return _annual(
        j,
        months=_bit_count(columns["energy_mask"]).cast("int64"),
        negative=columns["negative"],
        output_months=_bit_count(columns["output_mask"]).cast("int64"),
        year=year,
        factors=factors,
        values={
            "credit_code": columns["credit_code"],
            # as enterprise_keys: blanks become null after the grouping (a registry is as is)
            **{
                c: columns[c] if registry is not None else _blank_to_null(columns[c])
                for c in key_names
            },
            **tco2,
            "total_tco2": sum(tco2.values(), _f(0.0)),
            "gross_output": columns["gross_output"],
            "value_added": columns["value_added"],
        },
    )


def _annual(
    t: ir.Table,
    *,
    months: ir.Value,
    negative: ir.Value,
    output_months: ir.Value,
    year: int,
    factors: FactorTable,
    values: Mapping[str, ir.Value] | None = None,
) -> ir.Table:
    """The annual columns, flags and ``gradable`` of one row per enterprise with its sums.

    ``values`` are expressions for the credit code, keys, emissions (not null) and output
    where they are not the columns of ``t`` (whose emissions may be null: no reading).
    """
    v: dict[str, ir.Value] = dict(values or {})
    for c in ("credit_code", "name", "county_code", "industry_code", "gross_output", "value_added"):
        if c not in v:
            v[c] = t[c]
    for c in (*SOURCE_COLUMNS, "total_tco2"):
        if c not in v:
            v[c] = t[c].fill_null(0.0)
    months = months.fill_null(0)
    value_added = v["value_added"]
    gross_output = v["gross_output"]
    has_output = (value_added > 0).fill_null(False) & (gross_output > 0).fill_null(False)
    output_months = output_months.fill_null(0)
    flags = {
        "missing_months": (12 - months).cast("int64"),
        "negative_readings": negative.cast("int64"),
        "no_industry": v["industry_code"].isnull(),
        "no_county": v["county_code"].isnull(),
        "zero_output": ~has_output,
        "missing_output_months": ibis.ifelse(
            (output_months > 0) & (output_months < 12), 12 - output_months, 0
        ).cast("int64"),
    }
    gradable = (
        (flags["missing_months"] == 0)
        & (flags["negative_readings"] == 0)
        & ~flags["no_industry"]
        & ~flags["no_county"]
        & has_output
        & (flags["missing_output_months"] == 0)
    )
    return t.select(
        credit_code=v["credit_code"],
        year=ibis.literal(year, type="int64"),
        name=v["name"],
        county_code=v["county_code"],
        industry_code=v["industry_code"],
        months_reported=months.cast("int64"),
        **{c: v[c] for c in (*SOURCE_COLUMNS, "total_tco2")},
        gross_output=gross_output,
        value_added=value_added,
        output_months=output_months.cast("int64"),
        intensity=ibis.ifelse(value_added > 0, v["total_tco2"] / value_added, _NULL_F),
        factor_version=ibis.literal(factors.version, type="string"),
        **flags,
        gradable=gradable,
    )


# --- Evaluation --------------------------------------------------------------------------------


def _midrank(value: ir.Value, partition: Sequence[Any]) -> ir.Value:
    """Mid-rank percentile of ``value`` (ascending) in ``partition``: (below + at-or-below)/2n.

    The three window functions share one partition and order (one sort on any engine).
    """
    w = ibis.window(group_by=list(partition), order_by=value)
    below = ibis.rank().over(w).cast("float64")  # 0-based minimum rank = count strictly below
    at_or_below = ibis.cume_dist().over(w)  # fraction at or below
    count = (
        value.count()
        .over(ibis.window(group_by=list(partition), order_by=value, rows=(None, None)))
        .cast("float64")
    )
    return (below / count + at_or_below) / 2


def history_schema() -> ibis.Schema:
    return ibis.schema({"credit_code": "string", "year": "int64", "intensity": "float64"})


def _baseline(history: ir.Table, year: int) -> ir.Table:
    """credit_code, baseline_intensity (mean L of the three previous years), history_years."""
    h = history.select(
        credit_code=history.credit_code.cast("string"),
        year=history.year.cast("int64"),
        intensity=history.intensity.cast("float64"),
    )
    h = h.filter((h.year >= year - 3) & (h.year <= year - 1) & h.intensity.notnull())
    return h.group_by("credit_code").aggregate(
        baseline_intensity=h.intensity.mean(), history_years=h.year.nunique().cast("int64")
    )


def evaluate(
    *,
    annual: ir.Table,
    history: ir.Table | None,
    weights: Sequence[float] = (1.0, 1.0, 1.0),
    cuts: Sequence[float] = (0.25, 0.5, 0.75),
    year: int | None = None,
) -> ir.Table:
    """The three-dimensional evaluation, score, colour and carbon-efficiency level (三维评价).

    ``history`` has credit_code, year, intensity (previous years' accounts; may be ``None`` or
    empty). ``weights`` are advancement, contribution, decline; ``cuts`` the three increasing
    positions (0–1) separating red, yellow, light green and dark green. ``year`` is the
    accounts' year; pass it (the default reads it from ``annual`` with an extra join).

    The benchmarks and rankings are computed on a narrow relation of the gradable enterprises
    only (credit code, industry, county and the handful of figures they need: window
    operators copy every column they carry) — the industry and county benchmarks by one
    grouping each, joined to it, the four rankings by windows — then joined back to
    ``annual`` once by credit code (with the history baseline, in one chain of left joins);
    enterprises with problems never enter a benchmark or a ranking.
    """
    w_adv, w_con, w_dec = (float(w) for w in weights)
    cut1, cut2, cut3 = (float(c) for c in cuts)
    if history is None:
        base = None
    elif year is not None:
        base = _baseline(history, year)
    else:
        h = history.select(
            credit_code=history.credit_code.cast("string"),
            year=history.year.cast("int64"),
            intensity=history.intensity.cast("float64"),
        )
        years = annual.select(_cc=annual.credit_code, _year=annual.year)
        h = h.join(years, h.credit_code == years._cc)
        h = h.filter((h.year >= h._year - 3) & (h.year <= h._year - 1) & h.intensity.notnull())
        base = h.group_by("credit_code").aggregate(
            baseline_intensity=h.intensity.mean(), history_years=h.year.nunique().cast("int64")
        )

    # the narrow relation of the gradable enterprises; ``annual`` itself is joined only once,
    # at the end, so a shared input (the grouping below it) is one common table expression
    g = annual.filter(annual.gradable)
    g = g.select(
        _key=g.credit_code,
        _industry=g.industry_code,
        _county=g.county_code,
        _tco2=g.total_tco2,
        _gross=g.gross_output,
        _va=g.value_added,
        _intensity=g.intensity,
    )
    # the industry and county benchmarks: one grouping each (30 and 6 rows) joined back, where
    # windows would partition (and copy) every gradable row once for each; a gradable row has
    # an industry and a county, so the inner joins keep every one
    industry = g.group_by(_ikey=g._industry).aggregate(
        _itco2=g._tco2.sum(),
        _iva=g._va.sum(),
        industry_enterprises=g._key.count().cast("int64"),
    )
    county = g.group_by(_ckey=g._county).aggregate(
        county_tco2=g._tco2.sum(), county_gross_output=g._gross.sum()
    )
    if base is None:
        j = g.join(industry, g._industry == industry._ikey)
        baseline = _NULL_F
    else:
        b = base.select(_bkey=base.credit_code, _baseline=base.baseline_intensity)
        j = g.left_join(b, g._key == b._bkey).join(industry, g._industry == industry._ikey)
        baseline = j._baseline
    g = j.join(county, g._county == county._ckey)
    industry_intensity = g._itco2 / g._iva
    g = g.select(
        _key=g._key,
        _industry=g._industry,
        industry_intensity=industry_intensity,
        industry_enterprises=g.industry_enterprises,
        county_tco2=g.county_tco2,
        county_gross_output=g.county_gross_output,
        advancement=ibis.ifelse(
            industry_intensity > 0,
            g._intensity / industry_intensity,
            _f(1.0),  # an industry with no emissions at all: everyone is at the average
        ),
        contribution=ibis.ifelse(
            g.county_tco2 > 0,
            (g._tco2 / g.county_tco2) / (g._gross / g.county_gross_output),
            _f(0.0),
        ),
        decline=ibis.ifelse(baseline > 0, (baseline - g._intensity) / baseline, _NULL_F),
    )
    # the rankings copy what they carry: only the key, the industry and the figures shown
    has_decline = g.decline.notnull()
    g = g.mutate(
        advancement_score=_midrank(-g.advancement, [g._industry]),
        contribution_score=_midrank(-g.contribution, [g._industry]),
        decline_score=ibis.ifelse(
            has_decline, _midrank(g.decline, [g._industry, has_decline]), _NULL_F
        ),
    )
    weight_sum = _f(w_adv + w_con) + ibis.ifelse(g.decline_score.notnull(), w_dec, 0.0)
    weighted = (
        g.advancement_score * w_adv
        + g.contribution_score * w_con
        + g.decline_score.fill_null(0.0) * w_dec
    )
    score = ibis.ifelse(weight_sum > 0, weighted / weight_sum, _NULL_F)
    has_score = score.notnull()
    g = g.mutate(
        score=score,
        position=ibis.ifelse(has_score, _midrank(score, [g._industry, has_score]), _NULL_F),
    )
    colour = ibis.cases(
        (g.position <= cut1, "red"),
        (g.position <= cut2, "yellow"),
        (g.position <= cut3, "light_green"),
        else_="dark_green",
    )
    b1, b2, b3, b4 = standard.EFFICIENCY_BOUNDS
    level = ibis.cases(
        (g.advancement <= b1, 1),
        (g.advancement <= b2, 2),
        (g.advancement <= b3, 3),
        (g.advancement <= b4, 4),
        else_=5,
    )
    figures = [c for c in g.columns if c != "_industry"]
    g = g.select(
        *figures,
        colour=ibis.ifelse(g.position.notnull(), colour, ibis.null().cast("string")),
        efficiency_level=ibis.ifelse(
            g.advancement.notnull(), level.cast("int64"), ibis.null().cast("int64")
        ),
    )
    # enterprises with problems: no figure, no colour, no level (nulls of the left join); one
    # chain of left joins from ``annual``, one projection
    if base is None:
        j = annual.left_join(g, annual.credit_code == g._key)
        history_columns = {
            "baseline_intensity": _NULL_F,
            "history_years": ibis.null().cast("int64"),
        }
    else:
        b = base.rename(_bkey="credit_code")
        j = annual.left_join(b, annual.credit_code == b._bkey).left_join(
            g, annual.credit_code == g._key
        )
        history_columns = {
            "baseline_intensity": j.baseline_intensity,
            "history_years": j.history_years,
        }
    return j.select(
        *annual.columns,
        **history_columns,
        **{c: j[c] for c in g.columns if c != "_key"},
    )


def accounts(
    *,
    electricity: ir.Table | None,
    gas: ir.Table | None,
    coal_oil: ir.Table | None,
    heat: ir.Table | None,
    output: ir.Table | None,
    registry: ir.Table | None = None,
    history: ir.Table | None = None,
    factors: FactorTable,
    year: int,
    region: str,
    weights: Sequence[float] = (1.0, 1.0, 1.0),
    cuts: Sequence[float] = (0.25, 0.5, 0.75),
) -> ir.Table:
    """The whole chain, inputs → annual → evaluated; ``registry`` defaults to the inputs' keys
    (:func:`enterprise_keys` of electricity, gas, coal_oil and output).

    The same numbers as :func:`annual_accounts` of :func:`monthly_emissions` and then
    :func:`evaluate`, with the annual accounts taken straight from the inputs
    (:func:`annual_from_inputs`: one aggregation, no monthly grouping).
    """
    annual = annual_from_inputs(
        electricity=electricity,
        gas=gas,
        coal_oil=coal_oil,
        heat=heat,
        output=output,
        registry=registry,
        factors=factors,
        year=year,
        region=region,
    )
    return evaluate(annual=annual, history=history, weights=weights, cuts=cuts, year=year)


# --- Sector accounts (the five other domains) --------------------------------------------------


def _activity_factor_rows(factors: FactorTable) -> list[dict[str, Any]]:
    """Every (domain, activity, unit) the table can account, with the multiplier to its unit."""
    rows = []
    for a in factors.activities:
        units = {a.unit: 1.0}
        units.update({src: m for (src, dst), m in standard.CONVERSIONS.items() if dst == a.unit})
        for unit, multiplier in units.items():
            rows.append(
                {
                    "_domain": a.domain,
                    "_activity": a.activity,
                    "_unit": unit,
                    "multiplier": float(multiplier),
                    "factor_unit": a.unit,
                    "factor": float(a.value),
                }
            )
    return rows


def sector_accounts(*, activities: ir.Table, factors: FactorTable, year: int) -> ir.Table:
    """Emissions of the five non-industrial domains by county and activity (领域碳账户).

    ``activities`` has domain, county_code, year, activity, quantity, unit. Quantities are
    converted to the factor's unit (kWh → MWh, Nm3 → 10^4Nm3, mu → ha, …) and summed per
    domain, county and activity; a sink (negative factor) gives negative tCO2. Rows whose
    activity or unit the table does not know keep their own unit with null factor and tCO2.
    """
    rows = _activity_factor_rows(factors)
    lookup = ibis.memtable(
        rows
        or [
            {
                "_domain": "",
                "_activity": "",
                "_unit": "",
                "multiplier": 1.0,
                "factor_unit": "",
                "factor": 0.0,
            }
        ]
    )
    a = activities.filter(activities.year.cast("int64") == year)
    a = a.select(
        domain=a.domain.cast("string"),
        county_code=a.county_code.cast("string"),
        year=a.year.cast("int64"),
        activity=a.activity.cast("string"),
        quantity=a.quantity.cast("float64"),
        unit_in=a.unit.cast("string"),
    )
    j = a.left_join(
        lookup,
        [a.domain == lookup._domain, a.activity == lookup._activity, a.unit_in == lookup._unit],
    )
    j = j.select(
        "domain",
        "county_code",
        "year",
        "activity",
        quantity=ibis.ifelse(j.multiplier.notnull(), j.quantity * j.multiplier, j.quantity),
        unit=j.factor_unit.fill_null(j.unit_in),
        factor=j.factor,
    )
    return j.group_by(["domain", "county_code", "year", "activity", "unit"]).aggregate(
        quantity=j.quantity.sum(),
        factor=j.factor.max(),
        tco2=(j.quantity * j.factor).sum(),
    )


# --- Records, explanation and the run report ---------------------------------------------------


def _num(value: Any) -> float | None:
    if value is None:
        return None
    number = float(value)
    return None if math.isnan(number) else number


def _r(value: Any, digits: int = 6) -> float | None:
    number = _num(value)
    return None if number is None else round(number, digits)


def problems_of(row: Mapping[str, Any]) -> list[dict[str, str]]:
    """The problems of one annual row, as [{"code", "detail"}] (details in English)."""
    found: list[dict[str, str]] = []
    if row.get("missing_months"):
        found.append(
            {
                "code": "missing_months",
                "detail": f"energy reported for {row.get('months_reported', 0)} of 12 months",
            }
        )
    if row.get("negative_readings"):
        found.append(
            {
                "code": "negative_readings",
                "detail": f"{row['negative_readings']} negative readings were not used",
            }
        )
    if row.get("no_industry"):
        found.append({"code": "no_industry", "detail": "no industry code: no benchmark"})
    if row.get("no_county"):
        found.append({"code": "no_county", "detail": "no county: no regional contribution"})
    if row.get("zero_output"):
        found.append(
            {
                "code": "zero_output",
                "detail": (
                    f"value added {_r(row.get('value_added'), 4)}, gross output "
                    f"{_r(row.get('gross_output'), 4)} (10^4 yuan): intensity undefined"
                ),
            }
        )
    if row.get("missing_output_months"):
        found.append(
            {
                "code": "missing_output_months",
                "detail": f"output reported for {row.get('output_months', 0)} of 12 months",
            }
        )
    return found


def explanation_of(
    row: Mapping[str, Any],
    *,
    weights: Sequence[float],
    cuts: Sequence[float],
    grid: GridChoice | None = None,
) -> dict[str, Any]:
    """The numbers behind each dimension of one evaluated row (for "explain my grade")."""
    total = _num(row.get("total_tco2")) or 0.0
    county_tco2 = _num(row.get("county_tco2"))
    county_output = _num(row.get("county_gross_output"))
    gross = _num(row.get("gross_output"))
    explanation: dict[str, Any] = {
        "factor_version": row.get("factor_version"),
        "rule": {
            "weights": {
                "advancement": float(weights[0]),
                "contribution": float(weights[1]),
                "decline": float(weights[2]),
            },
            "cuts": [float(c) for c in cuts],
            "ranking": "mid-rank percentile within the industry, among graded enterprises",
        },
        "advancement": {
            "intensity": _r(row.get("intensity")),
            "industry_intensity": _r(row.get("industry_intensity")),
            "industry_enterprises": row.get("industry_enterprises"),
            "ratio": _r(row.get("advancement")),
            "score": _r(row.get("advancement_score")),
        },
        "contribution": {
            "tco2": _r(total),
            "county_tco2": _r(county_tco2),
            "emissions_share": _r(total / county_tco2) if county_tco2 else None,
            "gross_output": _r(gross),
            "county_gross_output": _r(county_output),
            "output_share": _r(gross / county_output) if gross and county_output else None,
            "ratio": _r(row.get("contribution")),
            "score": _r(row.get("contribution_score")),
        },
        "decline": {
            "available": _num(row.get("decline")) is not None,
            "baseline_intensity": _r(row.get("baseline_intensity")),
            "history_years": row.get("history_years"),
            "intensity": _r(row.get("intensity")),
            "decline": _r(row.get("decline")),
            "score": _r(row.get("decline_score")),
        },
        "score": _r(row.get("score")),
        "position": _r(row.get("position")),
        "colour": row.get("colour"),
        "efficiency_code": {
            "L": _r(row.get("intensity")),
            "industry_average_L": _r(row.get("industry_intensity")),
            "K": _r(row.get("advancement")),
            "level": row.get("efficiency_level"),
            "bounds": list(standard.EFFICIENCY_BOUNDS),
        },
    }
    if grid is not None:
        explanation["grid_factor"] = grid.as_dict()
    return explanation


def to_records(
    table: ir.Table,
    *,
    weights: Sequence[float] = (1.0, 1.0, 1.0),
    cuts: Sequence[float] = (0.25, 0.5, 0.75),
    grid: GridChoice | None = None,
    con: Any = None,
) -> list[dict[str, Any]]:
    """Execute an evaluated table; one dict per enterprise (ordered by credit code), with
    by_source, problems and explanation added and NaN turned into None.

    ``con`` is the Ibis backend to run on when the table does not name one (in-memory tables).
    """
    ordered = table.order_by("credit_code")
    arrow = con.to_pyarrow(ordered) if con is not None else ordered.to_pyarrow()
    return records_of(arrow, weights=weights, cuts=cuts, grid=grid)


def _pylist(column: Any) -> list[Any]:
    """A column's Python values, NaN turned into None (in Arrow, not value by value)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_floating(column.type):
        column = pc.if_else(pc.is_nan(column), pa.scalar(None, column.type), column)
    return column.to_pylist()


def records_of(
    arrow: Any,
    *,
    weights: Sequence[float] = (1.0, 1.0, 1.0),
    cuts: Sequence[float] = (0.25, 0.5, 0.75),
    grid: GridChoice | None = None,
) -> list[dict[str, Any]]:
    """:func:`to_records` of an executed (Arrow) evaluated table, in its order.

    The same dicts as building each row's ``by_source``, :func:`problems_of` and
    :func:`explanation_of` one by one, column by column instead: NaN is replaced in Arrow,
    every figure of the explanation is rounded in one pass over its column, and the problems
    are only looked for in rows that are not gradable.
    """
    names = list(arrow.column_names)
    n = arrow.num_rows
    columns = {name: _pylist(arrow[name]) for name in names}
    nothing: list[Any] = [None] * n

    def col(name: str) -> list[Any]:
        return columns.get(name, nothing)

    def rounded(values: Iterable[Any]) -> list[float | None]:
        return [None if v is None else round(float(v), 6) for v in values]

    total = [0.0 if v is None else float(v) or 0.0 for v in col("total_tco2")]
    county_tco2 = [None if v is None else float(v) for v in col("county_tco2")]
    county_output = [None if v is None else float(v) for v in col("county_gross_output")]
    gross = [None if v is None else float(v) for v in col("gross_output")]
    emissions_share = rounded(t / c if c else None for t, c in zip(total, county_tco2, strict=True))
    output_share = rounded(
        g / c if g and c else None for g, c in zip(gross, county_output, strict=True)
    )
    r = {
        name: rounded(col(name))
        for name in (
            "intensity",
            "industry_intensity",
            "advancement",
            "advancement_score",
            "contribution",
            "contribution_score",
            "baseline_intensity",
            "decline",
            "decline_score",
            "score",
            "position",
        )
    }
    sources = [(s, col(f"{s}_tco2")) for s in standard.SOURCES if f"{s}_tco2" in columns]
    rule_weights = {
        "advancement": float(weights[0]),
        "contribution": float(weights[1]),
        "decline": float(weights[2]),
    }
    rule_cuts = [float(c) for c in cuts]
    grid_dict = grid.as_dict() if grid is not None else None
    bounds = list(standard.EFFICIENCY_BOUNDS)
    gradable = col("gradable")

    industry_enterprises = col("industry_enterprises")
    history_years = col("history_years")
    colour = col("colour")
    level = col("efficiency_level")
    factor_version = col("factor_version")
    ranking = "mid-rank percentile within the industry, among graded enterprises"
    per_row = zip(
        zip(*columns.values(), strict=True),
        total,
        county_tco2,
        gross,
        county_output,
        emissions_share,
        output_share,
        *r.values(),
        strict=True,
    )
    records = []
    enabled = gc.isenabled()
    gc.disable()  # millions of small containers, none cyclic: no collections while building
    try:
        for i, (values, t, c_tco2, g, c_out, e_share, o_share, *figures) in enumerate(per_row):
            (intensity, ind_intensity, adv, adv_score, con_, con_score, base, dec, dec_score) = (
                figures[:9]
            )
            score, position = figures[9:]
            row = dict(zip(names, values, strict=True))
            row["by_source"] = {s: round(v[i], 6) for s, v in sources if v[i]}
            row["problems"] = [] if gradable[i] is True else problems_of(row)
            explanation: dict[str, Any] = {
                "factor_version": factor_version[i],
                "rule": {
                    "weights": dict(rule_weights),
                    "cuts": list(rule_cuts),
                    "ranking": ranking,
                },
                "advancement": {
                    "intensity": intensity,
                    "industry_intensity": ind_intensity,
                    "industry_enterprises": industry_enterprises[i],
                    "ratio": adv,
                    "score": adv_score,
                },
                "contribution": {
                    "tco2": round(t, 6),
                    "county_tco2": None if c_tco2 is None else round(c_tco2, 6),
                    "emissions_share": e_share,
                    "gross_output": None if g is None else round(g, 6),
                    "county_gross_output": None if c_out is None else round(c_out, 6),
                    "output_share": o_share,
                    "ratio": con_,
                    "score": con_score,
                },
                "decline": {
                    "available": dec is not None,
                    "baseline_intensity": base,
                    "history_years": history_years[i],
                    "intensity": intensity,
                    "decline": dec,
                    "score": dec_score,
                },
                "score": score,
                "position": position,
                "colour": colour[i],
                "efficiency_code": {
                    "L": intensity,
                    "industry_average_L": ind_intensity,
                    "K": adv,
                    "level": level[i],
                    "bounds": list(bounds),
                },
            }
            if grid_dict is not None:
                explanation["grid_factor"] = dict(grid_dict)
            row["explanation"] = explanation
            records.append(row)
    finally:
        if enabled:
            gc.enable()
    return records


def run_report(records: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Counts for the run's report: enterprises, graded, by colour, by level, by problem."""
    report: dict[str, Any] = {
        "enterprises": 0,
        "graded": 0,
        "total_tco2": 0.0,
        "colours": {},
        "levels": {},
        "problems": {},
    }
    for r in records:
        report["enterprises"] += 1
        report["total_tco2"] += float(r.get("total_tco2") or 0.0)
        if r.get("colour"):
            report["graded"] += 1
            report["colours"][r["colour"]] = report["colours"].get(r["colour"], 0) + 1
        if r.get("efficiency_level"):
            level = str(r["efficiency_level"])
            report["levels"][level] = report["levels"].get(level, 0) + 1
        for p in r.get("problems") or problems_of(r):
            report["problems"][p["code"]] = report["problems"].get(p["code"], 0) + 1
    report["total_tco2"] = round(report["total_tco2"], 6)
    return report
