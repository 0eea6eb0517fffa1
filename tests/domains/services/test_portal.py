"""The citizen portal (/services/me/) and 政企通 (/services/enterprise/): each section filled from
the models, only one's own records, refusals audited, unfilled and failing slots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from shuzhi.domains.market.models import Case, CreditClass, CreditRun
from shuzhi.domains.services.models import (
    Application,
    BenefitGrant,
    BenefitPolicy,
    EligibilityRun,
    Licence,
    Resident,
    RuleVersion,
    SealKey,
    ServiceItem,
)
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.portal import registry
from shuzhi.platform.portal.registry import PortalSection
from tests.domains.carbon.test_finance import ALPHA, BETA, run_with_accounts
from tests.factories import CountyFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

ME = "/services/me/"
ENTERPRISE = "/services/enterprise/"


@dataclass
class City:
    county: Division
    amr: Department
    cab: Department
    users: dict[str, User]
    residents: dict[str, Resident]
    item: ServiceItem
    seal: SealKey


def _resident(county: Division, n: int, born: date, account: User | None) -> Resident:
    return Resident.objects.create(
        id_number=f"33080219{40 + n:02d}0101{n:03d}X",
        name=f"居民{n}",
        sex="female",
        birth_date=born,
        county=county,
        address=f"衢州市柯城区测试路{n}号",
        mobile=f"1390000{n:04d}",
        account=account,
    )


def city() -> City:
    county = CountyFactory()
    amr = DepartmentFactory(code="330800-AMR", name="市市场监管局")
    cab = DepartmentFactory(code="330800-CAB", name="市民政局")
    users = {
        "resident": UserFactory(username="resident", department=None, roles=["public"]),
        "neighbour": UserFactory(username="neighbour", department=None, roles=["public"]),
        "unlinked": UserFactory(username="unlinked", department=None, roles=["public"]),
        "alpha": UserFactory(
            username="alpha", department=None, roles=["enterprise"], credit_code=ALPHA
        ),
        "beta": UserFactory(
            username="beta", department=None, roles=["enterprise"], credit_code=BETA
        ),
        "nocode": UserFactory(username="nocode", department=None, roles=["enterprise"]),
        "clerk": UserFactory(username="clerk", department=amr, roles=["clerk"]),
        # government staff with a credit code on the account is still not an enterprise
        "staff": UserFactory(username="staff", department=amr, roles=["clerk"], credit_code=ALPHA),
    }
    residents = {
        "resident": _resident(county, 1, date(1990, 5, 1), users["resident"]),
        "neighbour": _resident(county, 2, date(1940, 5, 1), users["neighbour"]),
    }
    item = ServiceItem.objects.create(
        code="AMR-FOOD",
        name="食品经营许可",
        item_type=ServiceItem.ItemType.LICENSING,
        department=amr,
        legal_basis="《食品经营许可和备案管理办法》",
        time_limit_days=10,
    )
    seal = SealKey.objects.create(
        department=amr, name="电子印章", public_key_hex="04" + "0" * 126, private_key_hex="1" * 64
    )
    return City(county, amr, cab, users, residents, item, seal)


def application(c: City, who: str, number: str, *, credit_code: str = "", **kw: Any) -> Application:
    return Application.objects.create(
        number=number,
        applicant=c.users[who],
        credit_code=credit_code,
        item=c.item,
        due_at=timezone.now() + timedelta(days=10),
        **kw,
    )


def licence(
    c: City, number: str, *, resident: Resident | None = None, credit_code: str = "", **kw: Any
) -> Licence:
    values: dict[str, Any] = {
        "licence_type": "food_operation",
        "title": "食品经营许可证",
        "holder_name": kw.pop("holder_name", "持证人"),
        "holder_resident": resident,
        "holder_credit_code": credit_code,
        "fields": [["名称", "x"]],
        "issuer": c.amr,
        "issued_on": date(2025, 1, 1),
        "valid_until": date(2030, 1, 1),
        "seal": c.seal,
        "signature_hex": "ab" * 64,
    }
    values.update(kw)
    return Licence.objects.create(number=number, **values)


def policy(c: City, code: str, audience: str, name: str) -> tuple[BenefitPolicy, RuleVersion]:
    p = BenefitPolicy.objects.create(
        code=code, name=name, audience=audience, department=c.cab, period="month"
    )
    v = RuleVersion.objects.create(
        policy=p, number=1, parameters="{}", state="live", created_by=c.users["clerk"]
    )
    return p, v


def grant(
    p: BenefitPolicy, v: RuleVersion, state: str, *, period: str = "2026-11", **kw: Any
) -> BenefitGrant:
    run, _ = EligibilityRun.objects.get_or_create(period=period, state="complete")
    return BenefitGrant.objects.create(
        policy=p,
        rule_version=v,
        run=run,
        period=period,
        amount=Decimal(kw.pop("amount", "100.00")),
        state=state,
        beneficiary_name=kw.pop("beneficiary_name", "受益人"),
        **kw,
    )


def client(user: User | None = None) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        browser.force_login(user)
    return browser


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def c() -> City:
    return city()


def _slot(html: str, slot: str) -> str:
    """The HTML of one slot's card (up to the next card)."""
    marker = 'class="card h-100 portal-card" id="slot-'
    start = html.index(f'{marker}{slot}"')
    end = html.find(marker, start + len(marker))
    return html[start : end if end != -1 else len(html)]


