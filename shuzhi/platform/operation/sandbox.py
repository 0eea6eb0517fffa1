"""The analysis sandbox (分析沙箱) of authorised operation: checked read queries, aggregates only.

Plain Python, no Django. An operator's analysis arrives as SQL or as an Ibis expression; both
end as one DuckDB ``SELECT`` that this module checks with sqlglot before anything runs:

* one statement, a read query (``SELECT`` or ``WITH … SELECT``) — never DML, DDL, ``ATTACH``,
  ``COPY``, ``PRAGMA``, ``SET`` or several statements;
* tables only by the names of the datasets the operator is authorised for (checked scope by
  scope, so a common table expression cannot smuggle a table in), never qualified
  (``information_schema.tables``, ``wh.x``) and never table functions (``read_csv``, ``glob``,
  ``duckdb_tables()``); functions from a short allowlist only;
* no joins, ``VALUES`` lists or set operations (``UNION``…) anywhere: each of them can repeat
  a row, and a row repeated k times would pass for a group of k;
* the query aggregates at the top (``GROUP BY`` or a global aggregate): each output column is
  an aggregate or a group key; no ``*``, no window functions, no subquery in the output.
  Aggregates that return row values (``list``, ``string_agg``, ``arg_max``…) are not allowed,
  and once run, no output column may hold a structure or list (``MAX(table)`` is a whole row)
  and no aggregate may be text (``MIN(name)`` is one row's name).

The checked query is rewritten to count the rows of each group too, and groups smaller than
``k`` (最小分组) are suppressed: never returned, only counted.

Ibis expressions are never ``eval``-ed: the text is parsed with :mod:`ast` and a small subset
is interpreted (dataset names, ``_``, column names, whitelisted methods, operators, literals),
then compiled to SQL and checked like any other query.

Execution uses a fresh in-memory DuckDB connection that attaches the warehouse file read-only,
exposes each dataset as a view of its visible columns only, then switches off external access
and locks the configuration before the operator's query runs, under a timeout, a memory limit
and a row limit. What runs is sqlglot's rendering of the checked tree, not the text as typed.
Differencing (two queries whose difference isolates a small group) is not detected here: that
is what the bureau's review of every result is for.

>>> tables = {"power": ("county", "kwh")}
>>> core = check_sql("SELECT county, SUM(kwh) AS total FROM power GROUP BY county", tables)
>>> guarded_sql(core)
'SELECT county, SUM(kwh) AS total, COUNT(*) AS __shuzhi_n FROM power GROUP BY county'
>>> check_sql("SELECT county, kwh FROM power", tables)
Traceback (most recent call last):
    ...
shuzhi.platform.operation.sandbox.Refused: only aggregates may leave the sandbox: county is neither aggregated nor grouped
>>> check_sql("SELECT COUNT(*) FROM read_csv('/etc/passwd')", tables)
Traceback (most recent call last):
    ...
shuzhi.platform.operation.sandbox.Refused: table functions are not allowed
>>> ibis_to_sql("power.group_by('county').aggregate(n=_.count())", {"power": {"county": "string"}})
'SELECT "t0"."county", COUNT(*) AS "n" FROM "power" AS "t0" GROUP BY 1'
"""

from __future__ import annotations

import ast
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import ibis
import sqlglot
from ibis.common.deferred import Deferred
from ibis.expr.types import Expr
from ibis.expr.types.groupby import GroupedTable
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.scope import traverse_scope

__all__ = [
    "COUNT_COLUMN",
    "MAX_TEXT",
    "Refused",
    "RunFailed",
    "SandboxResult",
    "ViewSpec",
    "check_sql",
    "guarded_sql",
    "ibis_to_sql",
    "run",
]

DIALECT = "duckdb"
COUNT_COLUMN = "__shuzhi_n"
RESULT_TABLE = "__shuzhi_result"
MAX_TEXT = 20_000  # characters of SQL or Ibis text
MAX_NODES = 2_000  # syntax-tree nodes of an Ibis text

