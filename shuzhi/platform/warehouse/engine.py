"""The ingestion engine (入库引擎): file → checked rows → a new version (版本) in DuckDB, via Ibis.

Plain Python, no Django: the catalogue hands over ``FieldSpec`` values and a ``FieldCipher``,
the engine answers with an ``IngestReport``.

An ingestion reads the file in batches, checks every cell (``checks``), and appends good rows
to a staging table and bad rows, with the first failing field and its reason, to a staging
quarantine (隔离区) table. Rows that repeat the declared key of an earlier loaded row are moved
to the quarantine too. Only when everything is written are both staging tables renamed, in
one DuckDB transaction, to the version's tables::

    <dataset_code>__v<version>               the loaded rows: "__row" (source row number),
                                             the fields, and "<field>__token" beside each
                                             encrypted field
    <dataset_code>__v<version>__quarantine   "row", "field", "reason", "raw" (JSON text)

A text field with a code table of at most ``ENUM_LIMIT`` codes is stored as a DuckDB ``ENUM``
of its codes in sorted order (so it sorts as the text does): one byte or two a row instead of
the text, about a third of the CPU to store, and read back as text by Ibis. Only checked
values reach the table, so every value is one of the codes.

A crash part-way (even kill -9) leaves at most staging tables, which the next ingestion of the
same version drops first; no reader ever sees a half-loaded version. Every input row is either
loaded or quarantined, and the counts are checked to reconcile before the version is made.

Quality (数据质量) per version, each a share from 0 to 1, and a score from 0 to 100:

* completeness (完整性): non-null cells over all cells of the declared fields, loaded rows;
* validity (有效性): rows loaded over rows in;
* uniqueness (唯一性): distinct key values over loaded rows (1.0 without a key);
* code_table_consistency (一致性): non-null values of coded fields found in their code table,
  over all such values (1.0 with no coded values; encrypted coded fields are not counted);
* score: 100 × the weighted mean, weights completeness 0.3, validity 0.4, uniqueness 0.2,
  consistency 0.1; a timeliness (及时性) share from the caller joins with weight 0.2 and the
  weights are renormalised (divided by 1.2). Empty versions count as 1.0 on each share.
"""

from __future__ import annotations

import dataclasses
import json
import os
import queue
import re
import tempfile
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import duckdb
import ibis
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from shuzhi.platform.security.sm import FieldCipher

from .checks import ColumnCheck, ColumnChecker, decimal_format
from .readers import read_batches
from .spec import ROW_COLUMN, FieldSpec, IngestReport, QuarantinedRow

__all__ = [
    "QUALITY_WEIGHTS",
    "TIMELINESS_WEIGHT",
    "Warehouse",
    "drop_version",
    "ingest_file",
    "list_versions",
    "quality",
    "quarantine_rows",
    "table_name",
    "version_rows",
]

# Arrow's default allocator (mimalloc) committed 135-165 MB of fresh memory over a load of a
# million rows while Arrow held at most 30 MB at a time: batches are made by the reader thread,
# checked by two others and released by DuckDB's writer, and the freed pages were not used
# again. The first touch of each page is a page fault that the kernel clears, 0.2-0.4 s of
# system time per load on the development machine; with the C library's allocator, which
# reuses them, about 0.1 s (benchmarks/README.md). Process-wide, unless the operator chose a
# pool with Arrow's own ARROW_DEFAULT_MEMORY_POOL.
if "ARROW_DEFAULT_MEMORY_POOL" not in os.environ:
    pa.set_memory_pool(pa.system_memory_pool())

QUALITY_WEIGHTS = {
    "completeness": 0.3,
    "validity": 0.4,
    "uniqueness": 0.2,
    "code_table_consistency": 0.1,
}
TIMELINESS_WEIGHT = 0.2

_T = TypeVar("_T")
_DATASET_CODE = re.compile(r"[a-z0-9_]{1,100}")
_SQL_TYPES = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "date": "DATE",
    "datetime": "TIMESTAMP",
    "boolean": "BOOLEAN",
}
_QUARANTINE_COLUMNS = (("row", "BIGINT"), ("field", "VARCHAR"), ("reason", "VARCHAR"))
# Code tables up to this size make an ENUM column; a larger one (a whole GB/T 2260 with its
# townships) stays VARCHAR rather than spell tens of thousands of codes into the DDL.
ENUM_LIMIT = 4096
_FIRST_BATCH = 5_000