# --- citizen portal --------------------------------------------------------------------------


def test_citizen_portal_shows_own_applications_licences_and_benefits(c: City) -> None:
    application(c, "resident", "SQ-MINE-1", state=Application.State.IN_PROGRESS)
    application(c, "neighbour", "SQ-THEIRS-1")
    licence(c, "ZZ-MINE-1", resident=c.residents["resident"])
    licence(
        c,
        "ZZ-MINE-OLD",
        resident=c.residents["resident"],
        issued_on=date(2015, 1, 1),
        valid_until=date(2020, 1, 1),
    )
    licence(c, "ZZ-THEIRS-1", resident=c.residents["neighbour"])
    p, v = policy(c, "elderly", "citizen", "高龄津贴")
    p2, v2 = policy(c, "disability", "citizen", "残疾人两项补贴")
    grant(p, v, "approved", resident=c.residents["resident"], amount="150.00")
    grant(p2, v2, "confirmed", resident=c.residents["resident"], amount="88.00", period="2026-10")
    grant(p2, v2, "found", resident=c.residents["resident"], period="2026-11")  # internal
    grant(p, v, "approved", resident=c.residents["neighbour"], amount="999.00")

    response = client(c.users["resident"]).get(ME)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="no-resident"' not in html
    apps = _slot(html, "applications")
    assert 'data-state="ok"' in apps
    assert "SQ-MINE-1" in apps
    assert "SQ-THEIRS-1" not in html
    assert "Being handled" in apps
    licences = _slot(html, "licences")
    assert 'data-number="ZZ-MINE-1" data-status="valid"' in licences
    assert 'data-number="ZZ-MINE-OLD" data-status="expired"' in licences
    assert "ZZ-THEIRS-1" not in html
    benefits = _slot(html, "benefits")
    assert benefits.count('class="alert alert-warning') == 1
    assert "awaiting your confirmation" in benefits
    assert "150.00" in benefits
    assert 'data-state="confirmed"' in benefits
    assert "88.00" in benefits
    assert 'data-state="found"' not in benefits
    assert "999.00" not in html


def test_revoked_licence_is_shown_as_revoked(c: City) -> None:
    licence(c, "ZZ-REV", resident=c.residents["resident"], status=Licence.Status.REVOKED)
    html = client(c.users["resident"]).get(ME).content.decode()
    assert 'data-number="ZZ-REV" data-status="revoked"' in html


def test_user_without_resident_sees_the_explanation_and_still_their_applications(c: City) -> None:
    application(c, "unlinked", "SQ-UNLINKED")
    html = client(c.users["unlinked"]).get(ME).content.decode()
    assert 'id="no-resident"' in html
    assert "SQ-UNLINKED" in _slot(html, "applications")
    assert 'data-state="unavailable"' in _slot(html, "licences")
    assert 'data-state="unavailable"' in _slot(html, "benefits")


def test_citizen_portal_refused_without_services_apply(c: City) -> None:
    assert client(c.users["clerk"]).get(ME).status_code == 403
    assert AuditEntry.objects.filter(
        action="services.portal_view", outcome="denied", actor_id=c.users["clerk"].pk
    ).exists()
    response = client().get(ME)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- enterprise portal -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["clerk", "resident", "staff", "nocode"])
def test_enterprise_portal_refused_for_others(c: City, who: str) -> None:
    assert client(c.users[who]).get(ENTERPRISE).status_code == 403
    assert AuditEntry.objects.filter(
        action="services.portal_view", outcome="denied", actor_id=c.users[who].pk
    ).exists()


