"""Credit repair (信用修复): removal from the abnormal-operation list once the annual report is
filed, the end of a penalty's publication after 6 months (12 for food, drugs and special
equipment) with the fine paid; refusals that name the date and store nothing; the county
regulator's decision; the enterprise's page and the regulators' inbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation

from shuzhi.domains.market import lenient
from shuzhi.domains.market.models import Case, CreditRepair, Enterprise, EnterpriseEvent
from shuzhi.domains.market.services.cases import (
    CaseRefused,
    case_decide,
    case_mark_paid,
    repair_apply,
    repair_decide,
    repair_inbox,
)
from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.models import AuditEntry
from tests.domains.market.test_cases import (
    TODAY,
    World,
    audits,
    build_world,
    client,
    open_case,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

STATEMENT = "已补报2025年度报告并公示"


@pytest.fixture
def world(settings: Any) -> World:
    return build_world(settings)


def listed(firm: Enterprise, days_ago: int = 100) -> None:
    firm.status = Enterprise.Status.ABNORMAL
    firm.save(update_fields=["status"])
    EnterpriseEvent.objects.create(
        enterprise=firm,
        kind=EnterpriseEvent.Kind.ABNORMAL_LISTED,
        occurred_on=TODAY() - timedelta(days=days_ago),
        details={"reason": "未按规定报送年度报告"},
    )


def reported(firm: Enterprise, days_ago: int) -> None:
    EnterpriseEvent.objects.create(
        enterprise=firm,
        kind=EnterpriseEvent.Kind.ANNUAL_REPORT,
        occurred_on=TODAY() - timedelta(days=days_ago),
    )


def penalised(
    w: World, firm: Enterprise, days_ago: int, fine: int = 500, paid: bool = True
) -> Case:
    case = open_case(
        w,
        firm=firm,
        harm=Case.Harm.SERIOUS,
        occurred_on=TODAY() - timedelta(days=days_ago + 10),
    )
    by = w.jiangshan if firm.county_id == "330881" else w.kecheng
    case_decide(
        case=case,
        by=by,
        outcome=Case.Outcome.PENALTY,
        fine=fine,
        decided_on=TODAY() - timedelta(days=days_ago),
        reclassify=False,
    )
    if paid and fine:
        case_mark_paid(case=case, by=by)
    return case


def user_of(firm: Enterprise) -> User:
    user = UserFactory(username=f"u_{firm.credit_code}", department=None, roles=["enterprise"])
    user.credit_code = firm.credit_code
    user.save()
    return user


# --- Removal from the abnormal-operation list ---------------------------------------------------


def test_abnormal_repair_needs_the_annual_report_filed_after_the_listing(world: World) -> None:
    listed(world.firm, days_ago=100)
    reported(world.firm, days_ago=200)  # before the listing: does not count
    with translation.override("en"), pytest.raises(CaseRefused) as refused:
        repair_apply(
            by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
        )
    assert refused.value.code == "no_annual_report"
    assert (TODAY() - timedelta(days=100)).isoformat() in refused.value.message
    assert CreditRepair.objects.count() == 0
    assert audits("market.repair_apply", "failure") == 1
    reported(world.firm, days_ago=10)
    repair = repair_apply(
        by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
    )
    assert repair.state == CreditRepair.State.SUBMITTED
    assert repair.eligible_from == TODAY() - timedelta(days=10)
    assert repair.reference == (TODAY() - timedelta(days=100)).isoformat()
    assert [c["check"] for c in repair.checked["checks"]] == ["listed", "annual_report"]


def test_accepting_an_abnormal_repair_makes_the_enterprise_active(world: World) -> None:
    listed(world.firm)
    reported(world.firm, days_ago=5)
    repair = repair_apply(
        by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
    )
    with pytest.raises(PermissionDenied):
        repair_decide(repair=repair, by=world.jiangshan, accept=True)
    with pytest.raises(PermissionDenied):
        repair_decide(repair=repair, by=world.owner, accept=True)
    assert audits("market.repair_decide", "denied") == 2
    repair_decide(repair=repair, by=world.kecheng, accept=True, note="核实无误")
    world.firm.refresh_from_db()
    assert world.firm.status == Enterprise.Status.ACTIVE
    removed = world.firm.events.get(kind=EnterpriseEvent.Kind.ABNORMAL_REMOVED)
    assert removed.details["credit_repair"] == repair.pk
    assert CreditRepair.objects.get(pk=repair.pk).state == CreditRepair.State.ACCEPTED
    with pytest.raises(CaseRefused) as refused:
        repair_decide(repair=repair, by=world.kecheng, accept=False, note="again")
    assert refused.value.code == "not_pending"
    # no longer listed: a new application is refused
    with pytest.raises(CaseRefused) as refused:
        repair_apply(
            by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
        )
    assert refused.value.code == "not_listed"


def test_deciding_a_repair_twice_from_stale_copies_is_refused(world: World) -> None:
    listed(world.firm)
    reported(world.firm, days_ago=5)
    repair = repair_apply(
        by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
    )
    first, second = (CreditRepair.objects.get(pk=repair.pk) for _ in range(2))
    repair_decide(repair=first, by=world.kecheng, accept=True, note="核实无误")
    with pytest.raises(CaseRefused) as refused:
        repair_decide(repair=second, by=world.city_clerk, accept=True, note="again")
    assert refused.value.code == "not_pending"
    assert world.firm.events.filter(kind=EnterpriseEvent.Kind.ABNORMAL_REMOVED).count() == 1
    assert CreditRepair.objects.get(pk=repair.pk).decision_note == "核实无误"
    assert audits("market.repair_decide") == 1


def test_refusing_needs_a_note(world: World) -> None:
    listed(world.firm)
    reported(world.firm, days_ago=5)
    repair = repair_apply(
        by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
    )
    with pytest.raises(CaseRefused) as refused:
        repair_decide(repair=repair, by=world.kecheng, accept=False)
    assert refused.value.code == "bad_note"
    repair_decide(repair=repair, by=world.city_clerk, accept=False, note="年报信息不实")
    repair.refresh_from_db()
    assert repair.state == CreditRepair.State.REFUSED
    assert Enterprise.objects.get(pk=world.firm.pk).status == Enterprise.Status.ABNORMAL


def test_not_listed_and_duplicate_applications_are_refused(world: World) -> None:
    with pytest.raises(CaseRefused) as refused:
        repair_apply(
            by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
        )
    assert refused.value.code == "not_listed"
    listed(world.firm)
    reported(world.firm, days_ago=1)
    repair_apply(
        by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
    )
    with pytest.raises(CaseRefused) as refused:
        repair_apply(
            by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
        )
    assert refused.value.code == "duplicate"
    with pytest.raises(CaseRefused) as refused:
        repair_apply(
            by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=""
        )
    assert refused.value.code == "bad_statement"
    assert CreditRepair.objects.count() == 1


def test_a_duplicate_the_checks_missed_is_refused_by_the_database(
    world: World, monkeypatch: Any
) -> None:
    """Two identical applications at once on PostgreSQL: neither sees the other in its checks;
    the constraint refuses the second, as a duplicate, with nothing stored."""
    from shuzhi.domains.market.services import cases as service

    listed(world.firm)
    reported(world.firm, days_ago=1)
    repair_apply(
        by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
    )
    monkeypatch.setattr(service, "_repair_pending", lambda *args: False)
    with pytest.raises(CaseRefused) as refused:
        repair_apply(
            by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
        )
    assert refused.value.code == "duplicate"
    assert CreditRepair.objects.count() == 1


def test_only_the_enterprises_own_user_applies(world: World) -> None:
    listed(world.firm)
    reported(world.firm, days_ago=1)
    for user in (world.other_owner, world.kecheng, world.city_clerk):
        with pytest.raises(PermissionDenied):
            repair_apply(
                by=user, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
            )
    assert CreditRepair.objects.count() == 0
    assert audits("market.repair_apply", "denied") == 3


# --- End of a penalty's publication -------------------------------------------------------------


def test_penalty_repair_before_the_waiting_period_names_the_date(world: World) -> None:
    case = penalised(world, world.plain, days_ago=100)
    owner = user_of(world.plain)
    assert case.decided_on is not None
    eligible = lenient.add_months(case.decided_on, 6)
    with translation.override("en"), pytest.raises(CaseRefused) as refused:
        repair_apply(
            by=owner,
            credit_code=world.plain.credit_code,
            kind="penalty",
            reference=case.number,
            statement="已整改并缴纳罚款",
        )
    assert refused.value.code == "too_early"
    assert eligible.isoformat() in refused.value.message
    assert "6 months" in refused.value.message
    assert CreditRepair.objects.count() == 0
    entry = AuditEntry.objects.get(action="market.repair_apply", outcome="failure")
    assert entry.details["eligible_from"] == eligible.isoformat()


def test_general_penalty_is_repairable_after_six_months(world: World) -> None:
    case = penalised(world, world.plain, days_ago=200)
    owner = user_of(world.plain)
    repair = repair_apply(
        by=owner,
        credit_code=world.plain.credit_code,
        kind="penalty",
        reference=case.number,
        statement="已整改并缴纳罚款",
    )
    assert repair.special_field is False
    assert case.decided_on is not None
    assert repair.published_on == case.decided_on
    assert repair.eligible_from == lenient.add_months(case.decided_on, 6)
    assert repair.checked["checks"][-1] == {
        "check": "waited",
        "date": repair.eligible_from.isoformat(),
    }
    repair_decide(repair=repair, by=world.kecheng, accept=True)
    assert CreditRepair.objects.get(pk=repair.pk).state == CreditRepair.State.ACCEPTED


def test_food_penalty_waits_twelve_months(world: World) -> None:
    case = penalised(world, world.firm, days_ago=200)  # a restaurant (H6210)
    with translation.override("en"), pytest.raises(CaseRefused) as refused:
        repair_apply(
            by=world.owner,
            credit_code=world.firm.credit_code,
            kind="penalty",
            reference=case.number,
            statement="已整改",
        )
    assert refused.value.code == "too_early"
    assert case.decided_on is not None
    assert lenient.add_months(case.decided_on, 12).isoformat() in refused.value.message
    assert "12 months" in refused.value.message
    old = penalised(world, world.firm, days_ago=400)
    repair = repair_apply(
        by=world.owner,
        credit_code=world.firm.credit_code,
        kind="penalty",
        reference=old.number,
        statement="已整改",
    )
    assert repair.special_field is True


def test_unpaid_fine_and_someone_elses_case_are_refused(world: World) -> None:
    unpaid = penalised(world, world.plain, days_ago=300, paid=False)
    owner = user_of(world.plain)
    with pytest.raises(CaseRefused) as refused:
        repair_apply(
            by=owner,
            credit_code=world.plain.credit_code,
            kind="penalty",
            reference=unpaid.number,
            statement="x",
        )
    assert refused.value.code == "fine_unpaid"
    theirs = penalised(world, world.far, days_ago=500)
    with pytest.raises(CaseRefused) as refused:  # a tampered case number
        repair_apply(
            by=owner,
            credit_code=world.plain.credit_code,
            kind="penalty",
            reference=theirs.number,
            statement="x",
        )
    assert refused.value.code == "unknown_case"
    assert CreditRepair.objects.count() == 0


# --- Pages ----------------------------------------------------------------------------------


def test_repair_page_applies_and_shows_history(world: World) -> None:
    url = reverse("market:repair_apply")
    browser = client(world.owner)
    assert browser.get(url).status_code == 200
    early = browser.post(url, {"kind": "abnormal", "statement": STATEMENT})
    assert early.status_code == 400
    assert "not on the abnormal-operation list" in early.content.decode()
    assert STATEMENT in early.content.decode()  # typed input kept
    listed(world.firm)
    reported(world.firm, days_ago=3)
    done = browser.post(url, {"kind": "abnormal", "statement": STATEMENT})
    assert done.status_code == 302
    page = browser.get(url).content.decode()
    assert "Annual report filed on" in page
    assert 'id="repair-history"' in page


def test_repair_page_refuses_others(world: World) -> None:
    url = reverse("market:repair_apply")
    assert client(world.kecheng).get(url).status_code == 403
    anonymous = client().get(url)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]
    no_code = UserFactory(username="nocode", department=None, roles=["enterprise"])
    assert client(no_code).get(url).status_code == 403


def test_inbox_keeps_to_the_county_and_decides(world: World) -> None:
    listed(world.firm)
    reported(world.firm, days_ago=3)
    repair = repair_apply(
        by=world.owner, credit_code=world.firm.credit_code, kind="abnormal", statement=STATEMENT
    )
    assert list(repair_inbox(by=world.kecheng)) == [repair]
    assert list(repair_inbox(by=world.jiangshan)) == []
    assert list(repair_inbox(by=world.city_clerk)) == [repair]
    with pytest.raises(PermissionDenied):
        repair_inbox(by=world.owner)
    inbox = client(world.kecheng).get(reverse("market:repairs")).content.decode()
    assert f'id="repair-{repair.pk}"' in inbox
    other = client(world.jiangshan).get(reverse("market:repairs")).content.decode()
    assert f'id="repair-{repair.pk}"' not in other
    decide = reverse("market:repair_decide", args=[repair.pk])
    assert client(world.jiangshan).post(decide, {"accept": "1"}).status_code == 403
    assert client(world.owner).post(decide, {"accept": "1"}).status_code == 403
    assert (
        client(world.kecheng).post(reverse("market:repair_decide", args=[9999]), {}).status_code
        == 404
    )
    assert client(world.kecheng).post(decide, {"accept": "1"}).status_code == 302
    assert CreditRepair.objects.get(pk=repair.pk).state == CreditRepair.State.ACCEPTED
