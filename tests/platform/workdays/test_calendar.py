"""The working-day calendar on the official 2025 and 2026 schedules (工作日历)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from shuzhi.platform.workdays import calendar, selectors
from shuzhi.platform.workdays.models import DayAdjustment, DayKind

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_schedules_of_2025_and_2026_are_loaded() -> None:
    assert selectors.known_years() == [2025, 2026]
    spring_2026 = DayAdjustment.objects.filter(name="春节", date__year=2026)
    assert spring_2026.filter(kind=DayKind.HOLIDAY).count() == 9
    assert set(spring_2026.filter(kind=DayKind.WORKDAY).values_list("date", flat=True)) == {
        date(2026, 2, 14),
        date(2026, 2, 28),
    }
    assert DayAdjustment.objects.filter(date__year=2025, kind=DayKind.HOLIDAY).count() == 28
    assert DayAdjustment.objects.filter(date__year=2026, kind=DayKind.HOLIDAY).count() == 33


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 11, 25), True),  # an ordinary Wednesday
        (date(2026, 11, 28), False),  # an ordinary Saturday
        (date(2026, 10, 1), False),  # 国庆节, a Thursday
        (date(2026, 10, 10), True),  # 调休上班, a Saturday
        (date(2026, 2, 23), False),  # 春节, a Monday
        (date(2026, 2, 14), True),  # Saturday before 春节
        (date(2025, 1, 26), True),  # Sunday before 春节 2025
        (date(2025, 10, 8), False),  # the last day of 国庆节、中秋节 2025
        (date(2027, 1, 1), True),  # 2027 not yet published: a Friday works
    ],
)
def test_is_working_day(day: date, working: bool) -> None:
    assert selectors.is_working_day(day) is working


def test_add_working_days_crosses_the_national_day_holiday() -> None:
    # Wednesday 30 September: the next working day is Thursday 8 October
    assert selectors.add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    # 8, 9 (Fri), 10 (Sat, 班), 12 (Mon), 13
    assert selectors.add_working_days(date(2026, 9, 30), 5) == date(2026, 10, 13)
    assert selectors.add_working_days(date(2026, 10, 3), 0) == date(2026, 10, 8)


def test_working_days_between_is_the_inverse_of_adding() -> None:
    start = date(2026, 2, 10)
    for n in range(1, 40):
        end = selectors.add_working_days(start, n)
        assert selectors.working_days_between(start, end) == n
        assert selectors.working_days_between(end, start) == -n


def test_deadline_after_ends_the_nth_working_day_in_local_time() -> None:
    # 17:00 UTC on Wednesday 30 September is already Thursday 1 October in Quzhou
    moment = datetime(2026, 9, 30, 17, 0, tzinfo=ZoneInfo("UTC"))
    deadline = selectors.deadline_after(moment, 1)
    assert deadline.tzinfo is not None
    assert deadline.astimezone(SHANGHAI).replace(tzinfo=None) == datetime(2026, 10, 8, 23, 59, 59)
    same_day = datetime(2026, 11, 25, 9, 0, tzinfo=SHANGHAI)
    assert selectors.deadline_after(same_day, 0).astimezone(SHANGHAI) == datetime(
        2026, 11, 25, 23, 59, 59, tzinfo=SHANGHAI
    )


def test_pure_calendar_rejects_negative_counts() -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_days(date(2026, 1, 1), -2, frozenset(), frozenset())


def test_has_schedule_names_years_without_a_notice() -> None:
    assert selectors.has_schedule(2026)
    assert not selectors.has_schedule(2027)
