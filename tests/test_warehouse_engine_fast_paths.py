"""The ingestion's faster paths give what the plain ones give.

* CSV: a UTF-8 file is only validated and handed to Arrow as it is, counting lines only for an
  error message; any other encoding is re-encoded while lines are counted. Both must yield the
  same rows and name the same lines in their errors.
* Quality and the duplicate-key pass: one SQL scan measures quality and counts key hashes;
  the result must match the measures computed independently, and repeated keys (null parts
  included) must still be found exactly.
* Column checks: shortcuts taken when every cell is plainly valid must not change an outcome.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from shuzhi.platform.warehouse import readers
from shuzhi.platform.warehouse.checks import ColumnChecker, check_value
from shuzhi.platform.warehouse.engine import (
    QUALITY_WEIGHTS,
    Warehouse,
    ingest_file,
    quality,
    quarantine_rows,
    version_rows,
)
from shuzhi.platform.warehouse.readers import read_batches
from shuzhi.platform.warehouse.spec import FieldSpec, IngestError

from .platform.warehouse.files import ELECTRICITY, ELECTRICITY_COLUMNS, cipher, credit_code

COLUMNS = ["county", "kwh"]


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read in 64-byte chunks, so that records, lines and characters straddle chunk ends."""
    monkeypatch.setattr(readers, "_CHUNK", 64)


def rows(path: Path, encoding: str | None) -> list[dict[str, Any]]:
    return [
        row
        for batch in read_batches(path, columns=COLUMNS, batch_size=7, encoding=encoding)
        for row in batch.to_pylist()
    ]


def error(path: Path, encoding: str | None) -> str:
    with pytest.raises(IngestError) as caught:
        rows(path, encoding)
    return str(caught.value)


ASCII_ROWS = "".join(
    f'{330800 + i},"{i}.5"\n' if i % 3 else f"{330800 + i},{i}\n" for i in range(40)
)


