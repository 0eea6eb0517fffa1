from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.loop.models import State, Task
from shuzhi.platform.loop.registry import TaskType, UnknownTaskType, register_task_type, task_type
from shuzhi.platform.loop.selectors import open_task_for
from shuzhi.platform.loop.services import dispatch_rule_create, task_open

pytestmark = pytest.mark.django_db


def test_generic_types_are_registered() -> None:
    assert task_type("warning").deadline_days == 3
    assert task_type("petition").supervision_levels == 3
    with pytest.raises(UnknownTaskType):
        task_type("nope")


def test_register_refuses_a_bad_type() -> None:
    with pytest.raises(ValueError, match="invalid task type"):
        register_task_type(TaskType("x", "x", deadline_days=0))


def test_system_opens_a_task_with_deadline_and_audit(county: Division) -> None:
    task = task_open(
        type_code="warning",
        title="Electricity fell 30%",
        division=county,
        source="brain",
        source_ref="warning:1",
    )
    assert task.state == State.PENDING_DISPATCH
    assert task.county_code == "330802"
    assert task.deadline > task.opened_at
    assert task.category == "warning"
    assert task.events.get().action == "open"
    assert AuditEntry.objects.filter(action="loop.open", actor="system").exists()
    assert open_task_for("warning:1") == task
    assert open_task_for("warning:2") is None


def test_open_routes_by_rule(county: Division, works: Department, dispatcher: User) -> None:
    dispatch_rule_create(category="housing", department=works, division=county, by=dispatcher)
    task = task_open(type_code="report", title="Crack", category="housing", division=county)
    assert task.state == State.PENDING_ACCEPTANCE
    assert task.department == works
    assert [e.action for e in task.events.all()] == ["open", "dispatch"]


def test_more_specific_rule_wins(
    county: Division, works: Department, urban: Department, dispatcher: User
) -> None:
    dispatch_rule_create(category="housing", department=urban, by=dispatcher)
    dispatch_rule_create(category="housing", department=works, division=county, by=dispatcher)
    task = task_open(type_code="report", title="Crack", category="housing", division=county)
    assert task.department == works


def test_person_reports_and_becomes_reporter(county: Division, resident: User) -> None:
    task = task_open(type_code="report", title="Pothole", division=county, by=resident)
    assert task.reporter == resident


def test_anonymous_cannot_report(county: Division) -> None:
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        task_open(type_code="report", title="x", division=county, by=AnonymousUser())  # type: ignore[arg-type]
    assert not Task.objects.exists()


def test_unknown_type_changes_nothing(county: Division) -> None:
    with pytest.raises(UnknownTaskType):
        task_open(type_code="nope", title="x", division=county)
    assert not Task.objects.exists()
    assert AuditEntry.objects.get(action="loop.open").outcome == "failure"


def test_rule_creation_needs_dispatcher(works: Department, handler: User) -> None:
    with pytest.raises(PermissionDenied):
        dispatch_rule_create(category="housing", department=works, by=handler)


def test_only_the_system_routes_a_new_task_itself(
    county: Division, works: Department, resident: User
) -> None:
    from shuzhi.platform.audit.models import Outcome

    task = task_open(type_code="warning", title="Power drop", division=county, department=works)
    assert task.department == works
    assert task.state == State.PENDING_ACCEPTANCE
    with pytest.raises(PermissionDenied):
        task_open(type_code="report", title="Mine!", division=county, department=works, by=resident)
    assert AuditEntry.objects.filter(action="loop.open", outcome=Outcome.DENIED).exists()
