"""Market pages: the distribution of the credit-risk classes (chart data and tables), an
enterprise's class with its drivers, the lookup that explains a bad credit code, the run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shuzhi.domains.market.models import CreditRun
from shuzhi.domains.market.services.credit import credit_classify
from shuzhi.platform.accounts.models import User
from tests.domains.market.city import AS_OF, City, build_city, by_key
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(settings: Any) -> None:
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def city(tmp_path: Path, settings: Any) -> City:
    settings.DATA_DIR = tmp_path
    return build_city(tmp_path)


def _client(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


def _chart(body: str) -> dict[str, Any]:
    start = body.index('id="market-distribution"')
    start = body.index(">", start) + 1
    return json.loads(body[start : body.index("</script>", start)])


def test_index_without_a_run_says_what_will_appear(city: City) -> None:
    page = _client(city.clerk).get(reverse("market:index"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="empty-state"' in body
    assert "county-chart" not in body
    assert 'id="run-form"' not in body  # a clerk cannot start a run


def test_distribution_by_county_and_industry(city: City) -> None:
    credit_classify(by=city.amr, as_of=AS_OF)
    page = _client(city.clerk).get(reverse("market:index"))
    assert page.status_code == 200
    body = page.content.decode()
    chart = _chart(body)
    county = chart["county"]
    assert county["names"] == ["柯城区", "江山市"]
    by_class = {s["name"][:1]: s["data"] for s in county["series"]}
    assert by_class == {"A": [2, 1], "B": [0, 1], "C": [2, 0], "D": [0, 0]}
    industry = chart["industry"]
    assert industry["names"][0].startswith("C ")
    assert sum(sum(s["data"]) for s in industry["series"]) == 6
    assert 'id="county-table"' in body
    assert 'id="industry-table"' in body
    assert by_key("M2") in body  # lowest scores listed


def test_enterprise_page_shows_what_drove_the_class(city: City) -> None:
    credit_classify(by=city.amr, as_of=AS_OF)
    page = _client(city.clerk).get(reverse("market:enterprise", args=[by_key("M3")]))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="credit-class">C<' in body
    assert "Listed as abnormal" in body
    assert "No tax paid in the last four quarters" in body


def test_a_bad_credit_code_gets_the_validators_reason(city: City) -> None:
    client = _client(city.clerk)
    page = client.get(reverse("market:lookup"), {"credit_code": "91330802MA2C0000"})
    assert page.status_code == 400
    assert "a credit code has 18 characters, this one has 16" in page.content.decode()
    page = client.get(reverse("market:enterprise", args=["Z1330802MA2C00001X"]))
    assert page.status_code == 400
    assert "is not allowed" in page.content.decode()
    found = client.get(reverse("market:lookup"), {"credit_code": by_key("M1").lower()})
    assert found.status_code == 302
    assert found["Location"].endswith(f"/{by_key('M1')}/")


def test_pages_need_market_view(city: City) -> None:
    enterprise = UserFactory(username="firm", roles=["enterprise"])
    landing = _client(enterprise).get(reverse("market:index"))  # its own page, not the classes
    assert landing.status_code == 302
    assert landing["Location"] == reverse("market:mine")
    resident = UserFactory(username="someone", roles=["public"])
    assert _client(resident).get(reverse("market:index")).status_code == 403
    assert _client(enterprise).get(reverse("market:lookup")).status_code == 403


def test_only_the_market_steward_runs_from_the_page(city: City) -> None:
    assert _client(city.clerk).post(reverse("market:run")).status_code == 403
    assert _client(city.fin).post(reverse("market:run")).status_code == 403
    page = _client(city.amr).post(reverse("market:run"))
    assert page.status_code == 302
    assert CreditRun.objects.get().state == CreditRun.State.COMPLETE


def test_public_page_needs_no_sign_in_and_links_the_public_pages(client: Any) -> None:
    page = client.get(reverse("market:public"))
    assert page.status_code == 200
    body = page.content.decode()
    for name in ("market:deregistration_notices", "market:lenient", "market:inspections_public"):
        assert f'href="{reverse(name)}"' in body
    assert reverse("market:cases") not in body


def test_hub_shows_casework_to_market_regulators_only(city: City) -> None:
    from shuzhi.platform.accounts.models import Department

    amr = Department.objects.get(code="330800-AMR")
    regulator = UserFactory(username="amr_clerk", roles=["clerk"], department=amr)
    body = _client(regulator).get(reverse("market:index")).content.decode()
    assert f'href="{reverse("market:cases")}"' in body
    assert f'href="{reverse("market:registry")}"' in body
    other = UserFactory(username="drc_clerk", roles=["clerk"])  # market.view, not a regulator
    body = _client(other).get(reverse("market:index")).content.decode()
    assert f'href="{reverse("market:registry")}"' in body
    assert f'href="{reverse("market:cases")}"' not in body
    assert f'href="{reverse("market:inspections_mine")}"' not in body  # not in the pool
