"""CKAN Action API conventions (the envelope, errors and parameter parsing), without Django models.

CKAN answers every action with ``{"help": URL, "success": true, "result": ...}`` or, on failure,
``{"help": URL, "success": false, "error": {"__type": "Not Found Error", "message": ...}}`` and a
status code per error type. Clients such as ``ckanapi`` read ``success`` and turn ``__type``
back into an exception, so the names below are CKAN's own.

>>> parse_sort("kwh desc, month")
[('kwh', True), ('month', False)]
>>> try:
...     parse_sort("kwh; DROP TABLE x")
... except CkanError as error:
...     print(error.status, error)
409 Validation Error: sort: cannot read 'kwh; DROP TABLE x'
>>> parse_fq('organization:330800-amr groups:"env"')
[('organization', '330800-amr'), ('groups', 'env')]
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "CkanError",
    "as_bool",
    "as_int",
    "as_list",
    "envelope",
    "failure",
    "parse_fq",
    "parse_sort",
]

STATUS = {
    "Bad Request": 400,
    "Authorization Error": 403,
    "Not Found Error": 404,
    "Validation Error": 409,
    "Search Query Error": 409,
    "Rate Limit Error": 429,
}
_NAME = r"[A-Za-z_][A-Za-z0-9_.]{0,63}"
_SORT_TERM = re.compile(rf"^\s*({_NAME})(?:\s+(asc|desc))?\s*$", re.IGNORECASE)
_FQ_TERM = re.compile(r'\s*(?:AND\s+)?\+?([a-z_]+):(?:"([^"]*)"|(\S+))', re.IGNORECASE)


class CkanError(Exception):
    """A failed action: CKAN's error type, a message and (validation) the fields at fault."""

    def __init__(self, kind: str, message: str, fields: Mapping[str, list[str]] | None = None):
        super().__init__(f"{kind}: {message}")
        self.kind = kind
        self.message = message
        self.fields = dict(fields or {})

    @property
    def status(self) -> int:
        return STATUS.get(self.kind, 400)

    @classmethod
    def not_found(cls, message: str = "Not found") -> CkanError:
        return cls("Not Found Error", message)

    @classmethod
    def invalid(cls, field: str, message: str) -> CkanError:
        return cls("Validation Error", f"{field}: {message}", {field: [message]})


def envelope(help_url: str, result: Any) -> dict[str, Any]:
    return {"help": help_url, "success": True, "result": result}


def failure(help_url: str, error: CkanError) -> dict[str, Any]:
    body: dict[str, Any] = {"__type": error.kind, "message": error.message}
    body.update(error.fields)
    return {"help": help_url, "success": False, "error": body}


def as_int(params: Mapping[str, Any], name: str, default: int, *, low: int, high: int) -> int:
    """An integer parameter; out of range or unreadable is a Validation Error."""
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise CkanError.invalid(name, "Invalid integer")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise CkanError.invalid(name, "Invalid integer") from None
    if number < low:
        raise CkanError.invalid(name, f"Must be a natural number of at least {low}")
    return min(number, high)


def as_bool(params: Mapping[str, Any], name: str, default: bool) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1", "yes", "on"):
        return True
    if text in ("false", "0", "no", "off"):
        return False
    raise CkanError.invalid(name, "Value must be a boolean")


def as_list(params: Mapping[str, Any], name: str) -> list[str] | None:
    """A list given as a JSON list, a JSON-encoded list or comma-separated text."""
    value = params.get(name)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = json.loads(text)
            except ValueError:
                raise CkanError.invalid(name, "Invalid JSON list") from None
        else:
            value = [part.strip() for part in text.split(",") if part.strip()]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise CkanError.invalid(name, "Must be a list of names")
    return [str(v)[:64] for v in value]


def parse_sort(value: Any) -> list[tuple[str, bool]]:
    """``"a desc, b"`` (or a list of such terms) as (name, descending) pairs; names only."""
    if value is None or value == "":
        return []
    terms = value if isinstance(value, list) else str(value).split(",")
    sort = []
    for term in terms:
        found = _SORT_TERM.match(str(term)) if isinstance(term, str) else None
        if not found:
            raise CkanError.invalid("sort", f"cannot read {str(value)[:80]!r}")
        sort.append((found.group(1), (found.group(2) or "asc").lower() == "desc"))
    return sort


def parse_fq(value: Any) -> list[tuple[str, str]]:
    """Solr-like ``key:value`` filter terms (values may be quoted); anything else is an error."""
    text = str(value or "").strip()
    terms: list[tuple[str, str]] = []
    pos = 0
    while pos < len(text):
        found = _FQ_TERM.match(text, pos)
        if not found:
            raise CkanError("Search Query Error", f"cannot read fq {text[:80]!r}")
        terms.append((found.group(1).lower(), found.group(2) or found.group(3)))
        pos = found.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return terms
