"""Streaming readers (读取器) for ingestion: CSV, XLSX, JSON Lines and Parquet.

Every reader checks that the file is what its extension says, checks the header against the
expected columns (missing, unexpected, duplicate and unnamed columns are listed together), and
then yields the data rows in batches, never the whole file at once. Cells come out as text
(``str``) or ``None``; typing them is the checks' job.

``read_batches`` yields Arrow record batches of string columns (the engine's fast path);
``read_rows`` yields the same rows as lists of dicts.

Rows are numbered from 1 after the header; blank lines and blank sheet rows are skipped and not
counted. CSV is UTF-8 (with or without BOM) or GB18030: without an explicit ``encoding`` the
stream is decoded as strict UTF-8, and the reader starts again as GB18030 only if the first
undecodable byte comes before any row was handed out.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> _ = (folder / "e.csv").write_bytes("kwh,county\\n12.5,柯城区\\n".encode("gb18030"))
>>> list(read_rows(folder / "e.csv", columns=["county", "kwh"]))
[[{'county': '柯城区', 'kwh': '12.5'}]]
>>> _ = (folder / "bad.csv").write_text("kwh,foo\\n1,2\\n")
>>> list(read_rows(folder / "bad.csv", columns=["county", "kwh"]))
Traceback (most recent call last):
    ...
shuzhi.platform.warehouse.spec.IngestError: bad.csv: header: missing column 'county'; unexpected column 'foo'
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterable, Iterator, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

from .checks import BLANKS
from .spec import IngestError

__all__ = ["FORMATS", "read_batches", "read_rows"]

FORMATS = {
    ".csv": "CSV",
    ".xlsx": "XLSX",
    ".jsonl": "JSON Lines",
    ".ndjson": "JSON Lines",
    ".parquet": "Parquet",
}

_CHUNK = 1 << 20
_HEADER_BLANKS = BLANKS + "\ufeff"


def read_batches(
    path: Path,
    *,
    columns: Sequence[str],
    batch_size: int = 50_000,
    encoding: str | None = None,
    first_batch_size: int | None = None,
) -> Iterator[pa.RecordBatch]:
    """Yield the data rows of ``path`` as record batches of strings named and ordered as ``columns``.

    Batches have ``batch_size`` rows (the last may have fewer); the first has
    ``first_batch_size`` when given, so that work downstream can start sooner.

    Raises ``IngestError`` (file, place, problem) for a file that cannot be read as a whole: an
    unsupported extension, content that is not what the extension says, an empty file, a bad
    header, an undecodable byte, or a row with more values than the header.
    """
    path = Path(path)
    if batch_size < 1 or (first_batch_size is not None and first_batch_size < 1):
        raise ValueError("batch sizes must be at least 1")
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        known = ", ".join(sorted(FORMATS))
        raise IngestError(path.name, f"unsupported file type {suffix or '(none)'!r}; use {known}")
    if path.stat().st_size == 0:
        raise IngestError(path.name, "empty file")
    readers = {
        "CSV": _csv_batches,
        "XLSX": _xlsx_batches,
        "JSON Lines": _jsonl_batches,
        "Parquet": _parquet_batches,
    }
    batches = readers[FORMATS[suffix]](path, list(columns), encoding)
    yield from _rebatch(batches, batch_size, first_batch_size or batch_size)


def read_rows(
    path: Path,
    *,
    columns: Sequence[str],
    batch_size: int = 50_000,
    encoding: str | None = None,
) -> Iterator[list[dict[str, str | None]]]:
    """Yield the data rows of ``path`` as lists of ``{column: text or None}``, a batch at a time."""
    for batch in read_batches(path, columns=columns, batch_size=batch_size, encoding=encoding):
        yield batch.to_pylist()


# --- Shared: header check, batching -------------------------------------------------------


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(repr(name) for name in names)


def _header_positions(file: str, found: Sequence[object], expected: Sequence[str]) -> list[int]:
    """Return where each expected column sits in the file's header, or raise listing problems."""
    names = [None if value is None else str(value).strip(_HEADER_BLANKS) or None for value in found]
    while names and names[-1] is None:
        names.pop()
    problems = []
    present = [name for name in names if name is not None]
    missing = [name for name in expected if name not in present]
    if missing:
        noun = "column" if len(missing) == 1 else "columns"
        problems.append(f"missing {noun} {_quoted(missing)}")
    unexpected = [name for name in dict.fromkeys(present) if name not in expected]
    if unexpected:
        noun = "column" if len(unexpected) == 1 else "columns"
        problems.append(f"unexpected {noun} {_quoted(unexpected)}")
    duplicates = [name for name in dict.fromkeys(present) if present.count(name) > 1]
    if duplicates:
        noun = "column" if len(duplicates) == 1 else "columns"
        problems.append(f"duplicate {noun} {_quoted(duplicates)}")
    unnamed = [str(i) for i, name in enumerate(names, start=1) if name is None]
    if unnamed:
        noun = "column" if len(unnamed) == 1 else "columns"
        problems.append(f"{noun} {', '.join(unnamed)} without a name")
    if problems:
        raise IngestError(file, "; ".join(problems), location="header")
    return [names.index(name) for name in expected]


