"""免申即享 pages: department staff, the rule page's dry run, the beneficiary's grant page —
and who may not see them."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from shuzhi.domains.services.models import BenefitGrant
from shuzhi.domains.services.services.benefits import eligibility_run, grant_review
from shuzhi.platform.accounts.models import User
from shuzhi.platform.accounts.services import user_roles_set
from shuzhi.platform.audit.models import AuditEntry

from .test_benefits_city import MONTH, City, build_city

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _november() -> Iterator[None]:
    with time_machine.travel(datetime(2026, 11, 15, 10, 0), tick=False):
        yield


@pytest.fixture
def city(tmp_path: Path) -> City:
    made = build_city(tmp_path, with_data=False)
    eligibility_run(period=MONTH, by=None)
    return made


def _account(username: str) -> User:
    user = User.objects.create(username=username)
    user_roles_set(user=user, roles=["public"], by=None)
    return user


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_department_list_and_bulk_approval(client: Client, city: City) -> None:
    page = _as(client, city.users["cab_clerk"]).get("/services/benefits/")
    assert page.status_code == 200
    assert "高龄津贴" in page.content.decode()
    assert 'id="review-form"' in page.content.decode()
    answer = client.post(
        "/services/benefits/?state=found&policy=elderly_allowance",
        {"decision": "approve", "all": "1", "note": ""},
    )
    assert answer.status_code == 302
    assert set(
        BenefitGrant.objects.filter(policy__code="elderly_allowance").values_list(
            "state", flat=True
        )
    ) == {"approved"}
    assert (
        BenefitGrant.objects.filter(policy__code="disability_subsidies", state="approved").count()
        == 0
    )


def test_the_list_is_for_staff_only(client: Client, city: City) -> None:
    assert client.get("/services/benefits/").status_code == 302  # sign in first
    assert _as(client, _account("someone")).get("/services/benefits/").status_code == 403
    # another department's clerk sees none of the CAB findings
    page = _as(client, city.users["hrs_clerk"]).get("/services/benefits/")
    assert "居民R1" not in page.content.decode()


def test_policy_and_rule_pages_with_a_dry_run(client: Client, city: City) -> None:
    steward = _as(client, city.users["cab_steward"])
    assert steward.get("/services/benefits/elderly_allowance/").status_code == 200
    made = steward.post("/services/benefits/elderly_allowance/", {"action": "draft"})
    assert made.status_code == 302
    assert made.url.endswith("/elderly_allowance/v2/")
    bad = steward.post(made.url, {"action": "save", "parameters": "min_age: [", "note": ""})
    assert bad.status_code == 400
    assert "rule-error" in bad.content.decode()
    assert city.policies["elderly_allowance"].versions.count() == 2
    steward.post(made.url, {"action": "dry_run"})
    shown = steward.get(made.url).content.decode()
    assert 'id="dry-run-summary"' in shown
    assert 'id="dry-run-counties"' in shown
    live = steward.post(made.url, {"action": "activate"})
    assert live.status_code == 302
    assert city.policies["elderly_allowance"].versions.get(number=2).state == "live"


def test_rule_pages_refused_to_other_departments(client: Client, city: City) -> None:
    other = _as(client, city.users["hrs_steward"])
    assert other.get("/services/benefits/elderly_allowance/").status_code == 403
    assert other.get("/services/benefits/elderly_allowance/v1/").status_code == 403
    assert (
        other.post("/services/benefits/elderly_allowance/", {"action": "draft"}).status_code == 403
    )
    assert city.policies["elderly_allowance"].versions.count() == 1


def test_the_beneficiary_sees_why_and_confirms(client: Client, city: City) -> None:
    own = _account("r1")
    city.residents["R1"].account = own
    city.residents["R1"].save()
    grant = BenefitGrant.objects.get(resident=city.residents["R1"])
    grant_review(grants=[grant], approve=True, note="", by=city.users["cab_clerk"])
    page = _as(client, own).get(f"/services/benefits/grants/{grant.pk}/").content.decode()
    assert "年满起领年龄" in page
    assert "(80)" in page
    assert 'id="confirm"' in page
    client.post(f"/services/benefits/grants/{grant.pk}/", {"answer": "confirm"})
    grant.refresh_from_db()
    assert grant.state == "confirmed"


def test_another_resident_may_not_see_or_answer(client: Client, city: City) -> None:
    grant = BenefitGrant.objects.get(resident=city.residents["R1"])
    grant_review(grants=[grant], approve=True, note="", by=city.users["cab_clerk"])
    other = _as(client, _account("r3"))
    assert other.get(f"/services/benefits/grants/{grant.pk}/").status_code == 403
    assert (
        other.post(f"/services/benefits/grants/{grant.pk}/", {"answer": "confirm"}).status_code
        == 403
    )
    grant.refresh_from_db()
    assert grant.state == "approved"
    assert AuditEntry.objects.filter(action="services.benefit_view", outcome="denied").count() == 2


def test_runs_page(client: Client, city: City) -> None:
    page = _as(client, city.users["cab_steward"]).get("/services/benefits/runs/")
    assert page.status_code == 200
    assert "elderly_allowance" in page.content.decode()
    assert client.post("/services/benefits/runs/").status_code == 302
    assert _as(client, _account("x")).get("/services/benefits/runs/").status_code == 403
