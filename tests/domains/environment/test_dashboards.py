"""The environment dashboard: permission, county scoping, what it shows (H)."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from shuzhi.domains.environment.models import Alert
from shuzhi.domains.environment.services.results import (
    ResultsRefused,
    compute_daily,
    dashboard_view,
)
from shuzhi.platform.audit.models import AuditEntry

from .results_helpers import air_day, counties, staff, station, water

pytestmark = pytest.mark.django_db

DAY = date(2026, 3, 4)


@pytest.fixture
def rows() -> dict[str, Any]:
    kecheng, qujiang = counties()
    a1, a2 = station("KC-A1", kecheng), station("QJ-A1", qujiang, name="衢江站")
    air_day(a1, DAY, pm2_5=200.0)  # AQI 250 in Kecheng
    air_day(a2, DAY)
    compute_daily(day_from=DAY, day_to=DAY)
    w = station("KC-W1", kecheng, kind="water", target_class="II", name="柯城断面")
    water(w, DAY, tp=0.25)
    Alert.objects.create(kind="heavy", station=a1, period="2026-03-04", details={"aqi": 250})
    Alert.objects.create(kind="silent", station=a2, period="2026-03-04T04:00")
    return {"a1": a1, "a2": a2, "w": w}


def _page(client: Client, **params: str) -> Any:
    return client.get(reverse("environment:index"), {"year": "2026", **params})


def test_city_staff_see_every_county(client: Client, rows: dict[str, Any]) -> None:
    client.force_login(staff("city", "supervisor", "330800-EEB"))
    response = _page(client)
    assert response.status_code == 200
    body = response.content.decode()
    assert "calendar-chart" in body
    assert "exceedance-chart" in body
    assert "section-chart" in body
    assert "vendor/echarts/echarts.min.js" in body
    assert "cdn" not in body.lower()
    chart = json.loads(json.dumps(response.context["chart"]))  # what json_script writes
    assert [day for day, _aqi in chart["calendar"]] == ["2026-03-04"]
    assert chart["sections"][0]["worse"] is True
    names = [row["name"] for row in response.context["data"]["exceedance"]]
    assert names == ["柯城区", "衢江区"]
    assert {a.station.code for a in response.context["data"]["alerts"]} == {"QJ-A1", "KC-A1"}
    sections = response.context["data"]["sections"]
    assert [(s.station.code, s.water_class, s.worse) for s in sections] == [("KC-W1", "IV", True)]


def test_city_staff_may_pick_a_county(client: Client, rows: dict[str, Any]) -> None:
    client.force_login(staff("city", "leader", "330800-EEB"))
    response = _page(client, county="330803")
    assert response.status_code == 200
    data = response.context["data"]
    assert {a.station.code for a in data["alerts"]} == {"QJ-A1"}
    assert data["sections"] == []
    assert [r["name"] for r in data["exceedance"]] == ["衢江区"]


def test_county_clerk_sees_only_their_county(client: Client, rows: dict[str, Any]) -> None:
    client.force_login(staff("kc", "clerk", "330802-EEB"))
    response = _page(client)
    assert response.status_code == 200
    data = response.context["data"]
    assert data["county"] == "330802"
    assert data["locked"]
    assert {a.station.code for a in data["alerts"]} == {"KC-A1"}
    assert [r["name"] for r in data["exceedance"]] == ["柯城区"]
    assert "衢江站" not in response.content.decode()


def test_county_clerk_asking_for_another_county_is_refused(
    client: Client, rows: dict[str, Any]
) -> None:
    client.force_login(staff("kc", "clerk", "330802-EEB"))
    response = _page(client, county="330803")
    assert response.status_code == 403
    assert "衢江站" not in response.content.decode()
    entry = AuditEntry.objects.filter(action="environment.dashboard_view").latest("pk")
    assert entry.outcome == "denied"
    assert entry.details["code"] == "county"


def test_wrong_role_is_refused(client: Client, rows: dict[str, Any]) -> None:
    client.force_login(staff("ent", "enterprise", "330802-EEB"))
    assert _page(client).status_code == 403
    with pytest.raises(ResultsRefused):
        dashboard_view(by=staff("pub", "public", "330800-EEB"), county=None, year=2026)


def test_anonymous_goes_to_login(client: Client, rows: dict[str, Any]) -> None:
    response = _page(client)
    assert response.status_code == 302


@pytest.mark.parametrize("params", [{"year": "20x6"}, {"year": "1999"}, {"county": "999999"}])
def test_tampered_input_is_a_400(client: Client, rows: dict[str, Any], params: Any) -> None:
    client.force_login(staff("city", "supervisor", "330800-EEB"))
    response = _page(client, **params)
    assert response.status_code == 400
    assert ("year" in response.content.decode()) or ("county" in response.content.decode())


def test_empty_dashboard(client: Client) -> None:
    counties()
    client.force_login(staff("city", "supervisor", "330800-EEB"))
    response = _page(client)
    assert response.status_code == 200
    assert "calendar-empty" in response.content.decode()


def test_steward_publishes_from_the_dashboard(client: Client, rows: dict[str, Any]) -> None:
    client.force_login(staff("eeb", "data_steward", "330800-EEB"))
    assert "publish-form" in _page(client).content.decode()
    response = client.post(reverse("environment:results_publish"))
    assert response.status_code == 302


def test_others_may_not_publish(client: Client, rows: dict[str, Any]) -> None:
    client.force_login(staff("city", "supervisor", "330800-EEB"))
    assert "publish-form" not in _page(client).content.decode()
    assert client.post(reverse("environment:results_publish")).status_code == 403
    assert client.get(reverse("environment:results_publish")).status_code == 405


def test_alerts_link_their_loop_task(client: Client, rows: dict[str, Any]) -> None:
    from shuzhi.domains.environment.services.results import run_warnings

    from .results_helpers import bureau, local_hour

    bureau("330802-EEB")
    outcome = run_warnings(today=DAY, now=local_hour(DAY, 23))
    assert outcome.opened["heavy"] == 1  # the fixture's alert had no task: it gets one
    assert Alert.objects.filter(kind="heavy").count() == 1
    assert outcome.opened["target"] == 1
    client.force_login(staff("kc", "clerk", "330802-EEB"))
    body = _page(client).content.decode()
    for task_id in outcome.task_ids:
        assert f'href="/loop/tasks/{task_id}/"' in body
    assert "IV / II (TP)" in body


def test_a_station_without_readings_shows_a_dash(client: Client, rows: dict[str, Any]) -> None:
    from .results_helpers import counties

    kecheng, _q = counties()
    station("KC-A9", kecheng, name="新站")
    client.force_login(staff("city", "supervisor", "330800-EEB"))
    response = _page(client)
    realtime = {r["station"].code: r for r in response.context["data"]["realtime"]}
    assert realtime["KC-A9"]["result"] is None
    assert realtime["KC-A1"]["result"].aqi == 250


def test_only_the_city_bureau_steward_sees_the_publish_button(client: Any) -> None:
    from .results_helpers import counties, staff

    counties()
    city = staff("city-eeb", "data_steward", "330800-EEB")
    county = staff("kc-eeb", "data_steward", "330802-EEB")
    client.force_login(city)
    assert 'id="publish-form"' in client.get("/environment/").content.decode()
    client.force_login(county)
    assert 'id="publish-form"' not in client.get("/environment/").content.decode()