class Warehouse:  # 数据仓库
    """A DuckDB file opened through Ibis; ``connection`` is the Ibis backend.

    DuckDB lets one process write a file at a time: close the warehouse when done (or use it
    as a context manager).
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.connection = ibis.duckdb.connect(database=str(self.path))

    @property
    def duckdb(self) -> duckdb.DuckDBPyConnection:
        """The raw DuckDB connection under the Ibis backend (transactions, Arrow appends)."""
        return self.connection.con

    def table_names(self) -> list[str]:
        """The names of the tables in the main schema, sorted."""
        found = self.duckdb.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE schema_name = 'main' AND NOT temporary ORDER BY table_name"
        ).fetchall()
        return [name for (name,) in found]

    def has_table(self, name: str) -> bool:
        """Tell whether a table of that name exists in the main schema."""
        found = self.duckdb.execute(
            "SELECT count(*) FROM duckdb_tables() "  # noqa: S608 - a quoted literal
            f"WHERE schema_name = 'main' AND table_name = {_literal(name)}"
        ).fetchone()
        return bool(found and found[0])

    def close(self) -> None:
        """Close the connection and release the file."""
        self.connection.disconnect()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()


def table_name(
    dataset_code: str, version: int, *, quarantine: bool = False, staging: bool = False
) -> str:
    """Return the table name of a version; reject codes outside ``[a-z0-9_]+``.

    >>> table_name("electricity", 3, quarantine=True)
    'electricity__v3__quarantine'
    >>> table_name("Electricity", 3)
    Traceback (most recent call last):
        ...
    ValueError: dataset code 'Electricity' must be 1-100 characters of a-z, 0-9 and _
    """
    if not isinstance(dataset_code, str) or not _DATASET_CODE.fullmatch(dataset_code):
        raise ValueError(
            f"dataset code {dataset_code!r} must be 1-100 characters of a-z, 0-9 and _"
        )
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise ValueError(f"version must be a whole number from 1, got {version!r}")
    name = f"{dataset_code}__v{version}"
    if quarantine:
        name += "__quarantine"
    if staging:
        name += "__staging"
    return name


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _check_fields(
    fields: Sequence[FieldSpec], key_fields: Sequence[str], cipher: FieldCipher | None
) -> None:
    if not fields:
        raise ValueError("an ingestion needs at least one field")
    folded = [spec.name.casefold() for spec in fields]
    repeated = sorted({spec.name for spec in fields if folded.count(spec.name.casefold()) > 1})
    if repeated:
        # DuckDB column names ignore case, so "Kwh" and "kwh" would collide.
        raise ValueError(f"field names must differ (ignoring case): {', '.join(repeated)}")
    names = {spec.name for spec in fields}
    unknown = [key for key in key_fields if key not in names]
    if unknown:
        raise ValueError(f"key fields are not among the fields: {', '.join(unknown)}")
    if len(set(key_fields)) != len(key_fields):
        raise ValueError("a key field is listed twice")
    encrypted = [spec.name for spec in fields if spec.encrypted]
    if encrypted and cipher is None:
        raise ValueError(f"fields {', '.join(encrypted)} are encrypted but no cipher was given")


def _loaded_columns(fields: Sequence[FieldSpec]) -> list[tuple[str, str]]:
    """The columns of a version table with their SQL types, in order."""
    columns = [(ROW_COLUMN, "BIGINT")]
    for spec in fields:
        if spec.encrypted:
            columns += [(spec.name, "VARCHAR"), (spec.token_column, "VARCHAR")]
        elif (
            spec.data_type == "string"
            and spec.code_values
            and (len(spec.code_values) <= ENUM_LIMIT)
        ):
            codes = ", ".join(_literal(code) for code in sorted(spec.code_values))
            columns.append((spec.name, f"ENUM({codes})"))
        elif spec.data_type == "decimal":
            number = decimal_format(spec)
            columns.append((spec.name, f"DECIMAL({number.precision}, {number.scale})"))
        else:
            columns.append((spec.name, _SQL_TYPES[spec.data_type]))
    return columns


def _create(con: duckdb.DuckDBPyConnection, name: str, columns: Sequence[tuple[str, str]]) -> None:
    body = ", ".join(f"{_quote(column)} {kind}" for column, kind in columns)
    con.execute(f"CREATE TABLE {_quote(name)} ({body})")


def _insert_stream(
    con: duckdb.DuckDBPyConnection, name: str, batches: pa.RecordBatchReader
) -> None:
    """Insert every batch of ``batches`` into table ``name`` with one statement."""
    view = "__shuzhi_ingest_stream"
    con.register(view, batches)
    try:
        con.execute(f"INSERT INTO {_quote(name)} SELECT * FROM {view}")  # noqa: S608 - quoted
    finally:
        con.unregister(view)


_END = object()


class _StreamingInsert:
    """One ``INSERT … SELECT`` into a table, fed batch by batch from the calling thread.

    DuckDB runs the statement in a writer thread and pulls the batches handed to ``put``
    through a small queue, so converting, compressing and writing the rows overlaps with
    reading and checking the next batches (DuckDB releases the GIL). Leaving the ``with``
    block ends the stream and waits for the statement; an error on either side is raised
    here, the writer's only if there is no other.
    """

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        table: str,
        depth: int = 1,
        segment_rows: int | None = None,
    ) -> None:
        self.con = con
        self.table = table
        self.slots: queue.Queue[object] = queue.Queue(maxsize=depth)
        self.schema: pa.Schema | None = None
        self.failure: BaseException | None = None
        self.thread: threading.Thread | None = None
        self.finished = threading.Event()
        self.ended = False
        self.segment_rows = segment_rows
        self.ended_by_caller = False

    def __enter__(self) -> _StreamingInsert:
        return self

    def put(self, batch: pa.Table) -> None:
        """Hand a batch to the writer; waits while the queue is full."""
        if self.thread is None:
            self.schema = batch.schema
            self.thread = threading.Thread(
                target=self._write, name="warehouse-ingest-writer", daemon=True
            )
            self.thread.start()
        while not self.finished.is_set():
            try:
                self.slots.put(batch, timeout=0.1)
                return
            except queue.Full:
                continue
        self._raise_failure()

    def _batches(self) -> Iterator[pa.RecordBatch]:
        """The batches of one segment: about ``segment_rows`` rows, or up to the end."""
        rows = 0
        while self.segment_rows is None or rows < self.segment_rows:
            item = self.slots.get()
            if item is _END:
                self.ended = True
                return
            assert isinstance(item, pa.Table)
            rows += item.num_rows
            yield from item.to_batches()

    def _write(self) -> None:
        assert self.schema is not None
        cursor: duckdb.DuckDBPyConnection | None = None
        try:
            # The writer's own connection to the same database, where DuckDB may append the
            # rows in any order: every row carries its source row number ("__row"), which is
            # what readers order by, and an unordered append lets both cores write at once.
            # Each row group is compressed and written as soon as it is full (DuckDB buffers
            # five by default, then writes them at the end of the statement, after the last
            # batch). Both settings are for this connection only.
            cursor = self.con.cursor()
            cursor.execute("SET SESSION preserve_insertion_order = false")
            cursor.execute("SET SESSION write_buffer_row_group_count = 1")
            # One statement for the whole stream: a statement per segment of two row groups
            # cost about twice the CPU in DuckDB (0.9-1.0 s against 0.45 s for 1M rows).
            # ``segment_rows`` still splits it, for tests of a writer failing part-way.
            while not self.ended:
                stream = pa.RecordBatchReader.from_batches(self.schema, self._batches())
                _insert_stream(cursor, self.table, stream)
        except BaseException as error:  # raised in the calling thread
            self.failure = error
        finally:
            if cursor is not None:
                with suppress(duckdb.Error):
                    cursor.close()
            self.finished.set()

    def _raise_failure(self) -> None:
        if self.failure is not None:
            raise self.failure
        raise RuntimeError("the warehouse writer stopped early")

    def end(self, *, abandon: bool = False) -> None:
        """End the stream (the writer finishes what it holds); ``abandon`` drains it instead."""
        if self.thread is None or self.ended_by_caller:
            return
        while not self.finished.is_set():  # even past a full queue
            try:
                self.slots.put(_END, timeout=0.1)
                break
            except queue.Full:
                if abandon:  # the statement is to be abandoned: drain it
                    with suppress(queue.Empty):
                        self.slots.get_nowait()
        self.ended_by_caller = True

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self.thread is None:
            return
        self.end(abandon=error is not None)
        self.thread.join()
        if error is None and self.failure is not None:
            raise self.failure


def _drop(con: duckdb.DuckDBPyConnection, *names: str) -> None:
    for name in names:
        con.execute(f"DROP TABLE IF EXISTS {_quote(name)}")


@contextmanager
def _transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    con.begin()
    try:
        yield
    except BaseException:
        con.rollback()
        raise
    con.commit()


def _count(con: duckdb.DuckDBPyConnection, name: str) -> int:
    found = con.execute(f"SELECT count(*) FROM {_quote(name)}").fetchone()  # noqa: S608 - quoted
    return int(found[0]) if found else 0


_QUOTED = re.compile(r"'[^']*'")


def redact_reason(reason: str) -> str:
    """A reason without the value it quotes, for fields graded L3–L4 (their reasons are stored
    in clear in the quarantine table, so they must not repeat the value).

    >>> redact_reason("not a real date: 1999-13-45")
    'not a real date'
    >>> redact_reason("birth date '19491331' (positions 7-14) is not a real date")
    "birth date '***' (positions 7-14) is not a real date"
    """
    return _QUOTED.sub("'***'", reason.split(": ", 1)[0])


def _redacted(check: ColumnCheck) -> ColumnCheck:
    reasons = [None if r is None else redact_reason(r) for r in check.reasons.to_pylist()]
    return dataclasses.replace(check, reasons=pa.array(reasons, pa.string()))


class _BatchLoader:
    """Checks one batch of raw rows and splits it into loaded and quarantined Arrow tables."""

    def __init__(self, fields: Sequence[FieldSpec], cipher: FieldCipher | None) -> None:
        self.fields = list(fields)
        self.cipher = cipher
        self.checkers = [ColumnChecker(spec) for spec in self.fields]
        self.spill_schema = _spill_schema(self.fields)
        self.code_tables = [
            (spec, pa.array(sorted(spec.code_values or ()), pa.string()))
            for spec in _coded(self.fields)
        ]

    def split(
        self, batch: pa.RecordBatch, first_row: int
    ) -> tuple[pa.Table, pa.Table, dict[str, int]]:
        """(loaded rows, quarantined rows, the loaded rows' ``_measures`` counts)."""
        loaded, quarantined = self._split(batch, first_row)
        return loaded, quarantined, self._counts(loaded)

    def _counts(self, loaded: pa.Table) -> dict[str, int]:
        """The counts ``_measures`` takes of a stored table, of this batch's loaded rows (in
        the checking thread, where they cost next to nothing, not in a scan after the load)."""
        rows = loaded.num_rows
        found = {"rows": rows}
        for index, spec in enumerate(self.fields):
            found[f"filled_{index}"] = rows - loaded.column(spec.name).null_count
        for index, (spec, codes) in enumerate(self.code_tables):
            column = loaded.column(spec.name)
            text = column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
            found[f"coded_{index}"] = rows - column.null_count
            found[f"in_table_{index}"] = pc.sum(pc.is_in(text, value_set=codes)).as_py() or 0
        return found

    def _split(self, batch: pa.RecordBatch, first_row: int) -> tuple[pa.Table, pa.Table]:
        n = batch.num_rows
        rows = pa.array(np.arange(first_row, first_row + n, dtype=np.int64))
        checked = [
            _redacted(checker.check(batch.column(spec.name)))
            if spec.encrypted
            else checker.check(batch.column(spec.name))
            for checker, spec in zip(self.checkers, self.fields, strict=True)
        ]
        failing = [check for check in checked if pc.any(check.invalid).as_py()]
        values = [check.values for check in checked]
        if not failing:
            return self._loaded(rows, values), self.spill_schema.empty_table()
        bad = failing[0].invalid
        for check in failing[1:]:
            bad = pc.or_(bad, check.invalid)
        # Bad rows are few: their first failing field (the first in field order wins) and its
        # reason are picked among them only, not over the whole batch.
        where = pc.indices_nonzero(bad)
        first_field: list[str | None] = [None] * len(where)
        first_reason: list[str | None] = [None] * len(where)
        for spec, check in zip(self.fields, checked, strict=True):
            if not any(check is other for other in failing):
                continue
            flags = pc.take(check.invalid, where).to_pylist()
            reasons = pc.take(check.reasons, where).to_pylist()
            for i, (flag, reason) in enumerate(zip(flags, reasons, strict=True)):
                if flag and first_field[i] is None:
                    first_field[i] = spec.name
                    first_reason[i] = reason
        good = pc.invert(bad)
        loaded = self._loaded(pc.filter(rows, good), [pc.filter(column, good) for column in values])
        quarantined = self._quarantined(
            pc.take(rows, where),
            pa.array(first_field, pa.string()),
            pa.array(first_reason, pa.string()),
            batch.take(where),
        )
        return loaded, quarantined

    def _loaded(self, rows: pa.Array, values: list[pa.Array]) -> pa.Table:
        columns: list[pa.Array] = [rows]
        names = [ROW_COLUMN]
        for spec, column in zip(self.fields, values, strict=True):
            if not spec.encrypted:
                columns.append(column)
                names.append(spec.name)
                continue
            assert self.cipher is not None  # checked before reading
            text = column if pa.types.is_string(column.type) else pc.cast(column, pa.string())
            plain = text.to_pylist()
            columns.append(
                pa.array(
                    [None if v is None else self.cipher.encrypt(v) for v in plain], pa.string()
                )
            )
            columns.append(
                pa.array([None if v is None else self.cipher.token(v) for v in plain], pa.string())
            )
            names += [spec.name, spec.token_column]
        return pa.Table.from_arrays(columns, names=names)

    def _quarantined(
        self, rows: pa.Array, fields: pa.Array, reasons: pa.Array, raw: pa.RecordBatch
    ) -> pa.Table:
        columns = [rows, fields, reasons]
        for spec in self.fields:
            column = raw.column(spec.name)
            if spec.encrypted and self.cipher is not None:
                texts = column.to_pylist()
                column = pa.array(
                    [v if v in (None, "") else self.cipher.encrypt(str(v)) for v in texts],
                    pa.string(),
                )
            columns.append(column)
        return pa.Table.from_arrays(columns, schema=self.spill_schema)


def _spill_schema(fields: Sequence[FieldSpec]) -> pa.Schema:
    """Quarantined rows on their way to the quarantine table: the raw cells as columns."""
    raw = [(f"raw_{index}", pa.string()) for index in range(len(fields))]
    return pa.schema([("row", pa.int64()), ("field", pa.string()), ("reason", pa.string()), *raw])


def _insert_quarantine(
    con: duckdb.DuckDBPyConnection,
    name: str,
    fields: Sequence[FieldSpec],
    spilled: pa.RecordBatchReader,
) -> None:
    """Insert spilled quarantined rows, their raw cells gathered as a JSON object by DuckDB."""
    pairs = ", ".join(f"{_literal(spec.name)}, raw_{i}" for i, spec in enumerate(fields))
    view = "__shuzhi_ingest_spilled"
    con.register(view, spilled)
    try:
        con.execute(
            f"INSERT INTO {_quote(name)} "  # noqa: S608 - quoted name and literals
            f"SELECT row, field, reason, CAST(json_object({pairs}) AS VARCHAR) FROM {view}"
        )
    finally:
        con.unregister(view)


def _as_text(spec: FieldSpec) -> str:
    """SQL for a stored value as text, decimals without the padding zeros of their scale."""
    text = f"CAST({_quote(spec.name)} AS VARCHAR)"
    if spec.data_type == "decimal" and not spec.encrypted and decimal_format(spec).scale:
        return f"rtrim(rtrim({text}, '0'), '.')"
    return text


def _quarantine_duplicates(
    con: duckdb.DuckDBPyConnection,
    loaded: str,
    quarantine: str,
    fields: Sequence[FieldSpec],
    key_fields: Sequence[str],
) -> None:
    """Move rows whose key repeats an earlier loaded row to the quarantine (keep the first).

    Null key parts compare equal here, as in GROUP BY. Encrypted key fields compare by token.
    """
    by_name = {spec.name: spec for spec in fields}
    columns = [by_name[k].token_column if by_name[k].encrypted else k for k in key_fields]
    keys = ", ".join(_quote(column) for column in columns)
    same_key = " AND ".join(
        f"t.{_quote(column)} IS NOT DISTINCT FROM g.{_quote(column)}" for column in columns
    )
    label = ", ".join(key_fields)
    raw = ", ".join(f"{_literal(spec.name)}, {_as_text(spec)}" for spec in fields)
    row = _quote(ROW_COLUMN)
    # A grouping finds repeated keys cheaply; rows are only looked up when there are some.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE __shuzhi_repeated_keys AS "  # noqa: S608 - quoted names
        f"SELECT {keys}, min({row}) AS first_row FROM {_quote(loaded)} "
        f"GROUP BY {keys} HAVING count(*) > 1"
    )
    try:
        if not _count(con, "__shuzhi_repeated_keys"):
            return
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE __shuzhi_duplicates AS "  # noqa: S608 - quoted names
            f"SELECT t.{row} AS dup_row, g.first_row FROM {_quote(loaded)} t "
            f"JOIN __shuzhi_repeated_keys g ON {same_key} WHERE t.{row} <> g.first_row"
        )
        with _transaction(con):
            con.execute(
                f"INSERT INTO {_quote(quarantine)} "  # noqa: S608 - quoted names and literals
                f"SELECT t.{row}, {_literal(label)}, "
                f"'duplicate key ({label}): same as row ' || d.first_row, "
                f"CAST(json_object({raw}) AS VARCHAR) "
                f"FROM {_quote(loaded)} t JOIN __shuzhi_duplicates d ON t.{row} = d.dup_row"
            )
            con.execute(
                f"DELETE FROM {_quote(loaded)} "  # noqa: S608 - a quoted name
                f"WHERE {row} IN (SELECT dup_row FROM __shuzhi_duplicates)"
            )
    finally:
        con.execute("DROP TABLE IF EXISTS __shuzhi_duplicates")
        con.execute("DROP TABLE IF EXISTS __shuzhi_repeated_keys")


