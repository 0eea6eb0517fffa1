"""The monthly 免申即享 eligibility run (每月比对), on the database task queue.

``run_monthly`` runs ``eligibility_run`` as the system for the current month (monthly policies)
and year (yearly policies), then queues itself again a month later. ``start_schedule`` is
registered as the recurring schedule ``services.benefits`` (``services.benefits.register``);
``shuzhi worker`` calls it when it starts.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

__all__ = ["SCHEDULE", "register", "run_monthly", "run_now", "start_schedule"]

SCHEDULE = "services.benefits"

logger = logging.getLogger(__name__)

INTERVAL_DAYS = 30


def run_now() -> int:
    """One scheduled run for the current month; the run's id."""
    from .services.benefits import eligibility_run

    today = timezone.localdate()
    run = eligibility_run(period=f"{today.year}-{today.month:02d}", by=None)
    if run.state != run.State.COMPLETE:
        logger.warning("benefit eligibility run %s failed: %s", run.pk, run.error)
    return run.pk


@task()
def run_monthly(reschedule: bool = True) -> int:
    """The scheduled run, then the next one queued a month later."""
    pk = run_now()
    if reschedule:
        run_after = timezone.now() + timedelta(days=INTERVAL_DAYS)
        run_monthly.using(run_after=run_after).enqueue(reschedule=True)
    return pk


def start_schedule() -> bool:
    """Queue the first scheduled run unless one already waits."""
    from shuzhi.platform.loop.schedule import task_waiting

    if not run_monthly.get_backend().supports_defer:
        return False
    if task_waiting(run_monthly.module_path):
        return False
    run_monthly.enqueue(reschedule=True)
    return True


def register() -> None:
    """Register the monthly run as the recurring schedule ``services.benefits`` (apps.py calls
    it through ``services.benefits.register``)."""
    from shuzhi.platform.loop.schedule import register_recurring

    register_recurring(SCHEDULE, start_schedule)