# Functions an analysis may call (sqlglot expression classes). Aggregates summarise a group;
# none of them returns a list of row values.
_AGGREGATES: tuple[type[exp.Expression], ...] = (
    exp.Count,
    exp.CountIf,
    exp.Sum,
    exp.Avg,
    exp.Min,
    exp.Max,
    exp.Median,
    exp.Stddev,
    exp.StddevPop,
    exp.StddevSamp,
    exp.Variance,
    exp.VariancePop,
    exp.ApproxDistinct,
)
_SCALARS: tuple[type[exp.Expression], ...] = (
    exp.Abs,
    exp.Round,
    exp.Floor,
    exp.Ceil,
    exp.Sqrt,
    exp.Ln,
    exp.Log,
    exp.Pow,
    exp.Coalesce,
    exp.Nullif,
    exp.Greatest,
    exp.Least,
    exp.Cast,
    exp.TryCast,
    exp.Case,
    exp.If,
    exp.Extract,
    exp.DateTrunc,
    exp.TimestampTrunc,
    exp.Year,
    exp.Month,
    exp.Day,
    exp.Quarter,
    exp.Lower,
    exp.Upper,
    exp.Length,
    exp.Substring,
    exp.Concat,
    exp.Trim,
    exp.StartsWith,
    exp.Contains,
    exp.StrPosition,
    exp.Date,
)
_CONNECTORS: tuple[type[exp.Expression], ...] = (exp.And, exp.Or, exp.Xor, exp.Exists)
_ALLOWED_FUNCTIONS = _AGGREGATES + _SCALARS + _CONNECTORS
# nodes refused anywhere in a query
_FORBIDDEN_NODES: tuple[type[exp.Expression], ...] = (
    exp.Window,
    exp.Lateral,
    exp.Into,
    exp.Command,
    exp.Placeholder,
    exp.Parameter,
    exp.SessionParameter,
    exp.Lambda,
    exp.Pivot,
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Create,
    exp.Drop,
    exp.Copy,
    exp.Attach,
    exp.Detach,
    exp.Pragma,
    exp.Set,
    exp.Use,
    exp.Describe,
    exp.Merge,
)
# anything that repeats a row would let one row pass for a group of k (COUNT(*) counts the
# repeats): joins (of a dataset with itself or with any other), VALUES lists and set
# operations (UNION ALL of a table with itself, recursive CTEs); checked after the tables
_REPEATING_NODES: tuple[type[exp.Expression], ...] = (exp.Join, exp.Values, exp.SetOperation)


class Refused(Exception):
    """The analysis breaks a sandbox rule; the message says which (English, for the log)."""


class RunFailed(Exception):
    """The checked query failed while running (an error of DuckDB, or the timeout).

    ``on_data`` is True when the failure came from reading the rows (a conversion, an overflow,
    the timeout): whether a query fails there depends on the data, so it tells about the rows
    like a result does, and goes to the bureau's review like one. ``rows_scanned`` is counted
    before the query runs, so that the meter does not tell either.
    """

    def __init__(self, message: str, *, on_data: bool = False, rows_scanned: int = 0) -> None:
        super().__init__(message)
        self.on_data = on_data
        self.rows_scanned = rows_scanned


@dataclass(frozen=True)
class ViewSpec:
    """One dataset as the sandbox shows it: ``name`` (its code) over ``table``, ``columns`` only."""

    name: str
    table: str
    columns: tuple[str, ...]


@dataclass
class SandboxResult:
    columns: list[str]
    rows: list[list[Any]]
    suppressed: int  # groups smaller than k, never returned
    truncated: bool  # more groups than the row limit
    rows_scanned: int  # rows of the datasets the query reads
    seconds: float
    sql: str = ""
    tables: list[str] = field(default_factory=list)


# -- SQL checks -------------------------------------------------------------------------------


def _parse_one(sql: str) -> Any:
    if len(sql) > MAX_TEXT:
        raise Refused(f"the query is longer than {MAX_TEXT} characters")
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except SqlglotError as exc:
        raise Refused(f"the query cannot be read: {str(exc).splitlines()[0][:200]}") from exc
    if len(statements) != 1:
        raise Refused("exactly one statement is allowed")
    return statements[0]


