"""Portability: the same pipeline on PySpark (local mode) gives DuckDB's numbers.

One Spark session for the module (local[2], two shuffle partitions, no UI).
"""

from __future__ import annotations

import math
import shutil
from collections.abc import Iterator
from typing import Any

import ibis
import pytest

from shuzhi.domains.carbon import pipeline

from .pipeline_cases import run
from .test_pipeline import chain, direct, edge_tables, same_records

pytestmark = [
    pytest.mark.slow,  # about 45 s: a Spark session starts and runs the queries
    pytest.mark.skipif(shutil.which("java") is None, reason="PySpark needs Java"),
]


@pytest.fixture(scope="module")
def spark(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from pyspark.sql import SparkSession

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = (
        SparkSession.builder.master("local[2]")
        .appName("shuzhi-carbon-test")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.warehouse.dir", str(warehouse))
        .config("spark.driver.extraJavaOptions", f"-Dderby.system.home={warehouse}")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _same(a: Any, b: Any, path: str) -> None:
    if isinstance(a, dict):
        assert isinstance(b, dict), path
        assert set(a) == set(b), path
        for key in a:
            _same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        assert isinstance(b, list), path
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert a is not None, path
        assert b is not None, path
        assert math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-9), (path, a, b)
    else:
        assert a == b, (path, a, b)


def test_spark_and_duckdb_agree(spark: Any) -> None:
    duck = run(ibis.duckdb.connect())
    con = ibis.pyspark.connect(spark)

    def load(name: str, table: Any) -> Any:
        # Arrow straight into Spark (true nulls, decimal(38,10), dates), as a temp view
        spark.createDataFrame(table).createOrReplaceTempView(f"carbon_{name}")
        return con.table(f"carbon_{name}")

    sparked = run(con, load=load)
    assert len(duck["records"]) == len(sparked["records"]) > 0
    assert len(duck["monthly"]) == len(sparked["monthly"])
    _same(duck["monthly"], sparked["monthly"], "monthly")
    _same(duck["records"], sparked["records"], "records")
    _same(duck["sectors"], sparked["sectors"], "sectors")
    # the comparison covered graded and ungraded enterprises alike
    colours = {r["colour"] for r in sparked["records"]}
    assert None in colours
    assert "dark_green" in colours


def test_spark_accounts_agree(spark: Any) -> None:
    """accounts() — the annual accounts in one aggregation of the inputs, with BIT_OR and
    BIT_COUNT for the months — on Spark gives DuckDB's records, which are the chain's."""
    duck = ibis.duckdb.connect()
    con = ibis.pyspark.connect(spark)
    arrow = edge_tables()

    def load(name: str, table: Any) -> Any:
        spark.createDataFrame(table).createOrReplaceTempView(f"edge_{name}")
        return con.table(f"edge_{name}")

    in_spark = {name: load(name, table) for name, table in arrow.items()}
    in_duck = {name: ibis.memtable(table) for name, table in arrow.items()}
    sparked = pipeline.to_records(direct(in_spark), con=con)
    same_records(sparked, pipeline.to_records(direct(in_duck), con=duck))
    same_records(sparked, pipeline.to_records(chain(in_duck), con=duck))
    assert {r["colour"] for r in sparked} >= {None, "dark_green"}
