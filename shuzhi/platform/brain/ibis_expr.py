"""Indicator measures written in Ibis (``ibis: t.kwh.sum()``), read with ``ast``; no Django.

The text is never ``eval``-ed: :mod:`ast` parses it and a small interpreter allows the table
(``t`` or the dataset code), its allowed columns, a short list of aggregate and column methods,
arithmetic, comparisons and number or text literals. The result must be one aggregate; it is
compiled by Ibis to DuckDB SQL, and that SQL then passes the same checks as any SQL indicator.

>>> to_sql_expression("t.kwh.sum()", table="power", columns={"kwh": "decimal"})
'SUM(kwh)'
>>> to_sql_expression("t.kwh.sum(where=t.county == '330802') / t.count()", table="power",
...     columns={"kwh": "decimal", "county": "string"})
"SUM(kwh) FILTER(WHERE county = '330802') / COUNT(*)"
>>> to_sql_expression("t.kwh.__class__", table="power", columns={"kwh": "decimal"})
Traceback (most recent call last):
    ...
shuzhi.platform.brain.indicator_sql.IndicatorError: not allowed in an Ibis measure: __class__
>>> to_sql_expression("t.price.sum()", table="power", columns={"kwh": "decimal"})
Traceback (most recent call last):
    ...
shuzhi.platform.brain.indicator_sql.IndicatorError: unknown or not allowed field: price
>>> to_sql_expression("t.kwh.sum(", table="power", columns={"kwh": "decimal"})
Traceback (most recent call last):
    ...
shuzhi.platform.brain.indicator_sql.IndicatorError: the Ibis measure does not parse: '(' was never closed
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from typing import Any

import ibis
import sqlglot
from ibis.expr.types import Expr, Scalar
from sqlglot import exp

from .indicator_sql import IndicatorError

PREFIX = "ibis:"
METHODS = frozenset(
    {"sum", "mean", "min", "max", "count", "nunique", "median", "std", "abs", "round", "isnull"}
)
IBIS_TYPES = {
    "string": "string",
    "integer": "int64",
    "decimal": "float64",
    "date": "date",
    "datetime": "timestamp",
    "boolean": "boolean",
}
_BINARY: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.BitAnd: operator.and_,
    ast.BitOr: operator.or_,
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


def is_ibis(text: str) -> bool:
    return (text or "").strip().lower().startswith(PREFIX)


class _Bound:
    def __init__(self, target: Any, name: str) -> None:
        self.target, self.name = target, name


class _Interpreter:
    def __init__(self, names: Mapping[str, Any]) -> None:
        self.names = names

    def eval(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return self.eval(node.body)
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str | int | float) and not isinstance(node.value, bool):
                return node.value
            raise IndicatorError("only number and text literals are allowed")
        if isinstance(node, ast.Name):
            if node.id not in self.names:
                raise IndicatorError(f"unknown name in the Ibis measure: {node.id}")
            return self.names[node.id]
        if isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                raise IndicatorError(f"not allowed in an Ibis measure: {node.attr}")
            target = self.eval(node.value)
            if isinstance(target, ibis.expr.types.Table) and node.attr != "count":
                if node.attr not in target.columns:
                    raise IndicatorError(f"unknown or not allowed field: {node.attr}")
                return target[node.attr]
            if node.attr in METHODS and isinstance(target, Expr):
                return _Bound(target, node.attr)
            raise IndicatorError(f"not allowed in an Ibis measure: {node.attr}")
        if isinstance(node, ast.Call):
            method = self.eval(node.func)
            if not isinstance(method, _Bound):
                raise IndicatorError("only the allowed methods may be called")
            args = [self.eval(a) for a in node.args if not isinstance(a, ast.Starred)]
            kwargs = {}
            for keyword in node.keywords:
                if keyword.arg not in {"where", "digits"}:
                    raise IndicatorError(f"not allowed in an Ibis measure: {keyword.arg}")
                kwargs[keyword.arg] = self.eval(keyword.value)
            try:
                return getattr(method.target, method.name)(*args, **kwargs)
            except Exception as error:
                first = str(error).splitlines()[0][:200] if str(error) else type(error).__name__
                raise IndicatorError(f"{method.name}: {first}") from None
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.eval(node.left), self.eval(node.right)
            if not any(isinstance(side, Expr) for side in (left, right)):
                raise IndicatorError("an operator needs a column on one side")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and type(node.ops[0]) in _COMPARE:
            return _COMPARE[type(node.ops[0])](self.eval(node.left), self.eval(node.comparators[0]))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -self.eval(node.operand)
        raise IndicatorError(f"not allowed in an Ibis measure: {type(node).__name__}")


def to_sql_expression(text: str, *, table: str, columns: Mapping[str, str]) -> str:
    """The SQL aggregate an Ibis measure compiles to (then checked like any SQL measure)."""
    text = text.strip()
    if text.lower().startswith(PREFIX):
        text = text[len(PREFIX) :].strip()
    if len(text) > 1000:
        raise IndicatorError("the Ibis measure is longer than 1000 characters")
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as error:
        raise IndicatorError(f"the Ibis measure does not parse: {error.msg}") from None
    schema = {name: IBIS_TYPES.get(kind, "string") for name, kind in columns.items()}
    source = ibis.table(schema, name=table)
    measure = _Interpreter({"t": source, table: source}).eval(tree)
    if not isinstance(measure, Scalar):
        raise IndicatorError("the Ibis measure must aggregate to one value (e.g. t.kwh.sum())")
    try:
        compiled = ibis.to_sql(source.aggregate(value=measure), dialect="duckdb")
    except Exception:
        raise IndicatorError("the Ibis measure cannot be compiled") from None
    select = sqlglot.parse_one(str(compiled), read="duckdb")
    value = select.expressions[0]
    value = value.this if isinstance(value, exp.Alias) else value
    for column in value.find_all(exp.Column):
        column.set("table", None)
    for identifier in value.find_all(exp.Identifier):
        identifier.set("quoted", False)
    return value.sql(dialect="duckdb")