def _check_nodes(tree: exp.Expression, tables: Mapping[str, Sequence[str]]) -> None:
    ctes = {cte.alias_or_name for cte in tree.find_all(exp.CTE)}
    for node in tree.walk():
        if isinstance(node, _FORBIDDEN_NODES):
            raise Refused(f"{node.key.upper()} is not allowed")
        if isinstance(node, exp.Identifier) and node.name.startswith("__"):
            raise Refused(f"names starting with __ are reserved: {node.name}")
        if isinstance(node, exp.Table):
            if not isinstance(node.this, exp.Identifier):
                raise Refused("table functions are not allowed")
            if node.args.get("db") or node.args.get("catalog"):
                raise Refused(f"qualified table names are not allowed: {node.sql(DIALECT)}")
            if node.name not in tables and node.name not in ctes:
                raise Refused(f"table {node.name} is not among your authorised datasets")
        elif isinstance(node, exp.Func) and not isinstance(node, _ALLOWED_FUNCTIONS):
            name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
            raise Refused(f"function {name.lower()} is not allowed")
    try:
        scopes = traverse_scope(tree)
    except (SqlglotError, ValueError, KeyError) as exc:
        raise Refused(f"the query's structure cannot be checked: {exc}") from exc
    for scope in scopes:
        for name, source in scope.sources.items():
            if isinstance(source, exp.Table) and source.name not in tables:
                raise Refused(f"table {source.name or name} is not among your authorised datasets")
    repeating = tree.find(*_REPEATING_NODES)
    if repeating is not None:
        raise Refused(f"{repeating.key.upper()} is not allowed")


def _aggregate_core(tree: exp.Expression) -> exp.Select:
    """The query that aggregates: the top ``SELECT``, or the one under ``SELECT * FROM (…)``.

    Ibis wraps an ordered aggregation as ``SELECT * FROM (aggregation) ORDER BY …``; such
    pass-through layers (a bare ``*`` over one subquery, no joins, no subqueries in WHERE)
    are looked through.
    """
    if not isinstance(tree, exp.Select):
        raise Refused("only a single read query (SELECT or WITH … SELECT) is allowed")
    select = tree
    while True:
        projections = select.expressions
        source = select.args.get("from_") or select.args.get("from")
        passthrough = (
            len(projections) == 1
            and isinstance(projections[0], exp.Star)
            and not any(
                projections[0].args.get(k) for k in ("except", "replace", "rename", "exclude")
            )
            and not select.args.get("exclude")
            and not select.args.get("group")
            and not select.args.get("having")
            and not select.args.get("joins")
            and not select.args.get("distinct")
            and isinstance(source, exp.From)
            and isinstance(source.this, exp.Subquery)
            and isinstance(source.this.this, exp.Select)
            and not (select.args.get("where") and select.args["where"].find(exp.Select))
        )
        if not passthrough:
            return select
        select = source.this.this  # type: ignore[union-attr]


def _under_aggregate(node: exp.Expression, stop: exp.Expression) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, (exp.AggFunc, exp.Filter)):
            return True
        if parent is stop:
            return False
        parent = parent.parent
    return False


