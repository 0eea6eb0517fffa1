"""The accounting run: warehouse data in, accounts, grades and derived versions out, all or
nothing; only the carbon department's data steward may start it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from shuzhi.domains.carbon.models import AccountingRun, EnterpriseAccount, FactorSet, SectorAccount
from shuzhi.domains.carbon.services import run as run_module
from shuzhi.domains.carbon.services.publish import ANNUAL, DERIVED, MONTHLY
from shuzhi.domains.carbon.services.run import RunFailed, RunRefused, accounting_run
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.audit.verify import audit_chain_verify
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.warehouse import engine
from shuzhi.platform.warehouse.connection import open_warehouse
from shuzhi.platform.warehouse.models import Version
from shuzhi.platform.warehouse.selectors import current_version
from tests.domains.carbon.run_city import City, build_city, by_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(tmp_path: Path, settings: Any) -> City:
    settings.DATA_DIR = tmp_path
    return build_city(tmp_path)


def _current_rows(code: str) -> list[dict[str, Any]]:
    version = current_version(Dataset.objects.get(code=code))
    assert version is not None
    with open_warehouse() as warehouse:
        return engine.version_rows(warehouse, code, version.number, limit=None)


def test_run_accounts_the_year_and_every_result_names_its_factor_version(city: City) -> None:
    run = accounting_run(year=2024, by=city.drc)

    run.refresh_from_db()
    assert (run.state, run.is_current, run.year) == (AccountingRun.State.COMPLETE, True, 2024)
    assert run.factor_set.version == "default-2024"
    accounts = {a.credit_code: a for a in run.accounts.all()}
    assert by_key("S1").code not in accounts  # a shop: not an industrial enterprise
    assert len(accounts) == 15
    assert {a.explanation["factor_version"] for a in accounts.values()} == {"default-2024"}
    e1 = accounts[by_key("E1").code]
    assert e1.colour == "dark_green"
    assert e1.efficiency_level is not None
    assert e1.total_tco2 == pytest.approx(sum(e1.by_source["monthly"].values()), rel=1e-6)
    assert run.report["enterprises"] == 15
    assert run.report["graded"] == 11
    assert run.report["factor_version"] == "default-2024"
    assert set(run.report["outputs"]) == {d.code for d in DERIVED}

    annual = _current_rows(ANNUAL)
    assert len(annual) == 15
    assert {(r["factor_version"], r["run_id"], r["year"]) for r in annual} == {
        ("default-2024", run.pk, 2024)
    }
    monthly = _current_rows(MONTHLY)
    assert {r["factor_version"] for r in monthly} == {"default-2024"}
    e1_monthly = sum(float(r["tco2"]) for r in monthly if r["credit_code"] == e1.credit_code)
    assert e1_monthly == pytest.approx(e1.total_tco2, rel=1e-5)

    sectors = SectorAccount.objects.filter(run=run)
    assert set(sectors.values_list("domain", flat=True)) == {
        "energy",
        "buildings",
        "transport",
        "agriculture",
        "household",
    }
    assert sectors.get(domain="agriculture", county_code="330802").tco2 < 0  # a forest sink
    assert run.report["sectors"]["without_factor"] == 2  # rice_paddy in two counties, reported

    entry = AuditEntry.objects.get(action="carbon.run", outcome="success")
    assert entry.details["factor_version"] == "default-2024"
    assert audit_chain_verify().ok


def test_bad_input_is_reported_on_the_enterprise_and_in_the_report_never_graded(
    city: City,
) -> None:
    run = accounting_run(year=2024, by=city.drc)

    accounts = {a.credit_code: a for a in run.accounts.all()}

    def codes(key: str) -> set[str]:
        account = accounts[by_key(key).code]
        assert account.colour == ""
        assert account.efficiency_level is None
        return {p["code"] for p in account.problems}

    assert "missing_months" in codes("Q1")
    assert "no_industry" in codes("Q2")
    assert "zero_output" in codes("Q3")
    assert "missing_months" in codes("Q4")  # its negative reading was quarantined
    assert run.report["inputs"]["enterprise_electricity_monthly"]["rows_quarantined"] == 2
    assert run.report["problems"]["missing_months"] == 2
    assert run.report["problems"]["zero_output"] == 1
    assert run.report["problems"]["no_industry"] == 1
    annual = {r["credit_code"]: r for r in _current_rows(ANNUAL)}
    assert annual[by_key("Q3").code]["colour"] is None
    assert "zero_output" in annual[by_key("Q3").code]["problems"]


def test_a_second_run_of_the_year_replaces_the_first_as_current(city: City) -> None:
    first = accounting_run(year=2024, by=city.drc)
    second = accounting_run(year=2024, by=city.drc)

    first.refresh_from_db()
    assert (first.is_current, second.is_current) == (False, True)
    assert first.accounts.count() == second.accounts.count() == 15  # the first is kept
    annual = _current_rows(ANNUAL)
    assert len(annual) == 15
    assert {r["run_id"] for r in annual} == {second.pk}


def test_the_next_year_keeps_the_first_years_rows_and_compares_with_its_history(
    city: City,
) -> None:
    accounting_run(year=2024, by=city.drc)
    run = accounting_run(year=2025, by=city.drc)

    annual = _current_rows(ANNUAL)
    assert sorted({r["year"] for r in annual}) == [2024, 2025]
    assert len(annual) == 30
    e1 = run.accounts.get(credit_code=by_key("E1").code)
    assert e1.colour == "red"
    assert e1.explanation["decline"]["available"] is True
    assert e1.decline is not None
    assert e1.decline < 0
    assert run.accounts.get(credit_code=by_key("E2").code).decline > 0


def test_a_failing_run_is_recorded_failed_and_leaves_nothing_half_written(
    city: City, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = accounting_run(year=2024, by=city.drc)
    versions = {
        d.code: current_version(Dataset.objects.get(code=d.code)).number  # type: ignore[union-attr]
        for d in DERIVED
    }

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the loop is down")

    monkeypatch.setattr(run_module, "run_warnings_raise", broken)
    with pytest.raises(RunFailed) as caught:
        accounting_run(year=2024, by=city.drc)

    failed = caught.value.run
    failed.refresh_from_db()
    assert failed.state == AccountingRun.State.FAILED
    assert "the loop is down" in failed.error
    assert not failed.is_current
    assert not EnterpriseAccount.objects.filter(run=failed).exists()
    assert not SectorAccount.objects.filter(run=failed).exists()
    before.refresh_from_db()
    assert before.is_current
    for code, number in versions.items():
        dataset = Dataset.objects.get(code=code)
        assert current_version(dataset).number == number  # type: ignore[union-attr]
        assert not Version.objects.filter(dataset=dataset, number__gt=number).exists()
        with open_warehouse() as warehouse:
            assert engine.list_versions(warehouse, code) == [number]
    assert AuditEntry.objects.filter(action="carbon.run", outcome="failure").exists()
    assert audit_chain_verify().ok


def test_only_the_carbon_departments_data_steward_may_run(city: City) -> None:
    drc_clerk = UserFactory(username="drc_clerk", department=city.drc.department, roles=["clerk"])
    for user in (city.eib, drc_clerk, city.supervisor):  # wrong department, wrong role
        with pytest.raises(PermissionDenied):
            accounting_run(year=2024, by=user)
    assert not AccountingRun.objects.exists()
    assert AuditEntry.objects.filter(action="carbon.run", outcome="denied").count() == 3


def test_refused_without_an_active_factor_set(city: City) -> None:
    FactorSet.objects.update(state=FactorSet.State.RETIRED)
    with pytest.raises(RunRefused) as caught:
        accounting_run(year=2024, by=city.drc)
    assert caught.value.code == "no_factor_set"
    assert not AccountingRun.objects.exists()


def test_refused_without_input_data_for_the_year(city: City) -> None:
    with pytest.raises(RunRefused) as caught:
        accounting_run(year=2023, by=city.drc)
    assert caught.value.code == "no_input"
    assert not AccountingRun.objects.exists()


@pytest.mark.parametrize("year", [1999, 2999, "2024; DROP TABLE carbon_enterpriseaccount"])
def test_a_tampered_year_is_refused(city: City, year: Any) -> None:
    with pytest.raises(RunRefused) as caught:
        accounting_run(year=year, by=city.drc)
    assert caught.value.code == "bad_year"
    assert not AccountingRun.objects.exists()


def test_refused_when_the_input_datasets_have_no_data(tmp_path: Path, settings: Any) -> None:
    settings.DATA_DIR = tmp_path
    city = build_city(tmp_path, codes=())
    with pytest.raises(RunRefused) as caught:
        accounting_run(year=2024, by=city.drc)
    assert caught.value.code == "no_input"


def test_a_run_whose_process_still_runs_refuses_a_second_one(city: City) -> None:
    from shuzhi.platform.warehouse.liveness import this_process

    live = AccountingRun.objects.create(
        year=2024,
        factor_set=FactorSet.objects.get(state=FactorSet.State.ACTIVE),
        state=AccountingRun.State.RUNNING,
        report={"process": this_process()},
    )
    with pytest.raises(RunRefused) as refused:
        accounting_run(year=2025, by=city.drc)
    assert refused.value.code == "run_in_progress"
    live.refresh_from_db()
    assert live.state == AccountingRun.State.RUNNING
    assert AccountingRun.objects.count() == 1
    assert AuditEntry.objects.filter(action="carbon.run", outcome="failure").exists()


def test_a_run_left_by_a_killed_process_is_marked_failed_by_the_next(city: City) -> None:
    dead = AccountingRun.objects.create(
        year=2024,
        factor_set=FactorSet.objects.get(state=FactorSet.State.ACTIVE),
        state=AccountingRun.State.RUNNING,
        report={"process": "some-other-host:12345"},
    )
    run = accounting_run(year=2024, by=city.drc)
    dead.refresh_from_db()
    assert dead.state == AccountingRun.State.FAILED
    assert "interrupted" in dead.error
    assert run.state == AccountingRun.State.COMPLETE
    assert run.is_current
