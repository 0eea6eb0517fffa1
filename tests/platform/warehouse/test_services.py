"""Ingestion through the Django side: permissions, versions, restore, audit, API and CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import CodeEntry, CodeTable, Dataset
from shuzhi.platform.catalog.services import FieldInput, dataset_create, dataset_publish
from shuzhi.platform.security.identifiers import credit_code_check_char
from shuzhi.platform.warehouse import engine
from shuzhi.platform.warehouse.connection import open_warehouse
from shuzhi.platform.warehouse.models import Version
from shuzhi.platform.warehouse.selectors import current_version, masked_row
from shuzhi.platform.warehouse.services import NotIngestible, ingest, version_restore
from shuzhi.platform.warehouse.spec import IngestError
from tests.factories import DepartmentFactory, DivisionFactory, UserFactory

pytestmark = pytest.mark.django_db


def _code(n: int) -> str:
    body = "91330802" + f"{n:08d}" + "X"
    body = body[:17]
    return body + credit_code_check_char(body)


@pytest.fixture
def eib(db: None) -> Department:
    return DepartmentFactory(code="330800-EIB", name="市经信局", division=DivisionFactory())


@pytest.fixture
def steward(eib: Department) -> User:
    return UserFactory(username="eib_steward", roles=["data_steward"], department=eib)


@pytest.fixture
def power(steward: User, eib: Department) -> Dataset:
    table = CodeTable.objects.get(code="gbt2260")
    CodeEntry.objects.get_or_create(table=table, code="330802", defaults={"name": "柯城区"})
    dataset = dataset_create(
        by=steward,
        code="enterprise_power",
        owner=eib,
        name="企业月度用电",
        division=eib.division,
        frequency="monthly",
        share_attribute="conditional",
        share_condition="碳账户核算",
        open_attribute="closed",
        grade=3,
        fields=[
            FieldInput(
                "credit_code",
                "统一社会信用代码",
                "string",
                {"semantic_type": "credit_code", "grade": 1, "nullable": False, "is_key": True},
            ),
            FieldInput("month", "月份", "date", {"grade": 1, "nullable": False, "is_key": True}),
            FieldInput(
                "kwh", "用电量", "decimal", {"grade": 2, "min_value": 0, "decimal_places": 2}
            ),
            FieldInput(
                "county",
                "县",
                "string",
                {"semantic_type": "division_code", "grade": 1, "code_table": table},
            ),
            FieldInput("contact", "联系人", "string", {"semantic_type": "person_name", "grade": 3}),
        ],
    )
    return dataset_publish(dataset=dataset, by=steward)


def _csv(tmp_path: Path, rows: list[str], name: str = "power.csv") -> Path:
    path = tmp_path / name
    path.write_text(
        "credit_code,month,kwh,county,contact\n" + "\n".join(rows) + "\n", encoding="utf-8"
    )
    return path


def _good(n: int, kwh: str = "100.5") -> str:
    return f"{_code(n)},2026-0{1 + n % 9}-01,{kwh},330802,张三{n}"


def test_ingest_makes_a_current_version_and_quarantines_bad_rows(
    tmp_path: Path, power: Dataset, steward: User
) -> None:
    path = _csv(
        tmp_path,
        [_good(1), _good(2), _good(3, kwh="-5"), f"{_code(4)[:-1]}0,2026-01-01,1,330802,李四"],
    )
    report = ingest(dataset=power, path=path, by=steward)
    assert (report.rows_in, report.rows_loaded, report.rows_quarantined) == (4, 2, 2)
    assert {q.field for q in report.quarantine} == {"kwh", "credit_code"}
    version = current_version(power)
    assert version is not None
    assert (version.number, version.state, version.rows_loaded) == (1, "complete", 2)
    assert 0 <= (version.score or 0) <= 100
    entry = AuditEntry.objects.get(action="warehouse.ingest")
    assert entry.details["rows_quarantined"] == 2


def test_the_catalogues_decimal_places_reach_the_warehouse(
    tmp_path: Path, power: Dataset, steward: User
) -> None:
    path = _csv(tmp_path, [_good(1, kwh="100.25"), _good(2, kwh="100.255")])
    report = ingest(dataset=power, path=path, by=steward)
    assert [(q.row, q.reason) for q in report.quarantine] == [
        (2, "more than 2 decimal places: '100.255'")
    ]
    with open_warehouse() as warehouse:
        [(kind,)] = warehouse.duckdb.execute(
            "SELECT data_type FROM information_schema.columns "
            "WHERE table_name = 'enterprise_power__v1' AND column_name = 'kwh'"
        ).fetchall()
    assert kind == "DECIMAL(18,2)"


def test_the_catalogue_and_the_warehouse_allow_the_same_decimal_places() -> None:
    from shuzhi.platform.catalog import models as catalog
    from shuzhi.platform.warehouse import spec

    assert catalog.MAX_DECIMAL_PLACES == spec.MAX_DECIMAL_PLACES


def test_graded_columns_are_stored_encrypted(tmp_path: Path, power: Dataset, steward: User) -> None:
    ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=steward)
    with open_warehouse() as warehouse:
        rows = engine.version_rows(warehouse, "enterprise_power", 1, limit=5)
    assert str(rows[0]["contact"]).startswith("sm4:")
    assert "张三" not in str(rows[0])


def test_a_second_load_becomes_current_and_the_first_can_be_restored(
    tmp_path: Path, power: Dataset, steward: User
) -> None:
    ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=steward)
    ingest(dataset=power, path=_csv(tmp_path, [_good(1), _good(2)], "v2.csv"), by=steward)
    assert current_version(power).number == 2  # type: ignore[union-attr]
    version_restore(dataset=power, number=1, by=steward)
    assert current_version(power).number == 1  # type: ignore[union-attr]
    assert AuditEntry.objects.filter(action="warehouse.restore").exists()


def test_an_unreadable_file_changes_nothing_current(
    tmp_path: Path, power: Dataset, steward: User
) -> None:
    ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=steward)
    bad = tmp_path / "bad.csv"
    bad.write_text("credit_code,month\n1,2\n", encoding="utf-8")
    with pytest.raises(IngestError, match="kwh"):
        ingest(dataset=power, path=bad, by=steward)
    assert current_version(power).number == 1  # type: ignore[union-attr]
    assert Version.objects.get(number=2).state == "failed"
    assert AuditEntry.objects.filter(action="warehouse.ingest", outcome="failure").exists()


def test_a_running_load_is_not_disturbed_by_a_second_one(
    tmp_path: Path, power: Dataset, steward: User
) -> None:
    live = f"{socket.gethostname()}:{os.getpid()}"
    Version.objects.create(dataset=power, number=1, state="loading", file_name="x.csv", loader=live)
    with pytest.raises(NotIngestible, match="still running"):
        ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=steward)
    assert Version.objects.get(number=1).state == "loading"
    assert Version.objects.count() == 1


def test_an_interrupted_load_is_marked_failed_by_the_next(
    tmp_path: Path, power: Dataset, steward: User
) -> None:
    exited = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    loader = f"{socket.gethostname()}:{exited.stdout.strip()}"  # a process that is gone
    Version.objects.create(
        dataset=power, number=1, state="loading", file_name="x.csv", loader=loader
    )
    ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=steward)
    assert Version.objects.get(number=1).state == "failed"
    assert current_version(power).number == 2  # type: ignore[union-attr]


@pytest.mark.parametrize("role", ["clerk", "approver", "leader", "system_admin"])
def test_only_the_owner_departments_steward_may_ingest(
    tmp_path: Path, power: Dataset, eib: Department, role: str
) -> None:
    user = UserFactory(username=f"u_{role}", roles=[role], department=eib)
    with pytest.raises(PermissionDenied):
        ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=user)
    assert not Version.objects.exists()


def test_a_steward_of_another_department_may_not_ingest(tmp_path: Path, power: Dataset) -> None:
    other = UserFactory(
        username="o", roles=["data_steward"], department=DepartmentFactory(code="330800-FIN")
    )
    with pytest.raises(PermissionDenied):
        ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=other)


def test_a_draft_dataset_takes_no_data(tmp_path: Path, power: Dataset, steward: User) -> None:
    Dataset.objects.filter(pk=power.pk).update(status="draft")
    power.refresh_from_db()
    with pytest.raises(NotIngestible):
        ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=steward)


def test_api_ingest_returns_the_report(
    client: Client, tmp_path: Path, power: Dataset, steward: User
) -> None:
    client.force_login(steward)
    path = _csv(tmp_path, [_good(1), _good(2, kwh="abc")])
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/warehouse/datasets/enterprise_power/ingest", {"file": handle}
        )
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body) == {
        "version",
        "rows_in",
        "rows_loaded",
        "rows_quarantined",
        "quarantine",
        "quality",
    }
    assert (body["rows_in"], body["rows_loaded"], body["rows_quarantined"]) == (2, 1, 1)
    assert body["quarantine"][0]["field"] == "kwh"


def test_api_refuses_unknown_datasets_and_other_departments(
    client: Client, tmp_path: Path, power: Dataset
) -> None:
    other = UserFactory(
        username="o", roles=["data_steward"], department=DepartmentFactory(code="330800-FIN")
    )
    client.force_login(other)
    path = _csv(tmp_path, [_good(1)])
    with path.open("rb") as handle:
        assert (
            client.post("/api/v1/warehouse/datasets/nope/ingest", {"file": handle}).status_code
            == 404
        )
    with path.open("rb") as handle:
        assert (
            client.post(
                "/api/v1/warehouse/datasets/enterprise_power/ingest", {"file": handle}
            ).status_code
            == 403
        )
    assert not Version.objects.exists()


def test_api_unreadable_file_is_422(
    client: Client, tmp_path: Path, power: Dataset, steward: User
) -> None:
    client.force_login(steward)
    path = tmp_path / "x.parquet"
    path.write_text("not parquet", encoding="utf-8")
    with path.open("rb") as handle:
        response = client.post(
            "/api/v1/warehouse/datasets/enterprise_power/ingest", {"file": handle}
        )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unreadable_file"


def test_cli_ingests_with_a_report(
    tmp_path: Path, power: Dataset, steward: User, capsys: Any
) -> None:
    call_command(
        "ingest",
        "enterprise_power",
        str(_csv(tmp_path, [_good(1)])),
        "--user",
        "eib_steward",
        "--no-progress",
    )
    assert "1 loaded" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope", "FILE", "--user", "eib_steward"], "no dataset"),
        (["enterprise_power", "missing.csv", "--user", "eib_steward"], "no such file"),
        (["enterprise_power", "FILE", "--user", "ghost"], "no such active user"),
    ],
)
def test_cli_errors_name_what_is_wrong(
    tmp_path: Path, power: Dataset, steward: User, args: list[str], message: str
) -> None:
    path = str(_csv(tmp_path, [_good(1)]))
    args = [path if a == "FILE" else a for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("ingest", *args, "--no-progress")


def test_pages_show_versions_sample_masked_and_quarantine_download(
    client: Client, tmp_path: Path, power: Dataset, steward: User
) -> None:
    ingest(dataset=power, path=_csv(tmp_path, [_good(1), _good(2, kwh="-1")]), by=steward)
    client.force_login(steward)
    page = client.get("/catalog/enterprise_power/").content.decode()
    assert "v1" in page
    assert "张*" in page  # the L3 contact is masked in the sample
    assert "张三1" not in page
    assert AuditEntry.objects.filter(action="warehouse.read").exists()
    download = client.get("/warehouse/enterprise_power/versions/1/quarantine/", {"format": "csv"})
    text = b"".join(download.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    assert "kwh" in text
    assert client.get("/warehouse/").status_code == 200


def test_upload_page_loads_a_file_and_shows_the_report(
    client: Client, tmp_path: Path, power: Dataset, steward: User
) -> None:
    client.force_login(steward)
    with _csv(tmp_path, [_good(1)]).open("rb") as handle:
        response = client.post("/warehouse/enterprise_power/upload/", {"file": handle})
    assert response.status_code == 200
    assert 'id="ingest-report"' in response.content.decode()


def test_upload_page_is_hidden_from_other_roles(
    client: Client, power: Dataset, eib: Department
) -> None:
    client.force_login(UserFactory(username="c", roles=["clerk"], department=eib))
    assert client.get("/warehouse/enterprise_power/upload/").status_code == 404


def test_catalogue_list_shows_the_quality_score_with_its_trend(
    client: Client, tmp_path: Path, power: Dataset, steward: User
) -> None:
    ingest(dataset=power, path=_csv(tmp_path, [_good(1), _good(2, kwh="-1")]), by=steward)
    ingest(dataset=power, path=_csv(tmp_path, [_good(1), _good(2)], "v2.csv"), by=steward)
    client.force_login(steward)
    body = client.get("/catalog/").content.decode()
    assert "<polyline" in body
    score = current_version(power).score  # type: ignore[union-attr]
    assert f"{score:.1f}" in body


def test_old_data_lowers_timeliness_and_the_score(
    tmp_path: Path, power: Dataset, steward: User
) -> None:
    this_month = timezone.localdate().replace(day=1).isoformat()
    fresh_row = f"{_code(6)},{this_month},5,330802,赵六"
    fresh = ingest(dataset=power, path=_csv(tmp_path, [fresh_row]), by=steward)
    assert fresh.quality["timeliness"] == 1.0
    old_row = f"{_code(7)},2019-01-01,5,330802,王五"
    old = ingest(dataset=power, path=_csv(tmp_path, [old_row], "old.csv"), by=steward)
    assert old.quality["timeliness"] == 0.0
    assert old.quality["score"] < fresh.quality["score"]


def _births(
    steward: User,
    owner: Department,
    tmp_path: Path,
    grade: int,
    code: str = "births",
    **options: Any,
) -> Any:
    """Ingest a one-row dataset whose only date is a birth date (graded ``grade``)."""
    dataset = dataset_create(
        by=steward,
        code=code,
        owner=owner,
        name="出生",
        division=owner.division,
        frequency="monthly",
        share_attribute="none",
        share_condition="个人信息保护法",
        open_attribute="closed",
        grade=grade,
        fields=[
            FieldInput("born_on", "出生日期", "date", {"grade": grade, **options}),
            FieldInput("n", "序号", "integer", {"grade": 1, "is_key": True}),
        ],
    )
    dataset_publish(dataset=dataset, by=steward)
    path = tmp_path / f"{code}.csv"
    path.write_text("born_on,n\n1960-01-01,1\n", encoding="utf-8")
    report = ingest(dataset=dataset, path=path, by=steward)
    assert report.rows_loaded == 1
    return dataset, report


def test_timeliness_ignores_encrypted_date_fields(
    tmp_path: Path, eib: Department, steward: User
) -> None:
    _, report = _births(steward, eib, tmp_path, 4)
    assert "timeliness" not in report.quality


def test_birth_dates_do_not_count_for_timeliness(
    tmp_path: Path, eib: Department, steward: User
) -> None:
    _, plain = _births(steward, eib, tmp_path, 2, code="plain", semantic_type="date")
    assert plain.quality["timeliness"] == 0.0  # a date of 1960: very old data
    _, births = _births(steward, eib, tmp_path, 2, semantic_type="birth_date")
    assert "timeliness" not in births.quality  # a birth in 1960 is no sign of stale data


def test_birth_dates_show_only_their_year(tmp_path: Path, eib: Department, steward: User) -> None:
    dataset, _ = _births(steward, eib, tmp_path, 3, semantic_type="birth_date")
    with open_warehouse() as warehouse:
        (stored,) = engine.version_rows(warehouse, "births", 1)
    assert masked_row(dataset, stored)["born_on"] == "1960-**-**"


def test_progress_is_recorded_while_loading_and_can_be_polled(
    client: Client, tmp_path: Path, power: Dataset, steward: User
) -> None:
    seen: list[int] = []
    rows = [_good(n) for n in range(1, 6)]
    ingest(dataset=power, path=_csv(tmp_path, rows), by=steward, progress=seen.append)
    assert seen
    assert seen[-1] == 5
    Version.objects.create(
        dataset=power, number=9, state="loading", file_name="big.csv", rows_in=1234
    )
    client.force_login(steward)
    assert client.get("/warehouse/enterprise_power/progress/").json() == {
        "state": "loading",
        "version": 9,
        "rows": 1234,
    }


def test_progress_is_hidden_from_other_departments(client: Client, power: Dataset) -> None:
    other = UserFactory(
        username="o", roles=["data_steward"], department=DepartmentFactory(code="330800-FIN")
    )
    client.force_login(other)
    assert client.get("/warehouse/enterprise_power/progress/").status_code == 404


def test_an_unexpected_failure_marks_the_version_failed_and_frees_the_dataset(
    tmp_path: Path, power: Dataset, steward: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(engine, "ingest_file", boom)
    with pytest.raises(RuntimeError):
        ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=steward)
    assert Version.objects.get(number=1).state == "failed"
    monkeypatch.undo()
    assert ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=steward).rows_loaded == 1


def test_a_dataset_without_fields_takes_no_data(
    tmp_path: Path, power: Dataset, steward: User
) -> None:
    power.fields.all().delete()
    with pytest.raises(NotIngestible, match="no fields"):
        ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=steward)
    assert not Version.objects.exists()


def test_regrading_a_field_after_a_load_keeps_the_page_working_and_masked(
    client: Client, tmp_path: Path, power: Dataset, steward: User
) -> None:
    ingest(dataset=power, path=_csv(tmp_path, [_good(1)]), by=steward)
    power.fields.filter(name="county").update(grade=3)
    client.force_login(steward)
    response = client.get("/catalog/enterprise_power/")
    assert response.status_code == 200
    sample = response.content.decode().split('id="tab-sample"')[1].split("</table>")[0]
    assert '<td class="small">***</td>' in sample  # the now-L3 county is masked


def test_reasons_of_encrypted_fields_do_not_repeat_the_value(
    tmp_path: Path, power: Dataset, steward: User
) -> None:
    power.fields.filter(name="month").update(grade=3)
    Dataset.objects.filter(pk=power.pk).update(grade=3)
    report = ingest(
        dataset=power, path=_csv(tmp_path, [f"{_code(1)},1999-13-45,1,330802,张三"]), by=steward
    )
    assert report.rows_quarantined == 1
    assert "1999-13-45" not in report.quarantine[0].reason


def test_quarantine_of_a_failed_version_is_404(
    client: Client, power: Dataset, steward: User
) -> None:
    Version.objects.create(dataset=power, number=1, state="failed", file_name="x.csv")
    client.force_login(steward)
    assert client.get("/warehouse/enterprise_power/versions/1/quarantine/").status_code == 404
