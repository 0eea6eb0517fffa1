"""The engine's input arrays (事实), assembled from shared data in DuckDB.

Residents come from the services ``Resident`` table (birth date and county are plain columns),
joined by the ID-number token (``id_number_token`` there, ``id_number__token`` in the
warehouse: both are ``field_cipher().token``) to the current versions of the Civil Affairs
Bureau's datasets ``disability_certificate`` (残疾人证) and ``minimum_living_allowance`` (低保).
Enterprises come from ``enterprise_registry`` joined by credit code to the HR bureau's
``social_insurance_unit_monthly`` (单位参保缴费) and the science bureau's ``tech_sme_list``
(科技型中小企业入库). Nothing is decrypted: joins are on tokens and the ciphertext is not read.

The assembly (:func:`resident_arrays`, :func:`enterprise_arrays`) works on any DuckDB
connection holding a ``residents``/``enterprises`` relation and the dataset tables, so the
benchmark times the very code the scheduled run uses; :func:`resident_population` and
:func:`enterprise_population` feed it from the database and the warehouse.

Yearly rules for year ``Y`` look at the previous calendar year ``Y-1`` (上年度): insured employees
in January and December, the year's unemployment contributions, the arrears owed in December,
and the ``Y-1`` technology-based SME list.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Final

import duckdb
import numpy as np
import pyarrow as pa

__all__ = [
    "DATASETS",
    "Population",
    "current_period",
    "enterprise_arrays",
    "enterprise_population",
    "period_start",
    "resident_arrays",
    "resident_population",
]

# the warehouse datasets the rules read (code → role)
DISABILITY: Final = "disability_certificate"
LOW_INCOME: Final = "minimum_living_allowance"
INSURANCE: Final = "social_insurance_unit_monthly"
TECH_SME: Final = "tech_sme_list"
REGISTRY: Final = "enterprise_registry"
DATASETS: Final = (DISABILITY, LOW_INCOME, INSURANCE, TECH_SME, REGISTRY)
ACTIVE_STATUSES: Final = ("存续", "active")  # 登记状态: 存续 (in business)


@dataclass
class Population:  # 比对对象: the beneficiaries and the engine's inputs, aligned
    keys: np.ndarray  # Resident pk, or credit code (str)
    counties: np.ndarray  # county code (str)
    inputs: dict[str, np.ndarray]
    names: np.ndarray | None = None  # enterprise name (plain); residents' names stay encrypted
    missing: list[str] = field(default_factory=list)  # datasets without a current version

    def __len__(self) -> int:
        return len(self.keys)


def current_period(policy_period: str, today: date) -> str:
    """The period of ``today`` for a monthly ("2026-11") or yearly ("2026") policy."""
    return f"{today.year}-{today.month:02d}" if policy_period == "month" else str(today.year)


def period_start(period: str) -> date:
    """The first day of "2026-11" or "2026"."""
    if len(period) == 4:
        return date(int(period), 1, 1)
    year, month = period.split("-")
    return date(int(year), int(month), 1)


def _empty(con: duckdb.DuckDBPyConnection, name: str, columns: str) -> str:
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} ({columns})")
    return name


def resident_arrays(
    con: duckdb.DuckDBPyConnection,
    *,
    period: str,
    residents: str = "residents",
    disability: str | None = None,
    low_income: str | None = None,
) -> Population:
    """Residents (relation with ``key, token, birth_date, county``) with the month's facts."""
    if disability is None:
        disability = _empty(
            con,
            "_no_certificates",
            "id_number__token VARCHAR, grade BIGINT, issued_on DATE, valid_until DATE",
        )
    if low_income is None:
        low_income = _empty(
            con, "_no_allowance", "id_number__token VARCHAR, starts_on DATE, ends_on DATE"
        )
    sql = f"""
        WITH cert AS (
            SELECT id_number__token AS token, min(CAST(grade AS INTEGER)) AS grade
            FROM {disability}
            WHERE CAST(issued_on AS DATE) <= $first
              AND (valid_until IS NULL OR CAST(valid_until AS DATE) >= $first)
            GROUP BY 1
        ), low AS (
            SELECT DISTINCT id_number__token AS token
            FROM {low_income}
            WHERE CAST(starts_on AS DATE) <= $first
              AND (ends_on IS NULL OR CAST(ends_on AS DATE) >= $first)
        )
        SELECT r.key, r.county, r.birth_date,
               CAST(r.county AS INTEGER) AS county_number,
               cert.token IS NOT NULL AS has_certificate,
               CAST(coalesce(cert.grade, 0) AS INTEGER) AS grade,
               low.token IS NOT NULL AS low_income
        FROM {residents} r
        LEFT JOIN cert ON cert.token = r.token
        LEFT JOIN low ON low.token = r.token
        ORDER BY r.key
    """  # noqa: S608 - table names come from engine.table_name / constants
    got = con.execute(sql, {"first": period_start(period)}).fetchnumpy()
    return Population(
        keys=np.asarray(got["key"]),
        counties=np.asarray(got["county"]).astype(str),
        inputs={
            "birth_date": np.asarray(got["birth_date"]).astype("datetime64[D]"),
            "county": np.asarray(got["county_number"], dtype=np.int64),
            "has_disability_certificate": np.asarray(got["has_certificate"], dtype=bool),
            "disability_grade": np.asarray(got["grade"], dtype=np.int64),
            "low_income_household": np.asarray(got["low_income"], dtype=bool),
        },
    )


