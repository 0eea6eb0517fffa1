"""The loop's calls into workdays (working-day deadlines) and notify (messages).

One place, so the loop's services read plainly and a message that cannot be sent never undoes
a step that is already done.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from shuzhi.platform.notify import send
from shuzhi.platform.workdays import selectors as workdays

logger = logging.getLogger(__name__)


def deadline_after(moment: datetime, days: int) -> datetime:
    """``days`` working days after ``moment`` (Chinese holidays and adjusted working days)."""
    return workdays.deadline_after(moment, days)


def add_working_days(start: date, days: int) -> date:
    return workdays.add_working_days(start, days)


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
        send.notify(recipients=people, subject=subject, body=body, link=link, level=level)
    except Exception:  # a message that cannot be sent never undoes a finished step
        logger.exception("loop: notification %r not sent", subject)