def _check_aggregates(select: exp.Select) -> set[int]:
    """Refuse row-level output; return the positions of the aggregated output columns."""
    row_level = "only aggregates may leave the sandbox: "
    projections = select.expressions
    for projection in projections:
        for star in projection.find_all(exp.Star):
            if not isinstance(star.parent, exp.Count):
                raise Refused(row_level + "* is not allowed in the output")
        if projection.find(exp.Select):
            raise Refused(row_level + "no subquery in the output columns")
    having = select.args.get("having")
    if having is not None and having.find(exp.Select):
        raise Refused(row_level + "no subquery in HAVING")
    group = select.args.get("group")
    keys: set[str] = set()
    if group is not None:
        if group.args.get("all"):  # every non-aggregate output column is a key
            return {i for i, p in enumerate(projections) if p.find(exp.AggFunc)}
        expressions = list(group.expressions)
        for part in ("rollup", "cube", "grouping_sets"):
            for item in group.args.get(part) or []:
                expressions.extend(item.expressions if item.expressions else [item])
        for key in expressions:
            if isinstance(key, exp.Literal) and key.is_int:
                index = int(key.name) - 1
                if 0 <= index < len(projections):
                    chosen = projections[index]
                    keys.add(chosen.unalias().sql(DIALECT))
                    keys.add(chosen.alias_or_name)
            else:
                keys.add(key.sql(DIALECT))
                if isinstance(key, exp.Column):
                    keys.add(key.name)
        for projection in projections:
            if projection.alias and projection.alias in keys:
                keys.add(projection.unalias().sql(DIALECT))
    aggregated: set[int] = set()
    for index, projection in enumerate(projections):
        bare = projection.unalias()
        if bare.sql(DIALECT) in keys:
            continue
        if bare.find(exp.AggFunc):
            aggregated.add(index)
        for column in bare.find_all(exp.Column):
            if _under_aggregate(column, projection):
                continue
            if column.sql(DIALECT) in keys or (group is not None and column.name in keys):
                continue
            raise Refused(row_level + f"{column.sql(DIALECT)} is neither aggregated nor grouped")
    if group is None and not aggregated:
        raise Refused(row_level + "the query must GROUP BY or compute an aggregate")
    return aggregated


_ROW_TYPES = ("STRUCT", "MAP", "UNION", "[]", "LIST")
# ENUM: code-table text fields are stored as ENUMs; a MIN/MAX of one shows a row's value
_TEXT_TYPES = ("VARCHAR", "BLOB", "BIT", "JSON", "ENUM")
_ENUM_CODES = re.compile(r"ENUM\((?:\s*'(?:[^']|'')*'\s*,?)*\)", re.IGNORECASE)


def _check_result_types(described: Sequence[tuple[Any, ...]], aggregated: set[int]) -> None:
    """Refuse outputs that carry a row's values: structures, lists, text aggregates (MIN/MAX)."""
    for index, (name, kind, *_rest) in enumerate(described):
        if name == COUNT_COLUMN:
            continue
        # an ENUM's type spells its codes, which may read like a marker ('LIST', '[]'): they
        # are dropped first, so ENUM('LIST') is text and a list of ENUMs is still a list
        kind = _ENUM_CODES.sub("ENUM", str(kind)).upper()
        if any(marker in kind for marker in _ROW_TYPES):
            raise Refused(f"only aggregates may leave the sandbox: {name} holds row values")
        if index in aggregated and kind.startswith(_TEXT_TYPES):
            raise Refused(
                f"only aggregates may leave the sandbox: {name} is an aggregate of text, "
                "which shows a single row's value"
            )


def check_sql(sql: str, tables: Mapping[str, Sequence[str]]) -> exp.Select:
    """Check ``sql`` against the rules; return the parsed query's aggregating ``SELECT``.

    ``tables`` maps each authorised dataset code to its visible columns. The returned node is
    part of the whole parsed tree (reach it with ``.root()``). Raises :class:`Refused`.
    """
    tree = _parse_one(sql)
    if not isinstance(tree, exp.Select):
        raise Refused("only a single read query (SELECT or WITH … SELECT) is allowed")
    _check_nodes(tree, tables)
    if not any(t.name in tables for t in tree.find_all(exp.Table)):
        raise Refused("the query must read at least one of your authorised datasets")
    core = _aggregate_core(tree)
    for group in tree.find_all(exp.Group):
        # grouping sets, ROLLUP and CUBE give a row per set: below the aggregating SELECT they
        # repeat a row (GROUPING SETS ((id), (id), …)) so that it passes for a group of k
        if group.parent is not core and any(
            group.args.get(part) for part in ("rollup", "cube", "grouping_sets")
        ):
            raise Refused(
                "GROUPING SETS, ROLLUP and CUBE are allowed in the aggregating SELECT only"
            )
    _check_aggregates(core)
    return core


