"""Small writers for the ingestion tests: the same rows as CSV, XLSX, JSON Lines or Parquet."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import Workbook

from shuzhi.platform.security.identifiers import credit_code_check_char
from shuzhi.platform.security.sm import FieldCipher
from shuzhi.platform.warehouse.spec import FieldSpec

COUNTIES = frozenset({"330802", "330803", "330822", "330824", "330825", "330881"})

ELECTRICITY = [
    FieldSpec("credit_code", "string", semantic_type="credit_code", nullable=False),
    FieldSpec("month", "date", semantic_type="date", nullable=False),
    FieldSpec("kwh", "decimal", semantic_type="amount", min_value=0),
    FieldSpec("county", "string", semantic_type="division_code", code_values=COUNTIES),
]
ELECTRICITY_COLUMNS = [spec.name for spec in ELECTRICITY]


def cipher() -> FieldCipher:
    return FieldCipher(keys={"k1": bytes(16)}, active_key_id="k1", token_key=b"t" * 16)


def credit_code(n: int, division: str = "330802") -> str:
    """A valid unified social credit code, different for each ``n``."""
    body = f"91{division}MA{n:07d}"
    return body + credit_code_check_char(body)


def csv_text(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    lines = [",".join(header)]
    lines += [",".join("" if value is None else str(value) for value in row) for row in rows]
    return "\n".join(lines) + "\n"


def write_csv(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    encoding: str = "utf-8",
) -> Path:
    path.write_bytes(csv_text(header, rows).encode(encoding))
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def write_jsonl(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    lines = [
        json.dumps(dict(zip(header, row, strict=True)), ensure_ascii=False, default=str)
        for row in rows
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_parquet(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    columns = {
        name: pa.array(["" if row[i] is None else str(row[i]) for row in rows], pa.string())
        for i, name in enumerate(header)
    }
    pq.write_table(pa.table(columns), path)
    return path


Writer = Callable[[Path, Sequence[str], Sequence[Sequence[object]]], Path]
WRITERS: dict[str, Writer] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "jsonl": write_jsonl,
    "parquet": write_parquet,
}
