"""Who oversees which tasks: a county's dispatchers and supervisors act in their county only;
the task list's filters (the cockpit's drill-downs land on them)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import AuditEntry, Outcome
from shuzhi.platform.loop import services
from shuzhi.platform.loop.models import State, Task
from shuzhi.platform.loop.permissions import actions_for, oversight_county
from shuzhi.platform.notify.models import Message
from tests.factories import CountyFactory, DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def jiangshan(county: Division) -> Division:
    return CountyFactory(code="330881", name="江山市", name_en="Jiangshan City")


@pytest.fixture
def kc_dispatcher(county: Division) -> User:
    office = DepartmentFactory(code="330802-GOV", name="柯城区人民政府办公室", division=county)
    return UserFactory(username="kc_dispatcher", department=office, roles=["supervisor"])


@pytest.fixture
def kc_task(county: Division, resident: User) -> Task:
    return services.task_open(type_code="report", title="柯城 drain", division=county, by=resident)


@pytest.fixture
def js_task(jiangshan: Division, resident: User) -> Task:
    return services.task_open(
        type_code="report", title="江山 drain", division=jiangshan, by=resident
    )


def test_scope_follows_the_department(kc_dispatcher: User, dispatcher: User) -> None:
    assert oversight_county(kc_dispatcher) == "330802"
    assert oversight_county(dispatcher) is None  # a city-level department: the whole city


def test_county_dispatcher_routes_own_county_only(
    kc_dispatcher: User, kc_task: Task, js_task: Task, works: Department
) -> None:
    assert "dispatch" in actions_for(kc_dispatcher, kc_task)
    assert actions_for(kc_dispatcher, js_task) == []
    services.task_dispatch(task=kc_task, department=works, by=kc_dispatcher)
    with pytest.raises(PermissionDenied):
        services.task_dispatch(task=js_task, department=works, by=kc_dispatcher)
    js_task.refresh_from_db()
    assert js_task.state == State.PENDING_DISPATCH
    assert AuditEntry.objects.filter(
        action="loop.dispatch", outcome=Outcome.DENIED, target_id=str(js_task.pk)
    ).exists()
    for step in (services.task_suspend, services.task_urge, services.task_escalate):
        with pytest.raises(PermissionDenied):
            step(task=js_task, by=kc_dispatcher, comment="not mine")


def test_county_dispatcher_pages_hide_other_counties(
    kc_dispatcher: User, dispatcher: User, kc_task: Task, js_task: Task
) -> None:
    client = _client(kc_dispatcher)
    queue = client.get(reverse("loop:dispatch")).context
    assert [t.pk for t in queue["to_route"]] == [kc_task.pk]
    assert client.get(reverse("loop:task", args=[js_task.pk])).status_code == 404
    assert client.get(reverse("loop:task", args=[kc_task.pk])).status_code == 200
    listed = client.get(reverse("loop:index"), {"scope": "all"}).context["page"]
    assert [t.pk for t in listed.object_list] == [kc_task.pk]
    # The city's dispatcher sees both.
    city = _client(dispatcher).get(reverse("loop:index"), {"scope": "all"}).context["page"]
    assert {t.pk for t in city.object_list} == {kc_task.pk, js_task.pk}


def test_county_dispatcher_adds_rules_for_own_county_only(
    kc_dispatcher: User, county: Division, jiangshan: Division, works: Department
) -> None:
    services.dispatch_rule_create(
        category="drain", division=county, department=works, by=kc_dispatcher
    )
    for division in (jiangshan, None):
        with pytest.raises(PermissionDenied):
            services.dispatch_rule_create(
                category="drain", division=division, department=works, by=kc_dispatcher
            )
    assert AuditEntry.objects.filter(action="loop.rule", outcome=Outcome.DENIED).count() == 2


def test_escalation_notice_reaches_the_supervisors_of_that_county(
    kc_dispatcher: User,
    dispatcher: User,
    js_task: Task,
    works: Department,
    settings: object,
) -> None:
    services.task_dispatch(task=js_task, department=works, by=dispatcher)
    js_task.refresh_from_db()
    services.scan_deadlines(now=js_task.deadline + timedelta(days=3))
    js_task.refresh_from_db()
    assert js_task.supervision_level >= 1
    urgent = Message.objects.filter(subject__contains="escalated to supervision")
    assert urgent.filter(recipient=dispatcher).exists()
    assert not urgent.filter(recipient=kc_dispatcher).exists()


def test_handler_cannot_widen_the_list(handler: User, kc_task: Task, js_task: Task) -> None:
    page = _client(handler).get(reverse("loop:index"), {"scope": "all"})
    assert page.context["scope"] == "mine"
    assert list(page.context["page"].object_list) == []
    assert 'id="scope-all"' not in page.content.decode()


def test_list_filters(
    dispatcher: User, kc_task: Task, js_task: Task, works: Department, resident: User
) -> None:
    services.task_dispatch(task=kc_task, department=works, by=dispatcher)
    Task.objects.filter(pk=kc_task.pk).update(
        overdue=True, deadline=timezone.now() - timedelta(hours=1)
    )
    client = _client(dispatcher)

    def listed(**query: str) -> set[int]:
        response = client.get(reverse("loop:index"), {"scope": "all", **query})
        assert response.status_code == 200
        return {t.pk for t in response.context["page"].object_list}

    assert listed() == {kc_task.pk, js_task.pk}
    assert listed(overdue="1") == {kc_task.pk}
    assert listed(county="330881") == {js_task.pk}
    assert listed(state=State.PENDING_DISPATCH) == {js_task.pk}
    assert listed(q="江山") == {js_task.pk}
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    assert listed(opened_since=tomorrow) == set()
    assert listed(closed_since=timezone.localdate().isoformat()) == set()
    # Filters keep their state counts and the pager keeps the filters.
    body = client.get(reverse("loop:index"), {"scope": "all", "county": "330881"})
    assert "county=330881" in body.content.decode()


def test_bad_filter_values_are_reported_not_a_500(dispatcher: User, kc_task: Task) -> None:
    response = _client(dispatcher).get(
        reverse("loop:index"),
        {"scope": "all", "opened_since": "2026-02-30", "state": "nonsense", "department": "x"},
    )
    assert response.status_code == 200
    assert len(list(response.context["messages"])) == 3
    assert [t.pk for t in response.context["page"].object_list] == [kc_task.pk]


def test_dispatch_rules_are_removed_within_reach(
    kc_dispatcher: User,
    dispatcher: User,
    county: Division,
    jiangshan: Division,
    works: Department,
    resident: User,
) -> None:
    own = services.dispatch_rule_create(
        category="drain", division=county, department=works, by=dispatcher
    )
    other = services.dispatch_rule_create(
        category="drain", division=jiangshan, department=works, by=dispatcher
    )
    client = _client(kc_dispatcher)
    page = client.get(reverse("loop:dispatch")).content.decode()
    assert f'id="rule-remove-{own.pk}"' in page
    assert f'id="rule-remove-{other.pk}"' not in page
    assert client.post(reverse("loop:rule_remove", args=[other.pk])).status_code == 403
    assert AuditEntry.objects.filter(action="loop.rule_remove", outcome=Outcome.DENIED).exists()
    assert _client(resident).post(reverse("loop:rule_remove", args=[own.pk])).status_code == 403
    response = client.post(reverse("loop:rule_remove", args=[own.pk]))
    assert response.status_code == 302
    own.refresh_from_db()
    other.refresh_from_db()
    assert not own.active
    assert other.active
    assert client.post(reverse("loop:rule_remove", args=[own.pk])).status_code == 404
    # New reports in Kecheng now wait for dispatch instead of going to the works bureau.
    task = services.task_open(
        type_code="report", title="Drain", category="drain", division=county, by=resident
    )
    assert task.state == State.PENDING_DISPATCH
