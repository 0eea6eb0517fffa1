from __future__ import annotations

import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from openpyxl import Workbook

from shuzhi.platform.warehouse.readers import read_batches, read_rows
from shuzhi.platform.warehouse.spec import IngestError

from .files import WRITERS, write_csv, write_xlsx

COLUMNS = ["county", "kwh"]


def rows_of(path: Path, columns: list[str] = COLUMNS, **kwargs: Any) -> list[dict[str, str | None]]:
    return [row for batch in read_rows(path, columns=columns, **kwargs) for row in batch]


def error_of(path: Path, columns: list[str] = COLUMNS, **kwargs: Any) -> str:
    with pytest.raises(IngestError) as caught:
        rows_of(path, columns, **kwargs)
    return str(caught.value)


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_every_format_yields_text_rows_in_the_expected_column_order(
    tmp_path: Path, kind: str
) -> None:
    path = WRITERS[kind](
        tmp_path / f"e.{kind}", ["kwh", "county"], [["12.5", "柯城区"], ["7", "衢江区"]]
    )
    assert rows_of(path) == [
        {"county": "柯城区", "kwh": "12.5"},
        {"county": "衢江区", "kwh": "7"},
    ]


def test_batches_stream_in_the_requested_size(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", COLUMNS, [["330802", i] for i in range(2500)])
    sizes = [batch.num_rows for batch in read_batches(path, columns=COLUMNS, batch_size=1000)]
    assert sizes == [1000, 1000, 500]
    first = read_batches(path, columns=COLUMNS, batch_size=1000, first_batch_size=300)
    assert [batch.num_rows for batch in first] == [300, 1000, 1000, 200]
    with pytest.raises(ValueError, match="at least 1"):
        next(read_batches(path, columns=COLUMNS, first_batch_size=0))


def test_csv_with_a_byte_order_mark_reads_the_first_column_name_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(b"\xef\xbb\xbfcounty,kwh\r\n330802,1\r\n")
    assert rows_of(path) == [{"county": "330802", "kwh": "1"}]


def test_gb18030_csv_is_detected_without_being_told(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "e.csv", COLUMNS, [["柯城区", "1"], ["龙游县", "2"]], encoding="gb18030"
    )
    assert [row["county"] for row in rows_of(path)] == ["柯城区", "龙游县"]


def test_explicit_encoding_is_used(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "e.csv", COLUMNS, [["柯城区", "1"]], encoding="gb18030")
    assert rows_of(path, encoding="gb18030") == [{"county": "柯城区", "kwh": "1"}]
    assert error_of(path, encoding="utf-8").startswith(
        "e.csv: line 2: byte 0xBF is not valid utf-8"
    )


def test_file_that_is_neither_utf8_nor_gb18030_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes(b"county,kwh\n330802,1\n330802,\xff\xff\n")
    assert error_of(path) == (
        "e.csv: line 3: byte 0xFF cannot be decoded: the file is neither UTF-8 nor GB18030; "
        "save it as UTF-8"
    )


def test_undecodable_byte_after_rows_were_handed_out_is_an_error_not_a_fallback(
    tmp_path: Path,
) -> None:
    path = tmp_path / "e.csv"
    good = "330802,1\n" * 1_200_000  # > 10 MB, so rows are handed out before the bad byte
    path.write_bytes(b"county,kwh\n" + good.encode() + "柯城区,2\n".encode("gb18030"))
    with pytest.raises(IngestError) as caught:
        for _ in read_batches(path, columns=COLUMNS, batch_size=10_000):
            pass
    assert caught.value.line == 1_200_002
    assert "the file mixes encodings" in str(caught.value)


def test_nul_bytes_are_refused_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_bytes("county,kwh\n330802,1\n".encode("utf-16-le"))
    assert error_of(path).startswith("e.csv: line 1: NUL byte in the text")


def test_missing_and_unexpected_columns_are_listed_together(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "electricity.csv", ["county", "foo"], [["330802", "1"]])
    assert (
        error_of(path) == "electricity.csv: header: missing column 'kwh'; unexpected column 'foo'"
    )


def test_every_header_problem_is_listed(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("county,county,a,b,,x\n1,2,3,4,5,6\n")
    assert error_of(path) == (
        "e.csv: header: missing column 'kwh'; unexpected columns 'a', 'b', 'x'; "
        "duplicate column 'county'; column 5 without a name"
    )


@pytest.mark.parametrize("kind", ["xlsx", "parquet", "jsonl"])
def test_header_problems_are_found_in_every_format(tmp_path: Path, kind: str) -> None:
    path = WRITERS[kind](tmp_path / f"e.{kind}", ["county", "foo"], [["330802", "1"]])
    assert error_of(path) == f"e.{kind}: header: missing column 'kwh'; unexpected column 'foo'"


def test_duplicate_column_in_xlsx(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "e.xlsx", ["county", "kwh", "kwh"], [["330802", 1, 2]])
    assert error_of(path) == "e.xlsx: header: duplicate column 'kwh'"


def test_duplicate_key_in_the_first_json_object_is_a_duplicate_column(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text('{"county": "330802", "kwh": 1, "kwh": 2}\n')
    assert error_of(path) == "e.jsonl: header: duplicate column 'kwh'"


@pytest.mark.parametrize("name", ["e.csv", "e.xlsx", "e.jsonl", "e.parquet"])
def test_an_empty_file_is_refused(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert error_of(path) == f"{name}: empty file"


def test_blank_text_files_are_empty(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_bytes(b"\xef\xbb\xbf\r\n  \n")
    (tmp_path / "e.jsonl").write_text("\n\n")
    assert error_of(tmp_path / "e.csv") == "e.csv: empty file"
    assert error_of(tmp_path / "e.jsonl") == "e.jsonl: empty file"


def test_workbook_with_an_empty_first_sheet_is_empty(tmp_path: Path) -> None:
    workbook = Workbook()
    workbook.save(tmp_path / "e.xlsx")
    assert error_of(tmp_path / "e.xlsx") == "e.xlsx: empty file"


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet"])
def test_header_only_file_is_valid_with_no_rows(tmp_path: Path, kind: str) -> None:
    path = WRITERS[kind](tmp_path / f"e.{kind}", COLUMNS, [])
    assert rows_of(path) == []


@pytest.mark.parametrize(
    ("name", "content", "problem"),
    [
        ("e.xlsx", b"county,kwh\n1,2\n", "e.xlsx: not an XLSX file"),
        ("e.xlsx", b"\xd0\xcf\x11\xe0" + bytes(100), "e.xlsx: not an XLSX file: it is an old .xls"),
        ("e.parquet", b"county,kwh\n1,2\n", "e.parquet: not a Parquet file"),
        ("e.parquet", b"PAR1 but truncated", "e.parquet: not a Parquet file"),
        ("e.jsonl", b"county,kwh\n1,2\n", "e.jsonl: not a JSON Lines file: line 1 is not JSON"),
        ("e.jsonl", b'["county", "kwh"]\n', "e.jsonl: not a JSON Lines file: line 1 is not a JSON"),
        ("e.txt", b"county,kwh\n", "e.txt: unsupported file type '.txt'"),
        ("e.csv", b"PK\x03\x04" + bytes(100), "e.csv: not a CSV file: it looks like a zip archive"),
        ("e.csv", b"PAR1" + bytes(100), "e.csv: not a CSV file: it looks like a Parquet file"),
    ],
)
def test_content_must_match_the_extension(
    tmp_path: Path, name: str, content: bytes, problem: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    assert error_of(path).startswith(problem)


def test_zip_that_is_not_a_workbook_is_not_an_xlsx_file(tmp_path: Path) -> None:
    path = tmp_path / "e.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "hi")
    assert error_of(path).startswith("e.xlsx: not an XLSX file")


def test_row_with_more_values_than_the_header_names_its_row(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text("county,kwh\n330802,1\n\n330803,2,3\n")
    assert error_of(path) == "e.csv: row 2: 3 values, but the header has 2 columns"


def test_unclosed_quote_names_the_line_where_it_opens(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text('county,kwh\n330802,1\n"330803,2\n330804,3\n')
    assert error_of(path) == (
        'e.csv: line 3: a quoted value starts here and is never closed (unbalanced ")'
    )


def test_quoted_commas_newlines_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "e.csv"
    path.write_text('county,kwh\n"柯城区, 衢州",1\n\n"two\nlines","2"\n330803,\n')
    assert rows_of(path) == [
        {"county": "柯城区, 衢州", "kwh": "1"},
        {"county": "two\nlines", "kwh": "2"},
        {"county": "330803", "kwh": ""},
    ]


def test_xlsx_cells_come_out_as_the_text_a_csv_export_would_hold(tmp_path: Path) -> None:
    columns = ["d", "t", "i", "f", "b", "s", "e"]
    path = write_xlsx(
        tmp_path / "e.xlsx",
        columns,
        [[datetime(2026, 1, 5), datetime(2026, 1, 5, 8, 30), 42, 0.1, True, "柯城区", None]],
    )
    assert rows_of(path, columns) == [
        {
            "d": "2026-01-05",
            "t": "2026-01-05 08:30:00",
            "i": "42",
            "f": "0.1",
            "b": "true",
            "s": "柯城区",
            "e": None,
        }
    ]


def test_xlsx_header_may_start_below_blank_rows_and_value_beyond_it_is_refused(
    tmp_path: Path,
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append([])
    sheet.append(["county", "kwh"])
    sheet.append(["330802", 1])
    sheet.append([])
    sheet.append(["330803", 2, "stray"])
    workbook.save(tmp_path / "e.xlsx")
    assert error_of(tmp_path / "e.xlsx") == (
        "e.xlsx: sheet row 5: a value in column 3, beyond the 2 named columns"
    )


def test_json_lines_keep_numbers_as_written_and_missing_keys_are_null(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text(
        '{"county": "330802", "kwh": 12.50}\n\n{"county": null, "kwh": true}\n{"kwh": 3}\n'
    )
    assert rows_of(path) == [
        {"county": "330802", "kwh": "12.50"},
        {"county": None, "kwh": "true"},
        {"county": None, "kwh": "3"},
    ]


@pytest.mark.parametrize(
    ("later", "problem"),
    [
        ('{"county": "1", "foo": 2}', "e.jsonl: line 2: unexpected key 'foo'"),
        ('{"county": "1", "county": "2"}', "e.jsonl: line 2: duplicate key 'county'"),
        ("[1, 2]", "e.jsonl: line 2: not a JSON object"),
        ("{oops", "e.jsonl: line 2: not valid JSON"),
    ],
)
def test_json_lines_problems_after_the_first_object_name_the_line(
    tmp_path: Path, later: str, problem: str
) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text('{"county": "330802", "kwh": 1}\n' + later + "\n")
    assert error_of(path).startswith(problem)


def test_parquet_typed_columns_come_out_as_text(tmp_path: Path) -> None:
    table = pa.table(
        {
            "i": pa.array([42, None], pa.int64()),
            "f": pa.array([0.1, 2.0]),
            "d": pa.array([date(2026, 1, 5), date(2026, 2, 1)]),
            "t": pa.array([datetime(2026, 1, 5, 8, 30), datetime(2026, 1, 5)], pa.timestamp("ms")),
            "b": pa.array([True, False]),
            "x": pa.array([Decimal("12.50"), Decimal("1")], pa.decimal128(10, 2)),
            "s": pa.array(["柯城区", "柯城区"]).dictionary_encode(),
        }
    )
    pq.write_table(table, tmp_path / "e.parquet")
    assert rows_of(tmp_path / "e.parquet", list(table.column_names))[0] == {
        "i": "42",
        "f": "0.1",
        "d": "2026-01-05",
        "t": "2026-01-05 08:30:00",
        "b": "true",
        "x": "12.50",
        "s": "柯城区",
    }
    assert rows_of(tmp_path / "e.parquet", list(table.column_names))[1]["t"] == "2026-01-05"


def test_parquet_nested_values_are_refused_naming_the_field(tmp_path: Path) -> None:
    pq.write_table(pa.table({"county": [[1, 2]], "kwh": ["1"]}), tmp_path / "e.parquet")
    assert error_of(tmp_path / "e.parquet") == (
        "e.parquet: field 'county': holds list<element: int64> values, not plain values"
    )


def test_json_object_cell_is_kept_as_json_text(tmp_path: Path) -> None:
    path = tmp_path / "e.jsonl"
    path.write_text(json.dumps({"county": {"name": "柯城区"}, "kwh": "1"}, ensure_ascii=False))
    assert rows_of(path)[0]["county"] == '{"name": "柯城区"}'
