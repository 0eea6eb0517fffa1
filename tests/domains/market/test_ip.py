"""Intellectual property and quality (知识产权 · 质量): an enterprise's patents, trademarks and
spot checks from the warehouse, the quality overview, infringement complaints → loop tasks."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shuzhi.demo import datasets
from shuzhi.demo.management.commands.demo import Command
from shuzhi.domains.market.models import Enterprise, InfringementComplaint
from shuzhi.domains.market.services import ip
from shuzhi.domains.market.services.ip import IpRefused, complaint_lodge
from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.services import dataset_publish
from shuzhi.platform.loop.models import Task
from shuzhi.platform.security.identifiers import check_credit_code, credit_code_check_char
from shuzhi.platform.warehouse.services import ingest
from tests.domains.market.city import JIANGSHAN, KECHENG, City, build_city, by_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _denied(action: str) -> int:
    return AuditEntry.objects.filter(action=action, outcome="denied").count()


# --- A small registry of enterprises (no warehouse) -----------------------------------------


@dataclass
class Registry:
    kecheng: Enterprise  # M1
    jiangshan: Enterprise  # M5
    kecheng_clerk: User
    jiangshan_clerk: User
    city_clerk: User
    owner: User  # M1's enterprise user
    other_owner: User  # M5's enterprise user
    resident: User


def _division(code: str, name: str, level: str, parent: Division | None = None) -> Division:
    found, _ = Division.objects.get_or_create(
        code=code, defaults={"name": name, "name_en": name, "level": level, "parent": parent}
    )
    return found


def _registry() -> Registry:
    province = _division("330000", "浙江省", "province")
    city = _division("330800", "衢州市", "city", province)
    counties = {
        KECHENG: _division(KECHENG, "柯城区", "county", city),
        JIANGSHAN: _division(JIANGSHAN, "江山市", "county", city),
    }
    departments = {}
    for division in (city, *counties.values()):
        code = f"{division.code}-AMR"
        departments[code], _ = Department.objects.get_or_create(
            code=code, defaults={"name": f"{division.name}市场监管局", "division": division}
        )
    firms = {}
    for key, county, industry in (("M1", KECHENG, "C2221"), ("M5", JIANGSHAN, "C3435")):
        firms[key] = Enterprise.objects.create(
            credit_code=by_key(key),
            name=f"测试{key}有限公司",
            enterprise_type="limited_company",
            legal_representative="张一",
            address="测试路1号",
            county=counties[county],
            industry_code=industry,
            registered_capital=Decimal("100.00"),
            established_on=date(2010, 1, 1),
            status=Enterprise.Status.ACTIVE,
        )
    return Registry(
        kecheng=firms["M1"],
        jiangshan=firms["M5"],
        kecheng_clerk=UserFactory(department=departments["330802-AMR"], roles=["clerk"]),
        jiangshan_clerk=UserFactory(department=departments["330881-AMR"], roles=["clerk"]),
        city_clerk=UserFactory(department=departments["330800-AMR"], roles=["clerk"]),
        owner=UserFactory(department=None, roles=["enterprise"], credit_code=by_key("M1")),
        other_owner=UserFactory(department=None, roles=["enterprise"], credit_code=by_key("M5")),
        resident=UserFactory(department=None, roles=["public"]),
    )


@pytest.fixture
def registry() -> Registry:
    return _registry()


def _lodge(by: User, respondent: str, **changes: str) -> InfringementComplaint:
    values = {
        "right": "trademark",
        "right_number": "18830802",
        "holder_name": "衢州示范有限公司",
        "respondent_code": respondent,
        "description": "在商场发现近似商标的同类商品。",
        **changes,
    }
    return complaint_lodge(by=by, **values)


# --- Complaints -----------------------------------------------------------------------------


def test_a_complaint_opens_a_task_routed_to_the_respondents_county(registry: Registry) -> None:
    complaint = _lodge(registry.owner, by_key("M5"))
    task = Task.objects.get(pk=complaint.task_id)
    assert task.type_code == "market_ip"
    assert task.source_ref == f"market:ip:{complaint.pk}"
    assert task.county_code == JIANGSHAN
    assert task.state == "pending_acceptance"  # routed straight to the department
    assert task.department is not None
    assert task.department.code == "330881-AMR"
    assert task.reporter == registry.owner
    assert complaint.respondent_name == "测试M5有限公司"
    assert complaint.county_code == JIANGSHAN
    entry = AuditEntry.objects.get(action="market.complaint_lodge", outcome="success")
    assert entry.details["task"] == task.pk
    assert entry.details["routed_to"] == "330881-AMR"


def test_the_resident_lodges_through_the_form_and_follows_the_task(registry: Registry) -> None:
    client = _client(registry.resident)
    assert client.get(reverse("market:complaint_new")).status_code == 200
    response = client.post(
        reverse("market:complaint_new"),
        {
            "right": "patent",
            "right_number": "202320512345.6",
            "holder_name": "张某",
            "respondent_code": by_key("M1").lower(),  # normalised by the validator
            "description": "仿制了我的专利产品。",
        },
    )
    complaint = InfringementComplaint.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("market:complaint", args=[complaint.pk])
    assert complaint.respondent_code == by_key("M1")
    body = client.get(reverse("market:complaints")).content.decode()
    assert 'id="mine-table"' in body
    assert "202320512345.6" in body
    assert "Pending acceptance" in body
    assert 'id="regulated-table"' not in body  # a resident regulates nothing
    detail = client.get(reverse("market:complaint", args=[complaint.pk])).content.decode()
    assert 'id="task-state"' in detail


@pytest.mark.parametrize(
    ("changes", "code", "field", "words"),
    [
        ({"respondent_code": "91330802MA2C00001X"}, "invalid_credit_code", "respondent_code", ""),
        ({"respondent_code": "12345"}, "invalid_credit_code", "respondent_code", "18"),
        ({"respondent_code": "91330802MA2C000990"}, "unknown_respondent", "respondent_code", ""),
        ({"description": "   "}, "missing", "description", "Describe"),
        ({"right_number": ""}, "missing", "right_number", "number"),
        ({"right": "copyright"}, "unknown_right", "right", ""),
        ({"description": "x" * 5001}, "too_long", "description", "5000"),
    ],
)
def test_bad_complaints_are_refused_with_a_reason_and_change_nothing(
    registry: Registry, changes: dict[str, str], code: str, field: str, words: str
) -> None:
    if code == "unknown_respondent":  # a valid code of no registered enterprise
        body = changes["respondent_code"][:17]
        changes = {"respondent_code": body + credit_code_check_char(body)}
        assert check_credit_code(changes["respondent_code"]).valid
    with translation.override("en"), pytest.raises(IpRefused) as refused:
        _lodge(registry.owner, by_key("M5"), **changes)
    assert refused.value.code == code
    assert refused.value.field == field
    assert words in refused.value.message
    if code == "invalid_credit_code":
        reason = check_credit_code(changes["respondent_code"]).reason
        assert reason
        assert reason in refused.value.message
    assert InfringementComplaint.objects.count() == 0
    assert Task.objects.count() == 0
    failure = AuditEntry.objects.get(action="market.complaint_lodge", outcome="failure")
    assert failure.details["code"] == code


def test_the_form_shows_the_validators_reason_and_keeps_the_input(registry: Registry) -> None:
    response = _client(registry.owner).post(
        reverse("market:complaint_new"),
        {
            "right": "trademark",
            "right_number": "18830802",
            "holder_name": "衢州示范有限公司",
            "respondent_code": "91330802MA2C00001X",
            "description": "近似商标。",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "Invalid credit code" in body
    assert "近似商标。" in body
    assert "18830802" in body
    assert InfringementComplaint.objects.count() == 0


def test_an_enterprise_cannot_complain_of_itself(registry: Registry) -> None:
    with pytest.raises(IpRefused) as refused:
        _lodge(registry.owner, by_key("M1"))
    assert refused.value.code == "own_enterprise"
    assert Task.objects.count() == 0


def test_who_may_not_lodge_is_refused_and_audited(registry: Registry) -> None:
    bank = UserFactory(department=None, roles=["bank"])  # no loop.report
    with pytest.raises(PermissionDenied):
        _lodge(bank, by_key("M5"))
    assert _client(bank).get(reverse("market:complaint_new")).status_code == 403
    assert _denied("market.complaint_lodge") == 2
    anonymous = Client().get(reverse("market:complaint_new"))
    assert anonymous.status_code == 302
    assert "login" in anonymous.url
    assert Client().post(reverse("market:complaint_new"), {}).status_code == 302
    assert InfringementComplaint.objects.count() == 0


def test_regulators_see_the_complaints_of_their_reach_only(registry: Registry) -> None:
    in_jiangshan = _lodge(registry.owner, by_key("M5"), right_number="JS-1")
    in_kecheng = _lodge(registry.resident, by_key("M1"), right_number="KC-1")
    jiangshan = _client(registry.jiangshan_clerk)
    body = jiangshan.get(reverse("market:complaints")).content.decode()
    assert "JS-1" in body
    assert "KC-1" not in body
    # another county's list: refused and audited
    assert jiangshan.get(reverse("market:complaints") + f"?county={KECHENG}").status_code == 403
    assert jiangshan.get(reverse("market:complaint", args=[in_kecheng.pk])).status_code == 403
    assert _denied("market.complaint_view") == 2
    assert jiangshan.get(reverse("market:complaint", args=[in_jiangshan.pk])).status_code == 200
    city = _client(registry.city_clerk).get(reverse("market:complaints")).content.decode()
    assert "JS-1" in city
    assert "KC-1" in city
    assert "<td>江山市</td>" in city  # the county by name
    # another enterprise's user sees neither the list entry nor the complaint
    other = _client(registry.other_owner)
    assert "KC-1" not in other.get(reverse("market:complaints")).content.decode()
    assert other.get(reverse("market:complaint", args=[in_kecheng.pk])).status_code == 403
    assert Client().get(reverse("market:complaints")).status_code == 302
    assert jiangshan.get(reverse("market:complaint", args=[999999])).status_code == 404


def test_the_task_type_and_actions_are_registered() -> None:
    from shuzhi.platform.loop.registry import task_type

    assert task_type("market_ip").deadline_days == 15
    assert set(ip.ACTIONS) == {
        "market.ip_view",
        "market.quality_view",
        "market.complaint_lodge",
        "market.complaint_view",
    }


def test_the_demo_loader_lodges_two_complaints_once(registry: Registry) -> None:
    from shuzhi.demo import market_ip

    UserFactory(username="enterprise", department=None, roles=["enterprise"], credit_code="")
    UserFactory(username="resident", department=None, roles=["public"])
    out = StringIO()
    market_ip.load(stdout=out)
    market_ip.load(stdout=out)
    assert InfringementComplaint.objects.count() == 2
    assert Task.objects.filter(type_code="market_ip").count() == 2
    assert set(InfringementComplaint.objects.values_list("county_code", flat=True)) == {
        KECHENG,
        JIANGSHAN,
    }
    assert "2 lodged" in out.getvalue()
    assert "2 already there" in out.getvalue()


# --- Warehouse reads --------------------------------------------------------------------------

WAREHOUSE = ("patent", "trademark", "product_quality_inspection")


def _rows(code: str) -> list[dict[str, str]]:
    m1, m5 = by_key("M1"), by_key("M5")
    if code == "patent":
        return [
            {
                "application_number": "202310123456.1",
                "title": "一种纸浆漂白方法",
                "patent_type": "发明",
                "applicant_credit_code": m1,
                "applicant_name": "测试M1有限公司",
                "county_code": KECHENG,
                "application_date": "2023-01-05",
                "grant_date": "2024-06-01",
                "legal_status": "有效",
            }
        ]
    if code == "trademark":
        return [
            {
                "registration_number": f"1883080{i}",
                "credit_code": cc,
                "enterprise_name": name,
                "county_code": county,
                "mark_name": mark,
                "nice_class": "16",
                "registered_on": f"202{i}-03-01",
                "valid_until": f"203{i}-02-28",
                "status": "有效",
            }
            for i, (cc, name, county, mark) in enumerate(
                (
                    (m1, "测试M1有限公司", KECHENG, "一号"),
                    (m1, "测试M1有限公司", KECHENG, "一号牌"),
                    (m5, "测试M5有限公司", JIANGSHAN, "五号"),
                )
            )
        ]
    checks = (
        (m1, KECHENG, "合格"),
        (m1, KECHENG, "不合格"),
        (by_key("M2"), KECHENG, "合格"),
        (m5, JIANGSHAN, "合格"),
    )
    return [
        {
            "inspection_number": f"QZCC2024{county}{i:04d}",
            "credit_code": cc,
            "enterprise_name": "测试企业",
            "county_code": county,
            "product": "生活用纸",
            "product_category": "纸制品",
            "sampled_on": f"2024-0{i + 1}-10",
            "result": result,
            "failed_items": "抗张强度" if result == "不合格" else "",
            "authority": "衢州市市场监督管理局",
        }
        for i, (cc, county, result) in enumerate(checks)
    ]


def _load(folder: Path, steward: User, code: str) -> None:
    definition = datasets.BY_CODE[code]
    dataset = Command.register_dataset(definition, steward)
    dataset = dataset_publish(dataset=dataset, by=steward)
    path = folder / f"{code}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=definition.field_names, restval="")
        writer.writeheader()
        writer.writerows(_rows(code))
    report = ingest(dataset=dataset, path=path, by=steward)
    assert report.rows_quarantined == 0, report.quarantine[:2]


@pytest.fixture
def city(tmp_path: Path, settings: Any) -> City:
    settings.DATA_DIR = tmp_path
    built = build_city(tmp_path, codes=("enterprise_registry",))
    for code in WAREHOUSE:
        _load(tmp_path, built.amr, code)
    return built


def test_an_enterprises_ip_and_quality_for_a_regulator_and_its_own_user_only(
    city: City, registry: Registry
) -> None:
    url = reverse("market:ip_enterprise", args=[by_key("M1")])
    for user in (city.clerk, registry.owner):
        page = _client(user).get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert 'id="patent-count">1<' in body
        assert 'id="trademark-count">2<' in body
        assert "一号牌" in body
        assert "五号" not in body
        assert 'id="failed-count">1 / 2<' in body
        assert "抗张强度" in body
    views = AuditEntry.objects.filter(action="market.ip_view", outcome="success")
    assert views.count() == 2
    first = views.first()
    assert first is not None
    assert first.details["trademarks"] == 2
    found = ip.ip_enterprise_read(credit_code=by_key("M5"), by=registry.other_owner)
    assert [r["mark_name"] for r in found.trademarks.rows] == ["五号"]
    assert found.patents.total == 0
    assert found.patents.version is not None
    # another enterprise's user, the public, an enterprise user without a code: refused
    assert _client(registry.other_owner).get(url).status_code == 403  # another enterprise
    assert _client(registry.resident).get(url).status_code == 403  # the public
    no_code = UserFactory(department=None, roles=["enterprise"], credit_code="")
    assert _client(no_code).get(url).status_code == 403
    assert _denied("market.ip_view") == 3
    assert Client().get(url).status_code == 302
    bad = _client(city.clerk).get(reverse("market:ip_enterprise", args=["91330802MA2C00001X"]))
    assert bad.status_code == 400
    assert "Invalid credit code" in bad.content.decode()
    assert AuditEntry.objects.filter(action="market.ip_view", outcome="success").count() == 3
    assert AuditEntry.objects.filter(action="market.ip_view", outcome="failure").count() == 1


def test_quality_overview_gives_pass_rates_by_county_and_industry(
    city: City, registry: Registry
) -> None:
    page = _client(city.clerk).get(reverse("market:quality"))
    assert page.status_code == 200
    body = page.content.decode()
    start = body.index(">", body.index('id="quality-data"')) + 1
    chart = json.loads(body[start : body.index("</script>", start)])
    assert chart["county"] == {
        "names": ["柯城区", "江山市"],
        "rates": [66.7, 100.0],
        "totals": [3, 1],
    }
    industry = dict(zip(chart["industry"]["names"], chart["industry"]["rates"], strict=True))
    assert industry == {"C Manufacturing": 66.7, "H Accommodation and catering": 100.0}
    assert 'id="failure-table"' in body
    assert "抗张强度" in body
    assert 'src="/static/market/quality.js"' in body or "market/quality.js" in body
    # enterprises, the public and the anonymous do not see the overview
    for user in (registry.owner, registry.resident):
        assert _client(user).get(reverse("market:quality")).status_code == 403
    assert _denied("market.quality_view") == 2
    assert Client().get(reverse("market:quality")).status_code == 302


def test_quality_overview_without_data_says_what_will_appear(registry: Registry) -> None:
    body = _client(registry.city_clerk).get(reverse("market:quality")).content.decode()
    assert 'id="empty-state"' in body
    assert "quality-data" not in body
    found = ip.ip_enterprise_read(credit_code=by_key("M1"), by=registry.city_clerk)
    assert found.trademarks.version is None
    assert found.name == "测试M1有限公司"
