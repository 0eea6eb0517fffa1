"""The hourly environment run (每小时), on the database task queue.

``run_hourly`` computes the daily AQI of yesterday and today (today's row fills in as the hours
arrive), then runs the warnings, as the system; then queues itself again an hour later.
``start_schedule`` is registered as the recurring schedule ``environment.hourly``
(``services.results.register``); ``shuzhi worker`` calls it when it starts.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from django_tasks import task

__all__ = ["SCHEDULE", "register", "run_hourly", "run_now", "start_schedule"]

SCHEDULE = "environment.hourly"

logger = logging.getLogger(__name__)

INTERVAL_HOURS = 1


LATE_HOURS = 26  # readings received this recently for an older day get that day recomputed


def run_now() -> dict[str, Any]:
    """One scheduled run: the daily rows written and the warnings report. Days before yesterday
    are computed again for the stations that sent readings of them lately (a station that was
    offline pushes its backlog; its days would otherwise keep no or a partial daily row)."""
    from django.db.models import Min

    from .models import AirReading
    from .services.results import compute_daily, run_warnings

    now = timezone.now()
    today = timezone.localdate(now)
    yesterday = today - timedelta(days=1)
    rows = compute_daily(day_from=yesterday, day_to=today)
    start = datetime.combine(yesterday, time(0), tzinfo=timezone.get_current_timezone())
    late = AirReading.objects.filter(
        received_at__gte=now - timedelta(hours=LATE_HOURS), hour__lt=start
    )
    first = late.aggregate(first=Min("hour"))["first"]
    if first is not None:
        stations = sorted(set(late.values_list("station_id", flat=True)))
        rows += compute_daily(
            day_from=timezone.localdate(first),
            day_to=yesterday - timedelta(days=1),
            stations=stations,
        )
    outcome = run_warnings(today=today)
    report = {"daily_rows": rows, **outcome.as_report()}
    logger.info("environment hourly run: %s", report)
    return report


@task()
def run_hourly(reschedule: bool = True) -> dict[str, Any]:
    """The scheduled run, then the next one queued an hour later."""
    report = run_now()
    if reschedule:
        run_after = timezone.now() + timedelta(hours=INTERVAL_HOURS)
        run_hourly.using(run_after=run_after).enqueue(reschedule=True)
    return report


def start_schedule() -> bool:
    """Queue the first scheduled run unless one already waits."""
    from shuzhi.platform.loop.schedule import task_waiting

    if not run_hourly.get_backend().supports_defer:
        return False
    if task_waiting(run_hourly.module_path):
        return False
    run_hourly.enqueue(reschedule=True)
    return True


def register() -> None:
    """Register the hourly run as the recurring schedule ``environment.hourly`` (apps.py calls
    it through ``services.results.register``)."""
    from shuzhi.platform.loop.schedule import register_recurring

    register_recurring(SCHEDULE, start_schedule)
