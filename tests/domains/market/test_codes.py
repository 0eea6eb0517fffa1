"""One code, four colours (一码四色) and the five-self checks (五自): issuing codes, the QR
images, the public page and its colour, the enterprise's own self-check list and history.

``registry()`` (also used by the trace tests and the browser test) makes a small registry
straight in the database: no warehouse, so the tests stay fast."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone, translation
from PIL import Image

from shuzhi.domains.market.models import (
    CreditClass,
    CreditRun,
    Enterprise,
    EnterpriseCode,
    SelfCheck,
    SelfCheckItem,
)
from shuzhi.domains.market.services.codes import (
    CodeRefused,
    code_issue,
    codes_issue_all,
    self_check_items_load,
    self_check_record,
)
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.security.identifiers import credit_code_check_char
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

KECHENG, JIANGSHAN, QUJIANG = "330802", "330881", "330803"


def credit_code(county: str, n: int) -> str:
    body = f"91{county}MA2D{n:05d}"
    return body + credit_code_check_char(body)


# key → (county, industry, n)
FIRMS = {
    "producer": (KECHENG, "C1431", 1),  # food manufacturing
    "dist_k": (KECHENG, "F5124", 2),
    "dist_j": (JIANGSHAN, "F5124", 3),
    "shop_k": (KECHENG, "F5211", 4),
    "shop_j": (JIANGSHAN, "F5211", 5),
    "shop_q": (QUJIANG, "F5211", 6),
    "diner": (KECHENG, "H6210", 7),  # a restaurant: the food self-check items apply
    "other": (JIANGSHAN, "C3435", 8),
}


@dataclass
class Registry:
    firms: dict[str, Enterprise]
    users: dict[str, User]  # the enterprise users, by firm key; and the people below
    city: User  # a regulator of the city's market department
    kecheng: User  # a regulator of Kecheng's
    jiangshan: User  # a regulator of Jiangshan's
    leader: User  # holds market.view, not a regulator
    public: User  # a resident: none of the market permissions

    def code(self, key: str) -> str:
        return self.firms[key].credit_code


FAST_HASHER = "django.contrib.auth.hashers.MD5PasswordHasher"


def registry() -> Registry:
    """The firms, their enterprise users and the regulators (passwords hashed fast: tests sign
    in with force_login; a browser test lists FAST_HASHER in PASSWORD_HASHERS to check them)."""
    with override_settings(PASSWORD_HASHERS=[FAST_HASHER]):
        return _registry()


def _registry() -> Registry:
    city, _ = Division.objects.get_or_create(
        code="330800", defaults={"name": "衢州市", "name_en": "Quzhou", "level": "city"}
    )
    departments = {}
    for county, name in ((KECHENG, "柯城区"), (JIANGSHAN, "江山市"), (QUJIANG, "衢江区")):
        division, _ = Division.objects.get_or_create(
            code=county, defaults={"name": name, "name_en": name, "level": "county", "parent": city}
        )
        departments[county], _ = Department.objects.get_or_create(
            code=f"{county}-AMR", defaults={"name": f"{name}市场监管局", "division": division}
        )
    amr, _ = Department.objects.get_or_create(
        code="330800-AMR", defaults={"name": "市市场监管局", "division": city}
    )
    gov, _ = Department.objects.get_or_create(
        code="330800-GOV", defaults={"name": "市政府办公室", "division": city}
    )
    firms = {}
    for key, (county, industry, n) in FIRMS.items():
        firms[key] = Enterprise.objects.create(
            credit_code=credit_code(county, n),
            name=f"测试{key}有限公司",
            enterprise_type="有限责任公司",
            legal_representative="张三",
            address=f"{county} 测试路{n}号",
            county_id=county,
            industry_code=industry,
            registered_capital=Decimal("100"),
            established_on=date(2015, 1, 1),
            status=Enterprise.Status.ACTIVE,
        )
    users = {}
    for key, firm in firms.items():
        user = UserFactory(username=f"ent_{key}", department=None, roles=["enterprise"])
        user.credit_code = firm.credit_code
        user.save()
        users[key] = user
    return Registry(
        firms=firms,
        users=users,
        city=UserFactory(username="amr_city", department=amr, roles=["clerk"]),
        kecheng=UserFactory(username="amr_kc", department=departments[KECHENG], roles=["clerk"]),
        jiangshan=UserFactory(
            username="amr_js", department=departments[JIANGSHAN], roles=["clerk"]
        ),
        leader=UserFactory(username="leader", department=gov, roles=["leader"]),
        public=UserFactory(username="resident", department=None, roles=["public"]),
    )


def classify(grades: dict[str, str]) -> CreditRun:
    run = CreditRun.objects.create(
        as_of=date(2025, 11, 1), state="complete", trigger="manual", is_current=True
    )
    for code, grade in grades.items():
        CreditClass.objects.create(
            run=run, credit_code=code, name=code, score=42.5, credit_class=grade
        )
    return run


def client(user: User | None = None) -> Client:
    browser = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        browser.force_login(user)
    return browser


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def reg() -> Registry:
    found = registry()
    self_check_items_load(by=None)
    return found


# --- issuing ----------------------------------------------------------------------------------


def test_own_user_issues_the_code_once_and_it_is_audited(reg: Registry) -> None:
    firm, user = reg.firms["diner"], reg.users["diner"]
    first = code_issue(enterprise=firm, by=user)
    again = code_issue(enterprise=firm, by=reg.city)
    assert first.pk == again.pk
    assert EnterpriseCode.objects.count() == 1
    assert len(first.token) >= 20
    assert firm.credit_code not in first.token
    assert firm.credit_code[2:10] not in first.token
    entries = AuditEntry.objects.filter(action="market.code_issue", outcome="success")
    assert entries.count() == 1
    assert entries.get().details["credit_code"] == firm.credit_code


def test_tokens_differ_between_enterprises(reg: Registry) -> None:
    codes_issue_all(by=None)
    tokens = set(EnterpriseCode.objects.values_list("token", flat=True))
    assert len(tokens) == len(reg.firms)


@pytest.mark.parametrize("who", ["other_enterprise", "resident"])
def test_others_may_not_issue_a_code(reg: Registry, who: str) -> None:
    user = reg.users["other"] if who == "other_enterprise" else reg.public
    with pytest.raises(PermissionDenied):
        code_issue(enterprise=reg.firms["diner"], by=user)
    assert not EnterpriseCode.objects.exists()
    assert AuditEntry.objects.filter(action="market.code_issue", outcome="denied").exists()


def test_bulk_issue_is_idempotent_and_needs_the_system_or_the_city(reg: Registry) -> None:
    code_issue(enterprise=reg.firms["diner"], by=reg.users["diner"])
    assert codes_issue_all(by=reg.city) == len(reg.firms) - 1
    assert codes_issue_all(by=None) == 0
    with pytest.raises(PermissionDenied):
        codes_issue_all(by=reg.kecheng)  # a county regulator: not the whole city


# --- images -------------------------------------------------------------------------------------


def test_png_and_svg_encode_the_public_page(reg: Registry) -> None:
    cc = reg.code("diner")
    for user in (reg.users["diner"], reg.leader, reg.kecheng):
        png = client(user).get(reverse("market:code_png", args=[cc]))
        assert png.status_code == 200
        assert png["Content-Type"] == "image/png"
        picture = Image.open(io.BytesIO(png.content))
        assert picture.format == "PNG"
        assert picture.size[0] == picture.size[1] > 100
        svg = client(user).get(reverse("market:code_svg", args=[cc]))
        assert svg.status_code == 200
        assert svg["Content-Type"] == "image/svg+xml"
        assert b"<svg" in svg.content
    assert EnterpriseCode.objects.count() == 1  # issued on first need, once


def test_images_refused_to_others(reg: Registry) -> None:
    cc = reg.code("diner")
    assert client(reg.users["other"]).get(reverse("market:code_png", args=[cc])).status_code == 403
    assert client(reg.public).get(reverse("market:code_svg", args=[cc])).status_code == 403
    anonymous = client().get(reverse("market:code_png", args=[cc]))
    assert anonymous.status_code == 302
    assert "/login" in anonymous["Location"]
    assert not EnterpriseCode.objects.exists()


def test_image_of_a_bad_credit_code_gives_the_reason(reg: Registry) -> None:
    page = client(reg.leader).get(reverse("market:code_png", args=["91330802MA2D0000X"]))
    assert page.status_code == 400
    assert "18 characters" in page.content.decode()
    missing = client(reg.leader).get(reverse("market:code_png", args=[credit_code(KECHENG, 99)]))
    assert missing.status_code == 404


# --- the public page ---------------------------------------------------------------------------


def test_public_page_shows_name_status_and_colour_not_the_score(reg: Registry) -> None:
    firm = reg.firms["diner"]
    classify({firm.credit_code: "C"})
    code = code_issue(enterprise=firm, by=reg.city)
    page = client().get(reverse("market:code_public", args=[code.token]))
    assert page.status_code == 200
    body = page.content.decode()
    assert firm.name in body
    assert "Active" in body
    assert "#fd7e14" in body
    assert "Elevated risk" in body
    assert "42.5" not in body
    assert "42.50" not in body
    assert 'id="self-check"' not in body  # anonymous: no self-check list


def test_public_page_of_an_unclassified_enterprise_is_grey(reg: Registry) -> None:
    code = code_issue(enterprise=reg.firms["diner"], by=reg.city)
    body = client().get(reverse("market:code_public", args=[code.token])).content.decode()
    assert "#6c757d" in body
    assert "Not yet classified" in body


def test_colour_comes_from_the_palette_setting(reg: Registry, settings: Any) -> None:
    settings.MARKET_CODE_COLOURS = ["A=#112233", "B=#445566"]
    firm = reg.firms["diner"]
    classify({firm.credit_code: "A"})
    code = code_issue(enterprise=firm, by=reg.city)
    body = client().get(reverse("market:code_public", args=[code.token])).content.decode()
    assert "#112233" in body
    assert "#198754" not in body


def test_unknown_or_tampered_token_is_404(reg: Registry) -> None:
    code = code_issue(enterprise=reg.firms["diner"], by=reg.city)
    flipped = ("A" if code.token[0] != "A" else "B") + code.token[1:]
    for token in (flipped, code.token + "x", "x" * 40, reg.code("diner")):
        assert client().get(reverse("market:code_public", args=[token])).status_code == 404


def test_another_enterprise_user_sees_only_the_public_part(reg: Registry) -> None:
    code = code_issue(enterprise=reg.firms["diner"], by=reg.city)
    body = (
        client(reg.users["other"])
        .get(reverse("market:code_public", args=[code.token]))
        .content.decode()
    )
    assert reg.firms["diner"].name in body
    assert 'id="self-check"' not in body


# --- five-self checks --------------------------------------------------------------------------


def test_items_load_is_idempotent_and_guarded(reg: Registry) -> None:
    total = SelfCheckItem.objects.count()
    assert total >= 15
    assert self_check_items_load(by=None) == {"added": 0, "updated": total}
    assert SelfCheckItem.objects.count() == total
    assert set(SelfCheckItem.objects.values_list("group", flat=True)) == set(
        SelfCheckItem.Group.values
    )
    with pytest.raises(PermissionDenied):
        self_check_items_load(by=reg.kecheng)


def test_own_user_sees_the_items_of_its_industry(reg: Registry) -> None:
    code = code_issue(enterprise=reg.firms["diner"], by=reg.users["diner"])
    body = (
        client(reg.users["diner"])
        .get(reverse("market:code_public", args=[code.token]))
        .content.decode()
    )
    assert 'id="self-check"' in body
    assert 'id="item-H62-INSPECT-01"' in body
    assert 'id="item-G-REPORT-01"' in body
    assert "C14-INSPECT-01" not in body  # food manufacturing, not catering
    shop = code_issue(enterprise=reg.firms["shop_k"], by=reg.users["shop_k"])
    body = (
        client(reg.users["shop_k"])
        .get(reverse("market:code_public", args=[shop.token]))
        .content.decode()
    )
    assert "H62-INSPECT-01" not in body
    assert 'id="item-G-REPORT-01"' in body


def test_confirm_and_not_met_build_the_history(reg: Registry) -> None:
    user = reg.users["diner"]
    browser = client(user)
    done = browser.post(reverse("market:self_check"), {"item": "G-REPORT-01", "confirmed": "yes"})
    assert done.status_code == 302
    assert "#item-G-REPORT-01" in done["Location"]
    browser.post(
        reverse("market:self_check"),
        {"item": "G-INSPECT-02", "confirmed": "no", "note": "两具灭火器过期，本周更换"},
    )
    checks = list(SelfCheck.objects.filter(enterprise=reg.firms["diner"]))
    assert [(c.item.code, c.confirmed) for c in checks] == [
        ("G-INSPECT-02", False),
        ("G-REPORT-01", True),
    ]  # newest first
    assert checks[0].note == "两具灭火器过期，本周更换"
    assert checks[0].checked_by == user
    assert AuditEntry.objects.filter(action="market.self_check", outcome="success").count() == 2
    page = browser.get(done["Location"].split("#")[0]).content.decode()
    assert page.index("G-INSPECT-02") < page.rindex("G-REPORT-01")
    assert "两具灭火器过期" in page


def test_not_met_without_a_note_keeps_nothing_and_says_why(reg: Registry) -> None:
    browser = client(reg.users["diner"])
    page = browser.post(
        reverse("market:self_check"), {"item": "G-INSPECT-02", "confirmed": "no", "note": " "}
    )
    assert page.status_code == 400
    assert "Say what is not met" in page.content.decode()
    assert not SelfCheck.objects.exists()
    failed = AuditEntry.objects.get(action="market.self_check", outcome="failure")
    assert failed.details["code"] == "note_required"


def test_items_of_another_industry_or_unknown_are_refused(reg: Registry) -> None:
    with translation.override("en"), pytest.raises(CodeRefused) as refused:
        self_check_record(
            enterprise=reg.firms["shop_k"],
            item_code="H62-INSPECT-01",
            confirmed=True,
            by=reg.users["shop_k"],
        )
    assert refused.value.code == "unknown_item"
    page = client(reg.users["shop_k"]).post(
        reverse("market:self_check"), {"item": "NOPE", "confirmed": "yes"}
    )
    assert page.status_code == 400
    assert not SelfCheck.objects.exists()


@pytest.mark.parametrize("who", ["other_enterprise", "regulator", "resident"])
def test_only_the_own_user_records_checks(reg: Registry, who: str) -> None:
    user = {"other_enterprise": reg.users["other"], "regulator": reg.city, "resident": reg.public}[
        who
    ]
    with pytest.raises(PermissionDenied):
        self_check_record(
            enterprise=reg.firms["diner"], item_code="G-REPORT-01", confirmed=True, by=user
        )
    assert not SelfCheck.objects.exists()
    assert AuditEntry.objects.filter(action="market.self_check", outcome="denied").exists()


def test_posting_a_check_needs_an_enterprise_user(reg: Registry) -> None:
    url = reverse("market:self_check")
    assert (
        client(reg.city).post(url, {"item": "G-REPORT-01", "confirmed": "yes"}).status_code == 403
    )
    assert client().post(url, {"item": "G-REPORT-01", "confirmed": "yes"}).status_code == 302
    assert not SelfCheck.objects.exists()


# --- the enterprise's own page ----------------------------------------------------------------


def test_mine_shows_the_code_and_the_summary_of_the_last_30_days(reg: Registry) -> None:
    user, firm = reg.users["diner"], reg.firms["diner"]
    self_check_record(enterprise=firm, item_code="G-REPORT-01", confirmed=True, by=user)
    old = self_check_record(enterprise=firm, item_code="G-REPORT-02", confirmed=True, by=user)
    SelfCheck.objects.filter(pk=old.pk).update(checked_at=timezone.now() - timedelta(days=31))
    self_check_record(enterprise=firm, item_code="G-INSPECT-02", confirmed=False, note="x", by=user)
    page = client(user).get(reverse("market:mine"))
    assert page.status_code == 200
    body = page.content.decode()
    total = SelfCheckItem.objects.filter(industry_prefix__in=["", "H62"]).count()
    assert (
        f'<span id="summary-confirmed">1</span> / <span id="summary-total">{total}</span>' in body
    )
    code = EnterpriseCode.objects.get(enterprise=firm)
    assert reverse("market:code_public", args=[code.token]) in body
    assert reverse("market:code_png", args=[firm.credit_code]) in body


def test_mine_for_others(reg: Registry) -> None:
    assert client(reg.city).get(reverse("market:mine")).status_code == 403
    assert client().get(reverse("market:mine")).status_code == 302
    lost = UserFactory(username="ent_lost", department=None, roles=["enterprise"])
    lost.credit_code = credit_code(KECHENG, 99)  # valid but not registered
    lost.save()
    assert client(lost).get(reverse("market:mine")).status_code == 404


def test_regulator_code_page(reg: Registry) -> None:
    cc = reg.code("diner")
    page = client(reg.kecheng).get(reverse("market:code", args=[cc]))
    assert page.status_code == 200
    assert reg.firms["diner"].name in page.content.decode()
    assert client(reg.users["other"]).get(reverse("market:code", args=[cc])).status_code == 403


def test_demo_loader_is_idempotent(reg: Registry) -> None:
    from shuzhi.demo.market_codes import load

    demo = UserFactory(username="enterprise", department=None, roles=["enterprise"])
    demo.credit_code = reg.code("diner")
    demo.save()
    out = io.StringIO()
    load(stdout=out)
    load(stdout=out)
    assert EnterpriseCode.objects.count() == len(reg.firms)
    checks = SelfCheck.objects.filter(enterprise=reg.firms["diner"])
    assert checks.count() == 5
    assert checks.filter(confirmed=False).count() == 1
    assert "already recorded" in out.getvalue()