def test_enterprise_portal_refused_for_anonymous(c: City) -> None:
    response = client().get(ENTERPRISE)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_enterprise_portal_shows_own_services_sections_only(c: City) -> None:
    application(c, "alpha", "SQ-ALPHA", credit_code=ALPHA)
    application(c, "beta", "SQ-BETA", credit_code=BETA)
    licence(c, "ZZ-ALPHA", credit_code=ALPHA, holder_name="衢州甲化工有限公司")
    licence(c, "ZZ-BETA", credit_code=BETA, holder_name="衢州乙造纸有限公司")
    p, v = policy(c, "stable_jobs", "enterprise", "企业稳岗返还")
    policy(c, "tech_sme", "enterprise", "科技型中小企业奖励")
    policy(c, "elderly", "citizen", "高龄津贴")
    grant(p, v, "approved", credit_code=ALPHA, amount="5000.00")
    grant(p, v, "approved", credit_code=BETA, amount="7777.00")

    response = client(c.users["alpha"]).get(ENTERPRISE)
    assert response.status_code == 200
    html = response.content.decode()
    assert '<span id="enterprise-credit-code">' + ALPHA in html
    assert "衢州甲化工有限公司" in html
    assert "SQ-ALPHA" in _slot(html, "applications")
    assert "SQ-BETA" not in html
    assert "ZZ-ALPHA" in _slot(html, "licences")
    assert "ZZ-BETA" not in html
    assert "5000.00" in _slot(html, "benefits")
    assert "7777.00" not in html
    policies = _slot(html, "policies")
    assert 'data-code="stable_jobs"' in policies
    assert 'data-code="tech_sme"' in policies
    assert 'data-code="elderly"' not in policies
    assert "No grant for your enterprise under this policy" in policies  # tech_sme
    assert 'id="policy-library-link"' in policies
    assert 'href="/policy/?q=' in policies


def test_market_and_carbon_sections_show_only_own_enterprise(c: City) -> None:
    run = CreditRun.objects.create(
        as_of=date(2026, 11, 1), state="complete", trigger="manual", is_current=True
    )
    CreditClass.objects.create(run=run, credit_code=ALPHA, name="甲", score=90, credit_class="A")
    CreditClass.objects.create(run=run, credit_code=BETA, name="乙", score=20, credit_class="D")
    for code, number in ((ALPHA, "CASE-ALPHA"), (BETA, "CASE-BETA")):
        Case.objects.create(
            number=number,
            credit_code=code,
            enterprise_name=code,
            county_code="330802",
            violation="no_such_violation",
            facts="事实",
            occurred_on=date(2026, 1, 1),
        )
    run_with_accounts(sectors=False)

    html = client(c.users["alpha"]).get(ENTERPRISE).content.decode()
    credit = _slot(html, "credit")
    assert 'data-state="ok"' in credit
    assert 'data-class="A"' in credit
    assert "2026-11-01" in credit
    assert f"/market/profile/{ALPHA}/" in credit
    assert 'data-class="D"' not in html
    cases = _slot(html, "cases")
    assert 'data-number="CASE-ALPHA" data-state="open"' in cases
    assert "CASE-BETA" not in html
    carbon = _slot(html, "carbon")
    assert 'data-state="ok"' in carbon
    assert 'data-colour="light_green"' in carbon
    assert 'data-year="2025"' in carbon
    assert "/carbon/mine/" in carbon
    for action in ("market.credit_view", "market.case_view", "carbon.account_read"):
        entry = AuditEntry.objects.filter(action=action, actor_id=c.users["alpha"].pk).last()
        assert entry is not None, action
        assert entry.outcome == "success", action

    # the other enterprise sees its own, never alpha's
    html = client(c.users["beta"]).get(ENTERPRISE).content.decode()
    assert 'data-class="D"' in _slot(html, "credit")
    assert 'data-class="A"' not in html
    assert "CASE-BETA" in html
    assert "CASE-ALPHA" not in html


def test_sections_refuse_a_caller_who_is_not_the_enterprise(c: City, rf: Any) -> None:
    """Each registered enterprise section checks the caller itself (not only the page)."""
    from django.core.exceptions import PermissionDenied

    request = rf.get(ENTERPRISE)
    request.user = c.users["staff"]  # has ALPHA on the account, but is not an enterprise user
    for slot in ("applications", "licences", "benefits", "policies", "credit", "cases", "carbon"):
        section = registry.section_for("enterprise", slot)
        assert section is not None, slot
        with pytest.raises(PermissionDenied):
            section.context(request)


def test_slot_without_a_section_says_not_yet_available(c: City, monkeypatch: Any) -> None:
    monkeypatch.delitem(registry.SECTIONS, ("enterprise", "carbon"))
    html = client(c.users["alpha"]).get(ENTERPRISE).content.decode()
    carbon = _slot(html, "carbon")
    assert 'data-state="missing"' in carbon
    assert "Not yet available" in carbon
    assert 'data-state="ok"' in _slot(html, "licences")


def test_a_failing_section_does_not_break_the_page(c: City, monkeypatch: Any) -> None:
    def broken(request: Any) -> dict[str, Any]:
        raise RuntimeError("boom")

    monkeypatch.setitem(
        registry.SECTIONS,
        ("enterprise", "credit"),
        PortalSection("credit", "enterprise", "Credit", "market/portal/_credit.html", broken),
    )
    response = client(c.users["alpha"]).get(ENTERPRISE)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-state="error"' in _slot(html, "credit")
    assert "Temporarily unavailable" in _slot(html, "credit")
    assert 'data-state="ok"' in _slot(html, "cases")
