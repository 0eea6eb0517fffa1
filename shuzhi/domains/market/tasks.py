"""The monthly credit-risk classification (每月重新分类), on the database task queue.

``classify_monthly`` runs the classification as a data steward of the market department (the
schedule acts through that account, and the audit entry says ``trigger: schedule``), then
queues itself again one month later. ``start_schedule`` is registered as the recurring
schedule ``market.credit`` (``apps.py``); ``shuzhi worker`` calls it when it starts.

``reclassify_after_penalty`` is queued by ``services.cases.case_decide`` (after the commit) when
a market case ends in a penalty or a reduced penalty: the same steward runs
``credit_reclassify_on_penalty`` (trigger ``penalty``).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from shuzhi.platform.accounts.models import User
from shuzhi.platform.security.permissions import has_perm

from .models import CreditRun
from .services.credit import CreditRefused, credit_classify, credit_reclassify_on_penalty

logger = logging.getLogger(__name__)

INTERVAL_DAYS = 30


def scheduled_steward() -> User | None:
    """The active data steward of the market department the schedule runs as (first by id)."""
    for user in User.objects.filter(
        department__code=settings.MARKET_DEPARTMENT, is_active=True
    ).order_by("pk"):
        if has_perm(user, "warehouse.ingest"):
            return user
    return None


def classify_now() -> CreditRun | None:
    """One scheduled classification; None (logged) when it cannot run."""
    steward = scheduled_steward()
    if steward is None:
        logger.warning("credit classification not run: no data steward of the market department")
        return None
    try:
        return credit_classify(by=steward, trigger=CreditRun.Trigger.SCHEDULE)
    except CreditRefused as refusal:
        logger.warning("credit classification not run: %s", refusal.message)
        return None


@task()
def classify_monthly(reschedule: bool = True) -> int | None:
    """The scheduled classification, then the next one queued a month later."""
    run = classify_now()
    if reschedule:
        run_after = timezone.now() + timedelta(days=INTERVAL_DAYS)
        classify_monthly.using(run_after=run_after).enqueue(reschedule=True)
    return run.pk if run is not None else None


def start_schedule() -> bool:
    """Queue the first scheduled classification unless one already waits."""
    from shuzhi.platform.loop.schedule import task_waiting

    if not classify_monthly.get_backend().supports_defer:
        return False
    if task_waiting(classify_monthly.module_path):
        return False
    classify_monthly.enqueue(reschedule=True)
    return True


@task()
def reclassify_after_penalty(credit_code: str) -> int | None:
    """A new classification after a penalty of ``credit_code`` (行政处罚触发重新分类); the run's
    id, or None (logged) when it cannot run."""
    steward = scheduled_steward()
    if steward is None:
        logger.warning("reclassification after a penalty not run: no data steward")
        return None
    try:
        run = credit_reclassify_on_penalty(credit_code=credit_code, by=steward)
    except CreditRefused as refusal:
        logger.warning("reclassification after a penalty not run: %s", refusal.message)
        return None
    return run.pk
