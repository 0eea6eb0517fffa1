"""Indicator queries (指标口径): build and check the SQL of an indicator; no Django.

An indicator is an aggregate expression over one dataset (its code is the table name), a date
field truncated to a grain, and optional dimensions (county code, industry…). Its SQL is one
DuckDB ``SELECT`` that returns ``period``, ``dimension_value`` and ``value``. The expression may
also be a whole ``SELECT`` returning those columns. Either way it is checked with sqlglot before
anything runs: one read query; the dataset's own table only, by its code, never qualified, never a
table function, join, subquery or set operation; columns only among the allowed fields (L1–L2).

>>> sql = build_sql(table="power", expression="SUM(kwh)", period_field="month", grain="month",
...     dimension="county")
>>> sql
"SELECT DATE_TRUNC('MONTH', CAST(month AS DATE)) AS period, CAST(county AS TEXT) AS dimension_value, SUM(kwh) AS value FROM power GROUP BY 1, 2"
>>> _ = check_sql(sql, table="power", columns={"month", "county", "kwh"})
>>> check_sql("SELECT 1 AS period, 2 AS value FROM read_csv('/etc/passwd')", table="power",
...     columns={"kwh"})
Traceback (most recent call last):
    ...
shuzhi.platform.brain.indicator_sql.IndicatorError: only the table power may be read
>>> check_expression("SUM(kw", table="power", columns={"kwh"})
Traceback (most recent call last):
    ...
shuzhi.platform.brain.indicator_sql.IndicatorError: the expression does not parse
>>> check_expression("SUM(price)", table="power", columns={"kwh"})
Traceback (most recent call last):
    ...
shuzhi.platform.brain.indicator_sql.IndicatorError: unknown or not allowed field: price
"""

from __future__ import annotations

from collections.abc import Collection
from typing import cast

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

__all__ = [
    "GRAINS",
    "IndicatorError",
    "bind_table",
    "build_sql",
    "check_expression",
    "check_sql",
]

GRAINS = ("month", "quarter", "year")
OUTPUT = ("period", "dimension_value", "value")
_FORBIDDEN = (
    exp.Join,
    exp.Union,
    exp.Intersect,
    exp.Except,
    exp.Values,
    exp.Subquery,
    exp.Placeholder,
    exp.Parameter,
    exp.Lateral,
    exp.Window,
    exp.Star,
)
_ALLOWED_ANONYMOUS = frozenset({"median", "quantile_cont", "stddev_samp", "date_trunc"})


class IndicatorError(ValueError):
    """An indicator whose expression does not parse or reads what it may not."""


def _parse(text: str, what: str) -> exp.Expression:
    try:
        parsed = sqlglot.parse(text, read="duckdb")
    except SqlglotError:
        raise IndicatorError(f"the {what} does not parse") from None
    if len(parsed) != 1 or parsed[0] is None:
        raise IndicatorError(f"the {what} must be one statement")
    return cast(exp.Expression, parsed[0])


def _check_nodes(tree: exp.Expression, *, table: str, columns: Collection[str]) -> None:
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN):
            raise IndicatorError(f"not allowed in an indicator: {node.key}")
        if isinstance(node, exp.Select) and node is not tree:
            raise IndicatorError("not allowed in an indicator: subquery")
        if isinstance(node, exp.Table):
            if node.args.get("db") or node.args.get("catalog") or node.name != table:
                raise IndicatorError(f"only the table {table} may be read")
            if not isinstance(node.this, exp.Identifier):
                raise IndicatorError("table functions are not allowed")
        if isinstance(node, exp.Anonymous) and node.name.lower() not in _ALLOWED_ANONYMOUS:
            raise IndicatorError(f"unknown function: {node.name}")
        if isinstance(node, exp.Func) and "read" in node.key:  # read_csv, read_parquet…
            raise IndicatorError("table functions are not allowed")
        if isinstance(node, exp.Column):
            if node.table and node.table != table:
                raise IndicatorError(f"only the table {table} may be read")
            if node.name not in columns and node.name not in OUTPUT:
                raise IndicatorError(f"unknown or not allowed field: {node.name}")


def check_expression(text: str, *, table: str, columns: Collection[str]) -> exp.Expression:
    """Check an aggregate expression such as ``SUM(kwh)`` or ``COUNT(*)``."""
    text = (text or "").strip()
    if not text:
        raise IndicatorError("the expression is empty")
    if text.lower().startswith(("select", "with")):
        return check_sql(text, table=table, columns=columns)
    tree = _parse(f"SELECT {text} AS value FROM {table}", "expression")  # noqa: S608 - parsed, then checked
    if not isinstance(tree, exp.Select):
        raise IndicatorError("the expression must be a value")
    value = tree.expressions[0]
    # COUNT(*) is the one place a star is fine
    for star in list(value.find_all(exp.Star)):
        if not isinstance(star.parent, exp.Count):
            raise IndicatorError("not allowed in an indicator: star")
        star.parent.set("this", exp.Literal.number(1))
    if not value.find(exp.AggFunc):
        raise IndicatorError("the expression must aggregate (SUM, COUNT, AVG, MIN, MAX…)")
    _check_nodes(tree, table=table, columns=columns)
    return value


def check_sql(text: str, *, table: str, columns: Collection[str]) -> exp.Select:
    """Check a whole indicator query; it must name the columns ``period`` and ``value``."""
    tree = _parse(text, "query")
    if not isinstance(tree, exp.Select):
        raise IndicatorError("an indicator query must be one SELECT")
    if tree.args.get("with"):
        raise IndicatorError("not allowed in an indicator: with")
    for star in list(tree.find_all(exp.Star)):
        if isinstance(star.parent, exp.Count):
            star.parent.set("this", exp.Literal.number(1))
    names = {e.alias_or_name for e in tree.expressions}
    if not {"period", "value"} <= names:
        raise IndicatorError("the query must return the columns period and value")
    _check_nodes(tree, table=table, columns=columns)
    return tree


def build_sql(
    *,
    table: str,
    expression: str,
    period_field: str,
    grain: str,
    dimension: str = "",
    where: str = "",
) -> str:
    """The indicator's query over the dataset code, per period and (optionally) dimension."""
    if expression.strip().lower().startswith(("select", "with")):
        return expression.strip()
    if grain not in GRAINS:
        raise IndicatorError(f"unknown grain: {grain}")
    period = exp.func(
        "DATE_TRUNC",
        exp.Literal.string(grain.upper()),
        exp.cast(exp.column(period_field), "DATE"),
    ).as_("period")
    dim: exp.Expression = (
        exp.cast(exp.column(dimension), "TEXT") if dimension else exp.Literal.string("")
    )
    value = _parse(f"SELECT {expression} AS value FROM {table}", "expression")  # noqa: S608 - parsed
    select = exp.select(period, dim.as_("dimension_value"), value.expressions[0]).from_(table)
    if where.strip():
        condition = _parse(f"SELECT 1 FROM {table} WHERE {where}", "filter")  # noqa: S608 - parsed
        select = select.where(condition.args["where"].this)
    select = select.group_by(exp.Literal.number(1), exp.Literal.number(2))
    return select.sql(dialect="duckdb")


def bind_table(tree: exp.Expression, *, table: str, physical: str) -> str:
    """The checked query over the stored table of the current version."""
    bound = tree.copy()
    for node in bound.find_all(exp.Table):
        if node.name == table:
            node.set("this", exp.to_identifier(physical, quoted=True))
    for column in bound.find_all(exp.Column):
        if column.table == table:
            column.set("table", exp.to_identifier(physical, quoted=True))
    return bound.sql(dialect="duckdb")
