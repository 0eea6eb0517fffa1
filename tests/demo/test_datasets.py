"""The demo's catalogued datasets: registered, published, and their data files."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from shuzhi.demo import datasets, rows, synth
from shuzhi.demo.datasets import DatasetDef, FieldDef
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.audit.verify import audit_chain_verify
from shuzhi.platform.catalog.models import Dataset, Field, LineageEdge, Status, ThematicWarehouse
from shuzhi.platform.catalog.rules import publish_problems
from shuzhi.platform.security.identifiers import check_credit_code, check_id_number
from shuzhi.platform.warehouse.models import Version

ENERGY = ("enterprise_electricity_monthly", "enterprise_gas_monthly", "enterprise_coal_oil_monthly")
QUZHOU_CODES = {d.code for d in synth.load_divisions()}


def _problem(field: FieldDef, value: str) -> str | None:
    """Why a cell would be quarantined, by the catalogue's field definition (None: it is fine)."""
    if not value:
        return None if field.nullable else "missing"
    if field.semantic_type == "credit_code" and not check_credit_code(value).valid:
        return "credit code"
    if field.semantic_type == "id_number" and not check_id_number(value).valid:
        return "id number"
    if field.semantic_type == "mobile" and not re.fullmatch(r"1[3-9][0-9]{9}", value):
        return "mobile"
    if field.code_table == "gbt2260" and value not in QUZHOU_CODES:
        return "division"
    try:
        if field.data_type == "date":
            date.fromisoformat(value)
        elif field.data_type == "datetime":
            datetime.fromisoformat(value)
        elif field.data_type in ("decimal", "integer"):
            number = Decimal(value)
            if field.min_value is not None and number < field.min_value:
                return "below minimum"
            if field.max_value is not None and number > field.max_value:
                return "above maximum"
            if field.decimal_places is not None and number != round(number, field.decimal_places):
                return "decimal places"
    except (ValueError, InvalidOperation):
        return field.data_type
    return None


def _bad_rows(definition: DatasetDef, generated: Iterator[dict[str, str]]) -> tuple[int, int]:
    total = bad = 0
    for row in generated:
        assert list(row) == definition.field_names
        total += 1
        bad += any(_problem(f, row[f.name]) for f in definition.fields)
    return total, bad


def test_every_generator_is_deterministic_per_seed() -> None:
    for code in ("enterprise_registry", "air_quality_hourly", "patent", "surface_water_monthly"):
        first = list(rows.dataset_rows(code, scale=1, seed=5))
        assert first == list(rows.dataset_rows(code, scale=1, seed=5))
        assert first != list(rows.dataset_rows(code, scale=1, seed=6))


@pytest.mark.parametrize("definition", datasets.DATASETS, ids=lambda d: d.code)
def test_every_dataset_has_a_few_deliberately_bad_rows(definition: DatasetDef) -> None:
    total, bad = _bad_rows(definition, rows.dataset_rows(definition.code, scale=1, seed=2022))
    assert total >= 50
    assert 1 <= bad <= max(2, total * 0.015), (total, bad)


def test_energy_rows_name_enterprises_of_the_registry() -> None:
    registry = {e.credit_code for e in synth.enterprises(scale=1, seed=2022)}
    for code in ENERGY:
        codes = [r["credit_code"] for r in rows.dataset_rows(code, scale=1, seed=2022)]
        unknown = [c for c in codes if c not in registry]
        assert codes
        assert len(unknown) < len(codes) * 0.005
        assert all(not check_credit_code(c).valid for c in unknown)  # only the spoiled ones


def test_personal_fields_are_graded_l3_or_above_and_datasets_follow_the_rules() -> None:
    personal = {"person_name", "id_number", "mobile", "address"}
    for definition in datasets.DATASETS:
        for field in definition.fields:
            if field.semantic_type in personal:
                assert field.grade >= 3, f"{definition.code}.{field.name}"
        if definition.grade == 4:
            assert definition.open_attribute == "closed"
        if definition.share_attribute != "unconditional":
            assert definition.share_condition.strip()
        if definition.open_attribute == "open":
            assert definition.grade == 1 or definition.deidentified


@pytest.fixture
def demo_files(settings: Any, tmp_path: Path) -> Path:
    settings.DEMO_MODE = True
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    return tmp_path / "demo" / "files"


def _catalogue_counts() -> tuple[int, ...]:
    return (
        Dataset.objects.count(),
        Field.objects.count(),
        LineageEdge.objects.count(),
        ThematicWarehouse.datasets.through.objects.count(),
        AuditEntry.objects.filter(action="dataset.create").count(),
        AuditEntry.objects.filter(action="dataset.publish").count(),
    )


