"""一企一档: the enterprise profile gathers the registry, the life cycle, the credit class,
inspections, cases and warehouse datasets — each dataset only as the viewer's grants allow."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuzhi.domains.market.models import Case, Enterprise
from shuzhi.domains.market.profile import WAREHOUSE_SECTIONS
from shuzhi.domains.market.services.credit import credit_classify
from shuzhi.platform.accounts.models import Department, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.sharing.services import share_request_create
from tests.domains.market.city import AS_OF, INPUTS, KECHENG, City, build_city, by_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


LICENCES = "administrative_licence"


@pytest.fixture
def city(tmp_path: Path, settings: Any) -> City:
    return _city(tmp_path, settings)


@pytest.fixture
def licensed_city(tmp_path: Path, settings: Any) -> City:
    """The city with the licences too (the market department's own, open data)."""
    return _city(tmp_path, settings, codes=(*INPUTS, LICENCES))


def _city(tmp_path: Path, settings: Any, *, codes: tuple[str, ...] = INPUTS) -> City:
    settings.LANGUAGE_CODE = "en"
    settings.DATA_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
    built = build_city(tmp_path, codes=codes)
    # the penalties belong to the finance bureau here and are not open: a market clerk needs a
    # grant to read them; the abnormal list stays the market department's own and open
    Dataset.objects.filter(code="administrative_penalty").update(
        owner=built.fin.department, open_attribute="closed"
    )
    Enterprise.objects.create(
        credit_code=by_key("M2"),
        name="测试M2有限公司",
        enterprise_type="有限责任公司",
        legal_representative="王二小",
        address="柯城区某路",
        county_id=KECHENG,
        industry_code="H6210",
        registered_capital=Decimal("10"),
        established_on=date(2012, 5, 1),
        status=Enterprise.Status.ACTIVE,
    )
    return built


def _client(user: User | None = None) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user)
    return client


def _section(body: str, code: str) -> str:
    start = body.index(f'id="s-{code}"')
    return body[start : body.index("</section>", start)]


def _url(key: str) -> str:
    return reverse("market:profile", args=[by_key(key)])


