"""Every write of the working-day calendar (工作日历): adjustments added, changed, removed.

Only system administrators (``admin.access``) change the calendar, in the back office; each change
is audited and clears the calendar kept by this process.
"""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest

from shuzhi.platform.accounts.models import User
from shuzhi.platform.audit.services import audit_record
from shuzhi.platform.security.permissions import require

from .models import DayAdjustment
from .selectors import clear_cache


def _require_admin(by: User | None) -> None:
    require(by, "admin.access")


def adjustment_save(
    *, by: User, adjustment: DayAdjustment, request: HttpRequest | None = None
) -> DayAdjustment:
    """Add or change one day adjustment (调休安排); validated, audited."""
    _require_admin(by)
    adjustment.full_clean()
    with transaction.atomic():
        created = adjustment.pk is None
        adjustment.save()
        audit_record(
            action="workdays.add" if created else "workdays.change",
            actor=by,
            target=adjustment,
            request=request,
            details={
                "date": adjustment.date.isoformat(),
                "kind": adjustment.kind,
                "name": adjustment.name,
            },
        )
        transaction.on_commit(clear_cache)
    clear_cache()
    return adjustment


def adjustment_delete(
    *, by: User, adjustment: DayAdjustment, request: HttpRequest | None = None
) -> None:
    """Remove one day adjustment; audited."""
    _require_admin(by)
    with transaction.atomic():
        audit_record(
            action="workdays.delete",
            actor=by,
            target=adjustment,
            request=request,
            details={
                "date": adjustment.date.isoformat(),
                "kind": adjustment.kind,
                "name": adjustment.name,
            },
        )
        adjustment.delete()
        transaction.on_commit(clear_cache)
    clear_cache()