@pytest.mark.django_db
@pytest.mark.slow
def test_demo_registers_publishes_and_writes_every_dataset_once(
    demo_files: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("demo", "--scale", "1", "--no-progress")
    out = capsys.readouterr().out

    published = Dataset.objects.filter(code__in=datasets.BY_CODE, status=Status.PUBLISHED)
    assert published.count() == len(datasets.DATASETS) == 25
    for dataset in published.select_related("owner"):
        definition = datasets.BY_CODE[dataset.code]
        assert dataset.owner.code == f"330800-{definition.owner}"
        assert publish_problems(dataset) == []
        assert [f.name for f in dataset.fields.all()] == definition.field_names
        assert {w.code for w in dataset.thematic_warehouses.all()} == set(definition.warehouses)
        assert dataset.code in out
    edges = {(e.source.code, e.target.code) for e in LineageEdge.objects.all()}
    carbon = {e for e in edges if e[1].startswith("carbon_")}  # the accounting run's own
    credit = {e for e in edges if e[1] == "market_credit_class"}  # the classification's own
    environment = {  # the environment results' own
        ("air_quality_hourly", "environment_daily_aqi"),
        ("surface_water_monthly", "section_monthly_class"),
    }
    assert environment <= edges
    assert edges - carbon - credit - environment == {
        (edge.source, edge.target) for edge in datasets.LINEAGE
    }
    assert ("administrative_penalty", "market_credit_class") in credit
    assert "Credit-risk classes" in out
    assert ("enterprise_heat_export_monthly", "carbon_emission_monthly") in carbon
    assert ("carbon_emission_factors", "carbon_account_annual") in carbon

    for definition in datasets.DATASETS:
        path = demo_files / f"{definition.code}.csv"
        encoding = rows.ENCODINGS.get(definition.code, "utf-8")
        with path.open(encoding=encoding, newline="") as handle:
            assert next(csv.reader(handle)) == definition.field_names
    hotline = (demo_files / "hotline_12345.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        hotline.decode("utf-8")
    assert "交通运输局" in hotline.decode("gb18030")

    # The window ends yesterday, so the datasets with dates of events are timely today; but
    # the abnormal-operation list grows mostly in the annual-report season (July, August), so
    # at demo scale its newest listing is months old and its timeliness (daily) is low.
    # birth dates say nothing of freshness; years are not dates: timeliness does not apply
    undated = {
        "population_basic",
        "carbon_sector_activity",
        "carbon_account_annual",
        "carbon_emission_factors",
        "tech_sme_list",
    }
    for version in Version.objects.filter(is_current=True).select_related("dataset"):
        timeliness = version.quality.get("timeliness")
        if version.dataset.code in undated:
            assert timeliness is None
        elif version.dataset.code == "abnormal_operation_list":
            assert timeliness is not None
            assert timeliness < 0.5
        else:
            assert (timeliness or 0) >= 0.5, (version.dataset.code, timeliness)

    # sharing, opening and operation under way
    from shuzhi.platform.opendata.models import Application
    from shuzhi.platform.operation.models import Analysis, Operator
    from shuzhi.platform.sharing.models import Grant, ShareRequest

    exchanges = (
        ShareRequest.objects.count(),
        Grant.objects.count(),
        Application.objects.count(),
        Operator.objects.filter(status="vetted").count(),
    )
    assert exchanges == (4, 3, 1, 1)  # the bank's grant of the annual carbon accounts
    released = Analysis.objects.get()
    assert released.status == "released"
    assert len(released.rows) >= 1  # groups of at least k enterprises per county

    # the closed loop and the brain under way: tasks in every state, one overdue and escalated
    from shuzhi.platform.brain.models import Indicator, IndicatorValue
    from shuzhi.platform.loop.models import Task

    assert Indicator.objects.filter(key=True).count() == 2
    assert IndicatorValue.objects.exists()
    reports = Task.objects.filter(type_code="report")
    states = set(reports.values_list("state", flat=True))
    assert states == {
        "pending_dispatch",
        "pending_acceptance",
        "in_progress",
        "pending_review",
        "closed",
        "rated",
    }
    assert reports.filter(overdue=True).count() == 1
    tasks = Task.objects.count()

    # carbon accounts for two years, with history, warnings and green finance on them
    from shuzhi.domains.carbon.models import (
        AccountingRun,
        BankAuthorisation,
        EnterpriseAccount,
        LoanProduct,
        SectorAccount,
    )
    from shuzhi.platform.accounts.models import User

    runs = AccountingRun.objects.filter(is_current=True, state="complete").order_by("year")
    assert [r.year for r in runs] == [runs[0].year, runs[0].year + 1]
    latest = runs[1]
    assert latest.report["graded"] > 0
    assert set(latest.report["problems"]) >= {"missing_months", "no_industry", "zero_output"}
    assert latest.report["inputs"]["enterprise_heat_export_monthly"]["rows_quarantined"] >= 1
    assert EnterpriseAccount.objects.filter(run=latest).exclude(decline=None).exists()
    assert set(SectorAccount.objects.filter(run=latest).values_list("domain", flat=True)) == {
        "energy",
        "buildings",
        "transport",
        "agriculture",
        "household",
    }
    carbon_tasks = Task.objects.filter(type_code="carbon")
    assert carbon_tasks.exists()
    assert set(carbon_tasks.values_list("department__code", flat=True)) == {"330800-EIB"}
    enterprise = User.objects.get(username="enterprise")
    assert EnterpriseAccount.objects.filter(run=latest, credit_code=enterprise.credit_code).exists()
    assert BankAuthorisation.objects.get().credit_code == enterprise.credit_code
    assert LoanProduct.objects.count() == 12
    assert Grant.objects.filter(
        dataset__code="carbon_account_annual", department__code="330800-BANK"
    ).exists()
    carbon = (AccountingRun.objects.count(), BankAuthorisation.objects.count())

    counts = _catalogue_counts()
    call_command("demo", "--scale", "1", "--no-progress")
    assert Task.objects.count() == tasks
    assert (AccountingRun.objects.count(), BankAuthorisation.objects.count()) == carbon
    assert _catalogue_counts() == counts
    assert (
        ShareRequest.objects.count(),
        Grant.objects.count(),
        Application.objects.count(),
        Operator.objects.count(),
    ) == exchanges
    assert audit_chain_verify().ok


MOVED = ("enterprise_registry", "enterprise_tax_quarterly", "air_quality_hourly", "hotline_12345")


def _cells(path: Path, code: str) -> list[dict[str, str]]:
    encoding = rows.ENCODINGS.get(code, "utf-8")
    with path.open(encoding=encoding, newline="") as handle:
        return list(csv.DictReader(handle))


def test_files_written_as_of_a_day_end_just_before_it(tmp_path: Path) -> None:
    as_of = date(2026, 11, 25)
    fixed = rows.write_demo_files(scale=1, seed=5, folder=tmp_path / "fixed", codes=MOVED)
    moved = rows.write_demo_files(
        scale=1, seed=5, folder=tmp_path / "moved", codes=MOVED, as_of=as_of
    )
    for code in MOVED:
        definition = datasets.BY_CODE[code]
        before, after = _cells(fixed[code], code), _cells(moved[code], code)
        assert len(before) == len(after)
        keys = [f.name for f in definition.fields if f.is_key]
        assert len({tuple(r[k] for k in keys) for r in after}) == len(
            {tuple(r[k] for k in keys) for r in before}
        )
        for field in definition.fields:
            if field.data_type not in ("date", "datetime"):
                assert [r[field.name] for r in after] == [r[field.name] for r in before]
                continue
            days = [v[:10] for r in after if (v := r[field.name]) and v != rows.IMPOSSIBLE_DATE]
            assert max(days) < as_of.isoformat(), (code, field.name)
    registry = _cells(moved["enterprise_registry"], "enterprise_registry")
    assert max(r["established_on"] for r in registry) == "2026-11-24"
    tax = _cells(moved["enterprise_tax_quarterly"], "x")
    quarters = {r["quarter"] for r in tax if r["quarter"] not in ("", rows.IMPOSSIBLE_DATE)}
    assert max(quarters) == "2026-07-01"  # the last complete quarter
    assert {q[5:] for q in quarters} <= {"01-01", "04-01", "07-01", "10-01"}
    air = _cells(moved["air_quality_hourly"], "air_quality_hourly")
    assert max(r["observed_at"] for r in air) == "2026-11-24 23:00:00"


def test_the_population_keeps_its_birth_dates(tmp_path: Path) -> None:
    codes = ["population_basic"]
    fixed = rows.write_demo_files(scale=1, seed=5, folder=tmp_path / "f", codes=codes)
    moved = rows.write_demo_files(
        scale=1, seed=5, folder=tmp_path / "m", codes=codes, as_of=date(2030, 1, 1)
    )
    assert fixed["population_basic"].read_bytes() == moved["population_basic"].read_bytes()


def test_no_shift_before_the_window_ends() -> None:
    assert rows.TimeShift.to(date(2024, 6, 1)) == rows.TimeShift(days=0, months=0)
    assert rows.TimeShift.to(date(2025, 1, 1)) == rows.TimeShift(days=0, months=0)
    assert rows.TimeShift.to(date(2025, 2, 1)) == rows.TimeShift(days=31, months=1)
