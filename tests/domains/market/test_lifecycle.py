"""The enterprise life cycle: registration events, deregistration (simplified with a public
notice and objections, ordinary), the registry and life-cycle pages, the public notices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from shuzhi.domains.market.models import (
    Case,
    Deregistration,
    Enterprise,
    EnterpriseEvent,
    Objection,
)
from shuzhi.domains.market.services.lifecycle import (
    LifecycleRefused,
    abnormal_list,
    abnormal_remove,
    annual_report_record,
    deregistration_apply,
    deregistration_decide,
    deregistration_object,
    deregistration_withdraw,
    enterprise_change,
    enterprise_register,
    enterprise_revoke,
)
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.loop.models import Task
from shuzhi.platform.security.identifiers import credit_code_check_char
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KECHENG, JIANGSHAN = "330802", "330881"


def code(n: int, county: str = KECHENG) -> str:
    body = f"91{county}MA2L{n:05d}"
    return body + credit_code_check_char(body)


@dataclass
class World:
    city_clerk: User
    kecheng: User
    jiangshan: User
    steward: User
    fin_clerk: User
    owner: User  # the enterprise user of firm
    other_owner: User
    firm: Enterprise  # Kecheng
    far: Enterprise  # Jiangshan


def _enterprise(n: int, county: str, **extra: Any) -> Enterprise:
    return Enterprise.objects.create(
        credit_code=code(n, county),
        name=f"生命周期测试{n}有限公司",
        enterprise_type="有限责任公司",
        legal_representative="张三丰",
        address="衢州市某路1号",
        county_id=county,
        industry_code="C2221",
        registered_capital=Decimal("100.00"),
        established_on=date(2015, 1, 1),
        status=extra.pop("status", Enterprise.Status.ACTIVE),
        **extra,
    )


@pytest.fixture
def world(settings: Any) -> World:
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    settings.MARKET_DEPARTMENT = "330800-AMR"
    settings.MARKET_DEREGISTRATION_NOTICE_DAYS = 20
    city, _ = Division.objects.get_or_create(
        code="330800", defaults={"name": "衢州市", "name_en": "Quzhou", "level": "city"}
    )
    for cc, name in ((KECHENG, "柯城区"), (JIANGSHAN, "江山市")):
        Division.objects.get_or_create(
            code=cc, defaults={"name": name, "name_en": name, "level": "county", "parent": city}
        )
    Division.objects.get_or_create(
        code="330802001",
        defaults={"name": "府山街道", "level": "town", "parent_id": KECHENG},
    )
    depts = {}
    for cc, division in (
        ("330800-AMR", "330800"),
        ("330802-AMR", KECHENG),
        ("330881-AMR", JIANGSHAN),
        ("330800-FIN", "330800"),
    ):
        depts[cc], _ = Department.objects.get_or_create(
            code=cc, defaults={"name": cc, "division_id": division}
        )
    firm = _enterprise(1, KECHENG)
    far = _enterprise(2, JIANGSHAN)
    owner = UserFactory(username="firm_user", department=None, roles=["enterprise"])
    owner.credit_code = firm.credit_code
    owner.save()
    other = UserFactory(username="far_user", department=None, roles=["enterprise"])
    other.credit_code = far.credit_code
    other.save()
    return World(
        city_clerk=UserFactory(username="c_clerk", department=depts["330800-AMR"], roles=["clerk"]),
        kecheng=UserFactory(username="k_clerk", department=depts["330802-AMR"], roles=["clerk"]),
        jiangshan=UserFactory(username="j_clerk", department=depts["330881-AMR"], roles=["clerk"]),
        steward=UserFactory(
            username="amr_steward", department=depts["330800-AMR"], roles=["data_steward"]
        ),
        fin_clerk=UserFactory(username="f_clerk", department=depts["330800-FIN"], roles=["clerk"]),
        owner=owner,
        other_owner=other,
        firm=firm,
        far=far,
    )


def _denied(action: str) -> int:
    return AuditEntry.objects.filter(action=action, outcome="denied").count()


def _client(user: User | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


# --- Registration ---------------------------------------------------------------------------


def _register(by: User, **extra: Any) -> Enterprise:
    values: dict[str, Any] = {
        "credit_code": code(9),
        "name": "新设测试有限公司",
        "enterprise_type": "limited_company",
        "legal_representative": "李四",
        "address": "柯城区新路2号",
        "county_code": KECHENG,
        "town_code": "330802001",
        "industry_code": "F5123",
        "registered_capital": "50",
    }
    values.update(extra)
    return enterprise_register(by=by, **values)


def test_register_records_the_establishment(world: World) -> None:
    enterprise = _register(world.kecheng)
    assert enterprise.status == Enterprise.Status.ACTIVE
    assert enterprise.town_id == "330802001"
    event = enterprise.events.get()
    assert event.kind == EnterpriseEvent.Kind.ESTABLISHED
    assert event.details["legal_representative"] == "李*"
    stored = Enterprise.objects.get(pk=enterprise.pk)
    assert stored.legal_representative == "李四"  # decrypted on read
    assert AuditEntry.objects.filter(action="market.enterprise_register", outcome="success")


def test_registering_twice_at_once_is_refused_not_an_error(world: World) -> None:
    # the second of two simultaneous submits passes the duplicate checks before the first
    # commits: its insert hits the unique credit code
    from django.db.models.signals import pre_save

    def first_commits(sender: Any, instance: Enterprise, **kwargs: Any) -> None:
        pre_save.disconnect(first_commits, sender=Enterprise)  # once
        _enterprise(9, KECHENG)  # the same credit code as _register's

    pre_save.connect(first_commits, sender=Enterprise)
    try:
        with pytest.raises(LifecycleRefused) as refused:
            _register(world.kecheng)
    finally:
        pre_save.disconnect(first_commits, sender=Enterprise)
    # (here the "first" row rolls back with the refused insert, so it may read as the name)
    assert refused.value.code in {"duplicate_code", "duplicate_name"}
    assert _denied("market.enterprise_register") == 1


def test_register_refuses_an_invalid_credit_code_with_the_reason(world: World) -> None:
    bad = code(9)[:-1] + ("0" if code(9)[-1] != "0" else "1")
    with translation.override("en"), pytest.raises(LifecycleRefused) as refused:
        _register(world.kecheng, credit_code=bad)
    assert refused.value.code == "invalid_credit_code"
    assert "Invalid credit code:" in refused.value.message
    assert "check" in refused.value.message.lower()
    assert not Enterprise.objects.filter(name="新设测试有限公司").exists()
    assert _denied("market.enterprise_register") == 1


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        ({"name": "生命周期测试1有限公司"}, "duplicate_name"),
        ({"credit_code": code(1)}, "duplicate_code"),
        ({"industry_code": "9999"}, "bad_industry"),
        ({"registered_capital": "-1"}, "bad_capital"),
        ({"town_code": "330881001"}, "bad_town"),
    ],
)
def test_register_refuses_bad_input(world: World, extra: dict[str, str], reason: str) -> None:
    before = Enterprise.objects.count()
    with pytest.raises(LifecycleRefused) as refused:
        _register(world.kecheng, **extra)
    assert refused.value.code == reason
    assert Enterprise.objects.count() == before
    assert EnterpriseEvent.objects.count() == 0


def test_register_in_another_county_or_without_the_role_is_refused(world: World) -> None:
    for user in (world.jiangshan, world.steward, world.fin_clerk, world.owner):
        with pytest.raises(PermissionDenied):
            _register(user)
    assert not Enterprise.objects.filter(name="新设测试有限公司").exists()
    assert _denied("market.enterprise_register") == 4
    # the city's market department reaches every county
    assert _register(world.city_clerk).county_id == KECHENG


def test_change_masks_the_legal_representative(world: World) -> None:
    event = enterprise_change(
        by=world.kecheng, enterprise=world.firm, field="legal_representative", value="王小明"
    )
    assert event.details == {"field": "legal_representative", "old": "张**", "new": "王**"}
    world.firm.refresh_from_db()
    assert world.firm.legal_representative == "王小明"
    enterprise_change(
        by=world.kecheng, enterprise=world.firm, field="registered_capital", value="200"
    )
    world.firm.refresh_from_db()
    assert world.firm.registered_capital == Decimal("200.00")


def test_change_refusals_change_nothing(world: World) -> None:
    with pytest.raises(PermissionDenied):
        enterprise_change(by=world.jiangshan, enterprise=world.firm, field="address", value="x")
    with pytest.raises(LifecycleRefused) as refused:
        enterprise_change(by=world.kecheng, enterprise=world.firm, field="status", value="revoked")
    assert refused.value.code == "bad_field"
    with pytest.raises(LifecycleRefused):
        enterprise_change(
            by=world.kecheng, enterprise=world.firm, field="name", value=world.far.name
        )
    world.firm.refresh_from_db()
    assert world.firm.status == Enterprise.Status.ACTIVE
    assert world.firm.name == "生命周期测试1有限公司"
    assert not world.firm.events.exists()


@pytest.mark.parametrize(
    ("field", "limit"), [("name", 200), ("enterprise_type", 64), ("legal_representative", 64)]
)
def test_change_refuses_a_value_longer_than_the_field(world: World, field: str, limit: int) -> None:
    with pytest.raises(LifecycleRefused) as refused:
        enterprise_change(by=world.kecheng, enterprise=world.firm, field=field, value="长" * 201)
    assert refused.value.code == "too_long"
    assert str(limit) in refused.value.message
    firm = Enterprise.objects.get(pk=world.firm.pk)
    assert len(str(getattr(firm, field))) <= limit
    assert not firm.events.exists()


def test_a_change_from_a_stale_copy_keeps_the_status_changed_meanwhile(world: World) -> None:
    stale = Enterprise.objects.get(pk=world.firm.pk)
    abnormal_list(by=world.kecheng, enterprise=world.firm, reason="未年报")
    enterprise_change(by=world.kecheng, enterprise=stale, field="address", value="新地址1号")
    firm = Enterprise.objects.get(pk=world.firm.pk)
    assert (firm.status, firm.address) == (Enterprise.Status.ABNORMAL, "新地址1号")


def test_status_changes_and_reports_twice_from_stale_copies_are_refused(world: World) -> None:
    first, second = (Enterprise.objects.get(pk=world.firm.pk) for _ in range(2))
    abnormal_list(by=world.kecheng, enterprise=first, reason="未年报")
    with pytest.raises(LifecycleRefused) as refused:
        abnormal_list(by=world.kecheng, enterprise=second, reason="未年报")
    assert refused.value.code == "wrong_status"
    kinds = list(world.firm.events.values_list("kind", flat=True))
    assert kinds == [EnterpriseEvent.Kind.ABNORMAL_LISTED]
    assert AuditEntry.objects.filter(action="market.abnormal_list", outcome="denied").count() == 1


def test_deciding_a_deregistration_twice_from_stale_copies_is_refused(world: World) -> None:
    application = deregistration_apply(
        by=world.jiangshan, enterprise=world.far, procedure="ordinary"
    )
    first, second = (
        Deregistration.objects.select_related("enterprise").get(pk=application.pk) for _ in range(2)
    )
    deregistration_decide(by=world.jiangshan, application=first, approve=True)
    with pytest.raises(LifecycleRefused) as refused:
        deregistration_decide(by=world.city_clerk, application=second, approve=False, note="不予")
    assert refused.value.code == "changed"
    application.refresh_from_db()
    assert application.state == Deregistration.State.DEREGISTERED
    assert application.decided_by == world.jiangshan
    assert world.far.events.filter(kind=EnterpriseEvent.Kind.DEREGISTERED).count() == 1
    # nor can a stale copy withdraw it afterwards
    with pytest.raises(LifecycleRefused):
        deregistration_withdraw(by=world.jiangshan, application=second)
    assert Deregistration.objects.get(pk=application.pk).state == "deregistered"


def test_annual_report_once_a_year(world: World) -> None:
    year = timezone.localdate().year - 1
    annual_report_record(by=world.kecheng, enterprise=world.firm, year=year)
    with pytest.raises(LifecycleRefused) as refused:
        annual_report_record(by=world.kecheng, enterprise=world.firm, year=year)
    assert refused.value.code == "already_filed"
    with pytest.raises(LifecycleRefused):
        annual_report_record(
            by=world.kecheng, enterprise=world.firm, year=timezone.localdate().year
        )
    assert world.firm.events.filter(kind=EnterpriseEvent.Kind.ANNUAL_REPORT).count() == 1


def test_abnormal_listing_removal_and_revocation(world: World) -> None:
    abnormal_list(by=world.kecheng, enterprise=world.firm, reason="未按规定报送年报")
    world.firm.refresh_from_db()
    assert world.firm.status == Enterprise.Status.ABNORMAL
    with pytest.raises(LifecycleRefused) as refused:
        abnormal_list(by=world.kecheng, enterprise=world.firm, reason="again")
    assert refused.value.code == "wrong_status"
    with pytest.raises(LifecycleRefused) as refused:
        abnormal_remove(by=world.kecheng, enterprise=world.firm, reason="  ")
    assert refused.value.code == "no_reason"
    abnormal_remove(by=world.kecheng, enterprise=world.firm, reason="已补报年报")
    world.firm.refresh_from_db()
    assert world.firm.status == Enterprise.Status.ACTIVE
    with pytest.raises(PermissionDenied):
        enterprise_revoke(by=world.jiangshan, enterprise=world.firm, reason="x")
    enterprise_revoke(by=world.kecheng, enterprise=world.firm, reason="吊销")
    world.firm.refresh_from_db()
    assert world.firm.status == Enterprise.Status.REVOKED
    kinds = list(world.firm.events.order_by("pk").values_list("kind", flat=True))
    assert kinds == ["abnormal_listed", "abnormal_removed", "revoked"]


# --- Deregistration -------------------------------------------------------------------------


def _case(enterprise: Enterprise, number: str, **extra: Any) -> Case:
    return Case.objects.create(
        number=number,
        credit_code=enterprise.credit_code,
        enterprise_name=enterprise.name,
        county_code=enterprise.county_id,
        violation="test",
        facts="facts",
        occurred_on=date(2025, 1, 1),
        **extra,
    )


def test_simplified_deregistration_starts_a_notice(world: World) -> None:
    application = deregistration_apply(
        by=world.owner, enterprise=world.firm, procedure="simplified"
    )
    today = timezone.localdate()
    assert application.state == Deregistration.State.NOTICE
    assert application.notice_from == today
    assert application.notice_until == today + timedelta(days=20)
    assert world.firm.events.filter(kind=EnterpriseEvent.Kind.NOTICE_STARTED).exists()
    with pytest.raises(LifecycleRefused) as refused:
        deregistration_apply(by=world.kecheng, enterprise=world.firm, procedure="ordinary")
    assert refused.value.code == "pending"


def test_deregistration_with_an_open_case_is_refused_naming_it(world: World) -> None:
    _case(world.firm, "柯市监立〔2026〕7号")
    with translation.override("en"), pytest.raises(LifecycleRefused) as refused:
        deregistration_apply(by=world.owner, enterprise=world.firm, procedure="simplified")
    assert refused.value.code == "open_cases"
    assert "柯市监立〔2026〕7号" in refused.value.message
    assert not Deregistration.objects.exists()
    assert not world.firm.events.exists()
    assert _denied("market.deregistration_apply") == 1


def test_deregistration_with_an_unpaid_penalty_is_refused_naming_it(world: World) -> None:
    _case(
        world.firm,
        "柯市监罚〔2026〕3号",
        state=Case.State.DECIDED,
        outcome=Case.Outcome.PENALTY,
        fine=Decimal("5000"),
    )
    _case(  # a paid fine does not block
        world.firm,
        "柯市监罚〔2026〕4号",
        state=Case.State.CLOSED,
        outcome=Case.Outcome.PENALTY,
        fine=Decimal("100"),
        fine_paid=True,
    )
    with translation.override("en"), pytest.raises(LifecycleRefused) as refused:
        deregistration_apply(by=world.kecheng, enterprise=world.firm, procedure="ordinary")
    assert refused.value.code == "unpaid_penalties"
    assert "柯市监罚〔2026〕3号" in refused.value.message
    assert "4号" not in refused.value.message
    assert not Deregistration.objects.exists()


def test_deregistration_applicants(world: World) -> None:
    for user in (world.other_owner, world.jiangshan, world.steward, world.fin_clerk):
        with pytest.raises(PermissionDenied):
            deregistration_apply(by=user, enterprise=world.firm, procedure="simplified")
    assert not Deregistration.objects.exists()
    with pytest.raises(LifecycleRefused) as refused:
        deregistration_apply(by=world.owner, enterprise=world.firm, procedure="quick")
    assert refused.value.code == "bad_procedure"
    world.firm.status = Enterprise.Status.DEREGISTERED
    world.firm.save()
    with pytest.raises(LifecycleRefused) as refused:
        deregistration_apply(by=world.owner, enterprise=world.firm, procedure="simplified")
    assert refused.value.code == "deregistered"


def test_objection_during_the_notice_and_not_after(world: World) -> None:
    application = deregistration_apply(
        by=world.owner, enterprise=world.firm, procedure="simplified"
    )
    with pytest.raises(LifecycleRefused) as refused:
        deregistration_object(
            by=None, application=application, objector="", contact="1", reason="x"
        )
    assert refused.value.code == "invalid_objection"
    assert not Objection.objects.exists()
    objection = deregistration_object(
        by=None,
        application=application,
        objector="衢州某供应商",
        contact="13800000000",
        reason="尚欠货款十万元未结清",
    )
    application.refresh_from_db()
    assert application.state == Deregistration.State.OBJECTED
    assert Objection.objects.get(pk=objection.pk).contact == "13800000000"
    assert world.firm.events.filter(kind=EnterpriseEvent.Kind.NOTICE_OBJECTED).exists()
    task = Task.objects.get(source_ref=str(application.pk))
    assert task.type_code == "market.deregistration_objection"
    # after the notice has ended
    Deregistration.objects.filter(pk=application.pk).update(
        notice_until=timezone.localdate() - timedelta(days=1)
    )
    application.refresh_from_db()
    with translation.override("en"), pytest.raises(LifecycleRefused) as refused:
        deregistration_object(
            by=None, application=application, objector="某人", contact="1380", reason="太晚了的异议"
        )
    assert refused.value.code == "notice_ended"
    assert "ended on" in refused.value.message
    assert Objection.objects.count() == 1


def test_decision_waits_for_the_notice_and_rechecks_cases(world: World) -> None:
    application = deregistration_apply(
        by=world.owner, enterprise=world.firm, procedure="simplified"
    )
    with translation.override("en"), pytest.raises(LifecycleRefused) as refused:
        deregistration_decide(by=world.kecheng, application=application, approve=True)
    assert refused.value.code == "notice_running"
    assert application.notice_until is not None
    assert application.notice_until.isoformat() in refused.value.message
    with pytest.raises(PermissionDenied):
        deregistration_decide(by=world.jiangshan, application=application, approve=True)
    Deregistration.objects.filter(pk=application.pk).update(
        notice_until=timezone.localdate() - timedelta(days=1)
    )
    application.refresh_from_db()
    _case(world.firm, "柯市监立〔2026〕9号")  # opened while on notice
    with pytest.raises(LifecycleRefused) as refused:
        deregistration_decide(by=world.kecheng, application=application, approve=True)
    assert refused.value.code == "open_cases"
    world.firm.refresh_from_db()
    assert world.firm.status == Enterprise.Status.ACTIVE
    Case.objects.all().update(state=Case.State.CLOSED)
    deregistration_decide(by=world.kecheng, application=application, approve=True)
    world.firm.refresh_from_db()
    application.refresh_from_db()
    assert world.firm.status == Enterprise.Status.DEREGISTERED
    assert application.state == Deregistration.State.DEREGISTERED
    assert application.decided_by == world.kecheng
    assert world.firm.events.filter(kind=EnterpriseEvent.Kind.DEREGISTERED).exists()
    with pytest.raises(LifecycleRefused):
        deregistration_decide(by=world.kecheng, application=application, approve=False, note="x")


def test_an_objected_notice_cannot_be_approved_only_refused(world: World) -> None:
    application = deregistration_apply(
        by=world.owner, enterprise=world.firm, procedure="simplified"
    )
    deregistration_object(
        by=None,
        application=application,
        objector="债权人",
        contact="13900000000",
        reason="有欠款未还",
    )
    application.refresh_from_db()
    with pytest.raises(LifecycleRefused) as refused:
        deregistration_decide(by=world.kecheng, application=application, approve=True)
    assert refused.value.code == "objected"
    with pytest.raises(LifecycleRefused) as refused:
        deregistration_decide(by=world.kecheng, application=application, approve=False)
    assert refused.value.code == "no_note"
    deregistration_decide(by=world.kecheng, application=application, approve=False, note="有异议")
    application.refresh_from_db()
    world.firm.refresh_from_db()
    assert application.state == Deregistration.State.REFUSED
    assert world.firm.status == Enterprise.Status.ACTIVE


def test_ordinary_deregistration_decided_at_once(world: World) -> None:
    application = deregistration_apply(
        by=world.jiangshan, enterprise=world.far, procedure="ordinary"
    )
    assert application.notice_until is None
    with pytest.raises(LifecycleRefused):  # no notice: no objection
        deregistration_object(
            by=None, application=application, objector="某", contact="1390", reason="异议理由"
        )
    deregistration_decide(by=world.city_clerk, application=application, approve=True)
    world.far.refresh_from_db()
    assert world.far.status == Enterprise.Status.DEREGISTERED


def test_withdraw_by_the_applicant_only(world: World) -> None:
    application = deregistration_apply(
        by=world.owner, enterprise=world.firm, procedure="simplified"
    )
    with pytest.raises(PermissionDenied):
        deregistration_withdraw(by=world.other_owner, application=application)
    deregistration_withdraw(by=world.owner, application=application)
    application.refresh_from_db()
    assert application.state == Deregistration.State.WITHDRAWN
    with pytest.raises(LifecycleRefused):
        deregistration_withdraw(by=world.owner, application=application)


# --- Pages ----------------------------------------------------------------------------------


def test_registry_lists_only_the_county_in_reach(world: World) -> None:
    body = _client(world.kecheng).get(reverse("market:registry")).content.decode()
    assert world.firm.credit_code in body
    assert world.far.credit_code not in body
    # asking for the other county shows nothing of it
    body = (
        _client(world.kecheng)
        .get(reverse("market:registry"), {"county": JIANGSHAN})
        .content.decode()
    )
    assert world.far.credit_code not in body
    body = (
        _client(world.city_clerk).get(reverse("market:registry"), {"q": "2有限"}).content.decode()
    )
    assert world.far.credit_code in body
    assert world.firm.credit_code not in body
    body = (
        _client(world.steward)
        .get(reverse("market:registry"), {"status": "active"})
        .content.decode()
    )
    assert world.far.credit_code in body
    assert 'id="register-link"' not in body


def test_registry_refuses_enterprise_users_and_anonymous(world: World) -> None:
    assert _client(world.owner).get(reverse("market:registry")).status_code == 403
    page = _client().get(reverse("market:registry"))
    assert page.status_code == 302


def test_lifecycle_page_actions_only_for_the_county(world: World) -> None:
    url = reverse("market:lifecycle", args=[world.firm.credit_code])
    body = _client(world.kecheng).get(url).content.decode()
    assert 'id="change-form"' in body
    assert "张**" in body
    assert "张三丰" not in body
    body = _client(world.jiangshan).get(url).content.decode()
    assert 'id="read-only"' in body
    assert 'id="change-form"' not in body
    # a POST from the other county is refused and changes nothing
    page = _client(world.jiangshan).post(
        reverse("market:lifecycle_status", args=[world.firm.credit_code, "list"]),
        {"reason": "x"},
    )
    assert page.status_code == 403
    world.firm.refresh_from_db()
    assert world.firm.status == Enterprise.Status.ACTIVE
    page = _client(world.kecheng).post(
        reverse("market:lifecycle_status", args=[world.firm.credit_code, "list"]),
        {"reason": "未年报"},
        follow=True,
    )
    assert page.status_code == 200
    world.firm.refresh_from_db()
    assert world.firm.status == Enterprise.Status.ABNORMAL


def test_lifecycle_page_bad_code_says_why(world: World) -> None:
    page = _client(world.kecheng).get(reverse("market:lifecycle", args=["12345"]))
    assert page.status_code == 400
    assert "Invalid credit code" in page.content.decode()


def test_register_page(world: World) -> None:
    url = reverse("market:enterprise_register")
    assert _client(world.steward).get(url).status_code == 403
    data = {
        "credit_code": "91330802MA2L0000X",
        "name": "页面新设有限公司",
        "enterprise_type": "limited_company",
        "legal_representative": "赵六",
        "address": "柯城区",
        "county_code": KECHENG,
        "industry_code": "C2221",
        "registered_capital": "10",
    }
    page = _client(world.kecheng).post(url, data)
    assert page.status_code == 400
    assert "Invalid credit code" in page.content.decode()
    assert not Enterprise.objects.filter(name="页面新设有限公司").exists()
    data["credit_code"] = code(77)
    page = _client(world.kecheng).post(url, data)
    assert page.status_code == 302
    assert Enterprise.objects.filter(name="页面新设有限公司", county_id=KECHENG).exists()
    data.update(credit_code=code(78), name="他县新设有限公司")  # not a county in reach
    page = _client(world.jiangshan).post(url, data)
    assert page.status_code == 400
    assert not Enterprise.objects.filter(name="他县新设有限公司").exists()


def test_enterprise_user_applies_and_withdraws(world: World) -> None:
    url = reverse("market:deregistration_apply")
    client = _client(world.owner)
    page = client.get(url)
    assert page.status_code == 200
    assert world.firm.name in page.content.decode()
    page = client.post(url, {"procedure": "simplified", "reason": "歇业"})
    assert page.status_code == 302
    application = Deregistration.objects.get(enterprise=world.firm)
    body = client.get(url).content.decode()
    assert 'id="pending"' in body
    client.post(reverse("market:deregistration_withdraw", args=[application.pk]))
    application.refresh_from_db()
    assert application.state == Deregistration.State.WITHDRAWN
    # a regulator is not an enterprise user; anonymous is sent to sign in
    assert _client(world.kecheng).get(url).status_code == 403
    assert _client().get(url).status_code == 302


def test_enterprise_user_with_an_open_case_is_told_why(world: World) -> None:
    _case(world.firm, "柯市监立〔2026〕8号")
    page = _client(world.owner).post(
        reverse("market:deregistration_apply"), {"procedure": "simplified"}
    )
    assert page.status_code == 400
    assert "柯市监立〔2026〕8号" in page.content.decode()
    assert not Deregistration.objects.exists()


def test_public_notices_and_anonymous_objection(world: World) -> None:
    application = deregistration_apply(
        by=world.owner, enterprise=world.firm, procedure="simplified"
    )
    deregistration_apply(by=world.jiangshan, enterprise=world.far, procedure="ordinary")
    public = _client()
    body = public.get(reverse("market:deregistration_notices")).content.decode()
    assert world.firm.credit_code in body
    assert world.far.credit_code not in body  # ordinary: no public notice
    url = reverse("market:objection", args=[application.pk])
    page = public.post(url, {"objector": "", "contact": "", "reason": ""})
    assert page.status_code == 400
    assert not Objection.objects.exists()
    page = public.post(
        url, {"objector": "某供应商", "contact": "13700000000", "reason": "货款未结清，有异议"}
    )
    assert page.status_code == 302
    assert Objection.objects.filter(deregistration=application).count() == 1
    Deregistration.objects.filter(pk=application.pk).update(
        notice_from=timezone.localdate() - timedelta(days=25),
        notice_until=timezone.localdate() - timedelta(days=5),
    )
    body = public.get(reverse("market:deregistration_notices")).content.decode()
    assert world.firm.credit_code not in body
    page = public.post(url, {"objector": "某人", "contact": "1370", "reason": "迟到的异议理由"})
    assert page.status_code == 409
    assert Objection.objects.count() == 1


def test_an_address_posting_too_many_objections_is_slowed_down(world: World) -> None:
    from shuzhi.domains.market.views_lifecycle import OBJECTIONS_PER_MINUTE

    application = deregistration_apply(
        by=world.owner, enterprise=world.firm, procedure="simplified"
    )
    url = reverse("market:objection", args=[application.pk])
    public = _client()
    for _ in range(OBJECTIONS_PER_MINUTE):
        assert public.post(url, {"objector": "", "contact": "", "reason": ""}).status_code == 400
    valid = {"objector": "某供应商", "contact": "13700000000", "reason": "货款未结清，有异议"}
    with translation.override("en"):
        page = public.post(url, valid, HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 429
    assert "Too many objections" in page.content.decode()
    assert not Objection.objects.exists()
    other = _client()  # another address still may
    assert other.post(url, valid, REMOTE_ADDR="10.0.0.9").status_code == 302
    signed_in = _client(world.owner)  # signed-in people are not counted
    assert signed_in.post(url, valid).status_code != 429


def test_decide_page_refuses_before_the_notice_ends(world: World) -> None:
    application = deregistration_apply(
        by=world.owner, enterprise=world.firm, procedure="simplified"
    )
    page = _client(world.kecheng).post(
        reverse("market:deregistration_decide", args=[application.pk]),
        {"decision": "approve"},
        follow=True,
    )
    assert "The public notice runs until" in page.content.decode()
    world.firm.refresh_from_db()
    assert world.firm.status == Enterprise.Status.ACTIVE


# --- Demo loader ----------------------------------------------------------------------------


def test_demo_loader_is_idempotent(world: World) -> None:
    import io

    from shuzhi.demo.market_lifecycle import load

    departments = {d.code: d for d in Department.objects.all()}
    UserFactory(username="clerk", department=departments["330800-AMR"], roles=["clerk"])
    UserFactory(username="kecheng_clerk", department=departments["330802-AMR"], roles=["clerk"])
    UserFactory(username="jiangshan_clerk", department=departments["330881-AMR"], roles=["clerk"])
    for n in range(10, 34):
        _enterprise(n, KECHENG if n % 2 else JIANGSHAN)
    _case(world.far, "江市监立〔2026〕1号")  # a firm with a case is never deregistered
    out = io.StringIO()
    load(stdout=out)
    assert EnterpriseEvent.objects.filter(kind="established").count() == Enterprise.objects.count()
    on_notice = Deregistration.objects.filter(procedure="simplified")
    assert on_notice.count() == 2
    assert on_notice.filter(state="objected").count() == 1
    done = Deregistration.objects.get(procedure="ordinary")
    assert done.state == "deregistered"
    assert done.enterprise != world.far
    assert EnterpriseEvent.objects.filter(kind="annual_report").exists()
    assert EnterpriseEvent.objects.filter(kind="abnormal_listed").exists()
    counts = EnterpriseEvent.objects.count(), Deregistration.objects.count()
    load(stdout=out)
    assert (EnterpriseEvent.objects.count(), Deregistration.objects.count()) == counts
    world.firm.refresh_from_db()


def test_register_and_change_refuse_an_unknown_type(world: World) -> None:
    with pytest.raises(LifecycleRefused) as refused:
        enterprise_change(
            by=world.kecheng, enterprise=world.firm, field="enterprise_type", value="皮包公司"
        )
    assert refused.value.code == "bad_type"
    assert Enterprise.objects.get(pk=world.firm.pk).enterprise_type == world.firm.enterprise_type
    enterprise_change(
        by=world.kecheng,
        enterprise=world.firm,
        field="enterprise_type",
        value="joint_stock_company",
    )
    firm = Enterprise.objects.get(pk=world.firm.pk)
    with translation.override("en"):
        assert firm.get_enterprise_type_display() == "Joint-stock company"
