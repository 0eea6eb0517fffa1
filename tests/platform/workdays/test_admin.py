"""Administrators keep the calendar in the back office; every change is audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from shuzhi.platform.audit.actions import action_label
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.workdays import selectors
from shuzhi.platform.workdays.models import DayAdjustment, DayKind
from shuzhi.platform.workdays.services import adjustment_delete, adjustment_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_adding_a_2027_holiday_in_the_back_office_is_audited_and_seen_at_once(
    back_office: Client,
) -> None:
    assert selectors.is_working_day(date(2027, 1, 1))  # read and kept before the change
    response = back_office.post(
        "/admin/workdays/dayadjustment/add/",
        {"date": "2027-01-01", "kind": "holiday", "name": "元旦"},
    )
    assert response.status_code == 302
    assert not selectors.is_working_day(date(2027, 1, 1))
    entry = AuditEntry.objects.get(action="workdays.add")
    assert entry.actor == "root"
    assert entry.details == {"date": "2027-01-01", "kind": "holiday", "name": "元旦"}
    assert action_label("workdays.add") != "workdays.add"


def test_changing_and_deleting_in_the_back_office(back_office: Client) -> None:
    day = DayAdjustment.objects.get(date=date(2026, 10, 10))
    response = back_office.post(
        f"/admin/workdays/dayadjustment/{day.pk}/change/",
        {"date": "2026-10-10", "kind": "holiday", "name": "国庆节"},
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="workdays.change").count() == 1
    assert not selectors.is_working_day(date(2026, 10, 10))
    response = back_office.post(f"/admin/workdays/dayadjustment/{day.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="workdays.delete").count() == 1
    assert not DayAdjustment.objects.filter(date=date(2026, 10, 10)).exists()
    assert not selectors.is_working_day(date(2026, 10, 10))  # an ordinary Saturday again


def test_the_list_page_shows_the_schedule(back_office: Client) -> None:
    response = back_office.get("/admin/workdays/dayadjustment/?date__year=2026")
    assert response.status_code == 200
    assert "春节" in response.content.decode()


def test_only_system_administrators_change_the_calendar() -> None:
    clerk = UserFactory(username="clerk", roles=["clerk"])
    with pytest.raises(PermissionDenied):
        adjustment_save(
            by=clerk,
            adjustment=DayAdjustment(date=date(2027, 1, 1), kind=DayKind.HOLIDAY, name="元旦"),
        )
    with pytest.raises(PermissionDenied):
        adjustment_delete(by=clerk, adjustment=DayAdjustment.objects.first())  # type: ignore[arg-type]
    assert not DayAdjustment.objects.filter(date=date(2027, 1, 1)).exists()
    assert not AuditEntry.objects.filter(action__startswith="workdays.").exists()


def test_a_clerk_is_kept_out_of_the_back_office(client: Client) -> None:
    client.force_login(UserFactory(username="clerk", roles=["clerk"], is_staff=True))
    response = client.get("/admin/workdays/dayadjustment/")
    assert response.status_code == 302
    assert "/admin/workdays" not in response.headers["Location"].split("?")[0]


def test_a_second_entry_for_one_date_is_refused() -> None:
    admin = UserFactory(username="admin", roles=["system_admin"])
    with pytest.raises(ValidationError):
        adjustment_save(
            by=admin,
            adjustment=DayAdjustment(date=date(2026, 10, 1), kind=DayKind.WORKDAY, name="x"),
        )
    assert DayAdjustment.objects.get(date=date(2026, 10, 1)).kind == DayKind.HOLIDAY