def guarded_sql(core: exp.Select) -> str:
    """The whole query with ``COUNT(*)`` per group added to its aggregating ``SELECT``."""
    core = core.copy() if core.parent is None else core
    core.select(exp.alias_(exp.Count(this=exp.Star()), COUNT_COLUMN), copy=False)
    return core.root().sql(DIALECT)


def referenced_tables(core: exp.Select, tables: Mapping[str, object]) -> list[str]:
    """The authorised datasets the query reads (common table expressions left out)."""
    return sorted({t.name for t in core.root().find_all(exp.Table) if t.name in tables})


# -- Ibis expressions -------------------------------------------------------------------------

IBIS_METHODS = frozenset(
    {
        "filter",
        "group_by",
        "aggregate",
        "agg",
        "having",
        "count",
        "sum",
        "mean",
        "min",
        "max",
        "median",
        "std",
        "var",
        "nunique",
        "approx_nunique",
        "isin",
        "notin",
        "between",
        "isnull",
        "notnull",
        "order_by",
        "desc",
        "asc",
        "limit",
        "select",
        "mutate",
        "name",
        "round",
        "abs",
        "year",
        "month",
        "day",
        "quarter",
        "truncate",
        "lower",
        "upper",
        "length",
        "contains",
        "startswith",
        "endswith",
        "fill_null",
        "cast",
        "value_counts",
    }
)
_CAST_TYPES = frozenset({"string", "int64", "float64", "date", "boolean"})
_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}
_BINARY = {
    ast.BitAnd: lambda a, b: a & b,
    ast.BitOr: lambda a, b: a | b,
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
}
_IBIS_TYPES = {
    "string": "string",
    "integer": "int64",
    "decimal": "decimal(38, 6)",
    "date": "date",
    "datetime": "timestamp",
    "boolean": "boolean",
}


@dataclass(frozen=True)
class _Method:
    target: Any
    name: str


