"""Working-day arithmetic (工作日计算) on the official holiday schedule; no Django here.

Chinese public holidays move every year and weekends are traded for them (调休): a weekday is a
working day unless it is a holiday (休), and a Saturday or Sunday is a rest day unless it is an
adjusted working day (班). The two sets come from the State Council's yearly notice
(国务院办公厅关于部分节假日安排的通知), kept as data in ``workdays.DayAdjustment``.

>>> from datetime import date
>>> holidays = frozenset({date(2026, 10, d) for d in range(1, 8)})  # 国庆节 2026
>>> workdays = frozenset({date(2026, 9, 20), date(2026, 10, 10)})  # 调休上班
>>> is_working_day(date(2026, 10, 1), holidays, workdays)  # a Thursday, but a holiday
False
>>> is_working_day(date(2026, 10, 10), holidays, workdays)  # a Saturday, but 班
True
>>> add_working_days(date(2026, 9, 30), 1, holidays, workdays)  # the day after the holiday
datetime.date(2026, 10, 8)
>>> working_days_between(date(2026, 9, 30), date(2026, 10, 12), holidays, workdays)
4
"""

from __future__ import annotations

from datetime import date, timedelta

_DAY = timedelta(days=1)


def is_working_day(day: date, holidays: frozenset[date], workdays: frozenset[date]) -> bool:
    """True when ``day`` is a working day (工作日).

    >>> from datetime import date
    >>> is_working_day(date(2026, 11, 25), frozenset(), frozenset())  # a Wednesday
    True
    >>> is_working_day(date(2026, 11, 28), frozenset(), frozenset())  # a Saturday
    False
    """
    if day in holidays:
        return False
    if day in workdays:
        return True
    return day.weekday() < 5


def add_working_days(
    start: date, n: int, holidays: frozenset[date], workdays: frozenset[date]
) -> date:
    """The ``n``-th working day after ``start``; for ``n == 0``, ``start`` itself when it is a
    working day, else the next working day.

    >>> from datetime import date
    >>> none: frozenset[date] = frozenset()
    >>> add_working_days(date(2026, 11, 27), 5, none, none)  # a Friday
    datetime.date(2026, 12, 4)
    >>> add_working_days(date(2026, 11, 28), 0, none, none)  # a Saturday: the next Monday
    datetime.date(2026, 11, 30)
    >>> add_working_days(date(2026, 11, 27), 0, none, none)
    datetime.date(2026, 11, 27)
    >>> add_working_days(date(2026, 11, 27), -1, none, none)
    Traceback (most recent call last):
    ...
    ValueError: n must not be negative: -1
    """
    if n < 0:
        raise ValueError(f"n must not be negative: {n}")
    day = start
    if n == 0:
        while not is_working_day(day, holidays, workdays):
            day += _DAY
        return day
    left = n
    while left > 0:
        day += _DAY
        if is_working_day(day, holidays, workdays):
            left -= 1
    return day


def working_days_between(
    a: date, b: date, holidays: frozenset[date], workdays: frozenset[date]
) -> int:
    """Working days after ``a`` up to and including ``b``; negative when ``b`` is before ``a``.

    The inverse of :func:`add_working_days`: ``working_days_between(a, add_working_days(a, n))
    == n`` for every ``n > 0``.

    >>> from datetime import date
    >>> none: frozenset[date] = frozenset()
    >>> working_days_between(date(2026, 11, 27), date(2026, 12, 4), none, none)
    5
    >>> working_days_between(date(2026, 12, 4), date(2026, 11, 27), none, none)
    -5
    >>> working_days_between(date(2026, 11, 27), date(2026, 11, 27), none, none)
    0
    """
    if b < a:
        return -working_days_between(b, a, holidays, workdays)
    count = 0
    day = a
    while day < b:
        day += _DAY
        if is_working_day(day, holidays, workdays):
            count += 1
    return count
