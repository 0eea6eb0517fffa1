"""Random inspections (双随机一公开): the pool, plans, the reproducible draw with its conflicts,
loop tasks, results, publication, the pages (regulator, inspector, public) and the demo loader.

A small registry of its own (fast): Kecheng has 20 class-A, 10 B, 10 C and 4 D active
enterprises plus one abnormal D enterprise; Jiangshan has 5 class-A enterprises."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from shuzhi.domains.market.models import (
    CreditClass,
    CreditRun,
    Enterprise,
    Inspection,
    InspectionPlan,
    Inspector,
)
from shuzhi.domains.market.services.inspections import (
    InspectionRefused,
    inspection_record,
    inspector_add,
    inspector_link_add,
    inspector_remove,
    plan_create,
    plan_draw,
    plan_publish,
    plan_verify,
)
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.loop.models import Task
from shuzhi.platform.security.identifiers import credit_code_check_char
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KECHENG, JIANGSHAN = "330802", "330881"
# class → numbers of Kecheng's active enterprises
KECHENG_CLASSES = {"A": range(1, 21), "B": range(21, 31), "C": range(31, 41), "D": range(41, 45)}
ABNORMAL = 45  # Kecheng, class D, listed as abnormal: still operating, may be drawn
REVOKED = 46  # Kecheng, class D, licence revoked: never drawn
NO_PASSWORD = None  # unusable (no slow hashing): the tests sign in with force_login


def code(n: int, county: str = KECHENG) -> str:
    body = f"91{county}MA2R{n:05d}"
    return body + credit_code_check_char(body)


@dataclass
class World:
    city: User  # regulator of the city (330800-AMR)
    kecheng: User  # regulator of Kecheng (330802-AMR)
    jiangshan: User
    fin: User  # a clerk of another department
    leader: User  # market.view, no regulation
    staff: list[User]  # Kecheng market staff who may inspect
    run: CreditRun


def _enterprise(n: int, county: str, status: str = Enterprise.Status.ACTIVE) -> Enterprise:
    return Enterprise.objects.create(
        credit_code=code(n, county),
        name=f"抽查测试{county}{n}有限公司",
        enterprise_type="有限责任公司",
        legal_representative="张三",
        address="衢州市某路1号",
        county_id=county,
        industry_code="C2221",
        registered_capital=Decimal("100.00"),
        established_on=date(2015, 1, 1),
        status=status,
    )


@pytest.fixture
def world(settings: Any) -> World:
    settings.LANGUAGE_CODE = "en"
    settings.MARKET_DEPARTMENT = "330800-AMR"
    settings.MARKET_INSPECTION_RATIOS = ["A=5", "B=15", "C=30", "D=50"]
    city, _ = Division.objects.get_or_create(
        code="330800", defaults={"name": "衢州市", "name_en": "Quzhou", "level": "city"}
    )
    for cc, name in ((KECHENG, "柯城区"), (JIANGSHAN, "江山市")):
        Division.objects.get_or_create(
            code=cc, defaults={"name": name, "name_en": name, "level": "county", "parent": city}
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
    run = CreditRun.objects.create(
        as_of=date(2026, 11, 1),
        state=CreditRun.State.COMPLETE,
        trigger=CreditRun.Trigger.MANUAL,
        is_current=True,
    )
    rows = [(grade, n, KECHENG) for grade, ns in KECHENG_CLASSES.items() for n in ns]
    rows += [("D", ABNORMAL, KECHENG), ("D", REVOKED, KECHENG)]
    rows += [("A", n, JIANGSHAN) for n in range(101, 106)]
    for grade, n, county in rows:
        status = {ABNORMAL: Enterprise.Status.ABNORMAL, REVOKED: Enterprise.Status.REVOKED}.get(
            n, Enterprise.Status.ACTIVE
        )
        firm = _enterprise(n, county, status)
        CreditClass.objects.create(
            run=run,
            credit_code=firm.credit_code,
            name=firm.name,
            county_code=county,
            industry_code="C2221",
            score=50.0,
            credit_class=grade,
        )
    return World(
        city=UserFactory(
            username="c_clerk",
            department=depts["330800-AMR"],
            roles=["clerk"],
            password=NO_PASSWORD,
        ),
        kecheng=UserFactory(
            username="k_clerk",
            department=depts["330802-AMR"],
            roles=["clerk"],
            password=NO_PASSWORD,
        ),
        jiangshan=UserFactory(
            username="j_clerk",
            department=depts["330881-AMR"],
            roles=["clerk"],
            password=NO_PASSWORD,
        ),
        fin=UserFactory(
            username="f_clerk",
            department=depts["330800-FIN"],
            roles=["clerk"],
            password=NO_PASSWORD,
        ),
        leader=UserFactory(
            username="leader1",
            department=depts["330800-FIN"],
            roles=["leader"],
            password=NO_PASSWORD,
        ),
        staff=[
            UserFactory(
                username=f"k_inspector{i}",
                department=depts["330802-AMR"],
                roles=["clerk"],
                password=NO_PASSWORD,
            )
            for i in range(1, 5)
        ],
        run=run,
    )


def _pool(world: World, *, fields: tuple[str, ...] = ("general", "food")) -> list[Inspector]:
    return [
        inspector_add(by=world.kecheng, person=p, certificate=f"ZF3308{i:04d}", fields=fields)
        for i, p in enumerate(world.staff, start=1)
    ]


def _plan(world: World, by: User | None = None, **changes: Any) -> InspectionPlan:
    arguments: dict[str, Any] = {
        "by": by or world.kecheng,
        "name": "柯城区2026年第一批",
        "county_code": KECHENG,
        "field": "general",
        "due_on": timezone.localdate() + timedelta(days=30),
        "inspectors_per_inspection": 2,
    }
    arguments.update(changes)
    return plan_create(**arguments)


def _drawn(plan: InspectionPlan) -> dict[str, tuple[str, list[int]]]:
    return {
        item.credit_code: (item.credit_class, sorted(i.pk for i in item.inspectors.all()))
        for item in plan.inspections.all()
    }


def _audits(action: str, outcome: str) -> int:
    return AuditEntry.objects.filter(action=action, outcome=outcome).count()


def _client(user: User | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


# --- the draw -----------------------------------------------------------------------------------


def test_draw_counts_per_class_and_is_reproducible(world: World) -> None:
    _pool(world)
    plan = plan_draw(by=world.kecheng, plan=_plan(world), seed=42)
    assert plan.state == InspectionPlan.State.DRAWN
    assert plan.seed == 42
    # ceil(20×5%)=1, ceil(10×15%)=2, ceil(10×30%)=3, ceil(5×50%)=3 (the abnormal one operates
    # and counts; the revoked one does not)
    assert plan.report["counts"] == {"A": 1, "B": 2, "C": 3, "D": 3}
    assert plan.report["population"] == {"A": 20, "B": 10, "C": 10, "D": 5}
    first = _drawn(plan)
    assert len(first) == 9
    assert code(REVOKED) not in first
    assert all(c.startswith(f"91{KECHENG}") for c in first)
    assert all(len(ids) == 2 for _grade, ids in first.values())
    assert plan_verify(by=world.kecheng, plan=plan).ok

    plan.delete()  # the same seed on the same inputs again
    again = plan_draw(by=world.kecheng, plan=_plan(world), seed=42)
    assert _drawn(again) == first

    other = plan_draw(by=world.kecheng, plan=_plan(world), seed=43)
    assert set(_drawn(other)) != set(first)


def test_draw_without_a_seed_records_the_random_one(world: World) -> None:
    _pool(world)
    plan = plan_draw(by=world.kecheng, plan=_plan(world))
    assert plan.seed is not None
    assert 0 <= plan.seed < 2**62
    entry = AuditEntry.objects.filter(action="market.inspection_draw", outcome="success").get()
    details = json.loads(entry.details_json)
    assert details["seed"] == str(plan.seed)
    assert details["counts"] == {"A": 1, "B": 2, "C": 3, "D": 3}


def test_verify_finds_a_tampered_draw(world: World) -> None:
    inspectors = _pool(world)
    plan = plan_draw(by=world.kecheng, plan=_plan(world), seed=7)
    item = plan.inspections.first()
    assert item is not None
    item.inspectors.set([i for i in inspectors if i not in item.inspectors.all()][:2])
    assert not plan_verify(by=world.kecheng, plan=plan).ok

    plan = plan_draw(by=world.kecheng, plan=_plan(world, name="第二批"), seed=8)
    assert plan_verify(by=world.kecheng, plan=plan).ok
    plan.report["inputs"]["pool"] = {KECHENG: [inspectors[0].pk]}
    plan.save()
    outcome = plan_verify(by=world.kecheng, plan=plan)
    assert not outcome.ok
    assert _audits("market.inspection_verify", "failure") == 2


def test_draw_excludes_linked_and_recent_inspectors(world: World) -> None:
    one, two, three, _four = _pool(world)
    for n in [*KECHENG_CLASSES["D"], ABNORMAL]:
        inspector_link_add(by=world.kecheng, inspector=one, credit_code=code(n), relation="kin")
    # a plan drawn 30 days ago named ``two`` at every C enterprise; one 400 days ago ``three``
    # at every B enterprise (outside the year: no conflict)
    for days, who, grade in ((30, two, "C"), (400, three, "B")):
        earlier = InspectionPlan.objects.create(
            name=f"earlier {days}",
            department=world.kecheng.department,
            county_code=KECHENG,
            state=InspectionPlan.State.PUBLISHED,
            created_by=world.kecheng,
            drawn_at=timezone.now() - timedelta(days=days),
        )
        for n in KECHENG_CLASSES[grade]:
            done = Inspection.objects.create(
                plan=earlier,
                credit_code=code(n),
                enterprise_name="x",
                county_code=KECHENG,
                credit_class=grade,
            )
            done.inspectors.set([who])
    for seed in range(5):
        plan = plan_draw(by=world.kecheng, plan=_plan(world, name=f"p{seed}"), seed=seed)
        for grade, ids in _drawn(plan).values():
            if grade == "D":
                assert one.pk not in ids
            if grade == "C":
                assert two.pk not in ids
        conflicts = plan.report["inputs"]["conflicts"]
        assert all(three.pk not in conflicts.get(code(n), []) for n in KECHENG_CLASSES["B"])
        plan.delete()  # so the next seed sees the same history


def test_each_inspection_opens_a_task_for_the_county_department(world: World) -> None:
    _pool(world)
    plan = plan_draw(by=world.kecheng, plan=_plan(world), seed=1)
    items = list(plan.inspections.select_related("task"))
    assert items
    assert Task.objects.filter(type_code="market_inspection").count() == len(items)
    for item in items:
        assert item.task is not None
        assert item.task.source_ref == f"market:inspection:{item.pk}"
        assert item.task.department is not None
        assert item.task.department.code == "330802-AMR"
        assert item.task.reporter is None


# --- refusals of the draw and the plan ---------------------------------------------------------


@pytest.mark.parametrize(("grade", "value"), [("B", "-1"), ("D", "101"), ("C", "ten")])
def test_plan_with_a_bad_ratio_is_refused_naming_the_class(
    world: World, grade: str, value: str
) -> None:
    ratios = {"A": "5", "B": "15", "C": "30", "D": "50", grade: value}
    with translation.override("en"), pytest.raises(InspectionRefused) as refused:
        _plan(world, ratios=ratios)
    assert f"class {grade}" in refused.value.message
    assert refused.value.code in {"ratio_out_of_range", "ratio_invalid"}
    assert not InspectionPlan.objects.exists()
    assert _audits("market.inspection_plan", "failure") == 1


def test_plan_defaults_to_the_ratio_setting(world: World, settings: Any) -> None:
    settings.MARKET_INSPECTION_RATIOS = ["A=1", "B=2.5", "C=3", "D=4"]
    assert _plan(world).ratios == {"A": 1, "B": 2.5, "C": 3, "D": 4}


def test_plan_bounds_0_and_100_are_allowed(world: World) -> None:
    _pool(world)
    plan = _plan(world, ratios={"A": 0, "B": 0, "C": 100, "D": 0})
    plan = plan_draw(by=world.kecheng, plan=plan, seed=3)
    assert plan.report["counts"] == {"A": 0, "B": 0, "C": 10, "D": 0}


def test_draw_with_an_empty_pool_is_refused(world: World) -> None:
    _pool(world, fields=("general",))
    plan = _plan(world, field="food")
    with translation.override("en"), pytest.raises(InspectionRefused) as refused:
        plan_draw(by=world.kecheng, plan=plan, seed=1)
    assert refused.value.code == "pool_empty"
    plan.refresh_from_db()
    assert plan.state == InspectionPlan.State.DRAFT
    assert plan.seed is None
    assert not Inspection.objects.exists()
    assert _audits("market.inspection_draw", "failure") == 1


def test_removed_inspectors_leave_the_pool(world: World) -> None:
    for inspector in _pool(world):
        inspector_remove(by=world.kecheng, inspector=inspector)
    with pytest.raises(InspectionRefused) as refused:
        plan_draw(by=world.kecheng, plan=_plan(world), seed=1)
    assert refused.value.code == "pool_empty"


def test_too_few_inspectors_is_refused_naming_the_enterprise(world: World) -> None:
    _pool(world)
    plan = _plan(world, inspectors_per_inspection=5)
    with translation.override("en"), pytest.raises(InspectionRefused) as refused:
        plan_draw(by=world.kecheng, plan=plan, seed=1)
    assert refused.value.code == "too_few_inspectors"
    assert "抽查测试330802" in refused.value.message
    assert "4 without a conflict, 5 needed" in refused.value.message
    plan.refresh_from_db()
    assert plan.state == InspectionPlan.State.DRAFT
    assert not Inspection.objects.exists()
    assert not Task.objects.exists()


def test_draw_without_a_current_run_is_refused(world: World) -> None:
    _pool(world)
    CreditRun.objects.update(is_current=False)
    plan = _plan(world)
    with pytest.raises(InspectionRefused) as refused:
        plan_draw(by=world.kecheng, plan=plan, seed=1)
    assert refused.value.code == "no_run"
    plan.refresh_from_db()
    assert plan.state == InspectionPlan.State.DRAFT


def test_a_plan_is_drawn_once(world: World) -> None:
    _pool(world)
    plan = plan_draw(by=world.kecheng, plan=_plan(world), seed=1)
    before = _drawn(plan)
    with pytest.raises(InspectionRefused) as refused:
        plan_draw(by=world.kecheng, plan=plan, seed=2)
    assert refused.value.code == "already_drawn"
    plan.refresh_from_db()
    assert plan.seed == 1
    assert _drawn(plan) == before


def test_wrong_role_other_county_and_anonymous_are_refused(world: World) -> None:
    _pool(world)
    for outsider in (world.fin, world.leader, world.jiangshan, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            _plan(world, by=outsider)
    with pytest.raises(PermissionDenied):  # only the city department plans for the whole city
        _plan(world, by=world.kecheng, county_code="")
    plan = _plan(world)
    for outsider in (world.fin, world.jiangshan, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            plan_draw(by=outsider, plan=plan, seed=1)
        with pytest.raises(PermissionDenied):
            inspector_add(
                by=outsider, person=world.staff[0], certificate="ZF99990001", fields=["general"]
            )
    assert _audits("market.inspection_plan", "denied") == 5
    assert _audits("market.inspection_draw", "denied") == 3
    plan.refresh_from_db()
    assert plan.state == InspectionPlan.State.DRAFT
    # the city regulator reaches every county
    assert plan_draw(by=world.city, plan=plan, seed=1).state == InspectionPlan.State.DRAWN


def test_pool_refusals(world: World) -> None:
    with translation.override("en"), pytest.raises(InspectionRefused) as refused:
        inspector_add(by=world.city, person=world.fin, certificate="ZF1234", fields=["general"])
    assert refused.value.code == "not_market_staff"
    with pytest.raises(InspectionRefused) as refused:
        inspector_add(by=world.kecheng, person=world.staff[0], certificate="x", fields=["general"])
    assert refused.value.code == "certificate_invalid"
    with pytest.raises(InspectionRefused) as refused:
        inspector_add(by=world.kecheng, person=world.staff[0], certificate="ZF1234", fields=["x"])
    assert refused.value.code == "fields_invalid"
    first = inspector_add(
        by=world.kecheng, person=world.staff[0], certificate="ZF1234", fields=["general"]
    )
    with pytest.raises(InspectionRefused) as refused:
        inspector_add(
            by=world.kecheng, person=world.staff[1], certificate="zf1234", fields=["general"]
        )
    assert refused.value.code == "certificate_taken"
    with translation.override("en"), pytest.raises(InspectionRefused) as refused:
        inspector_link_add(
            by=world.kecheng, inspector=first, credit_code="91330802MA2R0000X", relation="kin"
        )
    assert refused.value.code == "credit_code_invalid"
    assert "Invalid credit code" in refused.value.message
    with pytest.raises(PermissionDenied):  # Jiangshan does not manage Kecheng's inspectors
        inspector_remove(by=world.jiangshan, inspector=first)
    assert Inspector.objects.count() == 1
    assert not first.links.exists()


# --- results and publication --------------------------------------------------------------------


def test_only_a_drawn_inspector_records_and_publication_needs_every_result(world: World) -> None:
    _pool(world)
    plan = plan_draw(by=world.kecheng, plan=_plan(world), seed=11)
    item = plan.inspections.first()
    assert item is not None
    drawn_ids = {i.user_id for i in item.inspectors.all()}
    outsider = next(u for u in world.staff if u.pk not in drawn_ids)
    with pytest.raises(PermissionDenied):
        inspection_record(by=outsider, inspection=item, result="compliant")
    for stranger in (world.fin, world.leader, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            inspection_record(by=stranger, inspection=item, result="compliant")
    assert _audits("market.inspection_result", "denied") == 4
    item.refresh_from_db()
    assert item.result == Inspection.Result.PENDING

    inspector = User.objects.get(pk=next(iter(drawn_ids)))
    with pytest.raises(InspectionRefused) as refused:
        inspection_record(by=inspector, inspection=item, result="violation", findings=" ")
    assert refused.value.code == "findings_missing"
    with pytest.raises(InspectionRefused):
        inspection_record(by=inspector, inspection=item, result="pending")
    inspection_record(by=inspector, inspection=item, result="violation", findings="无证经营")
    item.refresh_from_db()
    assert (item.result, item.recorded_by) == ("violation", inspector)

    with translation.override("en"), pytest.raises(InspectionRefused) as refused:
        plan_publish(by=world.kecheng, plan=plan)
    assert refused.value.code == "results_missing"
    assert "8 inspections" in refused.value.message
    for other in plan.inspections.exclude(pk=item.pk):
        person = other.inspectors.first()
        assert person is not None
        inspection_record(by=person.user, inspection=other, result="compliant")
    with pytest.raises(PermissionDenied):
        plan_publish(by=world.jiangshan, plan=plan)
    plan_publish(by=world.kecheng, plan=plan)
    plan.refresh_from_db()
    assert plan.state == InspectionPlan.State.PUBLISHED
    with pytest.raises(InspectionRefused) as refused:  # published results are final
        inspection_record(by=inspector, inspection=item, result="compliant")
    assert refused.value.code == "published"


def test_no_result_from_a_copy_loaded_before_publication(world: World) -> None:
    _pool(world)
    plan = plan_draw(by=world.kecheng, plan=_plan(world), seed=11)
    items = list(Inspection.objects.filter(plan=plan).select_related("plan"))
    stale = items[0]  # loaded (with its plan) while the plan is still drawn
    for item in items:
        person = item.inspectors.first()
        assert person is not None
        inspection_record(by=person.user, inspection=item, result="compliant")
    plan_publish(by=world.kecheng, plan=InspectionPlan.objects.get(pk=plan.pk))
    person = stale.inspectors.first()
    assert person is not None
    with pytest.raises(InspectionRefused) as refused:
        inspection_record(
            by=person.user, inspection=stale, result="violation", findings="公示后改动"
        )
    assert refused.value.code == "published"
    assert Inspection.objects.get(pk=stale.pk).result == Inspection.Result.COMPLIANT
    # publishing again from a copy loaded before publication is refused too
    with pytest.raises(InspectionRefused) as refused:
        plan_publish(by=world.kecheng, plan=plan)
    assert refused.value.code == "already_published"
    assert _audits("market.inspection_publish", "success") == 1


def test_a_draw_whose_audit_fails_is_not_kept(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuzhi.domains.market.services import inspections as service

    _pool(world)
    plan = _plan(world)
    real = service.audit_record

    def failing(**kwargs: Any) -> Any:
        if kwargs.get("action") == "market.inspection_draw":
            raise RuntimeError("audit log unavailable")
        return real(**kwargs)

    monkeypatch.setattr(service, "audit_record", failing)
    with pytest.raises(RuntimeError):
        plan_draw(by=world.kecheng, plan=plan, seed=11)
    plan.refresh_from_db()
    assert plan.state == InspectionPlan.State.DRAFT
    assert not Inspection.objects.filter(plan=plan).exists()


# --- pages --------------------------------------------------------------------------------------


def _published_and_drawn(world: World) -> tuple[InspectionPlan, InspectionPlan]:
    _pool(world)
    published = plan_draw(by=world.kecheng, plan=_plan(world, name="已公示计划"), seed=21)
    for item in published.inspections.all():
        person = item.inspectors.first()
        assert person is not None
        inspection_record(by=person.user, inspection=item, result="compliant")
    plan_publish(by=world.kecheng, plan=published)
    drawn = plan_draw(
        by=world.city,
        plan=_plan(world, by=world.city, name="未公示计划", county_code=JIANGSHAN),
        seed=22,
    )
    return published, drawn


def test_public_page_shows_only_published_plans_without_sign_in(world: World) -> None:
    # Jiangshan's plan needs inspectors there: the city's staff may inspect anywhere
    inspector_add(by=world.city, person=world.city, certificate="ZF0001", fields=["general"])
    inspector_add(by=world.city, person=world.jiangshan, certificate="ZF0002", fields=["general"])
    published, drawn = _published_and_drawn(world)
    page = _client().get(reverse("market:inspections_public"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "已公示计划" in body
    assert "未公示计划" not in body
    for item in published.inspections.all():
        assert item.credit_code in body
    for item in drawn.inspections.all():
        assert item.credit_code not in body
    assert 'id="inspection-results"' in body
    assert "No problem found" in body


def test_public_page_when_nothing_is_published(world: World) -> None:
    body = _client().get(reverse("market:inspections_public")).content.decode()
    assert 'id="empty-state"' in body
    assert "results-chart" not in body


def test_regulator_pages(world: World) -> None:
    inspector_add(by=world.city, person=world.city, certificate="ZF0001", fields=["general"])
    inspector_add(by=world.city, person=world.jiangshan, certificate="ZF0002", fields=["general"])
    published, drawn = _published_and_drawn(world)
    kecheng = _client(world.kecheng)
    body = kecheng.get(reverse("market:inspections")).content.decode()
    assert "已公示计划" in body
    assert "未公示计划" not in body  # Jiangshan's plan is out of Kecheng's reach
    assert 'id="inspection-ratios"' in body
    detail = kecheng.get(reverse("market:inspection_plan", args=[published.pk]))
    assert detail.status_code == 200
    text = detail.content.decode()
    assert 'id="inspection-results"' in text
    assert all(i.credit_code in text for i in published.inspections.all())
    assert kecheng.get(reverse("market:inspection_plan", args=[drawn.pk])).status_code == 403
    assert (
        _client(world.city).get(reverse("market:inspection_plan", args=[drawn.pk])).status_code
        == 200
    )
    assert _client(world.fin).get(reverse("market:inspections")).status_code == 403
    anonymous = _client().get(reverse("market:inspections"))
    assert anonymous.status_code == 302
    verify = kecheng.post(
        reverse("market:inspection_plan_verify", args=[published.pk]), follow=True
    )
    assert "Verified" in verify.content.decode()


def test_plan_form_shows_the_ratio_refusal(world: World) -> None:
    client = _client(world.kecheng)
    form = client.get(reverse("market:inspection_plan_new"))
    assert form.status_code == 200
    assert 'value="15"' in form.content.decode()
    data = {
        "name": "表单计划",
        "county": KECHENG,
        "field": "general",
        "ratio_A": "5",
        "ratio_B": "15",
        "ratio_C": "101",
        "ratio_D": "50",
        "inspectors_per_inspection": "2",
        "due_on": (timezone.localdate() + timedelta(days=10)).isoformat(),
    }
    refused = client.post(reverse("market:inspection_plan_new"), data)
    assert refused.status_code == 400
    assert "The ratio of class C must be between 0 and 100 percent" in refused.content.decode()
    assert not InspectionPlan.objects.exists()
    data["ratio_C"] = "30"
    created = client.post(reverse("market:inspection_plan_new"), data)
    assert created.status_code == 302
    plan = InspectionPlan.objects.get()
    # drawing from the page without a pool: a 400 with the reason, nothing drawn
    page = client.post(reverse("market:inspection_plan_draw", args=[plan.pk]), {"seed": "5"})
    assert page.status_code == 400
    assert "no active inspector" in page.content.decode()
    _pool(world)
    client.post(reverse("market:inspection_plan_draw", args=[plan.pk]), {"seed": "5"})
    plan.refresh_from_db()
    assert (plan.state, plan.seed) == (InspectionPlan.State.DRAWN, 5)


def test_my_inspections_and_the_result_form(world: World) -> None:
    _pool(world)
    plan = plan_draw(by=world.kecheng, plan=_plan(world), seed=31)
    item = plan.inspections.first()
    assert item is not None
    mine = item.inspectors.first()
    assert mine is not None
    client = _client(mine.user)
    page = client.get(reverse("market:inspections_mine"))
    assert page.status_code == 200
    assert item.credit_code in page.content.decode()
    bad = client.post(reverse("market:inspection_result", args=[item.pk]), {"result": "bogus"})
    assert bad.status_code == 400
    done = client.post(
        reverse("market:inspection_result", args=[item.pk]),
        {"result": "corrected", "findings": "台账不全，已当场整改"},
    )
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.result == "corrected"
    stranger = next(u for u in world.staff if not item.inspectors.filter(user=u).exists())
    denied = _client(stranger).post(
        reverse("market:inspection_result", args=[item.pk]), {"result": "compliant"}
    )
    assert denied.status_code == 403
    assert _client(world.leader).get(reverse("market:inspections_mine")).status_code == 403


def test_pool_page_adds_links_and_removes(world: World) -> None:
    client = _client(world.kecheng)
    page = client.get(reverse("market:inspection_pool"))
    assert page.status_code == 200
    assert "k_inspector1" in page.content.decode() or world.staff[0].display_name in (
        page.content.decode()
    )
    added = client.post(
        reverse("market:inspection_pool"),
        {
            "add-person": str(world.staff[0].pk),
            "add-certificate": "ZF5555",
            "add-fields_": ["general", "food"],
        },
    )
    assert added.status_code == 302
    inspector = Inspector.objects.get(user=world.staff[0])
    assert inspector.fields == ["food", "general"]
    linked = client.post(
        reverse("market:inspection_pool_link", args=[inspector.pk]),
        {"credit_code": code(1), "relation": "shareholding"},
    )
    assert linked.status_code == 302
    assert inspector.links.get().credit_code == code(1)
    bad = client.post(
        reverse("market:inspection_pool_link", args=[inspector.pk]),
        {"credit_code": "123", "relation": "kin"},
    )
    assert bad.status_code == 400
    client.post(reverse("market:inspection_pool_remove", args=[inspector.pk]))
    inspector.refresh_from_db()
    assert not inspector.active
    assert (
        _client(world.jiangshan)
        .post(reverse("market:inspection_pool_remove", args=[inspector.pk]))
        .status_code
        == 403
    )


# --- the demo loader ----------------------------------------------------------------------------


def test_demo_loader_builds_a_published_and_a_drawn_plan(world: World) -> None:
    from shuzhi.demo.market_inspections import load

    amr = Department.objects.get(code="330800-AMR")
    kecheng = Department.objects.get(code="330802-AMR")
    jiangshan = Department.objects.get(code="330881-AMR")
    for username, department in (
        ("clerk", amr),
        ("kecheng_clerk", kecheng),
        ("jiangshan_clerk", jiangshan),
        ("amr_inspector", amr),
        ("kecheng_inspector", kecheng),
        ("jiangshan_inspector", jiangshan),
    ):
        UserFactory(username=username, department=department, roles=["clerk"], password=NO_PASSWORD)
    out = io.StringIO()
    load(stdout=out)
    load(stdout=out)  # idempotent
    plans = InspectionPlan.objects.exclude(name__startswith="柯城区2026年第一批")
    assert plans.filter(state=InspectionPlan.State.PUBLISHED, county_code=KECHENG).count() == 1
    assert plans.filter(state=InspectionPlan.State.DRAWN, county_code="").count() == 1
    assert Inspector.objects.filter(active=True).count() == 6
    assert Inspector.objects.filter(links__isnull=False).exists()
    published = plans.get(state=InspectionPlan.State.PUBLISHED)
    assert not published.inspections.filter(result=Inspection.Result.PENDING).exists()
    body = _client().get(reverse("market:inspections_public")).content.decode()
    assert published.name in body


def test_the_recorded_result_is_submitted_on_the_task_by_a_county_handler(world: World) -> None:
    """The Kecheng inspector handles the Kecheng department's task: accepted and submitted with
    the result for review; recording again before publication leaves the submitted task alone."""
    from shuzhi.platform.loop.models import State as TaskState
    from shuzhi.platform.loop.models import TaskEvent

    _pool(world)
    plan = plan_draw(by=world.kecheng, plan=_plan(world), seed=11)
    item = plan.inspections.select_related("task").first()
    assert item is not None
    assert item.task is not None
    assert item.task.state == TaskState.PENDING_ACCEPTANCE
    inspector = item.inspectors.first()
    assert inspector is not None
    with translation.override("en"):
        inspection_record(by=inspector.user, inspection=item, result="violation", findings="无照")
    task = Task.objects.get(pk=item.task.pk)
    assert task.state == TaskState.PENDING_REVIEW
    submitted = TaskEvent.objects.get(task=task, action="submit")
    assert submitted.comment == "Violation found, case opened: 无照"
    assert submitted.actor == inspector.user
    inspection_record(by=inspector.user, inspection=item, result="corrected", findings="已整改")
    assert Task.objects.get(pk=task.pk).state == TaskState.PENDING_REVIEW
    assert TaskEvent.objects.filter(task=task, action="submit").count() == 1


def test_an_inspector_of_another_department_leaves_the_task_to_the_county(world: World) -> None:
    from shuzhi.platform.loop.models import State as TaskState

    city_staff = [
        UserFactory(
            username=f"city_inspector{i}", department=world.city.department, roles=["clerk"]
        )
        for i in (1, 2)
    ]
    for i, person in enumerate(city_staff, start=50):
        inspector_add(
            by=world.city, person=person, certificate=f"ZF3308{i:04d}", fields=("general",)
        )
    plan = plan_draw(by=world.kecheng, plan=_plan(world, inspectors_per_inspection=2), seed=3)
    item = next(
        i for i in plan.inspections.all() if i.inspectors.filter(user__in=city_staff).exists()
    )
    drawn = item.inspectors.filter(user__in=city_staff).first()
    assert drawn is not None
    person = drawn.user
    inspection_record(by=person, inspection=item, result="compliant")
    assert item.task is not None
    assert Task.objects.get(pk=item.task.pk).state == TaskState.PENDING_ACCEPTANCE