class _Interpreter:
    def __init__(self, names: Mapping[str, Any]) -> None:
        self.names = names

    def eval(self, node: ast.AST) -> Any:
        if isinstance(node, ast.Expression):
            return self.eval(node.body)
        if isinstance(node, ast.Constant):
            if node.value is None or isinstance(node.value, (str, int, float, bool)):
                return node.value
            raise Refused("only text, number, true/false and None literals are allowed")
        if isinstance(node, (ast.List, ast.Tuple)):
            return [self.eval(item) for item in node.elts]
        if isinstance(node, ast.Name):
            if node.id not in self.names:
                raise Refused(f"unknown name {node.id}: use the codes of your datasets or _")
            return self.names[node.id]
        if isinstance(node, ast.Attribute):
            return self._attribute(self.eval(node.value), node.attr)
        if isinstance(node, ast.Subscript):
            target = self.eval(node.value)
            key = self.eval(node.slice)
            if not isinstance(key, str) or key.startswith("_"):
                raise Refused("only a column name may be used in [ ]")
            return self._column(target, key)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.Compare):
            left = self.eval(node.left)
            result: Any = None
            for op, right_node in zip(node.ops, node.comparators, strict=True):
                if type(op) not in _COMPARE:
                    raise Refused(f"operator {type(op).__name__} is not allowed")
                right = self.eval(right_node)
                part = _COMPARE[type(op)](left, right)
                result = part if result is None else result & part
                left = right
            return result
        if isinstance(node, ast.BinOp):
            if type(node.op) not in _BINARY:
                raise Refused(f"operator {type(node.op).__name__} is not allowed")
            left, right = self.eval(node.left), self.eval(node.right)
            if not any(isinstance(side, (Expr, Deferred)) for side in (left, right)):
                # arithmetic on literals alone could build huge values ('x' * 10**9)
                raise Refused("an operator needs a column on one side")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand)
            if isinstance(node.op, ast.Invert) and isinstance(operand, (Expr, Deferred)):
                return ~operand
            if isinstance(node.op, ast.USub) and isinstance(operand, (int, float, Expr, Deferred)):
                return -operand
            raise Refused(f"operator {type(node.op).__name__} is not allowed")
        raise Refused(f"{type(node).__name__} is not allowed in an Ibis expression")

    @staticmethod
    def _column(target: Any, name: str) -> Any:
        if isinstance(target, ibis.expr.types.Table):
            if name not in target.columns:
                raise Refused(f"unknown column {name}")
            return target[name]
        if isinstance(target, Deferred):
            return target[name]
        raise Refused(f"{name} is not a column here")

    def _attribute(self, target: Any, name: str) -> Any:
        if name.startswith("_"):
            raise Refused(f"names starting with _ are not allowed: {name}")
        if isinstance(target, ibis.expr.types.Table) and name in target.columns:
            return target[name]
        if name in IBIS_METHODS and isinstance(target, (Expr, GroupedTable, Deferred)):
            return _Method(target, name)
        if isinstance(target, Deferred) and name not in IBIS_METHODS:
            return target[name]  # a column of the table the deferred expression applies to
        raise Refused(f"{name} is not a known column or an allowed method")

    def _call(self, node: ast.Call) -> Any:
        method = self.eval(node.func)
        if not isinstance(method, _Method):
            raise Refused("only the allowed methods of tables and columns may be called")
        args = []
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise Refused("* arguments are not allowed")
            args.append(self.eval(arg))
        kwargs = {}
        for keyword in node.keywords:
            if keyword.arg is None or keyword.arg.startswith("_"):
                raise Refused("** and names starting with _ are not allowed as arguments")
            kwargs[keyword.arg] = self.eval(keyword.value)
        if method.name == "cast" and not (len(args) == 1 and args[0] in _CAST_TYPES):
            raise Refused(f"cast takes one of: {', '.join(sorted(_CAST_TYPES))}")
        try:
            return getattr(method.target, method.name)(*args, **kwargs)
        except Refused:
            raise
        except Exception as exc:  # an Ibis error about the expression itself
            raise Refused(f"{method.name}: {str(exc).splitlines()[0][:200]}") from exc


