"""Reads of the audit log, for the auditors' browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db.models import QuerySet
from django.utils import timezone

from shuzhi.platform.security.permissions import require

from .models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""
    outcome: str = ""
    department: str = ""
    target: str = ""
    date_from: date | None = None
    date_to: date | None = None


def audit_entry_list(*, by: object, filters: AuditFilter) -> QuerySet[AuditEntry]:
    """Entries matching ``filters``, newest first; only auditors may read the log."""
    require(by, "audit.view")
    qs = AuditEntry.objects.all()
    if filters.actor:
        qs = qs.filter(actor__icontains=filters.actor)
    if filters.action:
        qs = qs.filter(action__startswith=filters.action)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.department:
        qs = qs.filter(department=filters.department)
    if filters.target:
        qs = qs.filter(target_id=filters.target)
    tz = timezone.get_current_timezone()
    if filters.date_from:
        qs = qs.filter(at__gte=datetime.combine(filters.date_from, time.min, tzinfo=tz))
    if filters.date_to:
        qs = qs.filter(at__lte=datetime.combine(filters.date_to, time.max, tzinfo=tz))
    return qs.order_by("-seq")


def audit_action_names() -> list[str]:
    return list(AuditEntry.objects.order_by("action").values_list("action", flat=True).distinct())
