"""The loop's calls into workdays (working-day deadlines) and notify (messages).

Both apps are built beside the loop; until they are present a plain fallback keeps the loop
working (weekdays only; messages dropped). The import is resolved on each call.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

logger = logging.getLogger(__name__)


def _weekday_deadline(moment: datetime, days: int) -> datetime:
    current = moment
    left = days
    while left > 0:
        current += timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


def deadline_after(moment: datetime, days: int) -> datetime:
    """``days`` working days after ``moment`` (Chinese holidays and adjusted working days)."""
    try:
        selectors = importlib.import_module("shuzhi.platform.workdays.selectors")
    except ImportError:
        return _weekday_deadline(moment, days)
    result: datetime = selectors.deadline_after(moment, days)
    return result


def add_working_days(start: date, days: int) -> date:
    try:
        selectors = importlib.import_module("shuzhi.platform.workdays.selectors")
    except ImportError:
        moment = datetime(start.year, start.month, start.day)
        return _weekday_deadline(moment, days).date()
    result: date = selectors.add_working_days(start, days)
    return result


def notify(
    *,
    recipients: Iterable[Any],
    subject: str,
    body: str = "",
    link: str = "",
    level: str = "info",
) -> None:
    """Send an in-app message to each recipient (the notify app's ``notify``)."""
    people = [person for person in recipients if person is not None]
    if not people:
        return
    try:
        send = importlib.import_module("shuzhi.platform.notify.send")
    except ImportError:
        return
    try:
        send.notify(recipients=people, subject=subject, body=body, link=link, level=level)
    except Exception:  # a message that cannot be sent never undoes a finished step
        logger.exception("loop: notification %r not sent", subject)
