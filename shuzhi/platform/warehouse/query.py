"""Row queries over a stored version (数据查询): filters, search, field selection, sort, pages.

The one read path for rows that leave the platform: the sharing data API, the open-data
portal's preview and downloads, and the CKAN ``datastore_search`` all build a ``RowQuery`` and
run it here. Plain Python over Ibis, no Django: the caller says which fields exist
(``FieldSpec``), which of them the reader may see, and which rows (``scope``); this module
turns that into one Ibis expression, so names are checked against the fields and values are
bound as typed literals — nothing the reader writes is pasted into SQL.

Filters compare for equality (any of the listed values). A filter value is read by the
field's own ingest rules (``check_value``), so ``2026/1/5`` finds the date 2026-01-05 and a
malformed value is refused with the reason. Encrypted fields (L3–L4) are filtered through their
join tokens (the token of the normalised value), never decrypted in SQL, and cannot be sorted
or searched. ``scope`` limits rows the same way and is applied before anything else; a reader
cannot widen it.

>>> from shuzhi.platform.warehouse.spec import FieldSpec
>>> query = RowQuery(filters={"county": ["330802"]}, sort=[("kwh", True)], limit=10)
>>> plan(query, [FieldSpec("county", "string"), FieldSpec("kwh", "decimal")]).columns
['county', 'kwh']
>>> plan(RowQuery(sort=[("secret", False)]), [FieldSpec("secret", "string", encrypted=True)])
Traceback (most recent call last):
    ...
shuzhi.platform.warehouse.query.QueryError: secret: an encrypted field cannot be sorted
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import ibis

from .checks import check_value
from .engine import Warehouse, table_name
from .spec import ROW_COLUMN, FieldSpec

__all__ = ["MAX_LIMIT", "QueryError", "QueryResult", "RowQuery", "plan", "run_query"]

MAX_LIMIT = 1000  # rows per page, at most
MAX_VALUES = 100  # values per filter, at most
MAX_TEXT = 200  # characters of a search text or a filter value, at most


class QueryError(ValueError):
    """A query that cannot be run as asked; ``field`` names the culprit when there is one."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.message = message
        self.field = field


@dataclass(frozen=True)
class RowQuery:
    """What a reader asks for. ``fields`` None means every field the reader may see."""

    fields: Sequence[str] | None = None
    filters: Mapping[str, Sequence[str]] = field(default_factory=dict)
    q: str = ""
    sort: Sequence[tuple[str, bool]] = ()  # (field, descending)
    limit: int = 100
    offset: int = 0
    include_total: bool = True


@dataclass(frozen=True)
class QueryResult:
    """The page of rows (dicts of the selected fields, as stored) and the total that match."""

    columns: list[str]
    rows: list[dict[str, Any]]
    total: int | None


@dataclass(frozen=True)
class Plan:
    """A checked query: the columns to return and the typed conditions to apply."""

    columns: list[str]
    conditions: list[tuple[FieldSpec, list[Any]]]  # field, accepted typed values (or tokens)
    search: list[FieldSpec]
    sort: list[tuple[str, bool]]
    query: RowQuery


def _typed(spec: FieldSpec, raw: object, token: Callable[[str], str] | None) -> Any:
    text = raw if isinstance(raw, str) else ("" if raw is None else str(raw))
    if len(text) > MAX_TEXT:
        raise QueryError(f"a filter value may have at most {MAX_TEXT} characters", spec.name)
    value, reason = check_value(spec, text)
    if reason is not None:
        raise QueryError(f"filter value {text!r}: {reason}", spec.name)
    if value is None:
        raise QueryError("an empty filter value matches nothing; leave the filter out", spec.name)
    if spec.encrypted:
        if token is None:
            raise QueryError("this field cannot be filtered here", spec.name)
        return token(str(value))
    return value