def _read_ahead(items: Iterable[_T], depth: int = 1) -> Iterator[_T]:
    """Yield ``items``, produced by a worker thread up to ``depth`` items ahead.

    Reading and checking the next batch (Arrow, Python) then overlaps with DuckDB writing the
    last one (DuckDB releases the GIL). An exception in the worker is raised here; closing
    this generator stops the worker.
    """
    slots: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(kind: str, value: Any) -> bool:
        while not stop.is_set():
            try:
                slots.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        iterator = iter(items)
        try:
            for item in iterator:
                if not put("item", item):
                    return
            put("done", None)
        except BaseException as error:  # handed to the consumer, which raises it
            put("error", error)
        finally:
            close = getattr(iterator, "close", None)
            if close is not None:
                close()

    worker = threading.Thread(target=produce, name="warehouse-ingest-reader", daemon=True)
    worker.start()
    try:
        while True:
            kind, value = slots.get()
            if kind == "done":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        worker.join()


def _checked(
    path: Path,
    fields: Sequence[FieldSpec],
    cipher: FieldCipher | None,
    batch_size: int,
    encoding: str | None,
    workers: int,
) -> Iterator[tuple[pa.Table, pa.Table, int, dict[str, int]]]:
    """Read and check the file, per batch in order: loaded rows, quarantined rows, rows read
    and the loaded rows' counts for quality (``_BatchLoader.split``).

    A reader thread parses the file (Arrow, mostly without the GIL) while ``workers`` threads
    check batches (Arrow and numpy compute, again mostly without the GIL), each with its own
    checkers; at most ``workers + 1`` batches are in flight, so memory stays bounded.
    """
    names = [spec.name for spec in fields]
    local = threading.local()

    def split(
        batch: pa.RecordBatch, first_row: int
    ) -> tuple[pa.Table, pa.Table, int, dict[str, int]]:
        loader = getattr(local, "loader", None)
        if loader is None:
            loader = local.loader = _BatchLoader(fields, cipher)
        good, bad, counts = loader.split(batch, first_row)
        return good, bad, batch.num_rows, counts

    batches = read_batches(
        path,
        columns=names,
        batch_size=batch_size,
        encoding=encoding,
        # a small first batch sets the checking and writing threads going sooner
        first_batch_size=min(batch_size, _FIRST_BATCH),
    )
    pending: deque[Future[tuple[pa.Table, pa.Table, int, dict[str, int]]]] = deque()
    rows_in = 0
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="warehouse-check") as pool:
        try:
            for batch in _read_ahead(batches):
                pending.append(pool.submit(split, batch, rows_in + 1))
                rows_in += batch.num_rows
                if len(pending) >= workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()


