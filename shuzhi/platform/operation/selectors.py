"""Reads of authorised operation: operators, authorisations, what an operator sees, the inbox."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from shuzhi.platform.catalog.models import Dataset, Field, Grade, Status
from shuzhi.platform.security.permissions import has_perm

from .models import Analysis, Authorisation, Operator, Usage

VISIBLE_GRADES = (Grade.L1, Grade.L2)


def is_bureau(user: Any) -> bool:
    """Staff of the big-data bureau (大数据局) who may vet operators and review results."""
    department = getattr(user, "department", None)
    return (
        has_perm(user, "operation.review")
        and department is not None
        and department.code == settings.BUREAU_DEPARTMENT
    )


def operator_of(user: Any) -> Operator | None:
    """The operator the user acts for (any status), or None."""
    if not getattr(user, "is_authenticated", False):
        return None
    return Operator.objects.filter(users=user).order_by("id").first()


def operator_list() -> QuerySet[Operator]:
    return Operator.objects.prefetch_related("users").order_by("status", "name")


def authorisation_list(operator: Operator) -> QuerySet[Authorisation]:
    return operator.authorisations.select_related("dataset").order_by("dataset__code", "-starts_on")


def active_authorisations(operator: Operator, *, on: date | None = None) -> QuerySet[Authorisation]:
    """Authorisations in force today, of published datasets only."""
    day = on or timezone.localdate()
    return (
        operator.authorisations.filter(
            revoked_at__isnull=True,
            starts_on__lte=day,
            ends_on__gte=day,
            dataset__status=Status.PUBLISHED,
        )
        .select_related("dataset")
        .order_by("dataset__code")
    )


def authorised_datasets(operator: Operator, *, on: date | None = None) -> list[Dataset]:
    seen: dict[int, Dataset] = {}
    for grant in active_authorisations(operator, on=on):
        seen.setdefault(grant.dataset_id, grant.dataset)
    return list(seen.values())


def visible_fields(dataset: Dataset) -> list[Field]:
    """The fields an operator may analyse: graded L1–L2 and stored unencrypted."""
    return [
        f
        for f in dataset.fields.filter(grade__in=VISIBLE_GRADES).order_by("position", "id")
        if not f.encrypted
    ]


def publishable_datasets() -> QuerySet[Dataset]:
    return Dataset.objects.filter(status=Status.PUBLISHED).order_by("code")


def analysis_list_for_operator(operator: Operator) -> QuerySet[Analysis]:
    return Analysis.objects.filter(operator=operator).select_related("submitted_by")


def analysis_for_operator(operator: Operator | None, pk: int) -> Analysis:
    """One of the operator's own analyses; ``Analysis.DoesNotExist`` for anyone else's."""
    if operator is None:
        raise Analysis.DoesNotExist(pk)
    return Analysis.objects.get(operator=operator, pk=pk)


def review_inbox(*, status: str = Analysis.Status.AWAITING_REVIEW) -> QuerySet[Analysis]:
    return (
        Analysis.objects.filter(status=status)
        .select_related("operator", "submitted_by")
        .order_by("submitted_at", "id")
    )


def analysis_for_review(pk: int) -> Analysis:
    return Analysis.objects.select_related("operator", "submitted_by", "reviewed_by").get(pk=pk)


def usage_list(operator: Operator) -> QuerySet[Usage]:
    return Usage.objects.filter(operator=operator).order_by("-month")


def usage_totals() -> list[dict[str, Any]]:
    """This month's usage of every operator, for the bureau."""
    month = timezone.localdate().replace(day=1)
    rows = Usage.objects.filter(month=month).select_related("operator").order_by("operator__name")
    return [
        {
            "operator": u.operator,
            "submissions": u.submissions,
            "runs": u.runs,
            "rows_scanned": u.rows_scanned,
            "result_rows": u.result_rows,
        }
        for u in rows
    ]


def recent_reviews() -> QuerySet[Analysis]:
    return (
        Analysis.objects.filter(Q(status=Analysis.Status.RELEASED) | Q(status="rejected"))
        .select_related("operator", "reviewed_by")
        .order_by("-reviewed_at")
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def chart_data(analysis: Analysis) -> dict[str, Any] | None:
    """A bar chart of a result: the first non-numeric column as categories, numbers as series."""
    columns, rows = list(analysis.columns), list(analysis.rows)
    if not columns or not rows:
        return None
    numeric = [
        i
        for i in range(len(columns))
        if all(_is_number(r[i]) or r[i] is None for r in rows)
        and any(_is_number(r[i]) for r in rows)
    ]
    labels_at = next((i for i in range(len(columns)) if i not in numeric), None)
    if labels_at is None and len(numeric) > 1:
        labels_at = numeric.pop(0)
    if not numeric:
        return None
    labels = [str(r[labels_at]) for r in rows] if labels_at is not None else [""] * len(rows)
    return {
        "labels": labels,
        "series": [{"name": columns[i], "data": [r[i] for r in rows]} for i in numeric],
    }
