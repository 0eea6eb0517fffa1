"""Assembling the engine's inputs in DuckDB (facts.py), and the one token function shared by
the Resident table and the warehouse."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from shuzhi.domains.services import facts
from shuzhi.domains.services.models import Resident
from shuzhi.platform.security.fields import token_of
from shuzhi.platform.security.keys import field_cipher

from .test_benefits_city import KECHENG, build_city, id_number


def _con() -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.register(
        "residents",
        pa.table(
            {
                "key": pa.array([1, 2, 3, 4], pa.int64()),
                "token": ["t1", "t2", "t3", "t4"],
                "birth_date": pa.array([date(1946, 11, 1)] * 4, pa.date32()),
                "county": ["330802", "330881", "330802", "330102"],
            }
        ),
    )
    con.execute(
        "CREATE TABLE cert AS SELECT * FROM (VALUES "
        "('t1', '3', '2015-01-01', NULL), ('t1', '2', '2016-01-01', '2030-01-01'), "
        "('t2', '1', '2015-01-01', '2026-10-31'), ('t3', '2', '2026-11-02', NULL)) "
        "v(id_number__token, grade, issued_on, valid_until)"
    )
    con.execute(
        "CREATE TABLE low AS SELECT * FROM (VALUES "
        "('t1', DATE '2020-01-01', NULL), ('t2', DATE '2020-01-01', DATE '2026-11-01'), "
        "('t3', DATE '2020-01-01', DATE '2026-10-31')) v(id_number__token, starts_on, ends_on)"
    )
    return con


def test_resident_facts_on_the_month_s_first_day() -> None:
    got = facts.resident_arrays(_con(), period="2026-11", disability="cert", low_income="low")
    assert got.keys.tolist() == [1, 2, 3, 4]
    # t1: two valid certificates, the most severe grade counts; t2: lapsed on 31 October;
    # t3: issued after the first; t4: none
    assert got.inputs["has_disability_certificate"].tolist() == [True, False, False, False]
    assert got.inputs["disability_grade"].tolist() == [2, 0, 0, 0]
    # t2's allowance ends on the first (still held); t3's ended the day before
    assert got.inputs["low_income_household"].tolist() == [True, True, False, False]
    assert got.inputs["county"].tolist() == [330802, 330881, 330802, 330102]
    assert got.counties.tolist() == ["330802", "330881", "330802", "330102"]


def test_residents_without_the_datasets_have_no_facts() -> None:
    got = facts.resident_arrays(_con(), period="2026-11")
    assert not got.inputs["has_disability_certificate"].any()
    assert not got.inputs["low_income_household"].any()


def test_enterprise_facts_of_the_previous_year() -> None:
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE reg AS SELECT * FROM (VALUES ('A', 'a', '330802', '存续'), "
        "('B', 'b', '330881', '吊销'), ('C', 'c', '330802', '存续')) "
        "v(credit_code, enterprise_name, county_code, status)"
    )
    con.execute(
        "CREATE TABLE si AS SELECT * FROM (VALUES "
        "('A', DATE '2025-01-01', 10, 50.0, 0.0), ('A', DATE '2025-06-01', 9, 45.0, 0.0), "
        "('A', DATE '2025-12-01', 9, 45.0, 12.5), ('A', DATE '2026-01-01', 1, 5.0, 99.0), "
        "('B', DATE '2025-01-01', 5, 25.0, 0.0)) "
        "v(credit_code, month, insured_count, unemployment_contribution, arrears)"
    )
    con.execute(
        "CREATE TABLE tech AS SELECT * FROM (VALUES ('A', 2025, 700000.0), ('C', 2026, 1.0)) "
        "v(credit_code, year, rd_expense)"
    )
    got = facts.enterprise_arrays(
        con, period="2026", registry="reg", insurance="si", tech_sme="tech"
    )
    assert got.keys.tolist() == ["A", "B", "C"]
    assert got.inputs["insured_at_start"].tolist() == [10, 5, 0]
    assert got.inputs["insured_at_end"].tolist() == [9, 0, 0]
    assert got.inputs["unemployment_contributions"].tolist() == [140.0, 25.0, 0.0]
    assert got.inputs["social_insurance_arrears"].tolist() == [12.5, 0.0, 0.0]
    assert got.inputs["registered_active"].tolist() == [True, False, True]
    assert got.inputs["on_tech_sme_list"].tolist() == [True, False, False]  # C: 2026 list
    assert got.names is not None
    assert got.names.tolist() == ["a", "b", "c"]


@pytest.mark.django_db
def test_resident_and_warehouse_tokens_are_the_same_function(tmp_path: Path) -> None:
    city = build_city(tmp_path, with_data=False)
    resident = city.residents["R5"]
    plain = id_number(5, "1980-01-01", KECHENG)
    assert resident.id_number_token == token_of(plain) == field_cipher().token(plain)
    stored = Resident.objects.get(pk=resident.pk)
    assert stored.id_number_token == token_of(stored.id_number)


def test_period_helpers() -> None:
    assert facts.period_start("2026-11") == date(2026, 11, 1)
    assert facts.period_start("2026") == date(2026, 1, 1)
    assert facts.current_period("month", date(2026, 11, 25)) == "2026-11"
    assert facts.current_period("year", date(2026, 11, 25)) == "2026"