@pytest.mark.usefixtures("small_chunks")
def test_utf8_passthrough_and_re_encoding_read_the_same_rows(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("\n\ncounty,kwh\n" + ASCII_ROWS + '330802,"a\nb"\n\n330803,1', "ascii")
    utf8 = rows(path, None)
    assert utf8 == rows(path, "gb18030")
    assert len(utf8) == 42
    assert utf8[-2:] == [{"county": "330802", "kwh": "a\nb"}, {"county": "330803", "kwh": "1"}]


@pytest.mark.usefixtures("small_chunks")
@pytest.mark.parametrize(
    ("tail", "problem"),
    [
        ("330802,1\x00\n", "line 44: NUL byte in the text"),
        ('330802,"open\n330803,1\n', "line 44: a quoted value starts here and is never closed"),
    ],
)
def test_utf8_passthrough_names_the_same_lines_as_re_encoding(
    tmp_path: Path, tail: str, problem: str
) -> None:
    path = tmp_path / "e.csv"
    path.write_text("\n\ncounty,kwh\n" + ASCII_ROWS + tail, "ascii")
    assert problem in error(path, None)
    assert error(path, None) == error(path, "gb18030")


@pytest.mark.usefixtures("small_chunks")
def test_utf8_lines_count_from_the_byte_order_mark_and_across_split_characters(
    tmp_path: Path,
) -> None:
    path = tmp_path / "e.csv"
    body = "county,kwh\n" + "".join(f"柯城区{i},{i}\n" for i in range(30))
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8"))
    assert len(rows(path, None)) == 30
    assert rows(path, None)[29] == {"county": "柯城区29", "kwh": "29"}
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8") + b"330802,\x001\n")
    assert "line 32: NUL byte" in error(path, None)
    path.write_bytes(b"\xef\xbb\xbf" + body.encode("utf-8") + b'330802,"1\n')
    assert "line 32: a quoted value starts here" in error(path, None)
    # A character cut off by the end of the file is not valid UTF-8 (nor GB18030 here).
    path.write_bytes(body.encode("utf-8") + "柯".encode()[:2])
    assert error(path, "utf-8") == "e.csv: line 32: byte 0xE6 is not valid utf-8"


@pytest.mark.parametrize(
    ("data", "quotes_before", "end"),
    [
        (b"a,1\nb,2\nc", 0, 8),  # no quote: the last newline ends the last record
        (b"a,1\nb,2\nc", 1, 0),  # inside a quoted value: no newline ends a record
        (b"no newline", 0, 0),
        (b'a,"x\ny",1\nb', 0, 10),  # the newline inside quotes does not count
        (b'a,"x\ny', 0, 0),
        (b'y",1\nb,"x\nz', 1, 5),  # a value opened before this data closes in it
    ],
)
def test_record_ends_with_and_without_quotes(data: bytes, quotes_before: int, end: int) -> None:
    assert readers._record_end(data, quotes_before) == end


@pytest.mark.usefixtures("small_chunks")
def test_a_quoted_value_may_span_chunks_that_hold_no_quote(tmp_path: Path) -> None:
    long = "\n".join(f"line {i}" for i in range(40))  # several 64-byte chunks, no quote in them
    path = tmp_path / "e.csv"
    path.write_text(f'county,kwh\n330802,"{long}"\n' + ASCII_ROWS, "ascii")
    utf8 = rows(path, None)
    assert utf8 == rows(path, "gb18030")
    assert len(utf8) == 41
    assert utf8[0] == {"county": "330802", "kwh": long}
    assert utf8[1] == {"county": "330800", "kwh": "0"}


def write(path: Path, lines: list[list[str]]) -> Path:
    text = ",".join(ELECTRICITY_COLUMNS) + "\n" + "".join(",".join(row) + "\n" for row in lines)
    path.write_text(text, "utf-8")
    return path


A, B = credit_code(1), credit_code(2)


def expected_quality(
    filled: int, cells: int, loaded: int, quarantined: int, distinct: int, coded: tuple[int, int]
) -> dict[str, float]:
    shares = {
        "completeness": filled / cells,
        "validity": loaded / (loaded + quarantined),
        "uniqueness": distinct / loaded,
        "code_table_consistency": coded[0] / coded[1],
    }
    score = round(100 * sum(shares[k] * w for k, w in QUALITY_WEIGHTS.items()), 2)
    return {**shares, "score": score}


def test_repeated_keys_are_found_exactly_and_quality_follows(tmp_path: Path) -> None:
    path = write(
        tmp_path / "e.csv",
        [
            [A, "2026-01-01", "1", "330802"],
            [A, "2026-01-01", "2", "330803"],  # repeats row 1
            [B, "2026-01-01", "", ""],
            [A, "2026-02-01", "3", "330881"],
            [B, "2026-01-01", "4", "330803"],  # repeats row 3
            [B, "bad", "5", "330803"],  # quarantined by its check
        ],
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = ingest_file(
            warehouse=warehouse,
            path=path,
            dataset_code="e",
            version=1,
            fields=ELECTRICITY,
            key_fields=["credit_code", "month"],
        )
        assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (6, 3, 3)
        found = [
            (item["row"], item["field"], item["reason"])
            for item in quarantine_rows(warehouse, "e", 1)
        ]
        assert found == [
            (2, "credit_code, month", "duplicate key (credit_code, month): same as row 1"),
            (5, "credit_code, month", "duplicate key (credit_code, month): same as row 3"),
            (6, "month", "not a date: 'bad' (expected YYYY-MM-DD, YYYY/MM/DD or YYYYMMDD)"),
        ]
        assert [row["__row"] for row in version_rows(warehouse, "e", 1)] == [1, 3, 4]
        expected = expected_quality(10, 12, 3, 3, 3, (2, 2))
        assert report.quality == pytest.approx(expected)
        # The same measures from the stored version, with the key counted exactly.
        assert quality(warehouse, "e", 1, ELECTRICITY, ["credit_code", "month"]) == (
            pytest.approx(expected)
        )
        # Without a key every loaded row counts as distinct.
        assert quality(warehouse, "e", 1, ELECTRICITY) == pytest.approx(expected)


def test_null_key_parts_repeat_like_equal_values(tmp_path: Path) -> None:
    fields = [
        FieldSpec("credit_code", "string", semantic_type="credit_code", nullable=False),
        FieldSpec("month", "date"),
        FieldSpec("kwh", "decimal"),
        FieldSpec("county", "integer", code_values=frozenset({"330802"})),
    ]
    path = write(
        tmp_path / "e.csv",
        [[A, "", "1", "330802"], [A, "", "2", "330803"], [A, "2026-01-01", "3", ""]],
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = ingest_file(
            warehouse=warehouse,
            path=path,
            dataset_code="e",
            version=1,
            fields=fields,
            key_fields=["month", "credit_code"],
        )
        assert [item.row for item in report.quarantine] == [2]
        # integer codes are compared as text: 330802 is in the table
        assert report.quality == pytest.approx(expected_quality(6, 8, 2, 1, 2, (1, 1)))


def test_encrypted_key_fields_repeat_by_token(tmp_path: Path) -> None:
    fields = [
        FieldSpec("credit_code", "string", semantic_type="credit_code", encrypted=True),
        *ELECTRICITY[1:],
    ]
    path = write(
        tmp_path / "e.csv",
        [[A, "2026-01-01", "1", "330802"], [A, "2026-01-01", "2", "330802"]],
    )
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = ingest_file(
            warehouse=warehouse,
            path=path,
            dataset_code="e",
            version=1,
            fields=fields,
            key_fields=["credit_code", "month"],
            cipher=cipher(),
        )
        assert (report.rows_loaded, report.rows_quarantined) == (1, 1)
        stored = version_rows(warehouse, "e", 1)[0]
        assert stored["credit_code"] != A
        assert stored["credit_code__token"]


@pytest.mark.parametrize(
    "spec",
    [
        FieldSpec("kwh", "decimal", min_value=0),
        FieldSpec("n", "integer", max_value=500),
        FieldSpec("c", "integer", code_values=frozenset({str(i) for i in range(0, 600, 2)})),
    ],
    ids=["decimal", "integer", "coded-integer"],
)
@pytest.mark.parametrize("nulls", [False, True], ids=["full", "with-nulls"])
def test_plain_numeric_columns_take_the_shortcut_with_the_same_outcome(
    spec: FieldSpec, nulls: bool
) -> None:
    cells: list[str | None] = [
        f"{i}" if spec.data_type == "integer" else f"{i}.25" for i in range(600)
    ]
    if nulls:
        cells[::7] = [None] * len(cells[::7])
    checked = ColumnChecker(spec).check(pa.array(cells, pa.string()))
    for raw, value, invalid, reason in zip(
        cells,
        checked.values.to_pylist(),
        checked.invalid.to_pylist(),
        checked.reasons.to_pylist(),
        strict=True,
    ):
        expected_value, expected_reason = check_value(spec, raw)
        assert (value, invalid, reason) == (
            expected_value,
            expected_reason is not None,
            expected_reason,
        ), raw
    if spec.data_type == "decimal":
        assert checked.values[1].as_py() == Decimal("1.25")


def test_repeated_values_without_failures_spread_no_reasons() -> None:
    spec = FieldSpec("county", "string", code_values=frozenset({"330802", "330803"}))
    cells = ["330802", "330803", " 330802 ", None] * 100
    checked = ColumnChecker(spec).check(pa.array(cells, pa.string()))
    assert checked.values.to_pylist() == ["330802", "330803", "330802", None] * 100
    assert not any(checked.invalid.to_pylist())
    assert checked.reasons.null_count == len(cells)
