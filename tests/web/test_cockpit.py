"""The leadership cockpit (驾驶舱): indicators, warnings by county, task flow, rankings."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuzhi.platform.accounts.models import Division, User
from shuzhi.platform.brain.models import Indicator, IndicatorValue, Warning, WarningRule
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.loop.models import State, Task
from shuzhi.platform.security.permissions import ROLE_PERMISSIONS
from tests.factories import CountyFactory, DepartmentFactory, DivisionFactory, UserFactory

pytestmark = pytest.mark.django_db


def grant_cockpit(monkeypatch: pytest.MonkeyPatch) -> None:
    """cockpit.view for leaders and supervisors, until ROLE_PERMISSIONS carries it."""
    for role in ("leader", "supervisor"):
        monkeypatch.setitem(ROLE_PERMISSIONS, role, ROLE_PERMISSIONS[role] | {"cockpit.view"})


def make_cockpit_data() -> dict[str, Any]:
    """A small city: two counties, a key indicator by county with a target, warnings and
    tasks in several states, some overdue, some closed on time."""
    city = DivisionFactory()
    kecheng = CountyFactory()
    jiangshan = CountyFactory(code="330881", name="江山市", name_en="Jiangshan City")
    eib = DepartmentFactory(code="330800-EIB", name="市经信局", division=city)
    works = DepartmentFactory(code="330802-ZJ", name="柯城区住建局", division=kecheng)
    js_works = DepartmentFactory(code="330881-ZJ", name="江山市住建局", division=jiangshan)
    leader = UserFactory(username="mayor", roles=["leader"], department=eib)
    dataset = Dataset.objects.create(
        code="enterprise_power",
        name="企业月度用电",
        owner=eib,
        division=city,
        share_attribute="conditional",
        open_attribute="closed",
        grade=2,
        status="published",
    )
    indicator = Indicator.objects.create(
        code="power_by_county",
        name="工业用电量",
        name_en="Industrial electricity",
        dataset=dataset,
        expression="SUM(kwh)",
        period_field="month",
        dimension="county",
        unit="kWh",
        target=400.0,
        key=True,
    )
    for month in range(1, 7):
        period = date(2026, month, 1)
        kc = 100.0 if month < 6 else 50.0
        IndicatorValue.objects.create(indicator=indicator, period=period, value=kc + 200)
        IndicatorValue.objects.create(
            indicator=indicator, period=period, dimension_value="330802", value=kc
        )
        IndicatorValue.objects.create(
            indicator=indicator, period=period, dimension_value="330881", value=200
        )
    rule = WarningRule.objects.create(
        indicator=indicator, name="YoY drop", kind="yoy", direction="below", threshold=-20
    )
    now = timezone.now()

    def task(dept: Any, division: Division, state: str, **kw: Any) -> Task:
        return Task.objects.create(
            type_code="report",
            title=f"{division.name} {state}",
            division=division,
            department=dept,
            state=state,
            deadline=kw.pop("deadline", now + timedelta(days=3)),
            **kw,
        )

    warned = task(works, kecheng, State.IN_PROGRESS)
    Warning.objects.create(
        rule=rule,
        period=date(2026, 6, 1),
        dimension_value="330802",
        value=50,
        message="柯城区用电同比下降50%",
        state=Warning.State.TASKED,
        task_id=warned.pk,
        division_code="330802",
    )
    Warning.objects.create(
        rule=rule,
        period=date(2026, 5, 1),
        dimension_value="330802",
        value=60,
        message="柯城区用电同比下降40%",
        division_code="330802",
    )
    Warning.objects.create(
        rule=rule,
        period=date(2026, 4, 1),
        dimension_value="330881",
        value=60,
        message="江山市已处理",
        state=Warning.State.CLOSED,
        division_code="330881",
    )
    task(
        works,
        kecheng,
        State.PENDING_ACCEPTANCE,
        deadline=now - timedelta(days=1),
        overdue=True,
        overdue_since=now - timedelta(hours=2),
    )
    task(
        works,
        kecheng,
        State.CLOSED,
        opened_at=now - timedelta(days=5),
        closed_at=now - timedelta(days=1),
        closed_on_time=True,
        handling_hours=20,
    )
    task(
        js_works,
        jiangshan,
        State.RATED,
        opened_at=now - timedelta(days=6),
        closed_at=now - timedelta(days=2),
        closed_on_time=False,
        handling_hours=90,
        rating=3,
    )
    Task.objects.create(
        type_code="report",
        title="江山 待分拨",
        division=jiangshan,
        deadline=now + timedelta(days=3),
    )
    return {"leader": leader, "indicator": indicator, "kecheng": kecheng}


@pytest.fixture
def data(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    grant_cockpit(monkeypatch)
    return make_cockpit_data()


def _figure(context: Any, figure_id: str) -> Any:
    return next(f["value"] for f in context["figures"] if f["id"] == figure_id)


def test_leader_sees_indicators_warnings_flow_and_rankings(
    client: Client, data: dict[str, Any]
) -> None:
    client.force_login(data["leader"])
    response = client.get(reverse("web:cockpit"))
    assert response.status_code == 200
    body = response.content.decode()
    for marker in (
        'id="cockpit-map"',
        'id="cockpit-flow"',
        'id="cockpit-ranking"',
        'id="cockpit-states"',
        'id="cockpit-data"',
        "echarts.min.js",
        "web/cockpit.js",
        'hx-trigger="every 60s"',
        "工业用电量",
    ):
        assert marker in body, marker
    context = response.context
    assert _figure(context, "open-tasks") == 3  # in progress, overdue pending acceptance, 待分拨
    assert _figure(context, "overdue-tasks") == 1
    assert _figure(context, "open-warnings") == 2  # the closed one does not count
    assert _figure(context, "opened-30") == 5
    assert _figure(context, "closed-30") == 2
    assert _figure(context, "on-time-rate") == 50.0
    card = context["indicators"][0]
    assert card["value"] == 250.0
    assert card["target"] == 400.0
    assert card["progress"] == 62
    assert card["change"] == pytest.approx(-16.7)
    assert len(card["spark"]) == 6
    nodes = {n["code"]: n for n in context["map"]["nodes"]}
    assert len(nodes) == 6
    assert nodes["330802"]["count"] == 2
    assert nodes["330881"]["count"] == 0
    assert sum(context["flow"]["opened"]) == 5
    assert sum(context["flow"]["overdue"]) == 1
    ranked = [r["name"] for r in context["ranking"]["rows"]]
    assert context["ranking"]["by"] == "county"
    assert ranked == ["柯城区", "江山市"]


def test_county_filter_narrows_the_numbers(client: Client, data: dict[str, Any]) -> None:
    client.force_login(data["leader"])
    context = client.get(reverse("web:cockpit"), {"county": "330881"}).context
    assert context["county_code"] == "330881"
    assert _figure(context, "open-tasks") == 1
    assert _figure(context, "overdue-tasks") == 0
    assert _figure(context, "open-warnings") == 0
    assert _figure(context, "closed-30") == 1
    card = context["indicators"][0]
    assert card["value"] == 200.0
    assert card["target"] is None
    assert "dimension=330881" in card["url"]
    assert context["ranking"]["by"] == "department"
    assert [r["name"] for r in context["ranking"]["rows"]] == ["江山市住建局"]
    nodes = {n["code"]: n for n in context["map"]["nodes"]}
    assert nodes["330881"]["selected"]
    assert not nodes["330802"]["selected"]


def test_every_number_links_to_its_list(client: Client, data: dict[str, Any]) -> None:
    client.force_login(data["leader"])
    response = client.get(reverse("web:cockpit"), {"county": "330802"})
    body = response.content.decode()
    warnings_url = reverse("brain:warnings") + "?division=330802"
    indicator_url = reverse("brain:indicator", args=[data["indicator"].pk]) + "?dimension=330802"
    tasks_url = reverse("loop:index")
    for href in (
        warnings_url,
        indicator_url,
        f"{tasks_url}?county=330802&amp;scope=all",
        f"{tasks_url}?state=in_progress&amp;county=330802&amp;scope=all",
        f"{tasks_url}?overdue=1&amp;county=330802&amp;scope=all",
        reverse("loop:rankings") + "?by=department",
    ):
        assert f'href="{href}' in body, href
    for figure in response.context["figures"]:
        assert figure["url"], figure["id"]
    # The lists answer for the leader, and the warning list holds the county's open warnings.
    listed = client.get(warnings_url).content.decode()
    assert "柯城区用电同比下降40%" in listed
    assert "江山市已处理" not in listed
    assert client.get(indicator_url).status_code == 200
    assert client.get(tasks_url).status_code == 200
    assert client.get(reverse("loop:rankings"), {"by": "county"}).status_code == 200


def _listed(client: Client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200, url
    return int(response.context["page"].paginator.count)


@pytest.mark.parametrize("county", ["", "330802", "330881"])
def test_each_task_number_drills_down_to_a_list_of_that_many(
    client: Client, data: dict[str, Any], county: str
) -> None:
    client.force_login(data["leader"])
    context = client.get(reverse("web:cockpit"), {"county": county}).context
    for figure in context["figures"]:
        if figure["id"] in ("open-tasks", "overdue-tasks", "opened-30", "closed-30"):
            assert _listed(client, figure["url"]) == figure["value"], figure["id"]
    for state in context["states"]:
        assert _listed(client, state["url"]) == state["count"], state["state"]
    assert (
        _listed(client, context["tasks_url"])
        == Task.objects.filter(county_code__startswith=county).count()
    )


def test_a_county_leader_sees_only_the_own_county(
    client: Client, data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    kecheng_office = DepartmentFactory(
        code="330802-GOV", name="柯城区人民政府办公室", division=data["kecheng"]
    )
    county_leader = UserFactory(username="kc_leader", roles=["leader"], department=kecheng_office)
    client.force_login(county_leader)
    for asked in ("", "330881"):
        response = client.get(reverse("web:cockpit"), {"county": asked})
        context = response.context
        assert context["county_code"] == "330802"
        assert [code for code, _name in context["counties"]] == ["330802"]
        assert _figure(context, "open-tasks") == 2
        assert "Whole city" not in response.content.decode()
        assert "全市" not in response.content.decode()
    jiangshan_task = Task.objects.get(title="江山 待分拨")
    assert client.get(reverse("loop:task", args=[jiangshan_task.pk])).status_code == 404
    # Another county is not a choice: the filter is refused with a message and the list
    # stays inside the own county.
    listed = client.get(reverse("loop:index"), {"scope": "all", "county": "330881"})
    shown = list(listed.context["page"].object_list)
    assert shown
    assert {t.county_code for t in shown} == {"330802"}
    assert [str(m) for m in listed.context["messages"]]


def test_panel_refreshes_alone_and_htmx_county_switch_returns_the_panel(
    client: Client, data: dict[str, Any]
) -> None:
    client.force_login(data["leader"])
    panel = client.get(reverse("web:cockpit_panel"), {"county": "330802"}).content.decode()
    assert panel.lstrip().startswith('<div id="cockpit-panel"')
    assert "<html" not in panel
    assert 'hx-get="/cockpit/panel/?county=330802"' in panel
    switched = client.get(reverse("web:cockpit"), {"county": "330881"}, HTTP_HX_REQUEST="true")
    assert switched.content.decode().lstrip().startswith('<div id="cockpit-panel"')


def test_unknown_county_falls_back_to_the_city(client: Client, data: dict[str, Any]) -> None:
    client.force_login(data["leader"])
    response = client.get(reverse("web:cockpit"), {"county": "999999"})
    assert response.status_code == 200
    assert response.context["county_code"] == ""


def test_empty_city_explains_what_will_appear(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    grant_cockpit(monkeypatch)
    client.force_login(UserFactory(username="boss", roles=["supervisor"]))
    response = client.get(reverse("web:cockpit"), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert b"No key indicators yet" in response.content


def test_clerk_is_refused(client: Client, data: dict[str, Any], clerk: User) -> None:
    client.force_login(clerk)
    assert client.get(reverse("web:cockpit")).status_code == 403
    assert client.get(reverse("web:cockpit_panel")).status_code == 403


def test_the_cockpit_follows_the_access_policy(
    client: Client, db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leaders see the cockpit because the policy grants cockpit.view, not by their role name."""
    client.force_login(UserFactory(username="leader2", roles=["leader"]))
    assert client.get(reverse("web:cockpit")).status_code == 200
    monkeypatch.setitem(ROLE_PERMISSIONS, "leader", ROLE_PERMISSIONS["leader"] - {"cockpit.view"})
    assert client.get(reverse("web:cockpit")).status_code == 403


def test_anonymous_goes_to_sign_in(client: Client, db: None) -> None:
    for name in ("web:cockpit", "web:cockpit_panel"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_page_and_panel_share_a_url_but_not_a_cache_entry(
    client: Client, data: dict[str, Any]
) -> None:
    """Back after an HTMX county switch must bring the whole page, not the cached panel."""
    client.force_login(data["leader"])
    response = client.get(reverse("web:cockpit"), {"county": "330802"}, HTTP_HX_REQUEST="true")
    assert "HX-Request" in response["Vary"]
    restored = client.get(
        reverse("web:cockpit"),
        {"county": "330802"},
        HTTP_HX_REQUEST="true",
        HTTP_HX_HISTORY_RESTORE_REQUEST="true",
    )
    assert b'id="cockpit-county"' in restored.content


def test_a_poll_after_the_session_ended_sends_the_window_to_sign_in(
    client: Client, db: None
) -> None:
    response = client.get(
        reverse("web:cockpit_panel"), {"county": "330802"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(
        "/accounts/login/?next=%2Fcockpit%2F%3Fcounty%3D330802"
    )
