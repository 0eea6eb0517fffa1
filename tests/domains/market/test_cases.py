"""Market cases and the lenient-supervision lists: loading and retiring items, opening a case
(credit code, registry, county, dates), the first-violation waiver (首违不罚) and the reasons no
item applied, deciding (fines, the reason a penalty over a no-penalty item needs), paying,
closing, the reclassification a penalty queues, and the pages."""

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
from django_tasks_db.models import DBTaskResult

from shuzhi.domains.market.models import Case, Enterprise, LenientRule
from shuzhi.domains.market.services.cases import (
    CaseRefused,
    case_assess,
    case_close,
    case_decide,
    case_list,
    case_mark_paid,
    case_open,
    rule_set_active,
    rules_load,
)
from shuzhi.domains.market.tasks import reclassify_after_penalty
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.security.identifiers import credit_code_check_char
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KECHENG, JIANGSHAN = "330802", "330881"
TODAY = timezone.localdate


def code(n: int, county: str = KECHENG) -> str:
    body = f"91{county}MA2K{n:05d}"
    return body + credit_code_check_char(body)


@dataclass
class World:
    city_clerk: User
    kecheng: User
    jiangshan: User
    steward: User
    owner: User  # the enterprise user of firm
    other_owner: User  # the enterprise user of far
    firm: Enterprise  # Kecheng, a restaurant (food)
    far: Enterprise  # Jiangshan, an elevator maker (special equipment)
    plain: Enterprise  # Kecheng, a furniture maker (general field)


def enterprise(n: int, county: str, industry: str, **extra: Any) -> Enterprise:
    return Enterprise.objects.create(
        credit_code=code(n, county),
        name=f"案件测试{n}有限公司",
        enterprise_type="有限责任公司",
        legal_representative="张三丰",
        address="衢州市某路1号",
        county_id=county,
        industry_code=industry,
        registered_capital=Decimal("100.00"),
        established_on=date(2015, 1, 1),
        status=extra.pop("status", Enterprise.Status.ACTIVE),
        **extra,
    )


def build_world(settings: Any) -> World:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast users
    settings.LANGUAGE_CODE = "en"
    settings.MARKET_DEPARTMENT = "330800-AMR"
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
    ):
        depts[cc], _ = Department.objects.get_or_create(
            code=cc, defaults={"name": cc, "division_id": division}
        )
    firm = enterprise(1, KECHENG, "H6210")
    far = enterprise(2, JIANGSHAN, "C3435")
    plain = enterprise(3, KECHENG, "C2110")
    owner = UserFactory(username="firm_user", department=None, roles=["enterprise"])
    owner.credit_code = firm.credit_code
    owner.save()
    other = UserFactory(username="far_user", department=None, roles=["enterprise"])
    other.credit_code = far.credit_code
    other.save()
    world = World(
        city_clerk=UserFactory(username="c_clerk", department=depts["330800-AMR"], roles=["clerk"]),
        kecheng=UserFactory(username="k_clerk", department=depts["330802-AMR"], roles=["clerk"]),
        jiangshan=UserFactory(username="j_clerk", department=depts["330881-AMR"], roles=["clerk"]),
        steward=UserFactory(
            username="amr_steward", department=depts["330800-AMR"], roles=["data_steward"]
        ),
        owner=owner,
        other_owner=other,
        firm=firm,
        far=far,
        plain=plain,
    )
    rules_load(by=world.city_clerk)
    return world


@pytest.fixture
def world(settings: Any) -> World:
    return build_world(settings)


def audits(action: str, outcome: str = "success") -> int:
    return AuditEntry.objects.filter(action=action, outcome=outcome).count()


def client(user: User | None = None) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        browser.force_login(user)
    return browser


def open_case(w: World, firm: Enterprise | None = None, **kwargs: Any) -> Case:
    firm = firm or w.firm
    by = kwargs.pop("by", w.jiangshan if firm.county_id == JIANGSHAN else w.kecheng)
    values: dict[str, Any] = {
        "violation": "price_not_marked",
        "facts": "货架商品未标价",
        "occurred_on": TODAY() - timedelta(days=3),
        "harm": Case.Harm.MINOR,
        "corrected": True,
    }
    values.update(kwargs)
    return case_open(by=by, credit_code=firm.credit_code, **values)


# --- The lists -------------------------------------------------------------------------------