def test_regulator_sees_own_datasets_and_no_grant_for_others(city: City) -> None:
    page = _client(city.clerk).get(_url("M2"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "王**" in body  # the legal representative, masked
    assert "王二小" not in body
    penalties = _section(body, "administrative_penalty")
    assert 'data-state="no_grant"' in penalties
    assert "衢市监罚" not in penalties
    assert reverse("sharing:request_new", args=["administrative_penalty"]) in penalties
    carbon = _section(body, "carbon_account_annual")
    assert "not on the platform" in carbon
    entry = AuditEntry.objects.filter(action="market.profile_view", outcome="success").get()
    assert entry.details["sections"]["administrative_penalty"] == "no_grant"


def test_owner_department_reads_its_dataset(city: City) -> None:
    body = _client(city.fin).get(_url("M2")).content.decode()  # FIN steward, market.view
    penalties = _section(body, "administrative_penalty")
    assert 'data-via="owner"' in penalties
    assert "衢市监罚〔2025〕1号" in penalties
    assert "衢市监罚〔2025〕3号" not in penalties  # M5's, not M2's


def test_a_grant_opens_the_section_through_sharing(city: City) -> None:
    dataset = Dataset.objects.get(code="administrative_penalty")
    outcome = share_request_create(
        by=city.clerk,
        dataset=dataset,
        fields=[f.name for f in dataset.fields.all()],
        purpose="一企一档",
        legal_basis="市场监管职责",
        period_end=timezone.localdate() + timedelta(days=30),
    )
    assert outcome.grant is not None
    body = _client(city.clerk).get(_url("M2")).content.decode()
    penalties = _section(body, "administrative_penalty")
    assert 'data-via="grant"' in penalties
    assert "衢市监罚〔2025〕2号" in penalties
    assert AuditEntry.objects.filter(action="sharing.read", outcome="success").exists()


def test_open_data_and_own_records(city: City) -> None:
    Case.objects.create(
        number="柯市监立〔2026〕1号",
        credit_code=by_key("M3"),
        enterprise_name="测试M3有限公司",
        county_code=KECHENG,
        violation="test",
        facts="facts",
        occurred_on=date(2025, 1, 1),
    )
    leader = UserFactory(
        username="gov_leader",
        department=Department.objects.create(code="330800-GOV", name="GOV", division_id="330800"),
        roles=["leader"],
    )
    body = _client(leader).get(_url("M3")).content.decode()
    abnormal = _section(body, "abnormal_operation_list")
    assert 'data-via="open"' in abnormal
    assert "未按规定报送年度报告" in abnormal
    assert "柯市监立〔2026〕1号" in _section(body, "cases")
    assert 'id="not-registered"' in body  # M3 is in the warehouse, not the registry


def _leader() -> User:
    return UserFactory(
        username="gov_leader",
        department=Department.objects.create(code="330800-GOV", name="GOV", division_id="330800"),
        roles=["leader"],
    )


def test_licences_come_first_and_the_owner_department_reads_them(licensed_city: City) -> None:
    body = _client(licensed_city.clerk).get(_url("M2")).content.decode()  # AMR owns them
    sections = [code for code, *_ in WAREHOUSE_SECTIONS]
    assert sections[0] == LICENCES
    assert body.index(f'id="s-{LICENCES}"') < body.index('id="s-administrative_penalty"')
    assert body.index(f'href="#s-{LICENCES}"') < body.index('href="#s-administrative_penalty"')
    licences = _section(body, LICENCES)
    assert 'data-state="rows"' in licences
    assert 'data-via="owner"' in licences
    assert ">Licences <" in licences
    assert "JY23308020000024" in licences
    assert "JY23308020000017" in licences  # the expired one too
    assert "2026-12-19" in licences
    assert "有效" in licences
    assert "过期" in licences
    assert "TS3133001-2027" not in licences  # M5's, not M2's
    headers = re.findall(r"<th>([^<]*)</th>", licences)
    assert headers == ["Licence type", "Licence number", "Issued on", "Valid until", "Status"]
    assert "热食类食品制售" not in licences  # the scope is not a column of the section
    entry = AuditEntry.objects.filter(action="market.profile_view", outcome="success").get()
    assert entry.details["sections"][LICENCES] == "owner"


def test_licences_are_open_data_to_other_viewers(licensed_city: City) -> None:
    body = _client(_leader()).get(_url("M5")).content.decode()
    licences = _section(body, LICENCES)
    assert 'data-via="open"' in licences
    assert "TS3133001-2027" in licences
    assert "特种设备生产许可证" in licences
    assert "JY23308020000024" not in licences
    owner = UserFactory(username="m2_user", department=None, roles=["enterprise"])
    owner.credit_code = by_key("M2")
    owner.save()
    own = _section(_client(owner).get(_url("M2")).content.decode(), LICENCES)
    assert 'data-via="open"' in own
    assert "JY23308020000024" in own


def test_licences_missing_when_the_dataset_is_not_on_the_platform(city: City) -> None:
    body = _client(city.clerk).get(_url("M2")).content.decode()
    licences = _section(body, LICENCES)
    assert 'data-state="missing"' in licences
    assert "not on the platform" in licences
    entry = AuditEntry.objects.filter(action="market.profile_view", outcome="success").get()
    assert entry.details["sections"][LICENCES] == "missing"


def test_credit_class_on_the_profile(city: City) -> None:
    credit_classify(by=city.amr, as_of=AS_OF)
    body = _client(city.clerk).get(_url("M3")).content.decode()
    assert 'id="credit-class">C<' in body


def test_enterprise_user_sees_only_its_own(city: City) -> None:
    owner = UserFactory(username="m2_user", department=None, roles=["enterprise"])
    owner.credit_code = by_key("M2")
    owner.save()
    page = _client(owner).get(_url("M2"))
    assert page.status_code == 200
    penalties = _section(page.content.decode(), "administrative_penalty")
    assert 'data-state="no_grant"' in penalties
    assert "sharing" not in penalties  # no request link: an enterprise cannot request data
    assert _client(owner).get(_url("M5")).status_code == 403
    denied = AuditEntry.objects.filter(action="market.profile_view", outcome="denied").get()
    assert denied.details["credit_code"] == by_key("M5")


def test_profile_refusals(city: City) -> None:
    bank = UserFactory(username="banker", department=None, roles=["bank"])
    assert _client(bank).get(_url("M2")).status_code == 403
    assert _client().get(_url("M2")).status_code == 302
    page = _client(city.clerk).get(reverse("market:profile", args=["91330802MA2C0000X"]))
    assert page.status_code == 400
    assert "Invalid credit code" in page.content.decode()
