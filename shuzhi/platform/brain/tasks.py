"""Background work of the brain: indicator computations on a schedule (django-tasks).

``compute_due_indicators`` recomputes every active indicator whose dataset has a newer data
version than its series (or that was never computed), then, when asked to, queues itself again
``BRAIN_INTERVAL_MINUTES`` later — so one enqueue (by the demo or an operator) keeps the schedule
going on the database queue that ``shuzhi worker`` runs.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from shuzhi.platform.warehouse.selectors import current_version

from .models import Indicator
from .services import BrainError, indicator_compute

logger = logging.getLogger(__name__)

BRAIN_INTERVAL_MINUTES = 60


def compute_due(*, force: bool = False) -> dict[str, int]:
    """Compute the indicators that are due; returns counts (called directly in tests)."""
    computed = failed = warnings = 0
    for indicator in Indicator.objects.filter(active=True).select_related("dataset"):
        version = current_version(indicator.dataset)
        if version is None:
            continue
        if not force and indicator.computed_version == version.number:
            continue
        try:
            result = indicator_compute(by=None, indicator=indicator)
        except BrainError as error:
            logger.warning("indicator %s not computed: %s", indicator.code, error)
            failed += 1
            continue
        computed += 1
        warnings += len(result.warnings)
    return {"computed": computed, "failed": failed, "warnings": warnings}


@task()
def compute_due_indicators(reschedule: bool = True) -> dict[str, int]:
    """The scheduled computation (定时计算) of indicators, then the next run queued."""
    counts = compute_due()
    if reschedule:
        run_after = timezone.now() + timedelta(minutes=BRAIN_INTERVAL_MINUTES)
        compute_due_indicators.using(run_after=run_after).enqueue(reschedule=True)
    return counts


def start_schedule() -> bool:
    """Queue the first scheduled computation unless one already waits (``shuzhi worker``)."""
    from shuzhi.platform.loop.schedule import task_waiting

    if not compute_due_indicators.get_backend().supports_defer:
        return False
    if task_waiting(compute_due_indicators.module_path):
        return False
    compute_due_indicators.enqueue(reschedule=True)
    return True


@task()
def compute_indicator(indicator_id: int) -> int:
    """Compute one indicator in the background (a long recompute from the page)."""
    indicator = Indicator.objects.select_related("dataset").get(pk=indicator_id)
    return indicator_compute(by=None, indicator=indicator).points