def ibis_to_sql(text: str, tables: Mapping[str, Mapping[str, str]]) -> str:
    """Interpret a whitelisted Ibis expression and compile it to DuckDB SQL (one line).

    ``tables`` maps each authorised dataset code to ``{column: catalogue data type}``. Raises
    :class:`Refused` for anything outside the subset.
    """
    if len(text) > MAX_TEXT:
        raise Refused(f"the expression is longer than {MAX_TEXT} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise Refused(f"the expression cannot be read: {exc.msg} (line {exc.lineno})") from exc
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise Refused("the expression is too long")
    names: dict[str, Any] = {"_": ibis._}
    for code, columns in tables.items():
        schema = {name: _IBIS_TYPES.get(kind, "string") for name, kind in columns.items()}
        names[code] = ibis.table(schema, name=code)
    result = _Interpreter(names).eval(tree)
    if isinstance(result, GroupedTable):
        raise Refused("a grouped table needs .aggregate(…)")
    if not isinstance(result, Expr):
        raise Refused("the expression must give a table or an aggregate")
    try:
        sql = ibis.to_sql(result, dialect=DIALECT)
    except Exception as exc:
        raise Refused(f"the expression cannot be compiled: {str(exc).splitlines()[0]}") from exc
    return " ".join(str(sql).split())


# -- Running ----------------------------------------------------------------------------------


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _connect(warehouse: Path, wait: float = 30.0) -> duckdb.DuckDBPyConnection:
    if not warehouse.exists():
        raise RunFailed("the warehouse holds no data yet")
    con = duckdb.connect(":memory:")
    deadline = time.monotonic() + wait
    while True:
        try:
            con.execute(f"ATTACH {_literal(str(warehouse))} AS wh (READ_ONLY)")
            return con
        except (duckdb.IOException, duckdb.BinderException) as exc:
            # another process writes the file, or this process has it open (another request)
            busy = isinstance(exc, duckdb.IOException) or "already attached" in str(exc)
            if not busy or time.monotonic() > deadline:
                con.close()
                raise RunFailed("the warehouse is busy: try again in a moment") from exc
            time.sleep(0.2)


# errors raised while binding the query, before any row is read: they name columns and types,
# never values, so the operator may read them
_BIND_ERRORS = (duckdb.BinderException, duckdb.ParserException, duckdb.CatalogException)


def _run_error(exc: duckdb.Error) -> str:
    """What the operator may read of a failed run. An error met while reading the rows
    (a conversion, an overflow, invalid input) quotes the offending value — a single row's,
    unreviewed — so only its kind is told."""
    if isinstance(exc, _BIND_ERRORS):
        return str(exc).splitlines()[0][:300]
    kind = str(exc).split(":", 1)[0][:60] if ":" in str(exc) else type(exc).__name__
    return f"{kind}: the query failed on the data (the details quote values and are withheld)"


def run(
    *,
    warehouse: Path,
    views: Sequence[ViewSpec],
    sql: str,
    k: int,
    row_limit: int = 1000,
    timeout: float = 30.0,
    memory_limit: str = "1GB",
    threads: int = 2,
) -> SandboxResult:
    """Check and run ``sql`` over ``views`` of the warehouse file; return its large groups.

    Raises :class:`Refused` when the query breaks a rule and :class:`RunFailed` when DuckDB
    fails or the timeout passes.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    tables = {view.name: view.columns for view in views}
    core = check_sql(sql, tables)
    aggregated = _check_aggregates(core)
    guarded = guarded_sql(core)
    used = referenced_tables(core, tables)
    started = time.monotonic()
    con = _connect(warehouse)
    timer = threading.Timer(timeout, con.interrupt)
    try:
        for view in views:
            if not view.columns:
                continue
            listed = ", ".join(_quote(c) for c in view.columns)
            con.execute(
                f"CREATE TEMP VIEW {_quote(view.name)} AS "  # noqa: S608 - quoted names
                f"SELECT {listed} FROM wh.main.{_quote(view.table)}"
            )
        con.execute(f"SET memory_limit = {_literal(memory_limit)}")
        con.execute(f"SET threads = {int(threads)}")
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        scanned = 0
        for name in used:
            found = con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()  # noqa: S608
            scanned += int(found[0]) if found else 0
        timer.start()
        try:
            con.execute(f"CREATE TEMP TABLE {RESULT_TABLE} AS {guarded}")
            _check_result_types(con.execute(f"DESCRIBE {RESULT_TABLE}").fetchall(), aggregated)
            counted = con.execute(
                f"SELECT count(*) FROM {RESULT_TABLE} WHERE {COUNT_COLUMN} < {int(k)}"  # noqa: S608
            ).fetchone()
            cursor = con.execute(
                f"SELECT * EXCLUDE ({COUNT_COLUMN}) FROM {RESULT_TABLE} "  # noqa: S608
                f"WHERE {COUNT_COLUMN} >= {int(k)} LIMIT {int(row_limit) + 1}"
            )
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
        except duckdb.InterruptException as exc:
            raise RunFailed(
                f"the analysis ran longer than {timeout:g} seconds",
                on_data=True,
                rows_scanned=scanned,
            ) from exc
        except duckdb.Error as exc:
            raise RunFailed(
                _run_error(exc), on_data=not isinstance(exc, _BIND_ERRORS), rows_scanned=scanned
            ) from exc
    finally:
        timer.cancel()
        con.close()
    return SandboxResult(
        columns=columns,
        rows=[[_plain(v) for v in row] for row in rows[:row_limit]],
        suppressed=int(counted[0]) if counted else 0,
        truncated=len(rows) > row_limit,
        rows_scanned=scanned,
        seconds=round(time.monotonic() - started, 3),
        sql=guarded,
        tables=used,
    )