def _rebatch(batches: Iterable[pa.RecordBatch], size: int, first: int) -> Iterator[pa.RecordBatch]:
    """Re-cut batches to ``size`` rows, the first to ``first`` rows (the last one may be
    shorter), slicing without copies."""
    pending: list[pa.RecordBatch] = []
    count = 0
    wanted = size
    size = first
    for batch in batches:
        offset = 0
        while offset < batch.num_rows:
            take = min(size - count, batch.num_rows - offset)
            pending.append(batch.slice(offset, take))
            count += take
            offset += take
            if count == size:
                yield pending[0] if len(pending) == 1 else pa.concat_batches(pending)
                pending = []
                count = 0
                size = wanted
    if count:
        yield pending[0] if len(pending) == 1 else pa.concat_batches(pending)


def _string_batch(columns: Sequence[str], values: list[list[str | None]]) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [pa.array(column, pa.string()) for column in values], names=list(columns)
    )


# --- CSV ------------------------------------------------------------------------------------


class _Undecodable(Exception):
    """A byte that the current encoding cannot decode, at ``line``."""

    def __init__(self, line: int, byte: int) -> None:
        super().__init__(line, byte)
        self.line = line
        self.byte = byte


_BINARY_MAGIC = {
    b"PK\x03\x04": "a zip archive (an .xlsx workbook?)",
    b"\xd0\xcf\x11\xe0": "an old .xls workbook",
    b"PAR1": "a Parquet file",
}


def _csv_batches(path: Path, columns: list[str], encoding: str | None) -> Iterator[pa.RecordBatch]:
    if encoding is not None:
        try:
            codecs.lookup(encoding)
        except LookupError:
            raise ValueError(f"unknown encoding {encoding!r}") from None
    with path.open("rb") as handle:
        magic = handle.read(4)
    for start, what in _BINARY_MAGIC.items():
        if magic.startswith(start):
            raise IngestError(path.name, f"not a CSV file: it looks like {what}")
    attempts = [encoding] if encoding else ["utf-8", "gb18030"]
    first_failure: _Undecodable | None = None
    for attempt in attempts:
        yielded = False
        try:
            for batch in _csv_batches_as(path, columns, attempt):
                yielded = True
                yield batch
            return
        except _Undecodable as exc:
            if encoding:
                raise IngestError(
                    path.name,
                    f"byte 0x{exc.byte:02X} is not valid {encoding}",
                    line=exc.line,
                ) from None
            if yielded:
                raise IngestError(
                    path.name,
                    f"byte 0x{exc.byte:02X} is not valid UTF-8, yet the rows before it were: "
                    "the file mixes encodings; save it as UTF-8 (or, if it is GB18030 "
                    "throughout, load it with that encoding named)",
                    line=exc.line,
                ) from None
            if first_failure is None:
                first_failure = exc
                continue
            also = f" (GB18030 fails at line {exc.line})" if exc.line != first_failure.line else ""
            raise IngestError(
                path.name,
                f"byte 0x{first_failure.byte:02X} cannot be decoded: the file is neither UTF-8 "
                f"nor GB18030{also}; save it as UTF-8",
                line=first_failure.line,
            ) from None


def _record_end(data: bytes, quotes_before: int) -> int:
    """Where the last complete record of ``data`` ends (after its newline), or 0 if none does.

    A newline ends a record when an even number of quotes precede it: RFC 4180 escapes a quote
    by doubling it, so inside a quoted value the count is odd. (In UTF-8 neither byte occurs
    inside a multi-byte character, so counting bytes counts characters.) Most files hold no
    quote at all: looking for one is a ``memchr``, counting them a slower loop over the bytes.
    """
    if b'"' not in data:
        return data.rfind(b"\n") + 1 if quotes_before % 2 == 0 else 0
    quotes = quotes_before + data.count(b'"')
    end = len(data)
    while True:
        newline = data.rfind(b"\n", 0, end)
        if newline < 0:
            return 0
        quotes -= data.count(b'"', newline + 1, end)
        if quotes % 2 == 0:
            return newline + 1
        end = newline


