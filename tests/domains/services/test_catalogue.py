"""The service catalogue (政务服务事项目录): public list with search and filters, item detail with
every standard field and its relations, bundle page with the combined needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from shuzhi.demo.services_catalogue import BUNDLES, ITEMS, load_catalogue
from shuzhi.domains.services.models import Bundle, ServiceItem
from shuzhi.domains.services.selectors.catalogue import item_search
from tests.domains.services.catalogue_city import (
    FOOD,
    INVOICE,
    RESTAURANT,
    SIGNBOARD,
    UNEMPLOYMENT,
    City,
    build,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def city(tmp_path: Path) -> City:
    return build(tmp_path)


def test_demo_catalogue_loads_all_items_and_bundles_and_is_idempotent(city: City) -> None:
    assert ServiceItem.objects.count() == len(ITEMS)
    assert Bundle.objects.count() == len(BUNDLES)
    load_catalogue()
    assert ServiceItem.objects.count() == len(ITEMS)
    assert Bundle.objects.get(code=RESTAURANT).entries.count() == 5
    assert Bundle.objects.get(code=RESTAURANT).entries.filter(optional=True).count() == 1


def test_anonymous_sees_the_catalogue(client: Client, city: City) -> None:
    response = client.get(reverse("services:index"))
    assert response.status_code == 200
    assert "食品经营许可" in response.content.decode()
    assert "开办餐饮店一件事" in response.content.decode()


@pytest.mark.parametrize(
    ("params", "present", "absent"),
    [
        ({"q": "食品"}, FOOD, SIGNBOARD),
        ({"q": FOOD}, FOOD, SIGNBOARD),
        ({"q": "招牌"}, SIGNBOARD, FOOD),  # keyword / name
        ({"q": "市UMB"}, SIGNBOARD, FOOD),  # department name
        ({"audience": "citizen"}, UNEMPLOYMENT, FOOD),
        ({"audience": "enterprise"}, FOOD, UNEMPLOYMENT),
        ({"department": "330800-TAX"}, INVOICE, FOOD),
        ({"item_type": "payment"}, UNEMPLOYMENT, FOOD),
        ({"channel": "bank"}, UNEMPLOYMENT, FOOD),
        ({"cross_province": "1"}, INVOICE, FOOD),
    ],
)
def test_search_and_filters(
    client: Client, city: City, params: dict[str, str], present: str, absent: str
) -> None:
    response = client.get(reverse("services:index"), params)
    assert response.status_code == 200
    codes = {item.code for item in response.context["page"].object_list}
    assert present in codes
    assert absent not in codes


def test_search_that_finds_nothing_says_so(client: Client, city: City) -> None:
    response = client.get(reverse("services:index"), {"q": "不存在的事项"})
    assert response.context["page"].paginator.count == 0
    assert 'id="no-items"' in response.content.decode()


def test_pagination(client: Client, city: City) -> None:
    first = client.get(reverse("services:index"))
    assert first.context["page"].paginator.num_pages >= 2
    second = client.get(reverse("services:index"), {"page": 2})
    assert set(first.context["page"].object_list).isdisjoint(second.context["page"].object_list)


def test_retired_item_is_not_listed_nor_shown(client: Client, city: City) -> None:
    ServiceItem.objects.filter(code=INVOICE).update(status=ServiceItem.Status.RETIRED)
    assert not item_search(q=INVOICE).exists()
    assert client.get(reverse("services:item", args=[INVOICE])).status_code == 404


def test_item_shows_every_standard_field_and_relations(client: Client, city: City) -> None:
    response = client.get(reverse("services:item", args=[FOOD]))
    page = response.content.decode()
    item = ServiceItem.objects.get(code=FOOD)
    for text in (
        item.code,
        item.name,
        item.department.name,
        item.legal_basis,
        "10",  # promised limit
        "20",  # statutory limit
        item.conditions,
        "食品安全管理制度",  # a material
        "apply-online",
    ):
        assert text in page, text
    detail = response.context["detail"]
    related = {other.code for other in detail.same_industry}
    assert SIGNBOARD in related  # 一业一证: the same industry licence
    assert FOOD not in related
    assert {b.code for b in detail.bundles} == {RESTAURANT}
    assert any(m.required for m in detail.materials)


def test_item_without_online_channel_has_no_apply_button(client: Client, city: City) -> None:
    ServiceItem.objects.filter(code=INVOICE).update(channels=["hall"])
    response = client.get(reverse("services:item", args=[INVOICE]))
    assert 'id="apply-online"' not in response.content.decode()


def test_unknown_item_and_bundle_are_404(client: Client, city: City) -> None:
    assert client.get(reverse("services:item", args=["nope"])).status_code == 404
    assert client.get(reverse("services:bundle", args=["nope"])).status_code == 404


def test_bundle_page_lists_items_with_optional_marked_and_needs_once(
    client: Client, city: City
) -> None:
    response = client.get(reverse("services:bundle", args=[RESTAURANT]))
    assert response.status_code == 200
    needs: Any = response.context["needs"]
    codes = [n.code for n in needs.facts]
    assert codes.count("premises_address") == 1
    premises = next(n for n in needs.facts if n.code == "premises_address")
    assert len(premises.items) >= 4  # four items need it, asked once
    page = response.content.decode()
    assert "烟草专卖零售许可" in page
    assert page.count("badge text-bg-secondary") >= 1  # the optional one


def test_catalogue_renders_in_english(client: Client, city: City) -> None:
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        response = client.get(reverse("services:item", args=[FOOD]))
    assert response.status_code == 200
    assert "Food-operation permit" in response.content.decode()
