"""What an ingestion is told and what it reports (入库规格与报告), in plain Python.

The catalogue (Django) turns its field definitions into ``FieldSpec`` values; the engine reads a
file against them and answers with an ``IngestReport``.

>>> FieldSpec("kwh", "decimal", semantic_type="amount", min_value=0).nullable
True
>>> FieldSpec("kwh", "float")
Traceback (most recent call last):
    ...
ValueError: field 'kwh': unknown data type 'float'; known: string, integer, decimal, date, datetime, boolean
>>> print(IngestError("electricity.csv", "missing column 'kwh'", location="header"))
electricity.csv: header: missing column 'kwh'
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "DATA_TYPES",
    "DECLARED_DECIMAL_DIGITS",
    "MAX_DECIMAL_PLACES",
    "RESERVED_COLUMN_PREFIX",
    "ROW_COLUMN",
    "TOKEN_SUFFIX",
    "VALIDATED_SEMANTIC_TYPES",
    "FieldSpec",
    "IngestError",
    "IngestReport",
    "QuarantinedRow",
]

DATA_TYPES = ("string", "integer", "decimal", "date", "datetime", "boolean")

# Semantic types (语义类型) that carry a check of their own beyond the data type; they apply to
# string fields. Every other semantic type (person_name, address, amount, ...) is checked by its
# data type, range and code table only.
VALIDATED_SEMANTIC_TYPES = frozenset({"credit_code", "id_number", "mobile", "division_code"})

# A decimal field may declare its decimal places (小数位数), 0 to MAX_DECIMAL_PLACES, as a data
# element's format does ("N..18,2": up to 18 digits, 2 of them after the point). It is then
# stored exactly as a DECIMAL(18, places), a 64-bit integer in DuckDB, and a value with more
# places than declared is refused. Without it a decimal is a DECIMAL(38, 10) (``checks``).
DECLARED_DECIMAL_DIGITS = 18
MAX_DECIMAL_PLACES = 10

# Columns the engine adds to a version table: the source row number, and a join token beside
# each encrypted field. Field names may not take these shapes.
ROW_COLUMN = "__row"
TOKEN_SUFFIX = "__token"  # noqa: S105 - a column name suffix, not a secret
RESERVED_COLUMN_PREFIX = "__"


@dataclass(frozen=True)
class FieldSpec:  # 字段规格
    """One column a file must have, and the rules its values must follow.

    ``data_type`` is one of ``DATA_TYPES``. ``semantic_type`` names what the value means
    (``credit_code``, ``id_number``, ``mobile``, ``division_code`` are checked; the rest inform
    masking elsewhere). ``code_values`` is the code table (代码表) the value must belong to
    (string and integer fields). ``min_value``/``max_value`` bound integer and decimal fields.
    ``encrypted`` fields (grades L3–L4) are stored as SM4 ciphertext with a ``<name>__token``
    column of equality tokens beside them. ``decimal_places`` fixes a decimal field's places
    (see ``DECLARED_DECIMAL_DIGITS``).
    """

    name: str
    data_type: str
    semantic_type: str = "text"
    nullable: bool = True
    code_values: frozenset[str] | None = None
    min_value: float | None = None
    max_value: float | None = None
    encrypted: bool = False
    decimal_places: int | None = None

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise ValueError(f"field {self.name!r}: {problem}")

    def _problem(self) -> str:
        if not isinstance(self.name, str) or not self.name.strip() or "\x00" in self.name:
            return "a field needs a non-empty name"
        if self.name != self.name.strip():
            return "a field name may not start or end with space"
        if self.name.startswith(RESERVED_COLUMN_PREFIX) or self.name.endswith(TOKEN_SUFFIX):
            return (
                f"names starting with {RESERVED_COLUMN_PREFIX!r} or ending with "
                f"{TOKEN_SUFFIX!r} are reserved for columns the warehouse adds"
            )
        if self.data_type not in DATA_TYPES:
            return f"unknown data type {self.data_type!r}; known: {', '.join(DATA_TYPES)}"
        if self.semantic_type in VALIDATED_SEMANTIC_TYPES and self.data_type != "string":
            return f"semantic type {self.semantic_type!r} needs data type 'string'"
        if self.code_values is not None:
            if self.data_type not in ("string", "integer"):
                return "a code table applies to string and integer fields only"
            if not isinstance(self.code_values, frozenset):
                return "code_values must be a frozenset of strings"
        if self.decimal_places is not None:
            if self.data_type != "decimal":
                return "decimal places apply to decimal fields only"
            places = self.decimal_places
            if type(places) is not int or not 0 <= places <= MAX_DECIMAL_PLACES:
                return f"decimal places must be a whole number from 0 to {MAX_DECIMAL_PLACES}"
        if self.min_value is not None or self.max_value is not None:
            bounds = [b for b in (self.min_value, self.max_value) if b is not None]
            if not all(isinstance(b, int | float) and math.isfinite(b) for b in bounds):
                return "a minimum or maximum must be a finite number"
            if self.data_type not in ("integer", "decimal"):
                return "a minimum or maximum applies to integer and decimal fields only"
            if (
                self.min_value is not None
                and self.max_value is not None
                and self.min_value > self.max_value
            ):
                return f"minimum {self.min_value} is above maximum {self.max_value}"
        return ""

    @property
    def token_column(self) -> str:
        """The name of the equality-token column stored beside an encrypted field."""
        return f"{self.name}{TOKEN_SUFFIX}"


@dataclass(frozen=True)
class QuarantinedRow:  # 隔离区中的一行
    """An input row that was not loaded, with the first field that failed and why.

    ``row`` is the 1-based data row number (the header is not counted, nor are blank lines);
    ``raw`` holds the row's cells as read, except that values of encrypted fields are
    ciphertext here too, so that L3–L4 plaintext never reaches the quarantine table.
    """

    row: int
    field: str
    reason: str
    raw: dict[str, str | None]


@dataclass
class IngestReport:  # 入库报告
    """The outcome of one ingestion: what came in, what was loaded, what was quarantined.

    ``quarantine`` holds the first 1000 quarantined rows by row number; the quarantine table
    of the version holds them all. ``quality`` is the version's quality (数据质量) as computed by
    ``engine.quality``.

    >>> report = IngestReport(version=1, rows_in=3, rows_loaded=2, rows_quarantined=1,
    ...     quarantine=[QuarantinedRow(2, "kwh", "below the minimum 0: -5", {"kwh": "-5"})],
    ...     quality={"score": 90.0})
    >>> report.to_json()["quarantine"]
    [{'row': 2, 'field': 'kwh', 'reason': 'below the minimum 0: -5'}]
    """

    version: int
    rows_in: int
    rows_loaded: int
    rows_quarantined: int
    quarantine: list[QuarantinedRow] = field(default_factory=list)
    quality: dict[str, float] = field(default_factory=dict)

    QUARANTINE_SAMPLE = 1000

    def to_json(self) -> dict[str, Any]:
        """Return the report as JSON-ready data; raw rows stay out (they may be sensitive)."""
        return {
            "version": self.version,
            "rows_in": self.rows_in,
            "rows_loaded": self.rows_loaded,
            "rows_quarantined": self.rows_quarantined,
            "quarantine": [
                {"row": item.row, "field": item.field, "reason": item.reason}
                for item in self.quarantine
            ],
            "quality": dict(self.quality),
        }


class IngestError(Exception):  # 入库错误
    """The file cannot be ingested at all; nothing was written for the version.

    The message names the file and, where it applies, the place (``header``, ``line 7``,
    ``row 7``) and the field: ``electricity.csv: header: missing column 'kwh'``.
    """

    def __init__(
        self,
        file: str,
        problem: str,
        *,
        location: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.file = file
        self.problem = problem
        self.line = line
        self.field = field
        self.location = location or (f"line {line}" if line is not None else None)
        parts = [file]
        if self.location:
            parts.append(self.location)
        if field is not None:
            parts.append(f"field {field!r}")
        parts.append(problem)
        super().__init__(": ".join(parts))