_UTF8_BOM = codecs.BOM_UTF8


def _newlines_before(path: Path, size: int) -> int:
    """How many newline bytes the first ``size`` bytes of the file hold (for error messages)."""
    count = 0
    with path.open("rb") as raw:
        while size > 0:
            data = raw.read(min(_CHUNK, size))
            if not data:
                break
            count += data.count(b"\n")
            size -= len(data)
    return count


def _csv_pieces(path: Path, encoding: str) -> Iterator[bytes]:
    """Decode the file strictly and cut it into UTF-8 pieces of whole records, about a chunk each.

    Reading, decoding and cutting here (rather than letting Arrow read the file) keeps memory
    to about one chunk: Arrow's own reader reads ahead as far as it can. A UTF-8 file is only
    validated (its bytes are already what Arrow reads), and its lines are counted only when
    an error needs a line number; other encodings are re-encoded, counting lines as they go.
    """
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    passthrough = codecs.lookup(encoding).name == "utf-8"
    pending = b""
    handed = 0  # bytes of the file handed out before ``pending`` (after any BOM)
    skipped = 0  # the length of the BOM removed at the start
    counted_line = 1  # the line that ``pending`` starts on, when counting as we go
    quotes = 0  # quotes in the text already handed out
    last_quote_at = 0  # where the last quote handed out sits (an offset, like ``handed``)
    last_quote_line = 0  # its line, when counting as we go
    first = True

    def line_at(offset: int, newlines_after: int = 0) -> int:
        """The line of a place ``newlines_after`` newlines after the start of ``pending``."""
        if passthrough:
            return 1 + _newlines_before(path, skipped + offset) + newlines_after
        return counted_line + newlines_after

    with path.open("rb") as raw:
        while True:
            data = raw.read(_CHUNK)
            end_of_file = not data
            try:
                if not passthrough:
                    text = decoder.decode(data, final=end_of_file).encode("utf-8")
                else:
                    # ASCII needs no check (unless a character was cut at the last chunk's end)
                    if not data.isascii() or decoder.getstate()[0] or end_of_file:
                        decoder.decode(data, final=end_of_file)
                    text = data
            except UnicodeDecodeError as exc:
                before = pending.count(b"\n") + bytes(exc.object[: exc.start]).count(b"\n")
                raise _Undecodable(line_at(handed, before), exc.object[exc.start]) from None
            if first and text:
                stripped = text.removeprefix(_UTF8_BOM)
                skipped = len(text) - len(stripped)
                text = stripped
                first = False
            if b"\x00" in text:
                before = pending.count(b"\n") + text[: text.index(b"\x00")].count(b"\n")
                raise IngestError(
                    path.name,
                    "NUL byte in the text (is it UTF-16? save it as UTF-8)",
                    line=line_at(handed, before),
                )
            pending += text
            cut = len(pending) if end_of_file else _record_end(pending, quotes)
            if cut:
                piece, pending = pending[:cut], pending[cut:]
                count = piece.count(b'"') if b'"' in piece else 0
                if count:
                    last_quote_at = handed + piece.rindex(b'"')
                    quotes += count
                    if not passthrough:
                        last_quote_line = counted_line + piece[: last_quote_at - handed].count(
                            b"\n"
                        )
                if end_of_file and quotes % 2:
                    raise IngestError(
                        path.name,
                        'a quoted value starts here and is never closed (unbalanced ")',
                        line=(
                            1 + _newlines_before(path, skipped + last_quote_at)
                            if passthrough
                            else last_quote_line
                        ),
                    )
                yield piece
                handed += len(piece)
                if not passthrough:
                    counted_line += piece.count(b"\n")
            if end_of_file:
                break