def test_loading_the_lists_is_idempotent_and_keeps_a_retired_item_retired(world: World) -> None:
    assert LenientRule.objects.count() == 13
    assert set(LenientRule.objects.values_list("list", flat=True)) == {
        "no_penalty",
        "reduced",
        "no_coercion",
    }
    rule = LenientRule.objects.get(code="BY-05")
    assert "第三十三条" in rule.legal_basis
    rule_set_active(rule=rule, active=False, by=world.city_clerk)
    LenientRule.objects.filter(code="BY-01").update(description="changed by hand")
    counts = rules_load(by=world.city_clerk)
    assert counts == {"created": 0, "updated": 1, "unchanged": 12}
    assert LenientRule.objects.count() == 13
    assert not LenientRule.objects.get(code="BY-05").active
    assert LenientRule.objects.get(code="BY-01").description != "changed by hand"
    assert audits("market.lenient_load") == 2
    assert audits("market.lenient_retire") == 1


def test_only_a_city_regulator_loads_or_retires_items(world: World) -> None:
    rule = LenientRule.objects.get(code="BY-05")
    for user in (world.kecheng, world.steward, world.owner):
        with pytest.raises(PermissionDenied):
            rules_load(by=user)
        with pytest.raises(PermissionDenied):
            rule_set_active(rule=rule, active=False, by=user)
    assert LenientRule.objects.get(code="BY-05").active
    assert audits("market.lenient_load", "denied") == 3
    assert audits("market.lenient_retire", "denied") == 3


def test_retiring_twice_is_refused(world: World) -> None:
    rule = LenientRule.objects.get(code="BY-05")
    rule_set_active(rule=rule, active=False, by=world.city_clerk)
    with translation.override("en"), pytest.raises(CaseRefused, match="already retired"):
        rule_set_active(rule=rule, active=False, by=world.city_clerk)
    rule_set_active(rule=rule, active=True, by=world.city_clerk)
    assert LenientRule.objects.get(code="BY-05").active


def test_public_page_lists_the_three_lists_and_searches(world: World) -> None:
    page = client().get(reverse("market:lenient"))
    assert page.status_code == 200
    body = page.content.decode()
    for group in ("list-no_penalty", "list-reduced", "list-no_coercion"):
        assert f'id="{group}"' in body
    assert 'id="rule-BY-05"' in body
    assert 'id="load-form"' not in body  # anonymous: no buttons
    found = client().get(reverse("market:lenient"), {"q": "明码标价"}).content.decode()
    assert 'id="rule-BY-05"' in found
    assert 'id="rule-JQ-02"' in found
    assert 'id="rule-BY-01"' not in found


def test_public_page_hides_a_retired_item_but_the_city_regulator_sees_it(world: World) -> None:
    rule = LenientRule.objects.get(code="BY-05")
    rule_set_active(rule=rule, active=False, by=world.city_clerk)
    assert 'id="rule-BY-05"' not in client().get(reverse("market:lenient")).content.decode()
    body = client(world.city_clerk).get(reverse("market:lenient")).content.decode()
    assert 'id="rule-BY-05"' in body
    assert 'id="load-form"' in body


def test_retire_and_load_through_the_page(world: World) -> None:
    rule = LenientRule.objects.get(code="BY-05")
    url = reverse("market:lenient_rule_active", args=[rule.pk])
    assert client(world.kecheng).post(url, {"active": "0"}).status_code == 403
    assert client().post(url, {"active": "0"}).status_code == 302  # to the sign-in page
    assert LenientRule.objects.get(pk=rule.pk).active
    assert client(world.city_clerk).post(url, {"active": "0"}).status_code == 302
    assert not LenientRule.objects.get(pk=rule.pk).active
    assert client(world.city_clerk).post(reverse("market:lenient_load")).status_code == 302
    assert client(world.kecheng).post(reverse("market:lenient_load")).status_code == 403


# --- Opening a case and the waiver -------------------------------------------------------------


def test_first_minor_violation_corrected_is_waived(world: World) -> None:
    case = open_case(world)
    assert case.county_code == KECHENG
    assert case.first_violation
    assert case.lenient_rule is not None
    assert case.lenient_rule.code == "BY-05"
    assert case.number.startswith(f"{KECHENG}-{TODAY().year}-")
    entry = AuditEntry.objects.get(action="market.case_open", outcome="success")
    assert entry.details["rule"] == "BY-05"
    assert entry.details["first_violation"] is True


