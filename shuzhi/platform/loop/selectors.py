"""Reads of the closed loop: tasks, queues, routing and rankings (比晾晒)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from shuzhi.platform.accounts.models import Division

from .models import OPEN_STATES, DispatchRule, State, Task


def open_task_for(source_ref: str) -> Task | None:
    """The task not yet closed for ``source_ref`` (for de-duplication), or None."""
    if not source_ref:
        return None
    return (
        Task.objects.filter(source_ref=source_ref, state__in=OPEN_STATES)
        .order_by("-opened_at", "-id")
        .first()
    )


def dispatch_rule_for(*, category: str, division: Division) -> DispatchRule | None:
    """The most specific active rule for a category in a division (or any division above it)."""
    if not category:
        return None
    codes = _division_chain(division)
    rules = list(
        DispatchRule.objects.filter(active=True, category=category)
        .filter(Q(division__isnull=True) | Q(division_id__in=codes))
        .select_related("department")
    )
    if not rules:
        return None

    def rank(rule: DispatchRule) -> tuple[int, int, int]:
        depth = len(codes) - codes.index(rule.division_id) if rule.division_id else 0
        return (-depth, rule.order, rule.id)

    return sorted(rules, key=rank)[0]


def _division_chain(division: Division) -> list[str]:
    """The division's code and the codes of the divisions above it, nearest first."""
    codes: list[str] = []
    current: Division | None = division
    while current is not None and len(codes) < 6:
        codes.append(current.code)
        current = current.parent
    return codes


def task_queryset() -> QuerySet[Task]:
    return Task.objects.select_related("division", "department", "reporter", "parent")


def department_tasks(*, department_id: int | None, state: str = "") -> QuerySet[Task]:
    """My department's tasks (inbox), optionally of one state."""
    if department_id is None:
        return task_queryset().none()
    tasks = task_queryset().filter(department_id=department_id)
    if state:
        tasks = tasks.filter(state=state)
    return tasks


def dispatch_queue() -> QuerySet[Task]:
    """Tasks waiting for the dispatcher: to route, to review, or with an extension request."""
    return task_queryset().filter(
        Q(state=State.PENDING_DISPATCH)
        | Q(state=State.PENDING_REVIEW)
        | Q(extension_requested_days__isnull=False, state__in=OPEN_STATES)
    )


def state_counts(tasks: QuerySet[Task]) -> dict[str, Any]:
    from django.db.models import Count

    return {row["state"]: row["n"] for row in tasks.values("state").annotate(n=Count("id"))}