def _csv_batches_as(path: Path, columns: list[str], encoding: str) -> Iterator[pa.RecordBatch]:
    positions: list[int] | None = None
    options: dict[str, Any] = {}
    rows_before = 0  # data rows handed out before the current piece
    bad_rows: list[Any] = []

    def on_invalid_row(row: Any) -> str:
        bad_rows.append(row)
        return "error"

    for piece in _csv_pieces(path, encoding):
        with_header = positions is None
        if positions is None:
            text = piece.decode("utf-8").lstrip(_HEADER_BLANKS)  # blank lines before the header
            if not text:
                continue
            piece = text.encode("utf-8")
            header = next(csv.reader(io.StringIO(text)))
            positions = _header_positions(path.name, header, columns)
            names = [f"c{i}" for i in range(len(header))]
            options = {
                "read_options": pa_csv.ReadOptions(
                    use_threads=False, block_size=2 * _CHUNK, column_names=names
                ),
                "parse_options": pa_csv.ParseOptions(
                    newlines_in_values=True, invalid_row_handler=on_invalid_row
                ),
                "convert_options": pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=False,
                    quoted_strings_can_be_null=False,
                ),
            }
        options["read_options"].block_size = max(len(piece) + 1, 2 * _CHUNK)
        try:
            table = pa_csv.read_csv(pa.py_buffer(piece), **options)
        except pa.ArrowInvalid as error:
            if not bad_rows:
                raise IngestError(path.name, f"cannot be read as CSV: {error}") from None
            row = bad_rows[0]
            number = rows_before + row.number - (1 if with_header else 0)
            raise IngestError(
                path.name,
                f"{row.actual_columns} values, but the header has {row.expected_columns} columns",
                location=f"row {number}",
            ) from None
        if with_header:
            table = table.slice(1)  # Arrow read the header as the first row, as text
        rows_before += table.num_rows
        for batch in table.to_batches():
            yield pa.RecordBatch.from_arrays([batch.column(i) for i in positions], names=columns)
    if positions is None:
        raise IngestError(path.name, "empty file")


# --- XLSX -----------------------------------------------------------------------------------

_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


