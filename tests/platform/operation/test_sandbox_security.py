"""Sandbox escapes found in review: rows repeated to pass for a group of k."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from shuzhi.platform.operation import sandbox
from shuzhi.platform.operation.sandbox import Refused, ViewSpec


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE power__v1 (__row BIGINT, county VARCHAR, kwh DECIMAL(18, 4))")
    con.execute(
        "INSERT INTO power__v1 SELECT i, CASE WHEN i < 20 THEN 'A' ELSE 'B' END, i "
        "FROM range(25) r(i)"
    )
    con.execute("CREATE TABLE sales__v1 AS SELECT i AS __row, i AS amount FROM range(30) r(i)")
    con.close()
    return path


VIEWS = [
    ViewSpec("power", "power__v1", ("county", "kwh")),
    ViewSpec("sales", "sales__v1", ("amount",)),
]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT p.kwh, COUNT(*) FROM power p JOIN power q ON true GROUP BY p.kwh",
        "SELECT p.kwh, COUNT(*) FROM power p, power q GROUP BY p.kwh",
        "SELECT kwh, COUNT(*) FROM power CROSS JOIN sales GROUP BY kwh",
        "WITH t AS (SELECT kwh FROM power) SELECT t.kwh, COUNT(*) FROM t, t AS u GROUP BY t.kwh",
        "SELECT kwh, COUNT(*) FROM power, (VALUES (1), (2), (3), (4), (5), (6), (7), (8), (9), "
        "(10)) v(x) GROUP BY kwh",
        "SELECT kwh, COUNT(*) FROM (" + " UNION ALL ".join(["SELECT kwh FROM power"] * 10) + ") "
        "GROUP BY kwh",
        "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 10) "
        "SELECT kwh, COUNT(*) FROM power, r GROUP BY kwh",
    ],
)
def test_rows_cannot_be_repeated_to_pass_for_a_group_of_k(warehouse: Path, sql: str) -> None:
    with pytest.raises(Refused, match="not allowed"):
        sandbox.run(warehouse=warehouse, views=VIEWS, sql=sql, k=10)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT kwh, COUNT(*) FROM (SELECT kwh FROM power GROUP BY GROUPING SETS ("
        + ", ".join(["(kwh)"] * 10)
        + ")) GROUP BY kwh",
        "WITH t AS (SELECT kwh, county FROM power GROUP BY CUBE (kwh, county)) "
        "SELECT kwh, COUNT(*) FROM t GROUP BY kwh",
        "SELECT kwh, COUNT(*) FROM (SELECT kwh FROM power GROUP BY kwh, ROLLUP (county)) "
        "GROUP BY kwh",
    ],
)
def test_grouping_sets_cannot_repeat_rows_below_the_aggregate(warehouse: Path, sql: str) -> None:
    with pytest.raises(Refused, match="aggregating SELECT only"):
        sandbox.run(warehouse=warehouse, views=VIEWS, sql=sql, k=10)


def test_grouping_sets_in_the_aggregating_select_count_each_set(warehouse: Path) -> None:
    result = sandbox.run(
        warehouse=warehouse,
        views=VIEWS,
        sql="SELECT county, COUNT(*) AS n FROM power GROUP BY ROLLUP (county)",
        k=10,
    )
    assert sorted(result.rows, key=str) == [["A", 20], [None, 25]]


def test_a_subquery_in_where_still_runs(warehouse: Path) -> None:
    result = sandbox.run(
        warehouse=warehouse,
        views=VIEWS,
        sql="SELECT county, COUNT(*) AS n FROM power WHERE kwh IN (SELECT amount FROM sales) "
        "GROUP BY county",
        k=10,
    )
    assert result.rows == [["A", 20]]


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT COUNT(*) AS n FROM power WHERE CAST(county AS INTEGER) = 1",
        "SELECT county, CAST(MIN(county) AS DATE) AS d FROM power GROUP BY county",
        "SELECT county, SUM(CAST(county AS INTEGER)) AS s FROM power GROUP BY county",
    ],
)
def test_a_failed_run_does_not_quote_row_values(warehouse: Path, sql: str) -> None:
    with pytest.raises(sandbox.RunFailed) as failed:
        sandbox.run(warehouse=warehouse, views=VIEWS, sql=sql, k=10)
    assert "'A'" not in str(failed.value)
    assert '"A"' not in str(failed.value)
    assert "Conversion Error" in str(failed.value)


def test_a_binding_error_still_names_the_column(warehouse: Path) -> None:
    with pytest.raises(sandbox.RunFailed, match="Binder Error"):
        sandbox.run(warehouse=warehouse, views=VIEWS, sql="SELECT COUNT(nope) FROM power", k=10)
