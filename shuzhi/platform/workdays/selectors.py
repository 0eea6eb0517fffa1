"""Reads of the working-day calendar (工作日历), the interface for deadlines.

The adjustments are read once per process and kept; a write through ``services`` clears the
copy at once, and a copy older than ``CACHE_SECONDS`` is read again, so that a change made by
another process is seen within that time.
"""

from __future__ import annotations

import threading
import time as _time
from datetime import date, datetime, time

from django.utils import timezone

from . import calendar
from .models import DayAdjustment, DayKind

CACHE_SECONDS = 300.0

_lock = threading.Lock()
_cached: tuple[float, frozenset[date], frozenset[date]] | None = None


def clear_cache() -> None:
    """Forget the kept adjustments (called by every write, and by tests)."""
    global _cached
    with _lock:
        _cached = None


def adjustments() -> tuple[frozenset[date], frozenset[date]]:
    """The holidays (休) and adjusted working days (班) known to the calendar."""
    global _cached
    with _lock:
        if _cached is not None and _time.monotonic() - _cached[0] < CACHE_SECONDS:
            return _cached[1], _cached[2]
    holidays: set[date] = set()
    workdays: set[date] = set()
    for day, kind in DayAdjustment.objects.values_list("date", "kind"):
        (holidays if kind == DayKind.HOLIDAY else workdays).add(day)
    result = frozenset(holidays), frozenset(workdays)
    with _lock:
        _cached = (_time.monotonic(), *result)
    return result


def is_working_day(day: date) -> bool:
    """True when ``day`` is a working day (工作日) under the official schedule."""
    return calendar.is_working_day(day, *adjustments())


def add_working_days(start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (``days == 0``: ``start`` if it is a working
    day, else the next one)."""
    return calendar.add_working_days(start, days, *adjustments())


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if ``end`` is
    earlier)."""
    return calendar.working_days_between(start, end, *adjustments())


def deadline_after(moment: datetime, days: int) -> datetime:
    """The end (23:59:59 local time, timezone-aware) of the ``days``-th working day after the
    local date of ``moment`` — a time limit of "N working days" (N个工作日内)."""
    local = timezone.localtime(moment) if timezone.is_aware(moment) else moment
    day = add_working_days(local.date(), days)
    return timezone.make_aware(datetime.combine(day, time(23, 59, 59)))


def year_adjustments(year: int) -> list[DayAdjustment]:
    """The adjustments of one year, in date order."""
    return list(DayAdjustment.objects.filter(date__year=year).order_by("date"))


def has_schedule(year: int) -> bool:
    """True when the calendar holds the official schedule of ``year`` (without it, only
    weekends are rest days: administrators add each year's notice in the back office)."""
    return DayAdjustment.objects.filter(date__year=year).exists()


def known_years() -> list[int]:
    """The years that have an official schedule in the calendar."""
    return sorted({d.year for d in DayAdjustment.objects.values_list("date", flat=True)})