def enterprise_arrays(
    con: duckdb.DuckDBPyConnection,
    *,
    period: str,
    registry: str,
    insurance: str | None = None,
    tech_sme: str | None = None,
) -> Population:
    """Enterprises of ``registry`` with the facts of the year before ``period`` ("2026")."""
    if insurance is None:
        insurance = _empty(
            con,
            "_no_insurance",
            "credit_code VARCHAR, month DATE, insured_count BIGINT, "
            "unemployment_contribution DOUBLE, arrears DOUBLE",
        )
    if tech_sme is None:
        tech_sme = _empty(
            con, "_no_tech_sme", "credit_code VARCHAR, year BIGINT, rd_expense DOUBLE"
        )
    year = int(period[:4]) - 1
    sql = f"""
        WITH ins AS (
            SELECT credit_code,
                   max(CASE WHEN CAST(month AS DATE) = $january
                            THEN CAST(insured_count AS BIGINT) END) AS insured_at_start,
                   max(CASE WHEN CAST(month AS DATE) = $december
                            THEN CAST(insured_count AS BIGINT) END) AS insured_at_end,
                   sum(CAST(unemployment_contribution AS DOUBLE)) AS contributions,
                   max(CASE WHEN CAST(month AS DATE) = $december
                            THEN CAST(arrears AS DOUBLE) END) AS arrears
            FROM {insurance}
            WHERE CAST(month AS DATE) BETWEEN $january AND $december
            GROUP BY 1
        ), tech AS (
            SELECT credit_code, max(CAST(rd_expense AS DOUBLE)) AS rd_expense
            FROM {tech_sme} WHERE CAST(year AS BIGINT) = $year GROUP BY 1
        )
        SELECT e.credit_code, e.enterprise_name, e.county_code,
               CAST(e.county_code AS INTEGER) AS county_number,
               e.status IN ('存续', 'active') AS active,
               CAST(coalesce(ins.insured_at_start, 0) AS INTEGER) AS insured_at_start,
               CAST(coalesce(ins.insured_at_end, 0) AS INTEGER) AS insured_at_end,
               coalesce(ins.arrears, 0) AS arrears,
               coalesce(ins.contributions, 0) AS contributions,
               tech.credit_code IS NOT NULL AS on_list,
               coalesce(tech.rd_expense, 0) AS rd_expense
        FROM {registry} e
        LEFT JOIN ins ON ins.credit_code = e.credit_code
        LEFT JOIN tech ON tech.credit_code = e.credit_code
        ORDER BY e.credit_code
    """  # noqa: S608 - table names come from engine.table_name / constants
    got = con.execute(
        sql,
        {"january": date(year, 1, 1), "december": date(year, 12, 1), "year": year},
    ).fetchnumpy()
    return Population(
        keys=np.asarray(got["credit_code"]).astype(str),
        counties=np.asarray(got["county_code"]).astype(str),
        names=np.asarray(got["enterprise_name"]).astype(str),
        inputs={
            "county": np.asarray(got["county_number"], dtype=np.int64),
            "registered_active": np.asarray(got["active"], dtype=bool),
            "insured_at_start": np.asarray(got["insured_at_start"], dtype=np.int64),
            "insured_at_end": np.asarray(got["insured_at_end"], dtype=np.int64),
            "social_insurance_arrears": np.asarray(got["arrears"], dtype=np.float64),
            "unemployment_contributions": np.asarray(got["contributions"], dtype=np.float64),
            "on_tech_sme_list": np.asarray(got["on_list"], dtype=bool),
            "rd_expense": np.asarray(got["rd_expense"], dtype=np.float64),
        },
    )