def ingest_file(
    *,
    warehouse: Warehouse,
    path: Path,
    dataset_code: str,
    version: int,
    fields: list[FieldSpec],
    key_fields: Sequence[str] = (),
    cipher: FieldCipher | None = None,
    progress: Callable[[int], None] | None = None,
    batch_size: int = 50_000,
    encoding: str | None = None,
    workers: int = 2,
) -> IngestReport:
    """Ingest (入库) ``path`` as ``version`` of ``dataset_code``; return the report.

    Bad rows are quarantined, not raised. Raises ``IngestError`` when the file as a whole
    cannot be read (nothing is left behind), and ``ValueError`` for bad arguments or a version
    that already exists (drop it first). ``progress`` is called after each batch with the
    number of rows read so far, from the calling thread. ``workers`` threads check batches.
    """
    loaded = table_name(dataset_code, version)
    quarantine = table_name(dataset_code, version, quarantine=True)
    loaded_staging = table_name(dataset_code, version, staging=True)
    quarantine_staging = table_name(dataset_code, version, quarantine=True, staging=True)
    _check_fields(fields, key_fields, cipher)
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if workers < 1:
        raise ValueError("workers must be at least 1")
    if warehouse.has_table(loaded) or warehouse.has_table(quarantine):
        raise ValueError(f"version {version} of {dataset_code!r} already exists; drop it first")

    con = warehouse.duckdb
    _drop(con, loaded_staging, quarantine_staging)  # left by a crashed run of this version
    columns = _loaded_columns(fields)
    _create(con, loaded_staging, columns)
    _create(con, quarantine_staging, [*_QUARANTINE_COLUMNS, ("raw", "VARCHAR")])
    rows_in = 0
    counted: dict[str, int] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="shuzhi-ingest-") as spill:
            # Good rows stream into the staging table through one INSERT, run by a writer
            # thread; bad rows (usually few, but a whole bad file is possible) are spilled to
            # an Arrow file and inserted afterwards. Progress is reported from this thread.
            # The quarantine goes in while the writer finishes its last row groups.
            spilled = Path(spill) / "quarantine.arrow"
            with _StreamingInsert(con, loaded_staging) as writer:
                with (
                    pa.OSFile(str(spilled), "wb") as sink,
                    pa.ipc.new_stream(sink, _spill_schema(fields)) as quarantined,
                ):
                    for good, bad, count, counts in _checked(
                        path, fields, cipher, batch_size, encoding, workers
                    ):
                        writer.put(good)
                        for name, value in counts.items():
                            counted[name] = counted.get(name, 0) + value
                        if bad.num_rows:
                            quarantined.write_table(bad)
                        rows_in += count
                        if progress is not None:
                            progress(rows_in)
                writer.end()
                with pa.memory_map(str(spilled)) as source:
                    stream = pa.ipc.open_stream(source)
                    _insert_quarantine(con, quarantine_staging, fields, stream)
        # The checking threads counted the cells behind quality as they went. The table is
        # asked for its rows (they must be the rows counted) and, with a key, the distinct
        # hashes of the key: as many as rows means no key repeats (equal keys hash alike),
        # which is the usual case. Fewer (a repeated key, or very rarely two keys with one
        # hash) calls the exact pass, which moves rows, so quality is measured again.
        found = {"rows": 0, **counted}
        key_columns = _key_columns(fields, key_fields)
        measures = ["count(*) AS rows"]
        if key_columns:
            keys = ", ".join(_quote(column) for column in key_columns)
            measures.append(f"count(DISTINCT hash({keys})) AS key_hashes")
        stored = _counts(con, loaded_staging, measures)
        if stored["rows"] != found["rows"]:
            raise AssertionError(
                f"the staging table holds {stored['rows']} rows, {found['rows']} were written"
            )
        if key_columns and stored["key_hashes"] != stored["rows"]:
            _quarantine_duplicates(con, loaded_staging, quarantine_staging, fields, key_fields)
            found = _measures(con, loaded_staging, fields)
        rows_loaded = found["rows"]
        rows_quarantined = _count(con, quarantine_staging)
        if rows_in != rows_loaded + rows_quarantined:
            raise AssertionError(
                f"counts do not reconcile: {rows_in} rows in, {rows_loaded} loaded, "
                f"{rows_quarantined} quarantined"
            )
        # the duplicate pass left one row per key
        scores = _scores(found, rows_quarantined, rows_loaded, timeliness=None)
        sample = _quarantined(con, quarantine_staging, IngestReport.QUARANTINE_SAMPLE)
        with _transaction(con):
            con.execute(f"ALTER TABLE {_quote(loaded_staging)} RENAME TO {_quote(loaded)}")
            con.execute(f"ALTER TABLE {_quote(quarantine_staging)} RENAME TO {_quote(quarantine)}")
    except BaseException:
        with suppress(duckdb.Error):  # if this fails, the next run of this version drops them
            _drop(con, loaded_staging, quarantine_staging)
        raise
    return IngestReport(
        version=version,
        rows_in=rows_in,
        rows_loaded=rows_loaded,
        rows_quarantined=rows_quarantined,
        quarantine=[
            QuarantinedRow(
                row=item["row"], field=item["field"], reason=item["reason"], raw=item["raw"]
            )
            for item in sample
        ],
        quality=scores,
    )


