from __future__ import annotations

import json
import os
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from shuzhi.platform.warehouse.engine import (
    QUALITY_WEIGHTS,
    Warehouse,
    drop_version,
    ingest_file,
    list_versions,
    quality,
    quarantine_rows,
    table_name,
    version_rows,
)
from shuzhi.platform.warehouse.spec import FieldSpec, IngestError, IngestReport

from .files import ELECTRICITY, ELECTRICITY_COLUMNS, WRITERS, cipher, credit_code, write_csv

GOOD = credit_code(1)
OTHER = credit_code(2)


@pytest.fixture
def warehouse(tmp_path: Path) -> Iterator[Warehouse]:
    with Warehouse(tmp_path / "warehouse.duckdb") as opened:
        yield opened


def ingest(warehouse: Warehouse, path: Path, version: int = 1, **kwargs: Any) -> IngestReport:
    options: dict[str, Any] = {"fields": ELECTRICITY, "dataset_code": "electricity", **kwargs}
    return ingest_file(warehouse=warehouse, path=path, version=version, **options)


MIXED = [
    [GOOD, "2026-01-01", "120.5", "330802"],  # 1 good
    [GOOD[:-1] + "0", "2026-01-01", "1", "330802"],  # 2 bad check character
    [OTHER, "2026-02-30", "-5", "330899"],  # 3 bad date first, although kwh and county fail too
    [OTHER, "2026/02/01", "-5", "330803"],  # 4 below the minimum
    [OTHER, "20260301", "7", "330899"],  # 5 not in the code table
    [OTHER, "", "7", "330803"],  # 6 required month missing
    [OTHER, "2026-04-01", "", ""],  # 7 good: kwh and county may be empty
]


