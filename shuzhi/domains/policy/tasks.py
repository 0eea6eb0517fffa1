"""The daily validity refresh of policy documents (有效性), on the database task queue.

``run_daily`` runs ``refresh_validity`` as the system (a document past its ``effective_until``
becomes 失效; repeal and amend links win), then queues itself again a day later.
``start_schedule`` is registered as the recurring schedule ``policy.validity``
(``services.documents.register``); ``shuzhi worker`` calls it when it starts.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

__all__ = ["SCHEDULE", "register", "run_daily", "run_now", "start_schedule"]

SCHEDULE = "policy.validity"

INTERVAL_DAYS = 1


def run_now() -> int:
    """One refresh for today; how many documents changed validity."""
    from .services.documents import refresh_validity

    return refresh_validity(today=timezone.localdate())


@task()
def run_daily(reschedule: bool = True) -> int:
    """The scheduled refresh, then the next one queued a day later."""
    changed = run_now()
    if reschedule:
        run_after = timezone.now() + timedelta(days=INTERVAL_DAYS)
        run_daily.using(run_after=run_after).enqueue(reschedule=True)
    return changed


def start_schedule() -> bool:
    """Queue the first scheduled refresh unless one already waits."""
    from shuzhi.platform.loop.schedule import task_waiting

    if not run_daily.get_backend().supports_defer:
        return False
    if task_waiting(run_daily.module_path):
        return False
    run_daily.enqueue(reschedule=True)
    return True


def register() -> None:
    """Register the daily refresh as the recurring schedule ``policy.validity`` (apps.py calls it
    through ``services.documents.register``)."""
    from shuzhi.platform.loop.schedule import register_recurring

    register_recurring(SCHEDULE, start_schedule)
