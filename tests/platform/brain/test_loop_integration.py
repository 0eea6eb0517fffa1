"""A warning opens a real loop task (预警处置), once per source while the task is open."""

from __future__ import annotations

import pytest

from shuzhi.platform.accounts.models import User
from shuzhi.platform.brain.models import Indicator, Warning
from shuzhi.platform.brain.services import indicator_compute, indicator_save, rule_save
from shuzhi.platform.catalog.models import Dataset
from shuzhi.platform.loop.models import State, Task

from .conftest import INDICATOR

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(power: Dataset, steward: User) -> Indicator:
    indicator = indicator_save(by=steward, dataset=power, values=INDICATOR)
    rule_save(
        by=steward,
        indicator=indicator,
        values={"name": "YoY drop", "kind": "yoy", "direction": "below", "threshold": -20},
    )
    return indicator


def test_warning_opens_a_loop_task_linking_back(indicator: Indicator, steward: User) -> None:
    warnings = indicator_compute(by=steward, indicator=indicator).warnings
    assert len(warnings) == 1
    task = Task.objects.get()
    rule = indicator.rules.get()
    assert task.type_code == "warning"
    assert task.source_ref == f"brain:rule:{rule.pk}:330802"
    assert task.division_id == "330802"
    assert f"/brain/indicators/{indicator.pk}/?dimension=330802" in task.description
    assert "/catalog/enterprise_power/" in task.description
    assert warnings[0].task_id == task.pk


def test_no_duplicate_task_while_open_and_a_new_one_once_closed(
    indicator: Indicator, steward: User
) -> None:
    indicator_compute(by=steward, indicator=indicator)
    Warning.objects.all().delete()  # as if the same source fired again for a new period
    again = indicator_compute(by=None, indicator=indicator).warnings
    assert Task.objects.count() == 1
    assert again[0].task_id == Task.objects.get().pk
    Task.objects.update(state=State.CLOSED)
    Warning.objects.all().delete()
    indicator_compute(by=None, indicator=indicator)
    assert Task.objects.count() == 2


def test_warning_closes_with_its_task_and_opens_again_on_reopen(
    indicator: Indicator, steward: User
) -> None:
    from shuzhi.platform.audit.models import AuditEntry
    from shuzhi.platform.loop import services as loop
    from tests.factories import DepartmentFactory, UserFactory

    warning = indicator_compute(by=steward, indicator=indicator).warnings[0]
    task = Task.objects.get()
    department = DepartmentFactory(code="330802-EIB", name="柯城区经信局")
    dispatcher = UserFactory(username="dispatcher", roles=["supervisor"])
    handler = UserFactory(username="handler", roles=["clerk"], department=department)
    task = loop.task_dispatch(task=task, department=department, by=dispatcher)
    task = loop.task_accept(task=task, by=handler)
    task = loop.task_submit(task=task, by=handler, comment="checked the meters")
    warning.refresh_from_db()
    assert warning.state == Warning.State.TASKED  # waiting for review is not closed

    loop.task_review(task=task, by=dispatcher, approve=True)
    warning.refresh_from_db()
    assert warning.state == Warning.State.CLOSED
    assert AuditEntry.objects.filter(
        action="brain.warning_close", target_id=str(warning.pk)
    ).exists()

    loop.task_reopen(task=task, by=dispatcher, comment="the drop goes on")
    warning.refresh_from_db()
    assert warning.state == Warning.State.TASKED