# --- From the database and the warehouse --------------------------------------------------------


@contextmanager
def _warehouse_tables(
    codes: tuple[str, ...],
) -> Iterator[tuple[duckdb.DuckDBPyConnection, dict[str, str]]]:
    """The warehouse's DuckDB connection and the table of each dataset's current version (a
    dataset without one is left out)."""
    from shuzhi.platform.catalog.models import Dataset
    from shuzhi.platform.warehouse import engine
    from shuzhi.platform.warehouse.connection import open_warehouse
    from shuzhi.platform.warehouse.selectors import current_version

    tables: dict[str, str] = {}
    for dataset in Dataset.objects.filter(code__in=codes):
        version = current_version(dataset)
        if version is not None:
            tables[dataset.code] = engine.table_name(dataset.code, version.number)
    with open_warehouse() as warehouse:
        present = {code: t for code, t in tables.items() if warehouse.has_table(t)}
        yield warehouse.duckdb, present


def resident_population(period: str) -> Population:
    """Every resident with the month's facts, from the database and the warehouse."""
    from .models import Resident

    rows = list(
        Resident.objects.order_by("pk").values_list(
            "pk", "id_number_token", "birth_date", "county_id"
        )
    )
    table = pa.table(
        {
            "key": pa.array([r[0] for r in rows], pa.int64()),
            "token": pa.array([r[1] for r in rows], pa.string()),
            "birth_date": pa.array([r[2] for r in rows], pa.date32()),
            "county": pa.array([r[3] for r in rows], pa.string()),
        }
    )
    with _warehouse_tables((DISABILITY, LOW_INCOME)) as (con, tables):
        con.register("residents", table)
        try:
            population = resident_arrays(
                con,
                period=period,
                disability=tables.get(DISABILITY),
                low_income=tables.get(LOW_INCOME),
            )
        finally:
            con.unregister("residents")
    population.missing = [c for c in (DISABILITY, LOW_INCOME) if c not in tables]
    return population


def enterprise_population(period: str) -> Population:
    """Every registered enterprise with the previous year's facts, from the warehouse."""
    with _warehouse_tables((REGISTRY, INSURANCE, TECH_SME)) as (con, tables):
        missing = [c for c in (REGISTRY, INSURANCE, TECH_SME) if c not in tables]
        if REGISTRY not in tables:
            empty = np.array([], dtype=str)
            return Population(keys=empty, counties=empty, inputs={}, names=empty, missing=missing)
        population = enterprise_arrays(
            con,
            period=period,
            registry=tables[REGISTRY],
            insurance=tables.get(INSURANCE),
            tech_sme=tables.get(TECH_SME),
        )
    population.missing = missing
    return population