def test_a_second_violation_gets_the_reduced_item_not_the_waiver(world: World) -> None:
    first = open_case(world, occurred_on=TODAY() - timedelta(days=30))
    second = open_case(world)
    assert first.first_violation
    assert not second.first_violation
    assert second.lenient_rule is not None
    assert second.lenient_rule.code == "JQ-02"
    # the other enterprise's first case of the same violation is still a first
    assert open_case(world, firm=world.plain).first_violation


def test_serious_uncorrected_violation_says_why_no_item_applied(world: World) -> None:
    case = open_case(world, harm=Case.Harm.SERIOUS, corrected=False)
    assert case.lenient_rule is None
    body = client(world.kecheng).get(reverse("market:case", args=[case.pk])).content.decode()
    assert 'id="no-rule"' in body
    assert "Item BY-05 allows at most" in body
    assert "needs the violation corrected in time" in body
    assert 'id="waiver"' not in body


def test_retired_item_does_not_match(world: World) -> None:
    rule_set_active(rule=LenientRule.objects.get(code="BY-05"), active=False, by=world.city_clerk)
    case = open_case(world)
    assert case.lenient_rule is not None
    assert case.lenient_rule.code == "JQ-02"  # the reduced item still applies


def test_case_page_shows_the_waiver_with_rule_and_legal_basis(world: World) -> None:
    case = open_case(world)
    page = client(world.kecheng).get(reverse("market:case", args=[case.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="waiver"' in body
    assert "BY-05" in body
    assert "《中华人民共和国行政处罚法》第三十三条第一款" in body
    assert 'id="decide-form"' in body


def test_changing_harm_matches_again(world: World) -> None:
    case = open_case(world, harm=Case.Harm.SERIOUS)
    assert case.lenient_rule is None
    case = case_assess(case=case, by=world.kecheng, harm=Case.Harm.MINOR, corrected=True)
    assert case.lenient_rule is not None
    assert case.lenient_rule.code == "BY-05"
    assert audits("market.case_assess") == 1
    with pytest.raises(PermissionDenied):
        case_assess(case=case, by=world.jiangshan, harm=Case.Harm.SERIOUS, corrected=False)
    assert Case.objects.get(pk=case.pk).harm == Case.Harm.MINOR


def test_invalid_credit_code_is_refused_with_the_validators_reason(world: World) -> None:
    bad = world.firm.credit_code[:-1] + ("0" if world.firm.credit_code[-1] != "0" else "1")
    with translation.override("en"), pytest.raises(CaseRefused) as refused:
        case_open(
            by=world.kecheng,
            credit_code=bad,
            violation="price_not_marked",
            facts="x",
            occurred_on=TODAY(),
        )
    assert refused.value.code == "bad_credit_code"
    assert refused.value.message.startswith("Invalid credit code: ")
    assert len(refused.value.message) > len("Invalid credit code: ")
    assert Case.objects.count() == 0
    assert audits("market.case_open", "failure") == 1


def test_unregistered_enterprise_future_date_and_unknown_violation_are_refused(
    world: World,
) -> None:
    with pytest.raises(CaseRefused) as refused:
        case_open(
            by=world.kecheng,
            credit_code=code(99),
            violation="price_not_marked",
            facts="x",
            occurred_on=TODAY(),
        )
    assert refused.value.code == "unknown_enterprise"
    with translation.override("en"), pytest.raises(CaseRefused) as refused:
        open_case(world, occurred_on=TODAY() + timedelta(days=1))
    assert refused.value.code == "future_date"
    assert TODAY().isoformat() in refused.value.message
    with pytest.raises(CaseRefused) as refused:
        open_case(world, violation="made_up")
    assert refused.value.code == "bad_violation"
    with pytest.raises(CaseRefused) as refused:
        open_case(world, facts="   ")
    assert refused.value.code == "bad_facts"
    assert Case.objects.count() == 0


def test_only_the_county_regulator_or_the_city_opens_a_case(world: World) -> None:
    for user in (world.jiangshan, world.steward, world.owner):
        with pytest.raises(PermissionDenied):
            open_case(world, by=user)
    assert Case.objects.count() == 0
    assert audits("market.case_open", "denied") == 3
    assert open_case(world, by=world.city_clerk).county_code == KECHENG


# --- Deciding --------------------------------------------------------------------------------


def test_penalty_over_a_no_penalty_item_needs_a_reason_kept_in_the_audit(world: World) -> None:
    case = open_case(world)
    with translation.override("en"), pytest.raises(CaseRefused, match="BY-05") as refused:
        case_decide(case=case, by=world.kecheng, outcome=Case.Outcome.PENALTY, fine=500)
    assert refused.value.code == "reason_required"
    assert Case.objects.get(pk=case.pk).state == Case.State.OPEN
    case_decide(
        case=case,
        by=world.kecheng,
        outcome=Case.Outcome.PENALTY,
        fine=500,
        reason="拒不配合调查",
        reclassify=False,
    )
    case.refresh_from_db()
    assert case.state == Case.State.DECIDED
    assert case.fine == Decimal("500.00")
    entry = AuditEntry.objects.get(action="market.case_decide", outcome="success")
    assert entry.details["reason"] == "拒不配合调查"


def test_a_fine_only_goes_with_a_penalty_and_is_not_negative(world: World) -> None:
    case = open_case(world)
    with pytest.raises(CaseRefused) as refused:
        case_decide(case=case, by=world.kecheng, outcome=Case.Outcome.NO_PENALTY, fine=100)
    assert refused.value.code == "fine_without_penalty"
    with pytest.raises(CaseRefused) as refused:
        case_decide(case=case, by=world.kecheng, outcome=Case.Outcome.REDUCED, fine=-1)
    assert refused.value.code == "bad_fine"
    with pytest.raises(CaseRefused) as refused:
        case_decide(case=case, by=world.kecheng, outcome="", fine=0)
    assert refused.value.code == "bad_outcome"
    with pytest.raises(CaseRefused) as refused:
        case_decide(
            case=case,
            by=world.kecheng,
            outcome=Case.Outcome.NO_PENALTY,
            decided_on=TODAY() + timedelta(days=1),
        )
    assert refused.value.code == "bad_date"
    assert Case.objects.get(pk=case.pk).state == Case.State.OPEN
    assert audits("market.case_decide", "failure") == 4


def test_no_penalty_decision_queues_no_reclassification(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_case(world)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case_decide(case=case, by=world.kecheng, outcome=Case.Outcome.NO_PENALTY)
    assert callbacks == []
    assert not DBTaskResult.objects.filter(task_path=reclassify_after_penalty.module_path).exists()
    with pytest.raises(CaseRefused) as refused:
        case_mark_paid(case=case, by=world.kecheng)
    assert refused.value.code == "no_fine_due"
    assert case_close(case=case, by=world.kecheng).state == Case.State.CLOSED


def test_penalty_queues_a_reclassification_after_the_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    case = open_case(world, harm=Case.Harm.SERIOUS)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        case_decide(case=case, by=world.kecheng, outcome=Case.Outcome.PENALTY, fine="2000")
    assert len(callbacks) == 1
    queued = DBTaskResult.objects.get(task_path=reclassify_after_penalty.module_path)
    assert queued.status == "READY"
    assert world.firm.credit_code in str(queued.args_kwargs)


def test_reclassification_task_without_a_steward_does_nothing(world: World, settings: Any) -> None:
    settings.MARKET_DEPARTMENT = "330800-XXX"
    assert reclassify_after_penalty.call(world.firm.credit_code) is None


def test_fine_paid_then_close_and_not_before(world: World) -> None:
    case = open_case(world, harm=Case.Harm.SERIOUS)
    case_decide(
        case=case, by=world.kecheng, outcome=Case.Outcome.PENALTY, fine=800, reclassify=False
    )
    with pytest.raises(CaseRefused) as refused:
        case_close(case=case, by=world.kecheng)
    assert refused.value.code == "fine_unpaid"
    with pytest.raises(PermissionDenied):
        case_mark_paid(case=case, by=world.jiangshan)
    case_mark_paid(case=case, by=world.kecheng)
    with pytest.raises(CaseRefused):
        case_mark_paid(case=case, by=world.kecheng)
    assert case_close(case=case, by=world.kecheng).state == Case.State.CLOSED
    assert audits("market.case_paid") == 1
    assert audits("market.case_close") == 1
    with pytest.raises(CaseRefused) as refused:
        case_decide(case=case, by=world.kecheng, outcome=Case.Outcome.PENALTY, reclassify=False)
    assert refused.value.code == "not_open"


def test_deciding_twice_from_stale_copies_is_refused(world: World) -> None:
    # two requests load the open case, then both decide it (a double submit)
    case = open_case(world, harm=Case.Harm.SERIOUS)
    first, second = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    case_decide(
        case=first, by=world.kecheng, outcome=Case.Outcome.PENALTY, fine=800, reclassify=False
    )
    with pytest.raises(CaseRefused) as refused:
        case_decide(case=second, by=world.kecheng, outcome=Case.Outcome.NO_PENALTY)
    assert refused.value.code == "not_open"
    case.refresh_from_db()
    assert (case.outcome, case.fine) == (Case.Outcome.PENALTY, Decimal("800.00"))
    assert audits("market.case_decide") == 1
    assert audits("market.case_decide", "failure") == 1
    # paying twice and closing twice the same way
    paid, again = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    case_mark_paid(case=paid, by=world.kecheng)
    with pytest.raises(CaseRefused):
        case_mark_paid(case=again, by=world.kecheng)
    assert audits("market.case_paid") == 1
    closing, closing_again = Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)
    case_close(case=closing, by=world.kecheng)
    with pytest.raises(CaseRefused):
        case_close(case=closing_again, by=world.kecheng)
    assert audits("market.case_close") == 1


def test_a_bad_item_in_the_lists_is_refused_and_the_refusal_stays_audited(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from shuzhi.domains.market import lenient

    good = lenient.published()
    bad = {"code": "X-99", "list": "no_such_list", "violation": "price_not_marked"}
    new = {**good["rules"][0], "code": "NEW-1"}

    def published() -> dict[str, Any]:
        return {**good, "rules": [new, bad]}

    published.cache_clear = lambda: None  # type: ignore[attr-defined]
    monkeypatch.setattr(lenient, "published", published)
    before = LenientRule.objects.count()
    with pytest.raises(CaseRefused) as refused:
        rules_load(by=world.city_clerk)
    assert refused.value.code == "bad_rule"
    assert LenientRule.objects.count() == before  # nothing written
    assert audits("market.lenient_load", "failure") == 1


# --- Lists of cases and the pages ---------------------------------------------------------------


def test_case_list_keeps_to_the_regulators_reach(world: World) -> None:
    mine = open_case(world)
    theirs = open_case(
        world, firm=world.far, violation="special_equipment_unregistered", harm=Case.Harm.NONE
    )
    assert list(case_list(by=world.kecheng)) == [mine]
    assert list(case_list(by=world.jiangshan)) == [theirs]
    assert set(case_list(by=world.city_clerk)) == {mine, theirs}
    assert list(case_list(by=world.city_clerk, county=JIANGSHAN)) == [theirs]
    assert set(case_list(by=world.city_clerk, flagged="yes")) == {mine, theirs}
    assert list(case_list(by=world.city_clerk, flagged="no")) == []
    with pytest.raises(PermissionDenied):
        case_list(by=world.kecheng, county=JIANGSHAN)
    with pytest.raises(PermissionDenied):
        case_list(by=world.owner)


def test_case_pages_refuse_other_counties_anonymous_and_tampered_ids(world: World) -> None:
    case = open_case(world)
    url = reverse("market:case", args=[case.pk])
    assert client(world.jiangshan).get(url).status_code == 403
    assert client(world.owner).get(url).status_code == 403
    anonymous = client().get(url)
    assert anonymous.status_code == 302
    assert "login" in anonymous["Location"]
    assert (
        client(world.kecheng).get(reverse("market:case", args=[case.pk + 999])).status_code == 404
    )
    assert client(world.jiangshan).get(reverse("market:cases")).status_code == 200
    assert case.number not in client(world.jiangshan).get(reverse("market:cases")).content.decode()
    assert case.number in client(world.kecheng).get(reverse("market:cases")).content.decode()
    assert (
        client(world.kecheng).get(reverse("market:cases"), {"county": JIANGSHAN}).status_code == 403
    )
    decide = reverse("market:case_decide", args=[case.pk])
    assert client(world.jiangshan).post(decide, {"outcome": "no_penalty"}).status_code == 403
    assert Case.objects.get(pk=case.pk).state == Case.State.OPEN


def test_open_and_decide_through_the_pages(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    browser = client(world.kecheng)
    form = browser.get(reverse("market:case_new"))
    assert form.status_code == 200
    bad = browser.post(
        reverse("market:case_new"),
        {
            "credit_code": "91330802MA2K0000X1",
            "violation": "price_not_marked",
            "occurred_on": TODAY().isoformat(),
            "harm": "none",
            "facts": "未明码标价",
        },
    )
    assert bad.status_code == 400
    assert "Invalid credit code" in bad.content.decode()
    assert "未明码标价" in bad.content.decode()  # typed input kept
    future = browser.post(
        reverse("market:case_new"),
        {
            "credit_code": world.firm.credit_code,
            "violation": "price_not_marked",
            "occurred_on": (TODAY() + timedelta(days=2)).isoformat(),
            "harm": "none",
            "facts": "未明码标价",
        },
    )
    assert future.status_code == 400
    assert Case.objects.count() == 0
    done = browser.post(
        reverse("market:case_new"),
        {
            "credit_code": world.firm.credit_code,
            "violation": "price_not_marked",
            "occurred_on": TODAY().isoformat(),
            "harm": "minor",
            "corrected": "on",
            "facts": "未明码标价",
        },
    )
    case = Case.objects.get()
    assert done.status_code == 302
    assert done["Location"] == reverse("market:case", args=[case.pk])
    decide = reverse("market:case_decide", args=[case.pk])
    refused = browser.post(decide, {"outcome": "no_penalty", "fine": "50"}, follow=True)
    assert "A fine can only go with a penalty" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        browser.post(decide, {"outcome": "reduced", "fine": "200", "reason": ""})
    case.refresh_from_db()
    assert case.outcome == Case.Outcome.REDUCED
    assert DBTaskResult.objects.filter(task_path=reclassify_after_penalty.module_path).count() == 1
    browser.post(reverse("market:case_paid", args=[case.pk]))
    browser.post(reverse("market:case_close", args=[case.pk]))
    case.refresh_from_db()
    assert case.fine_paid
    assert case.state == Case.State.CLOSED
    history = browser.get(reverse("market:case", args=[case.pk])).content.decode()
    for step in ("case_open", "case_decide", "case_paid", "case_close"):
        assert f'data-action="market.{step}"' in history


def test_non_regulators_cannot_open_the_case_form(world: World) -> None:
    assert client(world.owner).get(reverse("market:case_new")).status_code == 403
    assert client(world.steward).get(reverse("market:cases")).status_code == 403
    assert client().get(reverse("market:cases")).status_code == 302


# --- The demo loader ----------------------------------------------------------------------------


def test_demo_loader_is_idempotent_and_queues_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    import io

    from shuzhi.demo.market_cases import load
    from shuzhi.domains.market.models import CreditRepair

    enterprise(4, JIANGSHAN, "C2110")
    for name, model in (
        ("clerk", world.city_clerk),
        ("kecheng_clerk", world.kecheng),
        ("jiangshan_clerk", world.jiangshan),
    ):
        UserFactory(username=name, department=model.department, roles=["clerk"])
    owner = UserFactory(username="enterprise", department=None, roles=["enterprise"])
    owner.credit_code = world.plain.credit_code
    owner.save()
    out = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        load(stdout=out)
        load(stdout=out)
    assert callbacks == []
    assert not DBTaskResult.objects.exists()
    cases = Case.objects.all()
    assert cases.count() == 5
    waived = [c for c in cases if c.lenient_rule and c.lenient_rule.code == "BY-05"]
    assert len(waived) == 1
    assert waived[0].first_violation
    assert cases.filter(fine__gt=0, fine_paid=False).count() == 1
    assert cases.filter(fine__gt=0, fine_paid=True, state=Case.State.CLOSED).count() == 2
    assert set(cases.values_list("county_code", flat=True)) == {KECHENG, JIANGSHAN}
    assert CreditRepair.objects.filter(state=CreditRepair.State.SUBMITTED).count() == 1
    assert "1 application waiting" in out.getvalue()


@pytest.mark.slow
def test_reclassification_task_runs_a_penalty_classification(tmp_path: Any, settings: Any) -> None:
    from shuzhi.domains.market.models import CreditRun
    from tests.domains.market.city import build_city, by_key

    settings.DATA_DIR = tmp_path
    build_city(tmp_path)
    run_id = reclassify_after_penalty.call(by_key("M2"))
    run = CreditRun.objects.get(pk=run_id)
    assert run.trigger == CreditRun.Trigger.PENALTY
    assert run.state == CreditRun.State.COMPLETE
    assert run.is_current
    assert reclassify_after_penalty.call("91330802MA2C0000X1") is None  # refused: bad code
    assert CreditRun.objects.count() == 1


def test_a_number_taken_meanwhile_is_retried_not_an_error(world: World, monkeypatch: Any) -> None:
    """Two regulators opening cases at once count the same next number; the second retries."""
    from shuzhi.domains.market.services import cases as service

    first = open_case(world)
    numbers = iter([first.number])  # the number another case has just taken, then a fresh one
    real = service._next_number
    monkeypatch.setattr(service, "_next_number", lambda c, y: next(numbers, None) or real(c, y))
    second = open_case(world)
    assert second.number != first.number
    assert Case.objects.count() == 2