def test_good_rows_load_and_bad_rows_are_quarantined_with_their_first_failing_field(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = write_csv(tmp_path / "electricity.csv", ELECTRICITY_COLUMNS, MIXED)
    report = ingest(warehouse, path)
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (7, 2, 5)
    assert [(q.row, q.field, q.reason) for q in report.quarantine] == [
        (2, "credit_code", f"check character (position 18) should be {GOOD[-1]!r}, found '0'"),
        (3, "month", "not a real date: 2026-02-30"),
        (4, "kwh", "below the minimum 0: -5"),
        (5, "county", "not in code table: '330899'"),
        (6, "month", "required value is missing"),
    ]
    assert report.quarantine[1].raw == {
        "credit_code": OTHER,
        "month": "2026-02-30",
        "kwh": "-5",
        "county": "330899",
    }
    rows = version_rows(warehouse, "electricity", 1)
    assert rows == [
        {
            "__row": 1,
            "credit_code": GOOD,
            "month": date(2026, 1, 1),
            "kwh": Decimal("120.5"),
            "county": "330802",
        },
        {
            "__row": 7,
            "credit_code": OTHER,
            "month": date(2026, 4, 1),
            "kwh": None,
            "county": None,
        },
    ]
    stored = quarantine_rows(warehouse, "electricity", 1)
    assert [row["row"] for row in stored] == [2, 3, 4, 5, 6]
    assert stored[0]["raw"]["credit_code"] == GOOD[:-1] + "0"


def test_counts_reconcile_and_the_report_has_exactly_the_agreed_keys(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, MIXED * 30)
    report = ingest(warehouse, path, batch_size=16).to_json()
    assert list(report) == [
        "version",
        "rows_in",
        "rows_loaded",
        "rows_quarantined",
        "quarantine",
        "quality",
    ]
    assert report["rows_in"] == 210 == report["rows_loaded"] + report["rows_quarantined"]
    assert set(report["quarantine"][0]) == {"row", "field", "reason"}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_every_format_loads_the_same_version(tmp_path: Path, kind: str) -> None:
    path = WRITERS[kind](tmp_path / f"e.{kind}", ELECTRICITY_COLUMNS, MIXED)
    with Warehouse(tmp_path / "w.duckdb") as warehouse:
        report = ingest(warehouse, path)
        assert (report.rows_loaded, report.rows_quarantined) == (2, 5)
        assert [row["__row"] for row in version_rows(warehouse, "electricity", 1)] == [1, 7]


def test_gb18030_file_loads(tmp_path: Path, warehouse: Warehouse) -> None:
    fields = [FieldSpec("name", "string", nullable=False), FieldSpec("kwh", "decimal")]
    path = write_csv(
        tmp_path / "e.csv", ["name", "kwh"], [["衢州元立金属", "1.5"]], encoding="gb18030"
    )
    ingest(warehouse, path, fields=fields)
    assert version_rows(warehouse, "electricity", 1)[0]["name"] == "衢州元立金属"


def test_repeated_keys_are_quarantined_and_the_first_row_kept(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    rows = [
        [GOOD, "2026-01-01", "1", "330802"],
        [GOOD, "2026-02-01", "2", "330802"],
        [GOOD.lower(), "2026/01/01", "3", "330802"],  # same key once normalised
        [OTHER, "2026-01-01", "4", "330802"],
        [GOOD, "20260101", "5", "330802"],
    ]
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, rows)
    report = ingest(warehouse, path, key_fields=["credit_code", "month"], batch_size=2)
    assert (report.rows_loaded, report.rows_quarantined) == (3, 2)
    assert [(q.row, q.field, q.reason) for q in report.quarantine] == [
        (3, "credit_code, month", "duplicate key (credit_code, month): same as row 1"),
        (5, "credit_code, month", "duplicate key (credit_code, month): same as row 1"),
    ]
    assert report.quarantine[0].raw == {
        "credit_code": GOOD,
        "month": "2026-01-01",
        "kwh": "3",
        "county": "330802",
    }
    assert [row["kwh"] for row in version_rows(warehouse, "electricity", 1)] == [
        Decimal(1),
        Decimal(2),
        Decimal(4),
    ]
    assert report.quality["uniqueness"] == 1.0
    assert report.quality["validity"] == 3 / 5


def test_encrypted_fields_hold_ciphertext_and_tokens_and_never_plaintext(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    keys = cipher()
    fields = [
        FieldSpec("id_number", "string", semantic_type="id_number", nullable=False, encrypted=True),
        FieldSpec("name", "string", semantic_type="person_name", encrypted=True),
        FieldSpec("age", "integer", min_value=0),
    ]
    rows = [
        ["11010519491231002x", "张三", "76"],
        ["11010519491231002X", "", "76"],  # same person again: same token
        ["110105194902300021", "李四", "70"],  # bad birth date
        ["330802199001011232", "王五", "-1"],  # bad age; the name must not leak
    ]
    path = write_csv(tmp_path / "people.csv", ["id_number", "name", "age"], rows)
    report = ingest(
        warehouse,
        path,
        dataset_code="residents",
        fields=fields,
        cipher=keys,
        key_fields=["id_number"],
    )
    assert (report.rows_loaded, report.rows_quarantined) == (1, 3)
    [row] = version_rows(warehouse, "residents", 1)
    assert set(row) == {"__row", "id_number", "id_number__token", "name", "name__token", "age"}
    assert row["id_number"].startswith("sm4:k1:")
    assert keys.decrypt(row["id_number"]) == "11010519491231002X"
    assert row["id_number__token"] == keys.token("11010519491231002X")
    assert keys.decrypt(row["name"]) == "张三"
    assert row["name__token"] == keys.token("张三")
    reasons = {q.row: q.reason for q in report.quarantine}
    assert reasons[2] == "duplicate key (id_number): same as row 1"
    # reasons of encrypted fields never repeat the value (the quarantine stores them in clear)
    assert reasons[3] == "birth date '***' (positions 7-14) is not a real date"
    assert reasons[4] == "below the minimum 0: -1"
    stored = quarantine_rows(warehouse, "residents", 1)
    everything = json.dumps([row["raw"] for row in stored], ensure_ascii=False)
    for secret in ("王五", "330802199001011232", "110105194902300021", "张三"):
        assert secret not in everything
    raw = next(row["raw"] for row in stored if row["row"] == 4)
    assert keys.decrypt(raw["name"]) == "王五"
    assert raw["age"] == "-1"


def test_encrypted_fields_need_a_cipher(tmp_path: Path, warehouse: Warehouse) -> None:
    path = write_csv(tmp_path / "e.csv", ["id"], [["1"]])
    with pytest.raises(ValueError, match="no cipher"):
        ingest(warehouse, path, fields=[FieldSpec("id", "string", encrypted=True)])


def test_a_file_that_cannot_be_read_leaves_no_table_behind(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = write_csv(tmp_path / "electricity.csv", ["county", "foo"], [["330802", "1"]])
    with pytest.raises(IngestError, match="missing columns 'credit_code', 'month', 'kwh'"):
        ingest(warehouse, path)
    assert warehouse.table_names() == []


def test_a_file_that_breaks_half_way_leaves_no_table_behind(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = tmp_path / "e.csv"
    path.write_text(
        "credit_code,month,kwh,county\n" + f"{GOOD},2026-01-01,1,330802\n" * 50 + "x,y\n"
    )
    with pytest.raises(IngestError, match="row 51: 2 values, but the header has 4 columns"):
        ingest(warehouse, path, batch_size=10)
    assert warehouse.table_names() == []


def test_an_existing_version_is_not_overwritten_until_dropped(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, MIXED)
    ingest(warehouse, path)
    with pytest.raises(ValueError, match="version 1 of 'electricity' already exists"):
        ingest(warehouse, path)
    ingest(warehouse, path, version=2)
    assert list_versions(warehouse, "electricity") == [1, 2]
    assert drop_version(warehouse, "electricity", 1) is True
    assert drop_version(warehouse, "electricity", 1) is False
    assert list_versions(warehouse, "electricity") == [2]
    assert ingest(warehouse, path).rows_loaded == 2


def test_leftover_staging_tables_are_dropped_before_loading_again(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    for staging in (
        table_name("electricity", 1, staging=True),
        table_name("electricity", 1, quarantine=True, staging=True),
    ):
        warehouse.duckdb.execute(f'CREATE TABLE "{staging}" AS SELECT 1 AS junk')
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, MIXED)
    assert ingest(warehouse, path).rows_in == 7
    assert warehouse.table_names() == ["electricity__v1", "electricity__v1__quarantine"]


@pytest.mark.parametrize("code", ["Electricity", "elec-2026", "", "电力", 'x"; DROP TABLE y; --'])
def test_dataset_codes_outside_the_safe_alphabet_are_refused(
    tmp_path: Path, warehouse: Warehouse, code: str
) -> None:
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, MIXED)
    with pytest.raises(ValueError, match="dataset code"):
        ingest(warehouse, path, dataset_code=code)


@pytest.mark.parametrize("version", [0, -1, True])
def test_versions_are_whole_numbers_from_one(warehouse: Warehouse, version: int) -> None:
    with pytest.raises(ValueError, match="version must be"):
        table_name("electricity", version)


def test_field_names_that_collide_in_duckdb_are_refused(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = write_csv(tmp_path / "e.csv", ["kwh", "KWH"], [["1", "2"]])
    fields = [FieldSpec("kwh", "decimal"), FieldSpec("KWH", "decimal")]
    with pytest.raises(ValueError, match="ignoring case"):
        ingest(warehouse, path, fields=fields)


def test_progress_reports_rows_read_after_each_batch(tmp_path: Path, warehouse: Warehouse) -> None:
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, MIXED * 10)
    seen: list[int] = []
    ingest(warehouse, path, batch_size=30, progress=seen.append)
    assert seen == [30, 60, 70]


def test_report_keeps_the_first_thousand_quarantined_rows(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, [[GOOD, "bad", "1", "330802"]] * 1200)
    report = ingest(warehouse, path, batch_size=500)
    assert report.rows_quarantined == 1200
    assert len(report.quarantine) == 1000
    assert report.quarantine[-1].row == 1000
    assert len(quarantine_rows(warehouse, "electricity", 1)) == 1200
    assert len(quarantine_rows(warehouse, "electricity", 1, limit=10, offset=1195)) == 5


def test_quality_measures_and_score(tmp_path: Path, warehouse: Warehouse) -> None:
    rows = [
        [GOOD, "2026-01-01", "1", "330802"],
        [OTHER, "2026-01-01", "", ""],  # two of four cells empty
        [GOOD, "2026-02-01", "3", "330803"],
        [GOOD, "bad", "4", "330803"],  # quarantined
    ]
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, rows)
    report = ingest(warehouse, path, key_fields=["credit_code", "month"])
    expected = {
        "completeness": 10 / 12,
        "validity": 3 / 4,
        "uniqueness": 1.0,
        "code_table_consistency": 1.0,
    }
    assert report.quality == pytest.approx(
        {
            **expected,
            "score": round(100 * sum(expected[k] * w for k, w in QUALITY_WEIGHTS.items()), 2),
        }
    )
    # Measured honestly against the code table given now, not assumed from the load.
    narrower = [
        *ELECTRICITY[:3],
        FieldSpec("county", "string", code_values=frozenset({"330802"})),
    ]
    assert quality(warehouse, "electricity", 1, narrower)["code_table_consistency"] == 0.5
    # Without the key, nothing is checked for uniqueness; month alone repeats.
    assert quality(warehouse, "electricity", 1, ELECTRICITY, ["month"])["uniqueness"] == 2 / 3


def test_quality_counted_while_loading_is_the_quality_of_the_stored_version(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    # Many batches, both checking threads, nulls, a coded field stored as an ENUM, an
    # encrypted field and bad rows: the counts taken batch by batch during the load must be
    # the ones a scan of the stored version gives.
    fields = [
        *ELECTRICITY,
        FieldSpec("contact", "string", semantic_type="person_name", encrypted=True),
    ]
    rows = [
        [
            credit_code(n % 40 + 1),
            f"20{10 + n // 40 % 40:02d}-01-01",
            "" if n % 7 == 0 else str(n),
            "" if n % 5 == 0 else ("330899" if n % 97 == 0 else "330802"),
            "" if n % 3 == 0 else f"张{n}",
        ]
        for n in range(1000)
    ]
    path = write_csv(tmp_path / "e.csv", [*ELECTRICITY_COLUMNS, "contact"], rows)
    report = ingest(
        warehouse,
        path,
        fields=fields,
        cipher=cipher(),
        key_fields=["credit_code", "month"],
        batch_size=64,
    )
    assert report.rows_quarantined > 0
    assert report.quality["completeness"] < 1.0
    assert report.quality == quality(warehouse, "electricity", 1, fields, ["credit_code", "month"])


def test_a_coded_text_field_is_stored_as_an_enum_of_its_codes_and_read_as_text(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, MIXED)
    ingest(warehouse, path)
    [(kind,)] = warehouse.duckdb.execute(
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_name = 'electricity__v1' AND column_name = 'county'"
    ).fetchall()
    assert kind.startswith("ENUM(")
    assert [row["county"] for row in version_rows(warehouse, "electricity", 1)] == [
        "330802",
        None,
    ]


@pytest.mark.parametrize(("places", "kind"), [(2, "DECIMAL(18,2)"), (0, "DECIMAL(18,0)")])
def test_declared_decimal_places_set_the_column_type_and_refuse_finer_values(
    tmp_path: Path, warehouse: Warehouse, places: int, kind: str
) -> None:
    fields = [
        spec if spec.name != "kwh" else FieldSpec("kwh", "decimal", decimal_places=places)
        for spec in ELECTRICITY
    ]
    rows = [
        [GOOD, "2026-01-01", "100", "330802"],
        [GOOD, "2026-02-01", "12.345", "330802"],  # finer than either format
        [GOOD, "2026-01-01", "100", "330803"],  # repeats row 1's key
    ]
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, rows)
    report = ingest(warehouse, path, fields=fields, key_fields=["credit_code", "month"])
    [(stored,)] = warehouse.duckdb.execute(
        "SELECT data_type FROM information_schema.columns "
        "WHERE table_name = 'electricity__v1' AND column_name = 'kwh'"
    ).fetchall()
    assert stored == kind
    assert [row["kwh"] for row in version_rows(warehouse, "electricity", 1)] == [Decimal(100)]
    reasons = {q.row: q.reason for q in report.quarantine}
    assert reasons[2] == (
        "more than 2 decimal places: '12.345'"
        if places
        else "a whole number expected (no decimal places): '12.345'"
    )
    # a stored whole number keeps its zeros when the duplicate pass writes it back as text
    assert next(q for q in report.quarantine if q.row == 3).raw["kwh"] == "100"


def test_timeliness_joins_the_score_with_renormalised_weights(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, [[GOOD, "2026-01-01", "1", "330802"]])
    ingest(warehouse, path)
    assert quality(warehouse, "electricity", 1, ELECTRICITY)["score"] == 100.0
    late = quality(warehouse, "electricity", 1, ELECTRICITY, timeliness=0.0)
    assert late["timeliness"] == 0.0
    assert late["score"] == pytest.approx(100 * 1.0 / 1.2, abs=0.01)
    with pytest.raises(ValueError, match="between 0 and 1"):
        quality(warehouse, "electricity", 1, ELECTRICITY, timeliness=2)


def test_header_only_file_makes_an_empty_version(tmp_path: Path, warehouse: Warehouse) -> None:
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, [])
    report = ingest(warehouse, path, key_fields=["credit_code"])
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (0, 0, 0)
    assert report.quality["score"] == 100.0
    assert version_rows(warehouse, "electricity", 1) == []


def test_reading_a_missing_version_is_a_lookup_error(warehouse: Warehouse) -> None:
    with pytest.raises(LookupError):
        version_rows(warehouse, "electricity", 9)


def test_quarantined_rows_keep_their_cells_as_read_empty_and_quoted_alike(
    tmp_path: Path, warehouse: Warehouse
) -> None:
    path = tmp_path / "e.csv"  # month missing; kwh, quoted, is not a number
    path.write_text(f'credit_code,month,kwh,county\n{OTHER},,"12 ""kWh"", 东",330803\n')
    report = ingest(warehouse, path)
    (stored,) = quarantine_rows(warehouse, "electricity", 1)
    assert (stored["row"], stored["field"]) == (1, "month")
    assert stored["raw"] == {
        "credit_code": OTHER,
        "month": "",
        "kwh": '12 "kWh", 东',
        "county": "330803",
    }
    assert report.quarantine[0].raw == stored["raw"]


def test_a_failing_writer_fails_the_load_and_leaves_nothing(
    tmp_path: Path, warehouse: Warehouse, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuzhi.platform.warehouse import engine

    calls = 0
    insert = engine._insert_stream

    def failing(con: Any, name: str, batches: Any) -> None:
        nonlocal calls
        calls += 1
        if calls == 2:  # the second segment of good rows
            raise RuntimeError("disk full")
        insert(con, name, batches)

    monkeypatch.setattr(engine, "_insert_stream", failing)
    rows = [
        [GOOD, f"20{y:02d}-{m:02d}-01", "1", "330802"] for y in range(10, 60) for m in range(1, 13)
    ]
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, rows)
    monkeypatch.setattr(engine._StreamingInsert.__init__, "__defaults__", (1, 100))
    with pytest.raises(RuntimeError, match="disk full"):
        ingest(warehouse, path, batch_size=50)
    assert warehouse.table_names() == []
    monkeypatch.undo()
    assert ingest(warehouse, path).rows_loaded == len(rows)


def test_workers_must_be_at_least_one(tmp_path: Path, warehouse: Warehouse) -> None:
    path = write_csv(tmp_path / "e.csv", ELECTRICITY_COLUMNS, MIXED)
    with pytest.raises(ValueError, match="workers"):
        ingest(warehouse, path, workers=0)
    assert [ingest(warehouse, path, workers=n, version=n).rows_loaded for n in (1, 3)] == [2, 2]


def test_arrow_allocates_with_the_c_library_allocator_once_the_engine_is_loaded() -> None:
    # mimalloc, Arrow's default, left an ingestion's freed pages unused (engine.py)
    expected = os.environ.get("ARROW_DEFAULT_MEMORY_POOL", "system")
    assert pa.default_memory_pool().backend_name == expected
