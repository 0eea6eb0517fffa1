"""Background work of the loop: the deadline scan (reminders, overdue, escalation).

``shuzhi worker`` enqueues the first scan when it starts; each scan enqueues the next one
``SCAN_EVERY`` later (``run_after``), unless one is already waiting, so one chain runs however
many workers share the queue. The scan itself is idempotent.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from .schedule import task_waiting

logger = logging.getLogger(__name__)

SCAN_EVERY = timedelta(minutes=5)


@task()
def scan_deadlines_task() -> dict[str, int]:
    from .services import scan_deadlines

    counts = scan_deadlines(by=None)
    schedule_next_scan()
    return counts


def schedule_next_scan(*, delay: timedelta = SCAN_EVERY) -> bool:
    """Enqueue the next scan after ``delay``; False when the backend cannot defer or one waits."""
    backend = scan_deadlines_task.get_backend()
    if not backend.supports_defer:
        return False
    if task_waiting(scan_deadlines_task.module_path):
        return False
    scan_deadlines_task.using(run_after=timezone.now() + delay).enqueue()
    logger.debug("loop: next deadline scan in %s", delay)
    return True
