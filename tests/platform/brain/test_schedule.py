"""The brain's scheduled computation is started by ``shuzhi worker``, once however often."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from shuzhi.platform.brain.tasks import compute_due_indicators, start_schedule
from shuzhi.platform.loop.schedule import start_recurring


@pytest.mark.django_db
def test_the_worker_starts_the_schedule_once_and_runs_it() -> None:
    path = compute_due_indicators.module_path
    assert "brain.indicators" in start_recurring()
    assert start_schedule() is False  # one run already waits: not queued twice
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
    call_command("worker", "--batch")
    assert DBTaskResult.objects.filter(task_path=path, status="SUCCESSFUL").count() == 1
    # the run queued the next one, an hour later
    assert DBTaskResult.objects.filter(task_path=path, status="READY").count() == 1