def _cell_text(value: object) -> str | None:
    """A spreadsheet cell as the text a CSV export of it would hold."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 2**53 else repr(value)
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def _xlsx_batches(path: Path, columns: list[str], encoding: str | None) -> Iterator[pa.RecordBatch]:
    from openpyxl import load_workbook

    with path.open("rb") as handle:
        magic = handle.read(4)
    if magic == _OLE_MAGIC:
        raise IngestError(path.name, "not an XLSX file: it is an old .xls workbook; save as .xlsx")
    if magic != _ZIP_MAGIC:
        raise IngestError(path.name, "not an XLSX file")
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a zip that is not a workbook
        raise IngestError(path.name, f"not an XLSX file ({exc})") from None
    try:
        if not workbook.worksheets:
            raise IngestError(path.name, "empty file")
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header: tuple[object, ...] | None = None
        header_row = 0
        for cells in rows:
            header_row += 1
            if any(cell is not None for cell in cells):
                header = cells
                break
        if header is None:
            raise IngestError(path.name, "empty file")
        positions = _header_positions(path.name, header, columns)
        width = max(positions) + 1
        named = len([c for c in header if c is not None and str(c).strip(_HEADER_BLANKS)])
        values: list[list[str | None]] = [[] for _ in columns]
        for sheet_row, cells in enumerate(rows, start=header_row + 1):
            texts = [_cell_text(cell) for cell in cells]
            if all(text is None or text == "" for text in texts):
                continue
            beyond = [
                i for i, text in enumerate(texts[named:], start=named) if text not in (None, "")
            ]
            if beyond:
                raise IngestError(
                    path.name,
                    f"a value in column {beyond[0] + 1}, beyond the {named} named columns",
                    location=f"sheet row {sheet_row}",
                )
            if len(texts) < width:
                texts.extend([None] * (width - len(texts)))
            for column, position in zip(values, positions, strict=True):
                column.append(texts[position])
            if len(values[0]) >= _CHUNK // 16:
                yield _string_batch(columns, values)
                values = [[] for _ in columns]
        if values[0]:
            yield _string_batch(columns, values)
    finally:
        workbook.close()


# --- JSON Lines -----------------------------------------------------------------------------


def _json_text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def _json_object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKey(key)
        found[key] = value
    return found


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _parse_json_line(text: str) -> Any:
    # Numbers stay as written (12.50 stays "12.50"); NaN and Infinity stay text and fail checks.
    return json.loads(
        text,
        object_pairs_hook=_json_object,
        parse_float=str,
        parse_int=str,
        parse_constant=str,
    )


def _jsonl_batches(
    path: Path, columns: list[str], encoding: str | None
) -> Iterator[pa.RecordBatch]:
    codec = encoding or "utf-8"
    expected = set(columns)
    values: list[list[str | None]] = [[] for _ in columns]
    seen_object = False
    with path.open("rb") as handle:
        for line_number, line in enumerate(handle, start=1):
            try:
                text = line.decode(codec)
            except UnicodeDecodeError as exc:
                raise IngestError(
                    path.name,
                    f"byte 0x{line[exc.start]:02X} is not valid {codec}",
                    line=line_number,
                ) from None
            if line_number == 1:
                text = text.removeprefix("\ufeff")
            if not text.strip(BLANKS):
                continue
            try:
                item = _parse_json_line(text)
            except _DuplicateKey as exc:
                if not seen_object:
                    raise IngestError(
                        path.name, f"duplicate column {exc.key!r}", location="header"
                    ) from None
                raise IngestError(
                    path.name, f"duplicate key {exc.key!r}", line=line_number
                ) from None
            except ValueError as exc:
                if not seen_object:
                    raise IngestError(
                        path.name, f"not a JSON Lines file: line {line_number} is not JSON"
                    ) from None
                raise IngestError(path.name, f"not valid JSON: {exc}", line=line_number) from None
            if not isinstance(item, dict):
                if not seen_object:
                    raise IngestError(
                        path.name,
                        f"not a JSON Lines file: line {line_number} is not a JSON object",
                    )
                raise IngestError(path.name, "not a JSON object", line=line_number)
            if not seen_object:
                # The first object stands for the header: every column must appear in it.
                _header_positions(path.name, list(item), columns)
                seen_object = True
            else:
                unexpected = [key for key in item if key not in expected]
                if unexpected:
                    noun = "key" if len(unexpected) == 1 else "keys"
                    raise IngestError(
                        path.name, f"unexpected {noun} {_quoted(unexpected)}", line=line_number
                    )
            for column, name in zip(values, columns, strict=True):
                column.append(_json_text(item.get(name)))
            if len(values[0]) >= _CHUNK // 16:
                yield _string_batch(columns, values)
                values = [[] for _ in columns]
    if not seen_object:
        raise IngestError(path.name, "empty file")
    if values[0]:
        yield _string_batch(columns, values)


# --- Parquet --------------------------------------------------------------------------------

_PARQUET_MAGIC = b"PAR1"


def _as_text(file: str, name: str, column: pa.Array) -> pa.Array:
    """A Parquet column as the text a CSV export of it would hold."""
    kind = column.type
    if pa.types.is_dictionary(kind):
        return _as_text(file, name, pc.cast(column, kind.value_type))
    if pa.types.is_null(kind):
        return pa.nulls(len(column), pa.string())
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pc.cast(column, pa.string())
    if pa.types.is_boolean(kind):
        return pc.if_else(column, pa.scalar("true"), pa.scalar("false"))
    if pa.types.is_timestamp(kind):
        if kind.tz is not None:
            # Local (Beijing) time is what the warehouse stores; drop the zone after converting.
            column = pc.local_timestamp(pc.cast(column, pa.timestamp(kind.unit, "Asia/Shanghai")))
            kind = column.type
        whole = pc.cast(column, pa.timestamp("s"), safe=False)
        exact = pc.equal(pc.cast(whole, kind), column)
        midnight = pc.equal(pc.cast(pc.cast(whole, pa.date32()), pa.timestamp("s")), whole)
        as_seconds = pc.strftime(whole, format="%Y-%m-%d %H:%M:%S")
        as_date = pc.strftime(whole, format="%Y-%m-%d")
        text = pc.if_else(pc.and_(exact, midnight), as_date, as_seconds)
        return pc.if_else(exact, text, pc.cast(column, pa.string()))
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        try:
            return pc.cast(column, pa.string())
        except pa.ArrowInvalid:
            raise IngestError(file, "binary values that are not UTF-8 text", field=name) from None
    if (
        pa.types.is_integer(kind)
        or pa.types.is_floating(kind)
        or pa.types.is_decimal(kind)
        or pa.types.is_temporal(kind)
    ):
        return pc.cast(column, pa.string())
    raise IngestError(file, f"holds {kind} values, not plain values", field=name)


def _parquet_batches(
    path: Path, columns: list[str], encoding: str | None
) -> Iterator[pa.RecordBatch]:
    with path.open("rb") as handle:
        start = handle.read(4)
        handle.seek(-4, io.SEEK_END)
        end = handle.read(4)
    if start != _PARQUET_MAGIC or end != _PARQUET_MAGIC:
        raise IngestError(path.name, "not a Parquet file")
    try:
        parquet = pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise IngestError(path.name, f"not a Parquet file ({exc})") from None
    try:
        names = parquet.schema_arrow.names
        positions = _header_positions(path.name, names, columns)
        try:
            for batch in parquet.iter_batches(batch_size=_CHUNK // 16):
                yield pa.RecordBatch.from_arrays(
                    [
                        _as_text(path.name, name, batch.column(position))
                        for name, position in zip(columns, positions, strict=True)
                    ],
                    names=columns,
                )
        except (pa.ArrowException, OSError) as exc:
            raise IngestError(path.name, f"cannot be read as Parquet: {exc}") from None
    finally:
        parquet.close()