def drop_version(warehouse: Warehouse, dataset_code: str, version: int) -> bool:
    """Drop a version's tables, staging included, in one transaction; tell if any existed."""
    names = [
        table_name(dataset_code, version, quarantine=quarantine, staging=staging)
        for quarantine in (False, True)
        for staging in (False, True)
    ]
    existed = [name for name in names if warehouse.has_table(name)]
    con = warehouse.duckdb
    with _transaction(con):
        _drop(con, *existed)
    return bool(existed)


def list_versions(warehouse: Warehouse, dataset_code: str) -> list[int]:
    """The complete versions of a dataset in the warehouse, ascending."""
    table_name(dataset_code, 1)  # validates the code
    pattern = re.compile(re.escape(dataset_code) + r"__v([0-9]+)")
    found = [pattern.fullmatch(name) for name in warehouse.table_names()]
    return sorted(int(match.group(1)) for match in found if match)


def _table(warehouse: Warehouse, name: str) -> Any:
    if not warehouse.has_table(name):
        raise LookupError(f"no table {name!r} in the warehouse")
    return warehouse.connection.table(name)


def version_rows(
    warehouse: Warehouse,
    dataset_code: str,
    version: int,
    limit: int | None = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Loaded rows of a version in source order, as stored (encrypted fields as ciphertext).

    Each row has ``"__row"`` (the source row number), the fields, and ``<field>__token`` for
    encrypted fields. Raises LookupError if the version does not exist.
    """
    table = _table(warehouse, table_name(dataset_code, version))
    query = table.order_by(ROW_COLUMN).limit(limit, offset=offset)
    rows: list[dict[str, Any]] = query.to_pyarrow().to_pylist()
    return rows


def quarantine_rows(
    warehouse: Warehouse,
    dataset_code: str,
    version: int,
    limit: int | None = None,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Quarantined rows of a version by row number: ``{"row", "field", "reason", "raw"}``.

    ``raw`` is the row as read (a dict; encrypted fields as ciphertext). All rows unless
    ``limit`` is given. Raises LookupError if the version does not exist.
    """
    name = table_name(dataset_code, version, quarantine=True)
    if not warehouse.has_table(name):
        raise LookupError(f"no table {name!r} in the warehouse")
    return _quarantined(warehouse.duckdb, name, limit, offset)


def _quarantined(
    con: duckdb.DuckDBPyConnection, quarantine: str, limit: int | None, offset: int = 0
) -> list[dict[str, Any]]:
    """Rows of a quarantine table by row number, ``raw`` parsed (``quarantine_rows``, and the
    ingest report's sample read from the staging table before it is renamed)."""
    cursor = con.execute(
        f"SELECT row, field, reason, raw FROM {_quote(quarantine)} "  # noqa: S608 - quoted
        "ORDER BY row LIMIT ? OFFSET ?",
        [limit, offset],
    )
    return [
        {"row": row, "field": field, "reason": reason, "raw": json.loads(raw) if raw else {}}
        for row, field, reason, raw in cursor.fetchall()
    ]


def quality(
    warehouse: Warehouse,
    dataset_code: str,
    version: int,
    fields: Sequence[FieldSpec],
    key_fields: Sequence[str] = (),
    timeliness: float | None = None,
) -> dict[str, float]:
    """The quality (数据质量) of a stored version; see the module docstring for the measures.

    ``timeliness`` (0–1, computed by the caller from update frequency and dates) is included
    in the result and the score when given.
    """
    return _quality(
        warehouse,
        table_name(dataset_code, version),
        table_name(dataset_code, version, quarantine=True),
        fields,
        key_fields,
        timeliness=timeliness,
    )


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def _key_columns(fields: Sequence[FieldSpec], key_fields: Sequence[str]) -> list[str]:
    """The stored columns that hold the key: the token column for an encrypted key field."""
    by_name = {spec.name: spec for spec in fields}
    return [by_name[key].token_column if by_name[key].encrypted else key for key in key_fields]


def _counts(con: duckdb.DuckDBPyConnection, table: str, measures: Sequence[str]) -> dict[str, int]:
    """``SELECT measures FROM table`` as {name: count}."""
    cursor = con.execute(f"SELECT {', '.join(measures)} FROM {_quote(table)}")  # noqa: S608
    names = [column[0] for column in cursor.description or ()]
    found = cursor.fetchone() or ()
    return {name: int(value or 0) for name, value in zip(names, found, strict=True)}


def _coded(fields: Sequence[FieldSpec]) -> list[FieldSpec]:
    """The fields whose code-table consistency is measured: coded and not encrypted."""
    return [spec for spec in fields if spec.code_values is not None and not spec.encrypted]


def _measures(
    con: duckdb.DuckDBPyConnection, loaded: str, fields: Sequence[FieldSpec]
) -> dict[str, int]:
    """Counts behind the quality of a loaded table, in one scan.

    ``rows``, ``filled_<i>`` (non-null cells of field i), ``coded_<j>`` and ``in_table_<j>``
    (non-null values of the j-th coded, unencrypted field, and those in its code table).
    ``_BatchLoader`` counts the same of each batch as it is loaded.
    """
    coded = _coded(fields)
    measures = ["count(*) AS rows"]
    for index, spec in enumerate(fields):
        measures.append(f"count({_quote(spec.name)}) AS filled_{index}")
    for index, spec in enumerate(coded):
        column = _quote(spec.name)
        text = column if spec.data_type == "string" else f"CAST({column} AS VARCHAR)"
        codes = ", ".join(_literal(code) for code in sorted(spec.code_values or ()))
        measures.append(f"count({column}) AS coded_{index}")
        # list_contains on a constant list costs about a tenth of IN (…) here
        in_table = f"count_if(list_contains([{codes}], {text}))" if codes else "0"
        measures.append(f"{in_table} AS in_table_{index}")
    return _counts(con, loaded, measures)


def _scores(
    found: dict[str, int], quarantined: int, distinct: int, *, timeliness: float | None
) -> dict[str, float]:
    """The quality shares and score from ``_measures``, the quarantined rows and distinct keys."""
    rows = found["rows"]
    filled = sum(value for name, value in found.items() if name.startswith("filled_"))
    coded_values = sum(value for name, value in found.items() if name.startswith("coded_"))
    in_table = sum(value for name, value in found.items() if name.startswith("in_table_"))
    result = {
        "completeness": _share(filled, rows * sum(name.startswith("filled_") for name in found)),
        "validity": _share(rows, rows + quarantined),
        "uniqueness": _share(distinct, rows),
        "code_table_consistency": _share(in_table, coded_values),
    }
    weights = dict(QUALITY_WEIGHTS)
    if timeliness is not None:
        if not 0.0 <= timeliness <= 1.0:
            raise ValueError(f"timeliness must be between 0 and 1, got {timeliness}")
        result["timeliness"] = float(timeliness)
        weights["timeliness"] = TIMELINESS_WEIGHT
    total = sum(weights.values())
    result["score"] = round(100 * sum(result[k] * w for k, w in weights.items()) / total, 2)
    return result


def _quality(
    warehouse: Warehouse,
    loaded: str,
    quarantine: str,
    fields: Sequence[FieldSpec],
    key_fields: Sequence[str],
    *,
    timeliness: float | None,
) -> dict[str, float]:
    if not warehouse.has_table(loaded):
        raise LookupError(f"no table {loaded!r} in the warehouse")
    con = warehouse.duckdb
    found = _measures(con, loaded, fields)
    distinct = found["rows"]
    if key_fields:
        keys = ", ".join(_quote(column) for column in _key_columns(fields, key_fields))
        counted = con.execute(
            f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM {_quote(loaded)})"  # noqa: S608
        ).fetchone()
        distinct = int(counted[0]) if counted else 0
    return _scores(found, _count(con, quarantine), distinct, timeliness=timeliness)
