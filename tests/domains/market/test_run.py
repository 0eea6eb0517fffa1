"""The classification run: warehouse data in, classes with explanations and a new version of
the graded derived dataset out; only the market department's data steward may start it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from shuzhi.domains.market.models import CreditClass, CreditRun
from shuzhi.domains.market.services.credit import (
    DERIVED,
    CreditRefused,
    credit_classify,
    credit_reclassify_on_penalty,
)
from shuzhi.domains.market.tasks import classify_now
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import Dataset, LineageEdge
from shuzhi.platform.warehouse import engine
from shuzhi.platform.warehouse.connection import open_warehouse
from shuzhi.platform.warehouse.selectors import current_version
from tests.domains.market.city import AS_OF, City, build_city, by_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(tmp_path: Path, settings: Any) -> City:
    settings.DATA_DIR = tmp_path
    return build_city(tmp_path)


def test_run_classifies_explains_and_publishes(city: City) -> None:
    run = credit_classify(by=city.amr, as_of=AS_OF)

    assert (run.state, run.is_current) == (CreditRun.State.COMPLETE, True)
    classes = {c.credit_code: c for c in CreditClass.objects.filter(run=run)}
    assert {
        k: (classes[by_key(k)].score, classes[by_key(k)].credit_class)
        for k in ("M1", "M2", "M3", "M4", "M5", "M6")
    } == {
        "M1": (100.0, "A"),
        "M2": (60.0, "C"),
        "M3": (62.0, "C"),
        "M4": (90.0, "A"),
        "M5": (80.0, "B"),
        "M6": (100.0, "A"),
    }
    m3 = classes[by_key("M3")]
    assert [d["indicator"] for d in m3.explanation] == [
        "abnormal_listed",
        "irregular_status",
        "no_tax",
    ]
    assert [d["indicator"] for d in classes[by_key("M4")].explanation] == [
        "related_risk",
        "young",
    ]
    assert run.report["classes"] == {"A": 3, "B": 1, "C": 2}
    assert "social_insurance_enrolment" in run.report["missing_inputs"]

    dataset = Dataset.objects.get(code=DERIVED)
    assert dataset.grade == 2
    assert dataset.open_attribute == "closed"
    version = current_version(dataset)
    assert version is not None
    assert run.report["output"] == {DERIVED: version.number}
    with open_warehouse() as warehouse:
        rows = engine.version_rows(warehouse, DERIVED, version.number, limit=None)
    published = {r["credit_code"]: r for r in rows}
    assert published[by_key("M2")]["credit_class"] == "C"
    assert float(published[by_key("M2")]["score"]) == 60.0
    assert published[by_key("M2")]["drivers"] == "food_penalties,penalties"
    sources = set(LineageEdge.objects.filter(target=dataset).values_list("source__code", flat=True))
    assert sources == set(city.datasets)
    assert AuditEntry.objects.filter(action="market.credit_run", outcome="success").count() == 1


def test_second_run_replaces_the_current_one(city: City) -> None:
    first = credit_classify(by=city.amr, as_of=AS_OF)
    second = credit_classify(by=city.amr, as_of=AS_OF)
    first.refresh_from_db()
    assert (first.is_current, second.is_current) == (False, True)


def test_wrong_role_and_wrong_department_are_denied(city: City) -> None:
    with pytest.raises(PermissionDenied):
        credit_classify(by=city.clerk, as_of=AS_OF)  # market department, not a steward
    with pytest.raises(PermissionDenied):
        credit_classify(by=city.fin, as_of=AS_OF)  # a steward of another department
    assert not CreditRun.objects.exists()
    assert AuditEntry.objects.filter(action="market.credit_run", outcome="denied").count() == 2


def test_no_registry_is_refused(tmp_path: Path, settings: Any) -> None:
    settings.DATA_DIR = tmp_path
    city = build_city(tmp_path, codes=("administrative_penalty",))
    with pytest.raises(CreditRefused) as refused:
        credit_classify(by=city.amr, as_of=AS_OF)
    assert refused.value.code == "no_input"
    assert not CreditRun.objects.exists()


def test_a_new_penalty_reclassifies_and_a_bad_credit_code_gets_the_reason(city: City) -> None:
    run = credit_reclassify_on_penalty(credit_code=by_key("M6"), by=city.amr)
    assert run.trigger == CreditRun.Trigger.PENALTY
    assert run.is_current
    bad = by_key("M6")[:-1] + ("0" if by_key("M6")[-1] != "0" else "1")
    with pytest.raises(CreditRefused) as refused:
        credit_reclassify_on_penalty(credit_code=bad, by=city.amr)
    assert refused.value.code == "bad_credit_code"
    assert "check character (position 18)" in refused.value.message
    assert CreditRun.objects.count() == 1


def test_the_schedule_runs_as_the_market_steward(city: City) -> None:
    run = classify_now()
    assert run is not None
    assert (run.trigger, run.started_by) == (CreditRun.Trigger.SCHEDULE, city.amr)


def test_the_schedule_is_registered() -> None:
    from shuzhi.platform.loop import schedule

    assert "market.credit" in schedule._STARTERS


def test_an_outsider_cannot_trigger_the_penalty_hook(city: City) -> None:
    outsider = UserFactory(username="outsider", roles=["clerk"])
    with pytest.raises(PermissionDenied):
        credit_reclassify_on_penalty(credit_code=by_key("M1"), by=outsider)


def _case(key: str, number: str, *, decided_on: Any, outcome: str) -> None:
    from shuzhi.domains.market.models import Case

    Case.objects.create(
        number=number,
        credit_code=by_key(key),
        enterprise_name=f"测试{key}有限公司",
        county_code="330802",
        violation="label",
        facts="…",
        occurred_on=decided_on,
        state=Case.State.DECIDED,
        outcome=outcome,
        fine=1000,
        decided_on=decided_on,
    )


def test_a_decided_case_counts_as_a_penalty_before_it_is_published(city: City) -> None:
    """A penalty decided in a market case counts from its decision (the PENALTY run's reason),
    once: a case whose number is already in the published decisions is not counted again."""
    from datetime import timedelta

    _case("M1", "柯市监案〔2025〕1号", decided_on=AS_OF - timedelta(days=10), outcome="penalty")
    _case("M6", "衢市监罚〔2025〕4号", decided_on=AS_OF - timedelta(days=10), outcome="penalty")
    _case("M4", "柯市监案〔2025〕2号", decided_on=AS_OF - timedelta(days=10), outcome="no_penalty")
    _case("M5", "江市监案〔2025〕3号", decided_on=AS_OF + timedelta(days=10), outcome="reduced")

    run = credit_classify(by=city.amr, as_of=AS_OF)

    points = {c.credit_code: c.indicators["penalties"] for c in CreditClass.objects.filter(run=run)}
    assert points[by_key("M1")] == 1  # decided, not yet published: counted
    assert points[by_key("M4")] == 0  # not punished
    assert points[by_key("M5")] == 1  # only its published penalty; the case is decided later
    assert points[by_key("M6")] == 0  # the published 2019 decision is older than three years


def test_a_deregistered_enterprise_gets_no_class(
    tmp_path: Path, settings: Any, monkeypatch: Any
) -> None:
    from tests.domains.market import city as city_module

    firms = tuple((*firm[:6], "注销") if firm[0] == "M6" else firm for firm in city_module.FIRMS)
    monkeypatch.setattr(city_module, "FIRMS", firms)
    settings.DATA_DIR = tmp_path
    town = build_city(tmp_path)

    run = credit_classify(by=town.amr, as_of=AS_OF)

    classified = set(CreditClass.objects.filter(run=run).values_list("credit_code", flat=True))
    assert by_key("M6") not in classified
    assert by_key("M3") in classified  # revoked (吊销) still exists: classified
    assert run.report["enterprises"] == 5
