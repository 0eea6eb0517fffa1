"""Brain pages: lists with charts, compute now, rule editor with preview, warnings, graph."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from shuzhi.platform.accounts.models import User
from shuzhi.platform.brain.models import Indicator, WarningRule
from shuzhi.platform.brain.services import indicator_save
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.loop.models import Task

from .conftest import INDICATOR

pytestmark = pytest.mark.django_db

Login = Callable[[User], Client]
RULE = {
    "name": "YoY drop",
    "kind": "yoy",
    "direction": "below",
    "threshold": "-20",
    "window": "12",
    "active": "on",
}


@pytest.fixture
def indicator(power: Dataset, steward: User) -> Indicator:
    return indicator_save(by=steward, dataset=power, values=INDICATOR)


def test_pages_render_for_a_leader_read_only(
    indicator: Indicator, steward: User, leader: User, logged_in: Login
) -> None:
    logged_in(steward).post(reverse("brain:compute", args=[indicator.pk]))
    client = logged_in(leader)
    page = client.get(reverse("brain:index"))
    assert page.status_code == 200
    assert b"spark" in page.content
    detail = client.get(reverse("brain:indicator", args=[indicator.pk]))
    assert b"series-data" in detail.content
    assert b"compute-now" not in detail.content
    for name in ("brain:rules", "brain:warnings", "brain:graph"):
        assert client.get(reverse(name)).status_code == 200
    refused = client.post(reverse("brain:rule_new", args=[indicator.pk]), {**RULE, "save": "1"})
    assert refused.status_code == 403
    assert client.post(reverse("brain:compute", args=[indicator.pk])).status_code == 403
    assert not WarningRule.objects.exists()


def test_clerk_cannot_see_the_brain(clerk: User, logged_in: Login) -> None:
    assert logged_in(clerk).get(reverse("brain:index")).status_code == 403


def test_rule_editor_previews_then_saves_and_warning_links_to_task(
    indicator: Indicator, steward: User, logged_in: Login
) -> None:
    client = logged_in(steward)
    client.post(reverse("brain:compute", args=[indicator.pk]))
    url = reverse("brain:rule_new", args=[indicator.pk])
    preview = client.post(url, {**RULE, "preview": "1"})
    assert b"preview-table" in preview.content
    assert b"2026-06-01" in preview.content
    assert not WarningRule.objects.exists()
    bad = client.post(url, {**RULE, "kind": "condition", "condition": "kwh > 1", "save": "1"})
    assert b"unknown name in the condition: kwh" in bad.content
    assert not WarningRule.objects.exists()
    saved = client.post(url, {**RULE, "save": "1"})
    rule = WarningRule.objects.get()
    assert saved.url == reverse("brain:rule_edit", args=[rule.pk])
    client.post(reverse("brain:compute", args=[indicator.pk]))
    task = Task.objects.get()
    warnings = client.get(reverse("brain:warnings"))
    assert f"/loop/tasks/{task.pk}/".encode() in warnings.content


def test_graph_page_shows_an_error_for_a_bad_code(leader: User, logged_in: Login) -> None:
    page = logged_in(leader).get(reverse("brain:graph"), {"credit_code": "123"})
    assert page.status_code == 200
    assert b"alert-danger" in page.content


def test_api_lists_indicators_series_and_open_warnings(
    indicator: Indicator, steward: User, logged_in: Login, clerk: User
) -> None:
    client = logged_in(steward)
    client.post(reverse("brain:compute", args=[indicator.pk]))
    listed = client.get("/api/v1/brain/indicators").json()
    assert [i["code"] for i in listed] == ["power_by_county"]
    series = client.get(f"/api/v1/brain/indicators/{indicator.pk}/series?dimension=330802").json()
    assert series[-1] == {"period": "2026-06-01", "value": 50.0}
    assert client.get("/api/v1/brain/warnings").json() == []
    assert logged_in(clerk).get("/api/v1/brain/indicators").status_code == 403


def test_edit_indicator_keeps_typed_input_on_a_bad_expression(
    indicator: Indicator, steward: User, outsider: User, logged_in: Login
) -> None:
    url = reverse("brain:indicator_edit", args=[indicator.pk])
    client = logged_in(steward)
    form = {**INDICATOR, "expression": "SUM(price)", "grain": "month", "active": "on"}
    page = client.post(url, form)
    assert b"price" in page.content
    assert b'value="power_by_county"' in page.content
    indicator.refresh_from_db()
    assert indicator.expression == "SUM(kwh)"
    assert client.post(url, {**form, "expression": "AVG(kwh)"}).status_code == 302
    indicator.refresh_from_db()
    assert indicator.expression == "AVG(kwh)"
    assert logged_in(outsider).get(url).status_code == 403


def test_delete_rule(indicator: Indicator, steward: User, leader: User, logged_in: Login) -> None:
    from shuzhi.platform.brain.services import rule_save

    rule = rule_save(by=steward, indicator=indicator, values={"name": "x", "kind": "threshold"})
    url = reverse("brain:rule_delete", args=[rule.pk])
    assert logged_in(leader).post(url).status_code == 403
    assert logged_in(steward).post(url).status_code == 302
    assert not WarningRule.objects.exists()
