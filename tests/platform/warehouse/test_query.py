"""Row queries over a stored version: what a reader may ask, and what they get back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from shuzhi.platform.security.sm import FieldCipher
from shuzhi.platform.warehouse.engine import Warehouse, ingest_file
from shuzhi.platform.warehouse.query import MAX_LIMIT, QueryError, RowQuery, run_query
from shuzhi.platform.warehouse.spec import FieldSpec

from .files import ELECTRICITY, ELECTRICITY_COLUMNS, cipher, credit_code, write_csv

ROWS = [
    [credit_code(1), "2026-01-01", "10.5", "330802"],
    [credit_code(1), "2026-02-01", "30", "330802"],
    [credit_code(2), "2026-01-01", "20", "330803"],
    [credit_code(3), "2026-01-01", "", "330881"],
    [credit_code(4), "2026-03-01", "5", "330803"],
]

PEOPLE = [
    FieldSpec("id_number", "string", semantic_type="id_number", encrypted=True),
    FieldSpec("name", "string", semantic_type="person_name"),
    FieldSpec("county", "string"),
]


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    with Warehouse(tmp_path / "warehouse.duckdb") as opened:
        path = write_csv(tmp_path / "electricity.csv", ELECTRICITY_COLUMNS, ROWS)
        ingest_file(
            warehouse=opened, path=path, dataset_code="power", version=1, fields=ELECTRICITY
        )
        yield opened


def run(warehouse: Warehouse, query: RowQuery, **options: Any) -> Any:
    return run_query(warehouse, "power", 1, ELECTRICITY, query, **options)


def test_filters_sort_and_pages(warehouse: Warehouse) -> None:
    query = RowQuery(
        fields=["credit_code", "kwh"],
        filters={"county": ["330802", "330803"]},
        sort=[("kwh", True)],
        limit=2,
        offset=1,
    )
    result = run(warehouse, query)
    assert result.columns == ["credit_code", "kwh"]
    assert result.total == 4
    assert result.rows == [
        {"credit_code": credit_code(2), "kwh": Decimal("20")},
        {"credit_code": credit_code(1), "kwh": Decimal("10.5")},
    ]


def test_filter_values_are_read_by_the_field_rules(warehouse: Warehouse) -> None:
    result = run(warehouse, RowQuery(filters={"month": ["2026/2/1"]}, fields=["month"]))
    assert result.rows == [{"month": date(2026, 2, 1)}]
    with pytest.raises(QueryError, match="not a real date"):
        run(warehouse, RowQuery(filters={"month": ["2026-02-30"]}))


def test_search_matches_text_fields_ignoring_case(warehouse: Warehouse) -> None:
    code = credit_code(3)
    result = run(warehouse, RowQuery(q=code[-6:].lower(), fields=["credit_code"]))
    assert result.rows == [{"credit_code": code}]


def test_scope_limits_rows_and_a_filter_cannot_widen_it(warehouse: Warehouse) -> None:
    scope = {"county": ["330803"]}
    mine = run(warehouse, RowQuery(fields=["county"]), scope=scope)
    assert {row["county"] for row in mine.rows} == {"330803"}
    assert mine.total == 2
    other = run(warehouse, RowQuery(filters={"county": ["330802"]}), scope=scope)
    assert (other.rows, other.total) == ([], 0)


def test_fields_outside_the_visible_ones_cannot_be_seen_filtered_or_sorted(
    warehouse: Warehouse,
) -> None:
    visible = ["credit_code", "month"]
    assert run(warehouse, RowQuery(), visible=visible).columns == visible
    for query in (
        RowQuery(fields=["kwh"]),
        RowQuery(filters={"kwh": ["5"]}),
        RowQuery(sort=[("kwh", False)]),
    ):
        with pytest.raises(QueryError, match="no such field"):
            run(warehouse, query, visible=visible)


@pytest.mark.parametrize(
    "query",
    [
        RowQuery(fields=['kwh" FROM power__v1; DROP TABLE power__v1; --']),
        RowQuery(sort=[("kwh; DROP TABLE power__v1", False)]),
        RowQuery(filters={"county) OR 1=1 --": ["330802"]}),
    ],
)
def test_injection_in_names_is_refused_before_any_sql(
    warehouse: Warehouse, query: RowQuery
) -> None:
    with pytest.raises(QueryError, match="no such field"):
        run(warehouse, query)
    assert warehouse.has_table("power__v1")


def test_injection_in_values_is_only_a_value(warehouse: Warehouse) -> None:
    hostile = "330802' OR '1'='1"
    with pytest.raises(QueryError, match="not a division code"):
        run(warehouse, RowQuery(filters={"county": [hostile]}))
    found = run(warehouse, RowQuery(q="' OR 1=1 --"))
    assert (found.rows, found.total) == ([], 0)


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        (RowQuery(limit=MAX_LIMIT + 1), "limit"),
        (RowQuery(limit=-1), "limit"),
        (RowQuery(offset=-5), "offset"),
        (RowQuery(fields=[]), "at least one field"),
        (RowQuery(fields=["kwh", "kwh"]), "twice"),
        (RowQuery(filters={"county": []}), "values"),
        (RowQuery(filters={"county": [""]}), "empty filter"),
        (RowQuery(q="x" * 201), "search text"),
    ],
)
def test_bad_queries_name_the_problem(warehouse: Warehouse, query: RowQuery, problem: str) -> None:
    with pytest.raises(QueryError, match=problem):
        run(warehouse, query)


def test_a_page_of_nothing_still_counts(warehouse: Warehouse) -> None:
    result = run(warehouse, RowQuery(limit=0))
    assert (result.rows, result.total) == ([], 5)
    assert run(warehouse, RowQuery(include_total=False)).total is None


def test_a_missing_version_is_a_lookup_error(warehouse: Warehouse) -> None:
    with pytest.raises(LookupError):
        run_query(warehouse, "power", 2, ELECTRICITY, RowQuery())


def _encrypted(
    tmp_path: Path, code: str, fields: list[FieldSpec], rows: list[list[str]], key: FieldCipher
) -> Warehouse:
    """A warehouse holding version 1 of ``code``, its encrypted fields under ``key``."""
    path = write_csv(tmp_path / f"{code}.csv", [spec.name for spec in fields], rows)
    warehouse = Warehouse(tmp_path / "w.duckdb")
    ingest_file(
        warehouse=warehouse, path=path, dataset_code=code, version=1, fields=fields, cipher=key
    )
    return warehouse


def test_encrypted_fields_filter_by_token_and_never_sort(tmp_path: Path) -> None:
    people = cipher()
    number = "11010519491231002X"
    rows = [[number, "张三", "330802"], ["330802199001011232", "李四", "330803"]]
    with _encrypted(tmp_path, "people", PEOPLE, rows, people) as warehouse:
        options: dict[str, Any] = {"token": people.token}
        lower = number.lower()  # the filter value is normalised like the stored one
        query = RowQuery(filters={"id_number": [lower]}, fields=["name", "id_number"])
        found = run_query(warehouse, "people", 1, PEOPLE, query, **options)
        assert [row["name"] for row in found.rows] == ["张三"]
        assert people.decrypt(found.rows[0]["id_number"]) == number
        with pytest.raises(QueryError, match="cannot be sorted"):
            run_query(warehouse, "people", 1, PEOPLE, RowQuery(sort=[("id_number", False)]))
        with pytest.raises(QueryError, match="cannot be filtered"):
            run_query(warehouse, "people", 1, PEOPLE, RowQuery(filters={"id_number": [number]}))
        searched = run_query(warehouse, "people", 1, PEOPLE, RowQuery(q="0021"), **options)
        assert searched.total == 0  # encrypted values are never searched


@pytest.mark.parametrize("places", [None, 2])
def test_an_encrypted_decimal_filters_by_the_token_of_its_stored_text(
    tmp_path: Path, places: int | None
) -> None:
    # the filter value "12.5" must token like the stored 12.5000000000 (or 12.50)
    salaries = cipher()
    fields = [
        FieldSpec("name", "string"),
        FieldSpec("salary", "decimal", encrypted=True, decimal_places=places),
    ]
    rows = [["张三", "12.5"], ["李四", "7"]]
    with _encrypted(tmp_path, "pay", fields, rows, salaries) as warehouse:
        for value, name in (("12.5", "张三"), ("12.50", "张三"), ("7.0", "李四")):
            query = RowQuery(filters={"salary": [value]}, fields=["name"])
            found = run_query(warehouse, "pay", 1, fields, query, token=salaries.token)
            assert [row["name"] for row in found.rows] == [name], value
