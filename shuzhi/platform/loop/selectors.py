"""Reads of the closed loop: tasks, queues, routing and rankings (比晾晒)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Avg, Count, Q, QuerySet

from shuzhi.platform.accounts.models import Department, Division

from .models import DONE_STATES, OPEN_STATES, RUNNING_STATES, DispatchRule, State, Task


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


def dispatch_queue(county: str | None = None) -> QuerySet[Task]:
    """Tasks waiting for the dispatcher: to route, to review, or with an extension request —
    of the whole city, or of one county for a county's dispatcher."""
    tasks = task_queryset().filter(
        Q(state=State.PENDING_DISPATCH)
        | Q(state=State.PENDING_REVIEW)
        | Q(extension_requested_days__isnull=False, state__in=OPEN_STATES)
    )
    return tasks.filter(county_code=county) if county else tasks


@dataclass(frozen=True)
class TaskFilter:
    """What a task list is narrowed to (the list page's filters and the cockpit's links)."""

    state: str = ""
    county: str = ""
    department_id: int | None = None
    overdue: bool = False  # open and past the deadline
    open_only: bool = False
    opened_since: datetime | None = None
    closed_since: datetime | None = None
    text: str = ""


def filter_tasks(
    tasks: QuerySet[Task], where: TaskFilter, *, with_state: bool = True
) -> QuerySet[Task]:
    """``tasks`` narrowed by ``where``; ``with_state=False`` leaves the state out (for the
    per-state counts of the tabs)."""
    if with_state and where.state:
        tasks = tasks.filter(state=where.state)
    if where.county:
        tasks = tasks.filter(county_code=where.county)
    if where.department_id is not None:
        tasks = tasks.filter(department_id=where.department_id)
    if where.overdue:
        tasks = tasks.filter(overdue=True, state__in=OPEN_STATES)
    if where.open_only:
        tasks = tasks.filter(state__in=OPEN_STATES)
    if where.opened_since is not None:
        tasks = tasks.filter(opened_at__gte=where.opened_since)
    if where.closed_since is not None:
        tasks = tasks.filter(closed_at__gte=where.closed_since)
    if where.text:
        tasks = tasks.filter(Q(title__icontains=where.text) | Q(category__icontains=where.text))
    return tasks


def state_counts(tasks: QuerySet[Task]) -> dict[str, Any]:
    return {row["state"]: row["n"] for row in tasks.values("state").annotate(n=Count("id"))}


# --- rankings (比晾晒) -------------------------------------------------------------------------

RANK_BY = ("department", "county")


@dataclass
class RankingRow:
    key: str
    name: str
    total: int
    closed: int
    on_time: int
    overdue: int
    reopened: int
    avg_hours: float | None
    avg_rating: float | None

    @property
    def on_time_rate(self) -> float | None:
        """Share of closed tasks closed by their deadline."""
        return self.on_time / self.closed if self.closed else None

    @property
    def reopen_rate(self) -> float | None:
        return self.reopened / self.total if self.total else None


def ranking_queryset(*, start: datetime, end: datetime) -> QuerySet[Task]:
    """The tasks a ranking counts: opened in [start, end), handled by one department
    (joint tasks count through their sub-tasks), not cancelled."""
    return Task.objects.filter(
        opened_at__gte=start, opened_at__lt=end, completion_rule="", department__isnull=False
    ).exclude(state=State.CANCELLED)


def ranking(*, by: str, start: datetime, end: datetime) -> list[RankingRow]:
    """Per department (``by="department"``) or county (``"county"``): on-time closure rate,
    average handling time, overdue count, average satisfaction and reopen rate — one grouped
    query; best on-time rate first, then satisfaction."""
    if by not in RANK_BY:
        raise ValueError(by)
    key = "department_id" if by == "department" else "county_code"
    rows = (
        ranking_queryset(start=start, end=end)
        .values(key)
        .annotate(
            total=Count("id"),
            closed=Count("id", filter=Q(state__in=DONE_STATES)),
            on_time=Count("id", filter=Q(closed_on_time=True)),
            overdue_n=Count("id", filter=Q(overdue=True) | Q(closed_on_time=False)),
            reopened=Count("id", filter=Q(reopen_count__gt=0)),
            avg_hours=Avg("handling_hours"),
            avg_rating=Avg("rating"),
        )
        .order_by(key)
    )
    keys = [row[key] for row in rows]
    names: dict[Any, str]
    if by == "department":
        names = {d.pk: d.name for d in Department.objects.filter(pk__in=keys)}
    else:
        names = {d.code: d.name for d in Division.objects.filter(code__in=keys)}
    result = [
        RankingRow(
            key=str(row[key]),
            name=str(names.get(row[key], row[key])),
            total=row["total"],
            closed=row["closed"],
            on_time=row["on_time"],
            overdue=row["overdue_n"],
            reopened=row["reopened"],
            avg_hours=row["avg_hours"],
            avg_rating=row["avg_rating"],
        )
        for row in rows
    ]
    result.sort(
        key=lambda r: (
            -(r.on_time_rate if r.on_time_rate is not None else -1),
            -(r.avg_rating or 0),
            r.overdue,
            r.key,
        )
    )
    return result


def overdue_candidates(*, now: datetime, remind_before_hours: float) -> dict[str, int]:
    """How many running tasks the next scan would remind or mark overdue (for the pages)."""
    running = Task.objects.filter(state__in=RUNNING_STATES)
    return running.aggregate(
        due_soon=Count(
            "id",
            filter=Q(
                reminded_at__isnull=True,
                overdue=False,
                deadline__gt=now,
                deadline__lte=now + timedelta(hours=remind_before_hours),
            ),
        ),
        overdue=Count("id", filter=Q(overdue=False, deadline__lte=now)),
    )


def oversees_tasks(user: Any) -> bool:
    """A dispatcher or supervisor, who sees more than the own department's tasks."""
    from .permissions import loop_allowed

    return loop_allowed(user, "loop.dispatch") or loop_allowed(user, "loop.supervise")


def tasks_visible_to(user: Any) -> QuerySet[Task]:
    """Every task for the city's dispatchers and supervisors, the county's tasks for a
    county's; otherwise the own department's and own reports."""
    from .permissions import oversight_county

    tasks = task_queryset()
    scope = Q(reporter_id=user.pk)
    if oversees_tasks(user):
        county = oversight_county(user)
        if county is None:
            return tasks
        scope |= Q(county_code=county)
    if getattr(user, "department_id", None):
        scope |= Q(department_id=user.department_id)
    return tasks.filter(scope)


def task_get(*, pk: int, user: Any) -> Task:
    """One task the person may see; ``Task.DoesNotExist`` otherwise (a 404, not a 403)."""
    from .permissions import can_view

    task = task_queryset().get(pk=pk)
    if not can_view(user, task):
        raise Task.DoesNotExist(pk)
    return task


def departments() -> QuerySet[Department]:
    return Department.objects.select_related("division").order_by("division_id", "code")


def divisions() -> QuerySet[Division]:
    return Division.objects.filter(level__in=["city", "county", "town"]).order_by("code")


def dispatch_rules() -> QuerySet[DispatchRule]:
    return DispatchRule.objects.filter(active=True).select_related("division", "department")
