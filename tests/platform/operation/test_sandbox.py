"""The sandbox alone (no Django): statement checks, aggregates only, k-suppression, Ibis subset."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from shuzhi.platform.operation import sandbox
from shuzhi.platform.operation.sandbox import Refused, RunFailed, ViewSpec

TYPES = {"power": {"county": "string", "kwh": "decimal"}}


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "wh.duckdb"
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE power__v1 (__row BIGINT, county VARCHAR, kwh DECIMAL(18, 4), "
        "contact VARCHAR, contact__token VARCHAR)"
    )
    # 20 rows in A, 5 in B
    con.execute(
        "INSERT INTO power__v1 SELECT i, CASE WHEN i < 20 THEN 'A' ELSE 'B' END, i, 'x', 't' "
        "FROM range(25) r(i)"
    )
    con.execute("CREATE TABLE other__v1 AS SELECT 42 AS secret FROM range(30)")
    con.execute(
        "CREATE TABLE sales__v2 AS SELECT i AS __row, DATE '2026-01-01' + INTERVAL (i % 3) MONTH "
        "AS month, i * 1.5 AS amount FROM range(60) r(i)"
    )
    con.close()
    return path


VIEWS = [ViewSpec("power", "power__v1", ("county", "kwh"))]


def run(warehouse: Path, sql: str, **kwargs: object) -> sandbox.SandboxResult:
    return sandbox.run(warehouse=warehouse, views=VIEWS, sql=sql, k=10, **kwargs)  # type: ignore[arg-type]


def test_groups_smaller_than_k_are_suppressed_and_counted(warehouse: Path) -> None:
    result = run(warehouse, "SELECT county, COUNT(*) AS n, SUM(kwh) AS total FROM power GROUP BY 1")
    assert result.columns == ["county", "n", "total"]
    assert result.rows == [["A", 20, 190.0]]
    assert result.suppressed == 1
    assert result.rows_scanned == 25
    assert sandbox.COUNT_COLUMN not in result.columns


def test_a_global_aggregate_over_too_few_rows_is_suppressed(warehouse: Path) -> None:
    result = run(warehouse, "SELECT SUM(kwh) FROM power WHERE kwh = 3")
    assert (result.rows, result.suppressed) == ([], 1)
    assert run(warehouse, "SELECT SUM(kwh) AS s FROM power").rows == [[300.0]]


@pytest.mark.parametrize(
    "sql",
    [
        "WITH big AS (SELECT * FROM power WHERE kwh > 1) SELECT county, COUNT(*) FROM big GROUP BY ALL",
        "SELECT UPPER(county) AS c, AVG(kwh) FROM power GROUP BY c ORDER BY c",
        "SELECT * FROM (SELECT county, COUNT(*) AS n FROM power GROUP BY county) AS t ORDER BY n",
        "SELECT county, COUNT(*) FILTER (WHERE kwh > 3) AS n FROM power GROUP BY county",
        "SELECT county, COUNT(DISTINCT kwh) FROM power GROUP BY ROLLUP (county)",
    ],
)
def test_aggregate_queries_run(warehouse: Path, sql: str) -> None:
    result = run(warehouse, sql)
    assert result.rows
    assert result.rows[0][0] in ("A", None)


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("INSERT INTO power VALUES ('C', 1)", "only a single read query"),
        ("DROP TABLE power", "only a single read query"),
        ("DELETE FROM power", "only a single read query"),
        ("CREATE TABLE x AS SELECT 1", "only a single read query"),
        ("ATTACH '/tmp/evil.duckdb' AS evil", "only a single read query"),
        ("COPY power TO '/tmp/out.csv'", "only a single read query"),
        ("PRAGMA database_list", "only a single read query"),
        ("SET enable_external_access = true", "only a single read query"),
        ("SELECT COUNT(*) FROM power; DROP TABLE power", "exactly one statement"),
        ("SELECT COUNT(*) FROM power UNION SELECT 1", "only a single read query"),
        ("SELECT COUNT(*) FROM read_csv('/etc/passwd')", "table functions"),
        ("SELECT COUNT(*) FROM '/etc/passwd'", "not among your authorised datasets"),
        ("SELECT COUNT(*) FROM glob('*')", "table functions"),
        ("SELECT COUNT(*) FROM duckdb_tables()", "table functions"),
        ("SELECT COUNT(*) FROM information_schema.tables", "qualified table names"),
        ("SELECT COUNT(*) FROM wh.main.power__v1", "qualified table names"),
        ("SELECT COUNT(*) FROM power__v1", "not among your authorised datasets"),
        ("SELECT COUNT(*) FROM other__v1", "not among your authorised datasets"),
        (
            "SELECT COUNT(*) FROM power WHERE kwh IN (SELECT secret FROM other__v1)",
            "not among your authorised datasets",
        ),
        (
            "SELECT COUNT(*) FROM (WITH other__v1 AS (SELECT 1) SELECT 1) AS a, other__v1",
            "not among your authorised datasets",
        ),
        ("SELECT COUNT(*), getenv('HOME') FROM power", "function getenv"),
        ("SELECT current_setting('threads') AS s, COUNT(*) FROM power", "function"),
        ("SELECT county, LIST(kwh) FROM power GROUP BY county", "function array_agg"),
        ("SELECT county, STRING_AGG(county, ',') FROM power GROUP BY ALL", "function"),
        ("SELECT COUNT(*) FROM power WHERE kwh > $1", "PLACEHOLDER"),
        ("SELECT COUNT(*) AS __row FROM power", "reserved"),
        ("SELECT COUNT(* FROM power", "cannot be read"),
    ],
)
def test_everything_but_one_checked_read_query_is_refused(
    warehouse: Path, sql: str, reason: str
) -> None:
    with pytest.raises(Refused, match=reason):
        run(warehouse, sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT * FROM power",
        "SELECT county, kwh FROM power",
        "SELECT DISTINCT county FROM power",
        "SELECT 1 FROM power",
        "SELECT power.* FROM power GROUP BY ALL",
        "SELECT kwh, SUM(kwh) OVER () FROM power",
        "SELECT county, COUNT(*), (SELECT MAX(kwh) FROM power) FROM power GROUP BY county",
        "SELECT county, COUNT(*) FROM power GROUP BY county HAVING COUNT(*) > (SELECT 1)",
        "SELECT county, kwh, COUNT(*) FROM power GROUP BY county",
        "SELECT * FROM (SELECT county, kwh FROM power) AS t",
    ],
)
def test_row_level_output_is_refused(warehouse: Path, sql: str) -> None:
    with pytest.raises(Refused):
        run(warehouse, sql)


def test_grouping_by_a_row_level_key_returns_nothing(warehouse: Path) -> None:
    result = run(warehouse, "SELECT kwh, COUNT(*) FROM power GROUP BY kwh")
    assert (result.rows, result.suppressed) == ([], 25)


def test_hidden_columns_are_not_in_the_view(warehouse: Path) -> None:
    with pytest.raises(RunFailed, match="contact"):
        run(warehouse, "SELECT contact, COUNT(*) FROM power GROUP BY contact")


def test_the_row_limit_cuts_the_groups(warehouse: Path) -> None:
    result = sandbox.run(
        warehouse=warehouse,
        views=VIEWS,
        sql="SELECT county, COUNT(*) FROM power GROUP BY 1",
        k=1,
        row_limit=1,
    )
    assert len(result.rows) == 1
    assert result.truncated


def test_a_long_query_is_interrupted(warehouse: Path) -> None:
    con = duckdb.connect(str(warehouse))
    con.execute("CREATE TABLE big__v1 AS SELECT i AS x FROM range(20000000) r(i)")
    con.close()
    slow = "SELECT COUNT(DISTINCT x * 7 % 1000003 + x / 3) AS n FROM big"
    with pytest.raises(RunFailed, match="longer than"):
        sandbox.run(
            warehouse=warehouse,
            views=[ViewSpec("big", "big__v1", ("x",))],
            sql=slow,
            k=10,
            timeout=0.05,
        )


def test_the_connection_cannot_reach_files(warehouse: Path, tmp_path: Path) -> None:
    # belt and braces: even a query that passed the checks could not read files
    con = sandbox._connect(warehouse)
    con.execute("SET enable_external_access = false")
    con.execute("SET lock_configuration = true")
    with pytest.raises(duckdb.Error):
        con.execute("SELECT * FROM read_csv('/etc/passwd')")
    with pytest.raises(duckdb.Error):
        con.execute("SET enable_external_access = true")
    con.close()


def test_ibis_expressions_compile_and_run(warehouse: Path) -> None:
    sql = sandbox.ibis_to_sql(
        "power.filter(power.kwh >= 0).group_by('county')"
        ".aggregate(n=_.count(), total=_.kwh.sum()).order_by(_.total.desc())",
        TYPES,
    )
    result = run(warehouse, sql)
    assert result.columns == ["county", "n", "total"]
    assert (result.rows, result.suppressed) == ([["A", 20, 190.0]], 1)
    assert run(warehouse, sandbox.ibis_to_sql("power.kwh.mean()", TYPES)).rows == [[12.0]]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("__import__('os').system('id')", "unknown name __import__"),
        ("power.__class__", "names starting with _"),
        ("power.kwh.__class__.__mro__", "names starting with _"),
        ("power['__dict__']", "only a column name"),
        ("getattr(power, 'kwh')", "unknown name getattr"),
        ("os.system('id')", "unknown name os"),
        ("ibis.read_csv('/etc/passwd')", "unknown name ibis"),
        ("secret_power.count()", "unknown name secret_power"),
        ("power.kwh.sum().execute()", "execute is not"),
        ("power.sql('SELECT 1')", "sql is not"),
        ("(lambda: 1)()", "Lambda"),
        ("[x for x in power]", "ListComp"),
        ("power.count() if True else 1", "IfExp"),
        ("power.group_by('county')", "needs .aggregate"),
        ("power.kwh.cast('json').count()", "cast takes"),
        ("power.filter(power.nope > 1).count()", "nope is not a known column"),
        ("power.count(\n", "cannot be read"),
        ("1 + 1", "a column on one side"),
        ("power.filter(power.county == 'x' * 1000000000).count()", "a column on one side"),
        ("'text'", "must give a table"),
    ],
)
def test_ibis_outside_the_subset_is_refused(text: str, reason: str) -> None:
    with pytest.raises(Refused, match=reason):
        sandbox.ibis_to_sql(text, TYPES)


def test_ibis_row_level_output_is_refused_by_the_sql_checks(warehouse: Path) -> None:
    sql = sandbox.ibis_to_sql("power.select('county', 'kwh')", TYPES)
    with pytest.raises(Refused, match="only aggregates"):
        run(warehouse, sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT county, MAX(power) FROM power GROUP BY county",  # the whole row as a struct
        "SELECT power, COUNT(*) FROM power GROUP BY power",
        "SELECT county, MIN(county || '') AS first_name FROM power GROUP BY county",
        "SELECT MAX(county) FROM power",
    ],
)
def test_aggregates_that_carry_a_rows_values_are_refused(warehouse: Path, sql: str) -> None:
    with pytest.raises(Refused, match="only aggregates"):
        run(warehouse, sql)


def test_numeric_extremes_are_aggregates(warehouse: Path) -> None:
    assert run(warehouse, "SELECT county, MAX(kwh) FROM power GROUP BY county").rows == [
        ["A", 19.0]
    ]


def test_a_query_must_read_an_authorised_dataset(warehouse: Path) -> None:
    with pytest.raises(Refused, match="at least one"):
        run(warehouse, "SELECT COUNT(*)")


def test_a_missing_warehouse_fails_cleanly(tmp_path: Path) -> None:
    with pytest.raises(RunFailed, match="no data"):
        run(tmp_path / "none.duckdb", "SELECT COUNT(*) FROM power")


def test_a_warehouse_open_elsewhere_in_this_process_is_waited_for(warehouse: Path) -> None:
    holder = duckdb.connect(str(warehouse))
    try:
        with pytest.raises(RunFailed, match="busy"):
            sandbox._connect(warehouse, wait=0.3)
    finally:
        holder.close()
    sandbox._connect(warehouse, wait=0.3).close()


def test_dates_group_by_month_and_year(warehouse: Path) -> None:
    views = [ViewSpec("sales", "sales__v2", ("month", "amount"))]
    sql = "SELECT date_trunc('month', month) AS m, SUM(amount) FROM sales GROUP BY 1 ORDER BY 1"
    result = sandbox.run(warehouse=warehouse, views=views, sql=sql, k=10)
    assert [row[0][:7] for row in result.rows] == ["2026-01", "2026-02", "2026-03"]
    text = "sales.group_by(y=sales.month.year()).aggregate(n=_.count(), total=_.amount.sum())"
    compiled = sandbox.ibis_to_sql(text, {"sales": {"month": "date", "amount": "decimal"}})
    result = sandbox.run(warehouse=warehouse, views=views, sql=compiled, k=10)
    assert result.rows == [[2026, 60, 2655.0]]


@pytest.fixture
def coded_warehouse(tmp_path: Path) -> Path:
    """A version whose coded field is an ENUM, as the warehouse stores code-table fields;
    one code reads like a list type's marker."""
    path = tmp_path / "coded.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE power__v1 (__row BIGINT, county ENUM('A', 'B', 'LIST[]'), kwh INT)")
    con.execute(
        "INSERT INTO power__v1 SELECT i, CASE WHEN i < 20 THEN 'A' ELSE 'LIST[]' END, i "
        "FROM range(25) r(i)"
    )
    con.close()
    return path


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT MAX(county) FROM power",
        "SELECT kwh > 3 AS big, MIN(county) FROM power GROUP BY 1",
    ],
)
def test_an_aggregate_of_a_coded_field_is_refused_like_text(
    coded_warehouse: Path, sql: str
) -> None:
    with pytest.raises(Refused, match="only aggregates"):
        run(coded_warehouse, sql)


def test_a_coded_field_groups_like_text(coded_warehouse: Path) -> None:
    result = run(coded_warehouse, "SELECT county, COUNT(*) AS n FROM power GROUP BY county")
    # the type names a code 'LIST[]' and is still text; that group (5 rows) is below k = 10
    assert result.rows == [["A", 20]]
