from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.loop import services
from shuzhi.platform.loop.models import State, Task, TaskEvent
from shuzhi.platform.loop.tasks import scan_deadlines_task, schedule_next_scan

pytestmark = pytest.mark.django_db


@pytest.fixture
def assigned(county: Division, works: Department, dispatcher: User) -> Task:
    task = services.task_open(type_code="warning", title="Drop", division=county)
    return services.task_dispatch(task=task, department=works, by=dispatcher)


def test_deadline_is_in_working_days(county: Division) -> None:
    task = services.task_open(type_code="petition", title="Noise", division=county)
    assert task.deadline - task.opened_at >= timedelta(days=15)


def test_scan_reminds_marks_overdue_and_escalates_once(
    assigned: Task, handler: User, settings: Any
) -> None:
    settings.LOOP_REMIND_BEFORE_HOURS = 24
    settings.LOOP_ESCALATE_AFTER_HOURS = 24
    deadline = assigned.deadline
    counts = services.scan_deadlines(now=deadline - timedelta(hours=30))
    assert counts == {"reminded": 0, "overdue": 0, "escalated": 0}

    counts = services.scan_deadlines(now=deadline - timedelta(hours=2))
    assert counts["reminded"] == 1
    assert services.scan_deadlines(now=deadline - timedelta(hours=1))["reminded"] == 0

    counts = services.scan_deadlines(now=deadline + timedelta(hours=1))
    assert counts == {"reminded": 0, "overdue": 1, "escalated": 0}
    assert Task.objects.get(pk=assigned.pk).overdue

    counts = services.scan_deadlines(now=deadline + timedelta(hours=25))
    assert counts["escalated"] == 1
    again = services.scan_deadlines(now=deadline + timedelta(hours=25))
    assert again == {"reminded": 0, "overdue": 0, "escalated": 0}
    assert Task.objects.get(pk=assigned.pk).supervision_level == 1

    services.scan_deadlines(now=deadline + timedelta(hours=49))
    services.scan_deadlines(now=deadline + timedelta(hours=200))
    assert Task.objects.get(pk=assigned.pk).supervision_level == 2  # the type's highest level
    actions = list(TaskEvent.objects.filter(task=assigned).values_list("action", flat=True))
    assert actions.count("escalate") == 2
    assert actions.count("overdue") == 1
    assert AuditEntry.objects.filter(action="loop.scan").count() == 4


def test_scan_skips_suspended_and_closed(assigned: Task, dispatcher: User) -> None:
    services.task_suspend(task=assigned, by=dispatcher, comment="wait")
    counts = services.scan_deadlines(now=assigned.deadline + timedelta(days=10))
    assert counts["overdue"] == 0


def test_scan_by_a_person_needs_supervision(assigned: Task, handler: User) -> None:
    with pytest.raises(PermissionDenied):
        services.scan_deadlines(by=handler)


def test_scan_notifies_the_department(assigned: Task, handler: User) -> None:
    from shuzhi.platform.notify.models import Message

    services.scan_deadlines(now=assigned.deadline + timedelta(hours=1))
    assert Message.objects.filter(recipient=handler).exists()


def test_background_task_runs_the_scan(assigned: Task, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    result = scan_deadlines_task.call()
    assert set(result) == {"reminded", "overdue", "escalated"}
    assert schedule_next_scan() is False  # the immediate backend cannot defer


def test_overdue_task_keeps_state(assigned: Task) -> None:
    services.scan_deadlines(now=timezone.now() + timedelta(days=30))
    assert Task.objects.get(pk=assigned.pk).state == State.PENDING_ACCEPTANCE
