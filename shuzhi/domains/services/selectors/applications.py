"""Reads of online applications (办件): one's own, a department's inbox, an application's
timeline. The callers check who may read (see ``services.applications``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.utils import timezone

from shuzhi.platform.loop.models import TaskEvent
from shuzhi.platform.security.permissions import has_perm

from ..models import Application, ApplicationMaterial, ApplicationPart, Licence


def application_by_number(number: str) -> Application | None:
    return (
        Application.objects.select_related("item", "bundle", "applicant")
        .filter(number=(number or "")[:32])
        .first()
    )


def applications_of(user: Any) -> QuerySet[Application]:
    """The applications ``user`` submitted, newest first."""
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return Application.objects.filter(applicant=user).select_related("item", "bundle")


def application_parts(application: Application) -> list[ApplicationPart]:
    return list(
        ApplicationPart.objects.filter(application=application)
        .select_related("item", "department", "task")
        .order_by("pk")
    )


def application_materials(application: Application) -> list[ApplicationMaterial]:
    return list(
        ApplicationMaterial.objects.filter(application=application)
        .select_related("kind")
        .order_by("kind__code")
    )


def part_licences(parts: list[ApplicationPart]) -> dict[int, Licence]:
    """The licence issued for each part that has one (part pk → licence)."""
    return {
        licence.part_id: licence
        for licence in Licence.objects.filter(part_id__in=[p.pk for p in parts])
        if licence.part_id is not None
    }


def department_parts(department_id: int | None, *, state: str = "") -> QuerySet[ApplicationPart]:
    """The parts routed to a department: pending first, then by due date."""
    if department_id is None:
        return ApplicationPart.objects.none()
    qs = ApplicationPart.objects.filter(department_id=department_id).select_related(
        "application", "application__applicant", "item"
    )
    qs = qs.filter(state=state) if state else qs.exclude(state=ApplicationPart.State.WITHDRAWN)
    return qs.annotate(
        pending_first=Case(
            When(state=ApplicationPart.State.PENDING, then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("pending_first", "due_at", "pk")


def is_overdue(part: ApplicationPart, now: datetime | None = None) -> bool:
    return bool(
        part.state == ApplicationPart.State.PENDING
        and part.due_at is not None
        and part.due_at < (now or timezone.now())
    )


def may_view(user: Any, application: Application) -> bool:
    """The applicant, or staff handling one of its parts (services.handle in that department)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if application.applicant_id == user.pk:
        return True
    if not has_perm(user, "services.handle") or getattr(user, "department_id", None) is None:
        return False
    return ApplicationPart.objects.filter(
        application=application, department_id=user.department_id
    ).exists()


def application_timeline(
    application: Application, parts: list[ApplicationPart]
) -> list[tuple[datetime, str, int | None]]:
    """(time, loop action code, part pk) of every step on the parts' tasks, in order; the
    submission itself comes first with part ``None``."""
    steps: list[tuple[datetime, str, int | None]] = [(application.submitted_at, "submitted", None)]
    by_task = {p.task_id: p.pk for p in parts if p.task_id}
    for event in TaskEvent.objects.filter(task_id__in=list(by_task)).order_by("at", "pk"):
        steps.append((event.at, event.action, by_task.get(event.task_id)))
    for part in parts:
        if part.decided_at is not None:
            steps.append((part.decided_at, f"decided_{part.state}", part.pk))
    if application.completed_at is not None:
        steps.append((application.completed_at, f"completed_{application.state}", None))
    return sorted(steps, key=lambda s: s[0])
