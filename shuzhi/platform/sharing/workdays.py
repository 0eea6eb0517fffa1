"""Working days (工作日) for approval deadlines: Monday to Friday; public holidays not known.

>>> from datetime import date
>>> add_working_days(date(2026, 11, 27), 5)  # a Friday: the next five working days
datetime.date(2026, 12, 4)
>>> add_working_days(date(2026, 11, 28), 1)  # a Saturday: Monday is the first
datetime.date(2026, 11, 30)
"""

from __future__ import annotations

from datetime import date, timedelta


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (Saturdays and Sundays skipped)."""
    day = start
    left = days
    while left > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day
