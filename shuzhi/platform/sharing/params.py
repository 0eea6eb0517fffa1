"""Read a row query from request parameters (the data API and the row browser share it).

Lenient on purpose: a malformed number becomes a value the query layer refuses with its own
message, so that every refusal goes through the audited read service.

>>> q = parse_row_query({"filter.county": ["330802", "330803"], "fields": ["a,b"],
...                      "sort": ["-kwh"], "limit": ["x"]})
>>> (dict(q.filters), q.fields, list(q.sort), q.limit)
({'county': ['330802', '330803']}, ['a', 'b'], [('kwh', True)], -1)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from shuzhi.platform.warehouse.query import RowQuery

FILTER_PREFIX = "filter."
DEFAULT_LIMIT = 100


def _number(values: Sequence[str] | None, default: int) -> int:
    if not values:
        return default
    text = str(values[-1]).strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        return -1  # refused by the query layer with its own message


def parse_row_query(
    params: Mapping[str, Sequence[str]], *, default_limit: int = DEFAULT_LIMIT
) -> RowQuery:
    """``filter.<field>=v`` (repeatable), ``fields=a,b``, ``sort=f,-g``, ``limit``, ``offset``,
    ``q``; ``params`` maps each name to its list of values (``QueryDict`` in ``dict(lists())``)."""
    filters: dict[str, list[str]] = {}
    for name, values in params.items():
        if name.startswith(FILTER_PREFIX):
            filters.setdefault(name[len(FILTER_PREFIX) :], []).extend(str(v) for v in values)
    fields: list[str] | None = None
    listed = [part.strip() for v in params.get("fields", []) for part in str(v).split(",")]
    if any(listed):
        fields = [f for f in listed if f]
    sort = []
    for value in params.get("sort", []):
        for part in str(value).split(","):
            part = part.strip()
            if part:
                sort.append((part[1:], True) if part.startswith("-") else (part, False))
    q_values = params.get("q", [])
    return RowQuery(
        fields=fields,
        filters=filters,
        q=str(q_values[-1]).strip() if q_values else "",
        sort=sort,
        limit=_number(params.get("limit"), default_limit),
        offset=_number(params.get("offset"), 0),
    )