def plan(
    query: RowQuery,
    fields: Sequence[FieldSpec],
    *,
    visible: Sequence[str] | None = None,
    scope: Mapping[str, Sequence[str]] | None = None,
    token: Callable[[str], str] | None = None,
    masked: Collection[str] = (),
) -> Plan:
    """Check ``query`` against the fields; raise ``QueryError`` naming what is wrong.

    ``visible`` are the fields the reader may see, filter and sort (all when None); ``scope``
    the rows they may see, as field → accepted values (checked like filters, any field);
    ``token`` turns a normalised value into the join token of encrypted fields; ``masked``
    fields are shown to the reader masked, so they can be neither filtered, sorted nor
    searched (each would tell their hidden values); the scope may still name them.
    """
    by_name = {spec.name: spec for spec in fields}
    allowed = list(by_name) if visible is None else [n for n in by_name if n in set(visible)]

    def known(name: str) -> FieldSpec:
        if name not in allowed:
            raise QueryError("no such field", str(name)[:64])
        return by_name[name]

    columns = allowed if query.fields is None else [known(name).name for name in query.fields]
    if not columns:
        raise QueryError("choose at least one field")
    if len(set(columns)) != len(columns):
        raise QueryError("a field is listed twice")
    if isinstance(query.limit, bool) or not 0 <= query.limit <= MAX_LIMIT:
        raise QueryError(f"limit must be from 0 to {MAX_LIMIT}")
    if isinstance(query.offset, bool) or query.offset < 0:
        raise QueryError("offset must not be negative")
    conditions: list[tuple[FieldSpec, list[Any]]] = []
    for name, values in (scope or {}).items():
        spec = by_name.get(name)
        if spec is None:
            raise QueryError("the row scope names a field the dataset does not have", name)
        conditions.append((spec, [_typed(spec, v, token) for v in values]))
    hidden = set(masked)
    for name, values in query.filters.items():
        spec = known(name)
        if spec.name in hidden:
            raise QueryError("this field cannot be filtered here", spec.name)
        listed = [values] if isinstance(values, str) else list(values)
        if not 1 <= len(listed) <= MAX_VALUES:
            raise QueryError(f"give from 1 to {MAX_VALUES} values", name)
        conditions.append((spec, [_typed(spec, v, token) for v in listed]))
    search: list[FieldSpec] = []
    if query.q:
        if len(query.q) > MAX_TEXT:
            raise QueryError(f"search text may have at most {MAX_TEXT} characters")
        search = [
            by_name[n]
            for n in allowed
            if by_name[n].data_type == "string" and not by_name[n].encrypted and n not in hidden
        ]
    sort = []
    for name, descending in query.sort:
        spec = known(name)
        if spec.encrypted or spec.name in hidden:  # masked fields are the encrypted ones
            raise QueryError("an encrypted field cannot be sorted", name)
        sort.append((name, bool(descending)))
    return Plan(columns=columns, conditions=conditions, search=search, sort=sort, query=query)


def run_query(
    warehouse: Warehouse,
    dataset_code: str,
    version: int,
    fields: Sequence[FieldSpec],
    query: RowQuery,
    *,
    visible: Sequence[str] | None = None,
    scope: Mapping[str, Sequence[str]] | None = None,
    token: Callable[[str], str] | None = None,
    masked: Collection[str] = (),
) -> QueryResult:
    """Run ``query`` on a stored version; see ``plan`` for the arguments.

    Rows come back as stored: encrypted fields as ciphertext (the caller decrypts and masks).
    Without a sort, rows keep their source order. Raises ``QueryError`` or ``LookupError``
    (no such version).
    """
    checked = plan(query, fields, visible=visible, scope=scope, token=token, masked=masked)
    name = table_name(dataset_code, version)
    if not warehouse.has_table(name):
        raise LookupError(f"no table {name!r} in the warehouse")
    table = warehouse.connection.table(name)
    predicates = []
    for spec, values in checked.conditions:
        column = table[spec.token_column] if spec.encrypted else table[spec.name]
        predicates.append(column.isin(values))
    if checked.search:
        needle = ibis.literal(checked.query.q.lower())
        matches = [table[spec.name].lower().contains(needle) for spec in checked.search]
        found = matches[0]
        for match in matches[1:]:
            found = found | match
        predicates.append(found.fill_null(False))
    filtered = table.filter(*predicates) if predicates else table
    order = [ibis.desc(n) if d else ibis.asc(n) for n, d in checked.sort]
    order.append(ibis.asc(ROW_COLUMN))  # a stable order for paging
    page = (
        filtered.order_by(order)
        .limit(checked.query.limit, offset=checked.query.offset)
        .select(*checked.columns)
    )
    rows: list[dict[str, Any]] = page.to_pyarrow().to_pylist() if checked.query.limit else []
    total = None
    if checked.query.include_total:
        total = int(filtered.count().to_pyarrow().as_py())
    return QueryResult(columns=checked.columns, rows=rows, total=total)
