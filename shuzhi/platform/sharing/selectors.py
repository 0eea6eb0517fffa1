"""Reads of sharing: what a user may request, their requests and grants, inboxes and usage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from shuzhi.platform.accounts.models import Division, User
from shuzhi.platform.audit.models import AuditEntry
from shuzhi.platform.catalog.models import Dataset, Field, SemanticType, ShareAttribute, Status
from shuzhi.platform.security.permissions import has_perm

from .models import Grant, GrantUsage, ShareRequest


def division_field(dataset: Dataset) -> Field | None:
    """The dataset's division-code field (行政区划代码) for the default row scope: a county
    field (named ``county…``) when there is one, else the first."""
    fields = list(
        dataset.fields.filter(semantic_type=SemanticType.DIVISION_CODE).order_by("position", "id")
    )
    county = [f for f in fields if f.name.startswith("county")]
    chosen = county or fields
    return chosen[0] if chosen else None


def default_scope(dataset: Dataset, user: Any) -> dict[str, list[str]]:
    """The rows offered by default: those of the requester's county, when the dataset has a
    division-code field and the requester's department sits below the city level."""
    field = division_field(dataset)
    department = getattr(user, "department", None)
    if field is None or department is None:
        return {}
    division = department.division
    if division.level in (Division.Level.PROVINCE, Division.Level.CITY):
        return {}  # a city-level department sees the whole city by default
    return {field.name: [division.county_code]}


def requestable(dataset: Dataset) -> bool:
    return dataset.status == Status.PUBLISHED and dataset.share_attribute != ShareAttribute.NONE


def requestable_datasets(*, by: Any, q: str = "") -> QuerySet[Dataset]:
    """Published datasets of other departments that may be shared (not 不予共享)."""
    if not has_perm(by, "sharing.request"):
        return Dataset.objects.none()
    qs = (
        Dataset.objects.select_related("owner")
        .filter(status=Status.PUBLISHED)
        .exclude(share_attribute=ShareAttribute.NONE)
        .exclude(owner_id=getattr(by, "department_id", None))
    )
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(code__icontains=q) | Q(name_en__icontains=q))
    return qs.order_by("code")


def my_requests(*, by: Any) -> QuerySet[ShareRequest]:
    return ShareRequest.objects.select_related("dataset", "dataset__owner", "department").filter(
        requester_id=getattr(by, "pk", None)
    )


def approval_inbox(*, by: Any, include_decided: bool = False) -> QuerySet[ShareRequest]:
    """Requests for the approver's own department's datasets (审批待办), oldest deadline first."""
    if not has_perm(by, "sharing.approve") or not getattr(by, "department_id", None):
        return ShareRequest.objects.none()
    qs = ShareRequest.objects.select_related(
        "dataset", "requester", "department", "decided_by"
    ).filter(dataset__owner_id=by.department_id)
    if not include_decided:
        qs = qs.filter(state=ShareRequest.State.PENDING)
    return qs.order_by("deadline", "created_at")


def request_for(*, by: Any, pk: int) -> ShareRequest:
    """A request its requester or the owner department's approvers may see; DoesNotExist else."""
    qs = ShareRequest.objects.select_related("dataset", "dataset__owner", "requester", "department")
    request = qs.get(pk=pk)
    if request.requester_id == getattr(by, "pk", None) or can_decide(by, request.dataset):
        return request
    raise ShareRequest.DoesNotExist


def request_get(pk: int) -> ShareRequest:
    """A request by id, for a decision: the service itself refuses (and audits) the wrong
    department, so that the refusal is recorded rather than hidden behind a 404."""
    return ShareRequest.objects.select_related(
        "dataset", "dataset__owner", "requester", "department"
    ).get(pk=pk)


def grant_get(pk: int) -> Grant:
    """A grant by id, for revoking: the service refuses (and audits) anyone else."""
    return Grant.objects.select_related("dataset", "grantee", "department").get(pk=pk)


def can_decide(by: Any, dataset: Dataset) -> bool:
    """Approvers (审批人) of the owner department decide its requests and see its consumers."""
    return has_perm(by, "sharing.approve") and getattr(by, "department_id", None) == (
        dataset.owner_id
    )


def my_grants(*, by: Any) -> QuerySet[Grant]:
    return (
        Grant.objects.select_related("dataset", "dataset__owner", "request")
        .filter(grantee_id=getattr(by, "pk", None))
        .annotate(total_calls=Sum("usage__calls"), total_rows=Sum("usage__rows"))
    )


def grant_for(*, by: Any, pk: int) -> Grant:
    """A grant its grantee or the owner department's approvers may see; DoesNotExist else."""
    grant = Grant.objects.select_related("dataset", "dataset__owner", "grantee", "department").get(
        pk=pk
    )
    if grant.grantee_id == getattr(by, "pk", None) or can_decide(by, grant.dataset):
        return grant
    raise Grant.DoesNotExist


def consumers(*, by: Any) -> QuerySet[Grant]:
    """Grants on the approver's department's datasets: who uses them, how much and why."""
    if not has_perm(by, "sharing.approve") or not getattr(by, "department_id", None):
        return Grant.objects.none()
    return (
        Grant.objects.select_related("dataset", "grantee", "department")
        .filter(dataset__owner_id=by.department_id)
        .annotate(
            total_calls=Sum("usage__calls"),
            total_rows=Sum("usage__rows"),
            days_used=Count("usage"),
        )
        .order_by("dataset__code", "-starts_at")
    )


@dataclass(frozen=True)
class UsageSeries:
    days: list[str]
    calls: list[int]
    rows: list[int]

    def as_json(self) -> dict[str, list[Any]]:
        return {"days": self.days, "calls": self.calls, "rows": self.rows}


def usage_series(grants: Any, *, days: int = 30, today: date | None = None) -> UsageSeries:
    """Calls and rows per day over the last ``days`` days (zeros filled in), for a chart."""
    end = today or timezone.localdate()
    start = end - timedelta(days=days - 1)
    totals: dict[date, tuple[int, int]] = {}
    rows = (
        GrantUsage.objects.filter(grant__in=grants, day__gte=start, day__lte=end)
        .values("day")
        .annotate(c=Sum("calls"), r=Sum("rows"))
    )
    for row in rows:
        totals[row["day"]] = (int(row["c"] or 0), int(row["r"] or 0))
    labels, calls, counts = [], [], []
    for n in range(days):
        day = start + timedelta(days=n)
        c, r = totals.get(day, (0, 0))
        labels.append(day.isoformat())
        calls.append(c)
        counts.append(r)
    return UsageSeries(days=labels, calls=calls, rows=counts)


def usage_totals(grant: Grant) -> dict[str, int]:
    total = GrantUsage.objects.filter(grant=grant).aggregate(c=Sum("calls"), r=Sum("rows"))
    return {"calls": int(total["c"] or 0), "rows": int(total["r"] or 0)}


def grantee_of(grant: Grant, user: Any) -> bool:
    return bool(user is not None and getattr(user, "pk", None) == grant.grantee_id)


def inbox_count(*, by: User) -> int:
    return approval_inbox(by=by).count()


def grant_history(grant: Grant, *, limit: int = 30) -> list[AuditEntry]:
    """The newest audit entries of a grant and its request (the history tab), for the people
    who may see the grant: time, actor, action and outcome."""
    return list(
        AuditEntry.objects.filter(
            Q(target_type="sharing.grant", target_id=str(grant.pk))
            | Q(target_type="sharing.sharerequest", target_id=str(grant.request_id))
        ).order_by("-seq")[:limit]
    )
