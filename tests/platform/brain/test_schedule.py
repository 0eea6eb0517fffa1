"""The brain's scheduled computation is started by ``shuzhi worker``, once however often."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from shuzhi.platform.brain.tasks import compute_due_indicators, start_schedule
from shuzhi.platform.loop.schedule import start_recurring


@pytest.mark.django_db
def test_the_worker_starts_the_schedule_once_and_runs_it() -> None:
    path = compute_due_indicators.module_path
    assert "brain.indicators" in start_recurring()
    assert start_schedule() is False  # one run already waits: not queued twice
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
    # a run (as the worker makes it) queues the next one, an hour later
    assert compute_due_indicators.call(reschedule=True) == {
        "computed": 0,
        "failed": 0,
        "warnings": 0,
    }
    later = DBTaskResult.objects.filter(task_path=path, status="READY").order_by("-run_after")
    assert later.count() == 2
    first, second = later[1], later[0]
    assert second.run_after is not None
    assert first.run_after is None or second.run_after > first.run_after
